/**
 * Upstream demos of the AdminNetworkPolicy / BaselineAdminNetworkPolicy tiers, reproduced
 * exactly by the `clusternetworkpolicy` simulator (files in test/fixtures/reference/, see
 * SOURCES.md):
 * - np-guard netpol-analyzer tests/anp_banp_blog_demo: its expected connlist
 *   (test_outputs/connlist/anp_banp_blog_demo_connlist_output.json);
 * - network-policy-api policy-assistant walkthrough: the verdicts and deciding rules its
 *   README.md prints for traffic.json;
 * - network-policy-api policy-assistant kubecon-eu-2024: probe verdicts derived from the API
 *   (TCP/80 accepted by anp1 for a and b; TCP/81 passed by anp2, then decided by the
 *   NetworkPolicy for a and by the BANP for b).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import type { SimCluster, SimEndpoint, SimPod } from '../../recommender/simulate/types.ts';
import { connlist, probes, type ConnEntry } from '../helpers/connlist.ts';
import { loadObjects, referenceScenario } from '../helpers/reference-cluster.ts';

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/reference/${p}`, import.meta.url));

test('np-guard anp_banp_blog_demo: connlist reproduced exactly (ANP Allow/Pass, NetworkPolicy, BANP Deny)', () => {
  const dir = fixture('np-guard/anp_banp_blog_demo/');
  const s = referenceScenario([dir]);
  const sim = createClusterNetworkPolicySimulator(s.objects, s.cluster);
  const endpoints = new Map<string, SimEndpoint[]>([...s.workloads].map(([k, pod]) => [k, [{ kind: 'pod', pod }]]));
  endpoints.set('0.0.0.0-255.255.255.255[External]', ['1.2.3.4', '203.0.113.9'].map((ip) => ({ kind: 'external', ip })));
  const got = connlist(sim, endpoints, probes([]));
  const expected = JSON.parse(readFileSync(`${dir}connlist_output.json`, 'utf8')) as ConnEntry[];
  const order = (xs: ConnEntry[]): ConnEntry[] => [...xs].sort((a, b) => (`${a.src}|${a.dst}` < `${b.src}|${b.dst}` ? -1 : 1));
  assert.deepEqual(order(got), order(expected));

  // The deciding rules behind three of those lines.
  const pod = (k: string): SimEndpoint => ({ kind: 'pod', pod: s.workloads.get(k)! });
  const monToFoo = sim.evaluate({ client: pod('monitoring/mymonitoring[Pod]'), server: pod('foo/myfoo[Pod]'), port: 80, protocol: 'TCP' });
  assert.deepEqual(monToFoo.ingress.by, { policy: 'NetworkPolicy/foo/allow-monitoring', rule: '/spec/ingress/0' }, 'pass-monitoring (priority 7) passes before allow-monitoring (9)');
  const monToBar = sim.evaluate({ client: pod('monitoring/mymonitoring[Pod]'), server: pod('bar/mybar[Pod]'), port: 80, protocol: 'TCP' });
  assert.deepEqual(monToBar.ingress.by, { policy: 'BaselineAdminNetworkPolicy/default', rule: '/spec/ingress/0' });
  assert.equal(monToBar.ingress.allowed, false);
  const monToBaz = sim.evaluate({ client: pod('monitoring/mymonitoring[Pod]'), server: pod('baz/mybaz[Pod]'), port: 80, protocol: 'TCP' });
  assert.deepEqual(monToBaz.ingress.by, { policy: 'AdminNetworkPolicy/allow-monitoring', rule: '/spec/ingress/0' });
});

interface TrafficEnd {
  Internal: { Workload?: string; PodLabels?: Record<string, string>; NamespaceLabels?: Record<string, string>; Namespace?: string };
}

test('policy-assistant walkthrough: the three traffic tuples, verdicts and deciding rules as its README prints them', () => {
  const dir = fixture('network-policy-api/walkthrough/');
  const objects = loadObjects([`${dir}policies`]);
  const s = referenceScenario([`${dir}demo-deployment-a.yaml`, `${dir}demo-pod-b.yaml`]);
  const nginx: SimPod = { namespace: 'demo2', labels: { app: 'nginx' }, ips: ['10.128.9.9'], hostNetwork: false, ports: [] };
  const cluster: SimCluster = { ...s.cluster, namespaces: [...s.cluster.namespaces, { name: 'demo2', labels: { development: 'true' } }], pods: [...s.cluster.pods, nginx] };
  const sim = createClusterNetworkPolicySimulator(objects, cluster);
  const workloadKey: Record<string, string> = { 'demo/deployment/a': 'demo/a[Deployment]', 'demo/pod/b': 'demo/b[Pod]' };
  const endpoint = (e: TrafficEnd): SimEndpoint => (e.Internal.Workload ? { kind: 'pod', pod: s.workloads.get(workloadKey[e.Internal.Workload]!)! } : { kind: 'pod', pod: nginx });
  const traffic = JSON.parse(readFileSync(`${dir}traffic.json`, 'utf8')) as { Source: TrafficEnd; Destination: TrafficEnd; Protocol: 'TCP'; ResolvedPort: number }[];
  const got = traffic.map((t) => {
    const v = sim.evaluate({ client: endpoint(t.Source), server: endpoint(t.Destination), port: t.ResolvedPort, protocol: t.Protocol });
    return [v.verdict, v.ingress.by?.policy, v.ingress.by?.rule];
  });
  assert.deepEqual(got, [
    // [ANP] Allow allow-80
    ['allow', 'AdminNetworkPolicy/anp1', '/spec/ingress/0'],
    // [ANP] no-op -> [BANP] Deny baseline-deny
    ['deny', 'BaselineAdminNetworkPolicy/default', '/spec/ingress/0'],
    // [ANP] Pass development-ns -> [NPv1] demo/deny-anything-to-pod-a (an implicit deny: no rule)
    ['deny', undefined, undefined],
  ]);
  const third = sim.evaluate({ client: { kind: 'pod', pod: nginx }, server: { kind: 'pod', pod: s.workloads.get('demo/a[Deployment]')! }, port: 81, protocol: 'TCP' });
  assert.match(third.ingress.reason, /NetworkPolicy\/demo\/deny-anything-to-pod-a/);
  assert.match(third.ingress.reason, /passed on by AdminNetworkPolicy\/anp2 \/spec\/ingress\/0/);
});

test('policy-assistant kubecon-eu-2024: probe table on pods a and b, TCP 80 and 81', () => {
  const dir = fixture('network-policy-api/kubecon-eu-2024/');
  const probe = JSON.parse(readFileSync(`${dir}demo-probe.json`, 'utf8')) as { Resources: { Pods: { Namespace: string; Name: string; Labels: Record<string, string>; IP: string; Containers: { Port: number; PortName: string; Protocol: string }[] }[] } };
  const pods = probe.Resources.Pods.map((p): SimPod => ({ namespace: p.Namespace, name: p.Name, labels: p.Labels, ips: [p.IP], hostNetwork: false, ports: p.Containers.map((c) => ({ name: c.PortName, port: c.Port, protocol: c.Protocol.toUpperCase() as 'TCP' })) }));
  const cluster: SimCluster = { namespaces: [{ name: 'demo', labels: { ns: 'demo' } }], nodes: [], pods, services: [], apiserver: [], podCIDRs: [] };
  const sim = createClusterNetworkPolicySimulator(loadObjects([`${dir}policies`]), cluster);
  const [a, b] = pods.map((pod): SimEndpoint => ({ kind: 'pod', pod }));
  const row = (client: SimEndpoint, server: SimEndpoint, port: number): string => {
    const v = sim.evaluate({ client, server, port, protocol: 'TCP' });
    return `${v.verdict} ${v.ingress.by?.policy ?? v.ingress.reason}`;
  };
  assert.equal(row(a!, b!, 80), 'allow AdminNetworkPolicy/anp1');
  assert.equal(row(b!, a!, 80), 'allow AdminNetworkPolicy/anp1');
  assert.equal(row(a!, b!, 81), 'deny BaselineAdminNetworkPolicy/default', 'anp2 passes before anp3 denies; b has no NetworkPolicy');
  assert.match(row(b!, a!, 81), /^deny isolated for ingress by NetworkPolicy\/demo\/deny-to-pod-a/);
  // Egress is unaffected: no policy has egress rules.
  assert.equal(sim.evaluate({ client: a!, server: { kind: 'external', ip: '1.1.1.1' }, port: 443, protocol: 'TCP' }).verdict, 'allow');
});
