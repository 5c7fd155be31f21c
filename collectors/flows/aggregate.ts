/**
 * Stage 5a (aggregate): oriented flows folded into per-edge counters and hourly buckets in a Map,
 * so memory grows with the number of distinct edges in a batch, never with the number of flows.
 */
import type { AggregateBatch, AmbiguousDelta, EdgeDelta, ExternalNameDelta, WorkloadNameDelta } from '../../domain/edge-batch.ts';
import { mergeTargetPortWays, mergeThroughServices } from '../../domain/edge.ts';
import { FLOW_SOURCE_BITS, MAX_COUNT, type FlowSource, type Protocol, type Verdict } from '../../domain/flow.ts';

/** A sum that stops at MAX_COUNT (the store's largest exact count) instead of overflowing it. */
const add = (a: number, b: number): number => (a + b > MAX_COUNT ? MAX_COUNT : a + b);

export const HOUR_MS = 3_600_000;

/** The key an edge is aggregated (and admitted, edge-budget.ts) under. */
export function edgeKey(client: string, server: string, port: number, protocol: string): string {
  return `${client}\t${server}\t${port}\t${protocol}`;
}

export interface FlowCounters {
  time: number;
  /** How many flows these counters stand for: 1 for a record (the default); a metric series' increase counts many. */
  flows?: number;
  packets: number;
  bytes: number;
  verdict: Verdict;
  source: FlowSource;
}

export class Aggregator {
  private edges = new Map<string, EdgeDelta>();
  private ambiguous = new Map<string, AmbiguousDelta>();
  private names = new Map<string, ExternalNameDelta>();
  private workloadNames = new Map<string, WorkloadNameDelta>();

  get size(): number {
    return this.edges.size + this.ambiguous.size + this.names.size + this.workloadNames.size;
  }

  /**
   * Adds one oriented flow; returns the edge key (for counting distinct edges). `key` is the
   * edge's `edgeKey`, when the caller already built it; `targetPortName` the Service target port
   * name the flow reached its server through ('' none: by number), merged with the edge's other
   * flows as store/edges.ts upserts it (domain/edge.ts mergeTargetPortWays); `throughService` the
   * Service port it was addressed to (`namespace/name:port`), merged with the edge's others as there
   * (domain/edge.ts mergeThroughServices).
   */
  addEdge(client: string, server: string, port: number, protocol: Protocol, f: FlowCounters, verdict: Verdict = f.verdict, key = edgeKey(client, server, port, protocol), targetPortName = '', throughService?: string): string {
    let e = this.edges.get(key);
    if (!e) {
      e = { client, server, port, protocol, firstSeen: f.time, lastSeen: f.time, flows: 0, packets: 0, bytes: 0, forwarded: 0, dropped: 0, sources: 0, hours: new Map(), targetPortName };
      this.edges.set(key, e);
    } else if (e.targetPortName !== targetPortName) e.targetPortName = mergeTargetPortWays(e.targetPortName ?? '', targetPortName) ?? '';
    if (throughService !== undefined && e.throughService !== throughService) e.throughService = mergeThroughServices(e.throughService ?? null, throughService) ?? undefined;
    if (f.time < e.firstSeen) e.firstSeen = f.time;
    if (f.time > e.lastSeen) e.lastSeen = f.time;
    const n = f.flows ?? 1;
    e.flows = add(e.flows, n);
    e.packets = add(e.packets, f.packets);
    e.bytes = add(e.bytes, f.bytes);
    if (verdict === 'forwarded') e.forwarded = add(e.forwarded, n);
    else if (verdict === 'dropped') e.dropped = add(e.dropped, n);
    e.sources |= FLOW_SOURCE_BITS[f.source];
    const hour = Math.floor(f.time / HOUR_MS);
    let h = e.hours.get(hour);
    if (!h) {
      h = { hour, flows: 0, packets: 0, bytes: 0 };
      e.hours.set(hour, h);
    }
    h.flows = add(h.flows, n);
    h.packets = add(h.packets, f.packets);
    h.bytes = add(h.bytes, f.bytes);
    return key;
  }

  /** A flow whose client could not be told: kept per unordered peer pair, with the ports last seen. */
  addAmbiguous(a: string, portA: number, b: string, portB: number, protocol: Protocol, f: FlowCounters): void {
    if (b < a) [a, portA, b, portB] = [b, portB, a, portA];
    const key = `${a}\t${b}\t${protocol}`;
    let x = this.ambiguous.get(key);
    if (!x) {
      x = { peerA: a, peerB: b, protocol, portA, portB, firstSeen: f.time, lastSeen: f.time, flows: 0, packets: 0, bytes: 0, sources: 0 };
      this.ambiguous.set(key, x);
    }
    if (f.time < x.firstSeen) x.firstSeen = f.time;
    // The ports last seen; at one time the lowest pair, so that the record order never decides.
    if (f.time > x.lastSeen || (f.time === x.lastSeen && (portA < x.portA || (portA === x.portA && portB < x.portB)))) {
      x.lastSeen = f.time;
      x.portA = portA;
      x.portB = portB;
    }
    x.flows = add(x.flows, f.flows ?? 1);
    x.packets = add(x.packets, f.packets);
    x.bytes = add(x.bytes, f.bytes);
    x.sources |= FLOW_SOURCE_BITS[f.source];
  }

  addName(ip: string, name: string, time: number): void {
    seen(this.names, `${ip}\t${name}`, time, () => ({ ip, name, firstSeen: time, lastSeen: time }));
  }

  /** A DNS name seen answering with a pod of `workload` (its workloadKey), through the ClusterIP of `service` (namespace/name; '' its own address). */
  addWorkloadName(workload: string, service: string, name: string, time: number): void {
    seen(this.workloadNames, `${workload}\t${service}\t${name}`, time, () => ({ workload, service, name, firstSeen: time, lastSeen: time }));
  }

  /** Hands over everything accumulated so far and starts empty. */
  drain(): AggregateBatch {
    const batch: AggregateBatch = { edges: [...this.edges.values()], ambiguous: [...this.ambiguous.values()], names: [...this.names.values()] };
    if (this.workloadNames.size > 0) batch.workloadNames = [...this.workloadNames.values()];
    this.edges = new Map();
    this.ambiguous = new Map();
    this.names = new Map();
    this.workloadNames = new Map();
    return batch;
  }
}

/** Widens the first and last seen of `key`'s entry to `time`, adding the entry `fresh` makes when there is none. */
function seen<T extends { firstSeen: number; lastSeen: number }>(entries: Map<string, T>, key: string, time: number, fresh: () => T): void {
  const n = entries.get(key);
  if (!n) entries.set(key, fresh());
  else {
    if (time < n.firstSeen) n.firstSeen = time;
    if (time > n.lastSeen) n.lastSeen = time;
  }
}
