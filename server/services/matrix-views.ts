/**
 * GET /matrices and GET /matrices/{name} (resolved): every matrix in force resolved against the
 * inventory and completed by the observed edges (app/matrices.ts). Reading every edge's traffic
 * took the event loop 0.8-4.4 s per request on a large store, so these are computed on a
 * recommendation worker and their bytes cached with the recommendation answers, per store version.
 */
import { matrixList, resolveMatrices, resolveMatrixNamed } from '../../app/matrices.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { jsonResponse, type RenderedResponse } from './recommendation-responses.ts';

export type MatrixQuery = { kind: 'matrices' } | { kind: 'matrix'; name: string };

/** The answer's bytes; AppError not-found for a matrix of no such name (or one not in force), as the route answers it. */
export function matrixView(db: Db, config: MatricesConfigT, q: MatrixQuery): RenderedResponse {
  return jsonResponse(q.kind === 'matrices' ? { items: matrixList(resolveMatrices(db, config)) } : resolveMatrixNamed(db, config, q.name));
}
