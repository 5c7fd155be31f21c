/**
 * A fixed-window request limit per client: the token name when authenticated, else the address.
 * In-process (one replica per SQLite file), so a Map is the whole store; expired windows are swept.
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem.ts';

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly requests: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the request is allowed; otherwise the seconds until the window resets. */
  take(key: string): true | number {
    const t = this.now();
    if (t - this.lastSweep > this.windowMs) {
      for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
      this.lastSweep = t;
    }
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.requests) return Math.max(1, Math.ceil((w.start + this.windowMs - t) / 1000));
    w.count++;
    return true;
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (this.requests === 0) return next();
      const principal = res.locals.principal as { name: string } | undefined;
      const key = principal && principal.name !== 'anonymous' ? `token:${principal.name}` : `ip:${req.ip ?? 'unknown'}`;
      const r = this.take(key);
      if (r === true) return next();
      next(new HttpProblem('rate-limited', `more than ${this.requests} requests in ${this.windowMs / 1000} s; retry in ${r} s`, { headers: { 'Retry-After': String(r) } }));
    };
  }
}
