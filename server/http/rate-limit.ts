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

const PASS: RequestHandler = (_req: Request, _res: Response, next: NextFunction) => next();

function limiter(requests: number, windowMs: number, what: string, options: Partial<Parameters<typeof rateLimit>[0]>): RequestHandler {
  return rateLimit({
    windowMs,
    limit: requests,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res, next) => {
      const retry = String(res.getHeader('Retry-After') ?? Math.ceil(windowMs / 1000));
      next(new HttpProblem('rate-limited', `more than ${requests} ${what} in ${windowMs / 1000} s; retry in ${retry} s`, { headers: { 'Retry-After': retry } }));
    },
    ...options,
  });
}

export function rateLimitMiddleware(requests: number, windowMs: number): RequestHandler {
  if (requests === 0) return PASS;
  return limiter(requests, windowMs, 'requests', { keyGenerator: rateLimitKey });
}

/**
 * Failed authentications (401) per client address, in front of the token check: the limit per
 * token never sees a request without a valid token, so guessing tokens would be free. Past the
 * limit an address gets 429 whatever it sends, until the window ends.
 */
export function authFailureLimit(requests: number, windowMs: number): RequestHandler {
  if (requests === 0) return PASS;
  return limiter(requests, windowMs, 'failed authentications', {
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown', false)}`,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
  });
}
