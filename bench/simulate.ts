/**
 * Simulator throughput: 5,000 NetworkPolicies (100 namespaces × 50) plus 200
 * ClusterNetworkPolicies, 4,000 pods, 100,000 flows; prints wall and CPU time of building each
 * simulator and evaluating every flow. Standalone: `node --import tsx bench/simulate.ts`.
 */
import { createKubernetesSimulator } from '../recommender/simulate/kubernetes.ts';
import { createClusterNetworkPolicySimulator } from '../recommender/simulate/clusternetworkpolicy.ts';
import type { SimCluster, SimFlow, SimPod } from '../recommender/simulate/types.ts';
let seed = 42;
const rnd = (n: number) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % n; };
const NS = 100, PER = 50, PODS = 4000;
const pods: SimPod[] = [];
for (let i = 0; i < PODS; i++) { const ns = i % NS; pods.push({ namespace: `ns${ns}`, labels: { app: `w${rnd(PER)}`, team: `t${rnd(5)}` }, ips: [`10.${(i >> 8) & 255}.${i & 255}.1`], hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }); }
const policies: unknown[] = [];
const cnps: unknown[] = [];
for (let n = 0; n < NS; n++) for (let w = 0; w < PER; w++) {
  policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p${w}`, namespace: `ns${n}` }, spec: { podSelector: { matchLabels: { app: `w${w}` } }, policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: `w${(w + 1) % PER}` } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `ns${(n + 1) % NS}` } }, podSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['t1', 't2'] }] } }], ports: [{ port: 'http' }, { port: 9000, endPort: 9100 }] }],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] }, { to: [{ podSelector: { matchLabels: { app: `w${(w + 2) % PER}` } } }] }] } });
}
for (let i = 0; i < 200; i++) cnps.push({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: `c${i}` }, spec: { tier: i % 2 ? 'Admin' : 'Baseline', priority: i, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': `ns${i % NS}` } } }, ingress: [{ action: 'Pass', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 1000 + i } } }] }], egress: [{ action: 'Deny', to: [{ networks: ['192.0.2.0/24'] }] }] } });
const cluster: SimCluster = { namespaces: Array.from({ length: NS }, (_, n) => ({ name: `ns${n}`, labels: {} })), nodes: [], pods, services: [], apiserver: [], podCIDRs: [] };
const flows: SimFlow[] = [];
for (let i = 0; i < 100_000; i++) { const c = pods[rnd(PODS)]!; const external = rnd(10) === 0; flows.push({ client: { kind: 'pod', pod: c }, server: external ? { kind: 'external', ip: `203.0.${rnd(256)}.${rnd(256)}` } : { kind: 'pod', pod: pods[rnd(PODS)]! }, port: [8080, 443, 53, 9050, 5432][rnd(5)]!, protocol: rnd(4) === 0 ? 'UDP' : 'TCP' }); }
for (const [name, make] of [['kubernetes', () => createKubernetesSimulator(policies, cluster)], ['clusternetworkpolicy', () => createClusterNetworkPolicySimulator([...policies, ...cnps], cluster)]] as const) {
  const c0 = process.cpuUsage(); const t0 = performance.now(); const sim = make(); const t1 = performance.now(); const c1 = process.cpuUsage(c0);
  let allow = 0; for (const f of flows) if (sim.evaluate(f).verdict === 'allow') allow++;
  const t2 = performance.now(); const c2 = process.cpuUsage(c0);
  console.log(`${name}: ${policies.length} NP${name === 'clusternetworkpolicy' ? ' + 200 CNP' : ''}, ${PODS} pods, ${flows.length} flows: build ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms (cpu build ${(c1.user / 1000).toFixed(0)} ms, total ${(c2.user / 1000).toFixed(0)} ms), ${allow} allowed`);
}
