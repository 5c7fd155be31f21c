/**
 * The one error the use cases throw. `code` says what kind of failure it is, and each front end
 * maps it once: the CLI to an exit code (cli/errors.ts), the REST API to a problem+json status
 * (server/http/errors.ts). Anything else a use case lets through is a bug.
 */

export type AppErrorCode =
  /** The input (a file, a body, an option, the config) cannot be used; nothing was changed. */
  | 'invalid-input'
  /** The thing asked for (a matrix, a workload) does not exist. */
  | 'not-found'
  /** The request would read more than the service is configured to hold in memory (recommendations.maxEdges). */
  | 'too-large';

export const APP_ERROR_CODES: readonly AppErrorCode[] = ['invalid-input', 'not-found', 'too-large'];

/** One problem of an input, at its path (`matrices.systems.x.parameters["y"]`). */
export interface AppProblem {
  path: string;
  message: string;
  value?: unknown;
  line?: number;
}

export interface AppErrorOptions {
  problems?: AppProblem[];
  /** The input the error is about (a file name, `stdin`), when the front end names inputs (the CLI does, the API answers per request). */
  subject?: string;
  /** A stable name for the failure, for front ends that word it their own way (e.g. `config-mismatch`). */
  reason?: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly problems: AppProblem[];
  readonly subject: string | undefined;
  readonly reason: string | undefined;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message);
    this.problems = options.problems ?? [];
    this.subject = options.subject;
    this.reason = options.reason;
  }
}

export const invalidInput = (message: string, options?: AppErrorOptions): AppError => new AppError('invalid-input', message, options);
export const notFoundError = (message: string): AppError => new AppError('not-found', message);
export const tooLarge = (message: string): AppError => new AppError('too-large', message);
