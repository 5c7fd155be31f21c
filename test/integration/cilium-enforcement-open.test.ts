/**
 * A direction the recommendation leaves open, on Cilium under `enable-policy: always`.
 * cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes": under `always`
 * "policy enforcement is enabled on all endpoints even if no rules select specific endpoints" — so
 * writing no policy for a direction (`--no-egress`; the cluster DNS with no upstream resolver seen)
 * denies it (pkg/policy/repository.go computePolicyEnforcementAndRules). Leaving it open then takes
 * a rule that allows everything: on the cilium engine `toEntities: [all]` (pkg/policy/api/entity.go:
 * `all` selects every identity, in and out of the cluster), on the kubernetes engine — a
 * NetworkPolicy the agent enforces as a rule — the direction in `policyTypes` with one empty rule
 * (kubernetes.io "Network Policies", "Allow all egress traffic": `egress: [{}]`). The verification
 * then judges the direction as the recommendation's own: nothing in blockedByApplied for it.
 * Calico and ClusterNetworkPolicy output are not Cilium's to enforce: unchanged.
 * A cluster reduced to what shows it: web (shop) asks the cluster DNS, calls the apiserver and api.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { renderMarkdown } from '../../reports/render/index.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';
const pod = (ns: string, name: string, labels: string, ip: string, ports: string) => `
  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: ${ns}, labels: { ${labels} }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [${ports}] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;

/** `config`: the cilium-config's data beyond cluster-name. */
const inventory = (config: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: kube-system, labels: { kubernetes.io/metadata.name: kube-system } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: default, labels: { kubernetes.io/metadata.name: default } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
${pod('shop', 'web', 'app: web', '10.244.1.10', '{ containerPort: 8000 }')}
${pod('shop', 'api', 'app: api', '10.244.1.11', '{ containerPort: 8080 }')}
${pod('kube-system', 'coredns', 'k8s-app: kube-dns', '10.244.1.5', '{ containerPort: 53, protocol: UDP, name: dns }, { containerPort: 53, protocol: TCP, name: dns-tcp }')}
  - { apiVersion: v1, kind: Service, metadata: { name: kube-dns, namespace: kube-system }, spec: { clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], selector: { k8s-app: kube-dns }, ports: [{ name: dns, port: 53, protocol: UDP, targetPort: 53 }, { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }] } }
  - { apiVersion: v1, kind: Service, metadata: { name: kubernetes, namespace: default }, spec: { clusterIP: 10.96.0.1, clusterIPs: [10.96.0.1], ports: [{ name: https, port: 443, protocol: TCP, targetPort: 6443 }] } }
  - { apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: { name: kubernetes, namespace: default, labels: { kubernetes.io/service-name: kubernetes } }, addressType: IPv4, endpoints: [{ addresses: [172.18.0.2], conditions: { ready: true } }], ports: [{ name: https, port: 6443, protocol: TCP }] }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
`;

function hubble(i: number, dst: { ip: string; ns?: string; pod?: string }, port: number, proto: 'TCP' | 'UDP'): string {
  return JSON.stringify({
    time: new Date(NOW - 120_000 + i * 1000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.244.1.10', destination: dst.ip, ipVersion: 'IPv4' },
    l4: proto === 'TCP' ? { TCP: { source_port: 40000 + i, destination_port: port, flags: { SYN: true } } } : { UDP: { source_port: 40000 + i, destination_port: port } },
    source: { namespace: 'shop', pod_name: 'web', labels: ['k8s:app=web'] },
    destination: dst.pod !== undefined ? { namespace: dst.ns, pod_name: dst.pod } : {},
    node_name: 'worker-1',
    traffic_direction: 'EGRESS',
    is_reply: false,
  });
}
const FLOWS = [
  hubble(1, { ip: '10.244.1.5', ns: 'kube-system', pod: 'coredns' }, 53, 'UDP'),
  hubble(2, { ip: '172.18.0.2' }, 6443, 'TCP'),
  hubble(3, { ip: '10.244.1.11', ns: 'shop', pod: 'api' }, 8080, 'TCP'),
];

async function input(config: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'hubble' });
  return readRecommendationInput(db, {});
}
const ALWAYS = ', enable-policy: "always"';
const run = async (config: string, engine: EngineName, egress: boolean, defaultDeny = false) => runRecommendation(await input(config), engine, recommendOptions({ egress, defaultDeny }), { tightness: false });

type Manifest = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };
const policyOf = (manifests: readonly unknown[], namespace: string, name: RegExp) => {
  const m = (manifests as Manifest[]).find((x) => x.metadata.namespace === namespace && name.test(x.metadata.name));
  assert.ok(m, `a policy for ${namespace}/${name}: ${(manifests as Manifest[]).map((x) => x.metadata.name).join(', ')}`);
  return m;
};
const WEB_EGRESS = (f: { workload: string; direction: string }) => f.workload === 'shop/Pod/web' && f.direction === 'egress';

test('cilium, enable-policy "always", --no-egress: web\'s egress is opened by toEntities [all], explained; verification ok and nothing of it in blockedByApplied (intro.rst: always enforces on every endpoint)', async () => {
  const { emitted, verification, rec } = await run(ALWAYS, 'cilium', false);
  const web = policyOf(emitted.manifests, 'shop', /web/);
  assert.deepEqual(web.spec.egress, [{ toEntities: ['all'] }]);
  assert.match(JSON.stringify(web.metadata.annotations), /open: enable-policy always denies a direction no rule allows, so leaving it open needs a rule/);
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  assert.deepEqual(verification.blockedByApplied.filter(WEB_EGRESS), []);
  assert.deepEqual(verification.blocked, []);
  const record = rec.workloads.find((w) => w.workload.name === 'web')!;
  assert.match(record.summary, /egress open by an allow-all rule \(enable-policy: always\)/);
  assert.doesNotMatch(record.summary, /egress none/);
  // The cluster DNS, whose egress is left open (no upstream resolver seen), is opened the same way.
  const dns = policyOf(emitted.manifests, 'kube-system', /coredns/);
  assert.deepEqual(dns.spec.egress, [{ toEntities: ['all'] }]);
  const dnsRecord = rec.workloads.find((w) => w.workload.name === 'coredns')!;
  assert.ok(!dnsRecord.warnings.some((w) => /left open/.test(w)), JSON.stringify(dnsRecord.warnings));
});

test('kubernetes on Cilium, enable-policy "always", --no-egress: web\'s NetworkPolicy has Egress in policyTypes and egress [{}]; verification ok, nothing in blockedByApplied', async () => {
  const { emitted, verification } = await run(ALWAYS, 'kubernetes', false);
  const web = policyOf(emitted.manifests, 'shop', /web/);
  assert.deepEqual(web.spec.egress, [{}]);
  assert.ok((web.spec.policyTypes as string[]).includes('Egress'), JSON.stringify(web.spec));
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  assert.deepEqual(verification.blockedByApplied.filter(WEB_EGRESS), []);
});

test('enable-policy "default": --no-egress writes no egress (unchanged); calico under "always" is not Cilium\'s to enforce: its manifests are those of "default"', async () => {
  for (const engine of ['cilium', 'kubernetes'] as const) {
    const { emitted, verification } = await run('', engine, false);
    assert.equal(policyOf(emitted.manifests, 'shop', /web/).spec.egress, undefined, engine);
    assert.deepEqual(verification.blockedByApplied, [], engine);
  }
  for (const engine of ['calico', 'clusternetworkpolicy'] as const) {
    assert.deepEqual((await run(ALWAYS, engine, false)).emitted.manifests, (await run('', engine, false)).emitted.manifests, engine);
  }
});

test('--default-deny: the cluster DNS\'s egress, opened by an allow-all rule above the namespace layer on every engine (workload.ts leftOpen), is said so in its warning; under "always" on cilium and kubernetes too, naming --default-deny as what writes it (intro.rst "Policy Enforcement Modes")', async () => {
  const dnsWarning = async (config: string, engine: EngineName) => {
    const { emitted, rec } = await run(config, engine, true, true);
    assert.ok(emitted.manifests.length > 0);
    return rec.workloads.find((w) => w.workload.name === 'coredns')!.warnings.find((w) => /no upstream resolver was observed/.test(w));
  };
  const HEAD = 'Pod kube-system/coredns is the cluster DNS and no upstream resolver was observed: its egress is open by an allow-all rule above the namespace default-deny';
  for (const engine of ['cilium', 'kubernetes'] as const) {
    assert.equal(await dnsWarning(ALWAYS, engine), `${HEAD} (--default-deny; enable-policy: always needs one too)`, engine);
  }
  for (const engine of ['calico', 'clusternetworkpolicy'] as const) assert.equal(await dnsWarning(ALWAYS, engine), `${HEAD} (--default-deny)`, engine);
  for (const engine of ['cilium', 'kubernetes', 'calico', 'clusternetworkpolicy'] as const) assert.equal(await dnsWarning('', engine), `${HEAD} (--default-deny)`, engine);
  // What the words say: the kubernetes manifest's egress is one empty rule, as under "always" alone.
  const { emitted } = await run('', 'kubernetes', true, true);
  assert.deepEqual(policyOf(emitted.manifests, 'kube-system', /coredns/).spec.egress, [{}]);
  // Without --default-deny nothing is written for it: "left open", as before.
  const plain = (await run('', 'calico', true)).rec.workloads.find((w) => w.workload.name === 'coredns')!;
  assert.ok(plain.warnings.includes('Pod kube-system/coredns is the cluster DNS and no upstream resolver was observed: its egress is left open'), JSON.stringify(plain.warnings));
});

/** The report of the cluster above (Markdown), for engine `engine` with `egress`. */
async function report(config: string, engine: EngineName, egress: boolean): Promise<{ md: string; json: ReturnType<typeof buildReport> }> {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'hubble' });
  const json = buildReport(gatherReportInput(db, { engine, mode: 'union', egress, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt: NOW }));
  return { md: renderMarkdown(json), json };
}

test('the report of engine cilium (or kubernetes) under "always" words the workloads as its manifests are: the cluster DNS\'s egress open by an allow-all rule, --no-egress edges included; a calico report keeps "left open" and "not restricted"', async () => {
  for (const engine of ['cilium', 'kubernetes'] as const) {
    const { md } = await report(ALWAYS, engine, true);
    assert.match(md, /the cluster DNS and no upstream resolver was observed: its egress is open by an allow-all rule \(enable-policy: always\)/, engine);
    assert.doesNotMatch(md, /its egress is left open/, engine);
    const noEgress = await report(ALWAYS, engine, false);
    // web's egress is the allow-all rule's: its edges are no longer "left out … not restricted".
    assert.doesNotMatch(noEgress.md, /egress of shop\/Pod\/web: [a-z-]+, left out of the policy: egress is not restricted/, engine);
  }
  const calico = await report(ALWAYS, 'calico', true);
  assert.match(calico.md, /its egress is left open/);
  assert.match((await report(ALWAYS, 'calico', false)).md, /egress of shop\/Pod\/web: [a-z-]+, left out of the policy: egress is not restricted \(--no-egress\)/);
});

/** A host-network pod on worker-1 and a host policy, beside the cluster above. */
const HOST_NETWORK = `
  - { apiVersion: v1, kind: Pod, metadata: { name: agent, namespace: shop, labels: { app: agent }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, hostNetwork: true, containers: [{ name: c, image: i, ports: [{ containerPort: 9100 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 172.18.0.3, podIPs: [{ ip: 172.18.0.3 }] } }
  - { apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy, metadata: { name: host-fw-nodes }, spec: { nodeSelector: {}, ingress: [{ fromEntities: [cluster], toPorts: [{ ports: [{ port: "9100", protocol: TCP }] }] }] } }
`;

test('a host-network workload gets no policy as before; where the host firewall is on, its summary names the host policies applied rather than asking to turn the host firewall on', async () => {
  const summary = async (config: string) => {
    const { db } = tmpDb();
    importInventory(db, { text: `${inventory(config)}${HOST_NETWORK}`, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
    const { rec } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({}), { tightness: false });
    const agent = rec.workloads.find((w) => w.workload.name === 'agent')!;
    assert.equal(agent.hostNetwork, true);
    assert.deepEqual(agent.policies, []);
    return agent.summary;
  };
  const on = await summary(`${ALWAYS}, enable-host-firewall: "true"`);
  assert.match(on, /its node's host firewall is on \(cilium-config enable-host-firewall\) and decides it: restrict it in the host policies applied \(CiliumClusterwideNetworkPolicy\/host-fw-nodes\)/);
  assert.doesNotMatch(on, /restrict it on the node \(host firewall\) instead/);
  assert.match(await summary(''), /restrict it on the node \(host firewall\) instead/);
});
