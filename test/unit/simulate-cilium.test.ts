/**
 * The `cilium` simulator, case by case: input → expected verdict, each citing where the verdict
 * comes from. "language.rst" is cilium/cilium Documentation/security/policy/language.rst (the
 * policy language page, docs.cilium.io "Layer 3/4 Examples"); code paths are cilium/cilium.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciliumSimulator, type CiliumSimulatorOptions } from '../../recommender/simulate/cilium.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod, SimProtocol } from '../../recommender/simulate/types.ts';

const nodeA = { name: 'node-a', labels: {}, ips: ['10.0.0.1'] };
const nodeB = { name: 'node-b', labels: {}, ips: ['10.0.0.2'] };
const cp = { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' }, ips: ['10.0.0.10'] };

function pod(namespace: string, labels: Record<string, string>, ip: string, node: string, extra: Partial<SimPod> = {}): SimPod {
  return { namespace, name: Object.values(labels)[0] ?? 'pod', labels, ips: [ip], node, hostNetwork: false, ports: [], ...extra };
}

const web = pod('shop', { app: 'web' }, '10.1.0.1', 'node-a', { serviceAccount: 'web-sa' });
const api = pod('shop', { app: 'api' }, '10.1.0.2', 'node-b', {
  ports: [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'metrics', port: 9090, protocol: 'TCP' },
  ],
});
const webElsewhere = pod('monitoring', { app: 'web' }, '10.1.1.2', 'node-b');
const prom = pod('monitoring', { app: 'prometheus' }, '10.1.1.1', 'node-a', { ports: [{ name: 'http', port: 9091, protocol: 'TCP' }] });
const exporter = pod('monitoring', { app: 'node-exporter' }, '10.0.0.1', 'node-a', { hostNetwork: true, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] });
const dns = pod('kube-system', { 'k8s-app': 'kube-dns' }, '10.1.2.1', 'node-b', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });

const cluster: SimCluster = {
  namespaces: [
    { name: 'shop', labels: { team: 'a' } },
    { name: 'monitoring', labels: { team: 'ops' } },
    { name: 'kube-system', labels: {} },
  ],
  nodes: [nodeA, nodeB, cp],
  pods: [web, api, webElsewhere, prom, exporter, dns],
  services: [{ namespace: 'default', name: 'kubernetes', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] }],
  apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.1.0.0/16'],
  dnsNames: new Map([['203.0.113.5', ['api.example.com']]]),
};

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const EXT = (ip: string, names?: string[]): SimEndpoint => (names ? { kind: 'external', ip, names } : { kind: 'external', ip });
const NODE = (n: typeof nodeA): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const APISERVER: SimEndpoint = { kind: 'apiserver', ip: '10.0.0.10' };

function cnp(namespace: string, name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}
function ccnp(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

function verdict(policies: unknown[], client: SimEndpoint, server: SimEndpoint, port: number, protocol: SimProtocol = 'TCP', options?: CiliumSimulatorOptions) {
  const flow: SimFlow = { client, server, port, protocol };
  return ciliumSimulator(policies, cluster, options).evaluate(flow);
}
const allows = (...a: Parameters<typeof verdict>): boolean => verdict(...a).verdict === 'allow';

const ingressFrom = (peer: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  cnp('shop', 'api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ ...peer, ...extra }] });
const egressTo = (peer: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  cnp('shop', 'web-out', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ ...peer, ...extra }] });

test('no rule selects the pod: allowed and not isolated (language.rst "Ingress/Egress Default Deny": only a selecting rule with that section enables default deny)', () => {
  const v = verdict([], P(web), P(api), 8080);
  assert.equal(v.verdict, 'allow');
  assert.equal(v.ingress.isolated, false);
  assert.equal(v.egress.isolated, false);
});

test('fromEndpoints is scoped to the policy namespace (language.rst "Endpoints based" note → k8s_namespaces; utils.go getEndpointSelector)', () => {
  const p = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] });
  const v = verdict([p], P(web), P(api), 8080);
  assert.equal(v.verdict, 'allow');
  assert.deepEqual(v.ingress.by, { policy: 'CiliumNetworkPolicy/shop/api-in', rule: '/spec/ingress/0' });
  // The same labels in another namespace do not match.
  assert.equal(allows([p], P(webElsewhere), P(api), 8080), false);
  // An explicit namespace label opens it to that namespace (kubernetes policy docs "Namespaces": k8s:io.kubernetes.pod.namespace).
  const cross = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }] });
  assert.equal(allows([cross], P(webElsewhere), P(api), 8080), true);
  assert.equal(allows([cross], P(web), P(api), 8080), false);
  // Namespace labels (io.cilium.k8s.namespace.labels.*) are not scoped to the policy namespace (getEndpointSelector).
  const byNsLabel = ingressFrom({ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'ops' } }] });
  assert.equal(allows([byNsLabel], P(prom), P(api), 8080), true);
  assert.equal(allows([byNsLabel], P(web), P(api), 8080), false);
  // kubernetes.io/metadata.name is a namespace label like any other.
  const byNsName = ingressFrom({ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'monitoring' } }] });
  assert.equal(allows([byNsName], P(prom), P(api), 8080), true);
});

test('a CNP endpointSelector never selects pods of another namespace, even when it names one (utils.go ParseToCiliumRule: the namespace match is overwritten)', () => {
  const p = cnp('shop', 'x', { endpointSelector: { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }, ingress: [{}] });
  assert.equal(verdict([p], P(prom), P(webElsewhere), 80).ingress.isolated, false);
  assert.equal(allows([p], P(prom), P(web), 80), false);
});

test('one selector object in the policies of several namespaces is scoped by each, unless it names the pod namespace (utils.go getEndpointSelector; emitted manifests share peer objects)', () => {
  // Three policies sharing one peer selector object: CNPs in shop and monitoring, and a CCNP.
  const sharing = (peer: object): unknown[] => [
    cnp('shop', 'api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [peer] }] }),
    cnp('monitoring', 'prom-in', { endpointSelector: { matchLabels: { app: 'prometheus' } }, ingress: [{ fromEndpoints: [peer] }] }),
    ccnp('dns-in', { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ fromEndpoints: [peer] }] }),
  ];
  // web (shop) and webElsewhere (monitoring) both have app=web: each CNP's namespace scopes the selector, the CCNP's matches pods of every namespace.
  const unnamed = sharing({ matchLabels: { app: 'web' } });
  assert.equal(allows(unnamed, P(web), P(api), 8080), true);
  assert.equal(allows(unnamed, P(webElsewhere), P(api), 8080), false);
  assert.equal(allows(unnamed, P(webElsewhere), P(prom), 9091), true);
  assert.equal(allows(unnamed, P(web), P(prom), 9091), false);
  assert.equal(allows(unnamed, P(web), P(dns), 53, 'UDP'), true);
  assert.equal(allows(unnamed, P(webElsewhere), P(dns), 53, 'UDP'), true);
  // Naming the namespace: the same pods from every policy.
  const named = sharing({ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } });
  assert.equal(allows(named, P(webElsewhere), P(api), 8080), true);
  assert.equal(allows(named, P(web), P(api), 8080), false);
  assert.equal(allows(named, P(webElsewhere), P(prom), 9091), true);
  assert.equal(allows(named, P(webElsewhere), P(dns), 53, 'UDP'), true);
  assert.equal(allows(named, P(web), P(dns), 53, 'UDP'), false);
});

test('a CCNP selects across namespaces; its peer selectors match pods only (utils.go getEndpointSelector: namespace label Exists)', () => {
  const p = ccnp('all-web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{}] }] });
  assert.equal(verdict([p], P(webElsewhere), P(api), 8080).egress.by?.policy, 'CiliumClusterwideNetworkPolicy/all-web');
  assert.equal(allows([p], P(web), P(api), 8080), true);
  assert.equal(allows([p], P(web), EXT('198.51.100.7'), 443), false);
  assert.equal(allows([p], P(web), NODE(nodeB), 10250), false);
});

test('entities: world is outside the cluster only (language.rst "Entities based": world = all endpoints outside of the cluster)', () => {
  const p = egressTo({ toEntities: ['world'] });
  assert.equal(allows([p], P(web), EXT('198.51.100.7'), 443), true);
  assert.equal(allows([p], P(web), P(api), 8080), false, 'pods are not world');
  assert.equal(allows([p], P(web), NODE(nodeB), 10250), false, 'nodes are not world');
  assert.equal(allows([p], P(web), APISERVER, 6443), false, 'an in-cluster apiserver is not world');
});

test('entities: host is the local node incl. its host-network pods, remote-node the others (language.rst entities table)', () => {
  const host = ingressFrom({ fromEntities: ['host'] });
  // exporter runs on node-a with hostNetwork; api runs on node-b, web on node-a.
  assert.equal(allows([host], P(exporter), P(api), 8080), false, 'node-a is a remote node for api');
  const remote = ingressFrom({ fromEntities: ['remote-node'] });
  assert.equal(allows([remote], P(exporter), P(api), 8080), true);
  assert.equal(allows([remote], NODE(nodeB), P(api), 8080, 'TCP', { allowLocalhost: 'policy' }), false, "node-b is api's own host, not remote-node");
  const agentOnB = pod('monitoring', { app: 'agent' }, '10.0.0.2', 'node-b', { hostNetwork: true });
  delete agentOnB.node;
  assert.equal(allows([host], P(agentOnB), P(api), 8080, 'TCP', { allowLocalhost: 'policy' }), true, 'a host-network pod of unknown node is the node owning its address');
  const egressHost = egressTo({ toEntities: ['host'] });
  assert.equal(allows([egressHost], P(web), P(exporter), 9100), true, 'host-network pod on the same node is host');
  assert.equal(allows([egressHost], P(web), NODE(nodeB), 10250), false);
});

test('entities: kube-apiserver matches the apiserver addresses, which are also remote-node when on a node (pkg/identity: ReservedIdentityKubeAPIServer = kube-apiserver + remote-node)', () => {
  const api6443 = egressTo({ toEntities: ['kube-apiserver'] }, { toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] });
  assert.equal(allows([api6443], P(web), APISERVER, 6443), true);
  assert.equal(allows([api6443], P(web), NODE(cp), 6443), true, 'the node address is the apiserver endpoint');
  assert.equal(allows([api6443], P(web), NODE(nodeB), 6443), false);
  assert.equal(allows([egressTo({ toEntities: ['remote-node'] })], P(web), APISERVER, 6443), true);
  // Outside the cluster (managed control planes) the apiserver is world and kube-apiserver (ipcache resolveIdentity).
  const external = { kind: 'apiserver', ip: '192.0.2.10' } as const;
  assert.equal(allows([api6443], P(web), external, 6443), true);
  assert.equal(allows([egressTo({ toEntities: ['world'] })], P(web), external, 6443), true);
  assert.equal(allows([egressTo({ toEntities: ['remote-node'] })], P(web), external, 6443), false);
});

test('entities: cluster is every in-cluster endpoint, all is everything (entity.go InitEntities; language.rst)', () => {
  const c = egressTo({ toEntities: ['cluster'] });
  assert.equal(allows([c], P(web), P(prom), 9091), true);
  assert.equal(allows([c], P(web), NODE(nodeB), 10250), true);
  assert.equal(allows([c], P(web), APISERVER, 6443), true);
  assert.equal(allows([c], P(web), EXT('198.51.100.7'), 443), false);
  const a = egressTo({ toEntities: ['all'] });
  assert.equal(allows([a], P(web), EXT('198.51.100.7'), 443), true);
  assert.equal(allows([a], P(web), NODE(nodeB), 10250), true);
});

test('CIDR peers match world only by default; nodes with policy-cidr-match-mode: nodes (language.rst "Selecting nodes with CIDR / ipBlock")', () => {
  const p = egressTo({ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.200.0.0/16'] }] });
  assert.equal(allows([p], P(web), P(api), 8080), false, 'a pod IP inside the CIDR is not selected');
  assert.equal(allows([p], P(web), NODE(nodeB), 10250), false, 'a node IP inside the CIDR is not selected by default');
  assert.equal(allows([p], P(web), EXT('10.50.0.1'), 443), true);
  assert.equal(allows([p], P(web), EXT('10.200.0.1'), 443), false, 'except');
  // A block of addresses (a folded edge's peer, docs/ingest.md "Bounded by design") is selected only when every address of it is.
  assert.equal(allows([p], P(web), EXT('10.50.0.0/16'), 443), true, 'a block outside the except');
  assert.equal(allows([p], P(web), EXT('10.200.0.0/24'), 443), false, 'a block inside the except');
  assert.equal(allows([p], P(web), EXT('10.0.0.0/8'), 443), false, 'a block the except cuts into');
  assert.equal(allows([p], P(web), EXT('0.0.0.0/0'), 443), false, 'a block wider than the CIDR');
  // A deny rule cuts a block as soon as it holds part of it (deny rules win over allows, docs.cilium.io "Deny Policies").
  const denyPart = cnp('shop', 'no-lab', { endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [{ toCIDR: ['10.50.128.0/17'] }] });
  assert.equal(allows([p, denyPart], P(web), EXT('10.50.0.0/16'), 443), false, 'a deny that cuts part of the block');
  assert.equal(allows([p, denyPart], P(web), EXT('10.50.0.0/17'), 443), true, 'a block the deny does not touch');
  assert.equal(allows([p], P(web), NODE(nodeB), 10250, 'TCP', { cidrMatchesNodes: true }), true);
  assert.equal(allows([p], P(web), P(api), 8080, 'TCP', { cidrMatchesNodes: true }), false, 'pods never');
  // An "external" address that is a node's is that node (Cilium decides by IP).
  assert.equal(allows([p], P(web), EXT('10.0.0.2'), 10250), false);
  const plain = egressTo({ toCIDR: ['198.51.100.7/32'] });
  assert.equal(allows([plain], P(web), EXT('198.51.100.7'), 443), true);
});

// Where the agent accepts an except wider than its prefix (Cilium up to 1.19; refused since
// cilium/cilium#44637), every address of the prefix is in the except, so the rule selects none:
// "ExceptCIDRs contains the CIDR itself. In this case nothing should be allowed" (cilium/cilium#14516).
test('an except wider than its prefix, where the agent accepts it, leaves nothing of the prefix selected (cilium/cilium#14516)', () => {
  const wider = egressTo({ toCIDRSet: [{ cidr: '10.50.0.0/16', except: ['10.0.0.0/8'] }] });
  const accepted = { enforceAdmission: false };
  assert.equal(allows([wider], P(web), EXT('10.50.0.1'), 443, 'TCP', accepted), false, 'an address of the prefix');
  assert.equal(allows([wider], P(web), EXT('10.50.0.0/24'), 443, 'TCP', accepted), false, 'a block of the prefix');
  assert.equal(allows([wider], P(web), EXT('10.60.0.1'), 443, 'TCP', accepted), false, 'outside the prefix');
  const denyWider = cnp('shop', 'deny-wider', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDRSet: [{ cidr: '10.50.0.0/16', except: ['10.0.0.0/8'] }] }] });
  assert.equal(allows([denyWider], P(web), EXT('10.50.0.1'), 443, 'TCP', accepted), true, 'a deny rule with it denies nothing');
});

test('toPorts: port "0" is every port, ANY every protocol, endPort a range (language.rst "Layer 4 Examples"; l4.go; rule.go mergeIngress)', () => {
  const all = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }, { toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] });
  assert.equal(allows([all], P(web), P(api), 12345), true);
  assert.equal(allows([all], P(web), P(api), 12345, 'UDP'), false);
  const any = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }, { toPorts: [{ ports: [{ port: '53' }] }] });
  assert.equal(allows([any], P(web), P(api), 53, 'UDP'), true);
  assert.equal(allows([any], P(web), P(api), 53, 'SCTP'), true);
  const range = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }, { toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] });
  assert.equal(allows([range], P(web), P(api), 8080), true);
  assert.equal(allows([range], P(web), P(api), 8101), false);
  // toPorts without L3 peers: every peer on those ports (rule.go: empty selector slice = all at L3).
  const portsOnly = cnp('shop', 'p', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
  assert.equal(allows([portsOnly], EXT('198.51.100.7'), P(api), 8080), true);
  assert.equal(allows([portsOnly], EXT('198.51.100.7'), P(api), 8081), false);
  // A port rule with no ports allows nothing.
  const noPorts = ingressFrom({ fromEndpoints: [{}] }, { toPorts: [{}] });
  assert.equal(allows([noPorts], P(web), P(api), 8080), false);
});

test('named ports: ingress resolves on the pod, egress cluster-wide and only when unambiguous (pkg/policy/types NamedPortMultiMap.GetNamedPort)', () => {
  const inHttp = ingressFrom({ fromEndpoints: [{}] }, { toPorts: [{ ports: [{ port: 'HTTP', protocol: 'TCP' }] }] });
  assert.equal(allows([inHttp], P(web), P(api), 8080), true, 'api names 8080 http (names are case-insensitive)');
  assert.equal(allows([inHttp], P(web), P(api), 9091), false);
  const outHttp = egressTo({ toEndpoints: [{}] }, { toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] });
  assert.equal(allows([outHttp], P(web), P(api), 8080), false, 'http is 8080 on api and 9091 on prometheus: ambiguous');
  const outDns = egressTo({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }] }, { toPorts: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] });
  assert.equal(allows([outDns], P(web), P(dns), 53, 'UDP'), true);
});

test('an egress named port is never resolved on a host-network pod: the agent stores no named ports for one (cilium/cilium pkg/k8s/watchers/pod.go updatePodHostData returns on Spec.HostNetwork before "Store Named ports, if any")', () => {
  // `scrape` is declared only by a host-network DaemonSet pod on node-b: no pod gives it a number.
  const agent = pod('mon', { app: 'agent' }, '10.0.0.2', 'node-b', { hostNetwork: true, ports: [{ name: 'scrape', port: 9100, protocol: 'TCP' }] });
  const toRemoteNodeScrape = egressTo({ toEntities: ['remote-node'] }, { toPorts: [{ ports: [{ port: 'scrape', protocol: 'TCP' }] }] });
  const withAgent: SimCluster = { ...cluster, pods: [...cluster.pods, agent] };
  const v = ciliumSimulator([toRemoteNodeScrape], withAgent).evaluate({ client: P(web), server: P(agent), port: 9100, protocol: 'TCP' });
  assert.equal(v.verdict, 'deny');
  assert.equal(ciliumSimulator([toRemoteNodeScrape], withAgent).evaluate({ client: P(web), server: NODE(nodeB), port: 9100, protocol: 'TCP' }).verdict, 'deny');
  // The metrics name: 9090 on api, 9100 only on the host-network exporter, so it is api's 9090.
  const outMetrics = egressTo({ toEndpoints: [{}] }, { toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] });
  assert.equal(allows([outMetrics], P(web), P(api), 9090), true);
  // Control: a pod on the pod network declaring the name gives it its number.
  const scraper = pod('mon', { app: 'scraper' }, '10.1.3.1', 'node-a', { ports: [{ name: 'scrape', port: 9100, protocol: 'TCP' }] });
  const withScraper: SimCluster = { ...withAgent, pods: [...withAgent.pods, scraper] };
  assert.equal(ciliumSimulator([toRemoteNodeScrape], withScraper).evaluate({ client: P(web), server: P(agent), port: 9100, protocol: 'TCP' }).verdict, 'allow');
});

test('deny rules win over allow rules (language.rst "Deny Policies"; repository: deny entries take precedence)', () => {
  const allowAll = ingressFrom({ fromEntities: ['all'] });
  const denyWeb = cnp('shop', 'deny-web', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
  const v = verdict([allowAll, denyWeb], P(web), P(api), 8080);
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.ingress.by, { policy: 'CiliumNetworkPolicy/shop/deny-web', rule: '/spec/ingressDeny/0' });
  assert.equal(allows([allowAll, denyWeb], P(web), P(api), 9090), true, 'the deny is on 8080 only');
  assert.equal(allows([allowAll, denyWeb], P(prom), P(api), 8080), true);
});

test('default deny: an empty rule isolates, an empty list does not, enableDefaultDeny false only adds (rule_validation.go Sanitize; repository.go computePolicyEnforcementAndRules)', () => {
  const emptyRule = cnp('shop', 'd', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}] });
  const v = verdict([emptyRule], P(web), P(api), 8080);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.ingress.isolated, true);
  assert.equal(v.ingress.by, undefined);
  const emptyList = cnp('shop', 'd', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [] });
  assert.equal(verdict([emptyList], P(web), P(api), 8080).ingress.isolated, false);
  const nonDefaultDeny = cnp('shop', 'n', { endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] });
  assert.equal(allows([nonDefaultDeny], P(prom), P(api), 8080), true);
  assert.equal(allows([nonDefaultDeny], P(prom), P(api), 8080, 'TCP', { nonDefaultDenyPolicies: false }), false);
  // Egress only: ingress stays open.
  const egressOnly = cnp('shop', 'e', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{}] });
  assert.equal(allows([egressOnly], P(web), P(api), 8080), true);
  assert.equal(allows([egressOnly], P(api), P(web), 8080), false);
  // policy-enforcement-mode always isolates pods no rule selects.
  assert.equal(allows([], P(web), P(api), 8080, 'TCP', { enforcementMode: 'always' }), false);
});

test('a default deny no rule decides names the policies that deny by default there (isolatedBy), not one whose enableDefaultDeny is false: a rule in any of them allows it (language.rst "Ingress/Egress Default Deny")', () => {
  const emptyRule = cnp('shop', 'd', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}] });
  const nonDefaultDeny = cnp('shop', 'n', { endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] });
  const v = verdict([nonDefaultDeny, emptyRule], P(prom), P(api), 8080);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.ingress.by, undefined);
  assert.deepEqual(v.ingress.isolatedBy, ['CiliumNetworkPolicy/shop/d']);
});

// Since Cilium 1.15 (cilium/cilium#29608 "policy: Do not select any identity with empty slices"),
// an explicitly empty peer list selects no peer: pkg/policy/utils/parserules.go
// mergeEndpointSelectors returns nil ("Explicitly check for empty non-nil slices, it should not
// result in any identity being selected") for an empty from/toEndpoints, from/toNodes,
// from/toEntities, from/toCIDR or from/toCIDRSet — whatever else the rule names — and the rule
// still puts the direction into default deny. toFQDNs, toGroups and toServices are not in that
// check: empty, they are as if absent (toPorts then allow every peer).
test('an explicitly empty peer list selects no peer, for allow and deny rules alike; the direction stays default deny (pkg/policy/utils/parserules.go mergeEndpointSelectors; cilium/cilium#29608)', () => {
  const toPorts = [{ ports: [{ port: '8080', protocol: 'TCP' }] }];
  for (const field of ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes']) {
    const p = ingressFrom({ [field]: [] }, { toPorts });
    for (const client of [P(web), EXT('198.51.100.7'), NODE(nodeA)]) {
      const v = verdict([p], client, P(api), 8080);
      assert.equal(v.verdict, 'deny', `${field}: [] selects no peer (${JSON.stringify(client)})`);
      assert.equal(v.ingress.isolated, true, `${field}: [] still isolates`);
    }
  }
  for (const field of ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toNodes']) {
    const p = egressTo({ [field]: [] }, { toPorts });
    for (const server of [P(api), EXT('198.51.100.7'), NODE(nodeB)]) {
      const v = verdict([p], P(web), server, 8080);
      assert.equal(v.verdict, 'deny', `${field}: [] selects no peer (${JSON.stringify(server)})`);
      assert.equal(v.egress.isolated, true, `${field}: [] still isolates`);
    }
  }
  // One empty list empties the rule, whatever else it names.
  const mixed = egressTo({ toEndpoints: [], toCIDR: ['198.51.100.7/32'] }, { toPorts });
  assert.equal(allows([mixed], P(web), EXT('198.51.100.7'), 8080), false);
  // An empty list in a deny rule denies nothing.
  const allowAll = ingressFrom({ fromEntities: ['all'] });
  const denyNone = cnp('shop', 'deny-none', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [], toPorts }] });
  assert.equal(allows([allowAll, denyNone], P(web), P(api), 8080), true);
  const denyNoneOut = cnp('shop', 'deny-none-out', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDRSet: [], toPorts }] });
  assert.equal(allows([denyNoneOut], P(web), EXT('198.51.100.7'), 8080), true);
  // Not in the check: an empty toFQDNs or toServices is as if absent, so toPorts allow every peer.
  assert.equal(allows([egressTo({ toFQDNs: [] }, { toPorts })], P(web), EXT('198.51.100.7'), 8080), true);
  assert.equal(allows([egressTo({ toServices: [] }, { toPorts })], P(web), P(api), 8080), true);
  // The simulator that judges beside applied policies (Cilium with NetworkPolicies) reads it alike.
  const applied = ingressFrom({ fromEndpoints: [] }, { toPorts });
  assert.equal(SIMULATORS.cilium([applied], cluster).evaluate({ client: P(web), server: P(api), port: 8080, protocol: 'TCP' }).verdict, 'deny');
});

test('the local host always reaches its pods on ingress (language.rst "Access to/from local host" note; allow-localhost)', () => {
  const deny = cnp('shop', 'd', { endpointSelector: {}, ingress: [{}] });
  assert.equal(allows([deny], NODE(nodeA), P(web), 8080), true, 'kubelet probe from its own node');
  assert.equal(allows([deny], P(exporter), P(web), 8080), true, 'host-network pod on the same node');
  assert.equal(allows([deny], NODE(nodeB), P(web), 8080), false, 'another node is remote-node');
  assert.equal(allows([deny], NODE(nodeA), P(web), 8080, 'TCP', { allowLocalhost: 'policy' }), false);
});

// Cilium enforces NetworkPolicies as rules of the same policy repository, and the local-host allow
// is added to the endpoint's whole policy map whatever the rules came from (pkg/policy mapstate.go
// determineAllowLocalhostIngress: "if option.Config.AlwaysAllowLocalhost() { … insert localHostKey }").
test('under a NetworkPolicy on Cilium too, the local host reaches its own pods on ingress (allow-localhost); another node does not', () => {
  const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const sim = SIMULATORS.cilium([denyAll], cluster);
  const ingress = (client: SimEndpoint) => sim.evaluate({ client, server: P(web), port: 8080, protocol: 'TCP' }).ingress;
  assert.equal(ingress(NODE(nodeA)).allowed, true, 'its own node');
  assert.match(ingress(NODE(nodeA)).reason, /local host always reaches its own pods/);
  assert.equal(ingress(P(exporter)).allowed, true, 'a host-network pod on its node');
  assert.equal(ingress(NODE(nodeB)).allowed, false, 'another node (remote-node)');
  assert.equal(ingress(P(prom)).allowed, false, 'a pod');
});

// Cilium converts a NetworkPolicy's port as written (pkg/k8s/network_policy.go parsePorts:
// `portStr = port.Port.String()`), so a port name in one of its rules is resolved as in Cilium's
// own rules: on ingress on the enforcing pod's own ports (pkg/endpoint GetNamedPort: "Ingress only
// needs the ports of the POD itself"), which is the destination pod, as Kubernetes reads it; on
// egress over the named ports of every pod ("egress needs named ports of all the pods"), and not
// at all where they give the name different numbers (pkg/policy/types NamedPortMultiMap.GetNamedPort:
// ErrDuplicateNamedPorts) — not on the destination pod, as Kubernetes reads it.
test('a NetworkPolicy egress port name on Cilium resolves over every pod and opens nothing where they disagree (pkg/k8s/network_policy.go parsePorts; pkg/endpoint GetNamedPort "egress needs named ports of all the pods"; pkg/policy/types GetNamedPort ErrDuplicateNamedPorts); ingress on the enforcing pod', () => {
  const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
  const toApiHttp = np('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }] });
  const flow: SimFlow = { client: P(web), server: P(api), port: 8080, protocol: 'TCP' };
  // http is 8080 on api and 9091 on prometheus.
  assert.equal(SIMULATORS.kubernetes([toApiHttp], cluster).evaluate(flow).verdict, 'allow', 'Kubernetes: the name on the destination pod');
  const onCilium = SIMULATORS.cilium([toApiHttp], cluster).evaluate(flow);
  assert.equal(onCilium.verdict, 'deny', 'Cilium: http has two numbers among the pods');
  assert.deepEqual(onCilium.egress.isolatedBy, ['NetworkPolicy/shop/web-out']);
  assert.match(onCilium.egress.reason, /egress rule \/spec\/egress\/0 of NetworkPolicy\/shop\/web-out names port http, which Cilium resolves over the named ports of every pod: they give it 8080 and 9091, so it opens none/);
  // dns is 53/UDP on the DNS pod alone: one number, opened.
  const toDns = np('web-dns', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 'dns', protocol: 'UDP' }] }] });
  assert.equal(SIMULATORS.cilium([toDns], cluster).evaluate({ client: P(web), server: P(dns), port: 53, protocol: 'UDP' }).verdict, 'allow');
  // Ingress: the enforcing pod's own http (8080 on api), whatever prometheus gives the name.
  const intoApi = np('api-in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }] });
  assert.equal(SIMULATORS.cilium([intoApi], cluster).evaluate(flow).verdict, 'allow');
  assert.equal(SIMULATORS.cilium([intoApi], cluster).evaluate({ ...flow, port: 9091 }).verdict, 'deny');
});

// Cilium decides default deny per endpoint and direction over every rule selecting it, its own and
// those it converts from NetworkPolicies alike (pkg/policy/repository.go
// computePolicyEnforcementAndRules): "At least one default-deny rule is present. Then, policy is
// enabled"; the wildcard allow is synthesized only when "Only non-default-deny rules are present".
// A NetworkPolicy's rules always deny by default: the conversion gives an isolated direction at
// least one rule (pkg/k8s/network_policy.go: `[]api.IngressRule{{}}` for a policy type without
// rules), and Rule.Sanitize (pkg/policy/api) sets an unset enableDefaultDeny to "there are rules".
test('beside a NetworkPolicy, a CiliumNetworkPolicy with enableDefaultDeny false leaves the endpoint default deny: what no rule of either kind allows is denied, on ingress and egress (pkg/policy/repository.go computePolicyEnforcementAndRules; pkg/policy/api Rule.Sanitize)', () => {
  const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
  const evaluate = (policies: unknown[], client: SimPod, server: SimPod, port: number) => SIMULATORS.cilium(policies, cluster).evaluate({ client: P(client), server: P(server), port, protocol: 'TCP' });
  // Ingress: api admits web on 8080 by a NetworkPolicy; a CNP on api denies an unrelated peer with enableDefaultDeny.ingress false.
  const apiFromWeb = np('api-from-web', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] });
  const apiNodd = cnp('shop', 'api-nodd', { endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] });
  assert.equal(evaluate([apiNodd], prom, api, 8080).verdict, 'allow', 'the CNP alone denies nothing by default');
  const inDenied = evaluate([apiNodd, apiFromWeb], prom, api, 8080);
  assert.equal(inDenied.verdict, 'deny', 'the NetworkPolicy keeps api default deny');
  assert.deepEqual(inDenied.ingress.isolatedBy, ['NetworkPolicy/shop/api-from-web']);
  assert.match(inDenied.ingress.reason, /enableDefaultDeny\.ingress: false/);
  assert.equal(evaluate([apiNodd, apiFromWeb], web, api, 8080).verdict, 'allow', 'what the NetworkPolicy allows');
  // An allow rule of the CNP still allows.
  const apiNoddFromProm = cnp('shop', 'api-nodd', { endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring', app: 'prometheus' } }] }] });
  assert.equal(evaluate([apiNoddFromProm, apiFromWeb], prom, api, 8080).verdict, 'allow');
  // Egress, the same: web may reach api on 8080 by a NetworkPolicy; its CNP sets enableDefaultDeny.egress false.
  const webToApi = np('web-to-api', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] });
  const webNodd = cnp('shop', 'web-nodd', { endpointSelector: { matchLabels: { app: 'web' } }, enableDefaultDeny: { egress: false }, egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'nobody' } }] }] });
  assert.equal(evaluate([webNodd], web, prom, 9091).verdict, 'allow', 'the CNP alone denies nothing by default');
  const outDenied = evaluate([webNodd, webToApi], web, prom, 9091);
  assert.equal(outDenied.verdict, 'deny');
  assert.deepEqual(outDenied.egress.isolatedBy, ['NetworkPolicy/shop/web-to-api']);
  assert.equal(evaluate([webNodd, webToApi], web, api, 8080).verdict, 'allow');
});

test('host-network pods and nodes are not Cilium endpoints: never isolated by CNPs (language.rst: host policies use nodeSelector)', () => {
  const all = ccnp('all', { endpointSelector: {}, ingress: [{}], egress: [{}] });
  const v = verdict([all], P(exporter), NODE(nodeB), 10250);
  assert.equal(v.verdict, 'allow');
  assert.equal(v.egress.isolated, false);
});

test('toFQDNs match through the DNS names of an address, only once the DNS proxy saw the lookup (language.rst "DNS based")', () => {
  const dnsRule = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
  const withDns = (fqdn: Record<string, unknown>) => cnp('shop', 'f', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [dnsRule, { toFQDNs: [fqdn], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
  assert.equal(allows([withDns({ matchName: 'api.example.com' })], P(web), EXT('203.0.113.5'), 443), true, 'names from SimCluster.dnsNames');
  assert.equal(allows([withDns({ matchName: 'API.example.com.' })], P(web), EXT('198.51.100.9', ['api.example.com']), 443), true, 'names on the endpoint; case and trailing dot ignored');
  assert.equal(allows([withDns({ matchName: 'api.example.com' })], P(web), EXT('198.51.100.7'), 443), false, 'no name known');
  assert.equal(allows([withDns({ matchPattern: '*.example.com' })], P(web), EXT('203.0.113.5'), 443), true);
  assert.equal(allows([withDns({ matchPattern: '*.example.com' })], P(web), EXT('203.0.113.6', ['a.b.example.com']), 443), false, '* stays within one label');
  assert.equal(allows([withDns({ matchPattern: '**.example.com' })], P(web), EXT('203.0.113.6', ['a.b.example.com']), 443), true, '**. spans labels');
  assert.equal(allows([withDns({ matchPattern: '*.example.com' })], P(web), EXT('203.0.113.6', ['example.com']), 443), false);
  assert.equal(allows([withDns({ matchName: 'api.example.com' })], P(web), P(dns), 53, 'UDP'), true, 'the DNS rule itself');
  // Without a DNS rule the proxy never sees the lookup: nothing is learned.
  const noDns = cnp('shop', 'f', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] });
  assert.equal(allows([noDns], P(web), EXT('203.0.113.5'), 443), false);
  assert.equal(allows([noDns], P(web), EXT('203.0.113.5'), 443, 'TCP', { fqdnNeedsDnsProxy: false }), true);
});

test('toFQDNs learns a name only from lookups the pod sends to the cluster DNS through a rule with rules.dns: a DNS rule naming other peers, or an L4-only rule to the resolver, feeds nothing (language.rst "Obtaining DNS Data for use by toFQDNs": the DNS proxy intercepts the pod\'s egress DNS traffic; that interception "is, itself, a separate policy rule governing DNS requests")', () => {
  const withDns: SimCluster = { ...cluster, clusterDns: { pods: [dns], ports: [{ port: 53, protocol: 'UDP' }] } };
  const hostDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, '10.0.0.2', 'node-b', { hostNetwork: true, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
  const onHost: SimCluster = { ...cluster, pods: [...cluster.pods.filter((p) => p !== dns), hostDns], clusterDns: { pods: [hostDns], ports: [{ port: 53, protocol: 'UDP' }] } };
  const fqdn = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
  const proxied = (peer: Record<string, unknown>) => ({ ...peer, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] });
  const l4 = (peer: Record<string, unknown>) => ({ ...peer, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] });
  const kubeDns = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }] };
  const nowhere = { toEndpoints: [{ matchLabels: { app: 'nothing-here' } }] };
  const nodes = { toEntities: ['host', 'remote-node'] };
  const out = (...egress: Record<string, unknown>[]) => cnp('shop', 'f', { endpointSelector: { matchLabels: { app: 'web' } }, egress });
  const toApi = (c: SimCluster, policies: unknown[]) => ciliumSimulator(policies, c).evaluate({ client: P(web), server: EXT('203.0.113.5'), port: 443, protocol: 'TCP' }).verdict;
  assert.equal(toApi(withDns, [out(proxied(kubeDns), fqdn)]), 'allow', 'lookups to the DNS pods pass the proxy');
  assert.equal(toApi(withDns, [out(proxied(nowhere), l4(kubeDns), fqdn)]), 'deny', 'the proxied rule names no resolver; the real lookups pass at L4 only');
  assert.equal(toApi(withDns, [out(proxied(nowhere), fqdn)]), 'deny', 'the lookups themselves are denied');
  assert.equal(toApi(onHost, [out(proxied(kubeDns), l4(nodes), fqdn)]), 'deny', 'host-network DNS pods are no endpoints: the rule to them selects nothing, the lookups to the node pass at L4');
  assert.equal(toApi(onHost, [out(proxied(nodes), fqdn)]), 'allow', 'the DNS rule on the host entities the resolver is');
  assert.equal(toApi(withDns, [out(proxied(kubeDns), fqdn), cnp('shop', 'no-dns', { endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [{ ...kubeDns, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })]), 'deny', 'a deny rule on the lookups wins');
});

test('fromRequires narrows every fromEndpoints of the rules selecting the pod (language.rst "Additional Label Requirements")', () => {
  const requires = cnp('shop', 'req', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] });
  const allowWeb = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] });
  assert.equal(allows([requires, allowWeb], P(web), P(api), 8080), false);
  const prodWeb = pod('shop', { app: 'web', env: 'prod' }, '10.1.0.9', 'node-a');
  assert.equal(allows([requires, allowWeb], P(prodWeb), P(api), 8080), true);
});

test('a connection needs the client egress and the server ingress (language.rst "policy must be configured on both sides")', () => {
  const out = egressTo({ toEndpoints: [{ matchLabels: { app: 'api' } }] });
  const inn = cnp('shop', 'api-in', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}] });
  const v = verdict([out, inn], P(web), P(api), 8080);
  assert.equal(v.egress.allowed, true);
  assert.equal(v.ingress.allowed, false);
  assert.equal(v.verdict, 'deny');
});

test('toServices selects a Service by name: the apiserver for default/kubernetes (language.rst "Services based")', () => {
  const p = egressTo({ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }] });
  assert.equal(allows([p], P(web), APISERVER, 6443), true);
  assert.equal(allows([p], P(web), NODE(nodeB), 6443), false);
});

test('selector keys: source prefixes, any source, reserved labels in fromEndpoints (selector.go GetExtendedKeyFrom; utils.go: reserved selectors are not namespace-scoped)', () => {
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'k8s:app': 'web' } }] })], P(web), P(api), 8080), true);
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'container:app': 'web' } }] })], P(web), P(api), 8080), false);
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'reserved:remote-node': '' } }] })], NODE(nodeA), P(api), 8080), true);
  const invalid = ingressFrom({ fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }] });
  assert.equal(allows([invalid], P(web), P(api), 8080, 'TCP', { enforceAdmission: false }), false, 'an invalid selector matches nothing (selector.go Matches)');
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'web-sa' } }] })], P(web), P(api), 8080), true);
});

test('deterministic: policy order does not change verdicts or the deciding rule', () => {
  const a = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] });
  const b = cnp('shop', 'a-first', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['cluster'] }] });
  assert.deepEqual(verdict([a, b], P(web), P(api), 8080), verdict([b, a], P(web), P(api), 8080));
  assert.equal(verdict([a, b], P(web), P(api), 8080).ingress.by?.policy, 'CiliumNetworkPolicy/shop/a-first');
});

test('a policy the agent refuses is not enforced at all: the pod stays open (CiliumNetworkPolicy.Parse rejects the resource, leaving the pod unprotected)', () => {
  const merged = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }], fromEntities: ['kube-apiserver'] }, { toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] });
  const sim = ciliumSimulator([merged], cluster);
  assert.equal(sim.rejected.length, 1);
  assert.equal(sim.rejected[0]!.policy, 'CiliumNetworkPolicy/shop/api-in');
  assert.match(sim.rejected[0]!.errors[0]!.message, /combining FromEndpoints and FromEntities is not supported yet/);
  const v = sim.evaluate({ client: P(prom), server: P(api), port: 22, protocol: 'TCP' });
  assert.equal(v.verdict, 'allow');
  assert.equal(v.ingress.isolated, false);
  // As if the agent had accepted it, the rule would restrict ingress.
  assert.equal(allows([merged], P(prom), P(api), 22, 'TCP', { enforceAdmission: false }), false);
});

test('labels the agent filters out of identities select nothing (pkg/labelsfilter/filter.go defaultLabelPrefixCfg)', () => {
  const hashed = pod('shop', { app: 'web', 'pod-template-hash': '5d9f', 'app.kubernetes.io/name': 'web', 'kubernetes.io/os': 'linux' }, '10.1.0.7', 'node-a');
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'pod-template-hash': '5d9f' } }] })], P(hashed), P(api), 8080), false);
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'kubernetes.io/os': 'linux' } }] })], P(hashed), P(api), 8080), false);
  assert.equal(allows([ingressFrom({ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'web' } }] })], P(hashed), P(api), 8080), true, 'app.kubernetes.io is included explicitly');
});

test('webhooks: fromEntities kube-apiserver matches the apiserver, but not where control-plane traffic is tunnelled through worker nodes (language.rst kube-apiserver note: AKS, GKE)', () => {
  const webhook = ingressFrom({ fromEntities: ['kube-apiserver'] }, { toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] });
  assert.equal(allows([webhook], APISERVER, P(api), 9443), true);
  assert.equal(allows([webhook], APISERVER, P(api), 9443, 'TCP', { apiserverIngressFrom: 'worker-node' }), false);
  const openPort = cnp('shop', 'open', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] }] });
  assert.equal(allows([openPort], APISERVER, P(api), 9443, 'TCP', { apiserverIngressFrom: 'worker-node' }), true, 'seed 003: the webhook port open to any source works everywhere');
});

test('L7 rules: the connection is allowed at L4 and the reason says the proxy filters requests (language.rst "Layer 7 Examples")', () => {
  const http = ingressFrom({ fromEndpoints: [{ matchLabels: { app: 'web' } }] }, { toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] });
  const v = verdict([http], P(web), P(api), 8080);
  assert.equal(v.verdict, 'allow');
  assert.match(v.ingress.reason, /http requests then pass Cilium's L7 proxy rules/);
  assert.equal(allows([http], P(web), P(api), 8081), false);
});

test('specs: several rules in one policy, the deciding rule named by its pointer (cilium.io/v2 CiliumNetworkPolicy spec/specs)', () => {
  const p = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'multi', namespace: 'shop' }, specs: [
    { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] },
    { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }, { fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
  ] };
  assert.deepEqual(verdict([p], P(web), P(api), 8080).ingress.by, { policy: 'CiliumNetworkPolicy/shop/multi', rule: '/specs/1/ingress/1' });
});

test('the cluster entity matches pods by the cluster-name label (entity.go InitEntities: io.cilium.k8s.policy.cluster)', () => {
  const viaLabel = egressTo({ toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'prod', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }] });
  assert.equal(allows([viaLabel], P(web), P(prom), 9091, 'TCP', { clusterName: 'prod' }), true);
  assert.equal(allows([viaLabel], P(web), P(prom), 9091), false, 'the default cluster name is "default"');
});
