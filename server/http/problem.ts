/**
 * RFC 9457 problem details: the only error shape the API answers with. Handlers throw
 * `HttpProblem`; the error handler (errors.ts) renders it and never exposes a stack.
 */

export interface ProblemFieldError {
  /** Where the problem is: `query.engine`, `body.items[2].kind`, `line 14`. */
  path: string;
  message: string;
  value?: unknown;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://flowmatrix.io/problems/';

/** Problem types this API answers with, by HTTP status: stable `type` URIs clients can switch on. */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request' },
  'validation-failed': { status: 400, title: 'Request validation failed' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Insufficient scope' },
  'cross-site-request': { status: 403, title: 'Cross-site request refused' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'misdirected-request': { status: 421, title: 'Host not served' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'unprocessable-content': { status: 422, title: 'Unprocessable content' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: ProblemFieldError[] | undefined;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string>;
  /** RFC 9457 extension members (e.g. the ingest summary of a rejected upload). */
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly kind: ProblemType,
    readonly detail: string,
    options: { errors?: ProblemFieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[kind].status;
    this.title = PROBLEM_TYPES[kind].title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  body(instance?: string): ProblemBody {
    const b: ProblemBody = { ...this.extensions, type: `${TYPE_BASE}${this.kind}`, title: this.title, status: this.status, detail: this.detail };
    if (instance !== undefined) b.instance = instance;
    if (this.errors && this.errors.length > 0) b.errors = this.errors;
    return b;
  }
}

export const notFound = (detail: string): HttpProblem => new HttpProblem('not-found', detail);
export const badRequest = (detail: string, errors?: ProblemFieldError[]): HttpProblem =>
  new HttpProblem(errors ? 'validation-failed' : 'bad-request', detail, errors ? { errors } : {});
