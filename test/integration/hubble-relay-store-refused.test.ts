/**
 * The Hubble Relay collector while the store refuses its commits for a while (another writer holds
 * the lock past busy_timeout, a full disk): the flows of the refused batch, and those the relay
 * sent after it, must reach the store once it takes writes again — the relay is asked for them
 * again from the last flow stored — and the refused stream must not stay open.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { storePipeline } from '../../collectors/store-pipeline.ts';
import { HubbleRelayCollector, type HubbleRelayCounters } from '../../collectors/hubble-relay/collector.ts';
import { resolveHubbleRelaySettings } from '../../collectors/hubble-relay/config.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import { EdgeStore } from '../../store/edges.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { flowTime, startRelay, toWire } from '../helpers/hubble-relay-server.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { until as waitUntil } from '../helpers/until.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/flows/hubble/', import.meta.url));
const lines = (file: string) => readFileSync(DIR + file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** 10 flows from a GKE cluster and 32 from a kind cluster (31 flows, one health probe). */
const GKE = lines('hubble-otel-basic-sample-10-flows.json');
const KIND = lines('hubble-otel-basic-sample-400-tcp-flows.SUBSET.json');

const until = (what: string, predicate: () => boolean): Promise<void> => waitUntil(what, predicate, { timeoutMs: 10_000, everyMs: 20 });
const k = (c: HubbleRelayCollector): HubbleRelayCounters => c.status().counters as unknown as HubbleRelayCounters;

function edges(db: Db): string[] {
  return new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol} flows=${e.flows} fwd=${e.forwarded} drop=${e.dropped}`);
}

async function expectedEdges(input: Record<string, unknown>[]): Promise<string[]> {
  const { db } = tmpDb();
  const sorted = [...input].sort((a, b) => Number(flowTime(toWire(a)) - flowTime(toWire(b))));
  await storePipeline(db, { format: 'hubble', limits: DEFAULT_INGEST_LIMITS }).ingest(Readable.from([sorted.map((l) => JSON.stringify(l)).join('\n') + '\n']), 'file');
  return edges(db);
}

/** The store refuses every edge write on this connection (SQLite's own RAISE, as a full disk or a held lock would fail the commit). */
const refuse = (db: Db): void => void db.exec(`CREATE TEMP TRIGGER refuse_edges BEFORE INSERT ON edges BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
const accept = (db: Db): void => void db.exec('DROP TRIGGER temp.refuse_edges');

function collector(db: Db, port: number, logger = pino({ level: 'silent' })): HubbleRelayCollector {
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${port}`, backoff: { initial: '20ms', max: '100ms' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, { db, logger, now: () => Date.now(), ingest: DEFAULT_INGEST_LIMITS }, { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  return c;
}

/** The run rows, oldest first: status and records. */
const runs = (db: Db): [string, number][] => new IngestRunStore(db).list().reverse().map((r) => [r.status, r.records]);

test('the store refusing the first batch: the refused stream is closed, the collector says why (starting) and retries; once the store takes writes every flow lands, counted once', async () => {
  const { db } = tmpDb();
  const relay = await startRelay({ lines: GKE });
  after(() => relay.kill());
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, cb) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) }));
  const c = collector(db, relay.port, logger);
  refuse(db);
  await c.start();
  await until('the refused batch is reported', () => /the store refused the flows from hubble-relay .*could not be committed/.test(c.status().lastError ?? ''));
  assert.equal(c.status().state, 'starting', 'retrying, not failed (/readyz stays 200)');
  await until('the refused streams closed', () => relay.open <= 1);
  accept(db);
  await until('every flow stored', () => runs(db).some(([status, records]) => status === 'running' && records === 10));
  assert.equal(c.status().state, 'running');
  assert.equal(c.status().lastError, undefined);
  assert.equal(relay.open, 1, 'only the stream read now is open');
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(GKE));
  assert.ok(k(c).storeErrors >= 1);
  assert.equal(k(c).accepted, 10);
  const said = logs.map((l) => l.msg);
  assert.equal(said.filter((m) => /the store refused the flows from hubble-relay/.test(String(m))).length, 1, 'the episode is logged once');
  assert.equal(said.filter((m) => m === 'the store takes the flows from hubble-relay again').length, 1);
});

test('the store refusing a batch after others were stored: the relay is asked again from the last flow stored, not from the last one received, and nothing is lost or counted twice (docs/operations.md, Resume)', async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const first = await startRelay({ lines: KIND, port, stallAfter: 12 });
  after(() => first.kill());
  const c = collector(db, port);
  await c.start();
  await until('12 records committed', () => k(c).accepted === 12 && new CollectorStateStore(db).get(`hubble:127.0.0.1:${port}`) !== undefined);
  const stored = new CollectorStateStore(db).get(`hubble:127.0.0.1:${port}`) as { since: string };
  first.kill();
  await until('the stream error', () => k(c).streamErrors === 1);
  refuse(db);
  const second = await startRelay({ lines: KIND, port });
  after(() => second.kill());
  await until('a refused batch of the resumed stream', () => new IngestRunStore(db).list().some((r) => /could not be committed/.test(r.error ?? '')));
  accept(db);
  await until('all 32 records stored', () => runs(db).reduce((n, [, records]) => n + records, 0) === 32);
  await c.stop();
  // Every resume asks from the 12th flow, the newest stored: the flows received since were refused.
  for (const r of second.requests) assert.equal(String(flowTime({ time: r.since })), stored.since);
  assert.deepEqual(edges(db), await expectedEdges(KIND));
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return port;
}
