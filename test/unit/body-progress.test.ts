/**
 * BodyProgress says, at any line the reader has read, which prefix of the body the lines through
 * it cover and that prefix's SHA-256, however the body is cut into chunks: the place a resumed
 * upload starts from (server/routes/flows.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BodyProgress } from '../../collectors/flows/body-progress.ts';
import { readLines } from '../../collectors/flows/lines.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function* cut(body: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const n = sizes[i % sizes.length] as number;
    yield body.subarray(at, at + n);
    at += n;
  }
}

test('the span through any line read is that prefix of the body, its lines and its hash, in any chunking; the end counts a last line without newline', async () => {
  const text = '{"a":1}\n\n{"é":"ü"}\r\n   \n{"b":2}\n{"c":"' + 'x'.repeat(300) + '"}\n{"last":true}';
  const body = Buffer.from(text);
  const ends: number[] = [];
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) ends.push(i + 1);
  for (const sizes of [[1], [3, 7], [64], [body.length], [5, 1, 300]]) {
    const progress = new BodyProgress(cut(body, sizes));
    const seen: number[] = [];
    await readLines(progress.chunks(), {
      line: (_t, n) => {
        const span = progress.through(n);
        assert.equal(span.lines, n, `sizes ${sizes}`);
        assert.equal(span.bytes, ends[n - 1] ?? body.length);
        assert.equal(span.sha256, sha(body.subarray(0, span.bytes)));
        seen.push(n);
      },
      oversized: () => assert.fail('no oversized line'),
    });
    assert.deepEqual(seen, [1, 3, 5, 6, 7]);
    const end = progress.through(7);
    assert.deepEqual(end, { lines: 7, bytes: body.length, sha256: sha(body) }, 'the last line, without newline, ends the body');
  }
});

test('skip reads a prefix and checks it: the rest reaches the reader numbered from there; a shorter or different body says so', async () => {
  const body = Buffer.from('{"a":1}\n{"b":2}\n{"c":3}\n');
  const first = new BodyProgress(cut(body, [body.length]));
  let span;
  await readLines(first.chunks(), { line: (_t, n) => void (n === 1 && (span = first.through(1))), oversized: () => {} });
  assert.deepEqual(span, { lines: 1, bytes: 8, sha256: sha(body.subarray(0, 8)) });

  const again = new BodyProgress(cut(body, [3]));
  assert.equal(await again.skip(span!), undefined);
  const lines: [string, number][] = [];
  await readLines(again.chunks(), { line: (t, n) => void lines.push([t, n]), oversized: () => {} }, { firstLine: 2 });
  assert.deepEqual(lines, [['{"b":2}', 2], ['{"c":3}', 3]]);
  assert.deepEqual(again.through(3), { lines: 3, bytes: body.length, sha256: sha(body) });

  assert.deepEqual(await new BodyProgress(cut(Buffer.from('{"a"'), [2])).skip(span!), { kind: 'shorter', bytes: 4 });
  const other = await new BodyProgress(cut(Buffer.from('{"a":2}\n'), [8])).skip(span!);
  assert.equal(other?.kind, 'different');
});
