/**
 * Integer flags are decimal digits, as the REST API takes query integers (server/http/validate.ts,
 * docs/api.md): `Number()` alone read `--max-edges 0x10` as 16 and `--batch-size 1e2` as 100.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;
const NETOBSERV = new URL('../fixtures/reference/flows/netobserv/netobserv-flow-samples.ndjson', import.meta.url).pathname;

test('--max-edges, --batch-size, --flush-interval, --max-edges-per-workload, --max-edges-per-run refuse hex, exponent, sign and fraction', async () => {
  const db = join(tmpDir(), 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  for (const bad of ['0x10', '1e2', '+5', '1.0', ' 5', '0b11']) {
    for (const argv of [
      ['recommend', '--engine', 'kubernetes', '--max-edges', bad],
      ['export', '--engine', 'kubernetes', '--max-edges', bad],
      ['ingest', NETOBSERV, '--batch-size', bad],
      ['ingest', NETOBSERV, '--flush-interval', bad],
      ['ingest', NETOBSERV, '--max-edges-per-workload', bad],
      ['ingest', NETOBSERV, '--max-edges-per-run', bad],
    ]) {
      const r = await runCli([...argv, '--db', db]);
      assert.equal(r.code, 1, argv.join(' '));
      assert.equal(r.out, '', argv.join(' '));
      assert.match(r.err, new RegExp(`${argv.at(-2)} must be a positive integer, got "${bad.replace('+', '\\+').replace('.', '\\.')}"`), argv.join(' '));
    }
  }
});

test('a decimal integer still passes', async () => {
  const db = join(tmpDir(), 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  const ingest = await runCli(['ingest', NETOBSERV, '--batch-size', '16', '--flush-interval', '5', '--max-edges-per-workload', '100', '--max-edges-per-run', '1000', '--db', db]);
  assert.equal(ingest.code, 0, ingest.err);
  const rec = await runCli(['recommend', '--engine', 'kubernetes', '--max-edges', '1000', '-o', 'json', '--db', db]);
  assert.equal(rec.code, 0, rec.err);
});
