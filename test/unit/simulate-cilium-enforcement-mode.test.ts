/**
 * Cilium's policy enforcement mode (cilium-config `enable-policy`, Helm `policyEnforcementMode`),
 * cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes":
 * - `default`: "endpoints have unrestricted network access until selected by policy";
 * - `always`: "policy enforcement is enabled on all endpoints even if no rules select specific
 *   endpoints" — pkg/policy/repository.go computePolicyEnforcementAndRules returns default deny in
 *   both directions (`policyMode == option.AlwaysEnforce`), whatever `enableDefaultDeny` says; the
 *   host endpoint only with the host firewall on (`lbls.Has(labels.IDNameHost) &&
 *   !option.Config.EnableHostFirewall` returns no enforcement first);
 * - `never`: "policy enforcement is disabled on all endpoints, even if rules do select specific
 *   endpoints".
 * The mode is read from the inventory's cilium-config (SimCluster.ciliumPolicy.enablePolicy).
 * Input → expected verdict, case by case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimNode, SimPod } from '../../recommender/simulate/types.ts';
import type { CiliumPolicySettings } from '../../domain/inventory.ts';

const nodeA: SimNode = { name: 'node-a', labels: {}, ips: ['10.0.0.1'] };
const nodeB: SimNode = { name: 'node-b', labels: {}, ips: ['10.0.0.2'] };
const pod = (name: string, ip: string, node: string, extra: Partial<SimPod> = {}): SimPod => ({ namespace: 'shop', name, labels: { app: name }, ips: [ip], node, hostNetwork: false, ports: [], ...extra });
const web = pod('web', '10.1.0.5', 'node-b');
const api = pod('api', '10.1.0.6', 'node-a');
const exporter = pod('exporter', '10.0.0.1', 'node-a', { hostNetwork: true });

const cluster = (settings: Partial<CiliumPolicySettings>): SimCluster => ({
  namespaces: [{ name: 'shop', labels: {} }],
  nodes: [nodeA, nodeB],
  pods: [web, api, exporter],
  services: [],
  apiserver: [],
  podCIDRs: ['10.1.0.0/16'],
  ciliumClusterName: 'default',
  ciliumPolicy: { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableHostFirewall: false, ...settings },
});
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const NODE = (n: SimNode): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const cnp = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const evaluate = (policies: unknown[], settings: Partial<CiliumPolicySettings>, client: SimEndpoint, server: SimEndpoint, port = 8080) =>
  ciliumSimulator(policies, cluster(settings)).evaluate({ client, server, port, protocol: 'TCP' });

/** api lets web in on 8080; nothing selects web. */
const apiFromWeb = cnp('api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
/** web may reach api on 8080. */
const webToApi = cnp('web-out', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });

test('a pod no policy selects: enable-policy "always" denies a flow to it (ingress) and from it (egress); "default" and an older import that does not say allow it', () => {
  const always = evaluate([], { enablePolicy: 'always' }, P(web), P(api));
  assert.equal(always.verdict, 'deny');
  assert.equal(always.ingress.allowed, false);
  assert.equal(always.egress.allowed, false);
  assert.match(always.ingress.reason, /no CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy selects the pod with ingress rules allowing pod shop\/web on 8080\/TCP, and the cilium-config sets enable-policy: "always": every endpoint denies what no rule allows \(default deny\)/);
  assert.match(always.egress.reason, /selects the pod with egress rules allowing pod shop\/api on 8080\/TCP, and the cilium-config sets enable-policy: "always"/);
  assert.equal(evaluate([], { enablePolicy: 'default' }, P(web), P(api)).verdict, 'allow');
  assert.equal(evaluate([], {}, P(web), P(api)).verdict, 'allow');
});

test('under "always" an unselected source denies egress: api letting web in is not enough, web must be allowed out too', () => {
  const ingressOnly = evaluate([apiFromWeb], { enablePolicy: 'always' }, P(web), P(api));
  assert.equal(ingressOnly.ingress.allowed, true);
  assert.equal(ingressOnly.egress.allowed, false);
  assert.equal(evaluate([apiFromWeb, webToApi], { enablePolicy: 'always' }, P(web), P(api)).verdict, 'allow');
  assert.equal(evaluate([apiFromWeb], { enablePolicy: 'default' }, P(web), P(api)).verdict, 'allow');
});

test('under "always" enableDefaultDeny: false does not lift the default deny (repository.go returns default deny before reading it)', () => {
  const audit = cnp('dns-visibility', { endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'other' } }] }] });
  assert.equal(evaluate([audit, webToApi], { enablePolicy: 'default' }, P(web), P(api)).ingress.allowed, true);
  assert.equal(evaluate([audit, webToApi], { enablePolicy: 'always' }, P(web), P(api)).ingress.allowed, false);
});

test('"never": no policy is enforced, even one that selects the pod and denies', () => {
  const deny = cnp('api-deny', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] });
  assert.equal(evaluate([deny], { enablePolicy: 'default' }, P(web), P(api)).verdict, 'deny');
  const never = evaluate([deny], { enablePolicy: 'never' }, P(web), P(api));
  assert.equal(never.verdict, 'allow');
  assert.match(never.ingress.reason, /enable-policy: "never"/);
});

test('under "always" the host endpoint is default deny only where the host firewall is on; the local host still reaches its own pods', () => {
  const on = evaluate([], { enablePolicy: 'always', enableHostFirewall: true }, P(web), P(exporter), 9100);
  assert.equal(on.verdict, 'deny');
  assert.match(on.ingress.reason, /no CiliumClusterwideNetworkPolicy with a nodeSelector selects the host endpoint of node node-a with ingress rules allowing/);
  assert.equal(evaluate([], { enablePolicy: 'always', enableHostFirewall: true }, NODE(nodeB), P(exporter), 9100).ingress.allowed, false);
  assert.equal(evaluate([], { enablePolicy: 'always', enableHostFirewall: false }, P(web), P(exporter), 9100).ingress.allowed, true);
  // allow-localhost (auto = always under Kubernetes) is added to the endpoint's policy whatever the mode enforces.
  assert.equal(evaluate([], { enablePolicy: 'always', enableHostFirewall: false }, NODE(nodeA), P(api)).verdict, 'allow');
});

test('Kubernetes NetworkPolicies, which Cilium enforces as its own rules, follow the mode too: "never" lets through what one denies, "always" denies what none allows', () => {
  const isolateApi = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-closed', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] } };
  const flow = { client: P(web), server: P(api), port: 8080, protocol: 'TCP' as const };
  assert.equal(SIMULATORS.cilium([isolateApi], cluster({ enablePolicy: 'default' })).evaluate(flow).verdict, 'deny');
  assert.equal(SIMULATORS.cilium([isolateApi], cluster({ enablePolicy: 'never' })).evaluate(flow).verdict, 'allow');
  assert.equal(SIMULATORS.cilium([isolateApi], cluster({ enablePolicy: 'never' })).allows!(flow, 'ingress'), true);
  const webOut = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-out', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] } };
  const always = SIMULATORS.cilium([webOut], cluster({ enablePolicy: 'always' })).evaluate(flow);
  assert.equal(always.egress.allowed, true);
  assert.equal(always.ingress.allowed, false);
});
