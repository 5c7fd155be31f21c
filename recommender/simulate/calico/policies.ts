/**
 * The policies Calico enforces, compiled once: projectcalico.org/v3 NetworkPolicy and
 * GlobalNetworkPolicy, Kubernetes NetworkPolicy (converted as Calico does), and the Tier
 * resources that order them. Everything else (other kinds, staged policies) is ignored.
 *
 * Sources: docs.tigera.io/calico/latest/reference/resources/{networkpolicy,globalnetworkpolicy,tier};
 * felix calc/policy_sorter.go (PolKVLess: order, absent = +Inf, ties by name/namespace/kind;
 * TierLess: valid tiers only, order, absent last, ties by name).
 */
import type { CalicoGlobalNetworkPolicy, CalicoGlobalNetworkPolicySpec, CalicoNetworkPolicy, CalicoPolicySpecCommon, CalicoRule, CalicoTier } from '../../engines/wire/calico.ts';
import type { EndpointView } from './endpoints.ts';
import { k8sPolicyTypes, k8sRules, labelSelectorMatches, type K8sNetworkPolicy } from './kubernetes.ts';
import { compileRule, type CompiledRule, type RuleScope } from './rules.ts';
import { EntitySelectors } from './entity-selectors.ts';
import { parseSelector, SelectorSyntaxError } from './selector.ts';
import { globalPolicySelector, networkPolicySelector } from './v1-selectors.ts';
import type { ServiceIndex } from './services.ts';
import { PortBuckets } from '../port-buckets.ts';
import { kindName } from '../../engines/manifest-id.ts';
import type { Direction } from '../../../domain/direction.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';

export const DEFAULT_TIER = 'default';

/** libcalico-go lib/names TierOrDefault: a policy's tier, the default tier when blank or absent. */
/**
 * What of a GlobalNetworkPolicy's host endpoint options this simulation does not model:
 * `untracked` — preDNAT and doNotTrack policies apply to host endpoints only, before DNAT or outside
 * connection tracking (left out of the verdicts); `forwarded` — with applyOnForward it also polices
 * traffic a host endpoint forwards to and from pods (reference/host-endpoints/forwarded), judged on
 * the host endpoints' own traffic only.
 */
export function hostEndpointOptionNotModelled(spec: { preDNAT?: unknown; doNotTrack?: unknown; applyOnForward?: unknown } | undefined): 'untracked' | 'forwarded' | undefined {
  if (spec?.preDNAT || spec?.doNotTrack) return 'untracked';
  return spec?.applyOnForward ? 'forwarded' : undefined;
}

export function tierOrDefault(tier: unknown): string {
  return typeof tier === 'string' && tier !== '' ? tier : DEFAULT_TIER;
}
/** The default tier's order (the Tier CRD's CEL rule: "default tier order must be 1000000"). */
export const DEFAULT_TIER_ORDER = 1_000_000;
/** conversion.go: Kubernetes NetworkPolicies land in the default tier at order 1000. */
export const K8S_POLICY_ORDER = 1000;

export interface CompiledPolicy {
  /** `Kind/namespace/name` or `Kind/name`. */
  id: string;
  tier: string;
  order: number;
  /** felix PolKVLess tie-break: `name/namespace/kind`. */
  sortKey: string;
  /** Undefined for cluster-wide policies. */
  namespace?: string;
  applies(e: EndpointView): boolean;
  /** Undefined when the policy does not govern that direction. */
  ingress?: PortBuckets<CompiledRule>;
  egress?: PortBuckets<CompiledRule>;
}

/** The rules of one direction, narrowed per destination port as they are scanned. */
function byPort(rules: CompiledRule[]): PortBuckets<CompiledRule> {
  return new PortBuckets(rules, (r) => r.portSpans?.());
}

export interface TierInfo {
  name: string;
  order: number;
  defaultAction: 'Deny' | 'Pass';
}

export const KUBE_ADMIN: TierInfo = { name: 'kube-admin', order: 1000, defaultAction: 'Pass' };
export const KUBE_BASELINE: TierInfo = { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' };

/**
 * The tiers Calico creates itself at startup, which exist without a Tier manifest
 * (libcalico-go lib/clientv3/client.go EnsureInitialized: ensureTierExists(names.DefaultTierName,
 * v3.Deny, v3.DefaultTierOrder), the same for names.KubeAdminTierName and
 * names.KubeBaselineTierName with v3.Pass; api tier.go: KubeAdminTierOrder 1_000,
 * DefaultTierOrder 1_000_000, KubeBaselineTierOrder 10_000_000).
 */
export const BUILT_IN_TIERS: readonly TierInfo[] = [{ name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' }, KUBE_ADMIN, KUBE_BASELINE];

/**
 * The tiers Calico 3.29–3.31 put the v1alpha1 AdminNetworkPolicies and the
 * BaselineAdminNetworkPolicy in (lib/names AdminNetworkPolicyTierName "adminnetworkpolicy",
 * BaselineAdminNetworkPolicyTierName "baselineadminnetworkpolicy"; tiered-policy of those
 * versions: order 1,000 and default action Pass; calico#9464: the BaselineAdminNetworkPolicy's
 * tier at order 10,000,000). Calico 3.32 removed both, with ANP and BANP enforcement (v3.32.0
 * release notes "ClusterNetworkPolicy support"). Taken as existing: a Calico policy naming one is
 * in force on the versions that have it.
 */
export const ANP_TIER: TierInfo = { name: 'adminnetworkpolicy', order: 1000, defaultAction: 'Pass' };
export const BANP_TIER: TierInfo = { name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' };

/** Every tier that exists without a Tier manifest, on one Calico version or another. */
export const KNOWN_TIERS: readonly TierInfo[] = [...BUILT_IN_TIERS, ANP_TIER, BANP_TIER];

export interface Ignored {
  policy: string;
  reason: string;
}

export interface CompiledPolicies {
  /** Sorted: tier order, then policy order, then sortKey. */
  policies: CompiledPolicy[];
  tiers: Map<string, TierInfo>;
  /** Manifests Calico would not enforce (invalid selector, unknown tier, host-endpoint-only), with why. */
  ignored: Ignored[];
}

type Obj = Record<string, unknown>;

/** Types when `types` is absent (libcalico-go clientv3 defaultPolicyTypesField): Egress only with egress rules only, both with both, else Ingress. */
export function defaultTypes(spec: CalicoPolicySpecCommon): ('Ingress' | 'Egress')[] {
  if (spec.types && spec.types.length > 0) return spec.types;
  const ingress = (spec.ingress ?? []).length > 0;
  const egress = (spec.egress ?? []).length > 0;
  if (egress && !ingress) return ['Egress'];
  if (egress && ingress) return ['Ingress', 'Egress'];
  return ['Ingress'];
}

function compileRules(rules: CalicoRule[] | undefined, direction: Direction, scope: RuleScope): CompiledRule[] {
  return (rules ?? []).map((r, i) => compileRule(r, `/spec/${direction}/${i}`, scope));
}

function calicoPolicy(m: CalicoNetworkPolicy | CalicoGlobalNetworkPolicy, services: ServiceIndex, selectors: EntitySelectors): CompiledPolicy {
  const spec = m.spec ?? {};
  const global = m.kind === 'GlobalNetworkPolicy';
  const namespace = global ? undefined : (m.metadata.namespace ?? 'default');
  // Each as written first: one that does not parse is named in the error, and the policy refused.
  for (const s of [spec.selector, spec.serviceAccountSelector, global ? (spec as CalicoGlobalNetworkPolicySpec).namespaceSelector : undefined]) if (s) parseSelector(s);
  const selector = parseSelector(namespace === undefined ? globalPolicySelector(spec) : networkPolicySelector(spec, namespace));
  const scope: RuleScope = { namespace, services, selectors };
  const types = defaultTypes(spec);
  const name = m.metadata.name;
  return {
    // A Kubernetes NetworkPolicy (kubernetesPolicy) may have the same namespace and name: kindName tells them apart.
    id: global ? `GlobalNetworkPolicy/${name}` : `${kindName(m.apiVersion, m.kind)}/${namespace}/${name}`,
    tier: tierOrDefault(spec.tier),
    order: typeof spec.order === 'number' ? spec.order : Infinity,
    sortKey: `${name}/${namespace ?? ''}/${m.kind}`,
    namespace,
    // Felix applies a policy to the endpoints its selector matches, by their labels (a host
    // endpoint's carry no namespace: a namespaced policy never selects one).
    applies: (e) => (e.workload || e.hostEndpoint !== undefined) && selector.matches(e.labels),
    ingress: types.includes('Ingress') ? byPort(compileRules(spec.ingress, 'ingress', scope)) : undefined,
    egress: types.includes('Egress') ? byPort(compileRules(spec.egress, 'egress', scope)) : undefined,
  };
}

function kubernetesPolicy(np: K8sNetworkPolicy): CompiledPolicy {
  const namespace = np.metadata.namespace ?? 'default';
  const types = k8sPolicyTypes(np);
  const podSelector = np.spec.podSelector;
  const name = `knp.default.${np.metadata.name}`;
  return {
    id: `NetworkPolicy/${namespace}/${np.metadata.name}`,
    tier: DEFAULT_TIER,
    order: K8S_POLICY_ORDER,
    sortKey: `${name}/${namespace}/KubernetesNetworkPolicy`,
    namespace,
    applies: (e) => e.workload && e.namespace === namespace && labelSelectorMatches(podSelector, e.labels),
    ingress: types.includes('Ingress') ? byPort(k8sRules(np, 'ingress')) : undefined,
    egress: types.includes('Egress') ? byPort(k8sRules(np, 'egress')) : undefined,
  };
}

function tierInfo(t: CalicoTier): TierInfo {
  return { name: t.metadata.name, order: typeof t.spec?.order === 'number' ? t.spec.order : Infinity, defaultAction: t.spec?.defaultAction === 'Pass' ? 'Pass' : 'Deny' };
}

/** `Kind/namespace/name` of a manifest that may lack some of them (the kind as kindName gives it). */
function policyId(m: Obj): string {
  const md = isPlainObject(m.metadata) ? m.metadata : {};
  return [typeof m.kind === 'string' ? kindName(m.apiVersion, m.kind) : undefined, md.namespace, md.name].filter((x) => typeof x === 'string').join('/');
}

/** Manifests with `kind: List` (and `…List`) objects replaced by their items, as kubectl applies them. */
export function flatten(manifests: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const m of manifests) {
    if (isPlainObject(m) && typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items)) out.push(...flatten(m.items));
    else out.push(m);
  }
  return out;
}

export function compilePolicies(manifests: readonly unknown[], services: ServiceIndex): CompiledPolicies {
  const tiers = new Map<string, TierInfo>(KNOWN_TIERS.map((t) => [t.name, t]));
  const policies: CompiledPolicy[] = [];
  const ignored: Ignored[] = [];
  const selectors = new EntitySelectors();
  for (const m of flatten(manifests)) {
    if (!isPlainObject(m) || !isPlainObject(m.metadata)) continue;
    try {
      if (m.apiVersion === 'projectcalico.org/v3') {
        if (m.kind === 'Tier') tiers.set(String(m.metadata.name), tierInfo(m as unknown as CalicoTier));
        else if (m.kind === 'NetworkPolicy') policies.push(calicoPolicy(m as unknown as CalicoNetworkPolicy, services, selectors));
        else if (m.kind === 'GlobalNetworkPolicy') {
          const g = m as unknown as CalicoGlobalNetworkPolicy;
          const unmodelled = hostEndpointOptionNotModelled(g.spec);
          if (unmodelled === 'untracked') ignored.push({ policy: policyId(m), reason: 'preDNAT/doNotTrack policies (host endpoints only, before DNAT or untracked) are not modelled: left out of these verdicts' });
          else {
            policies.push(calicoPolicy(g, services, selectors));
            if (unmodelled === 'forwarded') ignored.push({ policy: policyId(m), reason: "applyOnForward: judged on host endpoints' own traffic only; its effect on traffic they forward to and from pods is not modelled" });
          }
        }
      } else if (m.apiVersion === 'networking.k8s.io/v1' && m.kind === 'NetworkPolicy') {
        policies.push(kubernetesPolicy(m as unknown as K8sNetworkPolicy));
      }
    } catch (e) {
      // Calico's API server would have refused it: it is not enforced.
      ignored.push({ policy: policyId(m), reason: e instanceof SelectorSyntaxError ? e.message : `malformed manifest: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  // felix policy_resolver.go: policies of a tier that does not exist are not applied.
  const valid = policies.filter((p) => {
    if (tiers.has(p.tier)) return true;
    ignored.push({ policy: p.id, reason: `tier "${p.tier}" does not exist` });
    return false;
  });
  const cmp = <T extends string | number>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);
  valid.sort((a, b) => {
    const ta = tiers.get(a.tier)!;
    const tb = tiers.get(b.tier)!;
    return cmp(ta.order, tb.order) || cmp(ta.name, tb.name) || cmp(a.order, b.order) || cmp(a.sortKey, b.sortKey);
  });
  ignored.sort((a, b) => cmp(a.policy, b.policy) || cmp(a.reason, b.reason));
  return { policies: valid, tiers, ignored };
}
