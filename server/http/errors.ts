/** The one error handler: everything becomes application/problem+json; stacks go to the log only. */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type AppErrorCode } from '../../app/errors.ts';
import { isReadOnlyError, ReadOnlyStoreError } from '../../store/db.ts';
import { HttpProblem, type ProblemFieldError, type ProblemType } from './problem.ts';

/** Errors raised by express' own body parsers carry `type` and `status`. */
interface ParserError extends Error {
  type?: string;
  /** Also set (400) on the router's URIError for a path it cannot decode. */
  status?: number;
  /** http-errors' flag: the message is the client's to read. */
  expose?: boolean;
  limit?: number;
  length?: number;
}

/** Problem type (and so HTTP status) per use-case failure kind. */
export const APP_ERROR_PROBLEMS: Readonly<Record<AppErrorCode, ProblemType>> = {
  'invalid-input': 'unprocessable-content',
  'not-found': 'not-found',
  'too-large': 'payload-too-large',
};

/** A use case's AppError as a problem: its message is the detail, each problem a field error (`path (line N)`). */
export function appProblem(e: AppError): HttpProblem {
  const errors: ProblemFieldError[] = e.problems.map((p) => ({
    path: p.line !== undefined ? `${p.path} (line ${p.line})` : p.path,
    message: p.message,
    ...(p.value !== undefined ? { value: p.value } : {}),
  }));
  return new HttpProblem(APP_ERROR_PROBLEMS[e.code], e.message, errors.length > 0 ? { errors } : {});
}

/** `storePath` names the store in the answer to a write SQLite refused because it holds the store read-only. */
export function toProblem(err: unknown, storePath?: string): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof AppError) return appProblem(err);
  if (err instanceof ReadOnlyStoreError) return new HttpProblem('unavailable', err.message);
  if (isReadOnlyError(err)) return new HttpProblem('unavailable', new ReadOnlyStoreError(storePath ?? 'the database', err).message);
  const e = err as ParserError;
  switch (e?.type) {
    case 'entity.parse.failed':
      return new HttpProblem('bad-request', `malformed JSON body: ${e.message}`);
    case 'entity.too.large':
      return new HttpProblem('payload-too-large', `request body is larger than the configured limit of ${e.limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem('unsupported-media-type', e.message);
    case 'request.aborted':
      return new HttpProblem('bad-request', 'the client aborted the request body');
  }
  // The router decodes path parameters before any route middleware (auth included) runs, and marks
  // a malformed percent-encoding (`%ZZ`) a 400 URIError (router/lib/layer.js decodeParam).
  if (e instanceof URIError && e.status === 400) return new HttpProblem('bad-request', `the path has a malformed percent-encoding: ${e.message}`);
  // Any other body the parsers could not read (a Content-Encoding whose data is not that encoding: zlib's Z_DATA_ERROR) is the client's.
  if (e?.status === 400 && e.expose === true) return new HttpProblem('bad-request', `the request body could not be read: ${e.message}`);
  return new HttpProblem('internal', 'an unexpected error occurred; the server log has the details under this request id');
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [h, v] of Object.entries(problem.headers)) res.setHeader(h, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body(instance)));
}

export function errorHandler(logger: Logger, storePath?: string) {
  // express recognises error handlers by their arity: keep all four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = toProblem(err, storePath);
    const log = (res.locals.log as Logger | undefined) ?? logger;
    if (problem.status >= 500) log.error({ err }, 'unhandled error');
    else if (!(err instanceof HttpProblem) && !(err instanceof AppError)) log.debug({ err: (err as Error).message }, 'request rejected');
    if (res.headersSent) {
      // A streamed response failed midway: nothing valid can be sent any more.
      res.destroy();
      return;
    }
    const instance = res.locals.requestId ? `urn:request:${String(res.locals.requestId)}` : req.originalUrl;
    sendProblem(res, problem, instance);
  };
}

/**
 * A path the API serves, asked with a method it does not serve there: 405 with `Allow` (RFC 9110
 * §15.5.6), rather than "no route". The routes' paths are OpenAPI templates whose parameters are
 * whole segments (`/api/v1/matrices/{name}`), so each becomes a pattern of its segments.
 */
export function methodNotAllowedHandler(routes: readonly { method: string; path: string }[]): (req: Request, res: Response, next: NextFunction) => void {
  const byPath = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const r of routes) {
    let entry = byPath.get(r.path);
    if (!entry) {
      const pattern = new RegExp(`^${r.path.split('/').map((seg) => (/^\{[^}]+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
      byPath.set(r.path, (entry = { pattern, methods: new Set() }));
    }
    entry.methods.add(r.method.toUpperCase());
    if (r.method === 'get') entry.methods.add('HEAD');
  }
  return (req, _res, next) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of byPath.values()) if (pattern.test(req.path)) for (const m of methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    next(new HttpProblem('method-not-allowed', `${req.method} is not served at ${req.path}: ${allow}; see /openapi.json`, { headers: { Allow: allow } }));
  };
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpProblem('not-found', `no route for ${req.method} ${req.path}; see /openapi.json`));
}
