/**
 * writePieces (cli/io.ts): a large output written to a stream goes at the reader's pace. Node's
 * stdout on a pipe queues what its reader has not taken yet (`stream.write` returns false and
 * keeps the data), so a writer that ignored that held the whole export in memory behind a slow
 * `export | consumer`.
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { slowReader } from '../helpers/slow-reader.ts';
import { test } from 'node:test';
import { writePieces, type CliIo } from '../../cli/io.ts';

/** Resolves when everything written to `stream` so far has been taken (write callbacks run in order). */
const flushed = (stream: Writable): Promise<void> => new Promise((resolve, reject) => stream.write('', (e) => (e ? reject(e) : resolve())));

const io = (outStream?: NodeJS.WritableStream): CliIo & { text: string } => {
  const r = { text: '', out: (t: string) => void (r.text += t), err: () => {}, stdin: new PassThrough(), outStream };
  return r;
};

test('to a slow reader, the next piece is made only when the reader has nearly caught up: a few pieces ahead, never the output', async () => {
  const reader = slowReader(4096);
  let made = 0;
  let mostAhead = 0;
  function* pieces(): Generator<string> {
    for (let i = 0; i < 300; i++) {
      mostAhead = Math.max(mostAhead, made - reader.taken.length);
      made++;
      yield `${String(i).padStart(4, '0')}${'x'.repeat(1020)}`;
    }
  }
  await writePieces(io(reader.stream), pieces());
  await flushed(reader.stream);
  assert.equal(made, 300);
  const expected = Array.from({ length: 300 }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(1020)}`).join('');
  assert.ok(reader.text() === expected, 'the reader got every piece, in order');
  // Readable.from reads ahead 16 pieces, the writable buffers 4 KiB: about 20 ahead. Written at
  // once, all 300 would be made before the reader took its second.
  assert.ok(mostAhead <= 24, `the writer ran ${mostAhead} pieces ahead of the reader`);
});

test('the stream stays open for what the command writes after, and without a stream the pieces go to out', async () => {
  const reader = slowReader(4096);
  await writePieces(io(reader.stream), ['a', 'b']);
  assert.equal(reader.stream.writableEnded, false);
  reader.stream.write('c');
  await flushed(reader.stream);
  assert.equal(reader.text(), 'abc');
  const plain = io();
  await writePieces(plain, ['a', 'b']);
  assert.equal(plain.text, 'ab');
});

test('a reader that fails fails the write', async () => {
  const broken = new Writable({ write: (_c, _e, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
  await assert.rejects(writePieces(io(broken), ['a', 'b']), /EPIPE/);
});
