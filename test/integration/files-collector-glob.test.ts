/**
 * The followed-files collector with globs, on real NetObserv and Hubble sample lines: files that
 * appear later are picked up, files that are gone are forgotten, a rotated file whose new name
 * the glob matches is never read twice (live and across a restart), and the maxFiles cap is
 * counted and logged once. Each scenario ends with the store holding exactly the edges one plain
 * ingest of the same lines gives.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { FilesCollector } from '../../collectors/files/collector.ts';
import { resolveFilesSettings, type FilesConfigT } from '../../collectors/files/config.ts';
import type { Db } from '../../store/db.ts';
import { FileOffsetStore } from '../../store/file-offsets.ts';
import { runCli } from '../helpers/cli.ts';
import { edges, expectedEdges, HUBBLE, n, NETOBSERV, text } from '../helpers/follow-files.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { until as waitUntil } from '../helpers/until.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

// Returns as soon as the predicate holds (3 s alone); a suite running beside other work has
// taken over 15 s to let a collector's polls and rescans through.
const until = (what: string, predicate: () => boolean): Promise<void> => waitUntil(what, predicate, { timeoutMs: 45_000 });

interface Logged {
  level: number;
  msg: string;
}

function collector(db: Db, files: FilesConfigT['files'], extra: Partial<FilesConfigT> = {}, logs: Logged[] = []): FilesCollector {
  const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Logged) });
  const c = new FilesCollector(resolveFilesSettings({ files, pollInterval: '10ms', flushInterval: '10ms', rescanInterval: '20ms', ...extra }), { db, logger, now: Date.now, ingest: DEFAULT_INGEST_LIMITS });
  // Stopped even when a test fails before its own stop(): a collector left polling keeps the test file's process alive, and the suite hangs.
  after(() => c.stop());
  return c;
}


test('a glob follows the files there at the start and the ones that appear later; other names are left alone', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  writeFileSync(join(dir, 'flows-a.ndjson'), text(NETOBSERV.slice(0, 8)));
  writeFileSync(join(dir, 'other.log'), text(NETOBSERV));
  const c = collector(db, [{ path: join(dir, 'flows-*.ndjson'), format: 'netobserv' }]);
  await c.start();
  await until('8 lines', () => n(c, 'lines') === 8);
  writeFileSync(join(dir, 'flows-b.ndjson'), text(NETOBSERV.slice(8)));
  await until('17 lines', () => n(c, 'lines') === 17);
  assert.deepEqual(c.paths(), [join(dir, 'flows-a.ndjson'), join(dir, 'flows-b.ndjson')]);
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('rotation to a name the glob matches: the old file is finished once, under its new name it is never read again', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const live = join(dir, 'flows.ndjson');
  writeFileSync(live, text(NETOBSERV.slice(0, 6)));
  const c = collector(db, [{ path: join(dir, '*.ndjson'), format: 'netobserv' }]);
  await c.start();
  await until('6 lines', () => n(c, 'lines') === 6);
  renameSync(live, join(dir, 'flows-1.ndjson'));
  appendFileSync(join(dir, 'flows-1.ndjson'), text(NETOBSERV.slice(6, 9)));
  writeFileSync(live, text(NETOBSERV.slice(9)));
  await until('17 lines', () => n(c, 'lines') === 17);
  await until('the rotated name followed too', () => c.paths().length === 2);
  // Give the rotated name's follower time to (wrongly) read its file again.
  await new Promise((r) => setTimeout(r, 300));
  await c.stop();
  assert.equal(n(c, 'lines'), 17, 'no line read twice');
  assert.equal(n(c, 'rotations'), 1);
  assert.equal(new FileOffsetStore(db).get(join(dir, 'flows-1.ndjson'))?.offset, Buffer.byteLength(text(NETOBSERV.slice(0, 9))));
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('restart after a rotation while down, the rotated name matching the glob: finished from the stored offset, never from 0', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const live = join(dir, 'flows.ndjson');
  const glob = [{ path: join(dir, '*.ndjson'), format: 'netobserv' as const }];
  writeFileSync(live, text(NETOBSERV.slice(0, 4)));
  const [r1] = await collector(db, glob).once();
  assert.equal(r1?.summary.records, 4);
  appendFileSync(live, text(NETOBSERV.slice(4, 8)));
  renameSync(live, join(dir, 'flows.1.ndjson'));
  writeFileSync(live, text(NETOBSERV.slice(8)));
  const second = collector(db, glob);
  const r2 = await second.once();
  assert.deepEqual(r2.map((r) => [r.path, r.summary.records]), [[live, 13]], 'the rotated name waits: the live name finished it');
  const third = await collector(db, glob).once();
  assert.deepEqual(third.map((r) => [r.path, r.summary.records]), [[join(dir, 'flows.1.ndjson'), 0], [live, 0]]);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('a matched file that is gone is forgotten (its offset row too); one renamed to another match keeps its offset', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const a = join(dir, 'a.ndjson');
  const b = join(dir, 'b.ndjson');
  writeFileSync(a, text(NETOBSERV.slice(0, 5)));
  writeFileSync(b, text(NETOBSERV.slice(5, 10)));
  const c = collector(db, [{ path: join(dir, '*.ndjson'), format: 'netobserv' }]);
  await c.start();
  await until('10 lines', () => n(c, 'lines') === 10);
  unlinkSync(a);
  await until('a forgotten', () => n(c, 'forgotten_files') === 1);
  assert.deepEqual(c.paths(), [b]);
  assert.equal(new FileOffsetStore(db).get(a), undefined);
  // b renamed (no new b): b is forgotten, c.ndjson is the same file and goes on from b's offset.
  renameSync(b, join(dir, 'c.ndjson'));
  appendFileSync(join(dir, 'c.ndjson'), text(NETOBSERV.slice(10)));
  await until('17 lines', () => n(c, 'lines') === 17);
  await until('b forgotten', () => n(c, 'forgotten_files') === 2);
  await new Promise((r) => setTimeout(r, 200));
  await c.stop();
  assert.equal(n(c, 'lines'), 17);
  assert.deepEqual(c.paths(), [join(dir, 'c.ndjson')]);
  assert.equal(existsSync(b), false);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('a gone file forgotten while the store refuses writes: the collector goes on (the unchanged offset row is left, logged, counted), never an unhandled rejection', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const a = join(dir, 'a.ndjson');
  writeFileSync(a, text(NETOBSERV.slice(0, 5)));
  const logs: Logged[] = [];
  const c = collector(db, [{ path: join(dir, '*.ndjson'), format: 'netobserv' }], {}, logs);
  await c.start();
  await until('5 lines', () => n(c, 'lines') === 5);
  db.pragma('query_only = ON');
  unlinkSync(a);
  await until('a forgotten', () => n(c, 'forgotten_files') === 1);
  db.pragma('query_only = OFF');
  assert.ok(logs.some((l) => l.level === 40 && /could not forget/.test(l.msg)), logs.map((l) => l.msg).join('\n'));
  assert.ok(n(c, 'storeErrors') >= 1, 'counted');
  assert.deepEqual(c.paths(), []);
  // The collector still follows what appears next.
  writeFileSync(join(dir, 'b.ndjson'), text(NETOBSERV.slice(5)));
  await until('17 lines', () => n(c, 'lines') === 17);
  await c.stop();
});

// A file deleted and a new one created at once get the same inode on ext4 (and overlayfs on it),
// which is what made the test above hang under load: a's offset row, left because the store
// refused to delete it, was adopted by b by dev + ino alone, and b was read from a's offset (its
// first lines lost, a fragment rejected as invalid JSON). Here the reuse is made certain: the same
// inode is renamed to the new name and rewritten with other lines (as test/integration/files-collector.test.ts
// does for one path). A stored offset's first-bytes hash tells the files apart (docs/operations.md#collectors).
test('a new match on the inode of a gone file whose offset row is left (the store refused to forget it) is a new file: read from its first line, never from the gone file\'s offset', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const elsewhere = tmpDir();
  const a = join(dir, 'a.ndjson');
  const b = join(dir, 'b.ndjson');
  writeFileSync(a, text(NETOBSERV.slice(0, 5)));
  const logs: Logged[] = [];
  const c = collector(db, [{ path: join(dir, '*.ndjson'), format: 'netobserv' }], {}, logs);
  await c.start();
  const offsets = new FileOffsetStore(db);
  await until("a's 5 lines stored", () => offsets.get(a)?.offset === Buffer.byteLength(text(NETOBSERV.slice(0, 5))));
  db.pragma('query_only = ON');
  // Gone from the glob's directory (kept alive elsewhere, so that its inode can come back).
  const held = join(elsewhere, 'held');
  renameSync(a, held);
  await until('a forgotten', () => n(c, 'forgotten_files') === 1);
  db.pragma('query_only = OFF');
  assert.ok(offsets.get(a), "a's row is left: the store refused to delete it");
  renameSync(held, b);
  writeFileSync(b, text(NETOBSERV.slice(5)));
  assert.equal(statSync(b).ino, Number(offsets.get(a)?.ino), "b is on a's inode");
  await until('17 lines', () => n(c, 'lines') === 17);
  await c.stop();
  assert.equal(n(c, 'rejected'), 0, 'no fragment of a line read');
  assert.equal(offsets.get(b)?.offset, Buffer.byteLength(text(NETOBSERV.slice(5))));
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('restart: a new match on the inode of a gone file whose offset row is left is read from its first line; a match that IS that file (renamed while down) goes on from its offset', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const glob = [{ path: join(dir, '*.ndjson'), format: 'netobserv' as const }];
  const a = join(dir, 'a.ndjson');
  writeFileSync(a, text(NETOBSERV.slice(0, 5)));
  await collector(db, glob).once();
  // The same inode under another matching name with other first bytes: another file.
  renameSync(a, join(dir, 'b.ndjson'));
  writeFileSync(join(dir, 'b.ndjson'), text(NETOBSERV.slice(5, 12)));
  const r = await collector(db, glob).once();
  assert.deepEqual(r.map((x) => [x.path, x.summary.records, x.summary.rejected]), [[join(dir, 'b.ndjson'), 7, 0]]);
  // The same file renamed while down, grown since: goes on from its offset, nothing read twice.
  renameSync(join(dir, 'b.ndjson'), join(dir, 'c.ndjson'));
  appendFileSync(join(dir, 'c.ndjson'), text(NETOBSERV.slice(12)));
  const r2 = await collector(db, glob).once();
  assert.deepEqual(r2.map((x) => [x.path, x.summary.records]), [[join(dir, 'c.ndjson'), 5]]);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('maxFiles: matches beyond the cap are not followed, counted, logged once; a freed place is taken', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  for (const [i, name] of ['a', 'b', 'c'].entries()) writeFileSync(join(dir, `${name}.json`), text(HUBBLE.slice(i * 10, i * 10 + 10)));
  const logs: Logged[] = [];
  const c = collector(db, [{ path: join(dir, '*.json'), format: 'hubble' }], { maxFiles: 2 }, logs);
  await c.start();
  await until('20 lines', () => n(c, 'lines') === 20);
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(c.paths(), [join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(c.status().gauges?.files_over_cap, 1);
  assert.equal(n(c, 'cap_exceeded'), 1);
  assert.equal(logs.filter((l) => /more followed-file matches than maxFiles/.test(l.msg)).length, 1, 'logged once for the episode');
  unlinkSync(join(dir, 'a.json'));
  await until('c followed', () => c.paths().includes(join(dir, 'c.json')));
  await until('30 lines', () => n(c, 'lines') === 30);
  await c.stop();
  assert.equal(c.status().gauges?.files_over_cap, 0);
});

test('collect files --once --file with a glob, and the config refusing a wildcard directory', async () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'hubble-1.log'), text(HUBBLE.slice(0, 12)));
  writeFileSync(join(dir, 'hubble-2.log'), text(HUBBLE.slice(12)));
  const r = await runCli(['collect', 'files', '--once', '--db', join(dir, 'f.db'), '--file', `${join(dir, 'hubble-*.log')}:hubble`]);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as { records: number; files: { path: string; records: number }[] };
  assert.deepEqual(s.files.map((f) => [f.path, f.records]), [[join(dir, 'hubble-1.log'), 12], [join(dir, 'hubble-2.log'), 20]]);
  const capped = JSON.parse((await runCli(['collect', 'files', '--once', '--db', join(dir, 'g.db'), '--max-files', '1', '--file', `${join(dir, 'hubble-*.log')}:hubble`])).out) as { files: { path: string }[]; filesOverCap: number };
  assert.deepEqual([capped.files.map((f) => f.path), capped.filesOverCap], [[join(dir, 'hubble-1.log')], 1]);
  const bad = await runCli(['collect', 'files', '--once', '--db', join(dir, 'f.db'), '--file', join(dir, '*', 'flows.json')]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /a wildcard may only be in the file name/);
});
