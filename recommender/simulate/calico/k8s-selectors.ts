/**
 * The label selectors of a network-policy-api policy as Calico converts them. libcalico-go
 * lib/backend/k8s/conversion/conversion.go k8sSelectorToCalico writes each matchExpression by a
 * switch on the four operators, with no default and no check of the values:
 * - another operator (`in`, `Foo`) writes nothing: the expression is dropped;
 * - `In` / `NotIn` without values write `k in { '' }` / `k not in { '' }`: the empty value;
 * - `Exists` / `DoesNotExist` write `has(k)` / `! has(k)`, whatever values they carry.
 * So where apimachinery's LabelSelectorAsSelector refuses such a selector (the `clusternetworkpolicy`
 * simulator: it selects nothing), Calico enforces this reading of it.
 */
import { requirementProblem } from '../../matrix/selector.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../../../domain/inventory.ts';
import { mapSelectors, type TierPolicy } from '../clusternetworkpolicy/compile.ts';

function asCalicoReadsRequirement(e: LabelSelectorRequirement): LabelSelectorRequirement[] {
  switch (e.operator) {
    case 'In':
    case 'NotIn':
      return [(e.values ?? []).length === 0 ? { ...e, values: [''] } : e];
    case 'Exists':
    case 'DoesNotExist':
      return [{ key: e.key, operator: e.operator }];
  }
  return [];
}

function refused(s: LabelSelector): boolean {
  return (s.matchExpressions ?? []).some((e) => requirementProblem(e) !== undefined);
}

function asCalicoReads(s: LabelSelector): LabelSelector {
  return refused(s) ? { ...s, matchExpressions: (s.matchExpressions ?? []).flatMap(asCalicoReadsRequirement) } : s;
}

/** The policies with their selectors as Calico converts them (the same policy where apimachinery would build them all). */
export function withCalicoSelectors(policies: readonly TierPolicy[]): TierPolicy[] {
  return mapSelectors(policies, asCalicoReads);
}
