/**
 * Inspektor Gadget's NetworkPolicy advisor goldens (inspektor-gadget/inspektor-gadget@b50f06efc9f1935164285321644d5d4a58d87d9b pkg/gadgets/advise/networkpolicy/advisor/testdata),
 * end to end through flowmatrix's own pipeline: their `trace network` events → a kubectl
 * inventory List + NetObserv records → `inventory import` + `ingest` into a real SQLite file →
 * `export --engine kubernetes --mode observed --namespace NS` for each namespace they traced
 * (IG advises only the pods it traced) → compared with their YAML by meaning (peer × port
 * atoms per direction; names, labels and annotations ignored).
 *
 * Every place where ours differs is listed in `deliberate()` below, with why ours is right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyManifests } from '../../recommender/verify/index.ts';
import { runCli } from '../helpers/cli.ts';
import {
  apiserverSlice,
  atom,
  exportObserved,
  igCluster,
  loadIgCluster,
  meaning,
  parseIgEvents,
  readIgEvents,
  readIgGolden,
  stable,
  type IgEvent,
  type IgPodHint,
  type Manifest,
  type PolicyMeaning,
} from '../helpers/inspektor-gadget.ts';

const TEST_NS = 'test-networkpolicy-8485776873410829123';

// Their apiserver rule: the Service default/kubernetes rendered as if it were pods (known-wrong: the apiserver is not a pod).
const THEIR_APISERVER_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: {} };
// Ours: the /32 of every ready endpoint of default/kubernetes (the reference slice) on the endpoint port.
const APISERVER_IP = '192.168.22.31';
const OUR_APISERVER_PEER = { ipBlock: { cidr: `${APISERVER_IP}/32` } };
// Ours: the cluster DNS as docs/inventory.md defines it: kube-system pods labelled k8s-app=kube-dns.
const OUR_DNS_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };

const isTheirDnsPeer = (peer: string): boolean => {
  const p = JSON.parse(peer) as { namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> } };
  return p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' && p.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns';
};
const peerOf = (a: string): string => a.split(' ⟂ ')[0]!;

interface Deliberate {
  /** Our subject selector when theirs differs only because their input lacks the local pod's labels. */
  subject?: unknown;
}

/**
 * Their policy's meaning, turned into what ours must mean. The differences, each deliberate:
 *
 * 1. apiserver: theirs is `namespaceSelector: default` + `podSelector: {}` on TCP 443, which
 *    selects no pod (the apiserver is not a pod) and, on CNIs that enforce after DNAT, not the
 *    Service port either. Ours is the endpoint /32 on the endpoint port 6443 (docs/design.md §4).
 * 2. DNS peer: theirs selects the kube-dns Service's selector labels; ours selects the cluster
 *    DNS by `k8s-app=kube-dns`, the label CoreDNS and kube-dns both keep (docs/inventory.md), so
 *    a CoreDNS upgrade that changes other labels does not cut DNS off. Each test checks that on
 *    its inventory both select the same pods.
 * 3. DNS ports: theirs allows only what was seen (UDP 53); ours adds TCP 53 whenever egress is
 *    restricted (docs/recommend.md): resolvers fall back to TCP for truncated answers (RFC 7766),
 *    and an observation window without a large answer must not break them later.
 * 4. DNS always: a restricted egress direction always gets the DNS rule, even when no lookup
 *    was observed (the integration client wgets an IP): same reason as 3.
 * 5. Names, labels, annotations (the explanations), creationTimestamp: ours derive from stable
 *    keys and carry the evidence; not part of the meaning.
 */
function deliberate(theirs: PolicyMeaning, d: Deliberate = {}): PolicyMeaning {
  const apiserverAtoms = theirs.egress.filter((a) => peerOf(a) === stable(THEIR_APISERVER_PEER));
  assert.ok(apiserverAtoms.every((a) => a === atom(THEIR_APISERVER_PEER, 'TCP', 443)), 'their apiserver rule is on the Service port 443');
  let egress = theirs.egress.filter((a) => !apiserverAtoms.includes(a)); // 1
  if (apiserverAtoms.length > 0) egress.push(atom(OUR_APISERVER_PEER, 'TCP', 6443));
  egress = egress.map((a) => (isTheirDnsPeer(peerOf(a)) ? `${stable(OUR_DNS_PEER)} ⟂ ${a.split(' ⟂ ')[1]}` : a)); // 2
  if (egress.length > 0) egress.push(atom(OUR_DNS_PEER, 'UDP', 53), atom(OUR_DNS_PEER, 'TCP', 53)); // 3, 4
  return { ...theirs, podSelector: d.subject === undefined ? theirs.podSelector : stable(d.subject), egress: [...new Set(egress)].sort() };
}

/** Pairs our manifests with theirs by namespace + subject and compares meanings. */
function assertSameMeaning(ours: readonly Manifest[], theirs: readonly Record<string, any>[], subjects: Record<string, unknown> = {}): void {
  const expected = theirs.map((t) => deliberate(meaning(t), { subject: subjects[t.metadata.name as string] })).sort((a, b) => stable(a).localeCompare(stable(b)));
  const actual = ours.map(meaning).sort((a, b) => stable(a).localeCompare(stable(b)));
  assert.deepEqual(actual, expected);
  assert.deepEqual(verifyManifests(ours), [], 'our manifests validate against the real NetworkPolicy schema');
}

/** The coredns pod of the generated inventory carries every label of their DNS selector and ours (difference 2). */
function assertDnsSelectorsAgree(inventory: Record<string, unknown>, theirs: readonly Record<string, any>[]): void {
  const pods = (inventory.items as Record<string, any>[]).filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'kube-system');
  assert.equal(pods.length, 1);
  const labels = pods[0]!.metadata.labels as Record<string, string>;
  const theirDns = theirs.flatMap((t) => ((t.spec.egress ?? []) as Record<string, any>[]).flatMap((r) => (r.to ?? []) as Record<string, any>[])).filter((p) => isTheirDnsPeer(stable(p)));
  assert.ok(theirDns.length > 0);
  for (const p of [...theirDns, OUR_DNS_PEER]) {
    for (const [k, v] of Object.entries(p.podSelector.matchLabels as Record<string, string>)) assert.equal(labels[k], v, `coredns pod has ${k}=${v}`);
  }
}

test('the generated cluster carries the real apiserver slice, and their connect-to-svc goldens are equal', () => {
  assert.deepEqual(apiserverSlice().endpoints, [{ addresses: [APISERVER_IP], conditions: { ready: true } }]);
  assert.deepEqual(readIgGolden('connect-to-svc-duplicate.golden'), readIgGolden('connect-to-svc.golden'));
  assert.throws(() => parseIgEvents('{"pktType":"SIDEWAYS"}\n', 'x.input'), /x\.input:1: pktType: expected OUTGOING or HOST, got "SIDEWAYS"/);
});

// `kubectl run test-pod` labels the pod run=test-pod; their input does not carry the local pod's
// labels, so their subject is `podSelector: {}`. It is the only pod of the namespace: both select it.
const LABELLED_TEST_POD: IgPodHint[] = [{ namespace: TEST_NS, pod: 'test-pod', labels: { run: 'test-pod' } }];

test('connect-to-svc: flows, edges and a policy equal to theirs but for the apiserver and DNS/TCP', async () => {
  const cluster = igCluster(readIgEvents('connect-to-svc.input'), { pods: LABELLED_TEST_POD });
  const loaded = await loadIgCluster(cluster);
  assert.deepEqual(loaded.inventorySummary.apiserver, [`${APISERVER_IP}:6443/TCP`]);
  assert.deepEqual(loaded.inventorySummary.workloads.clusterDns, ['kube-system/Deployment/coredns']);
  assert.deepEqual(loaded.inventorySummary.warnings, []);
  const s = loaded.ingestSummary;
  assert.deepEqual([s.records, s.accepted, s.rejected, s.skipped, s.ambiguous, s.edges], [4, 4, 0, 0, 0, 2]);

  const edges = JSON.parse((await runCli(['edges', '--output', 'json', '--db', loaded.db])).out) as { client: string; server: string; port: number; protocol: string; flows: number }[];
  assert.deepEqual(
    edges.map((e) => `${e.client} -> ${e.server}:${e.port}/${e.protocol} x${e.flows}`),
    [
      // The Service port 443 became the apiserver's endpoint port: the edge is what a post-DNAT CNI enforces.
      `workload:${TEST_NS}/Pod/test-pod -> apiserver:6443/TCP x2`,
      `workload:${TEST_NS}/Pod/test-pod -> dns:kube-system/Deployment/coredns:53/UDP x2`,
    ],
  );

  const { manifests, warnings } = await exportObserved(loaded.db, [TEST_NS]);
  assert.equal(warnings, '');
  const theirs = readIgGolden('connect-to-svc.golden');
  assertSameMeaning(manifests, theirs, { 'test-pod-network': { matchLabels: { run: 'test-pod' } } });
  assertDnsSelectorsAgree(cluster.inventory, theirs);
  // The one difference that matters, spelled out: no rule to "pods of namespace default" on 443.
  const egress = JSON.stringify(manifests[0]!.spec.egress);
  assert.ok(!egress.includes('"port":443'), egress);
  assert.ok(egress.includes(`"cidr":"${APISERVER_IP}/32"`) && egress.includes('"port":6443'), egress);
});

test('connect-to-svc: without FLP metadata, or seen after DNAT, the same events give the same bytes', async () => {
  const events = readIgEvents('connect-to-svc.input');
  const exported = async (db: string) => runCli(['export', '--engine', 'kubernetes', '--mode', 'observed', '--namespace', TEST_NS, '--db', db]);
  const enriched = await loadIgCluster(igCluster(events, { pods: LABELLED_TEST_POD }));
  const a = await exported(enriched.db);
  assert.equal(a.code, 0, a.err);
  assert.ok(a.out.includes(`cidr: ${APISERVER_IP}/32`), a.out);
  // Bare addresses: resolved through the IP history and the Service ClusterIPs.
  const bare = await loadIgCluster(igCluster(events, { pods: LABELLED_TEST_POD, enrich: false }));
  assert.equal((await exported(bare.db)).out, a.out);
  // After DNAT: the CoreDNS pod IP, and the apiserver endpoint 192.168.22.31:6443, an address outside the cluster.
  const dnat = igCluster(events, { pods: LABELLED_TEST_POD, postDnat: true });
  assert.ok(dnat.flows.some((f) => f.includes(`"DstAddr":"${APISERVER_IP}","DstPort":6443`)));
  assert.equal((await exported((await loadIgCluster(dnat)).db)).out, a.out);
  // Determinism: the same store exported again gives the same bytes.
  assert.equal((await runCli(['export', '--engine', 'kubernetes', '--mode', 'observed', '--namespace', TEST_NS, '--db', enriched.db])).out, a.out);
});

test('connect-to-svc-duplicate: repeated events add flows, never rules: the same policy as connect-to-svc', async () => {
  const once = await loadIgCluster(igCluster(readIgEvents('connect-to-svc.input'), { pods: LABELLED_TEST_POD }));
  const twice = await loadIgCluster(igCluster(readIgEvents('connect-to-svc-duplicate.input'), { pods: LABELLED_TEST_POD }));
  const s = twice.ingestSummary;
  assert.deepEqual([s.records, s.accepted, s.rejected, s.edges, s.edgesTotal], [10, 10, 0, 2, 2]);
  const a = await exportObserved(once.db, [TEST_NS]);
  const b = await exportObserved(twice.db, [TEST_NS]);
  // Identical, annotations included: the manifests carry no flow count (the JSON's evidence does).
  assert.deepEqual(b.manifests, a.manifests);
  assert.match(b.manifests[0]!.metadata.annotations['flowmatrix.io/rules']!, /observed:egress:TCP\/53\+UDP\/53:1-edge:[0-9a-f]{8}: observed in the flows(\.|$)/);
  assertSameMeaning(b.manifests, readIgGolden('connect-to-svc-duplicate.golden'), { 'test-pod-network': { matchLabels: { run: 'test-pod' } } });
});

test('connect-to-svc exactly as their input (local pod without labels): no policy for it, said why; the rest of the cluster still exports', async () => {
  const loaded = await loadIgCluster(igCluster(readIgEvents('connect-to-svc.input')));
  const whole = await runCli(['export', '--engine', 'kubernetes', '--mode', 'observed', '--db', loaded.db]);
  assert.equal(whole.code, 0, whole.err);
  const r = await runCli(['export', '--engine', 'kubernetes', '--mode', 'observed', '--namespace', TEST_NS, '--db', loaded.db]);
  assert.equal(r.code, 0, r.err);
  // IG writes `podSelector: {}` (every pod of the namespace); a pod without labels cannot be
  // singled out, so flowmatrix recommends nothing for it rather than policing its neighbours.
  const { manifests } = await exportObserved(loaded.db, [TEST_NS]);
  assert.deepEqual(manifests, []);
  assert.match(r.err, /test-pod: no labels, no policy/);
});

test('empty: no events, no flows, no policy for the traced scope', async () => {
  const events = readIgEvents('empty.input');
  assert.deepEqual(events, []);
  const cluster = igCluster(events);
  assert.deepEqual(cluster.flows, []);
  const loaded = await loadIgCluster(cluster);
  const s = loaded.ingestSummary;
  assert.deepEqual([s.records, s.accepted, s.rejected, s.edges, s.edgesTotal], [0, 0, 0, 0, 0]);
  assert.deepEqual(readIgGolden('empty.golden'), []);
  // IG advises the pods it traced: none. `default` holds only the apiserver Service, no workload.
  const { manifests, warnings } = await exportObserved(loaded.db, ['default']);
  assert.equal(warnings, 'warning: no workloads for namespace "default"\n', 'an empty answer is said, never silent');
  assert.deepEqual(manifests, []);
});

// README scenario (gadgets/advise_networkpolicy/README.mdx): Deployment nginx (app=nginx) behind
// Service nginx:80; pod test-pod (run=test-pod) runs `wget nginx` (a DNS lookup, then TCP 80 to the
// Service) and `wget 1.1.1.1` (TCP 80, redirected to 443). Five events, as their tracer reports them.
const NGINX_POD = 'nginx-7bf8c77b5b-r8w2x';
const README_EVENTS: IgEvent[] = [
  {
    type: 'normal', k8s: { node: 'minikube', namespace: 'default', podname: 'test-pod' }, pktType: 'OUTGOING', proto: 'udp', port: 53,
    dst: { kind: 'svc', addr: '10.96.0.10', namespace: 'kube-system', name: 'kube-dns', podLabels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
  },
  {
    type: 'normal', k8s: { node: 'minikube', namespace: 'default', podname: 'test-pod' }, pktType: 'OUTGOING', proto: 'tcp', port: 80,
    dst: { kind: 'svc', addr: '10.103.88.40', namespace: 'default', name: 'nginx', podLabels: { app: 'nginx' } },
  },
  {
    type: 'normal', k8s: { node: 'minikube', namespace: 'default', podname: NGINX_POD }, pktType: 'HOST', proto: 'tcp', port: 80,
    dst: { kind: 'pod', addr: '10.244.0.20', namespace: 'default', name: 'test-pod', podLabels: { run: 'test-pod' } },
  },
  { type: 'normal', k8s: { node: 'minikube', namespace: 'default', podname: 'test-pod' }, pktType: 'OUTGOING', proto: 'tcp', port: 80, dst: { kind: 'raw', addr: '1.1.1.1' } },
  { type: 'normal', k8s: { node: 'minikube', namespace: 'default', podname: 'test-pod' }, pktType: 'OUTGOING', proto: 'tcp', port: 443, dst: { kind: 'raw', addr: '1.1.1.1' } },
];

test('readme-example: nginx and test-pod policies equal to theirs but for DNS', async () => {
  const cluster = igCluster(README_EVENTS, { pods: [{ namespace: 'default', pod: NGINX_POD, labels: { app: 'nginx' }, deployment: 'nginx' }] });
  const loaded = await loadIgCluster(cluster);
  const s = loaded.ingestSummary;
  assert.deepEqual([s.records, s.accepted, s.rejected, s.ambiguous], [10, 10, 0, 0]);
  const edges = JSON.parse((await runCli(['edges', '--output', 'json', '--db', loaded.db])).out) as { client: string; server: string; port: number; protocol: string; flows: number }[];
  assert.deepEqual(
    edges.map((e) => `${e.client} -> ${e.server}:${e.port}/${e.protocol} x${e.flows}`),
    [
      'workload:default/Pod/test-pod -> dns:kube-system/Deployment/coredns:53/UDP x2',
      'workload:default/Pod/test-pod -> external:1.1.1.1:80/TCP x2',
      'workload:default/Pod/test-pod -> external:1.1.1.1:443/TCP x2',
      // The Service hop (test-pod's event) and the pod hop (nginx's event) are one edge.
      'workload:default/Pod/test-pod -> workload:default/Deployment/nginx:80/TCP x4',
    ],
  );
  const { manifests, warnings } = await exportObserved(loaded.db, ['default']);
  assert.equal(warnings, '');
  const theirs = readIgGolden('readme-example.expected.yaml');
  assertSameMeaning(manifests, theirs);
  assertDnsSelectorsAgree(cluster.inventory, theirs);
  // Both nginx policies restrict egress to nothing: nginx was never seen opening a connection.
  const nginx = manifests.find((m) => stable(m.spec.podSelector) === stable({ matchLabels: { app: 'nginx' } }));
  assert.deepEqual(nginx && [nginx.spec.egress, nginx.spec.policyTypes], [undefined, ['Ingress', 'Egress']]);
});

test('integration template: client and server pods in two namespaces on TCP 80', async () => {
  const CLIENT_NS = 'test-ig-client';
  const SERVER_NS = 'test-ig-server';
  const client = { run: 'test-advise-networkpolicy-client' };
  const server = { run: 'test-advise-networkpolicy-server' };
  // The client wgets the server pod's IP; each side's tracer reports its half.
  const events: IgEvent[] = [
    {
      type: 'normal', k8s: { node: 'minikube', namespace: CLIENT_NS, podname: 'test-advise-networkpolicy-client' }, pktType: 'OUTGOING', proto: 'tcp', port: 80,
      dst: { kind: 'pod', addr: '10.244.0.31', namespace: SERVER_NS, name: 'test-advise-networkpolicy-server', podLabels: server },
    },
    {
      type: 'normal', k8s: { node: 'minikube', namespace: SERVER_NS, podname: 'test-advise-networkpolicy-server' }, pktType: 'HOST', proto: 'tcp', port: 80,
      dst: { kind: 'pod', addr: '10.244.0.30', namespace: CLIENT_NS, name: 'test-advise-networkpolicy-client', podLabels: client },
    },
  ];
  const loaded = await loadIgCluster(igCluster(events));
  const edges = JSON.parse((await runCli(['edges', '--output', 'json', '--db', loaded.db])).out) as { client: string; server: string; port: number; flows: number }[];
  assert.deepEqual(
    edges.map((e) => `${e.client} -> ${e.server}:${e.port} x${e.flows}`),
    [`workload:${CLIENT_NS}/Pod/test-advise-networkpolicy-client -> workload:${SERVER_NS}/Pod/test-advise-networkpolicy-server:80 x4`],
  );
  const { manifests, warnings } = await exportObserved(loaded.db, [CLIENT_NS, SERVER_NS]);
  assert.equal(warnings, '');
  assertSameMeaning(manifests, readIgGolden('integration-expected.template.yaml', { '<CLIENT_NAMESPACE>': CLIENT_NS, '<SERVER_NAMESPACE>': SERVER_NS }));
});
