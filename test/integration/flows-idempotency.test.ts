/**
 * POST /flows with an Idempotency-Key resumes an upload exactly: a service killed (kill -9) mid-body
 * leaves committed windows (1,000 edges each) and a run row that says how much of the body they
 * cover, with a SHA-256 of those bytes; the same body sent again under the key skips them and
 * stores the rest, so the edges equal one clean ingest. A different body under the key is a 409
 * (nothing stored), a finished key answers its summary again, a bad key is a 400.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import request from 'supertest';
import { openDb, type Db } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { until } from '../helpers/until.ts';

const CHILD = fileURLToPath(new URL('../helpers/flows-service-child.ts', import.meta.url));
const NDJSON = 'application/x-ndjson';

/** One distinct edge per record: 5 service windows in 5,000 records. */
const line = (n: number) =>
  `{"SrcAddr":"10.1.${(n >> 8) & 255}.${n & 255}","SrcPort":40000,"DstAddr":"10.2.0.1","DstPort":${1 + (n % 1000)},"Proto":6,"Flags":2,"Packets":1,"Bytes":10,"TimeFlowEndMs":${1_700_000_000_000 + n}}\n`;
const body = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i)).join('');
const BODY = body(0, 5_000);

function edges(db: Db): unknown[] {
  return db.prepare('SELECT client, server, port, protocol, flows, packets, bytes, first_seen, last_seen FROM edges ORDER BY client, server, port, protocol').all();
}
function hours(db: Db): unknown[] {
  return db.prepare('SELECT e.client, e.server, e.port, h.hour, h.flows FROM edge_hours h JOIN edges e ON e.id = h.edge_id ORDER BY 1, 2, 3, 4').all();
}

test('a service killed mid-upload: the same body sent again with its Idempotency-Key stores exactly what one clean ingest stores', { timeout: 300_000 }, async () => {
  const dir = tmpDir();
  const path = join(dir, 'killed.db');
  openDb(path).close();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', () => reject(new Error('the service exited before it listened')));
    });
    const req = httpRequest(`${url}/api/v1/flows?format=netobserv`, { method: 'POST', headers: { 'Content-Type': NDJSON, 'Idempotency-Key': 'upload-1' } });
    req.on('error', () => {});
    // Two windows' worth and a half: at least one window commits, the rest waits in memory.
    req.write(body(0, 2_500));
    const probe = new Database(path, { readonly: true });
    probe.pragma('busy_timeout = 5000');
    try {
      await until('a committed window', () => ((probe.prepare("SELECT max(records) AS n FROM ingest_runs WHERE source = 'api:key:upload-1'").get() as { n: number | null }).n ?? 0) >= 1_000, { timeoutMs: 60_000, everyMs: 20 });
    } finally {
      probe.close();
    }
    child.kill('SIGKILL');
    await exited;
    req.destroy();
  } finally {
    child.kill('SIGKILL');
    await exited;
  }

  const db = openDb(path);
  const partial = (db.prepare('SELECT coalesce(sum(flows), 0) AS n FROM edges').get() as { n: number }).n;
  assert.ok(partial >= 1_000 && partial < 5_000, `a partial commit: ${partial}`);
  const app = testApp(db, path);
  const resumed = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'upload-1').type(NDJSON).send(BODY).expect(200);
  assert.equal(resumed.body.resumed.records, partial, 'the records the killed run committed were skipped');
  assert.equal(resumed.body.records, 5_000 - partial);
  assert.equal(resumed.headers['idempotent-replayed'], undefined);

  const clean = tmpDb();
  await request(testApp(clean.db, clean.path)).post('/api/v1/flows?format=netobserv').type(NDJSON).send(BODY).expect(200);
  assert.deepEqual(edges(db), edges(clean.db), 'no edge counted twice, none lost');
  assert.deepEqual(hours(db), hours(clean.db));

  // Done: the key answers its summary again and stores nothing.
  const replay = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'upload-1').type(NDJSON).send(BODY).expect(200);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.body.replayed, true);
  assert.equal(replay.body.records, resumed.body.records);
  assert.deepEqual(edges(db), edges(clean.db));
  db.close();
});

test('a body that is not the one the key committed is a 409 naming the key and the mismatch; nothing is stored', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  // A run of the key that stopped after its first window (a client gone: the body ended early).
  await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-2').type(NDJSON).send(body(0, 1_200)).expect(200);
  db.prepare("UPDATE ingest_runs SET status = 'failed' WHERE source = 'api:key:k-2'").run();
  const before = edges(db);
  const other = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-2').type(NDJSON).send(body(1, 5_000)).expect(409);
  assert.match(other.body.detail, /Idempotency-Key "k-2"/);
  assert.match(other.body.detail, /SHA-256/);
  const shorter = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-2').type(NDJSON).send(body(0, 10)).expect(409);
  assert.match(shorter.body.detail, /Idempotency-Key "k-2".*bytes/);
  assert.deepEqual(edges(db), before, 'nothing stored');
  assert.equal((db.prepare("SELECT count(*) AS n FROM ingest_runs WHERE source = 'api:key:k-2'").get() as { n: number }).n, 1, 'no run started');
});

test('an Idempotency-Key that is not a short token of safe characters is a 400 naming the header', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  for (const key of ['', 'has space', 'x'.repeat(200), 'a/b']) {
    const r = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', key).type(NDJSON).send(body(0, 3)).expect(400);
    assert.match(r.body.detail, /Idempotency-Key/);
  }
  assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 0);
});

test('a key whose run is still running in a live process is a 409: the upload is not sent twice at once', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  db.prepare("INSERT INTO ingest_runs (source, format, started_at, pid) VALUES ('api:key:k-3', 'netobserv', ?, ?)").run(Date.now(), process.ppid);
  const r = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-3').type(NDJSON).send(body(0, 3)).expect(409);
  assert.match(r.body.detail, /Idempotency-Key "k-3".*still running/);
  assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 0);
});

test('a key whose latest run committed nothing (killed before its first window, or its first commit refused) resumes where an earlier run of the key stopped', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  // A first run that committed 1,200 records and stopped (the body ended early).
  await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-4').type(NDJSON).send(body(0, 1_200)).expect(200);
  db.prepare("UPDATE ingest_runs SET status = 'failed', summary = NULL WHERE source = 'api:key:k-4'").run();
  // A second run that stopped before its first commit: no body position.
  db.prepare("INSERT INTO ingest_runs (source, format, started_at, pid, status) VALUES ('api:key:k-4', 'netobserv', 1, NULL, 'failed')").run();
  const r = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-4').type(NDJSON).send(BODY).expect(200);
  assert.equal(r.body.resumed.records, 1_200);
  assert.equal(r.body.records, 3_800);
  const clean = tmpDb();
  await request(testApp(clean.db, clean.path)).post('/api/v1/flows?format=netobserv').type(NDJSON).send(BODY).expect(200);
  assert.deepEqual(edges(db), edges(clean.db), 'no window counted twice');
  // And the run after it resumes from the position this one stored.
  db.prepare("UPDATE ingest_runs SET status = 'failed', summary = NULL WHERE source = 'api:key:k-4'").run();
  db.prepare("INSERT INTO ingest_runs (source, format, started_at, pid, status) VALUES ('api:key:k-4', 'netobserv', 1, NULL, 'failed')").run();
  const again = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-4').type(NDJSON).send(BODY).expect(200);
  assert.equal(again.body.resumed.records, 5_000);
  assert.equal(again.body.records, 0);
  assert.deepEqual(edges(db), edges(clean.db));
});

test('an upload without a key never runs under a key, nor under a source another upload had: its source is the server\'s, whatever X-Request-Id says', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'abc').type(NDJSON).send(body(0, 1_200)).expect(200);
  db.prepare("UPDATE ingest_runs SET status = 'failed', summary = NULL WHERE source = 'api:key:abc'").run();
  // A request id may hold ':' (and retries resend it): neither may reach the key's runs nor repeat a source.
  for (let i = 0; i < 2; i++) await request(app).post('/api/v1/flows?format=netobserv').set('X-Request-Id', 'key:abc').type(NDJSON).send(body(9_000, 9_001)).expect(200);
  const sources = (db.prepare("SELECT source FROM ingest_runs WHERE source NOT LIKE 'api:key:%'").all() as { source: string }[]).map((r) => r.source);
  assert.equal(sources.length, 2);
  assert.notEqual(sources[0], sources[1], 'a reused request id is not a reused source');
  for (const s of sources) assert.match(s, /^api:req:/);
  const r = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'abc').type(NDJSON).send(BODY).expect(200);
  assert.equal(r.body.resumed.records, 1_200, 'the key resumes its own run');
  assert.equal((db.prepare('SELECT sum(flows) AS n FROM edges').get() as { n: number }).n, 5_002);
});

test('a key whose run was committed done but whose summary was not stored (killed between the two) answers a replay built from the run, not a new run', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-5').type(NDJSON).send(body(0, 1_200)).expect(200);
  db.prepare("UPDATE ingest_runs SET status = 'failed', summary = NULL WHERE source = 'api:key:k-5'").run();
  const done = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-5').type(NDJSON).send(BODY).expect(200);
  db.prepare("UPDATE ingest_runs SET summary = NULL WHERE source = 'api:key:k-5'").run();
  const before = edges(db);
  const replay = await request(app).post('/api/v1/flows?format=netobserv').set('Idempotency-Key', 'k-5').type(NDJSON).send(BODY).expect(200);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.body.replayed, true);
  for (const k of ['records', 'accepted', 'rejected', 'skipped', 'ambiguous', 'edgesTotal'] as const) assert.equal(replay.body[k], done.body[k], k);
  assert.deepEqual(replay.body.resumed, done.body.resumed);
  assert.equal(replay.body.inputs[0].run, done.body.inputs[0].run);
  assert.deepEqual(edges(db), before, 'nothing ingested');
  assert.equal((db.prepare("SELECT count(*) AS n FROM ingest_runs WHERE source = 'api:key:k-5'").get() as { n: number }).n, 2, 'no run started');
});

test('a keyed upload whose commit is refused answers 503 at once, while the client is still sending', { timeout: 60_000 }, async () => {
  const { db, path } = tmpDb();
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON edges WHEN NEW.port = 5 BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  const server = testApp(db, path).listen(0);
  try {
    await new Promise<void>((r) => server.once('listening', () => r()));
    const { port } = server.address() as { port: number };
    const req = httpRequest(`http://127.0.0.1:${port}/api/v1/flows?format=netobserv`, { method: 'POST', headers: { 'Content-Type': NDJSON, 'Idempotency-Key': 'k-6' } });
    req.on('error', () => {});
    const answered = new Promise<number>((resolve) => req.once('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); }));
    // Less than a window: the flush clock commits it (after 5 s), and fails. The body is never ended.
    req.write(body(0, 10));
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([answered, new Promise<string>((r) => { timer = setTimeout(() => r('no answer while the body is open'), 20_000); })]);
    clearTimeout(timer);
    req.destroy();
    assert.equal(status, 503);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
