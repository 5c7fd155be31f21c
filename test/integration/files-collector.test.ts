/**
 * The followed-files collector on real NetObserv and Hubble sample lines
 * (test/fixtures/reference/flows/): rotation, truncation, a partial last line, restarts (clean
 * and kill -9) and bad lines. Each scenario ends with the store holding exactly the edges one
 * plain ingest of the same lines gives: nothing lost, nothing counted twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { FilesCollector } from '../../collectors/files/collector.ts';
import { resolveFilesSettings, type FilesConfigT } from '../../collectors/files/config.ts';
import { storePipeline } from '../../collectors/store-pipeline.ts';
import { openDb, type Db } from '../../store/db.ts';
import { FileOffsetStore } from '../../store/file-offsets.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { edges, expectedEdges, HUBBLE, n, NETOBSERV, text } from '../helpers/follow-files.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { until as waitUntil } from '../helpers/until.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const until = (what: string, predicate: () => boolean): Promise<void> => waitUntil(what, predicate, { timeoutMs: 10_000 });

const silent = pino({ level: 'silent' });

function collector(db: Db, files: FilesConfigT['files'], extra: Partial<FilesConfigT> = {}): FilesCollector {
  const c = new FilesCollector(resolveFilesSettings({ files, pollInterval: '10ms', flushInterval: '10ms', ...extra }), { db, logger: silent, now: Date.now, ingest: DEFAULT_INGEST_LIMITS });
  // Stopped even when a test fails before its own stop(): a collector left polling keeps the test file's process alive, and the suite hangs.
  after(() => c.stop());
  return c;
}


test('follows a file as it grows; a partial last line waits for its newline', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 5)));
  const c = collector(db, [{ path, format: 'netobserv' }]);
  await c.start();
  await until('5 lines', () => n(c, 'lines') === 5);
  const half = Math.floor((NETOBSERV[5] as string).length / 2);
  appendFileSync(path, (NETOBSERV[5] as string).slice(0, half));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(n(c, 'lines'), 5, 'the half line is not read yet');
  appendFileSync(path, `${(NETOBSERV[5] as string).slice(half)}\n${text(NETOBSERV.slice(6))}`);
  await until('17 lines', () => n(c, 'lines') === 17);
  await c.stop();
  assert.equal(n(c, 'rejected'), 0);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
  assert.equal(new FileOffsetStore(db).get(path)?.offset, Buffer.byteLength(text(NETOBSERV)));
});

test('rotation by rename and a new file: the old file is finished (late appends, unterminated last line), then the new one', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const path = join(dir, 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 6)));
  const c = collector(db, [{ path, format: 'netobserv' }]);
  await c.start();
  await until('6 lines', () => n(c, 'lines') === 6);
  renameSync(path, join(dir, 'flows-1.ndjson'));
  // The exporter still writes to its open descriptor for a moment, ending without a newline.
  appendFileSync(join(dir, 'flows-1.ndjson'), `${text(NETOBSERV.slice(6, 9))}${NETOBSERV[9]}`);
  writeFileSync(path, text(NETOBSERV.slice(10)));
  await until('17 lines', () => n(c, 'lines') === 17);
  await c.stop();
  assert.equal(n(c, 'rotations'), 1);
  assert.equal(n(c, 'rejected'), 0);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('truncation (copytruncate): reading starts over at the beginning', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 10)));
  const c = collector(db, [{ path, format: 'netobserv' }]);
  await c.start();
  await until('10 lines', () => n(c, 'lines') === 10);
  truncateSync(path, 0);
  await until('the truncation', () => n(c, 'truncations') === 1);
  appendFileSync(path, text(NETOBSERV.slice(10)));
  await until('17 lines', () => n(c, 'lines') === 17);
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
});

test('restart: a new collector on the same store resumes at the stored offset, also after a rotation while it was down', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const path = join(dir, 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 4)));
  const first = collector(db, [{ path, format: 'netobserv' }]);
  await first.start();
  await until('4 lines', () => n(first, 'lines') === 4);
  await first.stop();
  // While it is down: more lines, then a rotation, then a new file.
  appendFileSync(path, text(NETOBSERV.slice(4, 8)));
  renameSync(path, join(dir, 'flows.ndjson.1'));
  writeFileSync(path, text(NETOBSERV.slice(8)));
  const second = collector(db, [{ path, format: 'netobserv' }]);
  const [r] = await second.once();
  assert.deepEqual([r?.summary.records, r?.summary.status], [13, 'done']);
  assert.equal(n(second, 'rotations'), 1);
  assert.equal(n(second, 'lostRotations'), 0);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
  // Nothing new: another pass reads nothing.
  const [again] = await collector(db, [{ path, format: 'netobserv' }]).once();
  assert.equal(again?.summary.records, 0);
});

test('restart: a file deleted and re-created while it was down that comes back under the same dev + ino (ext4 reuses inodes; here the same inode rewritten) is read from its start: its first bytes differ from those the stored offset belongs to', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 4)));
  const [first] = await collector(db, [{ path, format: 'netobserv' }]).once();
  assert.equal(first?.summary.records, 4);
  // Same inode, other content, longer than the stored offset: nothing but the first bytes tells.
  writeFileSync(path, text(NETOBSERV.slice(4)));
  const second = collector(db, [{ path, format: 'netobserv' }]);
  const [r] = await second.once();
  assert.equal(r?.summary.records, NETOBSERV.length - 4);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
  // The file the offset belonged to could not be finished: counted.
  assert.equal(n(second, 'lostRotations'), 1);
  // Nothing new: another pass reads nothing (the stored head is the new file's).
  const [again] = await collector(db, [{ path, format: 'netobserv' }]).once();
  assert.equal(again?.summary.records, 0);
});

test('kill -9 in the middle of following: the restarted pass neither loses nor double-counts a line', async () => {
  const dir = tmpDir();
  const dbPath = join(dir, 'f.db');
  const path = join(dir, 'flows.ndjson');
  // NetObserv lines (each carries its own metadata: the result does not depend on what a process
  // saw before), 200 times over, committed one per transaction: the kill lands part-way.
  const lines = Array.from({ length: 200 }, () => NETOBSERV).flat();
  writeFileSync(path, text(lines));
  openDb(dbPath).close();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/follow-files-child.ts', import.meta.url)), dbPath, path, 'netobserv', '12'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  const reached = await Promise.race([new Promise<boolean>((resolve) => child.stdout.once('data', () => resolve(true))), exited.then(() => false)]);
  assert.ok(reached, 'the child followed 12 lines before the kill');
  child.kill('SIGKILL');
  await exited;
  const db = openDb(dbPath);
  const stored = new FileOffsetStore(db).get(path);
  assert.ok(stored && stored.offset > 0 && stored.offset < Buffer.byteLength(text(lines)), `killed part-way: offset ${stored?.offset}`);
  const [r] = await collector(db, [{ path, format: 'netobserv' }]).once();
  assert.ok((r?.summary.records ?? 0) > 0);
  assert.deepEqual(edges(db), await expectedEdges(lines));
  // The killed run was closed as failed by the next run of its file, with what it committed; records over both runs = the file.
  const runs = new IngestRunStore(db).list();
  assert.deepEqual(runs.map((run) => run.status).sort(), ['done', 'failed']);
  assert.match(runs.find((run) => run.status === 'failed')?.error ?? '', /^ended without finishing/);
  assert.equal(runs.reduce((s, run) => s + run.records, 0), lines.length);
  db.close();
});

test('bad lines are counted and skipped: not JSON, not an object, over the length limit', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  const long = JSON.stringify({ SrcAddr: '10.0.0.1', pad: 'x'.repeat(3000) });
  writeFileSync(path, text([NETOBSERV[0] as string, '{"SrcAddr": "10.0.0.1", ', '[1,2,3]', long, '', NETOBSERV[1] as string]));
  const c = collector(db, [{ path, format: 'netobserv' }], { maxLineLength: 2048 });
  const [r] = await c.once();
  assert.deepEqual([r?.summary.records, r?.summary.accepted, r?.summary.rejected], [4, 2, 2]);
  assert.deepEqual(r?.ingest.rejects, { 'invalid-json': 1, 'not-an-object': 1 });
  assert.equal(n(c, 'oversized'), 1);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV.slice(0, 2)));
});

// docs/operations.md: "longer lines are skipped and counted" — once: the stored offset moves past
// a skipped line even when no line follows it (it stayed before it, and every pass counted it again).
test('an over-long last line is counted once: the stored offset moves past it, later passes and restarts do not count it again', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  const long = JSON.stringify({ SrcAddr: '10.0.0.1', pad: 'z'.repeat(3000) });
  writeFileSync(path, text([NETOBSERV[0] as string, 'garbage', long]));
  const passes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = collector(db, [{ path, format: 'netobserv' }], { maxLineLength: 2048 });
    await c.once();
    passes.push(n(c, 'oversized'));
  }
  assert.deepEqual(passes, [1, 0, 0]);
  assert.equal(new FileOffsetStore(db).get(path)?.offset, Buffer.byteLength(text([NETOBSERV[0] as string, 'garbage', long])));
});

test('an over-long partial last line waits for its newline like any partial line, then is counted once (the stored offset never stops inside a line)', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  const long = JSON.stringify({ SrcAddr: '10.0.0.1', pad: 'z'.repeat(3000) });
  const head = text([NETOBSERV[0] as string]);
  writeFileSync(path, `${head}${long.slice(0, 2500)}`);
  const pass = async (): Promise<number> => {
    const c = collector(db, [{ path, format: 'netobserv' }], { maxLineLength: 2048 });
    await c.once();
    return n(c, 'oversized');
  };
  assert.equal(await pass(), 0, 'not counted while it may still grow');
  assert.equal(new FileOffsetStore(db).get(path)?.offset, Buffer.byteLength(head));
  appendFileSync(path, `${long.slice(2500)}\n${text([NETOBSERV[1] as string])}`);
  assert.equal(await pass(), 1);
  assert.equal(await pass(), 0);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV.slice(0, 2)));
});

test('a running follower counts an over-long line growing across polls once', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  const long = JSON.stringify({ SrcAddr: '10.0.0.1', pad: 'z'.repeat(3000) });
  writeFileSync(path, text([NETOBSERV[0] as string]));
  const c = collector(db, [{ path, format: 'netobserv' }], { maxLineLength: 2048 });
  await c.start();
  await until('1 line', () => n(c, 'lines') === 1);
  appendFileSync(path, long.slice(0, 2500));
  await new Promise((r) => setTimeout(r, 60));
  appendFileSync(path, long.slice(2500, 2800));
  await new Promise((r) => setTimeout(r, 60));
  appendFileSync(path, `${long.slice(2800)}\n${text([NETOBSERV[1] as string])}`);
  await until('2 lines', () => n(c, 'lines') === 2);
  await c.stop();
  assert.equal(n(c, 'oversized'), 1);
  const again = collector(db, [{ path, format: 'netobserv' }], { maxLineLength: 2048 });
  await again.once();
  assert.equal(n(again, 'oversized'), 0);
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV.slice(0, 2)));
});

test('two files, one missing for a while: the other is followed, the missing one is picked up when it appears', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const a = join(dir, 'netobserv.ndjson');
  const b = join(dir, 'hubble.json');
  writeFileSync(a, text(NETOBSERV));
  const c = collector(db, [{ path: a, format: 'netobserv' }, { path: b, format: 'hubble' }]);
  await c.start();
  await until('17 lines', () => n(c, 'lines') === 17);
  writeFileSync(b, text(HUBBLE));
  await until('49 lines', () => n(c, 'lines') === 17 + 32);
  await c.stop();
  const { db: both } = tmpDb();
  await storePipeline(both, { format: 'netobserv', limits: DEFAULT_INGEST_LIMITS }).ingest(Readable.from([text(NETOBSERV)]), 'a');
  await storePipeline(both, { format: 'hubble', limits: DEFAULT_INGEST_LIMITS }).ingest(Readable.from([text(HUBBLE)]), 'b');
  assert.deepEqual(edges(db), edges(both));
});

test('the record counters count while a run goes on (a run lasts `refresh`, an hour by default): a rejected line shows as soon as its batch is stored', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, `${text(NETOBSERV.slice(0, 3))}not json\n`);
  const c = collector(db, [{ path, format: 'netobserv' }]);
  await c.start();
  try {
    await until('the batch stored and counted', () => n(c, 'records') === 4);
    assert.equal(n(c, 'rejected'), 1);
    assert.equal(n(c, 'accepted'), 3);
    assert.equal(n(c, 'runs'), 0, 'the run is still going');
  } finally {
    await c.stop();
  }
  // Once the run ends its summary is counted instead, not as well.
  assert.equal(n(c, 'records'), 4);
});

test('startAt end: the end is stored when the file is first opened, so the next pass (collect --once, a restart) reads what was appended meanwhile; a path that appears after the start is read from its first line (tail -F)', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const path = join(dir, 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 2)));
  const once = async () => (await collector(db, [{ path, format: 'netobserv' }], { startAt: 'end' }).once())[0]?.summary.records;
  assert.equal(await once(), 0, 'starts at the end');
  appendFileSync(path, text(NETOBSERV.slice(2, 5)));
  assert.equal(await once(), 3, 'the appended lines, not skipped by starting at the end again');
  appendFileSync(path, text(NETOBSERV.slice(5, 6)));
  assert.equal(await once(), 1);
  // startAt holds for the collector's first start only: a file that appears between two passes
  // (an exact path missing at the last one, a new glob match) is new, read from its first line.
  const between = join(dir, 'between.ndjson');
  const globbed = join(dir, 'g-1.ndjson');
  const withBoth = () => collector(db, [{ path: between, format: 'netobserv' }, { path: join(dir, 'g-*.ndjson'), format: 'netobserv' }], { startAt: 'end' }).once();
  assert.deepEqual((await withBoth()).map((r) => r.summary.records), [0]);
  writeFileSync(between, text(NETOBSERV.slice(0, 2)));
  writeFileSync(globbed, text(NETOBSERV.slice(0, 3)));
  assert.deepEqual((await withBoth()).map((r) => [r.path, r.summary.records]), [[between, 2], [globbed, 3]]);
  // A path missing at the start: its file is new, read whole.
  const later = join(dir, 'later.ndjson');
  const c = collector(db, [{ path: later, format: 'netobserv' }], { startAt: 'end' });
  await c.start();
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(later, text(NETOBSERV.slice(0, 3)));
  await until('3 lines', () => n(c, 'lines') === 3);
  await c.stop();
});

test('a truncation (copytruncate) while nobody looked is a truncation, read from the start, not a lost rotation', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 4)));
  assert.equal((await collector(db, [{ path, format: 'netobserv' }]).once())[0]?.summary.records, 4);
  truncateSync(path, 0);
  appendFileSync(path, text(NETOBSERV.slice(4, 5)));
  const second = collector(db, [{ path, format: 'netobserv' }]);
  assert.equal((await second.once())[0]?.summary.records, 1);
  assert.deepEqual([n(second, 'truncations'), n(second, 'lostRotations')], [1, 0]);
});

test('a store that refuses commits: the run ends, the episode is logged once, retried with backoff from the stored offset; nothing is lost once it takes them again', async () => {
  const { db } = tmpDb();
  const path = join(tmpDir(), 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 5)));
  const logged: { msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as { msg: string }) });
  const c = new FilesCollector(resolveFilesSettings({ files: [{ path, format: 'netobserv' }], pollInterval: '10ms', flushInterval: '10ms', batchSize: 1, backoff: { initial: '20ms', max: '50ms' } }), { db, logger, now: Date.now, ingest: DEFAULT_INGEST_LIMITS });
  await c.start();
  await until('5 lines stored', () => new FileOffsetStore(db).get(path)?.offset === Buffer.byteLength(text(NETOBSERV.slice(0, 5))));
  // Every write of this connection now fails as on a read-only store (SQLITE_READONLY).
  db.pragma('query_only = ON');
  appendFileSync(path, text(NETOBSERV.slice(5)));
  await until('a refused commit', () => n(c, 'storeErrors') > 0);
  const status = c.status();
  assert.equal(status.state, 'starting');
  assert.match(status.lastError ?? '', /the store refused the lines of .*flows\.ndjson: .*readonly database/);
  assert.ok(status.lastError?.startsWith(`${db.name}: `), status.lastError);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(n(c, 'storeErrors') < 40, `retries are spaced by the backoff: ${n(c, 'storeErrors')} in 300 ms`);
  db.pragma('query_only = OFF');
  await until('every line stored', () => new FileOffsetStore(db).get(path)?.offset === Buffer.byteLength(text(NETOBSERV)));
  await until('the episode ends', () => c.status().state === 'running');
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV), 'the lines read while the store refused them are read again');
  assert.equal(logged.filter((l) => /the store refused a followed file's lines/.test(l.msg)).length, 1);
  assert.equal(logged.filter((l) => /the store takes a followed file's lines again/.test(l.msg)).length, 1);
});

test('a followed file that is gzip-compressed (1f 8b at byte 0, RFC 1952) is refused, not read as lines of bad JSON: logged once naming it, counted, in the status; the other file is followed', async () => {
  const { db } = tmpDb();
  const dir = tmpDir();
  const plain = join(dir, 'flows.ndjson');
  // A rotation logrotate compressed (`compress`), matched by a glob that also takes `.gz`.
  const gz = join(dir, 'flows.ndjson.1.gz');
  writeFileSync(plain, text(NETOBSERV));
  writeFileSync(gz, gzipSync(text(NETOBSERV)));
  const logged: { msg: string; path?: string; err?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as { msg: string }) });
  const c = new FilesCollector(resolveFilesSettings({ files: [{ path: join(dir, 'flows.ndjson*'), format: 'netobserv' }], pollInterval: '10ms', flushInterval: '10ms', rescanInterval: '10ms' }), { db, logger, now: Date.now, ingest: DEFAULT_INGEST_LIMITS });
  after(() => c.stop());
  await c.start();
  await until('17 lines of the plain file', () => n(c, 'lines') === 17);
  await until('the compressed file refused', () => n(c, 'compressed') === 1);
  // Many polls later: still one file counted, one log line.
  await new Promise((r) => setTimeout(r, 200));
  const status = c.status();
  await c.stop();
  assert.equal(n(c, 'lines'), 17, 'no line of the compressed file was read');
  assert.equal(n(c, 'rejected'), 0);
  assert.equal(n(c, 'compressed'), 1);
  assert.equal(status.gauges?.failing_files, 1);
  assert.match(status.lastError ?? '', /flows\.ndjson\.1\.gz: the input is gzip-compressed \(it starts with the gzip magic bytes 1f 8b\)/);
  const refused = logged.filter((l) => /gzip-compressed/.test(`${l.msg} ${l.err ?? ''}`));
  assert.equal(refused.length, 1, JSON.stringify(logged));
  assert.equal(refused[0]?.path, gz);
  assert.equal(new FileOffsetStore(db).get(gz), undefined, 'no offset kept for it');
  assert.deepEqual(edges(db), await expectedEdges(NETOBSERV));
  // collect files --once says so for that path.
  const once = collector(db, [{ path: gz, format: 'netobserv' }]);
  const [r] = await once.once();
  assert.match(r?.error ?? '', /flows\.ndjson\.1\.gz: the input is gzip-compressed/);
  assert.equal(r?.summary.records, 0);
});
