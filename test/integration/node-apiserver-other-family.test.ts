/**
 * An IPv6-only pod connecting to a dual-stack control-plane node on the apiserver's endpoint port,
 * at the node's IPv6 address, while the `kubernetes` Service is single-stack: its EndpointSlice
 * lists the node's IPv4 address alone (the control plane advertises one address per family it
 * serves; kubernetes/kubernetes pkg/controlplane/controller/kubernetesservice). The edge is
 * `workload:shop/StatefulSet/db → node:cp1 6443/TCP`, and keeps no address family.
 *
 * Only the endpoint addresses are the apiserver: Cilium gives `reserved:kube-apiserver` to the
 * addresses of the default/kubernetes endpoints (cilium/cilium pkg/policy/api entity.go,
 * EntityKubeAPIServer; docs.cilium.io "kube-apiserver" entity), Calico's `services` rule matches
 * the Service's endpoints (libcalico-go api EntityRule.Services), and a NetworkPolicy ipBlock or a
 * ClusterNetworkPolicy `networks` of 10.0.0.10/32 never holds an IPv6 packet (networking/v1
 * IPBlock "a particular CIDR"; network-policy-api apis/v1alpha2 "selects IP CIDR ranges").
 *
 * Before, the edge was rendered as the apiserver because one of cp1's addresses is an endpoint:
 * the apiserver peer at 10.0.0.10 alone, which denies the observed IPv6 connection on every
 * engine; the verification caught it and `export` printed nothing (exit 2). Where the node's
 * IPv6 address is an endpoint too (a dual-stack kubernetes Service), the edge stays the apiserver.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-11-01T00:00:00Z';
const FLOW_TIME = Date.parse('2026-11-20T00:10:03Z');
const NOW = FLOW_TIME + 3_600_000;

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
const dualStackNode = (name: string, v4: string, v6: string, podV4: string, podV6: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, creationTimestamp: T },
  spec: { podCIDR: podV4, podCIDRs: [podV4, podV6] },
  status: { addresses: [{ type: 'InternalIP', address: v4 }, { type: 'InternalIP', address: v6 }, { type: 'Hostname', address: name }] },
});
const endpointSlice = (name: string, addressType: 'IPv4' | 'IPv6', address: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  addressType,
  metadata: { name, namespace: 'default', creationTimestamp: T, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
  endpoints: [{ addresses: [address], conditions: { ready: true } }],
  ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
});
const kubernetesService = (clusterIPs: string[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: T },
  spec: { clusterIP: clusterIPs[0], clusterIPs, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], type: 'ClusterIP' },
});

/**
 * cp1 (10.0.0.10, fd00:10::10, or `cp1` as given) runs the apiserver; shop/db's one pod on n2 is at
 * `podIps` (IPv6 only by default). `dualStackApiserver`: the kubernetes Service lists cp1's IPv6 address too.
 */
function inventory(dualStackApiserver: boolean, podIps: readonly string[], cp1: object): string {
  const db = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop', uid: 'u-db', creationTimestamp: T }, spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' }, creationTimestamp: T, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u-db', controller: true }] },
    spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'x' }] },
    status: { phase: 'Running', startTime: T, podIP: podIps[0], podIPs: podIps.map((ip) => ({ ip })) },
  };
  const items = [
    namespace('default'),
    namespace('shop'),
    cp1,
    dualStackNode('n2', '10.0.0.12', 'fd00:10::12', '10.244.2.0/24', 'fd00:244:2::/64'),
    ...(dualStackApiserver
      ? [kubernetesService(['10.96.0.1', 'fd00:96::1']), endpointSlice('kubernetes', 'IPv4', '10.0.0.10'), endpointSlice('kubernetes-v6', 'IPv6', 'fd00:10::10')]
      : [kubernetesService(['10.96.0.1']), endpointSlice('kubernetes', 'IPv4', '10.0.0.10')]),
    db,
    pod,
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** The tester's NetObserv record: db-0 → cp1's IPv6 address on 6443, a SYN. */
const RECORD = JSON.stringify({ SrcAddr: 'fd00:244:2::60', DstAddr: 'fd00:10::10', Proto: 6, Etype: 34525, Packets: 5, Bytes: 500, TimeFlowStartMs: FLOW_TIME - 10, TimeFlowEndMs: FLOW_TIME, SrcPort: 40000, DstPort: 6443, Flags: ['SYN'] });

const IPV6_ONLY = ['fd00:244:2::60'];
const DUAL_STACK = ['10.244.2.60', 'fd00:244:2::60'];

const CP1 = dualStackNode('cp1', '10.0.0.10', 'fd00:10::10', '10.244.0.0/24', 'fd00:244::/64');

async function stored(dualStackApiserver: boolean, podIps: readonly string[] = IPV6_ONLY, cp1: object = CP1, record = RECORD) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(dualStackApiserver, podIps, cp1), takenAt: Date.parse(T), source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'netobserv', now: () => NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

test('the edge is stored as the node, not the apiserver (the record names cp1 at an address no endpoint has)', async () => {
  const { input } = await stored(false);
  const edges = input.edges.map((e) => `${e.client.kind}|${e.server.kind === 'node' ? `node:${e.server.node}` : e.server.kind}|${e.port}`);
  assert.deepEqual(edges, ['workload|node:cp1|6443']);
});

for (const engine of ENGINE_NAMES) {
  test(`${engine}: an IPv6-only pod to a dual-stack control-plane node's IPv6 address on 6443, the kubernetes Service single-stack IPv4: verified, and the record is allowed`, async () => {
    const { db, input } = await stored(false);
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'StatefulSet/db' }), { tightness: false });
    const policies = toMultiDocYaml(emitted.manifests);
    assert.deepEqual(v.blocked.map((b) => `${b.edge}: ${b.reason}`), [], `${engine}: ${policies}`);
    assert.equal(v.ok, true, engine);
    const verdict = simulateFlows(db, { engine, policies, flows: `${RECORD}\n`, format: 'netobserv' }).decisions[0]!.verdict;
    assert.equal(verdict, 'allow', `${engine}: ${policies}`);
    // cp1 as a node, at its IPv6 address among others (Cilium: the node entity, any address).
    assert.match(policies, engine === 'cilium' ? /remote-node/ : /fd00:10::10/, `${engine}: ${policies}`);
  });

  test(`${engine}: control — the kubernetes Service dual-stack (cp1's IPv6 address an endpoint too): still the apiserver peer, verified, the record allowed`, async () => {
    const { db, input } = await stored(true);
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'StatefulSet/db' }), { tightness: false });
    const policies = toMultiDocYaml(emitted.manifests);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.equal(simulateFlows(db, { engine, policies, flows: `${RECORD}\n`, format: 'netobserv' }).decisions[0]!.verdict, 'allow', `${engine}: ${policies}`);
    const rendering = JSON.stringify(emitted.manifests);
    const apiserver = { kubernetes: /fd00:10::10\/128/, cilium: /kube-apiserver/, calico: /"services":\{"name":"kubernetes","namespace":"default"\}/, clusternetworkpolicy: /fd00:10::10\/128/ }[engine];
    assert.match(rendering, apiserver, `${engine}: ${policies}`);
    assert.doesNotMatch(rendering, /remote-node|"nodes"/, `${engine}: no node peer`);
  });
}

// A dual-stack pod may connect to cp1 over either family (the edge keeps none): cp1's IPv6 address
// must be allowed beside its IPv4 endpoint, and both records pass.
test('a dual-stack pod to the same node on 6443, the kubernetes Service single-stack IPv4: verified on every engine, a record of each family allowed', async () => {
  const { db, input } = await stored(false, DUAL_STACK);
  const v4Record = RECORD.replace('fd00:244:2::60', '10.244.2.60').replace('fd00:10::10', '10.0.0.10').replace('34525', '2048');
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'StatefulSet/db' }), { tightness: false });
    const policies = toMultiDocYaml(emitted.manifests);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    const verdicts = simulateFlows(db, { engine, policies, flows: `${RECORD}\n${v4Record}\n`, format: 'netobserv' }).decisions.map((d) => d.verdict);
    assert.deepEqual(verdicts, ['allow', 'allow'], `${engine}: ${policies}`);
  }
});

// The same family, another address: cp1 IPv4-only with an ExternalIP beside its InternalIP (the
// endpoint), an IPv4 pod reaching the ExternalIP on 6443 (a kubeconfig naming the external address).
// The edge's connections may go to either address of the family (cluster.ts nodeEnd): the apiserver
// peer at 10.0.0.10/32 cut the one observed, and export printed nothing (exit 2) on every engine.
test('an IPv4 pod to a control-plane node\'s ExternalIP on 6443 (its InternalIP the endpoint): verified on every engine, the record allowed', async () => {
  const cp1 = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp1', creationTimestamp: T }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'ExternalIP', address: '203.0.113.10' }] } };
  const record = RECORD.replace('fd00:244:2::60', '10.244.2.60').replace('fd00:10::10', '203.0.113.10').replace('34525', '2048');
  const { db, input } = await stored(false, ['10.244.2.60'], cp1, record);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'StatefulSet/db' }), { tightness: false });
    const policies = toMultiDocYaml(emitted.manifests);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.equal(simulateFlows(db, { engine, policies, flows: `${record}\n`, format: 'netobserv' }).decisions[0]!.verdict, 'allow', `${engine}: ${policies}`);
  }
});
