import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readLines } from '../../collectors/flows/lines.ts';

async function collect(chunks: (string | Buffer)[], maxLineLength?: number) {
  const lines: [string, number, boolean][] = [];
  const oversized: [number, number][] = [];
  const n = await readLines(
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
    { line: (t, no, final) => lines.push([t, no, final]), oversized: (no, len) => oversized.push([no, len]) },
    maxLineLength === undefined ? {} : { maxLineLength },
  );
  return { n, lines, oversized };
}

test('lines split across chunks keep their numbers; blank lines count but are not emitted; CRLF is stripped', async () => {
  const r = await collect(['{"a":1}\r\n{"b"', ':2}\n\n  \n{"c":3}\n']);
  assert.deepEqual(r.lines, [
    ['{"a":1}', 1, false],
    ['{"b":2}', 2, false],
    ['{"c":3}', 5, false],
  ]);
  assert.equal(r.n, 5);
});

test('a JSON text sequence (RFC 7464: RS before each record, `jq --seq`) reads as the same lines', async () => {
  const r = await collect(['\x1e{"a":1}\n\x1e{"b"', ':2}\r\n\x1e\n']);
  assert.deepEqual(r.lines, [
    ['{"a":1}', 1, false],
    ['{"b":2}', 2, false],
  ]);
});

test('a byte order mark opening the input is no part of its first line (RFC 8259 §8.1); later ones are kept', async () => {
  const r = await collect([Buffer.from([0xef, 0xbb, 0xbf]), '{"a":1}\n\ufeff{"b":2}\n']);
  assert.deepEqual(r.lines, [
    ['{"a":1}', 1, false],
    ['\ufeff{"b":2}', 2, false],
  ]);
});

test('a last line without newline is flagged final', async () => {
  const r = await collect(['{"a":1}\n{"b":', '2']);
  assert.deepEqual(r.lines, [
    ['{"a":1}', 1, false],
    ['{"b":2', 2, true],
  ]);
});

test('a multi-byte character split between chunks is decoded whole', async () => {
  const bytes = Buffer.from('{"n":"é"}\n');
  const cut = bytes.indexOf(0xc3) + 1;
  const r = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
  assert.deepEqual(r.lines, [['{"n":"é"}', 1, false]]);
});

test('an over-long line is reported and dropped without being buffered, the next line still reads', async () => {
  const long = 'x'.repeat(50);
  const r = await collect([`ok\n${long.slice(0, 20)}`, long.slice(20), '\nnext\n'], 30);
  assert.deepEqual(r.oversized, [[2, 50]]);
  assert.deepEqual(r.lines, [
    ['ok', 1, false],
    ['next', 3, false],
  ]);
});

test('a gzip-compressed input (magic bytes 1f 8b, RFC 1952 §2.3.1) is refused before a line is read, saying to decompress it, even when its first chunk holds one byte', async () => {
  const gz = gzipSync('{"SrcAddr":"10.0.0.1"}\n');
  for (const chunks of [[gz], [gz.subarray(0, 1), gz.subarray(1)]]) {
    const lines: string[] = [];
    await assert.rejects(
      readLines(Readable.from(chunks), { line: (t) => void lines.push(t), oversized: () => undefined }),
      /the input is gzip-compressed \(it starts with the gzip magic bytes 1f 8b\): decompress it first/,
    );
    assert.deepEqual(lines, []);
  }
  // Text that merely starts with 0x1f (no 8b after it) is read as text.
  assert.deepEqual((await collect([Buffer.from('\x1fx\n')])).lines, [['\x1fx', 1, false]]);
});
