/**
 * The verification beside applied policies judges them with the engine's own simulator: applied
 * policies that simulator does not evaluate, or Calico policies of a tier the inventory lacks,
 * are named in a warning instead of silently left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { EmitResult, EngineName } from '../../recommender/engines/types.ts';
import type { ClusterModel, PodOwnSet } from '../../recommender/simulate/cluster.ts';
import { enforcingEngine } from '../../recommender/simulate/decide.ts';
import { engineWarnings } from '../../recommender/verify/engine-warnings.ts';

const model = { cluster: { namespaces: [], nodes: [], pods: [], services: [], apiserver: [], podCIDRs: [] } } as unknown as ClusterModel;
const emitted = (engine: EngineName): EmitResult => ({ engine, manifests: [], warnings: [] }) as unknown as EmitResult;
const policy = (apiVersion: string, kind: string, name: string, spec: Record<string, unknown> = {}, namespace?: string): AppliedPolicy => ({
  apiVersion,
  kind,
  name,
  ...(namespace ? { namespace } : {}),
  manifest: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
});

const anp = policy('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', 'deny-monitoring-db');
const gnp = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'platform.deny-db', { tier: 'platform' });
const np = policy('networking.k8s.io/v1', 'NetworkPolicy', 'default-deny', {}, 'shop');

test('applied kinds the engine\'s simulation does not evaluate are named: an AdminNetworkPolicy Deny decides before any NetworkPolicy (network-policy-api: Admin tier first), a Calico tier before the default one', () => {
  // Kinds of engines no one simulation evaluates together beside a kubernetes recommendation: Cilium's
  // policies show Cilium (network-plugin.ts), whose simulation judges NetworkPolicies and its own
  // kinds (decide.ts verifyingEngine) and leaves the others out.
  const calicoNp = policy('projectcalico.org/v3', 'NetworkPolicy', 'allow-x', {}, 'shop');
  const tier = policy('projectcalico.org/v3', 'Tier', 'platform', { order: 100 });
  const cilium = policy('cilium.io/v2', 'CiliumNetworkPolicy', 'c', {}, 'shop');
  const [warning] = engineWarnings(emitted('kubernetes'), model, [np, anp, gnp, calicoNp, tier, cilium]);
  // Kinds are named with their group (a Calico NetworkPolicy is not the NetworkPolicy the engine evaluates); a Tier is no policy.
  assert.match(warning ?? '', /^applied policies of kinds the cilium simulation does not evaluate were left out of the verification beside applied policies: AdminNetworkPolicy\.policy\.networking\.k8s\.io ×1 \(deny-monitoring-db\); GlobalNetworkPolicy\.projectcalico\.org ×1 \(platform\.deny-db\); NetworkPolicy\.projectcalico\.org ×1 \(shop\/allow-x\);/);
  assert.doesNotMatch(warning ?? '', /Tier|CiliumNetworkPolicy/);
  // What the left-out kinds may do, for the engines they are: an Admin-tier Deny, an earlier Calico tier's Deny.
  assert.match(warning ?? '', /an Admin-tier Deny ends the evaluation before the NetworkPolicies; an earlier Calico tier's Deny ends the evaluation before the NetworkPolicies/);
  // Beside a kubernetes recommendation Cilium's policies are simulated; beside another engine's they are named, with Cilium's example.
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [np, cilium]), []);
  const [ciliumWarning] = engineWarnings(emitted('clusternetworkpolicy'), model, [np, cilium]);
  assert.match(ciliumWarning ?? '', /\(Cilium's rules add up with the NetworkPolicies, its deny rules win over every allow, and it reads an ipBlock its own way\)/);
  assert.doesNotMatch(ciliumWarning ?? '', /Calico|Admin/);
  // The clusternetworkpolicy simulation evaluates AdminNetworkPolicy and NetworkPolicy: only the Calico one is named.
  assert.match(engineWarnings(emitted('clusternetworkpolicy'), model, [np, anp, gnp]).join('\n'), /evaluate were left out of the verification beside applied policies: GlobalNetworkPolicy\.projectcalico\.org ×1 \(platform\.deny-db\);/);
  // The calico simulation evaluates them all: Calico enforces AdminNetworkPolicies in its kube-admin tier (tiered-policy "kube-admin tier").
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, anp, gnp, tier]), []);
  // Nothing to say when every applied kind is simulated.
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [np]), []);
});

test('calico: an applied policy of a tier the inventory lacks is named (Calico refuses a policy of a tier that does not exist, so the Tier was not imported); with its Tier it is simulated', () => {
  const warnings = engineWarnings(emitted('calico'), model, [np, gnp]);
  assert.deepEqual(warnings, ['applied Calico policies of tier "platform" (platform.deny-db) were left out of the verification: the inventory has no Tier "platform" (import tiers.projectcalico.org with the policies)']);
  const tier = policy('projectcalico.org/v3', 'Tier', 'platform', { order: 100 });
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, gnp, tier]), []);
});

test('calico: an applied policy of the built-in kube-admin or kube-baseline tier needs no Tier in the inventory (libcalico-go lib/clientv3/client.go EnsureInitialized creates both)', () => {
  const admin = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'kube-admin.deny-db', { tier: 'kube-admin' });
  const baseline = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'kube-baseline.deny-db', { tier: 'kube-baseline' });
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, admin, baseline]), []);
});

test('a kubernetes recommendation beside applied policies of one tiered engine is judged by that engine, which evaluates the NetworkPolicies too: nothing is left out (simulate/decide.ts enforcingEngine)', () => {
  const tier = policy('projectcalico.org/v3', 'Tier', 'platform', { order: 100 });
  assert.equal(enforcingEngine('kubernetes', [np, gnp, tier]), 'calico');
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [np, gnp, tier]), []);
  // Its tiers are checked as the calico engine's are.
  assert.match(engineWarnings(emitted('kubernetes'), model, [np, gnp]).join('\n'), /applied Calico policies of tier "platform" \(platform\.deny-db\) were left out/);
  assert.equal(enforcingEngine('kubernetes', [np, anp]), 'clusternetworkpolicy');
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [np, anp]), []);
  // Calico's kinds with the network-policy-api's: Calico, which enforces those in its kube-admin and kube-baseline tiers.
  assert.equal(enforcingEngine('kubernetes', [np, anp, gnp]), 'calico');
  // The network-policy-api's kinds alone where the inventory shows Calico running: Calico enforces them (as it converts them).
  assert.equal(enforcingEngine('kubernetes', [np, anp], 'calico'), 'calico');
  // Where the inventory shows Cilium, Cilium judges: it enforces the network-policy-api's kinds only from 1.20 and
  // only with enable-k8s-cluster-network-policy (off by default), and its simulator does not evaluate them: they are
  // named in a warning instead (engine-warnings.ts), never a reason to drop Cilium's own semantics.
  assert.equal(enforcingEngine('kubernetes', [np, anp], 'cilium'), 'cilium');
  assert.equal(enforcingEngine('kubernetes', [np], 'calico'), 'kubernetes');
  // Two engines at once, Cilium's additive policies, or only NetworkPolicies: the recommendation's own engine,
  // but Cilium where the inventory shows it (decide.ts verifyingEngine: Cilium enforces the NetworkPolicies).
  assert.equal(enforcingEngine('kubernetes', [np, anp, policy('cilium.io/v2', 'CiliumNetworkPolicy', 'c', {}, 'shop')]), 'kubernetes');
  assert.equal(enforcingEngine('kubernetes', [np, policy('cilium.io/v2', 'CiliumNetworkPolicy', 'c', {}, 'shop')]), 'kubernetes');
  assert.equal(enforcingEngine('kubernetes', [np, policy('cilium.io/v2', 'CiliumNetworkPolicy', 'c', {}, 'shop')], 'cilium'), 'cilium');
  assert.equal(enforcingEngine('kubernetes', [np], 'cilium'), 'cilium');
  assert.equal(enforcingEngine('kubernetes', [np]), 'kubernetes');
  assert.equal(enforcingEngine('cilium', [gnp]), 'cilium');
});

test('Baseline under an applied NetworkPolicy: said per direction the NetworkPolicy isolates (policyTypes; "The two sorts of pod isolation"), as the clusternetworkpolicy simulator decides', () => {
  const shop = { cluster: { namespaces: [{ name: 'shop', labels: {} }], nodes: [], pods: [{ namespace: 'shop', name: 'api-0', labels: { app: 'api' }, ips: [], hostNetwork: false, ports: [] }], services: [], apiserver: [], podCIDRs: [] } } as unknown as ClusterModel;
  const cnp = {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'shop-api' },
    spec: {
      tier: 'Baseline',
      priority: 200,
      subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'api' } } } },
      ingress: [{ name: 'i', action: 'Accept', from: [{ namespaces: {} }] }],
      egress: [{ name: 'e', action: 'Accept', to: [{ namespaces: {} }] }],
    },
  };
  const out = { engine: 'clusternetworkpolicy', manifests: [cnp], warnings: [] } as unknown as EmitResult;
  const ingressOnly = policy('networking.k8s.io/v1', 'NetworkPolicy', 'api-in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }, 'shop');
  assert.deepEqual(engineWarnings(out, shop, [ingressOnly]), [
    'ClusterNetworkPolicy/shop-api: Baseline ingress rules never apply to pods an applied NetworkPolicy isolates for ingress, and these are: shop/api-0 (by NetworkPolicy/shop/api-in); the NetworkPolicy decides their ingress',
  ]);
  // Egress rules and no policyTypes: Ingress and Egress (SetDefaults_NetworkPolicy).
  const both = policy('networking.k8s.io/v1', 'NetworkPolicy', 'api-both', { podSelector: {}, egress: [{}] }, 'shop');
  assert.deepEqual(engineWarnings(out, shop, [both]).map((w) => w.split(':')[1]?.trim().split(' ').slice(0, 2).join(' ')), ['Baseline ingress', 'Baseline egress']);
});

/** shop/StatefulSet/db's stand-in with its own label sets `sets` (ClusterModel.ownSets): its pods as the inventory lists them. */
function withDb(sets: readonly PodOwnSet[]): ClusterModel {
  const db = { namespace: 'shop', name: 'db', labels: { app: 'db' }, ips: [], hostNetwork: false, ports: [], workload: { key: 'shop/StatefulSet/db', selector: { matchLabels: { app: 'db' } } } };
  return { cluster: { ...model.cluster, pods: [db] }, ownSets: (p: unknown) => (p === db ? sets : []) } as unknown as ClusterModel;
}
const dbPod = (i: number): PodOwnSet => ({ labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': `db-${i}`, 'apps.kubernetes.io/pod-index': String(i) }, pods: [`db-${i}`] });

test('an applied policy selecting by a label the pod gets from its own identity (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index: stateful_set_utils.go updateIdentity) is judged at each pod where the inventory lists the pods with their own labels: no warning; where it lists none of a StatefulSet\'s, its pods are taken as lacking the label: named with the label and the StatefulSet', () => {
  const byName = policy('networking.k8s.io/v1', 'NetworkPolicy', 'only-from-db-0', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } } }] }] }, 'shop');
  const listed = withDb([dbPod(0), dbPod(1)]);
  assert.deepEqual(engineWarnings(emitted('kubernetes'), listed, [byName]), []);
  // A store from before pod labels were kept, or no pod imported: db stands at its template labels.
  const unlisted = withDb([]);
  assert.deepEqual(engineWarnings(emitted('kubernetes'), unlisted, [byName]), [
    'applied NetworkPolicy/shop/only-from-db-0/spec/ingress/0/from/0/podSelector: selects pods by statefulset.kubernetes.io/pod-name, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of shop/StatefulSet/db with its own labels, so the verification beside applied policies takes their pods as lacking the label, and what this policy decides for them is not verified: import their Pods',
  ]);
  // Its template's label set alone (the workload's, with none of the pods' own): the same.
  assert.equal(engineWarnings(emitted('kubernetes'), withDb([{ labels: { app: 'db' }, pods: [] }]), [byName]).length, 1);
  // No StatefulSet at all: no pod carries the label, and every verdict is right.
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [byName]), []);
  // Calico selectors are read through their grammar.
  const byIndex = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'default.first-replica', { selector: "apps.kubernetes.io/pod-index == '0'" });
  assert.ok(engineWarnings(emitted('calico'), unlisted, [byIndex]).some((w) => w.includes('GlobalNetworkPolicy/default.first-replica') && w.includes('apps.kubernetes.io/pod-index') && w.includes('shop/StatefulSet/db')));
  assert.ok(!engineWarnings(emitted('calico'), listed, [byIndex]).some((w) => w.includes('pod-index')));
  // Cilium keeps both labels out of identities (pkg/labelsfilter): such a selector selects no pod, on every edge alike.
  assert.ok(!engineWarnings(emitted('cilium'), unlisted, [byName]).some((w) => w.includes('pod-name')));
});

test('Calico host endpoints and FelixConfiguration are no policies: beside another engine they are said apart, naming what they do; the calico simulation models them', () => {
  const hep = policy('projectcalico.org/v3', 'HostEndpoint', 'w1-auto-hep', { node: 'w1', interfaceName: '*', expectedIPs: ['10.0.0.11'] });
  const felix = policy('projectcalico.org/v3', 'FelixConfiguration', 'default', {});
  const warnings = engineWarnings(emitted('clusternetworkpolicy'), model, [np, hep, felix]);
  assert.deepEqual(warnings, [
    'the inventory holds Calico host endpoint objects (FelixConfiguration.projectcalico.org ×1; HostEndpoint.projectcalico.org ×1), which the clusternetworkpolicy simulation does not model: where Calico polices the nodes, the GlobalNetworkPolicies selecting those host endpoints decide node traffic too: verify with --engine calico',
  ]);
  assert.ok(warnings.every((w) => !/applied policies of kinds/.test(w)), 'not called applied policies');
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, hep, felix]), []);
});

// docs.tigera.io reference/host-endpoints/summary: for packets arriving on a host interface bound for
// a local workload "Pre-DNAT policies apply", before any other; applyOnForward policies also police
// traffic a host endpoint forwards (reference/host-endpoints/forwarded). The calico simulation
// leaves preDNAT/doNotTrack out and judges applyOnForward on the host's own traffic only.
test('calico: applied preDNAT / doNotTrack / applyOnForward GlobalNetworkPolicies are said not to be judged for what they police of pod traffic', () => {
  const prednat = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'block-8080', { preDNAT: true, applyOnForward: true, selector: 'has(kubernetes.io/hostname)', ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [8080] } }] });
  const fwd = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'fwd', { applyOnForward: true, selector: 'has(kubernetes.io/hostname)' });
  const warnings = engineWarnings(emitted('calico'), model, [np, prednat, fwd]);
  assert.deepEqual(warnings, [
    'applied Calico GlobalNetworkPolicies with preDNAT or doNotTrack (block-8080) are not modelled: where they select host endpoints they police traffic arriving on the node for its pods before any other policy, and what they deny there is not in this verification',
    "applied Calico GlobalNetworkPolicies with applyOnForward (fwd) are judged on their host endpoints' own traffic only: what they deny of traffic forwarded through a host endpoint to or from pods is not in this verification",
  ]);
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'plain', { selector: 'has(kubernetes.io/hostname)' })]), [], 'an ordinary GlobalNetworkPolicy is judged');
});

// A rule's `http` match (methods, paths) is no part of what felix programs: felix/rules/policy.go
// CalculateRuleMatch renders protocol, nets, IP sets, ports and ICMP only, so felix enforces the
// rule's L3/L4 part, and Dikastes the HTTP part where application layer policy is on, for ingress
// only (docs.tigera.io network-policy/istio/http-methods). An edge carries no HTTP request: the
// verdict is felix's, and what the HTTP part refuses is not judged — said, naming the rule.
test('calico: an applied rule with an http match is judged by its L3/L4 part as felix enforces it, and said to be so (felix/rules/policy.go renders no HTTP match)', () => {
  const gets = policy('projectcalico.org/v3', 'NetworkPolicy', 'get-only', { selector: "app == 'api'", ingress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'], paths: [{ prefix: '/public' }] }, destination: { ports: [8080] } }] }, 'shop');
  const warnings = engineWarnings(emitted('calico'), model, [np, gets]);
  assert.deepEqual(warnings, [
    "applied NetworkPolicy.projectcalico.org/shop/get-only/spec/ingress/0/http: the HTTP match (methods, paths) is not judged: felix enforces the rule's L3/L4 part alone, as judged here; where application layer policy is on, Dikastes also refuses the HTTP requests it does not match (ingress only), which no flow shows",
  ]);
});

// felix renders notICMP as `-m icmp ! --icmp-type T` (iptables, felix/iptables/match_builder.go),
// a match the kernel takes with protocol ICMP only (ip_tables.c: the icmp match's .proto is
// IPPROTO_ICMP), and as `icmp type != T` (nftables), which matches ICMP packets alone. Calico's
// validator does not require the protocol with notICMP (validateRule checks it for icmp only).
test('calico: an applied rule with notICMP and no ICMP protocol is said not to be judged on traffic that is not ICMP (its dataplanes read it differently)', () => {
  const notPing = policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'no-ping', { selector: 'all()', ingress: [{ action: 'Deny', notICMP: { type: 8 } }, { action: 'Allow', protocol: 'ICMP', notICMP: { type: 8 } }] });
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, notPing]), [
    'applied GlobalNetworkPolicy/no-ping/spec/ingress/0/notICMP: without protocol ICMP or ICMPv6 on the rule, what it does to traffic that is not ICMP is not judged (it is judged as if notICMP were absent): felix writes notICMP as an iptables icmp match, which the kernel takes with protocol ICMP only, or as an nftables "icmp type !=", which matches ICMP packets alone',
  ]);
});

test('a kubernetes recommendation on Cilium beside an applied ClusterNetworkPolicy: the cilium simulation judges and names it as not evaluated, saying Cilium enforces it only with enable-k8s-cluster-network-policy (cilium/cilium pkg/policy/k8s/conformance/conformance_test.go preflightCheck)', () => {
  const onCilium = { cluster: { ...model.cluster, ciliumClusterName: 'default' } } as unknown as ClusterModel;
  const cnp = policy('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'admin-deny-b-to-a', { tier: 'Admin', priority: 10 });
  const warnings = engineWarnings(emitted('kubernetes'), onCilium, [np, cnp]).join('\n');
  assert.match(warnings, /applied policies of kinds the cilium simulation does not evaluate were left out of the verification beside applied policies: ClusterNetworkPolicy\.policy\.networking\.k8s\.io ×1 \(admin-deny-b-to-a\)/);
  assert.match(warnings, /Cilium enforces ClusterNetworkPolicies only from 1\.20 and only where the cilium-config sets enable-k8s-cluster-network-policy: "true" \(off by default\)/);
  // Without Cilium in the inventory the ClusterNetworkPolicy API judges them: nothing is left out.
  assert.deepEqual(engineWarnings(emitted('kubernetes'), model, [np, cnp]), []);
});

test('on Cilium with enable-k8s-cluster-network-policy "true" the cilium simulation evaluates the v1alpha2 ClusterNetworkPolicy (Admin and Baseline tiers around its own: cilium/cilium pkg/policy/k8s/cluster_network_policy.go): not named; a v1alpha1 AdminNetworkPolicy, which Cilium does not watch, still is', () => {
  // Cilium 1.20.1: a release known to enforce them in tiers (domain/cilium-release.ts).
  const on = { cluster: { ...model.cluster, ciliumClusterName: 'default', ciliumPolicy: { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableK8sClusterNetworkPolicy: true }, ciliumAgentImage: 'quay.io/cilium/cilium:v1.20.1' } } as unknown as ClusterModel;
  const cnp = policy('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'admin-deny-b-to-a', { tier: 'Admin', priority: 10 });
  for (const engine of ['kubernetes', 'cilium'] as const) assert.deepEqual(engineWarnings(emitted(engine), on, [np, cnp]), [], engine);
  // No agent image: judged under both readings, named, and how to make it exact.
  const unknownBuild = { cluster: { ...on.cluster, ciliumAgentImage: undefined } } as unknown as ClusterModel;
  const [reading, ...others] = engineWarnings(emitted('kubernetes'), unknownBuild, [np, cnp]);
  assert.deepEqual(others, []);
  assert.match(reading ?? '', /^applied ClusterNetworkPolicies admin-deny-b-to-a: judged under both readings Cilium builds have, as the inventory shows no Cilium agent image \(import the kube-system cilium DaemonSet/);
  const [warning, ...more] = engineWarnings(emitted('kubernetes'), on, [np, cnp, anp]);
  assert.deepEqual(more, []);
  assert.match(warning ?? '', /the cilium simulation does not evaluate were left out of the verification beside applied policies: AdminNetworkPolicy\.policy\.networking\.k8s\.io ×1 \(deny-monitoring-db\);/);
  assert.match(warning ?? '', /Cilium enforces the v1alpha2 ClusterNetworkPolicy only, no v1alpha1 AdminNetworkPolicy or BaselineAdminNetworkPolicy/);
  // The key "false" (or absent): as before, with what the cilium-config says.
  const off = { cluster: { ...on.cluster, ciliumPolicy: { ...on.cluster.ciliumPolicy, enableK8sClusterNetworkPolicy: false } } } as unknown as ClusterModel;
  assert.match(engineWarnings(emitted('kubernetes'), off, [np, cnp]).join('\n'), /only where the cilium-config sets enable-k8s-cluster-network-policy: "true" \(off by default\), and the imported cilium-config does not/);
});

test('a network set is no policy: never named as a kind left out (the Calico policies selecting it are), and the calico simulation reads it', () => {
  const set = policy('projectcalico.org/v3', 'GlobalNetworkSet', 'blocklist', { nets: ['203.0.113.0/24'] });
  const crdSet = policy('crd.projectcalico.org/v1', 'NetworkSet', 'partners', { nets: ['198.51.100.0/24'] }, 'shop');
  const cilium = policy('cilium.io/v2', 'CiliumNetworkPolicy', 'c', {}, 'shop');
  // Beside a cilium judge, the GlobalNetworkPolicy is named, the sets are not.
  const [warning] = engineWarnings(emitted('cilium'), model, [np, gnp, set, crdSet, cilium]);
  assert.match(warning ?? '', /does not evaluate were left out of the verification beside applied policies: GlobalNetworkPolicy\.projectcalico\.org ×1 \(platform\.deny-db\);/);
  assert.doesNotMatch(warning ?? '', /NetworkSet/);
  assert.deepEqual(engineWarnings(emitted('cilium'), model, [np, set, crdSet, cilium]), []);
  assert.deepEqual(engineWarnings(emitted('calico'), model, [np, set, crdSet]), []);
});
