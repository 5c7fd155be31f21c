/**
 * POST /matrices/validate's answer: whether a matrix document is valid, and whether the service's
 * config could take it with the stored matrices, as PUT would check it. Computed on a
 * recommendation worker (its read connection holds the stored matrices): parsing a document of
 * up to 1 MiB is seconds of CPU that must not hold up the event loop.
 */
import { AppError } from '../../app/errors.ts';
import { validateMatrixDocument } from '../../app/matrices.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { appProblem } from '../http/errors.ts';

export interface ValidateMatrixJob {
  text: string;
  maxYamlTokens?: number;
}

export interface MatrixVerdict {
  valid: boolean;
  name?: string;
  components?: number;
  rules?: number;
  /** Why a matrix valid in itself is not: the service config cannot take it. */
  detail?: string;
  problems: { path: string; message: string; value?: unknown; from: 'matrix' | 'service-config' }[];
}

/** The verdict; an AppError other than invalid input (too large) is thrown, not a verdict. */
export function matrixVerdict(db: Db, config: MatricesConfigT, job: ValidateMatrixJob): MatrixVerdict {
  try {
    const m = validateMatrixDocument(job.text, 'body', { db, config }, job.maxYamlTokens !== undefined ? { maxYamlTokens: job.maxYamlTokens } : {});
    return { valid: true, name: m.name, components: m.components, rules: m.rules, problems: [] };
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'invalid-input') throw e;
    const fromConfig = e.reason === 'config-refuses-change';
    const errors = appProblem(e).errors ?? [];
    // Never invalid without a reason: an error of no path is said at the document.
    const from = fromConfig ? ('service-config' as const) : ('matrix' as const);
    const problems = (errors.length > 0 ? errors : [{ path: '(document)', message: e.message }]).map((p) => ({ ...p, from }));
    return { valid: false, ...(fromConfig ? { detail: e.message } : {}), problems };
  }
}
