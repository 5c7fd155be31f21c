/**
 * np-guard netpol-analyzer's ACS security demo (the engine behind `roxctl netpol connectivity`),
 * reproduced exactly: its workloads and NetworkPolicies, simulated pair by pair, give its
 * expected connlist (tests/acs-security-demos/connlist_output.json, copied with the manifests
 * into test/fixtures/reference/np-guard/; see SOURCES.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createKubernetesSimulator } from '../../recommender/simulate/kubernetes.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { connlist, connText, probes, type ConnEntry } from '../helpers/connlist.ts';
import { referenceScenario } from '../helpers/reference-cluster.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/np-guard/acs-security-demos/', import.meta.url));
const EXTERNAL = '0.0.0.0-255.255.255.255[External]';
// np-guard's ingress analysis puts the OpenShift ingress controller in openshift-ingress-operator
// (docs/ingress_analysis.md, "Namespace labels checked"); its pod has no labels that matter here.
const INGRESS_CONTROLLER = '{ingress-controller}';

test('np-guard ACS demo: the kubernetes simulator reproduces connlist_output.json exactly', () => {
  const s = referenceScenario([DIR]);
  const sim = createKubernetesSimulator(s.objects, s.cluster);
  const policyPorts = s.objects.flatMap((o) => [...(o.spec?.ingress ?? []), ...(o.spec?.egress ?? [])]).flatMap((r: { ports?: { port?: unknown }[] }) => (r.ports ?? []).map((p) => p.port)).filter((p): p is number => typeof p === 'number');
  const probeSet = probes([...policyPorts, ...s.cluster.pods.flatMap((p) => p.ports.map((cp) => cp.port))]);
  const endpoints = new Map<string, SimEndpoint[]>([...s.workloads].map(([k, pod]) => [k, [{ kind: 'pod', pod }]]));
  endpoints.set(EXTERNAL, ['1.2.3.4', '203.0.113.9', '2001:db8::1'].map((ip) => ({ kind: 'external', ip })));
  const got: ConnEntry[] = connlist(sim, endpoints, probeSet);

  const controller: SimEndpoint = { kind: 'pod', pod: { namespace: 'openshift-ingress-operator', name: 'router', labels: {}, ips: ['10.131.0.2'], hostNetwork: false, ports: [] } };
  for (const [key, exposed] of [...s.routed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pod = s.workloads.get(key)!;
    const allowed = exposed.filter((p) => sim.evaluate({ client: controller, server: { kind: 'pod', pod }, port: p.port, protocol: p.protocol as 'TCP' }).verdict === 'allow');
    if (allowed.length > 0) got.push({ src: INGRESS_CONTROLLER, dst: key, conn: connText(allowed.map((a) => ({ port: a.port, protocol: a.protocol as 'TCP' })), Infinity) });
  }

  const expected = JSON.parse(readFileSync(`${DIR}/connlist_output.json`, 'utf8')) as ConnEntry[];
  const order = (xs: ConnEntry[]): ConnEntry[] => [...xs].sort((a, b) => (`${a.src}|${a.dst}` < `${b.src}|${b.dst}` ? -1 : 1));
  assert.deepEqual(order(got), order(expected));
  assert.equal(expected.length, 14);
});

test('np-guard ACS demo: every allowed connection names its deciding rules', () => {
  const s = referenceScenario([DIR]);
  const sim = createKubernetesSimulator(s.objects, s.cluster);
  const v = sim.evaluate({ client: { kind: 'pod', pod: s.workloads.get('backend/checkout[Deployment]')! }, server: { kind: 'pod', pod: s.workloads.get('payments/gateway[Deployment]')! }, port: 8080, protocol: 'TCP' });
  assert.equal(v.verdict, 'allow');
  assert.deepEqual(v.egress.by, { policy: 'NetworkPolicy/backend/checkout-netpol', rule: '/spec/egress/2' });
  assert.deepEqual(v.ingress.by, { policy: 'NetworkPolicy/payments/gateway-netpol', rule: '/spec/ingress/0' });
  // DNS egress to namespaceSelector {} is allowed by the client, but every pod's ingress is isolated.
  const dns = sim.evaluate({ client: { kind: 'pod', pod: s.workloads.get('backend/checkout[Deployment]')! }, server: { kind: 'pod', pod: s.workloads.get('frontend/webapp[Deployment]')! }, port: 5353, protocol: 'UDP' });
  assert.equal(dns.verdict, 'deny');
  assert.equal(dns.egress.allowed, true);
  assert.equal(dns.ingress.isolated, true);
  assert.equal(dns.ingress.allowed, false);
});
