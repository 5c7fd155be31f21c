/**
 * Cilium host policies: a CiliumClusterwideNetworkPolicy with a `nodeSelector` instead of an
 * `endpointSelector` (cilium/cilium Documentation/security/policy/host.rst: "Host policies take the
 * form of a CiliumClusterwideNetworkPolicy with a NodeSelector instead of an EndpointSelector";
 * pkg/policy/api/rule.go NodeSelector: "EndpointSelector and NodeSelector cannot be both empty and
 * are mutually exclusive"). With the host firewall on (cilium-config `enable-host-firewall`, Helm
 * `hostFirewall.enabled`) they apply to the host endpoint (`reserved:host` plus the node's labels,
 * Documentation/security/host-firewall.rst `cilium-dbg endpoint list`: `k8s:node-access=ssh`,
 * `reserved:host`) of each node they select, "only to the host namespace, including
 * host-networking pods" (host.rst); a direction with rules is then default deny
 * (Documentation/security/policy/intro.rst, "default" mode). Without the host firewall they do
 * nothing. Input → expected verdict, case by case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciliumSimulator, type CiliumSimulatorOptions } from '../../recommender/simulate/cilium.ts';
import type { SimCluster, SimEndpoint, SimNode, SimPod } from '../../recommender/simulate/types.ts';

const nodeA: SimNode = { name: 'node-a', labels: { 'node-access': 'ssh', 'kubernetes.io/os': 'linux' }, ips: ['10.0.0.1'] };
const nodeB: SimNode = { name: 'node-b', labels: { 'kubernetes.io/os': 'linux' }, ips: ['10.0.0.2'] };

function pod(namespace: string, labels: Record<string, string>, ip: string, node: string, extra: Partial<SimPod> = {}): SimPod {
  return { namespace, name: Object.values(labels)[0] ?? 'pod', labels, ips: [ip], node, hostNetwork: false, ports: [], ...extra };
}
const prom = pod('stacklight', { app: 'prometheus-server' }, '10.1.0.5', 'node-b');
const exporter = pod('stacklight', { app: 'node-exporter' }, '10.0.0.1', 'node-a', { hostNetwork: true, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] });
const exporterB = pod('stacklight', { app: 'node-exporter' }, '10.0.0.2', 'node-b', { hostNetwork: true, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] });

const settings = (enableHostFirewall?: boolean): SimCluster['ciliumPolicy'] => ({ policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', ...(enableHostFirewall === undefined ? {} : { enableHostFirewall }) });
const clusterWith = (enableHostFirewall?: boolean): SimCluster => ({
  namespaces: [{ name: 'stacklight', labels: {} }],
  nodes: [nodeA, nodeB],
  pods: [prom, exporter, exporterB],
  services: [],
  apiserver: [],
  podCIDRs: ['10.1.0.0/16'],
  ciliumClusterName: 'default',
  ciliumPolicy: settings(enableHostFirewall),
});

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const NODE = (n: SimNode): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const EXT = (ip: string): SimEndpoint => ({ kind: 'external', ip });
const ccnp = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });

/** The s31h host firewall: every node, ingress from the cluster on the kubelet's port and ssh only. */
const hostFw = ccnp('host-fw', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }, { port: '22', protocol: 'TCP' }] }] }] });

function evaluate(policies: unknown[], client: SimEndpoint, server: SimEndpoint, port: number, enableHostFirewall?: boolean, options?: CiliumSimulatorOptions) {
  return ciliumSimulator(policies, clusterWith(enableHostFirewall), options).evaluate({ client, server, port, protocol: 'TCP' });
}

test('with the host firewall on, a host policy selecting the node isolates its host-network pods on ingress: what its rules do not allow is dropped (host.rst; intro.rst default mode)', () => {
  const v = evaluate([hostFw], P(prom), P(exporter), 9100, true);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.ingress.isolated, true);
  assert.match(v.ingress.reason, /selecting the host endpoint of node node-a \(CiliumClusterwideNetworkPolicy\/host-fw\) allows/);
  assert.match(v.ingress.reason, /default deny/);
  const kubelet = evaluate([hostFw], P(prom), P(exporter), 10250, true);
  assert.equal(kubelet.verdict, 'allow', 'the cluster entity holds every pod of the cluster (language.rst "Entities based")');
  assert.deepEqual(kubelet.ingress.by, { policy: 'CiliumClusterwideNetworkPolicy/host-fw', rule: '/spec/ingress/0' });
});

test('with the host firewall on, flows to the node itself are judged by the host policies too (host.rst: the host namespace); remote-node is in the cluster entity', () => {
  assert.equal(evaluate([hostFw], NODE(nodeB), NODE(nodeA), 22, true).verdict, 'allow');
  assert.equal(evaluate([hostFw], NODE(nodeB), NODE(nodeA), 9100, true).verdict, 'deny');
  assert.equal(evaluate([hostFw], EXT('203.0.113.9'), NODE(nodeA), 22, true).verdict, 'deny', 'world is not in the cluster entity');
});

test('a nodeSelector selects nodes by their labels as the host endpoint holds them: another node is not isolated, and a label the label filter drops selects nothing (pkg/labelsfilter defaults)', () => {
  const ssh = ccnp('ssh-only', { nodeSelector: { matchLabels: { 'node-access': 'ssh' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] });
  assert.equal(evaluate([ssh], P(prom), P(exporter), 9100, true).verdict, 'deny', 'node-a is labelled node-access=ssh');
  const onB = evaluate([ssh], P(prom), P(exporterB), 9100, true);
  assert.equal(onB.verdict, 'allow', 'node-b is not selected');
  assert.equal(onB.ingress.isolated, false);
  const os = ccnp('linux', { nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } }, ingress: [{ fromEntities: ['world'] }] });
  assert.equal(evaluate([os], P(prom), P(exporter), 9100, true).verdict, 'allow', 'kubernetes.io/ labels are not in the host identity');
});

test('deny rules of host policies win over their allows, as for endpoints (language.rst "Deny Policies")', () => {
  const denyProm = ccnp('deny-9100', { nodeSelector: {}, ingressDeny: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9100', protocol: 'TCP' }] }] }] });
  const allowAll = ccnp('allow-all', { nodeSelector: {}, ingress: [{ fromEntities: ['all'] }] });
  const v = evaluate([denyProm, allowAll], P(prom), P(exporter), 9100, true);
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.ingress.by, { policy: 'CiliumClusterwideNetworkPolicy/deny-9100', rule: '/spec/ingressDeny/0' });
  assert.equal(evaluate([denyProm, allowAll], P(prom), P(exporter), 22, true).verdict, 'allow');
});

test('host egress: a host policy with egress rules isolates what host-network pods and the node send', () => {
  const egress = ccnp('host-out', { nodeSelector: {}, egress: [{ toEntities: ['cluster'] }] });
  const out = evaluate([egress], P(exporter), EXT('203.0.113.9'), 443, true);
  assert.equal(out.verdict, 'deny');
  assert.equal(out.egress.isolated, true);
  assert.equal(evaluate([egress], P(exporter), P(prom), 9090, true).verdict, 'allow');
  assert.equal(evaluate([egress], NODE(nodeA), EXT('203.0.113.9'), 443, true).verdict, 'deny');
});

test('without the host firewall (off, or not said), host policies do nothing: a host-network pod is no Cilium endpoint', () => {
  for (const firewall of [false, undefined]) {
    const v = evaluate([hostFw], P(prom), P(exporter), 9100, firewall);
    assert.equal(v.verdict, 'allow');
    assert.match(v.ingress.reason, /a host-network pod is not a Cilium endpoint/);
  }
  assert.equal(evaluate([hostFw], P(prom), P(exporter), 9100, undefined, { hostFirewall: true }).verdict, 'deny', 'the option overrides the inventory');
});

test('an endpointSelector rule never selects the host endpoint, whatever it matches (pkg/policy rule.go: a rule selects nodes only by its nodeSelector)', () => {
  const all = ccnp('all', { endpointSelector: {}, ingress: [{}] });
  const v = evaluate([all], P(prom), P(exporter), 9100, true);
  assert.equal(v.verdict, 'allow');
  assert.equal(v.ingress.isolated, false);
});

/**
 * s31j: a control-plane node running kube-apiserver in its host network. The apiserver's address is
 * then the node's, and its traffic the node's host namespace: host policies selecting the node judge
 * it (host.rst: "only to the host namespace"; host-firewall.rst warns not to block "communication
 * with kube-apiserver", and its example host policy allows 6443 for that reason).
 */
const cp: SimNode = { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, ips: ['10.0.0.9'] };
const APISERVER: SimEndpoint = { kind: 'apiserver', ip: '10.0.0.9' };
function withApiserverOnNode(enableHostFirewall: boolean): SimCluster {
  const c = clusterWith(enableHostFirewall);
  return { ...c, nodes: [...c.nodes, cp], apiserver: [{ ip: '10.0.0.9', port: 6443, protocol: 'TCP' }] };
}
const toApiserver = (policies: unknown[], client: SimEndpoint, enableHostFirewall = true) =>
  ciliumSimulator(policies, withApiserverOnNode(enableHostFirewall)).evaluate({ client, server: APISERVER, port: 6443, protocol: 'TCP' });

test('an apiserver at a node address is that node\'s host endpoint: a host policy selecting the node and not allowing 6443 drops what the apiserver receives (host-firewall.rst)', () => {
  for (const client of [P(prom), EXT('203.0.113.9'), NODE(nodeA)]) {
    const v = toApiserver([hostFw], client);
    assert.equal(v.verdict, 'deny', JSON.stringify(v));
    assert.equal(v.ingress.isolated, true);
    assert.match(v.ingress.reason, /selecting the host endpoint of node cp-1 \(CiliumClusterwideNetworkPolicy\/host-fw\) allows .* on 6443\/TCP \(default deny\)/);
  }
  const with6443 = ccnp('api', { nodeSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] });
  assert.equal(toApiserver([hostFw, with6443], P(prom)).verdict, 'allow');
  const workersOnly = ccnp('workers', { nodeSelector: { matchLabels: { 'node-access': 'ssh' } }, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] });
  assert.equal(toApiserver([workersOnly], P(prom)).verdict, 'allow', 'cp-1 is not selected');
  assert.equal(toApiserver([hostFw], P(prom), false).verdict, 'allow', 'without the host firewall nothing changes');
  assert.match(toApiserver([hostFw], P(prom), false).ingress.reason, /the apiserver is not a Cilium endpoint/);
});

test('an apiserver off the nodes stays outside every endpoint, host policies or not', () => {
  const v = ciliumSimulator([hostFw], clusterWith(true)).evaluate({ client: P(prom), server: { kind: 'apiserver', ip: '192.0.2.10' }, port: 6443, protocol: 'TCP' });
  assert.equal(v.verdict, 'allow');
  assert.match(v.ingress.reason, /the apiserver is not a Cilium endpoint/);
});

test('a podless host-network workload placed at one node (SimPod anyNode) is judged at each host-policy selection too, denied where any node\'s host policies deny (s31j; host.rst)', () => {
  const ssh = ccnp('ssh-only', { nodeSelector: { matchLabels: { 'node-access': 'ssh' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] });
  const agentOnB = pod('stacklight', { app: 'agent' }, '10.0.0.2', 'node-b', { hostNetwork: true });
  const podless = evaluate([ssh], P(prom), P({ ...agentOnB, anyNode: true }), 9100, true);
  assert.equal(podless.verdict, 'deny', 'on node-a, which the host policy selects, 9100 is dropped');
  assert.match(podless.ingress.reason, /host endpoint of node node-a \(CiliumClusterwideNetworkPolicy\/ssh-only\)/);
  assert.equal(evaluate([ssh], P(prom), P(agentOnB), 9100, true).verdict, 'allow', 'a pod that runs on node-b is judged there only');
  assert.equal(evaluate([ssh], NODE(nodeA), P({ ...agentOnB, anyNode: true }), 9100, true).verdict, 'allow', "on node-a node-a's own traffic stays in its host namespace");
});

/**
 * A host policy with `enableDefaultDeny: false` leaves what no deny rule matches allowed, as for
 * pods (pkg/policy/api rule.go EnableDefaultDeny; language.rst "Deny Policies"): the verdict's words
 * name the host endpoint and the policies that select it, as every other host-endpoint verdict does,
 * never "the pod" — a node is no pod.
 */
test('a host policy without default deny: the allowed verdict names the host endpoint of the node and its policy, not "the pod"', () => {
  const noDefaultDeny = ccnp('nodd', { nodeSelector: {}, enableDefaultDeny: { ingress: false, egress: false }, ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }], egressDeny: [{ toCIDR: ['198.51.100.0/24'] }] });
  const ingress = evaluate([noDefaultDeny], EXT('203.0.113.5'), NODE(nodeB), 80, true).ingress;
  assert.equal(ingress.allowed, true);
  assert.equal(ingress.reason, 'the rules selecting the host endpoint of node node-b (CiliumClusterwideNetworkPolicy/nodd) set enableDefaultDeny.ingress: false, so what no deny rule matches is allowed');
  const egress = evaluate([noDefaultDeny], P(exporter), EXT('203.0.113.7'), 443, true).egress;
  assert.equal(egress.reason, 'the rules selecting the host endpoint of node node-a (CiliumClusterwideNetworkPolicy/nodd) set enableDefaultDeny.egress: false, so what no deny rule matches is allowed');
  const onPod = evaluate([ccnp('pods', { endpointSelector: {}, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEntities: ['world'] }] })], P(exporter), P(prom), 9090, true).ingress;
  assert.equal(onPod.reason, 'the rules selecting the pod set enableDefaultDeny.ingress: false, so what no deny rule matches is allowed', 'a pod is still "the pod"');
});
