/** Body handling per route: the media type is checked (415) and the size limited (413) before parsing. */
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

/** Rejects early from Content-Length; streamed bodies are also counted as they arrive (see limitStream). */
export function declaredTooLarge(req: Request, limit: number): boolean {
  const len = Number(req.get('content-length'));
  return Number.isFinite(len) && len > limit;
}

export function bodyMiddleware(route: AnyRoute, limits: { maxBodyBytes: number }): ((req: Request, res: Response, next: NextFunction) => void)[] {
  const body = route.body;
  if (!body) return [];
  if ('schema' in body) {
    const types = body.contentTypes ?? ['application/json'];
    return [requireType(types), express.json({ limit: limits.maxBodyBytes, type: types, strict: true })];
  }
  if (body.stream) return [requireType(body.raw)];
  return [requireType(body.raw), express.text({ limit: limits.maxBodyBytes, type: body.raw })];
}
