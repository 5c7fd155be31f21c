/** How the CLI reports a use case's AppError: the text after `flowmatrix: ` and the exit code. */
import { AppError, type AppErrorCode } from '../app/errors.ts';
import { formatProblem } from '../recommender/matrix/problem.ts';

/**
 * Exit code per kind of input error: each exits 1 today (scripts test for non-zero); a kind that
 * needs its own code gets it here. Manifests that fail their verification exit 2, and an ingest
 * stopped by a signal 128+N: those are decided by their commands (README, the CLI's exit codes).
 */
export const EXIT_CODES: Readonly<Record<AppErrorCode, number>> = {
  'invalid-input': 1,
  'not-found': 1,
  'too-large': 1,
};

export function exitCodeFor(e: AppError): number {
  return EXIT_CODES[e.code];
}

/** The message, prefixed with the input it is about, then one indented line per problem. */
export function cliMessage(e: AppError): string {
  const lines = e.problems.map(formatProblem);
  // The CLI reads the config from a file (--config): it says so, where the API speaks of the service config.
  if (e.reason === 'config-mismatch') return [`${e.subject !== undefined ? `${e.subject}: ` : ''}invalid config (${lines.length} problem${lines.length === 1 ? '' : 's'})`, ...lines].join('\n');
  const head = e.subject !== undefined ? `${e.subject}: ${e.message}` : e.message;
  return [head, ...lines].join('\n');
}
