/**
 * The warning a workload's recommendation carries when a flow metric saw it talk to a peer that no
 * edge joins it to (domain/metric-pair.ts): the metric named no port, so no observed rule allows
 * that traffic, and unless a documented rule (union or documented mode) allows the peer, the
 * recommended policy blocks it. Pure: the app layer reads the pairs
 * (app/metric-pairs.ts) and passes them in.
 */
import type { MetricPair } from '../domain/metric-pair.ts';
import { peerText, workloadKey, type Peer } from '../domain/peer.ts';

const workloadOf = (p: Peer): string | undefined => (p.kind === 'workload' || p.kind === 'dns' ? workloadKey(p.workload) : undefined);

export function metricPairWarning(pair: MetricPair, workload: string, peer: Peer): string {
  return (
    `${pair.metric} saw ${workload} exchange traffic with ${peerText(peer)} but no flow with a port was observed; ` +
    'unless a documented rule allows that peer, the recommended policy blocks it: collect flows or add it to the matrix'
  );
}

/**
 * The warnings per workload key (`namespace/Kind/name`), each workload's in the pairs' order (the
 * store's key order: deterministic). A pair of a workload with itself warns once.
 */
export function metricPairWarnings(pairs: readonly MetricPair[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string | undefined, pair: MetricPair, peer: Peer): void => {
    if (key === undefined) return;
    const list = out.get(key) ?? [];
    list.push(metricPairWarning(pair, key, peer));
    out.set(key, list);
  };
  for (const p of pairs) {
    const a = workloadOf(p.peerA);
    const b = workloadOf(p.peerB);
    add(a, p, p.peerB);
    if (b !== a) add(b, p, p.peerA);
  }
  return out;
}
