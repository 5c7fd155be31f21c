/**
 * The collector's own rows: query cursors and the gaps edges were made with (migration 0008), observed pairs (0009),
 * the scrape targets' cursors (0040).
 * The pairs are read by store/metric-pairs.ts (the API, the report and the recommendation read them there).
 */
import { MAX_COUNT, type Protocol, type FlowSource } from '../../domain/flow.ts';
import type { Db } from '../../store/db.ts';
import { assertStorablePeer } from '../../store/row-check.ts';

export interface GapDelta {
  client: string;
  server: string;
  port: number;
  protocol: Protocol;
  source: FlowSource;
  metric: string;
  lacks: 'port';
  filledBy: 'service-port' | 'declared-port' | 'none';
  firstSeen: number;
  lastSeen: number;
  flows: number;
}

export interface EdgeGap extends GapDelta {}

/** Two peers a metric saw exchanging traffic, neither known to be the client (migration 0009). */
export interface MetricPairDelta {
  peerA: string;
  peerB: string;
  source: FlowSource;
  metric: string;
  lacks: 'direction,port,protocol';
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
}

/** A scrape target (by scrapePool and scrapeUrl, as Prometheus lists it) and the last scrape of it counted (migration 0040). */
export interface TargetCursor {
  scrapePool: string;
  scrapeUrl: string;
  lastScrape: number;
}

export class PrometheusStore {
  private readonly getCursor;
  private readonly putCursor;
  private readonly listTargetCursors;
  private readonly dropTargetCursors;
  private readonly putTargetCursor;
  private readonly upsertGap;
  private readonly listGaps;
  private readonly upsertPair;

  constructor(private readonly db: Db) {
    this.getCursor = db.prepare('SELECT position FROM prometheus_cursors WHERE url = ? AND query = ?');
    this.putCursor = db.prepare(`INSERT INTO prometheus_cursors (url, query, position) VALUES (?, ?, ?)
      ON CONFLICT (url, query) DO UPDATE SET position = max(position, excluded.position)`);
    this.listTargetCursors = db.prepare('SELECT scrape_pool AS scrapePool, scrape_url AS scrapeUrl, last_scrape AS lastScrape FROM prometheus_target_cursors WHERE url = ?');
    this.dropTargetCursors = db.prepare('DELETE FROM prometheus_target_cursors WHERE url = ?');
    this.putTargetCursor = db.prepare('INSERT INTO prometheus_target_cursors (url, scrape_pool, scrape_url, last_scrape) VALUES (?, ?, ?, ?)');
    this.upsertGap = db.prepare(`
      INSERT INTO edge_gaps (client, server, port, protocol, source, metric, lacks, filled_by, first_seen, last_seen, flows)
      VALUES (@client, @server, @port, @protocol, @source, @metric, @lacks, @filledBy, @firstSeen, @lastSeen, @flows)
      ON CONFLICT (client, server, port, protocol, source, metric, lacks) DO UPDATE SET
        filled_by = excluded.filled_by,
        first_seen = min(first_seen, excluded.first_seen),
        last_seen = max(last_seen, excluded.last_seen),
        flows = flows + excluded.flows`);
    this.listGaps = db.prepare(`SELECT client, server, port, protocol, source, metric, lacks, filled_by AS filledBy,
      first_seen AS firstSeen, last_seen AS lastSeen, flows FROM edge_gaps ORDER BY client, server, port, protocol, source, metric`);
    this.upsertPair = db.prepare(`
      INSERT INTO metric_pairs (peer_a, peer_b, source, metric, lacks, first_seen, last_seen, flows, packets, bytes)
      VALUES (@peerA, @peerB, @source, @metric, @lacks, @firstSeen, @lastSeen, @flows, @packets, @bytes)
      ON CONFLICT (peer_a, peer_b, source, metric) DO UPDATE SET
        first_seen = min(first_seen, excluded.first_seen),
        last_seen = max(last_seen, excluded.last_seen),
        flows = min(flows + excluded.flows, ${MAX_COUNT}),
        packets = min(packets + excluded.packets, ${MAX_COUNT}),
        bytes = min(bytes + excluded.bytes, ${MAX_COUNT})`);
  }

  cursor(url: string, query: string): number | undefined {
    return (this.getCursor.get(url, query) as { position: number } | undefined)?.position;
  }

  /** Call inside the transaction that stores what the cursor covers. */
  advance(url: string, query: string, position: number): void {
    this.putCursor.run(url, query, position);
  }

  targetCursors(url: string): TargetCursor[] {
    return this.listTargetCursors.all(url) as TargetCursor[];
  }

  /** Replaces the targets' cursors of `url` with these (call inside the transaction that stores what they cover). */
  replaceTargetCursors(url: string, cursors: Iterable<TargetCursor>): void {
    this.dropTargetCursors.run(url);
    for (const c of cursors) this.putTargetCursor.run(url, c.scrapePool, c.scrapeUrl, c.lastScrape);
  }

  writeGaps(gaps: Iterable<GapDelta>): void {
    for (const g of gaps) {
      assertStorablePeer(g.client, 'edge_gaps.client');
      assertStorablePeer(g.server, 'edge_gaps.server');
      this.upsertGap.run(g);
    }
  }

  writePairs(pairs: Iterable<MetricPairDelta>): void {
    for (const p of pairs) {
      assertStorablePeer(p.peerA, 'metric_pairs.peer_a');
      assertStorablePeer(p.peerB, 'metric_pairs.peer_b');
      this.upsertPair.run(p);
    }
  }

  gaps(): EdgeGap[] {
    return this.listGaps.all() as EdgeGap[];
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
