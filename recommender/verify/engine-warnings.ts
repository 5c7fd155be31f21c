/**
 * Where an engine's semantics make a correct output ineffective on this cluster. The manifests
 * themselves pass; what the cluster already runs decides whether they do anything.
 */
import { kindKey, type AppliedPolicy, type CiliumPolicySettings, type LabelSelector } from '../../domain/inventory.ts';
import { selectorMatches } from '../matrix/selector.ts';
import type { EmitResult, EngineManifests, EngineName } from '../engines/types.ts';
import { compareStrings } from '../policy/order.ts';
import { conversionNotes } from '../simulate/calico/cluster-tiers.ts';
import { hostEndpointOptionNotModelled, KNOWN_TIERS, tierOrDefault } from '../simulate/calico/policies.ts';
import { serviceAccountLabelWarnings } from '../simulate/calico/service-accounts.ts';
import { httpMatchWarnings } from '../simulate/calico/http-match.ts';
import { notIcmpWarnings } from '../simulate/calico/not-icmp.ts';
import { ciliumClusterNetworkPolicyNote, ciliumClusterNetworkPolicyReadingWarning, ciliumEgressNamedPortReadingWarning, isCiliumClusterNetworkPolicy, enforcingEngine, engineOfKind, evaluatesKind, UNEVALUATED_EFFECT, verifyingEngine } from '../simulate/decide.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { ClusterView } from '../simulate/kubernetes/cluster-view.ts';
import type { SimCluster, SimPod } from '../simulate/types.ts';
import { hostPoliciesNotJudged, hostPolicyIds } from '../simulate/cilium/host-firewall.ts';
import { namesEgressPortOnCilium } from '../simulate/cilium/egress-port-names.ts';
import { alwaysJudged, enforcementModeWarnings } from '../simulate/cilium/enforcement-mode.ts';
import { manifestId } from './index.ts';
import { PluginWarnings, shownNames } from './plugin-warnings.ts';
import type { NetworkPlugin } from '../simulate/network-plugin.ts';
import { identitySelectorsTakenAsLacking } from '../simulate/pod-identity-selectors.ts';
import { refusedSelectorMessage, refusedSelectors } from '../simulate/refused-selectors.ts';
import { networkSetKind } from '../../domain/calico-network-sets.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import type { Direction } from '../../domain/direction.ts';
import { networkPolicyNonStandardCidrs, nonStandardReading } from '../../domain/legacy-cidr.ts';
import { pointerToken } from './json-pointer.ts';
import { calicoCrdVerificationWarnings } from '../../domain/calico-crd.ts';

/** Applied NetworkPolicies with the directions they isolate: `policyTypes`, by default Ingress, plus Egress with egress rules (kubernetes/kubernetes SetDefaults_NetworkPolicy). */
function appliedNetworkPolicies(applied: readonly AppliedPolicy[]): { id: string; namespace: string; selector: LabelSelector; isolates: ReadonlySet<Direction> }[] {
  return applied.flatMap((p) => {
    if (p.apiVersion !== 'networking.k8s.io/v1' || p.kind !== 'NetworkPolicy' || !isPlainObject(p.manifest) || !isPlainObject(p.manifest.spec)) return [];
    const spec = p.manifest.spec;
    const selector = isPlainObject(spec.podSelector) ? (spec.podSelector as LabelSelector) : {};
    const declared = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    const isolates = new Set<Direction>(declared.flatMap((t) => (t === 'Ingress' ? ['ingress' as const] : t === 'Egress' ? ['egress' as const] : [])));
    return [{ id: `NetworkPolicy/${p.namespace ?? 'default'}/${p.name}`, namespace: p.namespace ?? 'default', selector, isolates }];
  });
}

function cnpSubjectPods(m: EngineManifests['clusternetworkpolicy'], model: ClusterModel, view: ClusterView): SimPod[] {
  const subject = m.spec.subject;
  if (!isPlainObject(subject)) return [];
  const nsSel = isPlainObject(subject.namespaces) ? (subject.namespaces as LabelSelector) : isPlainObject(subject.pods) && isPlainObject(subject.pods.namespaceSelector) ? (subject.pods.namespaceSelector as LabelSelector) : undefined;
  const podSel = isPlainObject(subject.pods) && isPlainObject(subject.pods.podSelector) ? (subject.pods.podSelector as LabelSelector) : {};
  if (!nsSel) return [];
  return model.cluster.pods.filter((p) => !p.hostNetwork && selectorMatches(nsSel, view.namespaceLabels(p.namespace)) && selectorMatches(podSel, p.labels));
}

/**
 * ClusterNetworkPolicy Baseline tier: "a NetworkPolicy always makes the final decision for the
 * pods it selects" (policy.networking.k8s.io CRD, spec.tier): a Baseline rule of a direction is
 * never evaluated for a pod an applied NetworkPolicy isolates in that direction. Per direction, as
 * NetworkPolicy isolation is ("The two sorts of pod isolation") and as the clusternetworkpolicy
 * simulator decides: an ingress-only NetworkPolicy leaves the pod's egress to the Baseline rules.
 */
function baselineUnderNetworkPolicy(emitted: EmitResult, model: ClusterModel, applied: readonly AppliedPolicy[]): string[] {
  const nps = appliedNetworkPolicies(applied);
  if (nps.length === 0) return [];
  const view = new ClusterView(model.cluster);
  const out: string[] = [];
  for (const m of emitted.manifests) {
    if (m.kind !== 'ClusterNetworkPolicy' || m.spec.tier !== 'Baseline') continue;
    const ruled = (['ingress', 'egress'] as const).filter((d) => (m.spec[d] ?? []).length > 0);
    for (const d of ruled) {
      const shadowed = new Map<string, string>();
      for (const pod of cnpSubjectPods(m, model, view)) {
        const np = nps.find((n) => n.isolates.has(d) && n.namespace === pod.namespace && selectorMatches(n.selector, pod.labels));
        if (np) shadowed.set(`${pod.namespace}/${pod.name ?? '?'}`, np.id);
      }
      if (shadowed.size === 0) continue;
      const list = [...shadowed].sort(([a], [b]) => (a < b ? -1 : 1)).map(([pod, np]) => `${pod} (by ${np})`);
      out.push(`${manifestId(m)}: Baseline ${d} rules never apply to pods an applied NetworkPolicy isolates for ${d}, and these are: ${list.join(', ')}; the NetworkPolicy decides their ${d}`);
    }
  }
  return out;
}

/** Calico objects that are no policies but change what Calico's policies police: the nodes' host endpoints and their failsafe ports. */
const CALICO_HOST_OBJECTS: ReadonlySet<string> = new Set(['HostEndpoint', 'FelixConfiguration']);

function calicoHostObjectsWords(engine: EngineName, counts: ReadonlyMap<string, number>): string {
  const listed = [...counts].sort(([a], [b]) => compareStrings(a, b)).map(([kind, n]) => `${kind}.projectcalico.org ×${n}`);
  return `the inventory holds Calico host endpoint objects (${listed.join('; ')}), which the ${engine} simulation does not model: where Calico polices the nodes, the GlobalNetworkPolicies selecting those host endpoints decide node traffic too: verify with --engine calico`;
}

/**
 * Applied policies the verification beside applied policies cannot judge: kinds the engine's
 * simulation does not evaluate (an AdminNetworkPolicy Deny, a Calico policy in an earlier tier
 * deny whatever a NetworkPolicy allows), and Calico policies of a tier the inventory lacks
 * (Calico refuses to create a policy in a tier that does not exist, so the Tier was not imported).
 */
function appliedNotSimulated(engine: EngineName, applied: readonly AppliedPolicy[], cilium?: CiliumPolicySettings): string[] {
  const byKind = new Map<string, string[]>();
  const effects = new Set<string>();
  const hostObjects = new Map<string, number>();
  for (const p of applied) {
    // A Tier orders Calico policies, a network set is what their selectors match; neither decides anything itself.
    if (evaluatesKind(engine, p.apiVersion, p.kind, cilium) || (p.apiVersion === 'projectcalico.org/v3' && p.kind === 'Tier') || networkSetKind(p.apiVersion, p.kind) !== undefined) continue;
    // Host endpoints and Felix's configuration are no policies: said apart (calicoHostObjectsWords).
    if (p.apiVersion === 'projectcalico.org/v3' && CALICO_HOST_OBJECTS.has(p.kind)) {
      if (engine !== 'calico') hostObjects.set(p.kind, (hostObjects.get(p.kind) ?? 0) + 1);
      continue;
    }
    const kind = kindKey(p.apiVersion, p.kind);
    const of = engineOfKind(p.apiVersion, p.kind);
    if (of !== undefined) effects.add(UNEVALUATED_EFFECT[of]);
    if (of === 'clusternetworkpolicy' && engine === 'cilium') effects.add(ciliumClusterNetworkPolicyNote(cilium));
    const names = byKind.get(kind) ?? [];
    names.push(p.namespace ? `${p.namespace}/${p.name}` : p.name);
    byKind.set(kind, names);
  }
  const out: string[] = [];
  if (byKind.size > 0) {
    const kinds = [...byKind].sort(([a], [b]) => compareStrings(a, b)).map(([kind, names]) => `${kind} ×${names.length} (${shownNames(names)})`);
    out.push(
      `applied policies of kinds the ${engine} simulation does not evaluate were left out of the verification beside applied policies: ${kinds.join('; ')}; where the cluster enforces them they decide traffic too (${[...effects].sort(compareStrings).join('; ') || 'their rules apply beside these'}): verify with the engine that enforces them`,
    );
  }
  if (hostObjects.size > 0) out.push(calicoHostObjectsWords(engine, hostObjects));
  if (engine === 'calico') {
    const tiers = new Set([...KNOWN_TIERS.map((t) => t.name), ...applied.filter((p) => p.apiVersion === 'projectcalico.org/v3' && p.kind === 'Tier').map((p) => p.name)]);
    const missing = new Map<string, string[]>();
    for (const p of applied) {
      if (p.apiVersion !== 'projectcalico.org/v3' || (p.kind !== 'NetworkPolicy' && p.kind !== 'GlobalNetworkPolicy')) continue;
      const spec = isPlainObject(p.manifest) && isPlainObject(p.manifest.spec) ? p.manifest.spec : {};
      const tier = tierOrDefault(spec.tier);
      if (tiers.has(tier)) continue;
      missing.set(tier, [...(missing.get(tier) ?? []), p.namespace ? `${p.namespace}/${p.name}` : p.name]);
    }
    for (const [tier, names] of [...missing].sort(([a], [b]) => compareStrings(a, b))) {
      out.push(`applied Calico policies of tier "${tier}" (${shownNames(names)}) were left out of the verification: the inventory has no Tier "${tier}" (import tiers.projectcalico.org with the policies)`);
    }
  }
  return out;
}

/** `calicoCrdObjects`: the Calico objects the stored inventory carried from their CRDs and did not import (InventorySnapshot.calicoCrdObjects). */
export function engineWarnings(emitted: EmitResult, model: ClusterModel, applied: readonly AppliedPolicy[], calicoCrdObjects: Readonly<Record<string, number>> = {}): string[] {
  const plugin = new PluginWarnings(emitted.engine, model, applied);
  return [
    ...enforcementWarnings(emitted.engine, plugin.plugin, model.cluster),
    ...manifestWarnings(emitted, model, applied, plugin),
    ...plugin.summaries(),
    ...appliedPolicyWarnings(emitted.engine, applied, plugin.plugin, model, calicoCrdObjects),
  ];
}

/**
 * What the cilium-config's enforcement settings (`enable-policy`, `policy-audit-mode`) make of the
 * whole run, where Cilium judges the manifests (a `kubernetes` recommendation on Cilium too, whose
 * NetworkPolicies the agent enforces as its own rules, and a `clusternetworkpolicy` one where it
 * enforces ClusterNetworkPolicies: then also whether its build's reading of them is known): said once a run.
 */
export function enforcementWarnings(engine: EngineName, plugin: NetworkPlugin, cluster: Pick<SimCluster, 'ciliumPolicy' | 'ciliumAgentImage'>): string[] {
  if (verifyingEngine(engine, plugin, cluster.ciliumPolicy) !== 'cilium') return [];
  const reading = engine === 'clusternetworkpolicy' ? ciliumClusterNetworkPolicyReadingWarning("this recommendation's ClusterNetworkPolicies", cluster) : undefined;
  return [...enforcementModeWarnings(cluster), ...alwaysJudged(cluster), ...(reading !== undefined ? [reading] : [])];
}

/**
 * What the engine makes of these manifests on this cluster: one warning per manifest concerned.
 * `plugin` keeps what its summaries say of every manifest added (once for all of a run's chunks).
 */
export function manifestWarnings(emitted: EmitResult, model: ClusterModel, applied: readonly AppliedPolicy[], plugin: PluginWarnings): string[] {
  const warnings = plugin.add(emitted);
  return emitted.engine === 'clusternetworkpolicy' ? [...warnings, ...baselineUnderNetworkPolicy(emitted, model, applied)] : warnings;
}

/**
 * What the verification beside the applied policies cannot judge of them: the same whatever manifests
 * are verified. Calico objects the import could not read are in force whatever engine judges: said on every one.
 */
export function appliedPolicyWarnings(engine: EngineName, applied: readonly AppliedPolicy[], plugin: NetworkPlugin, model: Pick<ClusterModel, 'cluster' | 'ownSets'>, calicoCrdObjects: Readonly<Record<string, number>> = {}): string[] {
  return [...calicoCrdVerificationWarnings(calicoCrdObjects), ...importedPolicyWarnings(engine, applied, plugin, model)];
}

function importedPolicyWarnings(engine: EngineName, applied: readonly AppliedPolicy[], plugin: NetworkPlugin, model: Pick<ClusterModel, 'cluster' | 'ownSets'>): string[] {
  const cluster = model.cluster;
  // Beside the applied policies, the engine that enforces them judges (simulate/decide.ts enforcingEngine).
  const judge = enforcingEngine(engine, applied, plugin, cluster.ciliumPolicy);
  const manifests = applied.map((p) => p.manifest);
  // How the judge reads what the cluster stored: per-pod labels, non-standard CIDRs, refused selectors.
  const readings = [...perPodSelectorWarnings(judge, manifests, model), ...nonStandardCidrWarnings(applied), ...refusedSelectorWarnings(judge, manifests)];
  if (judge === 'cilium') return [...appliedNotSimulated(judge, applied, cluster.ciliumPolicy), ...appliedClusterNetworkPolicyReadings(applied, cluster), ...appliedEgressNamedPortReadings(applied, cluster), ...appliedHostPolicyWarnings(manifests, cluster), ...readings];
  if (judge !== 'calico') return [...appliedNotSimulated(judge, applied), ...readings];
  // A finding names the rule as written: what Calico's conversion made of it (a Deny of everything) is said here.
  const converted = conversionNotes(manifests).map((n) => `applied ${n.policy}: ${n.reason}`);
  return [...appliedNotSimulated(judge, applied), ...unmodelledHostEndpointPolicies(applied), ...serviceAccountLabelWarnings(manifests), ...[...httpMatchWarnings(manifests), ...notIcmpWarnings(manifests)].map((w) => `applied ${w}`), ...converted, ...readings];
}

/**
 * Applied Calico GlobalNetworkPolicies whose effect on host endpoints the calico simulation does not
 * model (simulate/calico/policies.ts leaves them out or judges the host's own traffic only): preDNAT
 * and doNotTrack policies, and what applyOnForward does to traffic a host endpoint forwards to and
 * from pods ("Pre-DNAT policies apply" to packets arriving on a host interface bound for a local
 * workload, docs.tigera.io reference/host-endpoints/summary). What they deny is not in the verdicts.
 */
function unmodelledHostEndpointPolicies(applied: readonly AppliedPolicy[]): string[] {
  const named = (option: 'untracked' | 'forwarded'): string[] =>
    applied
      .filter((p) => p.apiVersion === 'projectcalico.org/v3' && p.kind === 'GlobalNetworkPolicy' && isPlainObject(p.manifest) && isPlainObject(p.manifest.spec) && hostEndpointOptionNotModelled(p.manifest.spec) === option)
      .map((p) => p.name)
      .sort(compareStrings);
  const untracked = named('untracked');
  const forwarded = named('forwarded');
  return [
    ...(untracked.length > 0 ? [`applied Calico GlobalNetworkPolicies with preDNAT or doNotTrack (${shownNames(untracked)}) are not modelled: where they select host endpoints they police traffic arriving on the node for its pods before any other policy, and what they deny there is not in this verification`] : []),
    ...(forwarded.length > 0 ? [`applied Calico GlobalNetworkPolicies with applyOnForward (${shownNames(forwarded)}) are judged on their host endpoints' own traffic only: what they deny of traffic forwarded through a host endpoint to or from pods is not in this verification`] : []),
  ];
}

/** Applied ClusterNetworkPolicies judged under both of Cilium's readings, where its build is not known (decide.ts ciliumClusterNetworkPolicyReadingWarning). */
function appliedClusterNetworkPolicyReadings(applied: readonly AppliedPolicy[], cluster: Pick<SimCluster, 'ciliumPolicy' | 'ciliumAgentImage'>): string[] {
  const names = applied.filter((p) => isCiliumClusterNetworkPolicy(p.manifest)).map((p) => p.name).sort(compareStrings);
  const warning = names.length === 0 ? undefined : ciliumClusterNetworkPolicyReadingWarning(`applied ClusterNetworkPolicies ${shownNames(names)}`, cluster);
  return warning === undefined ? [] : [warning];
}

/** Applied policies naming egress ports by name, judged under both of Cilium's readings where its release is not known (decide.ts ciliumEgressNamedPortReadingWarning). */
function appliedEgressNamedPortReadings(applied: readonly AppliedPolicy[], cluster: Pick<SimCluster, 'ciliumPolicy' | 'ciliumAgentImage'>): string[] {
  const names = applied.filter((p) => namesEgressPortOnCilium(p.manifest)).map((p) => `${p.kind}/${p.namespace ? `${p.namespace}/` : ''}${p.name}`).sort(compareStrings);
  const warning = names.length === 0 ? undefined : ciliumEgressNamedPortReadingWarning(`applied policies ${shownNames(names)}`, cluster);
  return warning === undefined ? [] : [warning];
}

/** Applied Cilium host policies the judge left out because the inventory does not say whether the host firewall is on (simulate/cilium/host-firewall.ts). */
function appliedHostPolicyWarnings(manifests: readonly unknown[], cluster: Pick<SimCluster, 'ciliumClusterName' | 'ciliumPolicy'>): string[] {
  const ids = hostPolicyIds(manifests);
  const warning = ids.length === 0 ? undefined : hostPoliciesNotJudged(`applied ${shownNames(ids)}`, cluster);
  return warning === undefined ? [] : [warning];
}

/**
 * Applied NetworkPolicy ipBlocks the API server stored with a warning (leading zeros, IPv4-mapped):
 * every simulator reads them as the API server does (domain/legacy-cidr.ts), which the network
 * plugin may not.
 */
function nonStandardCidrWarnings(applied: readonly AppliedPolicy[]): string[] {
  return applied.flatMap((p) =>
    p.apiVersion === 'networking.k8s.io/v1' && p.kind === 'NetworkPolicy' && isPlainObject(p.manifest)
      ? networkPolicyNonStandardCidrs(p.manifest.spec).map((n) => `applied ${manifestId(p.manifest)}/${n.path.map((t) => pointerToken(String(t))).join('/')}: non-standard CIDR ${JSON.stringify(n.value)} ${nonStandardReading(n)}`)
      : [],
  );
}

/**
 * Applied network-policy-api selectors apimachinery cannot build (`operator: in`, In without
 * values): the judging simulator reads each as its engine does (selecting nothing; Calico as its
 * conversion writes it), and the verdicts beside the recommendation follow from that reading.
 */
function refusedSelectorWarnings(judge: EngineName, manifests: readonly unknown[]): string[] {
  return refusedSelectors(judge, manifests).map((s) => `applied ${refusedSelectorMessage(s)}`);
}

/**
 * An applied policy selecting pods by a label each StatefulSet pod gets from its own name
 * (simulate/pod-identity-selectors.ts) is judged at each pod's own labels where the inventory lists
 * them; at a StatefulSet none of whose pods it lists so, as if no pod had it, so what the policy
 * decides for those pods is not verified: said naming those StatefulSets, and only then.
 */
function perPodSelectorWarnings(judge: EngineName, manifests: readonly unknown[], model: Pick<ClusterModel, 'cluster' | 'ownSets'>): string[] {
  const { selectors, statefulSets } = identitySelectorsTakenAsLacking(judge, manifests, model);
  return selectors.map(
    (s) =>
      `applied ${s.policy}${s.path}: selects pods by ${s.labels.join(', ')}, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of ${shownNames(statefulSets)} with its own labels, so the verification beside applied policies takes their pods as lacking the label, and what this policy decides for them is not verified: import their Pods`,
  );
}
