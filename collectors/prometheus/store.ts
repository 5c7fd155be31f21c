/** The collector's own rows (migration 0008): query cursors and the gaps edges were made with. */
import type { Protocol, FlowSource } from '../../domain/flow.ts';
import type { Db } from '../../store/db.ts';

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

export class PrometheusStore {
  private readonly getCursor;
  private readonly putCursor;
  private readonly upsertGap;
  private readonly listGaps;

  constructor(private readonly db: Db) {
    this.getCursor = db.prepare('SELECT position FROM prometheus_cursors WHERE url = ? AND query = ?');
    this.putCursor = db.prepare(`INSERT INTO prometheus_cursors (url, query, position) VALUES (?, ?, ?)
      ON CONFLICT (url, query) DO UPDATE SET position = max(position, excluded.position)`);
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
  }

  cursor(url: string, query: string): number | undefined {
    return (this.getCursor.get(url, query) as { position: number } | undefined)?.position;
  }

  /** Call inside the transaction that stores what the cursor covers. */
  advance(url: string, query: string, position: number): void {
    this.putCursor.run(url, query, position);
  }

  writeGaps(gaps: Iterable<GapDelta>): void {
    for (const g of gaps) this.upsertGap.run(g);
  }

  gaps(): EdgeGap[] {
    return this.listGaps.all() as EdgeGap[];
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
