/**
 * An observed pair (migration 0009): two peers a flow metric saw exchanging traffic, with neither
 * the direction, the port nor the protocol — NetObserv's predefined `netobserv_workload_*` metrics
 * (collectors/prometheus/families/netobserv-predefined.ts). Never an edge: evidence that the two
 * talk. A pair with no edge between its peers (either way, any port) is traffic the recommended
 * policies would block without anyone having seen a port for it.
 */
import type { FlowSource } from './flow.ts';
import { peerKey, type Peer } from './peer.ts';

/** What a pair's series did not say (migration 0009 `lacks`, comma-separated in the store). */
export const PAIR_LACKS = ['direction', 'port', 'protocol'] as const;
export type PairLack = (typeof PAIR_LACKS)[number];

export interface MetricPair {
  /** Unordered: `peerKey(peerA) <= peerKey(peerB)`. */
  peerA: Peer;
  peerB: Peer;
  source: FlowSource;
  /** The metric the series came from, e.g. `netobserv_workload_flows_total`. */
  metric: string;
  lacks: PairLack[];
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
  /** Some edge joins the two peers, in either direction, on any port and protocol. */
  matched: boolean;
}

/** The JSON of one pair: `GET /api/v1/metric-pairs` items (docs/api.md), peers as keys, times ISO. */
export function metricPairJson(p: MetricPair) {
  return {
    peerA: peerKey(p.peerA),
    peerB: peerKey(p.peerB),
    source: p.source as string,
    metric: p.metric,
    lacks: [...p.lacks] as string[],
    firstSeen: new Date(p.firstSeen).toISOString(),
    lastSeen: new Date(p.lastSeen).toISOString(),
    flows: p.flows,
    packets: p.packets,
    bytes: p.bytes,
    matched: p.matched,
  };
}

export type MetricPairJson = ReturnType<typeof metricPairJson>;
