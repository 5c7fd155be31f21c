/**
 * The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header): a token the
 * client picks per upload, a UUID say. It names a stored run (`api:key:<key>`), so it is kept to
 * characters that need no escaping anywhere it is shown.
 */
import type { Request } from 'express';
import { badRequest } from './problem.ts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const KEY = /^[A-Za-z0-9._~-]{1,64}$/;

/** The request's key, undefined without the header; a 400 naming the header when it is not a key. */
export function idempotencyKey(req: Request): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (KEY.test(value)) return value;
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  throw badRequest(`the ${IDEMPOTENCY_KEY_HEADER} header must be 1 to 64 letters, digits, '.', '_', '~' or '-' (a UUID fits)`, [
    { path: `header.${IDEMPOTENCY_KEY_HEADER}`, message: 'must be 1 to 64 of A-Z a-z 0-9 . _ ~ -', value: shown },
  ]);
}
