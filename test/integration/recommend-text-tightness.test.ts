/**
 * `recommend`'s text output (YAML manifests on stdout, what to know about them on stderr) gives
 * each workload side's tightness, as `recommend -o json` has it (docs/recommend.md "Verification",
 * 3): allowed (peer, port) pairs ÷ observed ones, to 2 decimals, `unbounded` where nothing was
 * observed and the side allows something. stdout stays the manifests alone, as `export` writes them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';

const db = await demoDb();

interface Tightness {
  workload: string;
  direction: string;
  observed: number;
  allowed: number;
  ratio: number | null;
  unbounded?: true;
}

test('recommend (YAML): a tightness table on stderr, one row per workload side of the JSON, in its order; stdout is the export\'s', async () => {
  const args = ['--engine', 'kubernetes', '-n', 'shop', '--db', db];
  const text = await runCli(['recommend', ...args]);
  assert.equal(text.code, 0, text.err);
  const json = await runCliJson<{ verification: { tightness: Tightness[] } }>(['recommend', ...args, '-o', 'json']);
  const figures = json.verification.tightness;
  assert.ok(figures.length > 0);
  const lines = text.err.split('\n');
  const header = lines.findIndex((l) => /^tightness:/.test(l));
  assert.ok(header >= 0, `no tightness on stderr:\n${text.err}`);
  assert.match(lines[header + 1] ?? '', /^WORKLOAD\s+SIDE\s+OBSERVED\s+ALLOWED\s+TIGHTNESS$/);
  const rows = lines.slice(header + 2, header + 2 + figures.length).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(
    rows,
    figures.map((f) => [f.workload, f.direction, String(f.observed), String(f.allowed), f.unbounded ? 'unbounded' : f.ratio === null ? '—' : f.ratio.toFixed(2)]),
  );
  assert.equal(text.out, (await runCli(['export', ...args])).out, 'stdout: the manifests alone');
});
