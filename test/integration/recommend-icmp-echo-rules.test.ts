/**
 * Observed ICMP echo (ping) becomes a rule where the engine can express it, explained by its
 * evidence like every rule, and the verification judges it; where the engine cannot, the
 * restricted direction cuts it and says so.
 *
 * Input: db (dual-stack) is pinged by web (ICMP echo, type 8) and by the outside address
 * 2001:db8::7 (ICMPv6 echo, type 128), and reached by web on 5432/TCP. Expected, per engine:
 * - cilium: an `icmps` rule per family with that peer only, beside the port rule — the agent
 *   refuses `icmps` with `toPorts` in one rule ("The ICMPs block may only be present without
 *   ToPorts. Define a separate rule to use ToPorts.", pkg/policy/api/rule_validation.go) and one
 *   rule mixing peer kinds (sanitize); `fields: [{type: 8, family: IPv4}]`, IPv6 type 128
 *   (pkg/policy/api/icmp.go ICMPField: `family` defaults to IPv4, `type` the message type);
 * - calico: `protocol: ICMP` + `icmp: {type: 8}` with `ipVersion: 4`, `ICMPv6` + type 128 with
 *   `ipVersion: 6`, in rules of their own (projectcalico.org/v3 Rule `icmp`, "should only be
 *   specified if the Protocol field is set to ICMP or ICMPv6"; libcalico-go validateRule:
 *   the protocol by name, ipVersion matching it);
 * - kubernetes, clusternetworkpolicy: no such rule (NetworkPolicy ports are TCP, UDP, SCTP; a rule
 *   without ports opens every protocol to the peer): the warning that ICMP observed will be denied.
 * The echo reply is return traffic (conntrack): nothing renders it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { verifiedExport } from '../../app/export.ts';
import { AppError } from '../../app/errors.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = Date.UTC(2026, 10, 20);
const pod = (name: string, v4: string, v6: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: name }, creationTimestamp: new Date(T - 86_400_000).toISOString() },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x', ports: name === 'db' ? [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }] : [] }] },
  status: { phase: 'Running', podIP: v4, podIPs: [{ ip: v4 }, { ip: v6 }], hostIP: '10.0.1.10' },
});
/** The cluster; `ciliumConfig` the data of its kube-system/cilium-config, none when left out. */
const inventory = (ciliumConfig?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }] } },
      pod('web', '10.244.0.10', 'fd00:10:244::10'),
      pod('db', '10.244.0.20', 'fd00:10:244::20'),
      ...(ciliumConfig !== undefined ? [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: ciliumConfig }] : []),
    ],
  });

const netobserv = (o: Record<string, unknown>) => JSON.stringify({ Bytes: 84, Packets: 1, TimeFlowStartMs: T, TimeFlowEndMs: T, Etype: 2048, ...o });
const TCP_SYN = netobserv({ SrcAddr: '10.244.0.10', DstAddr: '10.244.0.20', SrcPort: 40000, DstPort: 5432, Proto: 6, Flags: 2 });
const TCP_SYN_ACK = netobserv({ SrcAddr: '10.244.0.20', DstAddr: '10.244.0.10', SrcPort: 5432, DstPort: 40000, Proto: 6, Flags: 18 });
const ECHO = netobserv({ SrcAddr: '10.244.0.10', DstAddr: '10.244.0.20', Proto: 1, IcmpType: 8, IcmpCode: 0 });
const ECHO_REPLY = netobserv({ SrcAddr: '10.244.0.20', DstAddr: '10.244.0.10', Proto: 1, IcmpType: 0, IcmpCode: 0 });
const ECHO6 = netobserv({ SrcAddr: '2001:db8::7', DstAddr: 'fd00:10:244::20', Proto: 58, IcmpType: 128, IcmpCode: 0, Etype: 34525 });
const ECHO6_REPLY = netobserv({ SrcAddr: 'fd00:10:244::20', DstAddr: '2001:db8::7', Proto: 58, IcmpType: 129, IcmpCode: 0, Etype: 34525 });
/** What the policies must still deny: web on another port of db, the IPv6 pinger on TCP. */
const WEB_TCP_8080 = netobserv({ SrcAddr: '10.244.0.10', DstAddr: '10.244.0.20', SrcPort: 40001, DstPort: 8080, Proto: 6, Flags: 2 });
const V6_TCP_5432 = netobserv({ SrcAddr: '2001:db8::7', DstAddr: 'fd00:10:244::20', SrcPort: 40002, DstPort: 5432, Proto: 6, Flags: 2, Etype: 34525 });

async function stored(ciliumConfig?: Record<string, string>) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(ciliumConfig), takenAt: T - 86_400_000, source: 'inventory.json', now: T });
  const flows = [TCP_SYN, TCP_SYN_ACK, ECHO, ECHO_REPLY, ECHO6, ECHO6_REPLY].join('\n');
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows}\n`]) }], { format: 'netobserv', now: () => T });
  return { db, input: readRecommendationInput(db, {}) };
}

type Engine = 'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy';
type Spec = { ingress?: Record<string, unknown>[] };
const dbSpec = (r: ReturnType<typeof runRecommendation>): Spec =>
  (r.emitted.manifests.find((m) => m.metadata.name.includes('db') && m.metadata.namespace === 'shop') as unknown as { spec: Spec }).spec;
const icmpSkipped = (skipped: Record<string, number>): string[] => Object.keys(skipped).filter((k) => /ICMP/.test(k));
const verdicts = (db: ReturnType<typeof tmpDb>['db'], engine: Engine, r: ReturnType<typeof runRecommendation>, flows: readonly string[]): string[] =>
  simulateFlows(db, { engine, policies: toMultiDocYaml(r.emitted.manifests), flows: `${flows.join('\n')}\n`, format: 'netobserv' }).decisions.map((d) => d.verdict);

test('cilium: observed ICMP echo becomes an icmps rule per family with its peer only, verified, and nothing more opens', async () => {
  const { db, input } = await stored();
  const r = runRecommendation(input, 'cilium', recommendOptions({ now: T }));
  const ingress = dbSpec(r).ingress ?? [];
  const icmpRules = ingress.filter((x) => x.icmps !== undefined);
  assert.deepEqual(
    icmpRules.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      { fromCIDRSet: [{ cidr: '2001:db8::7/128' }], icmps: [{ fields: [{ type: 128, family: 'IPv6' }] }] },
      { fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
    ],
    JSON.stringify(ingress),
  );
  // No rule opens every protocol to a peer (no L3-only rule), and no rule mixes icmps and toPorts.
  assert.ok(ingress.every((x) => x.toPorts !== undefined || x.icmps !== undefined), JSON.stringify(ingress));
  assert.ok(ingress.every((x) => x.toPorts === undefined || x.icmps === undefined), JSON.stringify(ingress));
  assert.deepEqual(r.verification.admission, []);
  assert.deepEqual(r.verification.blocked, []);
  assert.deepEqual(icmpSkipped(r.verification.skipped), [], JSON.stringify(r.verification.skipped));
  assert.equal(r.verification.ok, true);
  // The rule is explained by its evidence: the echo edge, as every observed rule is.
  const rules = r.rec.workloads.find((w) => w.workload.name === 'db')!.rules;
  const echoRule = rules.find((x) => x.direction === 'ingress' && x.echo === 'ICMPv6');
  assert.ok(echoRule !== undefined, JSON.stringify(rules.map((x) => x.id)));
  assert.deepEqual(echoRule.evidence.edges.map((e) => e.key), ['external:2001:db8::7|workload:shop/Pod/db|0|ICMPv6']);
  assert.equal(echoRule.status, 'undocumented');
  assert.deepEqual(verdicts(db, 'cilium', r, [ECHO, ECHO6, WEB_TCP_8080, V6_TCP_5432]), ['allow', 'allow', 'deny', 'deny']);
});

test('calico: observed ICMP echo becomes protocol ICMP / ICMPv6 with its type in rules of their own, admitted and verified', async () => {
  const { db, input } = await stored();
  const r = runRecommendation(input, 'calico', recommendOptions({ now: T }));
  const ingress = dbSpec(r).ingress ?? [];
  const icmpRules = ingress.filter((x) => x.icmp !== undefined).map(({ metadata: _, ...x }) => x);
  assert.deepEqual(
    icmpRules.sort((a, b) => String(a.protocol).localeCompare(String(b.protocol))),
    [
      { action: 'Allow', protocol: 'ICMP', ipVersion: 4, icmp: { type: 8 }, source: { selector: "app == 'web'" } },
      { action: 'Allow', protocol: 'ICMPv6', ipVersion: 6, icmp: { type: 128 }, source: { nets: ['2001:db8::7/128'] } },
    ],
    JSON.stringify(ingress),
  );
  assert.ok(ingress.every((x) => x.protocol !== undefined), `no rule opens every protocol: ${JSON.stringify(ingress)}`);
  assert.deepEqual(r.verification.admission, []);
  assert.deepEqual(r.verification.blocked, []);
  assert.deepEqual(icmpSkipped(r.verification.skipped), [], JSON.stringify(r.verification.skipped));
  assert.equal(r.verification.ok, true);
  assert.deepEqual(verdicts(db, 'calico', r, [ECHO, ECHO6, WEB_TCP_8080, V6_TCP_5432]), ['allow', 'allow', 'deny', 'deny']);
});

for (const engine of ['kubernetes', 'clusternetworkpolicy'] as const) {
  test(`${engine}: no rule can allow ICMP alone: the echo is denied, said in a warning naming the peer, and left to skipped`, async () => {
    const { input } = await stored();
    const r = runRecommendation(input, engine, recommendOptions({ now: T }));
    const said = [...r.rec.workloads.flatMap((w) => w.warnings), ...r.emitted.warnings.map((w) => w.message)];
    assert.ok(
      said.some((m) => /ingress: ICMP observed from .*workload:shop\/Pod\/web ICMP.* will be denied/.test(m) && m.includes(engine === 'kubernetes' ? 'NetworkPolicy' : 'ClusterNetworkPolicy')),
      said.join('\n'),
    );
    assert.ok(said.some((m) => /ingress: ICMP observed from .*external:2001:db8::7 ICMPv6.* will be denied/.test(m)), said.join('\n'));
    assert.ok(icmpSkipped(r.verification.skipped).length > 0, JSON.stringify(r.verification.skipped));
    assert.equal(r.verification.ok, true);
  });
}

test('with --shared and --default-deny the echo rules stay with their workload, rendered and verified', async () => {
  const { input } = await stored();
  for (const engine of ['cilium', 'calico'] as const) {
    const r = runRecommendation(input, engine, recommendOptions({ now: T, shared: true, defaultDeny: true }));
    const ingress = dbSpec(r).ingress ?? [];
    assert.equal(ingress.filter((x) => x.icmps !== undefined || x.icmp !== undefined).length, 2, `${engine}: ${JSON.stringify(ingress)}`);
    assert.deepEqual(icmpSkipped(r.verification.skipped), [], engine);
    assert.equal(r.verification.ok, true, `${engine}: ${JSON.stringify(r.verification.blocked)}`);
  }
});

/*
 * Cilium's agent refuses a rule with `icmps` unless its `enable-icmp-rules` option is on: "ICMP
 * rules can only be applied when the \"enable-icmp-rules\" flag is set" (cilium/cilium
 * pkg/policy/api/rule_validation.go, IngressRule/EgressRule and their deny rules' Validate), and a
 * refused rule leaves the whole policy out. The option is on by default (pkg/defaults
 * EnableICMPRules = true, read by pkg/option/config.go `viper.GetBool(EnableICMPRules)`); the Helm
 * chart never writes the key (templates/cilium-configmap.yaml), so a cilium-config without it is on.
 * Input: the cluster above with cilium-config `enable-icmp-rules: "false"`. Expected: the cilium
 * engine renders no `icmps`, as the engines without ICMP rules: the `icmp-not-expressible` warning
 * naming the setting, the ICMP edges counted in `skipped`, verification ok; `simulate` refuses a
 * given manifest with `icmps`, naming the setting.
 */
test('cilium, cilium-config enable-icmp-rules "false": no icmps in the export, the icmp-not-expressible warning names the setting, the ICMP edges are skipped, verification ok', async () => {
  const { input } = await stored({ 'enable-icmp-rules': 'false' });
  const r = runRecommendation(input, 'cilium', recommendOptions({ now: T }));
  assert.ok(!JSON.stringify(r.emitted.manifests).includes('icmps'), JSON.stringify(dbSpec(r)));
  const ingress = dbSpec(r).ingress ?? [];
  assert.ok(ingress.every((x) => x.toPorts !== undefined), `no rule opens every protocol: ${JSON.stringify(ingress)}`);
  // db's ingress (pinged by web and 2001:db8::7) and web's egress (pinging db).
  const warned = r.emitted.warnings.filter((w) => w.code === 'icmp-not-expressible').sort((a, b) => a.intent.localeCompare(b.intent));
  assert.deepEqual(warned.map((w) => [w.intent, w.direction]), [['shop/pod/db', 'ingress'], ['shop/pod/web', 'egress']], JSON.stringify(r.emitted.warnings));
  assert.match(warned[0]!.message, /^ingress: ICMP observed from external:2001:db8::7 ICMPv6, workload:shop\/Pod\/web ICMP will be denied: the cilium-config sets enable-icmp-rules: "false"/);
  assert.equal(warned[0]!.engine, 'cilium');
  assert.ok(icmpSkipped(r.verification.skipped).length > 0, JSON.stringify(r.verification.skipped));
  assert.match(icmpSkipped(r.verification.skipped).join('\n'), /enable-icmp-rules/);
  assert.deepEqual(r.verification.admission, []);
  assert.deepEqual(r.verification.blocked, []);
  assert.equal(r.verification.ok, true);
  const exported = verifiedExport(input, 'cilium', recommendOptions({ now: T }));
  assert.equal(exported.verification.ok, true);
  assert.ok(!toMultiDocYaml([...exported.manifests()]).includes('icmps'));
});

test('cilium, cilium-config enable-icmp-rules "true" (and a cilium-config without the key, Cilium\'s default): the icmps rules as without a cilium-config', async () => {
  const without = runRecommendation((await stored()).input, 'cilium', recommendOptions({ now: T }));
  for (const config of [{ 'enable-icmp-rules': 'true' }, { 'enable-sctp': 'false' }] as Record<string, string>[]) {
    const r = runRecommendation((await stored(config)).input, 'cilium', recommendOptions({ now: T }));
    assert.deepEqual(r.emitted.manifests, without.emitted.manifests, JSON.stringify(config));
    assert.equal(dbSpec(r).ingress?.filter((x) => x.icmps !== undefined).length, 2, JSON.stringify(config));
    assert.deepEqual(r.emitted.warnings.filter((w) => w.code === 'icmp-not-expressible'), []);
    assert.equal(r.verification.ok, true);
  }
});

test('simulate, cilium-config enable-icmp-rules "false": a given CiliumNetworkPolicy with icmps is refused naming the setting; "true" takes it', async () => {
  const policy = runRecommendation((await stored()).input, 'cilium', recommendOptions({ now: T })).emitted.manifests;
  const off = (await stored({ 'enable-icmp-rules': 'false' })).db;
  assert.throws(
    () => simulateFlows(off, { engine: 'cilium', policies: toMultiDocYaml(policy), flows: `${ECHO}\n`, format: 'netobserv' }),
    (e: unknown) => {
      const problems = e instanceof AppError ? e.problems : [];
      return problems.some((p) => /\/icmps$/.test(p.path) && /ICMP rules can only be applied when the "enable-icmp-rules" flag is set/.test(p.message) && /cilium-config sets enable-icmp-rules: "false"/.test(p.message));
    },
  );
  const on = (await stored({ 'enable-icmp-rules': 'true' })).db;
  assert.deepEqual(simulateFlows(on, { engine: 'cilium', policies: toMultiDocYaml(policy), flows: `${ECHO}\n`, format: 'netobserv' }).decisions.map((d) => d.verdict), ['allow']);
});
