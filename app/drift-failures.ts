/**
 * Which recommended policies make an engine's verification fail, so the report's drift section
 * can mark them where a reader picks what to apply (GET /api/v1/drift refuses such a drift).
 */
import { workloadKey } from '../domain/peer.ts';
import type { Direction } from '../domain/direction.ts';
import type { Manifest } from '../recommender/engines/index.ts';
import { manifestId } from '../recommender/engines/manifest-id.ts';
import { ANNOTATION_INTENT, intentAnnotation } from '../recommender/engines/metadata.ts';
import type { PolicyIntent, PolicySet } from '../recommender/policy/ir.ts';
import type { EdgeFinding, Verification } from '../recommender/verify/recommendation.ts';
import type { DriftFailures } from '../reports/build.ts';
import type { DriftCut } from '../reports/model.ts';

/** The ids (manifestId) of one engine's manifests, by their intent annotation: all a report keeps of them for this. */
export class ManifestsByIntent {
  private readonly ids = new Map<string, string[]>();
  private readonly all = new Set<string>();

  add(m: Manifest): void {
    const intent = m.metadata.annotations[ANNOTATION_INTENT];
    if (intent === undefined) return;
    const id = manifestId(m);
    (this.ids.get(intent) ?? this.ids.set(intent, []).get(intent)!).push(id);
    this.all.add(id);
  }

  of(intent: PolicyIntent): readonly string[] {
    return this.ids.get(intentAnnotation(intent)) ?? [];
  }

  has(id: string): boolean {
    return this.all.has(id);
  }
}

const restricts = (i: PolicyIntent, d: Direction): boolean => i[d].mode !== 'none';

function subjectIsWorkload(i: PolicyIntent, workload: string): boolean {
  return i.subject.kind === 'workload' && i.subject.workload !== undefined && workloadKey(i.subject.workload) === workload;
}

function subjectHasNamespace(i: PolicyIntent, ns: string): boolean {
  if (i.subject.kind === 'namespace') return i.namespace === ns;
  return i.subject.kind === 'namespaces' && i.subject.namespaces.includes(ns);
}

/**
 * The intents that isolate the finding's workload in its direction: its own (allowlist), else
 * the layers of its namespace (a default deny). None when the subject is no workload of the set.
 */
function isolatingIntents(set: PolicySet, f: EdgeFinding): PolicyIntent[] {
  const own = set.intents.filter((i) => subjectIsWorkload(i, f.workload) && restricts(i, f.direction));
  if (own.length > 0) return own;
  const ns = f.workload.slice(0, f.workload.indexOf('/'));
  return set.intents.filter((i) => subjectHasNamespace(i, ns) && restricts(i, f.direction));
}

/**
 * The policies that cut a finding's edge side: those replacing the applied policies that selected
 * a workload outside a scoped run (EdgeFinding.replaced); the recommended one the simulator names
 * as deciding when it names one (a deny rule, an isolation policy), else (an implicit default deny,
 * or the end of a Calico tier, which names the Tier) those that isolate the side and have no rule
 * for it.
 */
function cuttingPolicies(set: PolicySet, manifests: ManifestsByIntent, f: EdgeFinding): string[] {
  // The recommended policies of the replaced ones' identity (manifestId: kind, namespace, name).
  if (f.replaced !== undefined) return f.replaced;
  if (f.by !== undefined && manifests.has(f.by.policy)) return [f.by.policy];
  return [...new Set(isolatingIntents(set, f).flatMap((i) => manifests.of(i)))];
}

/** Per policy, what fails in it; undefined when the verification passes. */
export function driftFailures(v: Pick<Verification, 'ok' | 'blocked' | 'admission'>, set: PolicySet, manifests: ManifestsByIntent): DriftFailures | undefined {
  if (v.ok) return undefined;
  const byPolicy = new Map<string, { cuts: DriftCut[]; refused: string[]; sameName: string[] }>();
  const entry = (id: string) => byPolicy.get(id) ?? byPolicy.set(id, { cuts: [], refused: [], sameName: [] }).get(id)!;
  for (const f of v.blocked) for (const id of cuttingPolicies(set, manifests, f)) entry(id).cuts.push({ workload: f.workload, direction: f.direction, edge: f.edge });
  // A name another manifest has too is no refusal: the API server accepts each and the one applied last replaces the others (verify/duplicate-names.ts).
  for (const e of v.admission) (e.duplicateName ? entry(e.manifest).sameName : entry(e.manifest).refused).push(`${e.path}: ${e.message}`);
  return { byPolicy };
}
