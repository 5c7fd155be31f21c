/**
 * JSON written in pieces: the same bytes as `JSON.stringify(value, null, space)` (space 0 or 2),
 * without ever holding the whole text. A cluster-wide recommendation with its evidence outgrows the
 * longest string V8 can build (about 512 MB), so it is written while it is walked.
 */

import { PIECE_CHARS, textPieces } from './text-pieces.ts';

/** Receives the text in pieces of roughly PIECE_CHARS characters, in order. */
export type JsonSink = (text: string) => void;

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * `JSON.stringify(value, null, space)` in pieces of about PIECE_CHARS characters, in order. The
 * value is walked only as far as the reader has asked for pieces, so a writer that waits for a
 * slow reader (a pipe) holds one piece, not the text.
 */
export function* jsonPieces(value: unknown, space: 0 | 2 = 2): Generator<string, void, undefined> {
  const step = ' '.repeat(space);
  const nl = space > 0 ? '\n' : '';
  const colon = space > 0 ? ': ' : ':';
  let buf = '';
  const scalar = (v: unknown, indent: string, inArray: boolean): string => {
    const text = JSON.stringify(v, null, space);
    // JSON.stringify drops undefined, functions and symbols: null inside arrays.
    return text === undefined ? (inArray ? 'null' : '') : space > 0 ? text.replaceAll('\n', `\n${indent}`) : text;
  };
  const flush = (): string => {
    const piece = buf;
    buf = '';
    return piece;
  };
  // A generator per container, not per value: the scalars (most values) are written in place.
  function* walk(v: Record<string, unknown> | unknown[], indent: string): Generator<string, void, undefined> {
    const inner = indent + step;
    if (Array.isArray(v)) {
      if (v.length === 0) return void (buf += '[]');
      buf += `[${nl}`;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        buf += inner;
        if (isPlainContainer(x)) yield* walk(x, inner);
        else buf += scalar(x, inner, true);
        buf += i < v.length - 1 ? `,${nl}` : nl;
        if (buf.length >= PIECE_CHARS) yield flush();
      }
      buf += `${indent}]`;
      return;
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
    if (entries.length === 0) return void (buf += '{}');
    buf += `{${nl}`;
    for (let i = 0; i < entries.length; i++) {
      const [k, x] = entries[i]!;
      buf += `${inner}${JSON.stringify(k)}${colon}`;
      if (isPlainContainer(x)) yield* walk(x, inner);
      else buf += scalar(x, inner, false);
      buf += i < entries.length - 1 ? `,${nl}` : nl;
      if (buf.length >= PIECE_CHARS) yield flush();
    }
    buf += `${indent}}`;
  }
  if (isPlainContainer(value)) yield* walk(value, '');
  else buf += scalar(value, '', false);
  if (buf) yield buf;
}

/** jsonPieces handed to `sink` as they come. */
export function writeJson(value: unknown, sink: JsonSink, space: 0 | 2 = 2): void {
  for (const piece of jsonPieces(value, space)) sink(piece);
}

/**
 * The text of `JSON.stringify(items, null, 2)` for an array whose items come one at a time (a
 * stream's decisions): each item's text as it comes, then the end.
 */
export class JsonArrayText {
  private count = 0;

  /** The text of `x` with the separator before it. */
  item(x: unknown): string {
    const text = JSON.stringify(x, null, 2) ?? 'null';
    return `${this.count++ === 0 ? '[\n  ' : ',\n  '}${text.replaceAll('\n', '\n  ')}`;
  }

  /** The text that closes the array. */
  end(): string {
    return this.count === 0 ? '[]' : '\n]';
  }
}

/**
 * `JSON.stringify(items.map(record), null, 2)` for an array of records, in pieces
 * (./text-pieces.ts): each record made when its piece is (never the whole mapped array) and
 * written by JSON.stringify itself (faster than the walk of jsonPieces), so a record must fit in
 * one string; the array never has to.
 */
export function jsonArrayPieces<T>(items: Iterable<T>, record: (item: T) => unknown = (x) => x): Generator<string, void, undefined> {
  const array = new JsonArrayText();
  return textPieces(items, (x) => array.item(record(x)), () => array.end());
}
