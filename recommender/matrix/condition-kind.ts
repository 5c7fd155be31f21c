/**
 * What a rule's condition that does not hold stands for, when only parameters left at their
 * default make it fail (docs/matrices.md, "Documented when set"):
 *
 * - `option`: it turns on an optional part — every parameter it fails on is a boolean left at
 *   `false` that the rule needs `true` (S3 "when configured", a partner API behind a feature
 *   toggle). An observed flow the rule fits is evidence the part is on: documented when set.
 * - `view`: it switches between alternative views of the same matrix — an enum or string
 *   (Kyma's `model`, NetObserv's `deploymentModel`), an integer or port, a boolean on by default
 *   that the rule needs off, or a boolean the matrix declares `switchesView` (NetObserv's
 *   `allowInNamespace`, the document's simpler alternative). The other value's rules document
 *   other peers; a flow one of them fits is no evidence that this cluster runs that view.
 *
 * Undefined when the condition holds, or fails on a parameter the config set or that has no value:
 * the cluster said otherwise, or the rule is unresolved.
 */
import type { ConditionResult, ResolvedParameter } from './resolved.ts';

export type ConditionKind = 'option' | 'view';

export function conditionKind(cond: ConditionResult | undefined, parameters: readonly ResolvedParameter[]): ConditionKind | undefined {
  if (cond === undefined || cond.holds) return undefined;
  const byName = new Map(parameters.map((p) => [p.name, p]));
  let kind: ConditionKind = 'option';
  for (const [name, expected] of Object.entries(cond.when)) {
    const p = byName.get(name);
    if (p === undefined || p.value === undefined) return undefined;
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (allowed.includes(p.value)) continue;
    if (p.origin !== 'default') return undefined;
    if (p.type !== 'boolean' || p.switchesView || p.value !== false) kind = 'view';
  }
  return kind;
}

/** The cluster config that makes the condition hold: `matrices.systems.<matrix>.parameters: {s3.configured: true}`. */
export function conditionConfig(matrix: string, cond: ConditionResult): string {
  const values = Object.entries(cond.when).map(([k, v]) => `${k}: ${JSON.stringify(Array.isArray(v) ? v[0] : v)}`);
  return `matrices.systems.${matrix}.parameters: {${values.join(', ')}}`;
}
