/**
 * The calico verification judges the host endpoint's side of an edge whose other end is a node, or
 * the apiserver at a node's address, as it does for Cilium's host firewall
 * (recommender/verify/host-endpoint-sides.ts). A tester's cluster: Calico's automatic host
 * endpoints `<node>-auto-hep` (interfaceName "*", the node's labels and address,
 * projectcalico-default-allow; kube-controllers generateHostendpointFromNode) and an applied
 * GlobalNetworkPolicy host-protect selecting every one of them for Ingress and allowing only the
 * control-plane nodes in. A wildcard host endpoint is policed by the policies that select it
 * (docs.tigera.io reference/resources/hostendpoint; the profile decides only where no policy
 * applies), so w1's host endpoint drops metrics-server's connection to w1's kubelet (10250) and
 * Prometheus' scrape of the host-network node-exporter on w1 (9100): both are in blockedByApplied,
 * naming host-protect, though the recommended policies allow them. The apiserver on cp1 is reached
 * on 6443, a failsafe port felix keeps open on every host endpoint whatever the policy (felix
 * config_params.go FailsafeInboundHostPorts): not blocked. The warning that the host endpoint's
 * side is not judged is gone.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, recommendWithWarnings, runRecommendation, verifyRecommendationInChunks } from '../../app/recommendation.ts';
import type { Peer } from '../../domain/peer.ts';
import { clusterModel, connectionFlow } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { hostEndDenied } from '../../recommender/verify/host-endpoint-sides.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';

interface NodeItem {
  name: string;
  ip: string;
  /** A second InternalIP of the same family (a second NIC). */
  also?: string;
  cidr: string;
  labels: Record<string, string>;
}
const NODES: NodeItem[] = [
  { name: 'cp1', ip: '10.0.0.10', cidr: '10.244.0.0/24', labels: { 'kubernetes.io/hostname': 'cp1', 'node-role.kubernetes.io/control-plane': '' } },
  { name: 'w1', ip: '10.0.0.11', cidr: '10.244.1.0/24', labels: { 'kubernetes.io/hostname': 'w1' } },
  { name: 'w2', ip: '10.0.0.12', cidr: '10.244.2.0/24', labels: { 'kubernetes.io/hostname': 'w2' } },
];
const addressesOf = (n: NodeItem) => [n.ip, ...(n.also !== undefined ? [n.also] : [])];
const node = (n: NodeItem) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, uid: `n-${n.name}`, creationTimestamp: T, labels: n.labels }, spec: { podCIDR: n.cidr }, status: { addresses: addressesOf(n).map((address) => ({ type: 'InternalIP', address })) } });
/** What kube-controllers writes for each node (`<node>-auto-hep`). */
const autoHep = (n: NodeItem) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'HostEndpoint',
  metadata: { name: `${n.name}-auto-hep`, labels: n.labels },
  spec: { node: n.name, interfaceName: '*', expectedIPs: addressesOf(n), profiles: ['projectcalico-default-allow'] },
});
const HOST_PROTECT = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'host-protect' },
  spec: { selector: 'has(kubernetes.io/hostname)', types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: 'has(node-role.kubernetes.io/control-plane)' } }] },
};
const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
const DEFAULT_NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } };

function workload(name: string, nodeName: string, ip: string, ports: number[], hostNetwork = false) {
  const containers = [{ name: 'c', image: 'i', ports: ports.map((containerPort) => ({ containerPort, protocol: 'TCP' })) }];
  const template = { metadata: { labels: { app: name } }, spec: { ...(hostNetwork ? { hostNetwork: true } : {}), containers } };
  const kind = hostNetwork ? 'DaemonSet' : 'StatefulSet';
  return [
    { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'monitoring', uid: `u-${name}` }, spec: { selector: { matchLabels: { app: name } }, template } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-0`, namespace: 'monitoring', uid: `p-${name}`, labels: { app: name }, ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: `u-${name}`, controller: true }], creationTimestamp: T },
      spec: { nodeName, ...(hostNetwork ? { hostNetwork: true } : {}), containers },
      status: { phase: 'Running', startTime: T, podIP: ip, podIPs: [{ ip }] },
    },
  ];
}

const APISERVER = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.10'], conditions: { ready: true } }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  },
];

const inventory = (policies: unknown[], nodes: readonly NodeItem[]) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      NS,
      DEFAULT_NS,
      ...nodes.map(node),
      ...nodes.map(autoHep),
      ...workload('metrics-server', 'w2', '10.244.2.10', [4443]),
      ...workload('prometheus', 'w2', '10.244.2.20', [9090]),
      ...workload('web', 'w2', '10.244.2.30', [8080]),
      ...workload('node-exporter', 'w1', '10.0.0.11', [9100], true),
      ...workload('grafana', 'w1', '10.244.1.40', [3000]),
      ...APISERVER,
      ...policies,
    ],
  });

/** A Hubble TCP SYN from a pod on w2 to `dst`:`port`. */
const syn = (pod: string, src: string, dst: string, port: number, destination: Record<string, unknown>, i: number) =>
  JSON.stringify({
    time: new Date(NOW - 120_000 + i * 1000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: src, destination: dst, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001 + i, destination_port: port, flags: { SYN: true } } },
    source: { namespace: 'monitoring', pod_name: `${pod}-0`, labels: [`k8s:app=${pod}`] },
    destination,
    node_name: 'w2',
    traffic_direction: 'EGRESS',
  });
const FLOWS = [
  syn('metrics-server', '10.244.2.10', '10.0.0.11', 10250, { identity: 6, labels: ['reserved:remote-node'] }, 0),
  syn('prometheus', '10.244.2.20', '10.0.0.11', 9100, { identity: 6, labels: ['reserved:remote-node'] }, 1),
  syn('web', '10.244.2.30', '10.0.0.10', 6443, { identity: 7, labels: ['reserved:kube-apiserver'] }, 2),
  // w1's kubelet probing grafana on w1.
  JSON.stringify({
    time: new Date(NOW - 60_000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.0.0.11', destination: '10.244.1.40', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 50001, destination_port: 3000, flags: { SYN: true } } },
    source: { identity: 1, labels: ['reserved:host'] },
    destination: { namespace: 'monitoring', pod_name: 'grafana-0', labels: ['k8s:app=grafana'] },
    node_name: 'w1',
    traffic_direction: 'INGRESS',
  }),
].join('\n');

const TO_KUBELET = 'workload:monitoring/StatefulSet/metrics-server|node:w1|10250|TCP';
const TO_EXPORTER = 'workload:monitoring/StatefulSet/prometheus|workload:monitoring/DaemonSet/node-exporter|9100|TCP';
const TO_APISERVER = 'workload:monitoring/StatefulSet/web|apiserver|6443|TCP';
const NOT_JUDGED = /not the host endpoint's side/;

async function store(policies: unknown[] = [HOST_PROTECT], nodes: readonly NodeItem[] = NODES) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(policies, nodes), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS}\n`]) }], { format: 'hubble' });
  return db;
}

test('calico: an applied GlobalNetworkPolicy on the auto host endpoints cuts what w1 receives from pods on w2 (its kubelet, a host-network node-exporter): blockedByApplied names host-protect; the apiserver on a failsafe port is not cut', async () => {
  const db = await store();
  const input = readRecommendationInput(db, {});
  const { verification } = runRecommendation(input, 'calico', recommendOptions({ namespace: 'monitoring' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const byEdge = new Map(verification.blockedByApplied.map((f) => [f.edge, f]));
  assert.deepEqual([...byEdge.keys()].sort(), [TO_EXPORTER, TO_KUBELET].sort(), JSON.stringify(verification.blockedByApplied, null, 1));
  for (const f of byEdge.values()) assert.match(f.reason, /GlobalNetworkPolicy\/host-protect/);
  assert.match(byEdge.get(TO_KUBELET)!.reason, /node w1 \(host endpoint w1-auto-hep\)/);
  assert.equal(byEdge.get(TO_KUBELET)!.hostEndpoint, 'ingress');
  assert.equal(byEdge.get(TO_KUBELET)!.workload, 'monitoring/StatefulSet/metrics-server');
  assert.ok(!byEdge.has(TO_APISERVER), 'felix keeps 6443 open on every host endpoint (failsafe)');
  assert.ok(!verification.warnings.some((w) => NOT_JUDGED.test(w)), verification.warnings.join('\n'));
  // In chunks, the same.
  const rec = recommendWithWarnings(input, recommendOptions({ namespace: 'monitoring' }), {});
  const chunked = verifyRecommendationInChunks(input, rec, 'calico', { tightness: false }).verification;
  assert.deepEqual(chunked.blockedByApplied.map((f) => f.edge).sort(), [TO_EXPORTER, TO_KUBELET].sort());
  assert.ok(!chunked.warnings.some((w) => NOT_JUDGED.test(w)));
});

test('calico: without a policy selecting them, the auto host endpoints allow everything (projectcalico-default-allow): nothing is cut and nothing is said', async () => {
  const db = await store([]);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'monitoring' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  assert.deepEqual(verification.blockedByApplied, []);
  assert.ok(!verification.warnings.some((w) => NOT_JUDGED.test(w)), verification.warnings.join('\n'));
});

/**
 * A named-interface host endpoint with no profile and no policy selecting it denies all but the
 * failsafe ports ("If a host endpoint is created and network policy is not in place, the Calico
 * default is to deny traffic to/from that endpoint (except for traffic allowed by failsafe rules)",
 * HostEndpoint reference), and it polices w1's eth0 before the node's `*` one (felix#2228). The
 * kubelet's probe of grafana on w1 is not cut: Calico does not police the host's traffic with its
 * own pods (felix rules/static.go filterOutputChain: "We don't currently police host -> endpoint").
 */
test('calico: a named-interface host endpoint without profile or policy denies what reaches the node off the failsafe ports', async () => {
  const eth0 = { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'w1-eth0', labels: { role: 'edge' } }, spec: { node: 'w1', interfaceName: 'eth0', expectedIPs: ['10.0.0.11'] } };
  const db = await store([eth0]);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'monitoring' }), { tightness: false });
  const byEdge = new Map(verification.blockedByApplied.map((f) => [f.edge, f]));
  assert.deepEqual([...byEdge.keys()].sort(), [TO_EXPORTER, TO_KUBELET].sort(), JSON.stringify(verification.blockedByApplied, null, 1));
  assert.match(byEdge.get(TO_KUBELET)!.reason, /no profile allows \(host endpoint w1-eth0 has none/);
  assert.ok(Object.keys(verification.skipped).some((reason) => /kubelet probes/.test(reason)), 'the probe was observed');
  assert.ok(![...verification.blocked, ...verification.blockedByApplied].some((f) => f.edge.startsWith('kubelet:')), JSON.stringify(verification.blocked));
});

/** With the FelixConfiguration's failsafe list down to ssh, nothing keeps 6443 open on cp1's host endpoint: host-protect cuts web's connection to the apiserver there. */
test('calico: where the FelixConfiguration leaves 6443 out of the failsafe ports, host-protect cuts the apiserver on cp1 too', async () => {
  const felix = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22 }] } };
  const db = await store([HOST_PROTECT, felix]);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'monitoring' }), { tightness: false });
  const cut = verification.blockedByApplied.find((f) => f.edge === TO_APISERVER);
  assert.ok(cut !== undefined, JSON.stringify(verification.blockedByApplied, null, 1));
  assert.equal(cut.hostEndpoint, 'ingress');
  assert.match(cut.reason, /the kube-apiserver \(host endpoint cp1-auto-hep\) for ingress \(GlobalNetworkPolicy\/host-protect\)/);
});

/**
 * w1 with a second InternalIP 10.0.1.11 on eth1, policed by its own named host endpoint w1-eth1
 * (no profile, no policy: deny but failsafe) before the node's `*` one (felix#2228), which allows
 * all at 10.0.0.11. metrics-server's connection to w1's kubelet may be at either address (an edge
 * keeps none), so the one at 10.0.1.11 is cut. Before, the verification judged the node at its
 * first address only (10.0.0.11, the `*` host endpoint): nothing was said.
 */
const ETH1 = { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'w1-eth1', labels: { role: 'backplane' } }, spec: { node: 'w1', interfaceName: 'eth1', expectedIPs: ['10.0.1.11'] } };
const W1_TWO_ADDRESSES = NODES.map((n) => (n.name === 'w1' ? { ...n, also: '10.0.1.11' } : n));

test('calico: a node with a second address whose own host endpoint denies: the edge to its kubelet is in blockedByApplied, at that address', async () => {
  const db = await store([ETH1], W1_TWO_ADDRESSES);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'monitoring' }), { tightness: false });
  const cut = verification.blockedByApplied.find((f) => f.edge === TO_KUBELET);
  assert.ok(cut !== undefined, JSON.stringify(verification.blockedByApplied, null, 1));
  assert.equal(cut.hostEndpoint, 'ingress');
  assert.match(cut.reason, /host endpoint w1-eth1/);
  assert.match(cut.reason, /10\.0\.1\.11/, cut.reason);
});

/**
 * The same w1, its far end judged as a whole: where no policy tells its two addresses apart (one
 * block, 10.0.0.0/16, holding both; pods-apart.ts judges the node once), the host endpoint's side
 * is still judged at each address, as the apiserver's is at each endpoint: one host endpoint per
 * interface (HostEndpoint `interfaceName` with its `expectedIPs`, docs.tigera.io
 * reference/resources/hostendpoint) polices the connections at that address only, and the edge's
 * may be at either. Before, the node was judged at its first address (10.0.0.11, the `*` host
 * endpoint allowing all) and the cut at 10.0.1.11 was not seen.
 */
test('calico: hostEndDenied judges a node end as a whole at each of its addresses: the per-interface host endpoint at the second one denies, naming it', async () => {
  const db = await store([ETH1], W1_TWO_ADDRESSES);
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const metricsServer: Peer = { kind: 'workload', workload: { namespace: 'monitoring', kind: 'StatefulSet', name: 'metrics-server' } };
  const conn = connectionFlow(model, metricsServer, { kind: 'node', node: 'w1' }, 10250, 'TCP');
  assert.ok(conn.ok);
  const oneBlock = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'metrics-server', namespace: 'monitoring' },
    spec: { selector: 'app == "metrics-server"', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['10.0.0.0/16'], ports: [10250] } }] },
  };
  const denied = hostEndDenied(SIMULATORS.calico([oneBlock], model.cluster), model, [{ flow: conn.flow, at: '' }], 'egress');
  assert.ok(denied !== undefined, 'the connection at 10.0.1.11 is cut by w1-eth1');
  assert.match(denied.side.reason, /host endpoint w1-eth1/, denied.side.reason);
  assert.match(denied.at, /node w1 at 10\.0\.1\.11/, denied.at);
  assert.equal(denied.node, 'w1');
});
