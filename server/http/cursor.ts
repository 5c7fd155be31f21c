/** Opaque page cursors: base64url JSON of the last key of the previous page. */
import { badRequest } from './problem.ts';

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, valid: (v: unknown) => v is T): T {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!valid(v)) throw badRequest('invalid cursor: pass the `next` value of the previous page unchanged', [{ path: 'query.cursor', message: 'is not a cursor this server issued', value: cursor }]);
  return v;
}
