/**
 * A fixed-window request limit per client — the token name when authenticated, else the address —
 * through express-rate-limit's in-process store (one replica per SQLite file). Config keys stay
 * `server.rateLimit.{requests, windowSeconds}`; `requests: 0` turns it off. Over the limit:
 * 429 problem+json with Retry-After.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpProblem } from './problem.ts';

/** The client a request counts against. */
export function rateLimitKey(req: Request, res: Response): string {
  const principal = res.locals.principal as { name: string } | undefined;
  // The whole address, as before: no IPv6 subnet grouping.
  return principal && principal.name !== 'anonymous' ? `token:${principal.name}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown', false)}`;
}

export function rateLimitMiddleware(requests: number, windowMs: number): RequestHandler {
  if (requests === 0) return (_req: Request, _res: Response, next: NextFunction) => next();
  return rateLimit({
    windowMs,
    limit: requests,
    keyGenerator: rateLimitKey,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res, next) => {
      const retry = String(res.getHeader('Retry-After') ?? Math.ceil(windowMs / 1000));
      next(new HttpProblem('rate-limited', `more than ${requests} requests in ${windowMs / 1000} s; retry in ${retry} s`, { headers: { 'Retry-After': retry } }));
    },
  });
}
