/**
 * A total order on every IR node, so that output never depends on input order. Each node has
 * a canonical sort key (a string that compares in code-unit order); numbers are zero-padded.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../domain/inventory.ts';
import type { PolicyPeer, PolicyRule, PortSpec } from './ir.ts';

export { compareStrings } from '../../domain/order.ts';
import { compareStrings } from '../../domain/order.ts';

export function sortedBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => compareStrings(a.k, b.k))
    .map((x) => x.item);
}

/** Sorted and de-duplicated by key (first occurrence wins). */
export function uniqueSortedBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  if (items.length <= 1) return items.slice();
  // A stable sort keeps the first of equal keys first.
  const keyed = items.map((item) => ({ item, k: key(item) })).sort((a, b) => compareStrings(a.k, b.k));
  return keyed.filter((x, i) => i === 0 || x.k !== keyed[i - 1]!.k).map((x) => x.item);
}

const pad = (n: number): string => String(n).padStart(5, '0');

export function sortedRecord(r: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r ?? {}).sort(compareStrings)) out[k] = r![k]!;
  return out;
}

/** Labels sorted, expressions sorted with sorted values, empty parts dropped. `{}` selects everything. */
export function canonicalSelector(s: LabelSelector | undefined): LabelSelector {
  const out: LabelSelector = {};
  const labels = sortedRecord(s?.matchLabels);
  if (Object.keys(labels).length > 0) out.matchLabels = labels;
  const exprs = uniqueSortedBy(
    (s?.matchExpressions ?? []).map((e): LabelSelectorRequirement => {
      const r: LabelSelectorRequirement = { key: e.key, operator: e.operator };
      if (e.operator === 'In' || e.operator === 'NotIn') r.values = [...new Set(e.values ?? [])].sort(compareStrings);
      return r;
    }),
    (e) => JSON.stringify([e.key, e.operator, e.values ?? []]),
  );
  if (exprs.length > 0) out.matchExpressions = exprs;
  return out;
}

export function selectorIsEmpty(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

export function selectorKey(s: LabelSelector): string {
  return JSON.stringify(canonicalSelector(s));
}

const PORT_KIND_RANK: Record<PortSpec['kind'], number> = { all: 0, number: 1, range: 2, named: 3 };

export function portKey(p: PortSpec): string {
  const head = `${p.protocol}|${PORT_KIND_RANK[p.kind]}|`;
  switch (p.kind) {
    case 'all':
      return head;
    case 'number':
      return head + pad(p.port);
    case 'range':
      return `${head}${pad(p.start)}-${pad(p.end)}`;
    case 'named':
      return p.numbers === undefined ? head + p.name : `${head}${p.name}=${p.numbers.join(',')}`;
  }
}

const PEER_KIND_RANK: Record<PolicyPeer['kind'], number> = {
  pods: 0,
  namespace: 1,
  dns: 2,
  apiserver: 3,
  nodes: 4,
  cidr: 5,
  fqdn: 6,
  world: 7,
  'selected-namespaces': 8,
  'cilium-ingress': 9,
};

/** The sort key of an IR peer (not to be confused with `domain/peer.ts` `peerKey`, the stored key of a flow peer). */
export function policyPeerKey(p: PolicyPeer): string {
  const head = `${PEER_KIND_RANK[p.kind]}|`;
  switch (p.kind) {
    case 'pods':
      return `${head}${p.namespace ?? ''}|${selectorKey(p.selector)}`;
    case 'namespace':
      return `${head}${p.namespace ?? ''}`;
    case 'dns':
      return `${head}${p.namespace}|${selectorKey(p.selector)}|${p.ports.map(portKey).join(',')}`;
    case 'apiserver':
      return head + p.endpoints.map((e) => `${e.ip}:${pad(e.port)}/${e.protocol}`).join(',');
    case 'nodes':
      return head + p.ips.join(',');
    case 'cidr':
      return `${head}${p.cidr}|${p.except.join(',')}${p.podExcept === undefined ? '' : `|${p.podExcept.join(',')}`}`;
    case 'fqdn':
      return `${head}${p.name}|${p.ips.join(',')}`;
    case 'world':
    case 'cilium-ingress':
      return head;
    case 'selected-namespaces':
      return `${head}${selectorKey(p.namespaceSelector)}|${selectorKey(p.selector)}`;
  }
}

export function ruleKey(r: PolicyRule): string {
  return [r.peers.map(policyPeerKey).join(';'), r.ports.map(portKey).join(';'), r.explanation.id, r.explanation.status, r.explanation.text].join('#');
}
