/**
 * PUT /matrices/{name}: the document is parsed, validated and checked against the service config
 * on a recommendation worker (a 292 kB matrix held the event loop 0.7-1.8 s, even unchanged); the
 * main thread, the one writer, only stores it — when the stored matrices are still those the
 * check saw, else the check runs again.
 */
import { storeCheckedMatrix, type ApplyMatrixRequest, type ApplyMatrixResult, type CheckedMatrix } from '../../app/matrices.ts';
import type { Db } from '../../store/db.ts';
import { HttpProblem } from '../http/problem.ts';

/** What the worker checks (it holds the service's matrices config). */
export interface CheckMatrixJob {
  text: string;
  origin: string;
  label: string;
  expectedName: string;
  maxYamlTokens?: number;
}

/** Checks made before one is stored: another PUT or DELETE can change the stored matrices meanwhile. */
const CHECKS = 3;

export async function applyMatrixOffLoop(db: Db, req: ApplyMatrixRequest & CheckMatrixJob, check: (job: CheckMatrixJob) => Promise<CheckedMatrix>): Promise<ApplyMatrixResult> {
  const job: CheckMatrixJob = { text: req.text, origin: req.origin, label: req.label, expectedName: req.expectedName, ...(req.maxYamlTokens !== undefined ? { maxYamlTokens: req.maxYamlTokens } : {}) };
  for (let i = 0; i < CHECKS; i++) {
    const stored = storeCheckedMatrix(db, req, await check(job));
    if (stored) return stored;
  }
  throw new HttpProblem('unavailable', `the stored matrices changed while ${req.label} was checked, ${CHECKS} times: send it again`);
}
