/**
 * Label selectors of the network-policy-api kinds that apimachinery cannot build
 * (domain/label-selector.ts requirementProblem): their CRDs take any `operator` string and any
 * number of `values`, so the API server stores them, and each simulator reads them as its engine
 * does — the `clusternetworkpolicy` one as selecting nothing, Calico as its conversion writes them
 * (calico/k8s-selectors.ts). Either way not what the policy reads as: each is said. NetworkPolicy and
 * Cilium selectors never get here: their admission refuses them (verify/admission/).
 */
import { isPlainObject } from '../../domain/plain-object.ts';
import type { LabelSelectorRequirement } from '../../domain/inventory.ts';
import { manifestId } from '../engines/manifest-id.ts';
import type { EngineName } from '../engines/types.ts';
import { requirementProblem } from '../matrix/selector.ts';
import { evaluatesKind } from './decide.ts';
import { walkFields } from './manifest-fields.ts';

export interface RefusedSelector {
  /** The manifest, as messages name it (manifestId). */
  policy: string;
  /** JSON pointer of the refused field (`…/matchExpressions/0/operator` or `…/values`). */
  path: string;
  /** apimachinery's words. */
  problem: string;
  /** What the engine's simulation makes of it. */
  reading: string;
}

const NETWORK_POLICY_API = 'policy.networking.k8s.io/';
const KNOWN_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

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

/** The refused requirements of the network-policy-api policies `engine`'s simulation evaluates, in input order. */
export function refusedSelectors(engine: EngineName, policies: readonly unknown[]): RefusedSelector[] {
  const out: RefusedSelector[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || !String(p.apiVersion).startsWith(NETWORK_POLICY_API) || !evaluatesKind(engine, String(p.apiVersion), String(p.kind))) continue;
    const policy = manifestId(p);
    const note = (e: LabelSelectorRequirement, at: string): void => {
      const problem = requirementProblem(e);
      if (problem === undefined) return;
      // One of the four operators is refused for its values, any other for itself.
      const field = (KNOWN_OPERATORS as readonly string[]).includes(e.operator) ? 'values' : 'operator';
      out.push({ policy, path: `${at}/${field}`, problem, reading: engine === 'calico' ? calicoReading(e) : 'the selector selects nothing' });
    };
    walkFields(p.spec, '/spec', (k, x, at) => {
      if (k !== 'matchExpressions' || !Array.isArray(x)) return true;
      x.forEach((e, i) => isPlainObject(e) && note(e as unknown as LabelSelectorRequirement, `${at}/${i}`));
      return false;
    });
  }
  return out;
}
