/**
 * What every emitted policy carries whatever the engine: the managed-by label, the layer, and
 * annotations explaining the policy and each rule (bounded well below the 256 KiB limit on all
 * annotations of an object), plus the sorting that makes the output order stable.
 */
import { SHARED_INTENT_PREFIX, sharedIntentNamespaces, type Direction, type DirectionPolicy, type PolicyIntent, type PolicyRule, type RuleExplanation } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';
import type { EmitWarning, EngineName, Manifest, ManifestMetadata, WarningCode } from './types.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = { [MANAGED_BY_LABEL]: 'flowmatrix' } as const;
export const ANNOTATION_EXPLANATION = 'flowmatrix.io/explanation';
export const ANNOTATION_RULES = 'flowmatrix.io/rules';
export const ANNOTATION_INTENT = 'flowmatrix.io/intent';
export const LABEL_LAYER = 'flowmatrix.io/layer';
/** The workloads whose pod selectors in the manifest were inferred from flow records (no inventory). */
export const ANNOTATION_INFERRED = 'flowmatrix.io/inferred-selectors';

/**
 * What a manifest's intent annotation (`flowmatrix.io/intent`) is about: the namespace of a
 * workload's intent (`<ns>/<kind>/<name>…`), or the namespaces of a shared layer; undefined for
 * a manifest flowmatrix did not write.
 */
export function intentScope(manifest: unknown): { namespaces: string[]; shared: boolean } | undefined {
  const intent = (manifest as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[ANNOTATION_INTENT];
  if (typeof intent !== 'string') return undefined;
  if (intent.startsWith(SHARED_INTENT_PREFIX)) return { namespaces: sharedIntentNamespaces(intent), shared: true };
  return { namespaces: [intent.split('/')[0]!], shared: false };
}

/** Whether a manifest carries flowmatrix's managed-by label (MANAGED_BY): one flowmatrix wrote. */
export function managedByFlowmatrix(manifest: unknown): boolean {
  const labels = (manifest as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata?.labels;
  return Object.entries(MANAGED_BY).every(([key, value]) => labels?.[key] === value);
}

/** The controller an owner reference names (apimachinery OwnerReference with `controller: true`). */
export interface ControllerRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/** Who else manages an applied policy: its `app.kubernetes.io/managed-by` when not flowmatrix, its controller owner reference. */
export interface OtherManager {
  managedBy?: string;
  owner?: ControllerRef;
}

/**
 * `app.kubernetes.io/managed-by` values of tools that reconcile nothing: Helm stamps `Helm` on
 * every object a chart renders (the user's own policies too) and runs no controller between
 * upgrades, so a deleted object stays deleted — the user's to act on, not an operator's.
 */
const NOT_OPERATORS: ReadonlySet<string> = new Set([MANAGED_BY[MANAGED_BY_LABEL], 'Helm']);

/**
 * Whether something other than flowmatrix manages an applied policy, and what: the Kubernetes
 * recommended label `app.kubernetes.io/managed-by` ("the tool being used to manage the operation
 * of an application") naming another tool that reconciles it (not Helm: NOT_OPERATORS), or an
 * owner reference with `controller: true` (at most one per object: apimachinery
 * ValidateOwnerReferences), whose controller recreates what is deleted. Undefined when neither
 * says so.
 */
export function otherManager(manifest: unknown): OtherManager | undefined {
  const metadata = (manifest as { metadata?: { labels?: Record<string, unknown>; ownerReferences?: unknown } } | null)?.metadata;
  const label = metadata?.labels?.[MANAGED_BY_LABEL];
  const managedBy = typeof label === 'string' && label !== '' && !NOT_OPERATORS.has(label) ? label : undefined;
  const owner = controllerRef(metadata?.ownerReferences);
  if (managedBy === undefined && owner === undefined) return undefined;
  return { ...(managedBy !== undefined ? { managedBy } : {}), ...(owner !== undefined ? { owner } : {}) };
}

function controllerRef(refs: unknown): ControllerRef | undefined {
  const r = Array.isArray(refs) ? refs.find((x) => isPlainObject(x) && x.controller === true) : undefined;
  if (!isPlainObject(r) || typeof r.kind !== 'string' || typeof r.name !== 'string') return undefined;
  return { apiVersion: typeof r.apiVersion === 'string' ? r.apiVersion : '', kind: r.kind, name: r.name };
}

const MAX_EXPLANATION = 1024;
const MAX_RULES = 8192;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Why an admission webhook's port is open to every source (see the kubernetes and cilium engines). */
export const WEBHOOK_SOURCE_NOTE =
  "open to any source on its port: no policy names the apiserver's source address on every control plane (Cilium's kube-apiserver entity misses ingress on AKS, EKS, GKE)";

/**
 * Why a rule naming Cilium's Ingress / Gateway API proxy is open to any peer on its ports on an
 * engine other than Cilium: the proxy is no pod, and only a CiliumNetworkPolicy selects its
 * identity (the `ingress` entity, cilium/cilium pkg/policy/api/entity.go); a NetworkPolicy that
 * Cilium enforces gives its ipBlocks no identity Cilium manages, so naming its address cuts it.
 */
export const CILIUM_INGRESS_NOTE =
  "Cilium's Ingress / Gateway API proxy: open to any peer on its ports, since only a CiliumNetworkPolicy selects the proxy's identity (the ingress entity: the cilium engine renders it)";

/** What an engine says of its own: a rule naming Cilium's Ingress proxy needs no note where the engine selects it. */
export interface ExplainedFor {
  selectsCiliumIngress: boolean;
}

/**
 * The intent with what the engines render differently from the rule's own words said in the
 * rule's explanation: an ingress rule from the apiserver (admission webhooks) is open to every
 * source, and so is a rule naming Cilium's Ingress proxy on an engine that cannot select it. The
 * same intent object when there is nothing to say.
 */
export function explainedIntent(intent: PolicyIntent, engine: ExplainedFor = { selectsCiliumIngress: false }): PolicyIntent {
  const ingress = explainedDirection(intent.ingress, 'ingress', engine);
  const egress = explainedDirection(intent.egress, 'egress', engine);
  return ingress === intent.ingress && egress === intent.egress ? intent : { ...intent, ingress, egress };
}

function explainedDirection(d: DirectionPolicy, direction: Direction, engine: ExplainedFor): DirectionPolicy {
  if (d.mode !== 'rules') return d;
  const notesOf = (r: PolicyRule): string[] => [
    ...(direction === 'ingress' && r.peers.some((p) => p.kind === 'apiserver') ? [WEBHOOK_SOURCE_NOTE] : []),
    ...(!engine.selectsCiliumIngress && r.peers.some((p) => p.kind === 'cilium-ingress') ? [CILIUM_INGRESS_NOTE] : []),
  ];
  if (!d.rules.some((r) => notesOf(r).length > 0)) return d;
  const rules = d.rules.map((r) => {
    const notes = notesOf(r);
    if (notes.length === 0) return r;
    const said = notes.map((n) => `(${n})`).join(' ');
    return { ...r, explanation: { ...r.explanation, text: r.explanation.text ? `${r.explanation.text} ${said}` : notes.join('; ') } };
  });
  return { ...d, rules };
}

/** What an engine without ICMP rules says where it leaves a direction's echo out (withoutEcho). */
export interface NoEchoRule {
  /** The engine's kind, as the warning names it: `NetworkPolicy`, `ClusterNetworkPolicy`. */
  kind: string;
  /** Why it writes no ICMP rule (the warning's reason); by default, that its ports are TCP, UDP or SCTP only. */
  why?: string;
  /** What to do if the echo is required; by default, allow it by hand or use an engine that renders it. */
  remedy?: string;
  /** Where it cannot express it, after "which a <kind> cannot express" (a setting of the cluster); by default nowhere said. */
  where?: string;
}

/**
 * The intent without its ICMP echo rules, for an engine that cannot render them: a NetworkPolicy
 * port is TCP, UDP or SCTP ("NetworkPolicy is defined for layer 4 connections", kubernetes.io
 * Network Policies) and a ClusterNetworkPolicy's likewise, while a rule without ports "allows all
 * traffic" on every protocol to its peers — it would open far more than the ping. So the restricted
 * direction denies the echo, and a warning per direction names what it cuts; a direction left with
 * no rule denies everything. So does Cilium where its agent refuses ICMP rules (`enable-icmp-rules`
 * off: engines/cilium.ts). The same intent object when there is no echo.
 */
export function withoutEcho(intent: PolicyIntent, w: Warnings, engine: NoEchoRule): PolicyIntent {
  const ingress = directionWithoutEcho(intent, 'ingress', intent.ingress, w, engine);
  const egress = directionWithoutEcho(intent, 'egress', intent.egress, w, engine);
  return ingress === intent.ingress && egress === intent.egress ? intent : { ...intent, ingress, egress };
}

function directionWithoutEcho(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings, engine: NoEchoRule): DirectionPolicy {
  if (d.mode !== 'rules' || d.echo === undefined) return d;
  const seen = [...new Set(d.echo.flatMap((e) => e.seen.map((s) => `${s} ${e.protocol}`)))].sort(compareStrings);
  const shown = seen.length > 5 ? `${seen.slice(0, 5).join(', ')} and ${seen.length - 5} more` : seen.join(', ');
  w.add(
    'icmp-not-expressible',
    intent,
    `${direction}: ICMP observed ${direction === 'ingress' ? 'from' : 'to'} ${shown} will be denied: ${engine.why ?? `a ${engine.kind} names TCP, UDP or SCTP ports only, and a rule without ports would open every protocol to the peer`}; if it is required, ${engine.remedy ?? 'allow it by hand, or use the cilium or calico engine, which render it (icmps, protocol ICMP)'}`,
    { direction },
  );
  if (d.rules.length > 0) return { mode: 'rules', rules: d.rules };
  const why = d.echo.map((e) => e.explanation.id).join(' ');
  return { mode: 'deny-all', explanation: { id: `${intent.key}#${direction}`, status: 'implied', text: `only ICMP echo observed (${why}), which a ${engine.kind} cannot express${engine.where ?? ''}: deny all ${direction}` } };
}

export function ruleLine(direction: Direction, e: RuleExplanation): string {
  return `${direction} ${e.status} ${e.id}${e.text ? `: ${e.text}` : ''}`;
}

/** Explanations of every rule of a direction policy, as annotation lines. */
export function directionLines(direction: Direction, d: DirectionPolicy): string[] {
  switch (d.mode) {
    case 'none':
      return [];
    case 'deny-all':
    case 'allow-all':
      return [ruleLine(direction, d.explanation)];
    case 'rules':
      return [...d.rules, ...(d.echo ?? [])].map((r) => ruleLine(direction, r.explanation));
  }
}

/** Lines joined up to the size limit; what does not fit is counted, never silently dropped. */
export function rulesAnnotation(lines: readonly string[]): string {
  const unique = [...new Set(lines)];
  return fitLines(unique.length, (i) => unique[i]!);
}

/** The annotation of both directions' rule lines (as rulesAnnotation), undefined without lines. */
export function intentRulesAnnotation(intent: PolicyIntent): string | undefined {
  const { ingress, egress } = intent;
  if (!distinctLines(ingress) || !distinctLines(egress)) {
    const lines = [...directionLines('ingress', ingress), ...directionLines('egress', egress)];
    return lines.length > 0 ? rulesAnnotation(lines) : undefined;
  }
  // Lines of distinct rules: built only while they fit, the rest only counted.
  const first = lineCount(ingress);
  const count = first + lineCount(egress);
  if (count === 0) return undefined;
  return fitLines(count, (i) => (i < first ? ruleLine('ingress', explanationAt(ingress, i)) : ruleLine('egress', explanationAt(egress, i - first))));
}

function lineCount(d: DirectionPolicy): number {
  return d.mode === 'none' ? 0 : d.mode === 'rules' ? d.rules.length + (d.echo?.length ?? 0) : 1;
}

/** The explanation of directionLines(direction, d)[i]. */
function explanationAt(d: DirectionPolicy, i: number): RuleExplanation {
  switch (d.mode) {
    case 'rules':
      return i < d.rules.length ? d.rules[i]!.explanation : d.echo![i - d.rules.length]!.explanation;
    case 'deny-all':
    case 'allow-all':
      return d.explanation;
    case 'none':
      throw new RangeError('an unrestricted direction has no rule line');
  }
}

/**
 * Whether the direction's lines are certainly distinct (the two directions' lines always are):
 * distinct rule ids give distinct lines, unless an id contains ': ', the id/text separator.
 */
export function distinctLines(d: DirectionPolicy): boolean {
  if (d.mode !== 'rules') return true;
  const ids = new Set<string>();
  for (const r of [...d.rules, ...(d.echo ?? [])]) {
    const id = r.explanation.id;
    if (ids.has(id) || id.includes(': ')) return false;
    ids.add(id);
  }
  return true;
}

/** The first of `count` lines that fit the size limit, joined, then how many did not fit. */
function fitLines(count: number, line: (i: number) => string): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const text = line(i);
    const next = out ? `${out}\n${text}` : text;
    if (next.length > MAX_RULES - 40) return `${out}\n… ${count - i} more rule(s), see the recommendation`;
    out = next;
  }
  return out;
}

export function metadata(intent: PolicyIntent, name: string, namespace: string | undefined, lines: readonly string[]): ManifestMetadata {
  return annotatedMetadata(intent, name, namespace, lines.length > 0 ? rulesAnnotation(lines) : undefined);
}

/** The ANNOTATION_INTENT value of the manifests an intent renders: its key, cut to the annotation's size limit. */
export function intentAnnotation(intent: PolicyIntent): string {
  return truncate(intent.key, MAX_EXPLANATION);
}

/** metadata() with the rules annotation already built (once for all manifests of an intent). */
export function annotatedMetadata(intent: PolicyIntent, name: string, namespace: string | undefined, rules: string | undefined): ManifestMetadata {
  const annotations: Record<string, string> = {
    [ANNOTATION_EXPLANATION]: truncate(intent.explanation, MAX_EXPLANATION),
    [ANNOTATION_INTENT]: intentAnnotation(intent),
  };
  if (rules !== undefined) annotations[ANNOTATION_RULES] = rules;
  if (intent.inferredSelectors !== undefined) annotations[ANNOTATION_INFERRED] = truncate(intent.inferredSelectors.join(', '), MAX_EXPLANATION);
  const m: ManifestMetadata = { name, labels: { ...MANAGED_BY, [LABEL_LAYER]: intent.layer }, annotations };
  if (namespace !== undefined) return { name, namespace, labels: m.labels, annotations };
  return m;
}

/** Where a manifest goes in EmitResult.manifests: by kind, namespace, name. */
export const manifestSortKey = (m: Manifest): string => `${m.kind}\u0000${m.metadata.namespace ?? ''}\u0000${m.metadata.name}`;

export function sortManifests<M extends Manifest>(ms: M[]): M[] {
  return ms.sort((a, b) => compareStrings(manifestSortKey(a), manifestSortKey(b)));
}

export class Warnings {
  private readonly list: EmitWarning[] = [];
  constructor(private readonly engine: EngineName) {}

  add(code: WarningCode, intent: PolicyIntent, message: string, where: { direction?: Direction; rule?: string } = {}): void {
    const w: EmitWarning = { code, engine: this.engine, intent: intent.key, message };
    if (where.direction) w.direction = where.direction;
    if (where.rule) w.rule = where.rule;
    this.list.push(w);
  }

  sorted(): EmitWarning[] {
    return sortedWarnings(this.list);
  }
}

/** Warnings sorted by intent, direction, rule, code and message, each said once: the order of EmitResult.warnings. */
export function sortedWarnings(list: readonly EmitWarning[]): EmitWarning[] {
  const key = (w: EmitWarning): string => [w.intent, w.direction ?? '', w.rule ?? '', w.code, w.message].join('\u0000');
  const seen = new Map<string, EmitWarning>();
  for (const w of list) seen.set(key(w), w);
  return [...seen.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, w]) => w);
}
