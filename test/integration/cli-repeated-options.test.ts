/**
 * An option that takes one value, given twice, is refused (exit 1, both values named on stderr,
 * nothing on stdout): Commander keeps the last one, so `recommend -n shop -n kafka` recommended
 * kafka alone. Repeatable options (`collect files --file`, variadic `--family`) keep every value.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;
const NETOBSERV = new URL('../fixtures/reference/flows/netobserv/netobserv-flow-samples.ndjson', import.meta.url).pathname;

test('a single-value option given twice is refused, naming the option and both values', async () => {
  const db = join(tmpDir(), 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  const cases: Array<[argv: string[], message: RegExp]> = [
    [['recommend', '--engine', 'kubernetes', '-n', 'shop', '-n', 'kube-system'], /-n, --namespace <ns> given twice \("shop", then "kube-system"\)/],
    [['recommend', '--engine', 'kubernetes', '--namespace', 'shop', '-n', 'shop'], /-n, --namespace <ns> given twice \("shop", then "shop"\)/],
    [['export', '--engine', 'kubernetes', '--engine', 'cilium'], /--engine <engine> given twice \("kubernetes", then "cilium"\)/],
    [['recommend', '--engine', 'kubernetes', '-o', 'json', '--output=yaml'], /-o, --output <format> given twice \("json", then "yaml"\)/],
    [['edges', '--since', '2h', '--since', '7d'], /--since <when> given twice/],
    // Deleted the kafka edges only, where shop's were meant as well (or instead).
    [['edges', 'delete', '-n', 'shop', '--namespace', 'kube-system'], /-n, --namespace <ns> given twice \("shop", then "kube-system"\)/],
    [['recommend', '--engine', 'kubernetes', '--db', db, '--db', join(tmpDir(), 'other.db')], /--db <path> given twice/],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli(argv.includes('--db') ? argv : [...argv, '--db', db]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
  }
});

test('switches may repeat; one occurrence of each value option still runs', async () => {
  const db = join(tmpDir(), 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  const once = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '-o', 'json', '--db', db]);
  const twice = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--shared', '--shared', '-o', 'json', '--db', db]);
  assert.equal(once.code, 0, once.err);
  assert.equal(twice.code, 0, twice.err);
});

test('collect files --file is repeatable: every file given is read', async () => {
  const dir = tmpDir();
  const lines = readFileSync(NETOBSERV, 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'a.ndjson'), `${lines.slice(0, 10).join('\n')}\n`);
  writeFileSync(join(dir, 'b.ndjson'), `${lines.slice(10).join('\n')}\n`);
  const r = await runCli(['collect', 'files', '--once', '--db', join(dir, 'f.db'), '--file', `${join(dir, 'a.ndjson')}:netobserv`, '--file', `${join(dir, 'b.ndjson')}:netobserv`]);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as { records: number; files: unknown[] };
  assert.deepEqual([s.records, s.files.length], [lines.length, 2]);
});

test('report: a flag given both ways (--shared --no-shared), or -o with its old name --format, is refused', async () => {
  const db = join(tmpDir(), 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  const cases: Array<[argv: string[], message: RegExp]> = [
    [['report', '--no-store', '--shared', '--no-shared'], /--shared and --no-shared both given: give one/],
    [['report', '--no-store', '--no-default-deny', '--default-deny'], /--no-default-deny and --default-deny both given: give one/],
    [['report', '--no-store', '-o', 'json', '--format', 'html'], /option '--format <format>' cannot be used with option '-o, --output <format>'/],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli([...argv, '--db', db]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
  }
  // One of each is as before.
  const r = await runCli(['report', '--no-store', '--format', 'json', '--no-shared', '--generated-at', '2026-11-21T00:00:00Z', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { schemaVersion: number }).schemaVersion, 1);
});
