/**
 * Inspektor Gadget's NetworkPolicy advisor goldens (inspektor-gadget/inspektor-gadget@b50f06efc9f1935164285321644d5d4a58d87d9b pkg/gadgets/advise/networkpolicy/advisor/testdata): from the
 * events of their inputs we build the IR those events imply and require our kubernetes output
 * to be semantically equal to theirs — except the apiserver rule, which they render as a
 * namespace/pod selector on 443 (known-wrong: the apiserver is not a pod) and we render as the
 * /32 of the `default/kubernetes` endpoint on its port 6443.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENGINES } from '../../recommender/engines/index.ts';
import type { EngineManifests } from '../../recommender/engines/types.ts';
import {
  apiserverPeer,
  cidrPeer,
  dnsPeer,
  explanation,
  podsPeer,
  policySet,
  port,
  type IntentInput,
  type RuleInput,
} from '../../recommender/policy/build.ts';
import type { ApiserverAddress, PortProtocol } from '../../recommender/policy/ir.ts';
import { verifyManifests } from '../../recommender/verify/index.ts';
import { REFERENCE } from '../helpers/reference.ts';

const IG = join(REFERENCE, 'inspektor-gadget');

/** The apiserver endpoints of the reference `default/kubernetes` EndpointSlice. */
function apiserverEndpoints(): ApiserverAddress[] {
  const docs = parseAllDocuments(readFileSync(join(REFERENCE, 'kubernetes', 'endpointslice-samples.yaml'), 'utf8')).map((d) => d.toJS());
  const slice = docs.find((d) => d?.metadata?.namespace === 'default' && d?.metadata?.name === 'kubernetes');
  assert.ok(slice, 'reference has the default/kubernetes slice');
  const out: ApiserverAddress[] = [];
  for (const e of slice.endpoints as { addresses: string[] }[]) {
    for (const ip of e.addresses) for (const p of slice.ports as { port: number; protocol: PortProtocol }[]) out.push({ ip, port: p.port, protocol: p.protocol });
  }
  return out;
}

interface IgEvent {
  k8s: { namespace: string; podname: string };
  pktType: 'OUTGOING' | 'HOST';
  proto: 'tcp' | 'udp';
  port: number;
  dst: { kind: 'pod' | 'svc' | 'raw'; addr: string; namespace?: string; name?: string; podLabels?: Record<string, string> };
}

/** The IR their events imply: one policy per local pod, one rule per (peer, port). */
function intentsFromEvents(events: IgEvent[], apiserver: ApiserverAddress[]): IntentInput[] {
  const byPod = new Map<string, { ns: string; pod: string; ingress: RuleInput[]; egress: RuleInput[] }>();
  for (const ev of events) {
    const k = `${ev.k8s.namespace}/${ev.k8s.podname}`;
    const entry = byPod.get(k) ?? { ns: ev.k8s.namespace, pod: ev.k8s.podname, ingress: [], egress: [] };
    byPod.set(k, entry);
    const why = explanation(`ig:${ev.dst.kind}:${ev.dst.addr}:${ev.port}`, 'confirmed', `observed ${ev.proto}/${ev.port}`);
    const p = port(ev.proto.toUpperCase() as PortProtocol, ev.port);
    const list = ev.pktType === 'OUTGOING' ? entry.egress : entry.ingress;
    if (ev.dst.kind === 'svc' && ev.dst.namespace === 'default' && ev.dst.name === 'kubernetes') {
      list.push({ peers: [apiserverPeer(apiserver)], explanation: why });
    } else if (ev.dst.kind === 'svc' && ev.dst.name === 'kube-dns') {
      list.push({ peers: [dnsPeer(ev.dst.namespace, { matchLabels: ev.dst.podLabels })], ports: [p], explanation: why });
    } else if (ev.dst.kind === 'raw') {
      list.push({ peers: [cidrPeer(`${ev.dst.addr}/32`)], ports: [p], explanation: why });
    } else {
      const ns = ev.dst.namespace === ev.k8s.namespace ? undefined : ev.dst.namespace;
      list.push({ peers: [podsPeer({ matchLabels: ev.dst.podLabels }, ns)], ports: [p], explanation: why });
    }
  }
  return [...byPod.values()].map((e) => ({
    key: `${e.pod}-network`,
    namespace: e.ns,
    layer: 'allowlist',
    // Their local pod carries no labels: all pods of the namespace.
    subject: { kind: 'namespace' },
    ingress: e.ingress.length > 0 ? { mode: 'rules', rules: e.ingress } : { mode: 'deny-all', explanation: explanation('ig:none', 'confirmed', 'no ingress observed') },
    egress: e.egress.length > 0 ? { mode: 'rules', rules: e.egress } : { mode: 'deny-all', explanation: explanation('ig:none', 'confirmed', 'no egress observed') },
    explanation: 'from Inspektor Gadget events',
  }));
}

/** JSON with every object's keys sorted. */
function stable(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stable).join(',')}]`;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

/** Order-insensitive form: rules, and the peers and ports inside them, as sorted canonical JSON. */
function canonicalRules(rules: unknown): string[] {
  return ((rules as Record<string, unknown>[] | undefined) ?? [])
    .map((r) => {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(r)) {
        const v = r[k];
        out[k] = Array.isArray(v) ? v.map(stable).sort() : v;
      }
      return stable(out);
    })
    .sort();
}

const isTheirApiserverRule = (r: Record<string, unknown>): boolean =>
  JSON.stringify(r.to) === JSON.stringify([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: {} }]);
const isOurApiserverRule =
  (apiserver: ApiserverAddress[]) =>
  (r: Record<string, unknown>): boolean => {
    const cidrs = new Set(apiserver.map((a) => `${a.ip}/32`));
    const to = (r.to as { ipBlock?: { cidr: string } }[] | undefined) ?? [];
    return to.length > 0 && to.every((p) => p.ipBlock && cidrs.has(p.ipBlock.cidr));
  };

function assertEquivalent(ours: EngineManifests['kubernetes'][], theirs: Record<string, any>[], apiserver: ApiserverAddress[]): void {
  assert.equal(ours.length, theirs.length);
  const byName = new Map(ours.map((m) => [m.metadata.name, m]));
  for (const t of theirs) {
    const o = byName.get(t.metadata.name);
    assert.ok(o, `we emit ${t.metadata.name}`);
    assert.equal(o.apiVersion, t.apiVersion);
    assert.equal(o.kind, t.kind);
    assert.equal(o.metadata.namespace, t.metadata.namespace);
    assert.deepEqual(o.spec.podSelector, t.spec.podSelector);
    assert.deepEqual(o.spec.policyTypes, t.spec.policyTypes);
    assert.deepEqual(canonicalRules(o.spec.ingress), canonicalRules(t.spec.ingress));
    const theirEgress = (t.spec.egress ?? []) as Record<string, unknown>[];
    const ourEgress = (o.spec.egress ?? []) as Record<string, unknown>[];
    const theirApi = theirEgress.filter(isTheirApiserverRule);
    const ourApi = ourEgress.filter(isOurApiserverRule(apiserver));
    assert.deepEqual(canonicalRules(ourEgress.filter((r) => !isOurApiserverRule(apiserver)(r))), canonicalRules(theirEgress.filter((r) => !isTheirApiserverRule(r))));
    if (theirApi.length > 0) {
      assert.deepEqual(theirApi[0]!.ports, [{ port: 443, protocol: 'TCP' }], 'their known-wrong rule is on the Service port');
      assert.deepEqual(ourApi.map(stable), [stable({ to: apiserver.map((a) => ({ ipBlock: { cidr: `${a.ip}/32` } })), ports: [{ protocol: 'TCP', port: 6443 }] })]);
    } else {
      assert.deepEqual(ourApi, []);
    }
  }
}

function readEvents(file: string): IgEvent[] {
  return readFileSync(join(IG, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as IgEvent);
}

function readGolden(file: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(join(IG, file), 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
}

test('connect-to-svc: DNS equal to theirs, apiserver as the endpoint /32 on 6443', () => {
  const apiserver = apiserverEndpoints();
  assert.deepEqual(apiserver, [{ ip: '192.168.22.31', port: 6443, protocol: 'TCP' }]);
  const r = ENGINES.kubernetes.emit(policySet(intentsFromEvents(readEvents('connect-to-svc.input'), apiserver)));
  assert.deepEqual(r.warnings, []);
  assertEquivalent(r.manifests, readGolden('connect-to-svc.golden'), apiserver);
  assert.deepEqual(verifyManifests(r.manifests), []);
});

test('connect-to-svc-duplicate: duplicate events collapse to the same policy', () => {
  const apiserver = apiserverEndpoints();
  const once = ENGINES.kubernetes.emit(policySet(intentsFromEvents(readEvents('connect-to-svc.input'), apiserver)));
  const twice = ENGINES.kubernetes.emit(policySet(intentsFromEvents(readEvents('connect-to-svc-duplicate.input'), apiserver)));
  assert.deepEqual(twice.manifests, once.manifests);
  assertEquivalent(twice.manifests, readGolden('connect-to-svc-duplicate.golden'), apiserver);
});

test('readme-example: nginx and test-pod policies semantically equal to theirs', () => {
  const dnsLabels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
  const why = (id: string) => explanation(id, 'confirmed', 'observed');
  const none = explanation('ig:none', 'confirmed', 'nothing observed');
  const intents: IntentInput[] = [
    {
      key: 'nginx-network',
      namespace: 'default',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'nginx' } }, hostNetwork: false },
      ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { run: 'test-pod' } })], ports: [port('TCP', 80)], explanation: why('e1') }] },
      egress: { mode: 'deny-all', explanation: none },
      explanation: 'nginx',
    },
    {
      key: 'test-pod-network',
      namespace: 'default',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { run: 'test-pod' } }, hostNetwork: false },
      ingress: { mode: 'deny-all', explanation: none },
      egress: {
        mode: 'rules',
        rules: [
          { peers: [cidrPeer('1.1.1.1/32')], ports: [port('TCP', 80)], explanation: why('e2') },
          { peers: [cidrPeer('1.1.1.1/32')], ports: [port('TCP', 443)], explanation: why('e3') },
          { peers: [podsPeer({ matchLabels: { app: 'nginx' } })], ports: [port('TCP', 80)], explanation: why('e1') },
          { peers: [dnsPeer('kube-system', { matchLabels: dnsLabels })], ports: [port('UDP', 53)], explanation: why('e4') },
        ],
      },
      explanation: 'test-pod',
    },
  ];
  const r = ENGINES.kubernetes.emit(policySet(intents));
  assertEquivalent(r.manifests, readGolden('readme-example.expected.yaml'), []);
  assert.deepEqual(verifyManifests(r.manifests), []);
});

test('integration template: cross-namespace client and server', () => {
  const text = readFileSync(join(IG, 'integration-expected.template.yaml'), 'utf8').replaceAll('<CLIENT_NAMESPACE>', 'client-ns').replaceAll('<SERVER_NAMESPACE>', 'server-ns');
  const theirs = parseAllDocuments(text).map((d) => d.toJS());
  const why = explanation('e1', 'confirmed', 'wget');
  const none = explanation('ig:none', 'confirmed', 'nothing observed');
  const client = { matchLabels: { run: 'test-advise-networkpolicy-client' } };
  const server = { matchLabels: { run: 'test-advise-networkpolicy-server' } };
  const r = ENGINES.kubernetes.emit(
    policySet([
      {
        key: 'test-advise-networkpolicy-client-network',
        namespace: 'client-ns',
        layer: 'allowlist',
        subject: { kind: 'workload', selector: client, hostNetwork: false },
        ingress: { mode: 'deny-all', explanation: none },
        egress: { mode: 'rules', rules: [{ peers: [podsPeer(server, 'server-ns')], ports: [port('TCP', 80)], explanation: why }] },
        explanation: 'client',
      },
      {
        key: 'test-advise-networkpolicy-server-network',
        namespace: 'server-ns',
        layer: 'allowlist',
        subject: { kind: 'workload', selector: server, hostNetwork: false },
        ingress: { mode: 'rules', rules: [{ peers: [podsPeer(client, 'client-ns')], ports: [port('TCP', 80)], explanation: why }] },
        egress: { mode: 'deny-all', explanation: none },
        explanation: 'server',
      },
    ]),
  );
  assertEquivalent(r.manifests, theirs, []);
});
