/**
 * The cilium recommendation for the bundled demo cluster, run through the Cilium simulator:
 * every observed edge the recommendation says it includes must be allowed on its side
 * (the client's egress or the server's ingress). The cluster model here is a minimal stand-in
 * for the inventory → SimCluster adapter (recommender/simulate/cluster.ts, built separately):
 * one simulated pod per pod address, labels from its workload.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Peer } from '../../domain/peer.ts';
import { peerKey } from '../../domain/peer.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend, type RecommendInput } from '../../recommender/recommend.ts';
import type { RecommendOptions } from '../../recommender/synthesize/options.ts';

type Options = Partial<RecommendOptions>;
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import type { SimCluster, SimEndpoint, SimNode, SimPod, SimProtocol } from '../../recommender/simulate/types.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

interface Model {
  cluster: SimCluster;
  endpoint(p: Peer, otherNode?: string): SimEndpoint | undefined;
}

function model(input: RecommendInput): Model {
  const inv = input.inventory;
  const workloads = new Map(inv.workloads.map((w) => [`${w.namespace}/${w.kind}/${w.name}`, w]));
  const pods: SimPod[] = [];
  const podsOf = new Map<string, SimPod[]>();
  for (const a of inv.podAddresses) {
    const key = `${a.workload.namespace}/${a.workload.kind}/${a.workload.name}`;
    const w = workloads.get(key);
    if (!w) continue;
    const p: SimPod = { namespace: a.namespace, name: a.pod, labels: w.labels, ips: [a.ip], hostNetwork: a.hostNetwork, ports: w.ports };
    if (a.node !== undefined) p.node = a.node;
    if (w.serviceAccount !== undefined) p.serviceAccount = w.serviceAccount;
    pods.push(p);
    podsOf.set(key, [...(podsOf.get(key) ?? []), p]);
  }
  const nodes: SimNode[] = inv.nodes.map((n) => ({ name: n.name, labels: n.labels, ips: n.addresses.filter((x) => x.type === 'InternalIP' || x.type === 'ExternalIP').map((x) => x.address) }));
  const cluster: SimCluster = {
    namespaces: inv.namespaces,
    nodes,
    pods,
    services: inv.services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      clusterIPs: s.clusterIPs,
      ports: s.ports.flatMap((p) => (p.protocol === 'TCP' || p.protocol === 'UDP' || p.protocol === 'SCTP' ? [{ port: p.port, targetPort: p.targetPort, protocol: p.protocol }] : [])),
      ...(s.selector ? { selector: s.selector } : {}),
    })),
    apiserver: inv.apiserver,
    podCIDRs: inv.nodes.flatMap((n) => n.podCIDRs),
  };
  if (input.externalNames) cluster.dnsNames = input.externalNames;
  return {
    cluster,
    endpoint(p, otherNode) {
      switch (p.kind) {
        case 'workload':
        case 'dns': {
          const list = podsOf.get(`${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`) ?? [];
          // A kubelet or node talks to the pod on its own node when there is one (probes, scrapes of DaemonSets).
          const pod = list.find((x) => otherNode !== undefined && x.node === otherNode) ?? list[0];
          return pod && { kind: 'pod', pod };
        }
        case 'node':
        case 'kubelet': {
          const n = nodes.find((x) => x.name === p.node);
          return n && n.ips[0] !== undefined ? { kind: 'node', node: n, ip: n.ips[0] } : undefined;
        }
        case 'apiserver':
          return inv.apiserver[0] && { kind: 'apiserver', ip: inv.apiserver[0].ip };
        case 'external': {
          const names = input.externalNames?.get(p.ip);
          return names ? { kind: 'external', ip: p.ip, names } : { kind: 'external', ip: p.ip };
        }
        default:
          return undefined;
      }
    },
  };
}

const nodeOf = (p: Peer): string | undefined => (p.kind === 'node' || p.kind === 'kubelet' ? p.node : undefined);

/** The included observed edges the simulated output denies, as `direction key: reason`. */
function deniedIncluded(input: RecommendInput, m: Model, options: Options): { checked: number; denied: string[] } {
  const rec = recommend(input, options);
  const sim = ciliumSimulator(getEngine('cilium').emit(rec.policySet).manifests, m.cluster);
  const byKey = new Map(input.edges.map((e) => [`${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`, e]));
  const denied: string[] = [];
  let checked = 0;
  for (const w of rec.workloads) {
    for (const o of w.observed) {
      const e = o.included ? byKey.get(o.key) : undefined;
      if (!e) continue;
      const client = m.endpoint(e.client, nodeOf(e.server));
      const server = m.endpoint(e.server, nodeOf(e.client));
      if (!client || !server) continue;
      checked++;
      const v = sim.evaluate({ client, server, port: e.port, protocol: e.protocol as SimProtocol });
      const side = o.direction === 'egress' ? v.egress : v.ingress;
      if (!side.allowed) denied.push(`${o.direction} ${o.key}: ${side.reason}`);
    }
  }
  return { checked, denied };
}

let built: { input: RecommendInput; model: Model } | undefined;
async function demo(): Promise<{ input: RecommendInput; model: Model }> {
  if (!built) {
    const input = demoRecommendInput(await demoDb());
    built = { input, model: model(input) };
  }
  return built;
}

test('observed mode, without default deny: every included edge is allowed by the simulated cilium output', async () => {
  const { input, model: m } = await demo();
  for (const egress of [true, false]) {
    for (const shared of [false, true]) {
      const { checked, denied } = deniedIncluded(input, m, { mode: 'observed', egress, defaultDeny: false, shared });
      assert.ok(checked > 100, `only ${checked} edges checked`);
      assert.deepEqual(denied, [], `egress=${egress} shared=${shared}`);
    }
  }
});

test('observed mode with default deny: every included edge is allowed', async () => {
  const { input, model: m } = await demo();
  assert.deepEqual(deniedIncluded(input, m, { mode: 'observed', egress: true, defaultDeny: true, shared: false }).denied, []);
});

test('union mode: every included edge is allowed', async () => {
  const { input, model: m } = await demo();
  for (const egress of [true, false]) {
    assert.deepEqual(deniedIncluded(input, m, { mode: 'union', egress, defaultDeny: false, shared: false }).denied, [], `egress=${egress}`);
  }
});

test('documented mode: every included edge is allowed', async () => {
  const { input, model: m } = await demo();
  assert.deepEqual(deniedIncluded(input, m, { mode: 'documented', egress: true, defaultDeny: false, shared: false }).denied, []);
});
