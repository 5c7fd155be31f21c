/**
 * A worker thread that answers recommendation requests on its own read connection, so a
 * whole-cluster export never blocks the service's event loop (health checks, metrics, small
 * requests answer while it runs). Messages: RecommendationJob in, JobReply out; the body's
 * buffers are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../app/errors.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { openDb } from '../../store/db.ts';
import { RecommendationComputer } from './recommendation-computer.ts';
import type { RecommendationQuery, RenderedResponse, SimulationResponse } from './recommendation-responses.ts';
import type { MatrixVerdict, ValidateMatrixJob } from './matrix-verdict.ts';
import type { SimulateBodyJob, SimulateJob } from './simulate-job.ts';
import { HttpProblem, type ProblemFieldError, type ProblemType } from '../http/problem.ts';
import type { MatrixQuery } from './matrix-views.ts';
import type { CheckMatrixJob } from './matrix-apply.ts';
import type { CheckedMatrix } from '../../app/matrices.ts';
import { convertInventoryExport, type InventoryImportRequest, type PreparedInventory } from '../../app/inventory.ts';
import type { BuildOptions } from '../../app/reports.ts';
import type { ReportSettings } from '../../reports/config.ts';
import type { Report } from '../../reports/model.ts';

export interface WorkerConfig {
  dbPath: string;
  matrices: MatricesConfigT;
  reports: { settings: ReportSettings; staleDays: number };
  maxEdges?: number;
}

export type RecommendationJob =
  | { id: number; kind: 'respond'; query: RecommendationQuery }
  | { id: number; kind: 'report'; options: BuildOptions & { generatedAt: number } }
  | { id: number; kind: 'simulate'; request: SimulateJob | SimulateBodyJob }
  | { id: number; kind: 'validate-matrix'; request: ValidateMatrixJob }
  | { id: number; kind: 'matrices'; query: MatrixQuery }
  | { id: number; kind: 'check-matrix'; request: CheckMatrixJob }
  | { id: number; kind: 'convert-inventory'; request: InventoryImportRequest };

/** An AppError crosses the thread boundary as its fields (structured clone drops the class). */
export interface SerializedAppError {
  code: AppError['code'];
  message: string;
  problems: AppError['problems'];
  reason?: string;
}

export type JobReply =
  | { id: number; ok: true; response: RenderedResponse }
  | { id: number; ok: true; report: Report }
  | { id: number; ok: true; simulation: SimulationResponse }
  | { id: number; ok: true; verdict: MatrixVerdict }
  | { id: number; ok: true; checked: CheckedMatrix }
  | { id: number; ok: true; inventory: PreparedInventory }
  | { id: number; ok: false; appError?: SerializedAppError; problem?: SerializedProblem; message: string };

/** An HttpProblem a job throws on a body it reads itself (a 400), as its fields. */
export interface SerializedProblem {
  kind: ProblemType;
  detail: string;
  errors?: ProblemFieldError[];
}

if (parentPort) {
  const port = parentPort;
  const config = workerData as WorkerConfig;
  // The writer is the main thread; this connection only reads (migrations were applied there).
  const db = openDb(config.dbPath, { migrate: false });
  const computer = new RecommendationComputer(db, config.matrices, config.reports, config.maxEdges);
  port.on('message', async (job: RecommendationJob) => {
    let reply: JobReply;
    try {
      if (job.kind === 'respond') reply = { id: job.id, ok: true, response: await computer.respond(job.query) };
      else if (job.kind === 'simulate') reply = { id: job.id, ok: true, simulation: computer.simulate(job.request) };
      else if (job.kind === 'validate-matrix') reply = { id: job.id, ok: true, verdict: computer.validateMatrix(job.request) };
      else if (job.kind === 'check-matrix') reply = { id: job.id, ok: true, checked: computer.checkMatrix(job.request) };
      else if (job.kind === 'matrices') reply = { id: job.id, ok: true, response: computer.resolvedMatrices(job.query) };
      else if (job.kind === 'convert-inventory') reply = { id: job.id, ok: true, inventory: convertInventoryExport(db, job.request) };
      else reply = { id: job.id, ok: true, report: computer.report(job.options) };
    } catch (e) {
      const err = e as Error;
      reply =
        e instanceof AppError
          ? { id: job.id, ok: false, message: err.message, appError: { code: e.code, message: e.message, problems: e.problems, ...(e.reason !== undefined ? { reason: e.reason } : {}) } }
          : e instanceof HttpProblem
            ? { id: job.id, ok: false, message: e.detail, problem: { kind: e.kind, detail: e.detail, ...(e.errors !== undefined ? { errors: e.errors } : {}) } }
            : { id: job.id, ok: false, message: err.stack ?? err.message };
    }
    // Only buffers that own their whole ArrayBuffer move; small ones may share Node's pool.
    const body = !reply.ok ? [] : 'response' in reply ? reply.response.body : 'simulation' in reply ? reply.simulation.response.body : [];
    const transfer = body.filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength).map((b) => b.buffer as ArrayBuffer);
    port.postMessage(reply, transfer);
  });
}
