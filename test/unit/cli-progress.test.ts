/** Progress is drawn on a terminal only: quiet when stdout or stderr is piped, and never for in-process runs. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { processIo, type CliIo } from '../../cli/io.ts';
import { perSecond, progressBar } from '../../cli/progress.ts';

function stream(tty: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  s.isTTY = tty;
  s.columns = 120;
  s.text = () => chunks.join('');
  return s;
}

const SPEC = { format: 'ingest {bar} {percentage}% | {records} records | {rate} records/s | {edges} edges', total: 1000, fields: { records: 0, rate: 0, edges: 0 } };

test('on a terminal: the bar with records, records/s and edges goes to stderr, nothing to stdout', () => {
  const out = stream(true);
  const err = stream(true);
  const bar = progressBar(processIo, SPEC, { stdout: out, stderr: err });
  assert.equal(bar.active, true);
  bar.update(500, { records: 1234, rate: 617, edges: 42 });
  bar.stop();
  assert.match(err.text(), /ingest .* 50% \| 1234 records \| 617 records\/s \| 42 edges/);
  assert.equal(out.text(), '');
});

test('piped stdout or stderr, or an injected io: quiet', () => {
  const captured: CliIo = { out: () => undefined, err: () => undefined, stdin: process.stdin };
  for (const [io, outTty, errTty] of [[processIo, false, true], [processIo, true, false], [captured, true, true]] as const) {
    const out = stream(outTty);
    const err = stream(errTty);
    const bar = progressBar(io, SPEC, { stdout: out, stderr: err });
    assert.equal(bar.active, false);
    bar.update(500, { records: 1 });
    bar.stop();
    assert.equal(err.text() + out.text(), '');
  }
});

test('perSecond', () => {
  assert.equal(perSecond(1000, 0, 2000), 500);
  assert.equal(perSecond(10, 5, 5), 0);
});
