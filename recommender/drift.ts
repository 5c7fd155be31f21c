/**
 * Drift: the policies applied in the cluster (from the inventory) against what flowmatrix
 * recommends for the engine. Policies are matched by apiVersion, kind, namespace and name:
 * `missing` = recommended, not applied; `extra` = applied (of a kind the engine emits, in scope),
 * not recommended; `differing` = both, with a different spec (the paths that differ are listed),
 * each spec as the API server stores it (its CRD's defaults filled in; a Cilium policy's rules,
 * `spec` and `specs` together: cilium-rule-list.ts). A Calico default-tier
 * policy listed back as `default.<name>` is the recommended `<name>` (listedName). In a
 * namespace's drift, an applied cluster-scoped policy whose subject also covers other namespaces
 * is never `extra`: it is `sharedWithOtherNamespaces`, judged by the whole cluster's drift; nor is
 * it `differing` when a recommended manifest has its name, since applying that manifest would
 * replace it (a cluster-scoped name is unique cluster-wide): it is listed there with the changes.
 * A ClusterNetworkPolicy flowmatrix applied under the name an earlier export gave a cluster-wide
 * layer (before the name carried its key's hash) is not `extra` but `renamed`, with `renamedTo`.
 * One another tool manages (engines/metadata.ts otherManager: an operator's built-in policy) is
 * not `extra` either but `ownedByOperator`: deleting it fights the operator, which recreates it.
 * When a recommended manifest has its reference and differs, it is `differing` marked with its
 * `ownedByOperator`: applying it overwrites the operator's object, which the operator reverts.
 * A Calico policy of a tier other than the default one, which is all flowmatrix writes, is not
 * `extra` either but `inOtherTiers`: a tier is another owner's (Calico "Tier": tiers let separate
 * teams order their policies before the default tier), not this drift's to delete; and so is a
 * ClusterNetworkPolicy of the Admin tier (flowmatrix writes the Baseline tier only).
 */
import type { AppliedPolicy } from '../domain/inventory.ts';
import type { Manifest } from './engines/index.ts';
import { compareStrings } from './policy/order.ts';
import { ANNOTATION_INTENT, intentScope, LABEL_LAYER, managedByFlowmatrix, otherManager, type OtherManager } from './engines/metadata.ts';
import { formerClusterWideManifestName } from './engines/clusternetworkpolicy.ts';
import { asStored } from './stored-form.ts';
import { isPlainObject } from '../domain/plain-object.ts';
import { subjectNamespaces } from './subject-namespaces.ts';
import { canonical, orderFreeText } from './spec-list-order.ts';
import { withCidrsAsBlocks } from './spec-cidrs.ts';
import { withCalicoSelectorsCanonical } from './spec-selectors.ts';
import { withoutEmptySelectorParts } from './spec-label-selectors.ts';
import { ciliumRuleList, comparedRules } from './cilium-rule-list.ts';
import { CALICO_DEFAULT_TIER, calicoListedName, inCalicoDefaultTier, isCalicoPolicyKind } from './calico-listed-name.ts';
import { CNP_API_VERSION, CNP_KIND, isClusterNetworkPolicy, type CnpTier } from './engines/wire/clusternetworkpolicy.ts';

export interface PolicyRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface SpecChange {
  path: string;
  applied?: unknown;
  recommended?: unknown;
}

/** An applied cluster-scoped policy whose subject covers other namespaces than the drift's; `namespaces` those it is limited to (absent: any namespace). */
export interface SharedPolicyRef extends PolicyRef {
  namespaces?: string[];
  /**
   * When the namespace's recommendation holds a policy of this name: how it differs (applying it
   * would replace this one, cutting the other namespaces' traffic); `name` the recommended
   * policy's when this one is listed under another (a Calico `default.<name>`: listedName).
   */
  replacedByRecommended?: { name?: string; changes: SpecChange[] };
}

/** An applied policy flowmatrix wrote under the name an earlier export gave the recommended `renamedTo`. */
export interface RenamedPolicyRef extends PolicyRef {
  renamedTo: string;
}

/** An applied policy, not recommended, that another tool manages: its managed-by label, its controller. */
export interface OwnedPolicyRef extends PolicyRef, OtherManager {}

/** An applied Calico policy or ClusterNetworkPolicy, not recommended, of `tier`, a tier flowmatrix does not write (tierNotWritten). */
export interface OtherTierPolicyRef extends PolicyRef {
  tier: string;
}

/**
 * A recommended policy whose spec differs from the applied one at `changes`; `ownedByOperator`
 * when another tool manages the applied one: applying the recommended one overwrites the tool's
 * object, which the tool reverts (or its next reconcile wipes the recommended one).
 */
export interface DifferingPolicyRef extends PolicyRef {
  changes: SpecChange[];
  ownedByOperator?: OtherManager;
}

export interface DriftReport {
  engine: string;
  namespace?: string;
  /** `ownedByOperator`, `differingOwnedByOperator` (the differing ones marked `ownedByOperator`), `renamed` and `inOtherTiers` only when there are any. */
  summary: { recommended: number; applied: number; inSync: number; missing: number; extra: number; differing: number; ownedByOperator?: number; differingOwnedByOperator?: number; renamed?: number; inOtherTiers?: number };
  inSync: PolicyRef[];
  missing: PolicyRef[];
  extra: PolicyRef[];
  differing: DifferingPolicyRef[];
  /** In a namespace's drift, when there are any: not extra, since deleting them would cut other namespaces' traffic. */
  sharedWithOtherNamespaces?: SharedPolicyRef[];
  /** When there are any: not extra, since the recommended `renamedTo` replaces them (apply it, then delete them). */
  renamed?: RenamedPolicyRef[];
  /** When there are any: not extra, since the tool that manages them recreates them: turn them off there. */
  ownedByOperator?: OwnedPolicyRef[];
  /** When there are any: not extra, since their tier is another owner's (flowmatrix writes the default tier only). */
  inOtherTiers?: OtherTierPolicyRef[];
}

const refKey = (r: PolicyRef): string => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;

function ref(r: { apiVersion: string; kind: string; namespace?: string | undefined; name: string }): PolicyRef {
  const out: PolicyRef = { apiVersion: r.apiVersion, kind: r.kind, name: r.name };
  if (r.namespace !== undefined) out.namespace = r.namespace;
  return out;
}

const MAX_CHANGES = 50;

/** The paths where two specs differ, down to the first level where they stop being both objects or both arrays of equal length. */
export function specChanges(applied: unknown, recommended: unknown, path = 'spec', out: SpecChange[] = []): SpecChange[] {
  if (out.length >= MAX_CHANGES || canonical(applied) === canonical(recommended)) return out;
  const bothObjects = applied && recommended && typeof applied === 'object' && typeof recommended === 'object' && !Array.isArray(applied) && !Array.isArray(recommended);
  if (bothObjects) {
    const a = applied as Record<string, unknown>;
    const r = recommended as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(r)])].sort()) specChanges(a[k], r[k], `${path}.${k}`, out);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(recommended) && applied.length === recommended.length) {
    applied.forEach((x, i) => specChanges(x, recommended[i], `${path}[${i}]`, out));
    return out;
  }
  const c: SpecChange = { path };
  if (applied !== undefined) c.applied = applied;
  if (recommended !== undefined) c.recommended = recommended;
  out.push(c);
  return out;
}

/** The kinds each engine renders (docs/design.md §4): applied policies of these kinds are compared. */
export const ENGINE_KINDS: Record<string, readonly string[]> = {
  kubernetes: ['networking.k8s.io/v1|NetworkPolicy'],
  cilium: ['cilium.io/v2|CiliumNetworkPolicy', 'cilium.io/v2|CiliumClusterwideNetworkPolicy'],
  calico: ['projectcalico.org/v3|NetworkPolicy', 'projectcalico.org/v3|GlobalNetworkPolicy'],
  clusternetworkpolicy: ['policy.networking.k8s.io/v1alpha2|ClusterNetworkPolicy'],
};

function specOf(m: unknown): unknown {
  const manifest = m as { apiVersion?: unknown; spec?: unknown } | null;
  return manifest?.apiVersion === 'projectcalico.org/v3' ? withoutRuleMetadata(manifest.spec) : manifest?.spec;
}

/**
 * The spec without what does not decide traffic and changes with every ingest: a Calico rule's
 * `metadata` (annotations only, "per-rule metadata" in the Calico v3 Rule reference) carries
 * flowmatrix's explanation with its flow counts, as the other engines' policies carry theirs in
 * the object's metadata, which is not compared either.
 */
function withoutRuleMetadata(spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null) return spec;
  const s = spec as { ingress?: unknown; egress?: unknown };
  if (!hasRuleMetadata(s.ingress) && !hasRuleMetadata(s.egress)) return spec;
  const out: Record<string, unknown> = { ...(spec as Record<string, unknown>) };
  for (const direction of ['ingress', 'egress'] as const) if (Array.isArray(s[direction])) out[direction] = (s[direction] as unknown[]).map(withoutMetadata);
  return out;
}

const hasRuleMetadata = (rules: unknown): boolean => Array.isArray(rules) && rules.some((r) => isPlainObject(r) && 'metadata' in r);
function withoutMetadata(rule: unknown): unknown {
  if (!isPlainObject(rule) || !('metadata' in rule)) return rule;
  const { metadata: _notCompared, ...rest } = rule;
  return rest;
}

/**
 * The tier of an applied policy when it is one flowmatrix never writes: a Calico policy's other
 * than the default one (engines/calico.ts names none, so its policies land in the default tier),
 * evaluated before or after flowmatrix's by the tier's order; a ClusterNetworkPolicy's other than
 * Baseline (engines/clusternetworkpolicy.ts writes that tier only), the Admin tier, whose policies
 * "set cluster-wide security rules that cannot be overridden in the other tiers" (network-policy-api
 * apis/v1alpha2 clusternetworkpolicy_types.go, Tier). Either is another owner's.
 */
function tierNotWritten(p: AppliedPolicy): string | undefined {
  const spec = isPlainObject(p.manifest) && isPlainObject(p.manifest.spec) ? p.manifest.spec : {};
  if (isCalicoPolicyKind(p.apiVersion, p.kind)) return inCalicoDefaultTier(p.manifest) ? undefined : String(spec.tier);
  if (isClusterNetworkPolicy(p.manifest) && typeof spec.tier === 'string' && spec.tier !== tierWritten(p)) return spec.tier;
  return undefined;
}

/** The one tier flowmatrix writes policies of a kind in: Calico's default tier, the ClusterNetworkPolicy Baseline tier; undefined for a kind without tiers. */
export function tierWritten(p: { apiVersion: string; kind: string }): string | undefined {
  if (isCalicoPolicyKind(p.apiVersion, p.kind)) return CALICO_DEFAULT_TIER;
  return p.apiVersion === CNP_API_VERSION && p.kind === CNP_KIND ? CNP_TIER_WRITTEN : undefined;
}

/** The tier engines/clusternetworkpolicy.ts writes. */
const CNP_TIER_WRITTEN: CnpTier = 'Baseline';

/** The other name a recommended Calico default-tier policy may be listed under (calico-listed-name.ts). */
function listedName(r: PolicyRef, m: Manifest): PolicyRef | undefined {
  if (!isCalicoPolicyKind(r.apiVersion, r.kind) || !inCalicoDefaultTier(m)) return undefined;
  return { ...r, name: calicoListedName(r.name) };
}

/**
 * The spec changes of two manifests as the API server stores them (stored-form.ts): what it
 * defaults is no difference. Equal as given, they are equal defaulted too: only differing ones are copied and defaulted.
 */
function storedSpecChanges(applied: unknown, recommended: Manifest): SpecChange[] {
  const given = comparedSpecs(applied, recommended);
  const changes = specChanges(given.applied, given.recommended, given.path);
  if (changes.length === 0) return changes;
  const stored = comparedSpecs(asStored(applied), asStored(recommended));
  // A CIDR is the block it is, however it is spelt (spec-cidrs.ts: FD00:1::10/128 is fd00:1::10/128);
  // a Calico selector is what it parses to (spec-selectors.ts: app == 'web' is app == "web"); a label
  // selector's empty matchLabels is no requirement (spec-label-selectors.ts).
  const { apiVersion, kind } = recommended;
  const blocks = (spec: unknown): unknown => withoutEmptySelectorParts(apiVersion, kind, withCalicoSelectorsCanonical(apiVersion, kind, withCidrsAsBlocks(apiVersion, kind, spec)));
  const rules = (x: unknown): unknown => (stored.path === 'specs' && Array.isArray(x) ? x.map(blocks) : blocks(x));
  const [a, r] = [rules(stored.applied), rules(stored.recommended)];
  // The order of a list that decides nothing is no difference (spec-list-order.ts: a NetworkPolicy's
  // or a Cilium policy's lists, a Calico or ClusterNetworkPolicy rule's peers and ports; not those rules' order).
  const unordered = orderFreeText(recommended.apiVersion, recommended.kind, a);
  if (unordered !== undefined && unordered === orderFreeText(recommended.apiVersion, recommended.kind, r)) return [];
  return specChanges(a, r, stored.path);
}

/** What is compared of two manifests of one kind: their `spec`; a Cilium policy's rules, in `spec` and `specs` (cilium-rule-list.ts). */
function comparedSpecs(applied: unknown, recommended: unknown): { path: string; applied: unknown; recommended: unknown } {
  const [a, r] = [ciliumRuleList(applied), ciliumRuleList(recommended)];
  if (a === undefined || r === undefined) return { path: 'spec', applied: specOf(applied), recommended: specOf(recommended) };
  return comparedRules(a, r);
}

/**
 * Drift compared one recommended manifest at a time, so that the manifests of a large
 * recommendation need not be in memory together (the report: app/report-input.ts); what it keeps
 * of each is its reference and, when it differs from the applied one, the paths that differ.
 */
export class DriftComparison {
  /** Applied policies in the namespace scope, by reference key (kinds are scoped at the end: recommended kinds count too). */
  private readonly applied = new Map<string, AppliedPolicy>();
  /** Cluster-scoped applied policies outside the namespace's scope: in it once a recommended manifest has the same reference (applying it replaces them). */
  private readonly elsewhere = new Map<string, AppliedPolicy>();
  /** `via`: the key of the applied policy compared when it is listed under another name (listedName). */
  private readonly compared = new Map<string, { ref: PolicyRef; applied: boolean; changes: SpecChange[]; via?: string }>();
  private readonly kinds: Set<string>;
  /** Applied policies flowmatrix wrote under a former name of a recommended manifest: the recommended name, by the applied policy's key. */
  private readonly renamedTo = new Map<string, string>();

  constructor(
    private readonly engine: string,
    applied: readonly AppliedPolicy[],
    private readonly namespace?: string,
  ) {
    this.kinds = new Set(ENGINE_KINDS[engine] ?? []);
    // A cluster-scoped policy is in a namespace's drift when flowmatrix wrote it for that namespace; one it did not write is about the whole cluster.
    for (const p of applied) {
      if (namespace === undefined || p.namespace === namespace || (p.namespace === undefined && intentScope(p.manifest)?.namespaces.includes(namespace) === true)) this.applied.set(refKey(ref(p)), p);
      else if (p.namespace === undefined) this.elsewhere.set(refKey(ref(p)), p);
    }
  }

  add(m: Manifest): void {
    const r = ref({ apiVersion: m.apiVersion, kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
    this.kinds.add(`${r.apiVersion}|${r.kind}`);
    const k = refKey(r);
    let [key, a] = [k, this.appliedAt(k)];
    const listed = a === undefined ? listedName(r, m) : undefined;
    const alias = listed === undefined ? undefined : this.appliedAt(refKey(listed));
    if (alias !== undefined && inCalicoDefaultTier(alias.manifest)) [key, a] = [refKey(listed!), alias];
    // Applying the manifest replaces a cluster-scoped policy of its reference outside the namespace's scope: it is in scope.
    if (a !== undefined) this.applied.set(key, a);
    // An applied policy of the same reference has the manifest's kind: in scope, whatever ENGINE_KINDS lists.
    const changes = a === undefined ? [] : storedSpecChanges(a.manifest, m);
    this.compared.set(k, { ref: r, applied: a !== undefined, changes, ...(key === k ? {} : { via: key }) });
    this.addFormerName(r, m);
  }

  /**
   * The applied policy an earlier export wrote for the manifest under its former name
   * (clusternetworkpolicy.ts formerClusterWideManifestName), in scope: ours by the managed-by
   * label, and of the manifest's intent and layer, so no user's policy of that name is taken for it.
   */
  private addFormerName(r: PolicyRef, m: Manifest): void {
    const intent = m.metadata.annotations[ANNOTATION_INTENT];
    const former = intent === undefined || r.kind !== 'ClusterNetworkPolicy' ? undefined : formerClusterWideManifestName(intent, r.name);
    if (former === undefined) return;
    const key = refKey({ ...r, name: former });
    const p = this.appliedAt(key);
    const metadata = (p?.manifest as { metadata?: { annotations?: Record<string, unknown>; labels?: Record<string, unknown> } } | undefined)?.metadata;
    if (p === undefined || !managedByFlowmatrix(p.manifest) || metadata?.annotations?.[ANNOTATION_INTENT] !== intent || metadata?.labels?.[LABEL_LAYER] !== m.metadata.labels[LABEL_LAYER]) return;
    this.applied.set(key, p);
    this.renamedTo.set(key, r.name);
  }

  /** The applied policy of a reference, in the namespace's scope or a cluster-scoped one outside it. */
  private appliedAt(k: string): AppliedPolicy | undefined {
    return this.applied.get(k) ?? this.elsewhere.get(k);
  }

  report(): DriftReport {
    const inScope = [...this.applied].filter(([, p]) => this.kinds.has(`${p.apiVersion}|${p.kind}`)).sort(([a], [b]) => compareStrings(a, b));
    // A policy listed under another name is the one recommended under that name, when there is one (in whatever order they were added).
    const isApplied = (c: { applied: boolean; via?: string }): boolean => c.applied && (c.via === undefined || !this.compared.has(c.via));
    const listedElsewhere = new Set([...this.compared.values()].flatMap((c) => (c.via !== undefined && isApplied(c) ? [c.via] : [])));
    // Of the applied policies not recommended, one other namespaces also depend on is not this namespace's to delete.
    const unlisted = inScope.filter(([k]) => !this.compared.has(k) && !listedElsewhere.has(k));
    // One an earlier export wrote under a former name of a recommended manifest: that manifest replaces it.
    const renamed = unlisted.flatMap(([k, p]) => (this.renamedTo.has(k) ? [{ ...ref(p), renamedTo: this.renamedTo.get(k)! }] : []));
    const notRecommended = unlisted.filter(([k]) => !this.renamedTo.has(k)).map(([k, p]) => ({ k, p, shared: this.sharedWithOtherNamespaces(p) }));
    const shared = notRecommended.flatMap(({ k, shared }) => (shared === undefined ? [] : [{ k, shared }]));
    const report: DriftReport = { engine: this.engine, summary: { recommended: this.compared.size, applied: 0, inSync: 0, missing: 0, extra: 0, differing: 0 }, inSync: [], missing: [], extra: [], differing: [] };
    if (this.namespace !== undefined) report.namespace = this.namespace;
    for (const k of [...this.compared.keys()].sort()) {
      const c = this.compared.get(k)!;
      const replaced = isApplied(c) && c.changes.length > 0 ? this.sharedWithOtherNamespaces(this.applied.get(c.via ?? k)!) : undefined;
      if (!isApplied(c)) report.missing.push(c.ref);
      else if (c.changes.length === 0) report.inSync.push(c.ref);
      // Applying it would replace a policy other namespaces share: not this namespace's to apply.
      else if (replaced !== undefined) shared.push({ k: c.via ?? k, shared: { ...replaced, replacedByRecommended: { ...(c.via !== undefined ? { name: c.ref.name } : {}), changes: c.changes } } });
      else report.differing.push(differingRef(c.ref, c.changes, this.applied.get(c.via ?? k)!));
    }
    const owned: OwnedPolicyRef[] = [];
    const otherTiers: OtherTierPolicyRef[] = [];
    for (const { p } of notRecommended.filter((x) => x.shared === undefined)) {
      const tier = tierNotWritten(p);
      const manager = otherManager(p.manifest);
      if (tier !== undefined) otherTiers.push({ ...ref(p), tier });
      else if (manager === undefined) report.extra.push(ref(p));
      else owned.push({ ...ref(p), ...manager });
    }
    report.summary.applied = inScope.length - shared.length;
    report.summary.inSync = report.inSync.length;
    report.summary.missing = report.missing.length;
    report.summary.extra = report.extra.length;
    report.summary.differing = report.differing.length;
    if (owned.length > 0) report.summary.ownedByOperator = owned.length;
    const overwritten = report.differing.filter((d) => d.ownedByOperator !== undefined).length;
    if (overwritten > 0) report.summary.differingOwnedByOperator = overwritten;
    if (renamed.length > 0) report.summary.renamed = renamed.length;
    if (otherTiers.length > 0) report.summary.inOtherTiers = otherTiers.length;
    if (shared.length > 0) report.sharedWithOtherNamespaces = shared.sort((a, b) => compareStrings(a.k, b.k)).map((x) => x.shared);
    if (renamed.length > 0) report.renamed = renamed;
    if (owned.length > 0) report.ownedByOperator = owned;
    if (otherTiers.length > 0) report.inOtherTiers = otherTiers;
    return report;
  }

  /** An applied cluster-scoped policy's reference when its subject covers a namespace other than the drift's (subjectNamespaces); undefined otherwise and in the whole cluster's drift. */
  private sharedWithOtherNamespaces(p: AppliedPolicy): SharedPolicyRef | undefined {
    if (this.namespace === undefined || p.namespace !== undefined) return undefined;
    const namespaces = subjectNamespaces(p.manifest);
    if (namespaces !== undefined && namespaces.every((n) => n === this.namespace)) return undefined;
    return namespaces === undefined ? ref(p) : { ...ref(p), namespaces };
  }
}

/** A differing recommended policy, marked with who else manages the applied one it would overwrite (otherManager). */
function differingRef(r: PolicyRef, changes: SpecChange[], applied: AppliedPolicy): DifferingPolicyRef {
  const manager = otherManager(applied.manifest);
  return { ...r, changes, ...(manager !== undefined ? { ownedByOperator: manager } : {}) };
}

export function computeDrift(engine: string, applied: readonly AppliedPolicy[], recommended: readonly Manifest[], namespace?: string): DriftReport {
  const drift = new DriftComparison(engine, applied, namespace);
  for (const m of recommended) drift.add(m);
  return drift.report();
}
