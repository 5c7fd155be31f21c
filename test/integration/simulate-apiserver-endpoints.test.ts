/**
 * The kube-apiserver has several endpoint addresses (one per control-plane node, the
 * `default/kubernetes` EndpointSlice), and an address rule — a NetworkPolicy ipBlock, a Calico
 * `nets`, a ClusterNetworkPolicy `networks` — may hold some of them and not others:
 * - a flow record to one of them is that endpoint's connection: an ipBlock (Calico `nets`) "holds
 *   the packet's address" (docs/api.md#simulate), and the datapath matches the address after
 *   kube-proxy's DNAT (kubernetes.io "Network Policies": ipBlock traffic "may be rewritten";
 *   Calico matches the pod's peer address after NAT, projectcalico/calico#2088);
 * - a record to the ClusterIP 10.96.0.1 (and an edge, which keeps no address) may be any
 *   endpoint's: kube-proxy picks one per connection (kubernetes.io "Virtual IPs and Service
 *   Proxies"), so it is denied when any of them is (docs/api.md#simulate), naming which.
 *
 * Before: the apiserver was always judged at its FIRST endpoint address (10.0.0.1), whatever the
 * record named, so the ipBlock 10.0.0.1/32 allowed a flow to 10.0.0.2, 10.0.0.2/32 denied it, a
 * record to the ClusterIP was allowed though two endpoints of three are dropped, Cilium's reason
 * named node cp-1 for a flow to cp-2, and the verification missed an applied Calico or
 * ClusterNetworkPolicy Deny naming one endpoint's /32 (a cut while verified).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { adminDenyEgressPolicy, ciliumEntitiesPolicy, ipBlockEgressPolicy } from '../helpers/one-rule-policies.ts';
import { NOW, namespace, node, pod, record, stored, T } from '../helpers/node-exporter-cluster.ts';

/** cp-1..cp-3 (10.0.0.1–3) hold the apiserver on 6443, behind default/kubernetes 10.96.0.1:443; app/ctrl (app=ctrl) is 10.244.12.10 on worker w-1. */
const CLUSTER = [
  namespace('default'),
  namespace('app'),
  node('cp-1', '10.244.1.0/24', '10.0.0.1'),
  node('cp-2', '10.244.2.0/24', '10.0.0.2'),
  node('cp-3', '10.244.3.0/24', '10.0.0.3'),
  node('w-1', '10.244.12.0/24', '10.0.0.12'),
  pod('app', 'ctrl', { app: 'ctrl' }, 'w-1', '10.244.12.10'),
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

/** ctrl's egress to the apiserver on 6443, at the ipBlock `cidr` only. */
const egressTo = (cidr: string) => ipBlockEgressPolicy({ name: 'ctrl-egress', namespace: 'app', app: 'ctrl', cidr, port: 6443 });

/** ctrl's egress to the Cilium `entities` on 6443. */
const ctrlEgressToEntities = (entities: string) => ciliumEntitiesPolicy({ name: 'ctrl-egress', namespace: 'app', app: 'ctrl', direction: 'egress', entities, port: 6443 });

const toEndpoint = (ip: string) => record('10.244.12.10', ip, 6443);
const TO_CLUSTER_IP = record('10.244.12.10', '10.96.0.1', 443);
const EDGE = JSON.stringify([{ client: 'workload:app/Pod/ctrl', server: 'apiserver', port: 6443, protocol: 'TCP' }]);

for (const engine of ['kubernetes', 'calico'] as const) {
  test(`${engine} simulate: a record to the apiserver endpoint 10.0.0.2 is judged at 10.0.0.2, not at the first endpoint`, () => {
    const db = stored(CLUSTER);
    assert.equal(simulateFlows(db, { engine, policies: egressTo('10.0.0.1/32'), flows: toEndpoint('10.0.0.2') }).decisions[0]!.verdict, 'deny');
    assert.equal(simulateFlows(db, { engine, policies: egressTo('10.0.0.2/32'), flows: toEndpoint('10.0.0.2') }).decisions[0]!.verdict, 'allow');
    assert.equal(simulateFlows(db, { engine, policies: egressTo('10.0.0.1/32'), flows: toEndpoint('10.0.0.1') }).decisions[0]!.verdict, 'allow');
  });

  test(`${engine} simulate: a record to the ClusterIP 10.96.0.1 and an edge to the apiserver are denied when an endpoint is, naming it; allowed when every endpoint is`, () => {
    const db = stored(CLUSTER);
    for (const [flows, format] of [[TO_CLUSTER_IP, 'auto'], [EDGE, 'edges']] as const) {
      const d = simulateFlows(db, { engine, policies: egressTo('10.0.0.1/32'), flows, format }).decisions[0]!;
      assert.equal(d.verdict, 'deny', `${format}: ${JSON.stringify(d)}`);
      assert.match(d.egress!.reason, /apiserver endpoint 10\.0\.0\.2/, 'the denial names the endpoint it is at');
      const all = simulateFlows(db, { engine, policies: egressTo('10.0.0.0/29'), flows, format }).decisions[0]!;
      assert.equal(all.verdict, 'allow', `${format}: ${JSON.stringify(all)}`);
      assert.doesNotMatch(all.egress!.reason, /apiserver endpoint/, 'not split where no rule tells the endpoints apart');
    }
  });
}

test('cilium simulate: a record to 10.0.0.2 names node cp-2 (10.0.0.2) as the peer toEntities kube-apiserver allows', () => {
  const db = stored(CLUSTER);
  const policies = ctrlEgressToEntities('kube-apiserver');
  const d = simulateFlows(db, { engine: 'cilium', policies, flows: toEndpoint('10.0.0.2') }).decisions[0]!;
  assert.equal(d.verdict, 'allow', JSON.stringify(d));
  assert.match(d.egress!.reason, /cp-2 \(10\.0\.0\.2\)/);
  assert.doesNotMatch(d.egress!.reason, /cp-1/);
});

/**
 * On Cilium an apiserver on a node is that node's identity with `kube-apiserver` added: `host` to
 * the pods on its node, `remote-node` to the others (docs.cilium.io, Layer 3 policies, "Entities
 * Based"; pkg/ipcache resolveIdentity). ctrl on cp-2 reaches 10.0.0.2 as `host` and the two others
 * as `remote-node`, so `toEntities: [remote-node]` cuts one endpoint of three.
 */
test('cilium simulate: ctrl on control-plane node cp-2 → the apiserver, egress toEntities [remote-node]: denied at the endpoint on its own node (host); kube-apiserver allows every one', () => {
  const db = stored(CLUSTER.map((o) => ((o as { kind?: string }).kind === 'Pod' ? pod('app', 'ctrl', { app: 'ctrl' }, 'cp-2', '10.244.2.10') : o)));
  const policies = ctrlEgressToEntities;
  for (const [flows, format] of [[record('10.244.2.10', '10.96.0.1', 443), 'auto'], [EDGE, 'edges']] as const) {
    const d = simulateFlows(db, { engine: 'cilium', policies: policies('remote-node'), flows, format }).decisions[0]!;
    assert.equal(d.verdict, 'deny', `${format}: ${JSON.stringify(d)}`);
    assert.match(d.egress!.reason, /node cp-2 \(10\.0\.0\.2\) \(host\).*at the apiserver endpoint 10\.0\.0\.2 \(node cp-2\)/);
    assert.equal(simulateFlows(db, { engine: 'cilium', policies: policies('kube-apiserver'), flows, format }).decisions[0]!.verdict, 'allow', format);
    assert.equal(simulateFlows(db, { engine: 'cilium', policies: policies('host, remote-node'), flows, format }).decisions[0]!.verdict, 'allow', format);
  }
  // The record to cp-1's endpoint is remote-node's: allowed.
  assert.equal(simulateFlows(db, { engine: 'cilium', policies: policies('remote-node'), flows: record('10.244.2.10', '10.0.0.1', 6443) }).decisions[0]!.verdict, 'allow');
});

test('clusternetworkpolicy simulate: an Admin Deny on networks 10.0.0.2/32 denies the record to the ClusterIP (it may reach 10.0.0.2), not the record to 10.0.0.3', () => {
  const db = stored(CLUSTER);
  const policies = adminDenyEgressPolicy({ name: 'no-cp-2', rule: 'cp-2', network: '10.0.0.2/32' });
  const d = simulateFlows(db, { engine: 'clusternetworkpolicy', policies, flows: [TO_CLUSTER_IP, toEndpoint('10.0.0.3')].join('\n') }).decisions;
  assert.deepEqual(d.map((x) => x.verdict), ['deny', 'allow'], JSON.stringify(d));
  assert.match(d[0]!.egress!.reason, /apiserver endpoint 10\.0\.0\.2/);
});

/** Applied beside the recommendation: a Calico tier before the NetworkPolicies, denying 10.0.0.2/32 and allowing the rest. */
const CALICO_DENY_CP2 = [
  { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } },
  {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'security.no-cp-2' },
    spec: { tier: 'security', order: 10, selector: "app == 'ctrl'", types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.0.0.2/32'] } }, { action: 'Pass' }] },
  },
];
/** Applied beside the recommendation: an Admin-tier ClusterNetworkPolicy denying 10.0.0.2/32. */
const CNP_DENY_CP2 = [
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'no-cp-2' },
    spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ action: 'Deny', name: 'cp-2', to: [{ networks: ['10.0.0.2/32'] }] }] },
  },
];

for (const [name, applied] of [['a Calico Deny on nets 10.0.0.2/32', CALICO_DENY_CP2], ['a ClusterNetworkPolicy Deny on networks 10.0.0.2/32', CNP_DENY_CP2]] as const) {
  test(`verification: ctrl → the apiserver (seen through its ClusterIP) beside ${name} is in blockedByApplied, naming the endpoint`, async () => {
    const db = stored([...CLUSTER, ...applied]);
    await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${TO_CLUSTER_IP}\n`]) }], { format: 'auto', now: () => NOW });
    const { verification: v } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ now: NOW, namespace: 'app' }), { tightness: false });
    const found = v.blockedByApplied.filter((f) => f.edge === 'workload:app/Pod/ctrl|apiserver|6443|TCP' && f.direction === 'egress');
    assert.equal(found.length, 1, JSON.stringify(v.blockedByApplied));
    assert.match(found[0]!.reason, /apiserver endpoint 10\.0\.0\.2/);
  });
}
