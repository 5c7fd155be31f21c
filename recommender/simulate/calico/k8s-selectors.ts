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
import type { CompiledPeer, CompiledSubject, TierPolicy } from '../clusternetworkpolicy/compile.ts';

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

function subjectSelectors(s: CompiledSubject): LabelSelector[] {
  if ('namespaces' in s) return [s.namespaces];
  return 'podSelector' in s ? [s.namespaceSelector, s.podSelector] : [];
}

function peerSelectors(p: CompiledPeer): LabelSelector[] {
  if (p.kind === 'namespaces' || p.kind === 'nodes') return [p.selector];
  return p.kind === 'pods' ? [p.namespaceSelector, p.podSelector] : [];
}

function subjectAsCalicoReads(s: CompiledSubject): CompiledSubject {
  if ('namespaces' in s) return { namespaces: asCalicoReads(s.namespaces) };
  return 'podSelector' in s ? { namespaceSelector: asCalicoReads(s.namespaceSelector), podSelector: asCalicoReads(s.podSelector) } : s;
}

function peerAsCalicoReads(p: CompiledPeer): CompiledPeer {
  if (p.kind === 'namespaces' || p.kind === 'nodes') return { ...p, selector: asCalicoReads(p.selector) };
  return p.kind === 'pods' ? { ...p, namespaceSelector: asCalicoReads(p.namespaceSelector), podSelector: asCalicoReads(p.podSelector) } : p;
}

/** The policy with its selectors as Calico converts them (the same policy when apimachinery would build them all). */
export function withCalicoSelectors(p: TierPolicy): TierPolicy {
  const rules = [...p.rules.ingress, ...p.rules.egress];
  if (![...subjectSelectors(p.subject), ...rules.flatMap((r) => r.peers.flatMap(peerSelectors))].some(refused)) return p;
  const convert = (rs: typeof rules) => rs.map((r) => ({ ...r, peers: r.peers.map(peerAsCalicoReads) }));
  return { ...p, subject: subjectAsCalicoReads(p.subject), rules: { ingress: convert(p.rules.ingress), egress: convert(p.rules.egress) } };
}
