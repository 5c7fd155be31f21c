/**
 * Stage 5b (write): a batch and the run's progress land in ONE transaction, so a crash (even
 * kill -9) leaves every committed batch in place and the run row agreeing with it. The no-op
 * writer is the baseline for benchmarks: the whole pipeline minus SQLite.
 */
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { ObservedLabelStore } from '../../store/observed-labels.ts';
import { IngestRunStore, type IngestRunCounters, type IngestRunStatus } from '../../store/ingest-runs.ts';
import type { AggregateBatch } from '../../domain/edge-batch.ts';

/** What the per-workload name cap asks the store (name-budget.ts). */
export interface WorkloadNameStore {
  /** DNS names stored for this workload (workloadKey), through any Service. */
  storedNamesOf?(workload: string): number;
  /** The name is stored for this workload through this Service ('' its pods' own addresses). */
  isStoredName?(workload: string, service: string, name: string): boolean;
}

export interface BatchWriter extends WorkloadNameStore {
  startRun(source: string, format: string): number;
  /** `throughLine`: the input's lines this commit covers (the last one read). */
  commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus, throughLine?: number): void;
  /** Ends a run that stopped on a failed commit: status `failed` and the reason; counters stay the committed ones. */
  fail?(runId: number, committed: IngestRunCounters, error: string): void;
  /** One more failed attempt of a failed run (a failure streak, `IngestRunStore.failedAgain`); false when there is no such run. */
  failedAgain?(runId: number, error: string): boolean;
  /** Edges already stored with this peer on either side (the per-workload edge cap counts them). */
  storedEdgesOf?(peerKey: string): number;
  /** Ambiguous pairs already stored with this peer (the same cap, over pairs). */
  storedPairsOf?(peerKey: string): number;
  /** The edge is stored already: past the caps it is updated as itself, never folded (it adds no edge). */
  isStoredEdge?(client: string, server: string, port: number, protocol: string): boolean;
}

export class SqliteBatchWriter implements BatchWriter {
  private readonly edges: EdgeStore;
  protected readonly runs: IngestRunStore;
  private readonly labels: ObservedLabelStore;
  private readonly tx;

  constructor(db: Db) {
    this.edges = new EdgeStore(db);
    this.runs = new IngestRunStore(db);
    this.labels = new ObservedLabelStore(db);
    this.tx = db.transaction((batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus) => {
      this.edges.write(batch);
      if (batch.labels?.length) this.labels.write(batch.labels);
      this.runs.save(runId, counters, status);
      this.alongside();
    });
  }

  /** What a collector stores in the same transaction as each batch (its resume point): nothing here. */
  protected alongside(): void {}

  startRun(source: string, format: string): number {
    return this.runs.start(source, format);
  }

  commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus, _throughLine?: number): void {
    this.tx(batch, runId, counters, status);
  }

  fail(runId: number, _committed: IngestRunCounters, error: string): void {
    this.runs.fail(runId, error);
  }

  failedAgain(runId: number, error: string): boolean {
    return this.runs.failedAgain(runId, error);
  }

  storedEdgesOf(peerKey: string): number {
    return this.edges.countOf(peerKey);
  }

  storedPairsOf(peerKey: string): number {
    return this.edges.ambiguousCountOf(peerKey);
  }

  isStoredEdge(client: string, server: string, port: number, protocol: string): boolean {
    return this.edges.has(client, server, port, protocol);
  }

  storedNamesOf(workload: string): number {
    return this.edges.workloadNameCount(workload);
  }

  isStoredName(workload: string, service: string, name: string): boolean {
    return this.edges.hasWorkloadName(workload, service, name);
  }
}

export class NoopBatchWriter implements BatchWriter {
  private runs = 0;
  startRun(): number {
    return ++this.runs;
  }
  commit(): void {}
}
