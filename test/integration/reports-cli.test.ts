import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../reports/model.ts';
import { openDb } from '../../store/db.ts';
import { ReportStore } from '../../store/reports.ts';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { parseAllDocuments } from 'yaml';

const db = await demoDb();
const dir = tmpDir();
const AT = ['--generated-at', '2026-11-21T02:00:00Z'];

function stored(): { id: number; trigger: string; engine: string }[] {
  const d = openDb(db);
  try {
    return new ReportStore(d).list(100).items.map((m) => ({ id: m.id, trigger: m.trigger, engine: m.engine }));
  } finally {
    d.close();
  }
}

test('report -o json: the model, stored as a manual report', async () => {
  const r = await runCli(['report', '-o', 'json', '--db', db, ...AT]);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as Report;
  assert.equal(report.trigger, 'manual');
  assert.equal(report.generatedAt, '2026-11-21T02:00:00.000Z');
  assert.equal(report.engine, 'kubernetes');
  // analytics → shop/postgres alone: the netobserv drops are blocked must findings (docs/demo.md).
  assert.equal(report.headline.dropped, 1);
  assert.match(r.err, /^report \d+ stored \(keeping the newest 30 built by hand\)\n$/);
  assert.deepEqual(stored().at(0), { id: Number(/report (\d+)/.exec(r.err)![1]), trigger: 'manual', engine: 'kubernetes' });
});

test('byte-identical output for the same data; --no-store keeps nothing', async () => {
  const before = stored().length;
  const a = await runCli(['report', '--db', db, '--no-store', ...AT]);
  const b = await runCli(['report', '--db', db, '--no-store', ...AT]);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.ok(a.out.startsWith('# flowmatrix report — data as of 2026-11-20 23:59:17Z\n'));
  assert.equal(a.err, '');
  assert.equal(stored().length, before);
  const h1 = await runCli(['report', '--output', 'html', '--db', db, '--no-store', ...AT]);
  const h2 = await runCli(['report', '--format', 'html', '--db', db, '--no-store', ...AT]);
  assert.equal(h1.out, h2.out);
});

test('engine and retention from the service config; flags win; the old --format still selects the format', async () => {
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'reports:\n  engine: calico\n  retention: 2\n');
  let last = '';
  for (let i = 0; i < 3; i++) {
    const r = await runCli(['report', '--config', config, '--db', db, '--format', 'json', ...AT]);
    assert.equal(r.code, 0, r.err);
    last = r.out;
  }
  const kept = stored();
  assert.equal(kept.length, 2);
  assert.deepEqual(kept.map((k) => k.engine), ['calico', 'calico']);
  assert.equal((JSON.parse(last) as Report).engine, 'calico');
  const flag = await runCli(['report', '--config', config, '--db', db, '--engine', 'cilium', '--no-egress', '-o', 'json', '--no-store', ...AT]);
  const r = JSON.parse(flag.out) as Report;
  assert.equal(r.engine, 'cilium');
  assert.equal(r.options.egress, false);
});

test('user errors name the flag and value', async () => {
  const e1 = await runCli(['report', '--db', db, '--engine', 'iptables']);
  assert.equal(e1.code, 1);
  assert.match(e1.err, /unknown engine "iptables": expected one of kubernetes, cilium, calico, clusternetworkpolicy/);
  const e2 = await runCli(['report', '--db', db, '-o', 'pdf']);
  assert.notEqual(e2.code, 0);
  assert.match(e2.err, /pdf/);
  const e3 = await runCli(['report', '--db', db, '--now', 'yesterday']);
  assert.match(e3.err, /--now: "yesterday" is not an RFC 3339 time with its zone/);
  // Read by the host's time zone, or rolled over to another day, the same command would mean other times on other hosts.
  for (const lenient of ['2026-12-01T00:00:00', '2026-11-31T00:00:00Z', '12']) {
    const r = await runCli(['report', '--db', db, '--generated-at', lenient, '--no-store']);
    assert.equal(r.code, 1, lenient);
    assert.match(r.err, /--generated-at: ".*" is not an RFC 3339 time with its zone/);
  }
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'reports:\n  schedule: every night\n');
  const e4 = await runCli(['report', '--db', db, '--config', bad]);
  assert.equal(e4.code, 1);
  assert.match(e4.err, /reports\.schedule: is not a valid cron expression/);
});

test('an empty store or a namespace nothing knows is said with exit 1, as recommend and export say it, never an empty report', async () => {
  const empty = await runCli(['report', '--db', join(tmpDir(), 'empty.db'), '--no-store', ...AT]);
  assert.equal(empty.code, 1);
  assert.match(empty.err, /no inventory: run `flowmatrix inventory import FILE`/);
  assert.equal(empty.out, '');
  const unknown = await runCli(['report', '--db', db, '-n', 'nosuch', '--no-store', ...AT]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /nosuch/);
  assert.equal(unknown.out, '');
});

test('a report stored with --generated-at pinned to the past is stored as created now: the list order and the last-report metric follow the store, not the printed time', async () => {
  const before = Date.now();
  const r = await runCli(['report', '--db', db, '-o', 'json', '--generated-at', '2026-01-01T00:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as Report).generatedAt, '2026-01-01T00:00:00.000Z');
  const d = openDb(db);
  try {
    const newest = new ReportStore(d).latest()!;
    assert.equal(newest.id, Number(/report (\d+)/.exec(r.err)![1]));
    assert.ok(newest.createdAt >= before && newest.createdAt <= Date.now(), `createdAt ${new Date(newest.createdAt).toISOString()}`);
  } finally {
    d.close();
  }
});

test('report --shared (and reports.shared): after applying a --shared export as it is, the drift is in sync; without it the shared layers read as drift', async () => {
  const gitops = await demoDb();
  const exported = await runCli(['export', '--db', gitops, '--engine', 'kubernetes', '--shared']);
  assert.equal(exported.code, 0, exported.err);
  const items = parseAllDocuments(exported.out).map((d) => d.toJSON() as Record<string, unknown>).filter((m) => m !== null);
  const list = join(dir, 'applied-shared.json');
  writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const applied = await runCli(['inventory', 'import', '--db', gitops, list]);
  assert.equal(applied.code, 0, applied.err);
  const drift = async (...flags: string[]) => {
    const r = await runCli(['report', '--db', gitops, '-o', 'json', '--no-store', ...AT, ...flags]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    return { summary: report.attention.drift.summary, options: report.options };
  };
  const shared = await drift('--shared');
  assert.deepEqual([shared.summary.missing, shared.summary.extra, shared.summary.differing], [0, 0, 0]);
  assert.equal(shared.summary.inSync, items.length);
  assert.equal(shared.options.shared, true);
  const plain = await drift();
  assert.ok(plain.summary.extra + plain.summary.differing > 0, JSON.stringify(plain.summary));
  assert.equal(plain.options.shared, undefined);
});

test('report --no-shared / --no-default-deny override reports.shared / reports.defaultDeny of the config; without a flag the config decides', async () => {
  const config = join(dir, 'shared-config.yaml');
  writeFileSync(config, 'reports:\n  shared: true\n  defaultDeny: true\n');
  const options = async (...flags: string[]) => {
    const r = await runCli(['report', '--db', db, '--config', config, '-o', 'json', '--no-store', ...AT, ...flags]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as Report).options;
  };
  const fromConfig = await options();
  assert.deepEqual([fromConfig.shared, fromConfig.defaultDeny], [true, true]);
  const off = await options('--no-shared', '--no-default-deny');
  assert.deepEqual([off.shared, off.defaultDeny], [undefined, undefined]);
});

test('a report made with --shared / --default-deny says so in its header (what its drift compares against)', async () => {
  const r = await runCli(['report', '--db', db, '-o', 'markdown', '--no-store', ...AT, '--shared', '--default-deny']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /stale after 30 days, with the shared layers and the default-deny layer\./);
  const plain = await runCli(['report', '--db', db, '-o', 'markdown', '--no-store', ...AT]);
  assert.doesNotMatch(plain.out, /with the shared layers/);
});
