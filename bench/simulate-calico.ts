/**
 * The `calico` simulator at scale (target: ~100k flows against ~5k policies in a few seconds):
 * a generated cluster of BENCH_CALICO_PODS pods (default 2000) in 50 namespaces, BENCH_CALICO_POLICIES
 * policies (default 5000: namespaced Calico policies, Kubernetes NetworkPolicies and a few
 * GlobalNetworkPolicies in two tiers) and BENCH_CALICO_FLOWS flows (default 100000). Prints the
 * time to build the simulator and to evaluate every flow, and the allow share.
 */
import { calicoSimulator } from '../recommender/simulate/calico.ts';
import type { SimCluster, SimFlow, SimPod } from '../recommender/simulate/types.ts';

const PODS = Number(process.env.BENCH_CALICO_PODS ?? 2000);
const POLICIES = Number(process.env.BENCH_CALICO_POLICIES ?? 5000);
const FLOWS = Number(process.env.BENCH_CALICO_FLOWS ?? 100000);
const NAMESPACES = 50;
const PORTS = [80, 443, 5432, 8080, 9090, 9100];

let seed = 42;
const rnd = (n: number): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed % n;
};

const ns = (i: number): string => `ns${i % NAMESPACES}`;
const pods: SimPod[] = Array.from({ length: PODS }, (_, i) => ({
  namespace: ns(i),
  name: `p${i}`,
  labels: { app: `app${i % 400}`, tier: ['web', 'api', 'db'][i % 3]! },
  ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  hostNetwork: false,
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
}));
const cluster: SimCluster = {
  namespaces: Array.from({ length: NAMESPACES }, (_, i) => ({ name: ns(i), labels: { team: `t${i % 5}` } })),
  nodes: [],
  pods,
  services: [],
  apiserver: [],
  podCIDRs: ['10.0.0.0/8'],
};

const policies: unknown[] = [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 100 } }];
for (let i = 0; i < POLICIES; i++) {
  const app = `app${rnd(400)}`;
  const peer = `app${rnd(400)}`;
  const port = PORTS[rnd(PORTS.length)]!;
  if (i % 100 === 0) {
    policies.push({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `g${i}` }, spec: { tier: 'platform', order: i, selector: `tier == 'db'`, ingress: [{ action: 'Pass', source: { namespaceSelector: `team == 't${rnd(5)}'` } }, { action: 'Deny', protocol: 'TCP', destination: { ports: [22] } }] } });
  } else if (i % 3 === 0) {
    policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `k${i}`, namespace: ns(i) }, spec: { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: peer } } }], ports: [{ port }] }] } });
  } else {
    policies.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: `c${i}`, namespace: ns(i) },
      spec: {
        order: 1000 + (i % 7),
        selector: `app == '${app}'`,
        types: ['Ingress', 'Egress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: `app == '${peer}' && tier in {'web', 'api'}` }, destination: { ports: [port, '9000:9100'] } }],
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: 'all()', selector: `app == '${peer}'`, ports: ['http', port] } }, { action: 'Allow', destination: { nets: ['203.0.113.0/24'] } }],
      },
    });
  }
}

const flows: SimFlow[] = Array.from({ length: FLOWS }, () => ({
  client: { kind: 'pod', pod: pods[rnd(PODS)]! },
  server: rnd(10) === 0 ? { kind: 'external', ip: `203.0.113.${rnd(255)}` } : { kind: 'pod', pod: pods[rnd(PODS)]! },
  port: PORTS[rnd(PORTS.length)]!,
  protocol: 'TCP',
}));

const t0 = performance.now();
const sim = calicoSimulator(policies, cluster);
const t1 = performance.now();
let allowed = 0;
for (const f of flows) if (sim.evaluate(f).verdict === 'allow') allowed++;
const t2 = performance.now();
console.log(`simulate-calico: ${POLICIES} policies, ${PODS} pods, ${FLOWS} flows`);
console.log(`  build ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms (${(((t2 - t1) * 1000) / FLOWS).toFixed(1)} µs/flow), ${((100 * allowed) / FLOWS).toFixed(1)}% allowed`);
