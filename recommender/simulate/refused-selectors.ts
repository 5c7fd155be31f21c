/**
 * Label selectors of the network-policy-api kinds that apimachinery cannot build
 * (domain/label-selector.ts selectorProblems): their CRDs take any `operator` string, any number
 * of `values` and any label key or value, so the API server stores them, and each simulator reads
 * them as its engine does — the `clusternetworkpolicy` one as selecting nothing, Calico as its
 * conversion writes them (calico/k8s-selectors.ts). Either way not what the policy reads as: each
 * is said. NetworkPolicy and Cilium selectors never get here: their admission refuses them
 * (verify/admission/).
 */
import { isPlainObject } from '../../domain/plain-object.ts';
import type { LabelSelectorRequirement } from '../../domain/inventory.ts';
import { selectorProblems, type SelectorProblem } from '../../domain/label-selector.ts';
import { manifestId } from '../engines/manifest-id.ts';
import type { EngineName } from '../engines/types.ts';
import { pointerToken } from '../verify/json-pointer.ts';
import { evaluatesKind } from './decide.ts';
import { walkFields } from './manifest-fields.ts';

export interface RefusedSelector {
  /** The manifest, as messages name it (manifestId). */
  policy: string;
  /** JSON pointer of the refused field (`…/matchExpressions/0/operator`, `…/key`, `…/values/1`, `…/matchLabels/<key>`). */
  path: string;
  /** apimachinery's words. */
  problem: string;
  /** What the engine's simulation makes of it. */
  reading: string;
}

const NETWORK_POLICY_API = 'policy.networking.k8s.io/';
/** libcalico-go conversion.go k8sSelectorToCalico formats keys and values into the selector without checking them. */
const CALICO_UNCHECKED = 'Calico converts it unchecked (k8sSelectorToCalico writes keys and values as they are): read as written';

/** What Calico's conversion (libcalico-go conversion.go k8sSelectorToCalico) writes for a refused requirement. */
function calicoReading(e: LabelSelectorRequirement): string {
  switch (e.operator) {
    case 'In':
    case 'NotIn':
      return `Calico converts it as ${e.operator === 'In' ? 'in' : 'not in'} { '' } (k8sSelectorToCalico): the empty value`;
    case 'Exists':
    case 'DoesNotExist':
      return 'Calico converts it ignoring the values (k8sSelectorToCalico)';
  }
  return 'Calico converts the selector without this expression (k8sSelectorToCalico has no case for it)';
}

/** How `simulate` and the verification beside applied policies say it: policy and pointer, apimachinery's words, the engine's reading. */
export function refusedSelectorMessage(s: RefusedSelector): string {
  return `${s.policy}${s.path}: ${s.problem} (apimachinery LabelSelectorAsSelector): ${s.reading}`;
}

/** A label selector of a network-policy-api policy: the object holding `matchLabels` or `matchExpressions`. */
function isSelector(x: unknown): boolean {
  return isPlainObject(x) && ('matchLabels' in x || 'matchExpressions' in x);
}

/** The refused keys, values and requirements of the network-policy-api policies `engine`'s simulation evaluates, in input order. */
export function refusedSelectors(engine: EngineName, policies: readonly unknown[]): RefusedSelector[] {
  const out: RefusedSelector[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || !String(p.apiVersion).startsWith(NETWORK_POLICY_API) || !evaluatesKind(engine, String(p.apiVersion), String(p.kind))) continue;
    const policy = manifestId(p);
    const reading = (problem: SelectorProblem): string => {
      if (engine !== 'calico') return 'the selector selects nothing';
      return problem.requirement ? calicoReading(problem.requirement) : CALICO_UNCHECKED;
    };
    walkFields(p.spec, '/spec', (_k, x, at) => {
      if (!isSelector(x)) return true;
      for (const problem of selectorProblems(x)) out.push({ policy, path: `${at}/${problem.field.map((t) => pointerToken(String(t))).join('/')}`, problem: problem.problem, reading: reading(problem) });
      return false;
    });
  }
  return out;
}
