/**
 * JSON written in pieces: the same bytes as `JSON.stringify(value, null, space)` (space 0 or 2),
 * without ever holding the whole text. A cluster-wide recommendation with its evidence outgrows the
 * longest string V8 can build (about 512 MB), so it is written while it is walked.
 */

/** Receives the text in chunks of roughly `CHUNK` characters, in order. */
export type JsonSink = (text: string) => void;

const CHUNK = 1 << 16;

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** Writes `value` as `JSON.stringify(value, null, space)` would, to `sink`. */
export function writeJson(value: unknown, sink: JsonSink, space: 0 | 2 = 2): void {
  const step = ' '.repeat(space);
  const nl = space > 0 ? '\n' : '';
  const colon = space > 0 ? ': ' : ':';
  let buf = '';
  const out = (s: string): void => {
    buf += s;
    if (buf.length >= CHUNK) {
      sink(buf);
      buf = '';
    }
  };
  const walk = (v: unknown, indent: string, inArray: boolean): void => {
    if (!isPlainContainer(v)) {
      const text = JSON.stringify(v, null, space);
      // JSON.stringify drops undefined, functions and symbols: null inside arrays.
      out(text === undefined ? (inArray ? 'null' : '') : space > 0 ? text.replaceAll('\n', `\n${indent}`) : text);
      return;
    }
    const inner = indent + step;
    if (Array.isArray(v)) {
      if (v.length === 0) return out('[]');
      out(`[${nl}`);
      v.forEach((el, i) => {
        out(inner);
        walk(el, inner, true);
        out(i < v.length - 1 ? `,${nl}` : nl);
      });
      return out(`${indent}]`);
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
    if (entries.length === 0) return out('{}');
    out(`{${nl}`);
    entries.forEach(([k, x], i) => {
      out(`${inner}${JSON.stringify(k)}${colon}`);
      walk(x, inner, false);
      out(i < entries.length - 1 ? `,${nl}` : nl);
    });
    out(`${indent}}`);
  };
  walk(value, '', false);
  if (buf) sink(buf);
}
