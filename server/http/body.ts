/** Body handling per route: the media type is checked (415) and the size limited (413) before parsing; a route without a body refuses one (415). */
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpProblem } from './problem.ts';
import type { AnyRoute } from './route.ts';

function mediaType(req: Request): string {
  return (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function requireType(types: readonly string[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const t = mediaType(req);
    if (types.includes(t)) return next();
    next(new HttpProblem('unsupported-media-type', `Content-Type ${t ? `"${t}"` : '(none)'} is not accepted here; send one of ${types.join(', ')}`));
  };
}

/** A body read as bytes and decoded elsewhere as UTF-8: another charset is refused (415) as express.json refuses one not `utf-*` (UTF-16 and UTF-32 JSON, which it decoded, are refused too). */
function requireUtf8(req: Request, _res: Response, next: NextFunction): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  next(charset === undefined || charset === 'utf-8' ? undefined : new HttpProblem('unsupported-media-type', `unsupported charset "${charset.toUpperCase()}"`));
}

/** Rejects early from Content-Length; streamed bodies are also counted as they arrive (see limitStream). */
export function declaredTooLarge(req: Request, limit: number): boolean {
  const len = Number(req.get('content-length'));
  return Number.isFinite(len) && len > limit;
}

/** Bodies a route without one still accepts: nothing, or an empty JSON object (clients that always send one). */
const EMPTY_BODIES = new Set(['', '{}']);
/** More than this is refused unread. */
const EMPTY_BODY_MAX_BYTES = 1024;

/**
 * A route that takes no body refuses one, rather than ignoring options a client put there (a
 * JSON body `{"engine": "cilium"}` on POST /reports would otherwise build the default engine's
 * report); GET is left alone, as clients and proxies may send it an empty body.
 */
function refuseContent(route: AnyRoute): ((req: Request, res: Response, next: NextFunction) => void)[] {
  const options = route.query ? Object.keys((route.query as { properties?: object }).properties ?? {}) : [];
  const refused = (): HttpProblem =>
    new HttpProblem('unsupported-media-type', `${route.method.toUpperCase()} ${route.path} takes no request body${options.length > 0 ? `: its options are query parameters (${options.join(', ')})` : ''}`, {
      errors: [{ path: 'body', message: 'no body is accepted here' }],
    });
  return [
    (req, _res, next) => next(declaredTooLarge(req, EMPTY_BODY_MAX_BYTES) ? refused() : undefined),
    express.text({ type: () => true, limit: EMPTY_BODY_MAX_BYTES }),
    (req, _res, next) => next(typeof req.body === 'string' && !EMPTY_BODIES.has(req.body.trim()) ? refused() : undefined),
  ];
}

/**
 * A streamed body is read as it comes, uncompressed: a compressed one would be parsed as records
 * and rejected line by line. The buffered bodies are inflated by their parsers (body-parser).
 */
function identityEncoding(req: Request, _res: Response, next: NextFunction): void {
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  next(encoding === 'identity' || encoding === '' ? undefined : new HttpProblem('unsupported-media-type', `Content-Encoding ${encoding} is not accepted here: send the records uncompressed`, { errors: [{ path: 'header.content-encoding', message: 'only identity is accepted' }] }));
}

export function bodyMiddleware(route: AnyRoute, limits: { maxBodyBytes: number }): ((req: Request, res: Response, next: NextFunction) => void)[] {
  const body = route.body;
  if (!body) return route.method === 'get' ? [] : refuseContent(route);
  if ('schema' in body) {
    const types = body.contentTypes ?? ['application/json'];
    // The bytes as they came (one Buffer the worker receives without a copy), in UTF-8 as express.json reads JSON.
    if (body.parsedByHandler) return [requireType(types), requireUtf8, express.raw({ limit: limits.maxBodyBytes, type: types })];
    return [requireType(types), express.json({ limit: limits.maxBodyBytes, type: types, strict: true })];
  }
  // Streamed records are decoded as UTF-8 (JSON between systems is, RFC 8259 §8.1): another charset would be read as rejects or mojibake.
  if (body.stream) return [requireType(body.raw), identityEncoding, requireUtf8];
  return [requireType(body.raw), express.text({ limit: limits.maxBodyBytes, type: body.raw })];
}
