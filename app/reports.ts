/**
 * Building a report: gather from the store, build the model, keep it (with retention).
 * Shared by `flowmatrix report`, POST /api/v1/reports and the schedule.
 */
import type { EngineName } from '../recommender/engines/index.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import type { Mode } from '../recommender/synthesize/options.ts';
import type { Db } from '../store/db.ts';
import { ReportStore, type StoredReportMeta } from '../store/reports.ts';
import { buildReport } from '../reports/build.ts';
import type { ReportSettings } from '../reports/config.ts';
import { gatherReportInput, type ReportRequest } from './report-input.ts';
import type { Report, ReportTrigger } from '../reports/model.ts';

export interface BuildOptions {
  trigger: ReportTrigger;
  engine?: EngineName;
  mode?: Mode;
  egress?: boolean;
  shared?: boolean;
  defaultDeny?: boolean;
  namespace?: string;
  now?: number;
  /** Days after which an edge is stale (default: the service's, recommendations.staleDays). */
  staleDays?: number;
  /** When it is built (default: the service clock). */
  generatedAt?: number;
}

export interface ReportServiceDeps {
  db: Db;
  settings: ReportSettings;
  staleDays: number;
  matrices: MatricesConfigT;
  /** recommendations.maxEdges, as for a recommendation (ReportRequest.maxEdges). */
  maxEdges?: number;
  clock: () => number;
}

export class ReportService {
  readonly store: ReportStore;

  constructor(private readonly deps: ReportServiceDeps) {
    this.store = new ReportStore(deps.db);
  }

  get settings(): ReportSettings {
    return this.deps.settings;
  }

  /** Builds the report model without storing it. */
  build(o: BuildOptions): Report {
    const s = this.deps.settings;
    const req: ReportRequest = {
      engine: o.engine ?? s.engine,
      mode: o.mode ?? s.mode,
      egress: o.egress ?? s.egress,
      shared: o.shared ?? s.shared,
      defaultDeny: o.defaultDeny ?? s.defaultDeny,
      staleDays: o.staleDays ?? this.deps.staleDays,
      matrices: this.deps.matrices,
      trigger: o.trigger,
      generatedAt: o.generatedAt ?? this.deps.clock(),
    };
    if (this.deps.maxEdges !== undefined) req.maxEdges = this.deps.maxEdges;
    if (o.namespace !== undefined) req.namespace = o.namespace;
    if (o.now !== undefined) req.now = o.now;
    return buildReport(gatherReportInput(this.deps.db, req));
  }

  /**
   * Stores a built report and prunes beyond the retention count. `createdAt` is when it is stored
   * (the service clock), not the model's `generatedAt`, which `--generated-at` may pin to any time:
   * the list and the last-report metric follow the order reports were stored in.
   */
  save(report: Report): StoredReportMeta {
    const createdAt = this.deps.clock();
    const id = this.store.insert(
      { createdAt, trigger: report.trigger, engine: report.engine, dataTime: Date.parse(report.data.now), headline: report.headline, model: JSON.stringify(report) },
      this.deps.settings.retention,
    );
    return { id, createdAt, trigger: report.trigger, engine: report.engine, dataTime: Date.parse(report.data.now), headline: { ...report.headline } };
  }

  buildAndSave(o: BuildOptions): { meta: StoredReportMeta; report: Report } {
    const report = this.build(o);
    return { meta: this.save(report), report };
  }
}
