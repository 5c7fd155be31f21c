/**
 * Feeding the aggregate → write stages with connections that are already resolved and oriented,
 * and already counted: a metric series says "N flows from A to B:port in this step", not one
 * record per flow (collectors/prometheus). The result is the same AggregateBatch the record
 * pipeline hands to the store, so edges, hourly buckets and sources land exactly as ingest's do.
 */
import type { AggregateBatch, AmbiguousDelta, EdgeDelta } from '../../domain/edge-batch.ts';
import { FLOW_SOURCE_BITS, type FlowSource, type Protocol, type Verdict } from '../../domain/flow.ts';
import { HOUR_MS } from './aggregate.ts';

export interface CountedFlows {
  /** Epoch ms the count belongs to (the end of the step it was counted over). */
  time: number;
  /** How many flows (records) the count stands for; a positive integer. */
  flows: number;
  packets: number;
  bytes: number;
  /** The verdict every one of these flows had. */
  verdict: Verdict;
  source: FlowSource;
}

export class CountedAggregator {
  private edges = new Map<string, EdgeDelta>();
  private ambiguous = new Map<string, AmbiguousDelta>();

  get size(): number {
    return this.edges.size + this.ambiguous.size;
  }

  /** Adds counted, oriented flows to the edge (client, server, port, protocol); returns the edge key. */
  addEdge(client: string, server: string, port: number, protocol: Protocol, c: CountedFlows): string {
    const key = `${client}\t${server}\t${port}\t${protocol}`;
    let e = this.edges.get(key);
    if (!e) {
      e = { client, server, port, protocol, firstSeen: c.time, lastSeen: c.time, flows: 0, packets: 0, bytes: 0, forwarded: 0, dropped: 0, sources: 0, hours: new Map() };
      this.edges.set(key, e);
    }
    if (c.time < e.firstSeen) e.firstSeen = c.time;
    if (c.time > e.lastSeen) e.lastSeen = c.time;
    e.flows += c.flows;
    e.packets += c.packets;
    e.bytes += c.bytes;
    if (c.verdict === 'forwarded') e.forwarded += c.flows;
    else if (c.verdict === 'dropped') e.dropped += c.flows;
    e.sources |= FLOW_SOURCE_BITS[c.source];
    const hour = Math.floor(c.time / HOUR_MS);
    let h = e.hours.get(hour);
    if (!h) {
      h = { hour, flows: 0, packets: 0, bytes: 0 };
      e.hours.set(hour, h);
    }
    h.flows += c.flows;
    h.packets += c.packets;
    h.bytes += c.bytes;
    return key;
  }

  /** Counted flows whose client is not known: kept per unordered peer pair, never an edge. */
  addAmbiguous(a: string, portA: number, b: string, portB: number, protocol: Protocol, c: CountedFlows): void {
    if (b < a) [a, portA, b, portB] = [b, portB, a, portA];
    const key = `${a}\t${b}\t${protocol}`;
    let x = this.ambiguous.get(key);
    if (!x) {
      x = { peerA: a, peerB: b, protocol, portA, portB, firstSeen: c.time, lastSeen: c.time, flows: 0, packets: 0, bytes: 0, sources: 0 };
      this.ambiguous.set(key, x);
    }
    if (c.time < x.firstSeen) x.firstSeen = c.time;
    if (c.time >= x.lastSeen) {
      x.lastSeen = c.time;
      x.portA = portA;
      x.portB = portB;
    }
    x.flows += c.flows;
    x.packets += c.packets;
    x.bytes += c.bytes;
    x.sources |= FLOW_SOURCE_BITS[c.source];
  }

  /** Hands over everything accumulated so far (sorted, so the same input writes the same rows) and starts empty. */
  drain(): AggregateBatch {
    const byKey = <T>(m: Map<string, T>): T[] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    const batch = { edges: byKey(this.edges), ambiguous: byKey(this.ambiguous), names: [] };
    this.edges = new Map();
    this.ambiguous = new Map();
    return batch;
  }
}
