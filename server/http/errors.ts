/** The one error handler: everything becomes application/problem+json; stacks go to the log only. */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type AppErrorCode } from '../../app/errors.ts';
import { HttpProblem, type ProblemFieldError, type ProblemType } from './problem.ts';

/** Errors raised by express' own body parsers carry `type` and `status`. */
interface ParserError extends Error {
  type?: string;
  status?: number;
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

export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof AppError) return appProblem(err);
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
  return new HttpProblem('internal', 'an unexpected error occurred; the server log has the details under this request id');
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [h, v] of Object.entries(problem.headers)) res.setHeader(h, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body(instance)));
}

export function errorHandler(logger: Logger) {
  // express recognises error handlers by their arity: keep all four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = toProblem(err);
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

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpProblem('not-found', `no route for ${req.method} ${req.path}; see /openapi.json`));
}
