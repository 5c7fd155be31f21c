/**
 * Bearer-token authentication with `read` and `write` scopes (write implies read). Tokens are kept
 * as SHA-256 digests and compared with timingSafeEqual over equal-length digests, against every
 * configured token without an early exit, so timing says nothing about which prefix matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { TokenEntry } from '../config/load.ts';
import { HttpProblem } from './problem.ts';
import type { Scope } from './route.ts';

interface KnownToken {
  name: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class TokenAuth {
  private readonly tokens: KnownToken[];

  constructor(tokens: readonly TokenEntry[]) {
    this.tokens = tokens.map((t) => ({ name: t.name, digest: digest(t.secret), scopes: new Set<Scope>(t.scopes.includes('write') ? ['read', 'write'] : t.scopes) }));
  }

  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  /** The principal a presented secret belongs to, if any. */
  identify(secret: string): Principal | undefined {
    const d = digest(secret);
    let found: KnownToken | undefined;
    for (const t of this.tokens) if (timingSafeEqual(d, t.digest) && !found) found = t;
    return found ? { name: found.name, scopes: found.scopes } : undefined;
  }

  /** Express middleware requiring `scope`. Without configured tokens the server is loopback-only and open. */
  require(scope: Scope) {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (!this.enabled) {
        res.locals.principal = { name: 'anonymous', scopes: new Set<Scope>(['read', 'write']) } satisfies Principal;
        return next();
      }
      const header = req.get('authorization');
      const challenge = (error?: string): Record<string, string> => ({
        'WWW-Authenticate': `Bearer realm="flowmatrix"${error ? `, error="${error}"` : ''}${error === 'insufficient_scope' ? `, scope="${scope}"` : ''}`,
      });
      if (header === undefined) return next(new HttpProblem('unauthorized', 'this endpoint needs a bearer token: send "Authorization: Bearer <token>"', { headers: challenge() }));
      const m = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(header);
      if (!m) return next(new HttpProblem('unauthorized', 'malformed Authorization header: expected "Bearer <token>"', { headers: challenge('invalid_request') }));
      const principal = this.identify(m[1] as string);
      if (!principal) return next(new HttpProblem('unauthorized', 'unknown bearer token', { headers: challenge('invalid_token') }));
      res.locals.principal = principal;
      if (!principal.scopes.has(scope)) {
        return next(new HttpProblem('forbidden', `token "${principal.name}" lacks the "${scope}" scope this endpoint needs`, { headers: challenge('insufficient_scope') }));
      }
      next();
    };
  }
}
