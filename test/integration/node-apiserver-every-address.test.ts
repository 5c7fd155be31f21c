/**
 * A node or the apiserver reached at several addresses of one family: a node with two IPv4
 * InternalIPs (a second NIC, an InternalIP that changed), an HA control plane whose kubernetes
 * Service has three endpoints (the `default/kubernetes` EndpointSlice). An edge keeps no address:
 * its connections may go to (or come from) any of them — kube-proxy spreads the connections to the
 * kubernetes Service over all its endpoints (kubernetes.io "Virtual IPs and Service Proxies"), and
 * a node's peers reach it at whichever address they were given. An address rule holds the packet's
 * address: a NetworkPolicy ipBlock "describes a particular CIDR … that is allowed" (kubernetes
 * networking/v1 types.go IPBlock), a Calico rule's `nets` ("match packets with IP in any of these
 * networks", libcalico-go api EntityRule.Nets), a ClusterNetworkPolicy `networks` peer "selects IP
 * CIDR ranges" (network-policy-api apis/v1alpha2), a Cilium `toCIDR`/`fromCIDR` a node's address
 * under `policy-cidr-match-mode: nodes` (cilium/cilium pkg/policy/api rule_validation / the
 * cilium-config option). So a policy naming some of those addresses cuts the connections to the
 * others, and an edge to such a peer is verified only when every address is allowed.
 *
 * Before: an edge's node peer was judged at its first address of the family (cluster.ts
 * endpointOf), so the recommendation edited to drop the node's second address (10.0.1.13) was
 * still verified on every engine; the apiserver, already judged at each endpoint the rules tell
 * apart (pods-apart.ts), is kept here as the same check.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/index.ts';
import type { EmitResult } from '../../recommender/engines/types.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { FLOW_TIME, namespace, NOW, pod, stored, T } from '../helpers/node-exporter-cluster.ts';

/** A Node listing each of `ips` as an InternalIP. */
const nodeAt = (name: string, podCIDR: string, ...ips: string[]) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, creationTimestamp: T },
  spec: { podCIDR, podCIDRs: [podCIDR] },
  status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) },
});

const CILIUM_MATCHES_NODES = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'policy-cidr-match-mode': 'nodes' } };

/**
 * cp-1..cp-3 (10.0.0.1–3) hold the apiserver on 6443; the workers w-1 and w-2 each have two IPv4
 * InternalIPs (10.0.0.x and 10.0.1.x); app/ctrl (port 8443) runs on w-1 at 10.244.12.10.
 */
const CLUSTER = [
  namespace('default'),
  namespace('app'),
  nodeAt('cp-1', '10.244.1.0/24', '10.0.0.1'),
  nodeAt('cp-2', '10.244.2.0/24', '10.0.0.2'),
  nodeAt('cp-3', '10.244.3.0/24', '10.0.0.3'),
  nodeAt('w-1', '10.244.12.0/24', '10.0.0.12', '10.0.1.12'),
  nodeAt('w-2', '10.244.13.0/24', '10.0.0.13', '10.0.1.13'),
  pod('app', 'ctrl', { app: 'ctrl' }, 'w-1', '10.244.12.10', { ports: [{ containerPort: 8443 }] }),
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: T }, spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' }, creationTimestamp: T },
    endpoints: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  },
];

/** A NetObserv record of a TCP SYN from `src` to `dst:port` (`i` varies the client port). */
const syn = (src: string, dst: string, port: number, i: number) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 50000 + i, DstPort: port, Proto: 6, Etype: 2048, Flags: 2, TimeFlowStartMs: FLOW_TIME, TimeFlowEndMs: FLOW_TIME + 5, Packets: 1, Bytes: 60 });

/** ctrl → the apiserver (at cp-2's endpoint), ctrl → node w-2's kubelet, node w-2 (at its second address) → ctrl. */
const FLOWS = [syn('10.244.12.10', '10.0.0.2', 6443, 0), syn('10.244.12.10', '10.0.0.13', 10250, 1), syn('10.0.1.13', '10.244.12.10', 8443, 2)];
const TO_APISERVER = 'workload:app/Pod/ctrl|apiserver|6443|TCP';
const TO_NODE = 'workload:app/Pod/ctrl|node:w-2|10250|TCP';
const FROM_NODE = 'node:w-2|workload:app/Pod/ctrl|8443|TCP';

/** The engine's run on CLUSTER and FLOWS (Cilium's with `policy-cidr-match-mode: nodes`, where a CIDR rule holds node addresses). */
async function run(engine: EngineName) {
  const db = stored(engine === 'cilium' ? [...CLUSTER, CILIUM_MATCHES_NODES] : CLUSTER);
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'netobserv', now: () => NOW });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const recommended = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'app' }), { tightness: false });
  const edges = new Map(input.edges.map((e) => [`${e.client.kind === 'workload' ? `workload:app/Pod/${e.client.workload.name}` : e.client.kind === 'node' ? `node:${e.client.node}` : e.client.kind}|${e.server.kind === 'workload' ? `workload:app/Pod/${e.server.workload.name}` : e.server.kind === 'node' ? `node:${e.server.node}` : e.server.kind}|${e.port}|${e.protocol}`, e]));
  const edge = (key: string) => {
    const e = edges.get(key);
    if (e === undefined) throw new Error(`no edge ${key} in ${[...edges.keys()].join(', ')}`);
    return e;
  };
  // ctrl's sides, as the recommendation checks them: both directions restricted, every edge included.
  const sides: VerifiedSides = {
    workload: 'app/Pod/ctrl',
    edges: { egress: [edge(TO_APISERVER), edge(TO_NODE)], ingress: [edge(FROM_NODE)] },
    excluded: { egress: new Map(), ingress: new Map() },
    restricted: { egress: true, ingress: true },
  };
  const verify = (manifests: readonly unknown[]) =>
    verifyRecommendation({ engine, emitted: { ...recommended.emitted, manifests } as EmitResult, model, applied: [], sides: [sides], simulator: SIMULATORS[engine], tightness: false });
  return { db, recommended, verify };
}

/** `v` with every list item that names one of `cidrs` (a string, or an ipBlock of it) left out. */
function without(v: unknown, cidrs: readonly string[]): unknown {
  const named = (x: unknown) => (typeof x === 'string' && cidrs.includes(x)) || (isPlainObject(x) && isPlainObject(x.ipBlock) && cidrs.includes(String(x.ipBlock.cidr)));
  if (Array.isArray(v)) return v.filter((x) => !named(x)).map((x) => without(x, cidrs));
  return isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, without(x, cidrs)])) : v;
}

/**
 * `v` with Cilium's entities rules and Calico's `services` apiserver rule as the address rules a
 * user might write instead: the nodes at `nodes`, the apiserver at `apiserver`.
 */
function asAddressRules(v: unknown, nodes: readonly string[], apiserver: readonly string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => asAddressRules(x, nodes, apiserver));
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const entities = Array.isArray(x) ? x.map(String) : [];
    if (k === 'toEntities' && entities.includes('kube-apiserver')) out.toCIDR = apiserver;
    else if (k === 'toEntities' && entities.includes('remote-node')) out.toCIDR = nodes;
    else if (k === 'fromEntities' && entities.includes('remote-node')) out.fromCIDR = nodes;
    else if (k === 'services' && isPlainObject(x) && x.name === 'kubernetes') out.nets = apiserver;
    else out[k] = asAddressRules(x, nodes, apiserver);
  }
  return out;
}

const BOTH_NODE_ADDRESSES = ['10.0.0.13/32', '10.0.1.13/32'];
const EVERY_ENDPOINT = ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.3/32'];

/** The engine's own manifests as address rules (Cilium, Calico's apiserver rule); the others as they are. */
const addressed = (manifests: readonly unknown[]) => manifests.map((m) => asAddressRules(m, BOTH_NODE_ADDRESSES, EVERY_ENDPOINT));

for (const engine of ENGINE_NAMES) {
  test(`${engine}: the recommendation (and its address-rule form) allows every address of node w-2 and every apiserver endpoint, and is verified`, async () => {
    const { recommended, verify } = await run(engine);
    assert.equal(recommended.verification.ok, true, JSON.stringify(recommended.verification.blocked));
    const v = verify(addressed(recommended.emitted.manifests));
    assert.deepEqual(v.blocked, [], JSON.stringify(addressed(recommended.emitted.manifests)));
  });

  // A ClusterNetworkPolicy's ingress peers are namespaces and pods only (network-policy-api
  // apis/v1alpha2 ClusterNetworkPolicyIngressPeer): its isolation never denies a node, so only the egress edge can be cut.
  const cutEdges = engine === 'clusternetworkpolicy' ? [[TO_NODE, 'egress']] : [[FROM_NODE, 'ingress'], [TO_NODE, 'egress']];
  test(`${engine}: a manifest allowing node w-2 at 10.0.0.13 only is not verified: the edges with w-2 it restricts are blocked, naming 10.0.1.13`, async () => {
    const { recommended, verify } = await run(engine);
    const cut = addressed(recommended.emitted.manifests).map((m) => without(m, ['10.0.1.13/32']));
    const v = verify(cut);
    assert.equal(v.ok, false, JSON.stringify(cut));
    assert.deepEqual(v.blocked.map((b) => [b.edge, b.direction]).sort(), cutEdges, JSON.stringify(v.blocked));
    for (const b of v.blocked) assert.match(b.reason, /node w-2 at 10\.0\.1\.13/, b.reason);
  });

  // Cilium's kube-apiserver entity covers every endpoint by identity; its CIDR form here is a hand-edit.
  test(`${engine}: a manifest allowing the apiserver at 10.0.0.1 and 10.0.0.3 only is not verified, naming the endpoint 10.0.0.2`, async () => {
    const { recommended, verify } = await run(engine);
    const cut = addressed(recommended.emitted.manifests).map((m) => without(m, ['10.0.0.2/32']));
    const v = verify(cut);
    assert.equal(v.ok, false, JSON.stringify(cut));
    assert.deepEqual(v.blocked.map((b) => [b.edge, b.direction]), [[TO_APISERVER, 'egress']], JSON.stringify(v.blocked));
    assert.match(v.blocked[0]!.reason, /apiserver endpoint 10\.0\.0\.2/);
  });
}

/** ctrl's NetworkPolicy letting node w-2 in and out at `cidrs` only. */
const nodeRules = (cidrs: readonly string[]) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ctrl, namespace: app}
spec:
  podSelector: {matchLabels: {app: ctrl}}
  policyTypes: [Egress, Ingress]
  egress: [{to: [${cidrs.map((c) => `{ipBlock: {cidr: ${c}}}`).join(', ')}]}]
  ingress: [{from: [${cidrs.map((c) => `{ipBlock: {cidr: ${c}}}`).join(', ')}]}]
`;

test('simulate on edges: an edge with node w-2 is denied where its second address is, naming it; a record to its first address is judged there alone', async () => {
  const { db } = await run('kubernetes');
  const edges = JSON.stringify([
    { client: 'workload:app/Pod/ctrl', server: 'node:w-2', port: 10250, protocol: 'TCP' },
    { client: 'node:w-2', server: 'workload:app/Pod/ctrl', port: 8443, protocol: 'TCP' },
  ]);
  for (const engine of ['kubernetes', 'calico', 'clusternetworkpolicy'] as const) {
    const one = simulateFlows(db, { engine, policies: nodeRules(['10.0.0.13/32']), flows: edges, format: 'edges' }).decisions;
    assert.deepEqual(one.map((d) => d.verdict), ['deny', 'deny'], `${engine}: ${JSON.stringify(one)}`);
    assert.match(one[0]!.egress!.reason, /node w-2 at 10\.0\.1\.13/);
    assert.match(one[1]!.ingress!.reason, /node w-2 at 10\.0\.1\.13/);
    const both = simulateFlows(db, { engine, policies: nodeRules(BOTH_NODE_ADDRESSES), flows: edges, format: 'edges' }).decisions;
    assert.deepEqual(both.map((d) => d.verdict), ['allow', 'allow'], `${engine}: ${JSON.stringify(both)}`);
    // A record names the address its packet carried: that connection is judged there only.
    const record = simulateFlows(db, { engine, policies: nodeRules(['10.0.0.13/32']), flows: FLOWS[1]! }).decisions[0]!;
    assert.equal(record.verdict, 'allow', `${engine}: ${JSON.stringify(record)}`);
  }
});
