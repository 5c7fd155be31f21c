/**
 * A workload's pods have addresses of their own, and an address-based rule (a NetworkPolicy
 * ipBlock where the plugin matches pod addresses, a Calico `nets`, a ClusterNetworkPolicy
 * `networks`, a CIDR on a node) may cover some of them and not others. A connection to the
 * workload (a Service's ClusterIP, an edge) may reach any of its pods: it is allowed only where
 * it is allowed to every one (docs/api.md#simulate: a record that resolves to several
 * connections "is denied when any of them is"). Calico matches the pod's address after
 * kube-proxy's NAT (projectcalico/calico#2088), as every engine here does.
 *
 * Before: the simulators judged a workload as ONE pod carrying all its addresses, and a rule
 * covering some of them allowed the whole edge: `simulate` said allow, and the verification
 * missed the applied Calico policy that cuts client → web at web's second pod.
 *
 * Also: the kubernetes simulator resolved a named port on a host-network destination pod. A
 * host-network pod is its node there (simulate/kubernetes.ts: "as peers they are their node's
 * address"), and a node has no named ports; Calico makes no WorkloadEndpoint for it
 * (libcalico-go conversion.go IsValidCalicoWorkloadEndpoint: "Pod is host networked"), so
 * nothing resolves the name — the calico and cilium simulators already denied.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { adminDenyEgressPolicy, ciliumEntitiesPolicy, ipBlockEgressPolicy } from '../helpers/one-rule-policies.ts';
import { NOW, namespace, node, nodeExporterCluster, pod, record, service, stored } from '../helpers/node-exporter-cluster.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { parsePeerKey } from '../../domain/peer.ts';
import type { EmitResult } from '../../recommender/engines/types.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { decide } from '../../recommender/simulate/decide.ts';
import { PodsApart } from '../../recommender/simulate/pods-apart.ts';
import type { Simulator, SimulatorFactory } from '../../recommender/simulate/types.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { readInventory } from '../../store/inventory.ts';

/** ns0: client (10.244.0.5 on node0) and Deployment web, pods 10.244.0.101 (node0) and 10.244.1.101 (node1), behind Service web 10.96.0.12:80 → 8080. */
const webOwner = { kind: 'ReplicaSet', name: 'web-abc12', uid: 'rs1' };
const WEB = [
  namespace('ns0'),
  node('node0', '10.244.0.0/24', '192.168.0.10'),
  node('node1', '10.244.1.0/24', '192.168.0.11'),
  pod('ns0', 'client', { app: 'client' }, 'node0', '10.244.0.5'),
  pod('ns0', 'web-abc12-a', { app: 'web', 'pod-template-hash': 'abc12' }, 'node0', '10.244.0.101', { owner: webOwner, ports: [{ containerPort: 8080 }] }),
  pod('ns0', 'web-abc12-b', { app: 'web', 'pod-template-hash': 'abc12' }, 'node1', '10.244.1.101', { owner: webOwner, ports: [{ containerPort: 8080 }] }),
  service('ns0', 'web', '10.96.0.12', { app: 'web' }, 80, 8080),
];

/** The host-network DaemonSet mon/ne on node0..node2 (192.168.0.10–12) beside mon/prom (10.244.0.5), behind Service ne 10.96.0.50:9100. */
const NODE_EXPORTER = [...nodeExporterCluster().items, service('mon', 'ne', '10.96.0.50', { app: 'ne' }, 9100, 9100)];

/** client → 10.244.0.0/24 on 8080: web-abc12-a's address, not web-abc12-b's. */
const EGRESS_TO_NODE0_PODS = ipBlockEgressPolicy({ name: 'client-egress', namespace: 'ns0', app: 'client', cidr: '10.244.0.0/24', port: 8080 });

test('simulate, a Service flow to a Deployment whose pods an ipBlock covers one of: denied on every reading (kubernetes, whereIpBlocksMatchPods) and on calico', () => {
  const db = stored(WEB);
  const flows = record('10.244.0.5', '10.96.0.12', 80);
  const k = simulateFlows(db, { engine: 'kubernetes', policies: EGRESS_TO_NODE0_PODS, flows }).decisions[0]!;
  assert.equal(k.verdict, 'deny');
  // Where the plugin matches ipBlocks against pod addresses, web-abc12-b (10.244.1.101) is still outside it.
  assert.equal(k.whereIpBlocksMatchPods, undefined, JSON.stringify(k));
  const c = simulateFlows(db, { engine: 'calico', policies: EGRESS_TO_NODE0_PODS, flows }).decisions[0]!;
  assert.equal(c.verdict, 'deny', JSON.stringify(c));
  assert.match(c.egress!.reason, /web-abc12-b.*10\.244\.1\.101/, 'the denial names the pod it is at');
  // The record naming a pod's own address is judged at that pod alone, as before.
  const direct = simulateFlows(db, { engine: 'calico', policies: EGRESS_TO_NODE0_PODS, flows: [record('10.244.0.5', '10.244.0.101', 8080), record('10.244.0.5', '10.244.1.101', 8080, 1)].join('\n') });
  assert.deepEqual(direct.decisions.map((d) => d.verdict), ['allow', 'deny']);
});

test('simulate, an edge to the Deployment: denied where the block leaves one of its pods out, allowed where it holds every pod (the common case, judged as one pod)', () => {
  const db = stored(WEB);
  const flows = JSON.stringify([{ client: 'workload:ns0/Pod/client', server: 'workload:ns0/Deployment/web', port: 8080, protocol: 'TCP' }]);
  assert.equal(simulateFlows(db, { engine: 'calico', policies: EGRESS_TO_NODE0_PODS, flows, format: 'edges' }).decisions[0]!.verdict, 'deny');
  const wide = EGRESS_TO_NODE0_PODS.replace('10.244.0.0/24', '10.244.0.0/16');
  const d = simulateFlows(db, { engine: 'calico', policies: wide, flows, format: 'edges' }).decisions[0]!;
  assert.equal(d.verdict, 'allow');
  assert.doesNotMatch(d.egress!.reason, /web-abc12/, 'not split: the words are the workload\'s');
});

test('simulate, a ClusterNetworkPolicy Deny on networks holding one of web\'s pods: the edge is denied (it may reach that pod)', () => {
  const db = stored(WEB);
  const policies = adminDenyEgressPolicy({ name: 'no-node1-pods', rule: 'node1', network: '10.244.1.0/24' });
  const flows = JSON.stringify([{ client: 'workload:ns0/Pod/client', server: 'workload:ns0/Deployment/web', port: 8080, protocol: 'TCP' }]);
  assert.equal(simulateFlows(db, { engine: 'clusternetworkpolicy', policies, flows, format: 'edges' }).decisions[0]!.verdict, 'deny');
});

test('simulate, a Service flow to a host-network DaemonSet on three nodes, egress allowed to one node\'s address: denied (kubernetes, calico)', () => {
  const db = stored(NODE_EXPORTER);
  const policies = ipBlockEgressPolicy({ name: 'prom-egress', namespace: 'mon', app: 'prom', cidr: '192.168.0.10/32', port: 9100 });
  const flows = record('10.244.0.5', '10.96.0.50', 9100);
  for (const engine of ['kubernetes', 'calico'] as const) {
    const d = simulateFlows(db, { engine, policies, flows }).decisions[0]!;
    assert.equal(d.verdict, 'deny', `${engine}: ${JSON.stringify(d)}`);
  }
  // Allowed to every node's address: allowed.
  const all = policies.replace('192.168.0.10/32', '192.168.0.0/24');
  for (const engine of ['kubernetes', 'calico'] as const) assert.equal(simulateFlows(db, { engine, policies: all, flows }).decisions[0]!.verdict, 'allow', engine);
});

test('kubernetes simulate: a named port does not resolve on a host-network destination pod (it is its node; Calico makes no WorkloadEndpoint for it), as calico and cilium already decide', () => {
  const db = stored(NODE_EXPORTER);
  const policies = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: prom-egress, namespace: mon}
spec:
  podSelector: {matchLabels: {app: prom}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 192.168.0.0/16}}]
    ports: [{port: metrics}]
`;
  const flows = [record('10.244.0.5', '192.168.0.10', 9100), record('10.244.0.5', '192.168.0.11', 9100, 1), record('10.244.0.5', '192.168.0.12', 9100, 2)].join('\n');
  for (const engine of ['kubernetes', 'calico', 'cilium'] as const) {
    assert.deepEqual(simulateFlows(db, { engine, policies, flows }).decisions.map((d) => d.verdict), ['deny', 'deny', 'deny'], engine);
  }
});

/** An applied Calico tier before the NetworkPolicies letting client out to 10.244.0.0/24 and DNS only. */
const calicoTier = (nets: string) => [
  { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } },
  {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'security.client-egress' },
    spec: { tier: 'security', order: 10, selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: [nets] } }, { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] },
  },
];

for (const [nets, cut] of [
  ['10.244.0.0/24', true], // web-abc12-a only: the connections to web-abc12-b hit the end of tier security
  ['10.244.99.0/24', true], // neither pod (the control the finder had reported)
  ['10.244.0.0/16', false], // both
] as const) {
  test(`recommend kubernetes beside an applied Calico tier allowing client out to ${nets}: client → web:8080 ${cut ? 'is' : 'is not'} in blockedByApplied`, async () => {
    const db = stored([...WEB, ...calicoTier(nets)]);
    await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record('10.244.0.5', '10.96.0.12', 80)}\n`]) }], { format: 'auto', now: () => NOW });
    const { verification: v } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ now: NOW, namespace: 'ns0' }), { tightness: false });
    const found = v.blockedByApplied.filter((f) => f.edge === 'workload:ns0/Pod/client|workload:ns0/Deployment/web|8080|TCP' && f.direction === 'egress');
    assert.equal(found.length, cut ? 1 : 0, JSON.stringify(v.blockedByApplied));
    if (cut && nets === '10.244.0.0/24') assert.match(found[0]!.reason, /web-abc12-b/);
  });
}

test('verification: an edge left out is still allowed when it is open at any of the workload\'s pods (a Calico Deny on nets holding web-abc12-a only leaves web-abc12-b open)', () => {
  const db = stored(WEB);
  const calicoPolicy = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'client', namespace: 'ns0' },
    spec: { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.244.0.0/24'] } }, { action: 'Allow' }] },
  };
  const edge: EdgeTraffic = { client: parsePeerKey('workload:ns0/Pod/client'), server: parsePeerKey('workload:ns0/Deployment/web'), port: 8080, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 };
  const sides: VerifiedSides = { workload: 'ns0/Pod/client', edges: { ingress: [], egress: [edge] }, excluded: { ingress: new Map(), egress: new Map([[edge, 'left out for the test']]) }, restricted: { ingress: false, egress: true } };
  const v = verifyRecommendation({ engine: 'calico', emitted: { engine: 'calico', manifests: [calicoPolicy], warnings: [] } as unknown as EmitResult, model: clusterModel(readInventory(db)), applied: [], sides: [sides], simulator: SIMULATORS.calico, tightness: false });
  assert.equal(v.denied.length, 0, JSON.stringify(v.denied));
  assert.equal(v.stillAllowed.length, 1);
  assert.match(v.stillAllowed[0]!.reason, /web-abc12-b \(10\.244\.1\.101\)/);
});

/**
 * Cilium gives a host-network peer the identity of its node as seen from the node of the endpoint
 * that enforces the policy (docs.cilium.io, Layer 3 policies, "Entities Based": `host` is "the local
 * host. This also includes all containers running in host networking mode on the local host";
 * `remote-node` is "any node … other than the local host. This also includes all containers
 * running in host-networking mode on remote nodes"). prom runs on node0 and ne on node0..node2: a
 * connection prom → ne may be prom → ne-a (host) or prom → ne-b (remote-node), so a rule naming one
 * entity only cuts the other. No address block tells ne's pods apart: before, ne was judged as one
 * stand-in pod on one node, and one of the two policies below was said to allow.
 */
const promEgressToEntities = (entities: string) => ciliumEntitiesPolicy({ name: 'prom-egress', namespace: 'mon', app: 'prom', direction: 'egress', entities, port: 9100 });
const PROM_TO_NE = JSON.stringify([{ client: 'workload:mon/Pod/prom', server: 'workload:mon/DaemonSet/ne', port: 9100, protocol: 'TCP' }]);

for (const [entities, verdict, at] of [
  ['host', 'deny', /allows host-network pod mon\/ne \(remote-node\).* and pod ne-b \(192\.168\.0\.11\) of mon\/ne on node node1/], // ne-b, ne-c run on other nodes than prom: remote-node
  ['remote-node', 'deny', /allows host-network pod mon\/ne \(host\).* and pod ne-a \(192\.168\.0\.10\) of mon\/ne on node node0/], // ne-a runs on prom's node: host
  ['host, remote-node', 'allow', undefined],
] as const) {
  test(`cilium simulate, prom (node0) → the host-network DaemonSet ne on node0..node2, egress toEntities [${entities}]: ${verdict} (edge and Service record)`, () => {
    const db = stored(NODE_EXPORTER);
    const policies = promEgressToEntities(entities);
    const edge = simulateFlows(db, { engine: 'cilium', policies, flows: PROM_TO_NE, format: 'edges' }).decisions[0]!;
    assert.equal(edge.verdict, verdict, JSON.stringify(edge));
    if (at !== undefined) assert.match(edge.egress!.reason, at, 'the denial names the pod and the identity it is denied at');
    const viaService = simulateFlows(db, { engine: 'cilium', policies, flows: record('10.244.0.5', '10.96.0.50', 9100) }).decisions[0]!;
    assert.equal(viaService.verdict, verdict, JSON.stringify(viaService));
  });
}

test('cilium simulate, the host-network DaemonSet ne on node0..node2 → prom (node0) 9090, ingress fromEntities [host]: denied (ne-b, ne-c are remote-node from prom\'s node)', () => {
  const db = stored(NODE_EXPORTER);
  const policies = ciliumEntitiesPolicy({ name: 'prom-ingress', namespace: 'mon', app: 'prom', direction: 'ingress', entities: 'host', port: 9090 });
  const flows = JSON.stringify([{ client: 'workload:mon/DaemonSet/ne', server: 'workload:mon/Pod/prom', port: 9090, protocol: 'TCP' }]);
  const d = simulateFlows(db, { engine: 'cilium', policies, flows, format: 'edges' }).decisions[0]!;
  assert.equal(d.verdict, 'deny', JSON.stringify(d));
  assert.match(d.ingress!.reason, /\(remote-node\).*pod ne-b \(192\.168\.0\.11\) of mon\/ne on node node1/);
});

/**
 * A finder's reproduction: a host-network agent on node-a (10.0.0.11) → Service obs/coll's
 * ClusterIP 10.96.0.30:2055, whose Deployment has a pod on node-a and one on node-b. kube-proxy
 * (and Cilium's kube-proxy replacement) picks the backend per connection (kubernetes.io "Virtual
 * IPs and Service Proxies"), so the record may be a connection to either pod; on Cilium node-a is
 * `host` to the pod on it and `remote-node` to the other (docs.cilium.io, Layer 3 policies,
 * "Entities Based"). The cilium simulator judged the record at the workload's first pod only,
 * on node-a, and said allow ("the local host always reaches its own pods"), though the same flow
 * to the node-b pod's address is denied, as the kubernetes and calico simulators deny the record.
 */
const collOwner = { kind: 'ReplicaSet', name: 'coll-abc12', uid: 'rs-coll' };
const agentOwner = { kind: 'DaemonSet', name: 'agent', uid: 'ds-agent' };
const COLLECTOR = [
  namespace('obs'),
  node('node-a', '10.244.0.0/24', '10.0.0.11'),
  node('node-b', '10.244.1.0/24', '10.0.0.12'),
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'obs', uid: 'ds-agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] } } } },
  pod('obs', 'agent-a', { app: 'agent' }, 'node-a', '10.0.0.11', { owner: agentOwner, hostNetwork: true }),
  pod('obs', 'agent-b', { app: 'agent' }, 'node-b', '10.0.0.12', { owner: agentOwner, hostNetwork: true }),
  pod('obs', 'coll-abc12-a', { app: 'coll', 'pod-template-hash': 'abc12' }, 'node-a', '10.244.0.20', { owner: collOwner, ports: [{ containerPort: 2055 }] }),
  pod('obs', 'coll-abc12-b', { app: 'coll', 'pod-template-hash': 'abc12' }, 'node-b', '10.244.1.20', { owner: collOwner, ports: [{ containerPort: 2055 }] }),
  service('obs', 'coll', '10.96.0.30', { app: 'coll' }, 2055, 2055),
];
/** The Cilium export: the collector's ingress from its own node (`host`), not from the others (`remote-node`). */
const COLL_FROM_HOST = ciliumEntitiesPolicy({ name: 'coll', namespace: 'obs', app: 'coll', direction: 'ingress', entities: 'host', port: 2055 });
/** A NetworkPolicy letting pods only into the collector: no rule names a node. */
const COLL_FROM_PODS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: coll, namespace: obs}
spec:
  podSelector: {matchLabels: {app: coll}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {}}]
`;

test('cilium simulate, a host-network agent on node-a → a Service ClusterIP with backends on node-a and node-b, ingress from `host` only: denied at the node-b backend (remote-node), as kubernetes and calico deny it', () => {
  const db = stored(COLLECTOR);
  const toClusterIp = record('10.0.0.11', '10.96.0.30', 2055);
  const d = simulateFlows(db, { engine: 'cilium', policies: COLL_FROM_HOST, flows: toClusterIp }).decisions[0]!;
  assert.equal(d.verdict, 'deny', JSON.stringify(d));
  assert.match(d.ingress!.reason, /node node-a \(remote-node\).*\(at pod coll-abc12-b \(10\.244\.1\.20\) of obs\/coll on node node-b: on Cilium a node is `host` to the pods on it and `remote-node` to the others/);
  // The same flow to the node-b backend's own address is denied too: node-a is `remote-node` there.
  assert.equal(simulateFlows(db, { engine: 'cilium', policies: COLL_FROM_HOST, flows: record('10.0.0.11', '10.244.1.20', 2055) }).decisions[0]!.verdict, 'deny');
  // The NetworkPolicy naming no node: every engine denies the record (on Cilium, at the node-b backend).
  for (const engine of ['kubernetes', 'calico', 'cilium'] as const) {
    const x = simulateFlows(db, { engine, policies: COLL_FROM_PODS, flows: toClusterIp }).decisions[0]!;
    assert.equal(x.verdict, 'deny', `${engine}: ${JSON.stringify(x)}`);
  }
  // Calico: felix lets node-a into the node-a backend unpoliced (rules/static.go filterOutputChain), the node-b backend only by the policy: denied there.
  const calico = simulateFlows(db, { engine: 'calico', policies: COLL_FROM_PODS, flows: toClusterIp }).decisions[0]!;
  assert.match(calico.ingress!.reason, /of obs\/coll on node node-b: on Calico a node reaches the pods on it unpoliced/);
  // The edge node-a → the Deployment is decided the same way.
  const edge = JSON.stringify([{ client: 'node:node-a', server: 'workload:obs/Deployment/coll', port: 2055, protocol: 'TCP' }]);
  assert.equal(simulateFlows(db, { engine: 'calico', policies: COLL_FROM_PODS, flows: edge, format: 'edges' }).decisions[0]!.verdict, 'deny');
  assert.equal(simulateFlows(db, { engine: 'cilium', policies: COLL_FROM_HOST, flows: edge, format: 'edges' }).decisions[0]!.verdict, 'deny');
  // Both entities: every backend lets the agent in.
  const both = COLL_FROM_HOST.replace('[host]', '[host, remote-node]');
  const a = simulateFlows(db, { engine: 'cilium', policies: both, flows: toClusterIp }).decisions[0]!;
  assert.equal(a.verdict, 'allow', JSON.stringify(a));
});

test('cilium verification: a recommendation allowing prom out to the host-network DaemonSet ne by `toEntities: [host]` only is blocked (ne-b and ne-c are remote-node)', () => {
  const db = stored(NODE_EXPORTER);
  const manifest = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'prom', namespace: 'mon' },
    spec: { endpointSelector: { matchLabels: { app: 'prom' } }, egress: [{ toEntities: ['host'], toPorts: [{ ports: [{ port: '9100', protocol: 'TCP' }] }] }] },
  };
  const edge: EdgeTraffic = { client: parsePeerKey('workload:mon/Pod/prom'), server: parsePeerKey('workload:mon/DaemonSet/ne'), port: 9100, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 };
  const sides: VerifiedSides = { workload: 'mon/Pod/prom', edges: { ingress: [], egress: [edge] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: false, egress: true } };
  const verify = (m: unknown) =>
    verifyRecommendation({ engine: 'cilium', emitted: { engine: 'cilium', manifests: [m], warnings: [] } as unknown as EmitResult, model: clusterModel(readInventory(db)), applied: [], sides: [sides], simulator: SIMULATORS.cilium, tightness: false });
  const v = verify(manifest);
  assert.equal(v.ok, false);
  assert.equal(v.blocked.length, 1, JSON.stringify(v.blocked));
  assert.match(v.blocked[0]!.reason, /remote-node/);
  // Both entities, as the cilium engine renders a node peer (engines/cilium.ts): verified.
  const both = verify({ ...manifest, spec: { ...manifest.spec, egress: [{ ...manifest.spec.egress[0]!, toEntities: ['host', 'remote-node'] }] } });
  assert.equal(both.ok, true, JSON.stringify(both.blocked));
});

/**
 * A reviewer's reproduction of a quadratic blow-up: N nodes, a host-network DaemonSet kube-system/agent
 * with one pod per node, one NetworkPolicy (namespace web) whose ingress lists each node's
 * address as an ipBlock (a rendered nodes peer), one edge agent → agent 4240/TCP. Every agent pod is
 * its own address group, and all client × server pairs were judged (N² simulations, and again for
 * the other ipBlock reading: 1200 nodes took 17.8 s and 1.96 GB). A side is judged per group of its
 * subject that the policies can select apart (a host-network pod no NetworkPolicy selects: one)
 * times the groups of its peer: at most a few simulations per peer group.
 */
const N = 400;
const nodeIp = (i: number) => `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`;
function agentCluster() {
  const agentOwner = { kind: 'DaemonSet', name: 'agent', uid: 'ds-agent' };
  const items: unknown[] = [namespace('kube-system'), namespace('web')];
  for (let i = 0; i < N; i++) items.push(node(`n${i}`, `10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`, nodeIp(i)));
  items.push({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] } } } });
  for (let i = 0; i < N; i++) items.push(pod('kube-system', `agent-${i}`, { app: 'agent' }, `n${i}`, nodeIp(i), { owner: agentOwner, hostNetwork: true }));
  return stored(items);
}
const PER_NODE_BLOCKS = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'web' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: Array.from({ length: N }, (_, i) => ({ ipBlock: { cidr: `${nodeIp(i)}/32` } })) }] } };
const AGENT_EDGE: EdgeTraffic = { client: parsePeerKey('workload:kube-system/DaemonSet/agent'), server: parsePeerKey('workload:kube-system/DaemonSet/agent'), port: 4240, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 };

/** The factory's simulators, counting every flow side they are asked to judge. */
function counting(factory: SimulatorFactory): { factory: SimulatorFactory; judged: () => number } {
  let n = 0;
  const wrap = (sim: Simulator): Simulator => ({
    engine: sim.engine,
    evaluate: (f) => ((n += 2), sim.evaluate(f)),
    side: (f, d) => (n++, sim.side ? sim.side(f, d) : d === 'ingress' ? sim.evaluate(f).ingress : sim.evaluate(f).egress),
    allows: (f, d) => (n++, sim.allows ? sim.allows(f, d) : sim.side ? sim.side(f, d).allowed : sim.evaluate(f)[d].allowed),
  });
  const counted = ((p: readonly unknown[], c: Parameters<SimulatorFactory>[1]) => wrap(factory(p, c))) as SimulatorFactory;
  if (factory.ipBlocksMatchingPods) counted.ipBlocksMatchingPods = ((p: readonly unknown[], c: Parameters<SimulatorFactory>[1]) => wrap(factory.ipBlocksMatchingPods!(p, c))) as SimulatorFactory;
  return { factory: counted, judged: () => n };
}

test(`simulate, ${N} nodes, a host-network DaemonSet and a policy with one ipBlock per node: agent → agent is allowed, judged a few times per agent pod, not per pair`, () => {
  const db = agentCluster();
  const model = clusterModel(readInventory(db));
  const { factory, judged } = counting(SIMULATORS.kubernetes);
  const policies = [PER_NODE_BLOCKS];
  const d = decide(factory(policies, model.cluster), model, { client: AGENT_EDGE.client, server: AGENT_EDGE.server, port: 4240, protocol: 'TCP' }, factory.ipBlocksMatchingPods!(policies, model.cluster), new PodsApart(model, policies));
  assert.equal(d.verdict, 'allow');
  assert.equal(d.whereIpBlocksMatchPods, undefined);
  // Each side once per peer group (N), on both readings; before: every pair, N² on each reading.
  assert.ok(judged() <= 4 * N + 8, `${judged()} sides judged for ${N} agent pods`);
  // The same through `simulate` (the reviewer's command): a bound on time would be flaky on a loaded machine, the count above is the bound.
  const e2e = simulateFlows(db, { engine: 'kubernetes', policies: JSON.stringify(PER_NODE_BLOCKS), flows: JSON.stringify([{ client: 'workload:kube-system/DaemonSet/agent', server: 'workload:kube-system/DaemonSet/agent', port: 4240, protocol: 'TCP' }]), format: 'edges' });
  assert.equal(e2e.decisions[0]!.verdict, 'allow');
});

test(`verification, ${N} nodes: the agent → agent edge beside a policy with one ipBlock per node is judged a few times per agent pod, not per pair, and verified`, () => {
  const db = agentCluster();
  const { factory, judged } = counting(SIMULATORS.kubernetes);
  const sides: VerifiedSides = { workload: 'kube-system/DaemonSet/agent', edges: { ingress: [AGENT_EDGE], egress: [AGENT_EDGE] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: true, egress: true } };
  const v = verifyRecommendation({ engine: 'kubernetes', emitted: { engine: 'kubernetes', manifests: [PER_NODE_BLOCKS], warnings: [] } as unknown as EmitResult, model: clusterModel(readInventory(db)), applied: [], sides: [sides], simulator: factory, tightness: false });
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.ok(judged() <= 2 * N + 8, `${judged()} sides judged for ${N} agent pods`);
});
