/**
 * Request ids (X-Request-Id accepted when sane, else generated) and one structured log line per
 * request, through pino-http. The line keeps the fields operators query (docs/operations.md):
 * method, url, route, status, ms, principal, remote, bound to reqId; 5xx at level error, a
 * response cut before its end (`aborted: true`) at level warn.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Locals = { route?: string; principal?: { name: string } };
const localsOf = (res: ServerResponse): Locals => ((res as Response).locals ?? {}) as Locals;

/** The log line's fields; pino-http's own `res`, `err` and `responseTime` give way to them. */
function line(req: IncomingMessage, res: ServerResponse, responseTime: unknown) {
  const locals = localsOf(res);
  const r = req as Request;
  return {
    method: req.method,
    url: r.originalUrl ?? req.url,
    route: locals.route ?? 'unmatched',
    // No status when none was sent (the client went away before the headers): 200 is only Node's default then.
    ...(res.headersSent ? { status: res.statusCode } : {}),
    ms: typeof responseTime === 'number' ? responseTime : undefined,
    ...(locals.principal ? { principal: locals.principal.name } : {}),
    remote: r.ip,
    // Cut before its end (the client went away, the service shut down): the status is only what was sent first.
    ...(res.writableEnded ? {} : { aborted: true }),
  };
}

export function requestLog(logger: Logger, observe: (route: string, method: string, status: number, seconds: number) => void) {
  const http = pinoHttp({
    logger,
    // req.log / res.log carry only the request id, not the whole request.
    quietReqLogger: true,
    quietResLogger: true,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.writableEnded ? 'info' : 'warn'),
    customSuccessMessage: (_req, res) => (res.writableEnded ? 'request' : 'request aborted'),
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, val: { responseTime?: unknown }) => line(req, res, val.responseTime),
    // The error itself is logged once, by the error handler (server/http/errors.ts).
    customErrorObject: (req, res, _err, val: { responseTime?: unknown }) => line(req, res, val.responseTime),
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    http(req, res);
    res.locals.requestId = req.id;
    res.locals.log = req.log;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      observe((res.locals.route as string | undefined) ?? 'unmatched', req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
