/** Request ids (X-Request-Id accepted when sane, else generated) and one structured log line per request. */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLog(logger: Logger, observe: (route: string, method: string, status: number, seconds: number) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    const id = given !== undefined && SANE_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const log = logger.child({ reqId: id });
    res.locals.log = log;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      observe(route, req.method, res.statusCode, seconds);
      const principal = res.locals.principal as { name: string } | undefined;
      const line = {
        method: req.method,
        url: req.originalUrl,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        ...(principal ? { principal: principal.name } : {}),
        remote: req.ip,
      };
      if (res.statusCode >= 500) log.error(line, 'request failed');
      else log.info(line, 'request');
    });
    next();
  };
}
