/**
 * One counted metric flow → edges, ambiguous pairs and gaps, through the pipeline's own stages:
 * both sides resolve like flow records (peers.ts), the client is the side the metric says opened
 * the connection (`clientPeer` turns a server's own node into `kubelet:`, never the configured
 * scraper's: `clientOf`), and the counts are
 * aggregated like records (collectors/flows/counted.ts).
 *
 * The rules that keep a metric from inventing a rule:
 *  - direction unknown (Hubble flows_processed_total, a NetObserv series without `Flags=SYN`) →
 *    an ambiguous pair, never an edge;
 *  - no port (Istio, Hubble tcp_flags) → an edge only on the one port of the Service the client
 *    addressed, or the one port the server declares; otherwise no edge; either way an edge_gaps row;
 *  - a destination port in the ephemeral range (≥ 32768, orient.ts EPHEMERAL_MIN) that the server
 *    does not declare is what a reply looks like (a reply's destination is the client's ephemeral
 *    port; Hubble's port_distribution drops replies only when it knows, handler.go): ambiguous,
 *    never an edge on that port.
 *
 * Series labels are as attacker-controlled as flow records: edges and ambiguous pairs go through
 * the pass's edge budgets (collectors/flows/edge-budget.ts), as `ingest` does.
 */

import type { Service } from '../../domain/inventory.ts';
import { isHeadless } from '../../domain/service-dns-names.ts';
import { Aggregator } from '../flows/aggregate.ts';
import type { RunBudgets } from '../flows/edge-budget.ts';
import type { CountedFlows } from '../flows/counted.ts';
import { EPHEMERAL_MIN, clientPeer, serverSide } from '../flows/orient.ts';
import type { ResolvedSide } from '../flows/resolve.ts';
import type { PeerResolver, Unresolved } from './peers.ts';
import type { MeshWirePorts } from './mesh-ports.ts';
import type { FlowSource, Protocol } from '../../domain/flow.ts';
import type { Peer } from '../../domain/peer.ts';
import type { EndpointRef, MetricFlow, MetricPair } from './series.ts';
import type { GapDelta, MetricPairDelta } from './store.ts';

/** An endpoint that resolved to no peer, with the side of the series that named it. */
export interface UnresolvedSide extends Unresolved {
  side: 'source' | 'destination';
}

export type Outcome = 'edge' | 'ambiguous' | 'possible-reply' | 'no-port' | 'pair' | 'edge-cap' | UnresolvedSide;

const unresolved = (u: Unresolved, side: UnresolvedSide['side']): UnresolvedSide => ({ ...u, side });

/**
 * The client of a count: the server's own node is read as its kubelet (`clientPeer`), except for
 * the configured scraper, which is named as the client of every scrape: a Prometheus on the host
 * network scrapes the pods of its own node as it scrapes any other's, and a rule must admit it
 * from every node a target pod may run on (docs/recommend.md "From the pod's own node").
 */
function clientOf(flow: MetricFlow, client: ResolvedSide, server: ResolvedSide): { peer: Peer; key: string } {
  return flow.configuredClient ? { peer: client.peer, key: client.key } : clientPeer(client, server);
}

export class MetricFlowRecorder {
  readonly aggregator = new Aggregator();
  private gaps = new Map<string, GapDelta>();
  private pairs = new Map<string, MetricPairDelta>();
  readonly edgeKeys = new Set<string>();
  private readonly services = new Map<string, Service>();
  private readonly memo = new WeakMap<EndpointRef, Map<Protocol, Map<number, ResolvedSide[] | Unresolved>>>();

  /** Edge additions folded into a covering block past the caps. */
  folded = 0;

  constructor(
    private readonly resolver: PeerResolver,
    services: readonly Service[],
    /** The pass's caps (one pass is one ingest run). */
    private readonly budgets: RunBudgets,
    /** Istio-reported ports → the port on the wire (HBONE where ambient tunnels the connection). */
    private readonly wire?: MeshWirePorts,
  ) {
    for (const s of services) this.services.set(`${s.namespace}/${s.name}`, s);
  }

  /** Records one count; returns what became of it (for each pair of sides; the first outcome that is not an edge wins; `edge-cap` when the caps refused every pair of sides). */
  record(flow: MetricFlow, metric: string, c: CountedFlows): Outcome {
    // The configured scraper's address is resolved as a server on its own port would be: a node's
    // address is the host-network workload there that declares that port (resolve.ts nodeSide).
    const srcs = this.resolve(flow.src, c.time, flow.configuredClient?.listensOn);
    if (!Array.isArray(srcs)) return unresolved(srcs, 'source');
    const dsts = this.resolve(flow.dst, c.time, flow.port, flow.protocol);
    if (!Array.isArray(dsts)) return unresolved(dsts, 'destination');
    let outcome: Outcome = 'edge';
    let refused = 0;
    const worse = (o: Outcome): void => {
      if (outcome === 'edge') outcome = o;
    };
    for (const s of srcs) {
      for (const d of dsts) {
        if (flow.direction === 'unknown') {
          if (this.ambiguous(s.key, 0, d.key, d.port ?? 0, flow.protocol, c)) worse('ambiguous');
          else refused++;
          continue;
        }
        // A side that is only ever a client (ResolvedSide.clientOnly) is no server here.
        if (d.clientOnly) continue;
        let port = d.port;
        if (port === undefined) {
          const filled = this.inferPort(flow, d, c.time);
          this.addGap({ client: clientOf(flow, s, d).key, server: d.key, port: filled?.port ?? 0, protocol: flow.protocol, source: c.source, metric, lacks: 'port', filledBy: filled?.by ?? 'none', firstSeen: c.time, lastSeen: c.time, flows: c.flows });
          if (!filled) {
            worse('no-port');
            continue;
          }
          port = filled.port;
        } else if (!flow.portIsServer && port >= EPHEMERAL_MIN && !d.declaredPorts.has(port)) {
          if (this.ambiguous(s.key, 0, d.key, port, flow.protocol, c)) worse('possible-reply');
          else refused++;
          continue;
        }
        const client = clientOf(flow, s, { ...d, port });
        if (flow.meshReported && this.wire) port = this.wire.wirePort(client.peer, serverSide(d).peer, port, metric);
        const edge = this.budgets.edges.admit(client.key, serverSide(d).key, port, flow.protocol);
        if (edge === undefined) {
          refused++;
          continue;
        }
        if (edge.folded) this.folded++;
        this.edgeKeys.add(this.aggregator.addEdge(edge.client, edge.server, port, flow.protocol, c, c.verdict, edge.key));
      }
    }
    return refused > 0 && refused === srcs.length * dsts.length ? 'edge-cap' : outcome;
  }

  /** An ambiguous pair through the pair budget (in the aggregator's order, so both orders are one pair); false when refused. */
  private ambiguous(a: string, portA: number, b: string, portB: number, protocol: MetricFlow['protocol'], c: CountedFlows): boolean {
    if (b < a) [a, portA, b, portB] = [b, portB, a, portA];
    const pair = this.budgets.pairs.admit(a, b, 0, protocol);
    if (pair === undefined) return false;
    this.aggregator.addAmbiguous(pair.client, portA, pair.server, portB, protocol, c);
    return true;
  }

  /** Records one step of an observed pair (no direction, port or protocol): never an edge. */
  recordPair(pair: MetricPair, metric: string, c: { time: number; value: number; source: FlowSource }): Outcome {
    const as = this.resolve(pair.a, c.time);
    if (!Array.isArray(as)) return unresolved(as, 'source');
    const bs = this.resolve(pair.b, c.time);
    if (!Array.isArray(bs)) return unresolved(bs, 'destination');
    for (const x of as) {
      for (const y of bs) {
        const [peerA, peerB] = x.key <= y.key ? [x.key, y.key] : [y.key, x.key];
        const key = `${peerA}\t${peerB}\t${c.source}\t${metric}`;
        let p = this.pairs.get(key);
        if (!p) {
          p = { peerA, peerB, source: c.source, metric, lacks: 'direction,port,protocol', firstSeen: c.time, lastSeen: c.time, flows: 0, packets: 0, bytes: 0 };
          this.pairs.set(key, p);
        }
        p.firstSeen = Math.min(p.firstSeen, c.time);
        p.lastSeen = Math.max(p.lastSeen, c.time);
        p[pair.counts] += c.value;
      }
    }
    return 'pair';
  }

  drainPairs(): MetricPairDelta[] {
    const out = [...this.pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
    this.pairs = new Map();
    return out;
  }

  /**
   * Names that do not go through the IP history (workloads, Services, nodes, the apiserver) resolve
   * the same at every step: memoised per recorder and series.
   */
  private resolve(ref: EndpointRef, time: number, port?: number, protocol: Protocol = 'TCP'): ResolvedSide[] | Unresolved {
    if (ref.kind === 'ip' || ref.kind === 'pod') return this.resolver.resolve(ref, time, port, protocol);
    // A series' endpoints are the same objects at every step: keyed by identity, no string building per point.
    let byProtocol = this.memo.get(ref);
    if (!byProtocol) this.memo.set(ref, (byProtocol = new Map()));
    let byPort = byProtocol.get(protocol);
    if (!byPort) byProtocol.set(protocol, (byPort = new Map()));
    let r = byPort.get(port ?? -1);
    if (r === undefined) {
      r = this.resolver.resolve(ref, time, port, protocol);
      byPort.set(port ?? -1, r);
    }
    return r;
  }

  /** The server's port when only one is possible: the addressed Service's one port (translated), else the one port the server declares. */
  private inferPort(flow: MetricFlow, server: ResolvedSide, time: number): { port: number; by: 'service-port' | 'declared-port' } | undefined {
    if (flow.service) {
      const svc = this.services.get(`${flow.service.namespace}/${flow.service.name}`);
      const ports = svc?.ports.filter((p) => p.protocol === flow.protocol) ?? [];
      // A headless Service translates nothing for a port seen on the wire (resolve.ts serviceSides),
      // but a series without one only names the Service: what reached the pods reached the port they
      // listen on, its target port (the endpoints' port, which the name's SRV records answer) — a
      // number; a named one is the server's declared port.
      const headless = ports.length === 1 && svc !== undefined && isHeadless(svc) ? ports[0]!.targetPort : undefined;
      if (typeof headless === 'number') return { port: headless, by: 'service-port' };
      if (headless !== undefined) return declaredPortOf(server);
      if (ports.length === 1) {
        const sides = this.resolver.resolve({ kind: 'service', ...flow.service }, time, (ports[0] as { port: number }).port, flow.protocol);
        // A named target port may send to a number per ReplicaSet (one side each): then no one port is possible.
        const mine = new Set(Array.isArray(sides) ? sides.filter((x) => x.key === server.key).map((x) => x.port) : []);
        const [only] = mine;
        if (mine.size === 1 && only !== undefined) return { port: only, by: 'service-port' };
      }
    }
    return declaredPortOf(server);
  }

  private addGap(g: GapDelta): void {
    const key = `${g.client}\t${g.server}\t${g.port}\t${g.protocol}\t${g.source}\t${g.metric}\t${g.lacks}`;
    const x = this.gaps.get(key);
    if (!x) {
      this.gaps.set(key, g);
      return;
    }
    x.firstSeen = Math.min(x.firstSeen, g.firstSeen);
    x.lastSeen = Math.max(x.lastSeen, g.lastSeen);
    x.flows += g.flows;
  }

  drainGaps(): GapDelta[] {
    const out = [...this.gaps.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
    this.gaps = new Map();
    return out;
  }
}

/** The one port the server declares, when it declares exactly one. */
function declaredPortOf(server: ResolvedSide): { port: number; by: 'declared-port' } | undefined {
  return server.declaredPorts.size === 1 ? { port: [...server.declaredPorts][0] as number, by: 'declared-port' } : undefined;
}
