/**
 * The demo data's recommendations, rendered for the `kubernetes` and `clusternetworkpolicy`
 * engines and run through their simulators: every observed edge the recommendation includes
 * must be allowed on the side (ingress of the server, egress of the client) whose policy
 * includes it. The cluster model is built here from the stored inventory, minimally (one pod
 * per workload at one of its addresses; node InternalIP/ExternalIP addresses). Known emitter
 * defects are committed as skipped tests naming a failing edge.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoredEdge } from '../../domain/edge.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend, type RecommendInput, type RecommendOptions } from '../../recommender/recommend.ts';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import { createKubernetesSimulator, type KubernetesSimOptions } from '../../recommender/simulate/kubernetes.ts';
import type { SimCluster, SimEndpoint, SimPod, SimProtocol, Simulator } from '../../recommender/simulate/types.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

const input: RecommendInput = demoRecommendInput(await demoDb());
const inv = input.inventory;

const pods = new Map<string, SimPod>();
for (const w of inv.workloads) {
  const addr = inv.podAddresses.find((a) => workloadKey(a.workload) === workloadKey(w));
  pods.set(workloadKey(w), { namespace: w.namespace, name: w.name, labels: w.labels, ips: addr ? [addr.ip] : [], hostNetwork: w.hostNetwork, ports: w.ports, ...(addr?.node ? { node: addr.node } : {}) });
}
const nodes = inv.nodes.map((n) => ({ name: n.name, labels: n.labels, ips: n.addresses.filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address) }));
const cluster: SimCluster = { namespaces: inv.namespaces, nodes, pods: [...pods.values()], services: [], apiserver: inv.apiserver, podCIDRs: inv.nodes.flatMap((n) => n.podCIDRs) };

function endpoint(p: Peer): SimEndpoint | undefined {
  switch (p.kind) {
    case 'workload':
    case 'dns': {
      const pod = pods.get(workloadKey(p.workload));
      return pod && pod.ips.length > 0 ? { kind: 'pod', pod } : undefined;
    }
    case 'apiserver':
      return inv.apiserver[0] ? { kind: 'apiserver', ip: inv.apiserver[0].ip } : undefined;
    case 'node': {
      const n = nodes.find((x) => x.name === p.node);
      return n?.ips[0] ? { kind: 'node', node: n, ip: n.ips[0] } : undefined;
    }
    case 'external':
      return { kind: 'external', ip: p.ip, names: input.externalNames?.get(p.ip) ?? [] };
    case 'kubelet':
    case 'unknown':
      return undefined;
  }
}

const edgesById = new Map(input.edges.filter(isStoredEdge).map((e) => [e.id, e]));

/** `edge [side of workload]: reason` for every included side the simulator denies; and how many were checked. */
function deniedIncludedSides(options: Partial<RecommendOptions>, engine: 'kubernetes' | 'clusternetworkpolicy', simulate: (m: unknown[]) => Simulator): { checked: number; denied: string[] } {
  const rec = recommend(input, options);
  const sim = simulate(getEngine(engine).emit(rec.policySet).manifests);
  const denied: string[] = [];
  let checked = 0;
  for (const w of rec.workloads) {
    for (const o of w.observed) {
      const e = edgesById.get(o.id);
      const client = e && endpoint(e.client);
      const server = e && endpoint(e.server);
      if (!o.included || !e || !client || !server) continue;
      checked++;
      const v = sim.evaluate({ client, server, port: e.port, protocol: e.protocol as SimProtocol });
      const side = o.direction === 'ingress' ? v.ingress : v.egress;
      if (!side.allowed) denied.push(`${o.key} [${o.direction} of ${w.workload.namespace}/${w.workload.name}]: ${side.reason}`);
    }
  }
  return { checked, denied };
}

const kubernetes = (options: KubernetesSimOptions) => (m: unknown[]) => createKubernetesSimulator(m, cluster, options);
const cnp = (m: unknown[]) => createClusterNetworkPolicySimulator(m, cluster);
const PERMISSIVE: KubernetesSimOptions = { ipBlockMatchesPods: true, ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true };

const COREDNS =
  'emitter defect: with defaultDeny, NetworkPolicy/kube-system/kube-system-default-deny (ClusterNetworkPolicy/kube-system-default-deny) isolates the egress of kube-system/coredns, whose recommendation leaves its egress open ("no upstream resolver was observed: its egress is left open") and so emits no egress allowlist: dns:kube-system/Deployment/coredns → apiserver 6443/TCP and → coredns 53/UDP are denied';

const CASES: { name: string; options: Partial<RecommendOptions>; engine: 'kubernetes' | 'clusternetworkpolicy'; simulate: (m: unknown[]) => Simulator; skip?: string }[] = [
  { name: 'kubernetes, default options, ipBlocks selecting pod/node/apiserver addresses (e.g. Calico)', options: {}, engine: 'kubernetes', simulate: kubernetes(PERMISSIVE) },
  {
    name: 'kubernetes, default options, strict ipBlock reading (Cilium default)',
    options: {},
    engine: 'kubernetes',
    simulate: kubernetes({}),
    skip: 'emitter defect: 59 of 266 included sides denied. (1) a matrix "allow all" peer is rendered as ipBlock 0.0.0.0/0 + ::/0, which selects no pod under this reading: stacklight/sf-reporter → stacklight/prometheus-server 9090/TCP (egress of sf-reporter) and 26 more pod-to-pod sides; (2) the apiserver and nodes only as ipBlock /32s: e.g. flagger-system/flagger → apiserver 6443/TCP, kyma-system/telemetry-metric-agent → node demo-worker-1 10250/TCP, node demo-control-plane-1 → netobserv/flowlogs-pipeline 2055/TCP (NetworkPolicy cannot select them otherwise: needs the issue-12 warning)',
  },
  {
    name: 'clusternetworkpolicy, default options',
    options: {},
    engine: 'clusternetworkpolicy',
    simulate: cnp,
  },
  { name: 'kubernetes, defaultDeny + shared, permissive ipBlocks', options: { defaultDeny: true, shared: true }, engine: 'kubernetes', simulate: kubernetes(PERMISSIVE), skip: COREDNS },
  { name: 'clusternetworkpolicy, defaultDeny + shared', options: { defaultDeny: true, shared: true }, engine: 'clusternetworkpolicy', simulate: cnp, skip: COREDNS },
  { name: 'kubernetes, egress not restricted, permissive ipBlocks', options: { egress: false }, engine: 'kubernetes', simulate: kubernetes(PERMISSIVE) },
];

for (const c of CASES) {
  test(`demo data: ${c.name}: every included edge is allowed on its side`, c.skip ? { skip: c.skip } : {}, () => {
    const { checked, denied } = deniedIncludedSides(c.options, c.engine, c.simulate);
    assert.ok(checked > 100, `only ${checked} included sides checked`);
    assert.deepEqual(denied, []);
  });
}
