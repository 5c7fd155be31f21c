/**
 * What a NetworkPolicy leaves to the network plugin (Kubernetes "Network Policies": ipBlock
 * "should be cluster-external IPs"; "Targeting a range of ports": a plugin without endPort applies
 * the rule "only for the single port field"; "SCTP support": "You must be using a CNI plugin that
 * supports SCTP protocol NetworkPolicies"), warned of for the plugin the inventory shows.
 * Input: hand-written manifests and a cluster with two nodes, the apiserver on the first one's
 * address → expected: the warnings. Calico implements all three (libcalico-go
 * k8sRuleToCalico/k8sPortToCalico: nets, port ranges, the protocol passed through); Cilium lists
 * SCTP and "Port ranges (endPort)" among the known missing features for Kubernetes NetworkPolicy
 * and matches node addresses only with policy-cidr-match-mode: nodes (Cilium docs, "Network
 * Policy"); CiliumNetworkPolicy enforces SCTP only with sctp.enabled=true (Cilium docs, "SCTP
 * support (beta)").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { EmitResult, EngineName } from '../../recommender/engines/types.ts';
import type { ClusterModel } from '../../recommender/simulate/cluster.ts';
import type { SimCluster } from '../../recommender/simulate/types.ts';
import { engineWarnings } from '../../recommender/verify/engine-warnings.ts';
import { PluginWarnings } from '../../recommender/verify/plugin-warnings.ts';
import { networkPlugin } from '../../recommender/simulate/network-plugin.ts';

const cluster = (podLabels: Record<string, string>[] = [], apiserverIp = '10.0.0.1', cilium: Pick<SimCluster, 'ciliumClusterName' | 'ciliumPolicy'> = {}) =>
  ({
    cluster: {
      namespaces: [],
      nodes: [{ name: 'cp', ips: ['10.0.0.1'] }, { name: 'w1', ips: ['10.0.0.2'] }],
      pods: podLabels.map((labels, i) => ({ namespace: 'kube-system', name: `agent-${i}`, labels, hostNetwork: true })),
      services: [],
      apiserver: [{ ip: apiserverIp, port: 6443, protocol: 'TCP' }],
      podCIDRs: [],
      ...cilium,
    },
  }) as unknown as ClusterModel;
/** Cilium with its kube-system/cilium-config imported. */
const ciliumWith = (policyCidrMatchMode: string[], enableSctp: boolean) => cluster([{ 'k8s-app': 'cilium' }], '10.0.0.1', { ciliumClusterName: 'default', ciliumPolicy: { policyCidrMatchMode, enableSctp, allowLocalhost: 'auto' } });
const UNKNOWN = cluster();
const CILIUM = cluster([{ 'k8s-app': 'cilium' }]);
const CALICO = cluster([{ 'k8s-app': 'calico-node' }]);

const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { podSelector: {}, ...spec } });
const emit = (engine: EngineName, ...manifests: unknown[]): EmitResult => ({ engine, manifests, warnings: [] }) as unknown as EmitResult;

const toKubelet = np('metrics', { policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.2/32' } }], ports: [{ protocol: 'TCP', port: 9100 }] }] });
const toApiserver = np('operator', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }] });
const toWorld = np('web', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }] }] });
const ranges = np('ftp', {
  policyTypes: ['Ingress'],
  ingress: [{ ports: [{ protocol: 'TCP', port: 21 }, { protocol: 'TCP', port: 30000, endPort: 30100 }, { protocol: 'UDP', port: 5000, endPort: 5010 }] }],
});
const sctp = np('diameter', { policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'SCTP', port: 3868 }] }] });
const sctpAll = np('signalling', { policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'SCTP' }] }] });

function warnings(model: ClusterModel, ...emits: EmitResult[]): string[] {
  const plugin = new PluginWarnings(emits[0]!.engine, model, []);
  return [...emits.flatMap((e) => plugin.add(e)), ...plugin.summaries()];
}

test('the plugin as the inventory shows it: Cilium by its agent, its cilium-config or its policies, Calico by calico-node (k8s-app: calico-node in the manifests and the operator) or its policies', () => {
  const applied = (apiVersion: string): AppliedPolicy[] => [{ apiVersion, kind: 'NetworkPolicy', name: 'p', namespace: 'shop', manifest: {} }];
  assert.equal(networkPlugin(UNKNOWN, []), 'unknown');
  assert.equal(networkPlugin(CILIUM, []), 'cilium');
  assert.equal(networkPlugin(CALICO, []), 'calico');
  assert.equal(networkPlugin(UNKNOWN, applied('projectcalico.org/v3')), 'calico');
  assert.equal(networkPlugin(UNKNOWN, applied('crd.projectcalico.org/v1')), 'calico');
  assert.equal(networkPlugin(UNKNOWN, applied('cilium.io/v2')), 'cilium');
  assert.equal(networkPlugin(UNKNOWN, applied('networking.k8s.io/v1')), 'unknown');
  // The cilium-config alone (no agent pod imported: a namespaced import, RBAC, a pods filter), from any release.
  assert.equal(networkPlugin(cluster([], '10.0.0.1', { ciliumClusterName: 'default', ciliumPolicy: { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto' } }), []), 'cilium');
  assert.equal(networkPlugin(cluster([], '10.0.0.1', { ciliumClusterName: 'c1' }), []), 'cilium');
  assert.equal(networkPlugin(cluster([{ 'k8s-app': 'calico-node' }], '10.0.0.1', { ciliumClusterName: 'c1' }), []), 'cilium', 'Cilium first');
});

test('ipBlocks on node and apiserver addresses: a plugin not shown gets one warning naming the manifests and the addresses\' kind; Calico none; Cilium one per manifest, as before', () => {
  const e = emit('kubernetes', toKubelet, toApiserver, toWorld);
  assert.deepEqual(warnings(UNKNOWN, e), [
    "the inventory does not show the network plugin (no Cilium agent (k8s-app: cilium) or kube-system/cilium-config, no Calico calico-node (k8s-app: calico-node), no cilium.io or projectcalico.org policy applied): 2 NetworkPolicies (NetworkPolicy/shop/metrics, NetworkPolicy/shop/operator) allow node addresses (the apiserver's among them) by ipBlock, which holds only where the plugin matches ipBlocks against node addresses (Calico does; Cilium only with policy-cidr-match-mode: nodes, or use the cilium engine); the NetworkPolicy API leaves it to the plugin (ipBlocks are meant for cluster-external addresses), and elsewhere that traffic is cut",
  ]);
  assert.match(warnings(UNKNOWN, emit('kubernetes', toKubelet))[0]!, /: 1 NetworkPolicy \(NetworkPolicy\/shop\/metrics\) allows node addresses by ipBlock/);
  // An apiserver off the nodes (a managed control plane) is cluster-external: any plugin matches an
  // ipBlock on it. So does Cilium: an address with the kube-apiserver label and no node's gets CIDR
  // labels (pkg/ipcache metadata.go resolveIdentity; cilium/cilium#25241 "ToCIDR netpols matching
  // kube-apiserver IPs (when external to the cluster)").
  const managed = emit('kubernetes', np('operator', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.10/32' } }] }] }));
  assert.deepEqual(warnings(cluster([], '203.0.113.10'), managed), []);
  assert.deepEqual(warnings(cluster([{ 'k8s-app': 'cilium' }], '203.0.113.10'), managed), []);
  assert.deepEqual(warnings(CALICO, e), []);
  // The addresses are named for what they are: node addresses, and the apiserver's only where it is on them (here on the first node, 10.0.0.1).
  const onCilium = (id: string, ips: string, shown: string) =>
    `${id}: this cluster runs Cilium, which matches an ipBlock against node addresses (${ips}) only with policy-cidr-match-mode: nodes, and ${shown}: the verification judges the traffic the ipBlock allows there as cut; set policy-cidr-match-mode: nodes, or use the cilium engine (entities host, remote-node, kube-apiserver)`;
  const NO_CONFIG = 'the inventory has no kube-system/cilium-config to say which the cluster runs (import it with the inventory)';
  assert.deepEqual(warnings(CILIUM, e), [
    onCilium('NetworkPolicy/shop/metrics', 'here: the node address 10.0.0.2', NO_CONFIG),
    onCilium('NetworkPolicy/shop/operator', "here: the node address 10.0.0.1, the apiserver's", NO_CONFIG),
  ]);
  const bothNodes = np('scraper', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/30' } }], ports: [{ protocol: 'TCP', port: 10250 }] }] });
  assert.deepEqual(warnings(CILIUM, emit('kubernetes', bothNodes)), [onCilium('NetworkPolicy/shop/scraper', "here: the node addresses 10.0.0.1, 10.0.0.2, the apiserver's among them: 10.0.0.1", NO_CONFIG)]);
  // What the cilium-config shows: the mode it sets (none, or another), or that an older release imported it.
  assert.deepEqual(warnings(ciliumWith([], false), emit('kubernetes', toKubelet)), [onCilium('NetworkPolicy/shop/metrics', 'here: the node address 10.0.0.2', 'the cilium-config sets no policy-cidr-match-mode')]);
  assert.deepEqual(warnings(ciliumWith(['pods'], false), emit('kubernetes', toKubelet)), [onCilium('NetworkPolicy/shop/metrics', 'here: the node address 10.0.0.2', 'the cilium-config sets policy-cidr-match-mode: "pods"')]);
  assert.deepEqual(warnings(cluster([{ 'k8s-app': 'cilium' }], '10.0.0.1', { ciliumClusterName: 'c1' }), emit('kubernetes', toKubelet)), [
    onCilium('NetworkPolicy/shop/metrics', 'here: the node address 10.0.0.2', 'the cilium-config was imported by a release that did not read policy-cidr-match-mode: import it again to say which the cluster runs'),
  ]);
  // With policy-cidr-match-mode: nodes the ipBlocks select those addresses: nothing to warn of.
  assert.deepEqual(warnings(ciliumWith(['nodes'], false), e), []);
});

test('endPort ranges: on Cilium one warning per manifest naming the ranges (applied to their first port only); a plugin not shown one summary; Calico none', () => {
  const e = emit('kubernetes', ranges, sctp);
  assert.deepEqual(warnings(CILIUM, emit('kubernetes', ranges)), [
    'NetworkPolicy/shop/ftp: this cluster runs Cilium, which does not implement endPort in a NetworkPolicy: the port ranges TCP 30000-30100, UDP 5000-5010 are applied to their first port only and required traffic to their other ports is cut (some versions do not enforce the policy at all); use the cilium engine (toPorts endPort, Cilium 1.16 and later)',
  ]);
  assert.deepEqual(warnings(UNKNOWN, emit('kubernetes', ranges)), [
    'the inventory does not show the network plugin (no Cilium agent (k8s-app: cilium) or kube-system/cilium-config, no Calico calico-node (k8s-app: calico-node), no cilium.io or projectcalico.org policy applied): 1 NetworkPolicy (NetworkPolicy/shop/ftp) allows port ranges (endPort), which a plugin that does not implement endPort applies to their first port only, cutting required traffic to the others (Calico implements it; Cilium does not: use the cilium engine)',
  ]);
  assert.deepEqual(warnings(CALICO, e), []);
});

test('SCTP: the kubernetes engine warns per manifest on Cilium, once on a plugin not shown, not on Calico; the cilium engine warns that SCTP needs sctp.enabled=true', () => {
  assert.deepEqual(warnings(CILIUM, emit('kubernetes', sctp)), [
    'NetworkPolicy/shop/diameter: this cluster runs Cilium, which lists SCTP among the NetworkPolicy features it lacks: the rules on SCTP 3868 may not be enforced as written and required SCTP traffic may be cut; use the cilium engine (SCTP with sctp.enabled=true, beta; the inventory has no kube-system/cilium-config to say which the cluster runs (import it with the inventory))',
  ]);
  // Cilium's docs list SCTP as missing for NetworkPolicy whatever enable-sctp says: the warning stays, saying what the config shows.
  assert.match(warnings(ciliumWith([], true), emit('kubernetes', sctp))[0]!, /use the cilium engine \(SCTP with sctp\.enabled=true, beta; the cilium-config sets enable-sctp: "true"\)$/);
  assert.match(warnings(CILIUM, emit('kubernetes', sctpAll))[0]!, /: the rules on SCTP \(every port\) may not be enforced/);
  assert.deepEqual(warnings(UNKNOWN, emit('kubernetes', sctp)), [
    'the inventory does not show the network plugin (no Cilium agent (k8s-app: cilium) or kube-system/cilium-config, no Calico calico-node (k8s-app: calico-node), no cilium.io or projectcalico.org policy applied): 1 NetworkPolicy (NetworkPolicy/shop/diameter) allows SCTP ports, which only a plugin that supports SCTP NetworkPolicies enforces as written (Calico does; Cilium lists SCTP among the NetworkPolicy features it lacks: use the cilium engine, with sctp.enabled=true)',
  ]);
  assert.deepEqual(warnings(CALICO, emit('kubernetes', sctp)), []);
  const cnp = (name: string, protocol: string) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '3868', protocol }, { port: '3869', endPort: 3870, protocol }, { port: '0', protocol }] }] }] },
  });
  const sctpWarning = (shown: string) => `CiliumNetworkPolicy/shop/diameter: Cilium enforces rules on SCTP ports (SCTP (every port), SCTP 3868, SCTP 3869-3870) only with sctp.enabled=true (beta), and ${shown}`;
  const cnpSctp = (model: ClusterModel) => warnings(model, emit('cilium', cnp('diameter', 'SCTP'))).filter((w) => /SCTP ports/.test(w));
  for (const model of [UNKNOWN, CILIUM, CALICO]) {
    assert.deepEqual(cnpSctp(model), [sctpWarning('the inventory has no kube-system/cilium-config to say which the cluster runs (import it with the inventory)')]);
  }
  assert.deepEqual(cnpSctp(ciliumWith([], false)), [sctpWarning('the cilium-config does not set enable-sctp: "true"')]);
  // The config shows SCTP on: the rules are enforced, nothing to warn of.
  assert.deepEqual(cnpSctp(ciliumWith([], true)), []);
  // The other engines implement SCTP themselves: Calico's protocol match, the ClusterNetworkPolicy sctp port.
  assert.deepEqual(warnings(CILIUM, emit('calico', sctp)), []);
});

test('the summaries are said once over every emit added (a run in chunks), manifests sorted, the first five named', () => {
  const many = ['f', 'e', 'd', 'c', 'b', 'a', 'g'].map((n) => np(n, { policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'SCTP', port: 3868 }] }] }));
  const chunked = warnings(UNKNOWN, ...many.map((m) => emit('kubernetes', m)));
  assert.deepEqual(chunked, warnings(UNKNOWN, emit('kubernetes', ...many)));
  assert.equal(chunked.length, 1);
  assert.match(chunked[0]!, /: 7 NetworkPolicies \(NetworkPolicy\/shop\/a, NetworkPolicy\/shop\/b, NetworkPolicy\/shop\/c, NetworkPolicy\/shop\/d, NetworkPolicy\/shop\/e, … 2 more\) allow SCTP ports/);
});

test('engineWarnings: the portability warnings beside the others, and none for manifests that need nothing of the plugin', () => {
  assert.deepEqual(engineWarnings(emit('kubernetes', toWorld), UNKNOWN, []), []);
  assert.equal(engineWarnings(emit('kubernetes', toKubelet, ranges, sctp), UNKNOWN, []).length, 3);
});

test('the cilium engine warns of port ranges (toPorts endPort), which Cilium enforces from 1.16 on (cilium/cilium#32807, "policy: Add Port Range Support for Policies 3/3"), naming the manifests and their ranges', () => {
  const cnp = (name: string, ports: Record<string, unknown>[]) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports }] }] } });
  const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'nodeports' }, specs: [{ endpointSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '30000', endPort: 32767, protocol: 'TCP' }] }] }] }] };
  const e = emit('cilium', cnp('media', [{ port: '10000', endPort: 10100, protocol: 'UDP' }, { port: '3868', protocol: 'TCP' }]), cnp('web', [{ port: '8080', protocol: 'TCP' }]), ccnp);
  for (const model of [UNKNOWN, CILIUM]) {
    assert.deepEqual(warnings(model, e), [
      'CiliumNetworkPolicy/shop/media: port ranges (endPort: UDP 10000-10100) are enforced only from Cilium 1.16 on (cilium/cilium#32807): on an older Cilium they are not enforced as written and required traffic to their other ports may be cut',
      'CiliumClusterwideNetworkPolicy/nodeports: port ranges (endPort: TCP 30000-32767) are enforced only from Cilium 1.16 on (cilium/cilium#32807): on an older Cilium they are not enforced as written and required traffic to their other ports may be cut',
    ]);
  }
});
