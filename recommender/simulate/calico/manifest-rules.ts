/**
 * The Calico policy manifests among given objects, and their rules with where each is: what the
 * warnings about fields the simulator does not judge (http-match.ts, not-icmp.ts,
 * service-accounts.ts) walk, on manifests not yet checked for shape.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';

export type CalicoPolicyManifest = Record<string, unknown> & { spec: Record<string, unknown> };

export interface CalicoRuleAt {
  direction: 'ingress' | 'egress';
  rule: Record<string, unknown>;
  /** `/spec/<direction>/<index>`. */
  path: string;
}

/** The projectcalico.org/v3 objects of `kinds` with a spec object. */
export function* calicoPolicies(policies: readonly unknown[], kinds: ReadonlySet<string>): Generator<CalicoPolicyManifest> {
  for (const p of policies) {
    if (isPlainObject(p) && p.apiVersion === 'projectcalico.org/v3' && kinds.has(String(p.kind)) && isPlainObject(p.spec)) yield p as CalicoPolicyManifest;
  }
}

/** A policy's ingress then egress rules that are objects, in order. */
export function* rulesOf(p: CalicoPolicyManifest): Generator<CalicoRuleAt> {
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = Array.isArray(p.spec[direction]) ? (p.spec[direction] as unknown[]) : [];
    for (const [i, rule] of rules.entries()) if (isPlainObject(rule)) yield { direction, rule, path: `/spec/${direction}/${i}` };
  }
}
