/**
 * The Hubble Relay collector against a real in-process gRPC server speaking the same Observer
 * .proto, streaming real Hubble sample flows (test/fixtures/reference/flows/hubble/). Each
 * scenario ends with the store holding exactly the edges one plain ingest of the same lines
 * gives: nothing lost, nothing counted twice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { storePipeline } from '../../collectors/store-pipeline.ts';
import type { CollectorDeps } from '../../collectors/collector.ts';
import { HubbleRelayCollector, type HubbleRelayCounters } from '../../collectors/hubble-relay/collector.ts';
import { resolveHubbleRelaySettings, type HubbleRelayConfigT } from '../../collectors/hubble-relay/config.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import { EdgeStore } from '../../store/edges.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { flowTime, makeTestPki, read, startCuttingProxy, startRelay, toWire, type Relay } from '../helpers/hubble-relay-server.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { blackHole } from '../helpers/black-hole.ts';
import { until as waitUntil } from '../helpers/until.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../../collectors/flows/ingest-defaults.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/flows/hubble/', import.meta.url));
const lines = (file: string) => readFileSync(DIR + file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** 10 flows from a GKE cluster and 32 from a kind cluster (31 flows, one health probe). */
const GKE = lines('hubble-otel-basic-sample-10-flows.json');
const KIND = lines('hubble-otel-basic-sample-400-tcp-flows.SUBSET.json');

const silent = pino({ level: 'silent' });
const deps = (db: Db, now = () => Date.now(), ingest: IngestLimits = DEFAULT_INGEST_LIMITS): CollectorDeps => ({ db, logger: silent, now, ingest });

function edges(db: Db): string[] {
  return new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol} flows=${e.flows} fwd=${e.forwarded} drop=${e.dropped}`);
}

/** What one plain ingest of the lines, in the relay's (time) order, stores. */
async function expectedEdges(input: Record<string, unknown>[], limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<string[]> {
  const { db } = tmpDb();
  const sorted = [...input].sort((a, b) => Number(flowTime(toWire(a)) - flowTime(toWire(b))));
  await storePipeline(db, { format: 'hubble', limits }).ingest(Readable.from([sorted.map((l) => JSON.stringify(l)).join('\n') + '\n']), 'file');
  return edges(db);
}

/** The collector's counters (status() exports them as a plain record). */
const k = (c: HubbleRelayCollector): HubbleRelayCounters => c.status().counters as unknown as HubbleRelayCounters;

const until = (what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => waitUntil(what, predicate, { timeoutMs, everyMs: 20 });

function collector(db: Db, config: Partial<HubbleRelayConfigT> & { address: string }, now?: () => number, ingest?: IngestLimits): HubbleRelayCollector {
  const settings = resolveHubbleRelaySettings({ backoff: { initial: '20ms', max: '100ms' }, flushInterval: '50ms', ...config });
  const c = new HubbleRelayCollector(settings, deps(db, now, ingest), { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  return c;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return port;
}

function closeAfter(relay: Relay): Relay {
  after(() => relay.kill());
  return relay;
}

test('follow: every flow of the stream lands in the store, as a plain ingest of the same lines would', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  await until('10 records', () => k(c).records === 10);
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(GKE));
  assert.equal(c.status().state, 'stopped');
  assert.deepEqual([k(c).connects, k(c).flows, k(c).accepted, k(c).duplicates], [1, 10, 10, 0]);
  assert.equal(relay.requests[0]?.follow, true);
  const runs = new IngestRunStore(db).list();
  assert.deepEqual(runs.map((r) => [r.source, r.status, r.records]), [[`hubble-relay:127.0.0.1:${relay.port}`, 'done', 10]]);
});

test('relay killed mid-stream and restarted: resumes from the last flow time, counts nothing twice', async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const first = await startRelay({ lines: KIND, port, stallAfter: 12 });
  const c = collector(db, { address: `127.0.0.1:${port}` });
  await c.start();
  await until('12 flows', () => k(c).flows === 12);
  first.kill();
  await until('the stream error', () => k(c).streamErrors === 1);
  const second = closeAfter(await startRelay({ lines: KIND, port }));
  await until('all 32 records', () => k(c).records === 32);
  await c.stop();
  // The resume asked from the 12th flow's time; the flow(s) at that time came again and were dropped.
  const since = second.requests[0]?.since as { seconds: string; nanos: number };
  assert.ok(since, 'the second request carries since');
  assert.ok(k(c).duplicates >= 1);
  assert.equal(k(c).flows - k(c).duplicates, 32);
  assert.deepEqual(edges(db), await expectedEdges(KIND));
  // Runs: the broken stream (failed, its 12 records committed), connection attempts while the
  // relay was down (failed, empty), the resumed stream (done).
  const runs = new IngestRunStore(db).list().reverse();
  assert.deepEqual([runs[0]?.status, runs[0]?.records], ['failed', 12]);
  assert.match(runs[0]?.error ?? '', /hubble-relay stream from 127\.0\.0\.1:\d+ broke/, 'the failed run says why (docs/ingest.md)');
  assert.equal(runs.at(-1)?.status, 'done');
  for (const r of runs.slice(1, -1)) {
    assert.deepEqual([r.status, r.records], ['failed', 0]);
    assert.match(r.error ?? '', /cannot connect to hubble-relay|broke/, 'each failed attempt says why');
  }
});

test('the service\'s edge caps (ingest.maxEdgesPerWorkload) hold for the collector as for `ingest` (docs/ingest.md, "Bounded by design")', async () => {
  const { db } = tmpDb();
  const limits: IngestLimits = { ...DEFAULT_INGEST_LIMITS, caps: { maxEdgesPerWorkload: 2, maxEdgesPerRun: 1_000 } };
  const relay = closeAfter(await startRelay({ lines: KIND }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` }, undefined, limits);
  await c.start();
  await until('all 32 records', () => k(c).records === 32);
  await c.stop();
  const capped = await expectedEdges(KIND, limits);
  assert.ok(capped.length < (await expectedEdges(KIND)).length, 'the caps bite on this sample');
  assert.deepEqual(edges(db), capped);
  assert.ok(k(c).skipped > 0, 'refused records are counted as skipped');
});

test('a relay that accepts the connection and fails every stream at once (UNAVAILABLE): the delay grows, and nothing counts as a success', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: KIND, failCalls: 1_000 }));
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${relay.port}`, backoff: { initial: '20ms', max: '2s' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, deps(db), { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  await c.start();
  // Delays of 10, 20, 40, 80, 160, 320 ms (half the doubling bound): 6 or 7 calls in 700 ms;
  // without the growth one every 10 ms.
  await new Promise((r) => setTimeout(r, 700));
  await c.stop();
  assert.ok(relay.requests.length >= 3 && relay.requests.length <= 9, `${relay.requests.length} calls in 700 ms`);
  assert.equal(c.status().lastSuccess, undefined, 'a stream that failed at once is no success');
});

test('a relay that resends the flows at `since` and then fails the stream every time: duplicates are no progress, the delay grows (docs/operations.md, Resume)', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  // Hubble's `since` is inclusive (GetFlowsRequest.since, cilium/cilium api/v1/observer/observer.proto):
  // every resume gets the flows at the cursor's time again, which the collector drops as duplicates.
  const relay = closeAfter(await startRelay({ lines: GKE, failAfterSend: true }));
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${relay.port}`, backoff: { initial: '20ms', max: '2s' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, deps(db), { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  await c.start();
  // The first call stores the 10 flows (progress: the delay starts over), then 10, 20, 40, …, 640 ms:
  // about 8 calls in 1.2 s; with the delay reset on duplicates, one every 10 ms plus the call.
  await new Promise((r) => setTimeout(r, 1_200));
  await c.stop();
  assert.ok(relay.requests.length >= 3 && relay.requests.length <= 10, `${relay.requests.length} calls in 1.2 s`);
  assert.equal(k(c).records, 10, 'each flow stored once');
  assert.ok(k(c).duplicates >= 2);
});

test('a session we end (stop) before the relay sent anything is no success: only a record received, or a stream the relay ended with OK, is one', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: KIND, stallAfter: 0 }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  await until('the call is open', () => relay.requests.length >= 1);
  await c.stop();
  assert.equal(c.status().lastSuccess, undefined);
});

test('a stream broken in the middle of a message: the partial message is dropped, the collector resumes', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: KIND }));
  // Cut the first connection a few kilobytes in: inside some flow message, after the HTTP/2 setup.
  const proxy = await startCuttingProxy(relay.port, 5_000);
  after(() => proxy.close());
  const c = collector(db, { address: `127.0.0.1:${proxy.port}` });
  await c.start();
  await until('all records after the cut', () => proxy.cuts === 1 && k(c).records === 32);
  await c.stop();
  assert.equal(k(c).streamErrors, 1);
  assert.deepEqual(edges(db), await expectedEdges(KIND));
});

test('TLS with a client certificate (mutual TLS), and a client without one refused', async (t) => {
  const pki = makeTestPki();
  after(() => pki.cleanup());
  const relay = closeAfter(await startRelay({ lines: GKE, tls: { ca: read(pki.ca), cert: read(pki.serverCert), key: read(pki.serverKey), requireClientCert: true } }));
  await t.test('with CA, cert and key: flows arrive', async () => {
    const { db } = tmpDb();
    const c = collector(db, { address: `localhost:${relay.port}`, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    await c.start();
    await until('10 records over TLS', () => k(c).records === 10);
    await c.stop();
    assert.deepEqual(edges(db), await expectedEdges(GKE));
  });
  await t.test('serverName checks the certificate against another name than the address', async () => {
    const { db } = tmpDb();
    const c = collector(db, { address: `127.0.0.1:${relay.port}`, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, serverName: 'relay.test' } });
    await c.start();
    await until('10 records', () => k(c).records === 10);
    await c.stop();
  });
  await t.test('without a client certificate, or in plaintext: connection failures, counted and retried', async () => {
    for (const tls of [{ ca: pki.ca }, undefined]) {
      const { db } = tmpDb();
      const c = collector(db, { address: `localhost:${relay.port}`, ...(tls ? { tls } : {}) });
      await c.start();
      await until('two failed attempts', () => k(c).connectFailures + k(c).streamErrors >= 2);
      const state = c.status().state;
      await c.stop();
      assert.equal(state, 'starting', 'retrying: not up, yet not failed');
      assert.equal(k(c).records, 0);
      assert.deepEqual(edges(db), []);
    }
  });
});

test('an unreachable relay is counted, retried with backoff, and picked up once it listens', async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const c = collector(db, { address: `127.0.0.1:${port}` });
  await c.start();
  await until('three failed attempts', () => k(c).connectFailures >= 3);
  assert.equal(c.status().state, 'starting', 'retrying: not up, yet not failed (which would make /readyz 503)');
  assert.match(c.status().lastError ?? '', /cannot connect to hubble-relay at 127\.0\.0\.1:/);
  closeAfter(await startRelay({ lines: GKE, port }));
  await until('the records once the relay is up', () => k(c).records === 10, 15_000);
  assert.equal(c.status().state, 'running');
  await c.stop();
  assert.deepEqual(edges(db), await expectedEdges(GKE));
  // The failed attempts are one ingest run marked failed (the streak: attempts), so /readyz and the report see them.
  const failed = new IngestRunStore(db).list().filter((r) => r.status === 'failed');
  assert.equal(failed.length, 1);
  assert.ok((failed[0]?.attempts ?? 0) >= 3);
});

test('stop() while a connection attempt waits (a relay that takes the TCP connection and never answers): returns at once, not after the connect timeout, and counts no failure', async () => {
  const hole = await blackHole();
  const { db } = tmpDb();
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${hole.port}` });
  const c = new HubbleRelayCollector(settings, deps(db), { random: () => 0.5, connectTimeoutMs: 10_000 });
  after(() => c.stop());
  await c.start();
  await until('the connection taken', () => hole.sockets.length > 0);
  const began = Date.now();
  await c.stop();
  assert.ok(Date.now() - began < 1_000, `stop() took ${Date.now() - began} ms`);
  assert.equal(k(c).connectFailures, 0, 'a stop is no failure');
  assert.equal(c.status().state, 'stopped');
});

test('backpressure: a queue of one pauses the stream at every message, and every flow still arrives', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: KIND }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, queueSize: 1, batchSize: 1 });
  await c.start();
  await until('32 records', () => k(c).records === 32);
  await c.stop();
  assert.ok(k(c).pauses >= 1, `pauses: ${k(c).pauses}`);
  assert.deepEqual(edges(db), await expectedEdges(KIND));
});

test('once: reads the last period of the buffer (since = now - onceSince, no follow) and returns', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE }));
  // The GKE sample spans 16:52:13.136-16:52:13.612 on 2021-06-16; a minute before "now" leaves its last 6 flows.
  const now = () => Date.parse('2021-06-16T16:53:13.200Z');
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, onceSince: '1m' }, now);
  const r = await c.once();
  assert.equal(r.error, undefined);
  assert.equal(relay.requests[0]?.follow, false);
  assert.deepEqual(relay.requests[0]?.since, { seconds: String(Date.parse('2021-06-16T16:52:13Z') / 1000), nanos: 200_000_000 });
  assert.deepEqual([r.summary.records, r.summary.status], [6, 'done']);
  const unreachable = collector(db, { address: `127.0.0.1:${await freePort()}` });
  const u = await unreachable.once();
  assert.match(u.error?.message ?? '', /cannot connect/);
  assert.equal(u.summary.status, 'failed');
});

test('once: a relay that sends some flows and then stalls without ending the stream: the pass gives up after idleTimeout.once, keeps what it got and fails naming the stall', { timeout: 15_000 }, async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE, stallAfter: 3 }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, idleTimeout: { once: '300ms' } }, () => Date.parse('2021-06-16T16:53:13.200Z'));
  const r = await c.once(Date.parse('2021-06-16T16:00:00Z'));
  assert.match(r.error?.message ?? '', /hubble-relay stream from 127\.0\.0\.1:\d+ stalled: no message for 300ms/);
  assert.deepEqual([r.summary.status, r.summary.records, r.summary.accepted], ['failed', 3, 3]);
  const run = new IngestRunStore(db).get(r.summary.run);
  assert.equal(run?.status, 'failed');
  assert.match(run?.error ?? '', /stalled/);
});

test('follow: a stream that stays quiet for idleTimeout.follow is ended and resumed (not a failure), so a stalled relay is noticed before `refresh`', { timeout: 15_000 }, async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE, stallAfter: 3 }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, since: '100000h', idleTimeout: { follow: '200ms' } });
  await c.start();
  await until('a second call resumed the stalled one', () => relay.requests.length >= 3);
  await c.stop();
  assert.equal(c.status().lastError, undefined);
  // Each call sends three flows from the cursor on, the first of them the one at `since` again: 3 + 2 by the second call's stall.
  assert.ok(k(c).records >= 5, `${k(c).records} records`);
  assert.ok(k(c).idleReconnects >= 2);
});

test('flowmatrix restarted: a new collector resumes from the cursor stored with the edges, counts nothing twice', async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const first = await startRelay({ lines: KIND, port, stallAfter: 12 });
  const a = collector(db, { address: `127.0.0.1:${port}` });
  await a.start();
  await until('12 flows', () => k(a).flows === 12);
  await a.stop();
  first.kill();
  const stored = new CollectorStateStore(db).get(`hubble:127.0.0.1:${port}`) as { since: string; atLast: string[] };
  assert.match(stored.since, /^\d+$/);
  assert.ok(stored.atLast.length >= 1);
  const relay = closeAfter(await startRelay({ lines: KIND, port }));
  // `since` in the config is ignored once a cursor is stored.
  const b = collector(db, { address: `127.0.0.1:${port}`, since: '1h' });
  await b.start();
  await until('the rest', () => k(b).records === 32 - 12);
  await b.stop();
  assert.equal(String(BigInt((relay.requests[0]?.since as { seconds: string }).seconds) * 1_000_000_000n + BigInt((relay.requests[0]?.since as { nanos: number }).nanos)), stored.since);
  assert.deepEqual(edges(db), await expectedEdges(KIND));
});

/** Two flows rejected for their time, as a relay sends them: seconds past year 9999 (protojson has no text for it), and 2100-01-01. */
function rejectedForTime(): { flow: Record<string, unknown> }[] {
  const flow = GKE[0]!.flow as Record<string, unknown>;
  return [
    { flow: { ...flow, uuid: 'out-of-range', time: { seconds: '99999999999999', nanos: 0 } } },
    { flow: { ...flow, uuid: 'future', time: { seconds: '4102444800', nanos: 0 } } },
  ];
}

test('a flow whose time no RFC 3339 text holds, or from the future, is rejected and counted; the collector goes on and its cursor stays at the last good flow', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: [...GKE, ...rejectedForTime()] }));
  const now = () => Date.parse('2021-06-16T16:53:00Z');
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, since: '1h' }, now);
  await c.start();
  await until('12 records', () => k(c).records === 12);
  await c.stop();
  assert.deepEqual([k(c).accepted, k(c).rejected], [10, 2]);
  assert.deepEqual(edges(db), await expectedEdges(GKE));
  const stored = new CollectorStateStore(db).get(`hubble:127.0.0.1:${relay.port}`) as { since: string };
  const last = GKE.map((l) => Date.parse((l.flow as { time: string }).time)).reduce((a, b) => Math.max(a, b));
  assert.equal(BigInt(stored.since) / 1_000_000n, BigInt(last), 'the cursor is the last good flow\'s time, not 2100');
});

test('a flow rejected for its time (from the future, or past year 9999) is judged once: the relay sends it again at every resume (its time is after `since`), and it is counted as a duplicate, not rejected again', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: [...GKE, ...rejectedForTime()] }));
  const now = () => Date.parse('2021-06-16T16:53:00Z');
  // A short `refresh`: each session ends and the next resumes from the cursor, as every hour by default.
  const c = collector(db, { address: `127.0.0.1:${relay.port}`, since: '1h', refresh: '200ms' }, now);
  await c.start();
  await until('three resumes', () => relay.requests.length >= 4);
  await c.stop();
  assert.deepEqual([k(c).records, k(c).accepted, k(c).rejected], [12, 10, 2], 'each flow handed on and judged once');
  assert.ok(k(c).duplicates >= 2 * 3, 'the two sent again at each of three resumes');
  assert.deepEqual(edges(db), await expectedEdges(GKE));
});

test('node status and lost events from the relay are counted and recorded as skipped records', async () => {
  const { db } = tmpDb();
  const extra = [{ node_status: { state_change: 'NODE_CONNECTED', node_names: ['kind-control-plane'] } }, { lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: 7 }, node_name: 'kind-worker' }];
  const relay = closeAfter(await startRelay({ lines: [...extra, ...GKE] }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  await until('12 records', () => k(c).records === 12);
  await c.stop();
  assert.deepEqual([k(c).nodeStatus, k(c).lostEvents, k(c).flows, k(c).skipped, k(c).accepted], [1, 7, 10, 2, 10]);
  assert.deepEqual(edges(db), await expectedEdges(GKE));
});

/**
 * What the receiver did with a packet lives in three Flow fields a relay sends on the wire like any
 * other: drop_reason (3), trace_observation_point (24) and drop_reason_desc (25) (cilium/cilium
 * api/v1/flow/flow.proto); an L7 record's `l7` (15) the decoder does not read: Type, direction and
 * is_reply say whose proxy logged it. A finder's relay flows lost the three: a FROM_OVERLAY trace ("received from
 * the tunnel device", before the receiver's ingress policy) of a datagram the receiver then denied
 * became forwarded 1 (from a file: forwarded 0, dropped 1), and a policy drop on an undeclared UDP
 * port became ambiguous instead of an edge dropped 1 (docs/ingest.md, Orient).
 */
test('drops and observation points survive the relay: the receiver\'s policy drops give the same edges as from a file (forwarded 0, dropped 1)', async () => {
  const pod = (app: string) => ({ identity: app === 'web' ? 30001 : 30002, namespace: 'shop', pod_name: `${app}-0`, labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'], workloads: [{ name: app, kind: 'Deployment' }] });
  const record = (second: number, l4: Record<string, unknown>, fields: Record<string, unknown>) => {
    const time = `2026-12-05T10:00:0${second}Z`;
    const flow = { time, IP: { source: '10.244.1.10', destination: '10.244.2.20', ipVersion: 'IPv4' }, l4, source: pod('web'), destination: pod('api'), Type: 'L3_L4', node_name: 'node-2', ...fields };
    return { flow, node_name: 'node-2', time };
  };
  // Traced as it arrives on the receiver's node: no traffic_direction (parser.go decodeTrafficDirection).
  const fromOverlay = { verdict: 'FORWARDED', trace_observation_point: 'FROM_OVERLAY' };
  const deniedAtReceiver = { verdict: 'DROPPED', drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', traffic_direction: 'INGRESS' };
  const syn = { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } };
  const syslog = { UDP: { source_port: 40001, destination_port: 514 } };
  const undeclared = { UDP: { source_port: 40002, destination_port: 9999 } };
  const oldHubble = { UDP: { source_port: 40003, destination_port: 9998 } };
  const http = { TCP: { source_port: 40004, destination_port: 8081 } };
  // The sender's egress proxy logs the request it allowed before connecting (cilium/proxy cilium/l7policy.cc).
  const proxyRequest = { verdict: 'FORWARDED', Type: 'L7', traffic_direction: 'EGRESS', is_reply: false, l7: { type: 'REQUEST', http: { method: 'GET', url: 'http://api/' } } };
  const input = [
    record(1, syn, fromOverlay),
    record(2, syn, deniedAtReceiver),
    record(3, syslog, fromOverlay),
    record(4, syslog, deniedAtReceiver),
    record(5, undeclared, deniedAtReceiver),
    // Only the deprecated number, as a Hubble before drop_reason_desc writes it (flow.proto drop_reason).
    record(6, oldHubble, { verdict: 'DROPPED', drop_reason: 181, traffic_direction: 'INGRESS' }),
    record(7, http, proxyRequest),
    record(8, { TCP: { ...http.TCP, flags: { SYN: true } } }, deniedAtReceiver),
  ];
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: input }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  await until('8 records', () => k(c).records === 8);
  await c.stop();
  const fromFile = await expectedEdges(input);
  assert.deepEqual(fromFile, [
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:514/UDP flows=2 fwd=0 drop=1',
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:8080/TCP flows=2 fwd=0 drop=1',
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:8081/TCP flows=2 fwd=0 drop=1',
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:9998/UDP flows=1 fwd=0 drop=1',
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:9999/UDP flows=1 fwd=0 drop=1',
  ]);
  assert.deepEqual(edges(db), fromFile);
  assert.equal(k(c).ambiguous, 0);
});

test('lost events above 2^53 - 1 (a uint64 the loader hands over as a string) are kept at 2^53 - 1, never an imprecise double, and their sum saturates too (docs/ingest.md: counts)', async () => {
  const { db } = tmpDb();
  const lost = (n: string) => ({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: n }, node_name: 'kind-worker' });
  const relay = closeAfter(await startRelay({ lines: [lost('18446744073709551615'), lost('5'), ...GKE] }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  await until('12 records', () => k(c).records === 12);
  await c.stop();
  assert.equal(k(c).lostEvents, Number.MAX_SAFE_INTEGER);
});

test('a session that throws (here: the store closed under it) is retried with backoff like a lost stream: the collector says so and never takes the process down', async () => {
  // docs/operations.md: a failing source never stops the others or the API. An unhandled rejection would fail this test.
  const { db } = tmpDb();
  const c = collector(db, { address: `127.0.0.1:${await freePort()}` });
  await c.start();
  db.close();
  await until('the failure is reported', () => /database connection is not open/.test(c.status().lastError ?? ''));
  assert.equal(c.status().state, 'starting');
  await new Promise((r) => setTimeout(r, 150)); // a few backoff rounds: still alive, still retrying
  assert.match(c.status().lastError ?? '', /database connection is not open/);
});

test('lag_seconds is now minus the newest flow received, read when asked: a stream that goes quiet shows a growing lag', async () => {
  const { db } = tmpDb();
  const newest = Math.max(...GKE.map((l) => Number(flowTime(toWire(l)) / 1_000_000n)));
  const clock = { t: newest + 1_000 };
  const relay = closeAfter(await startRelay({ lines: GKE }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` }, () => clock.t);
  await c.start();
  await until('10 records', () => k(c).records === 10);
  assert.equal(c.status().gauges?.lag_seconds, 1);
  // The relay keeps the stream open and sends nothing more.
  clock.t += 60_000;
  assert.equal(c.status().gauges?.lag_seconds, 61);
  await c.stop();
});

test('the run counters (accepted, rejected, skipped, ambiguous) count each committed batch while the session streams, not only when it ends an hour later', async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE }));
  const c = collector(db, { address: `127.0.0.1:${relay.port}` });
  await c.start();
  // The stream stays open (follow): the session's run is not over, its batches are committed every flushInterval.
  await until('the batch committed and counted', () => k(c).accepted === 10);
  assert.equal(new IngestRunStore(db).list()[0]?.status, 'running');
  await c.stop();
  assert.equal(k(c).accepted, 10, 'counted once when the run ends');
});

test('an outage is one failed run per failure streak, updated in place (its start, last error, attempts), and a new run once the relay answers again', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${port}`, backoff: { initial: '1ms', max: '1ms' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, deps(db), { random: () => 0.5, connectTimeoutMs: 20 });
  after(() => c.stop());
  const signal = new AbortController().signal;
  for (let i = 0; i < 50; i++) await c.session(true, signal);
  const runs = new IngestRunStore(db);
  const outage = runs.list();
  assert.equal(outage.length, 1, 'fifty refusals are one failure streak, one run');
  assert.deepEqual([outage[0]?.status, outage[0]?.attempts], ['failed', 50]);
  assert.match(outage[0]?.error ?? '', /cannot connect to hubble-relay at 127\.0\.0\.1:/);
  assert.ok((outage[0]?.finishedAt ?? 0) >= (outage[0]?.startedAt ?? Infinity), 'finishedAt is the last attempt');
  closeAfter(await startRelay({ lines: GKE, port }));
  await c.start();
  await until('the records once the relay is up', () => k(c).records === 10, 15_000);
  await c.stop();
  const after2 = runs.list();
  assert.equal(after2.length, 2, JSON.stringify(after2.map((r) => [r.status, r.attempts])));
  assert.deepEqual([after2[1]?.id, after2[1]?.status], [outage[0]?.id, 'failed']);
  assert.ok((after2[1]?.attempts ?? 0) >= 50);
  assert.equal(after2[0]?.records, 10, 'the session that got through is a run of its own');
});

test('a relay that accepts the connection and fails every stream at once (UNAVAILABLE): the streak of streams that delivered nothing is one failed run, and a stream that gets through a new run', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE, failCalls: 20 }));
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${relay.port}`, backoff: { initial: '1ms', max: '1ms' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, deps(db), { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  const signal = new AbortController().signal;
  for (let i = 0; i < 20; i++) assert.ok((await c.session(true, signal)).error, `stream ${i + 1} failed`);
  const runs = new IngestRunStore(db);
  const outage = runs.list();
  assert.deepEqual(outage.map((r) => [r.status, r.records, r.attempts]), [['failed', 0, 20]], 'twenty failed streams are one failure streak, one run');
  assert.match(outage[0]?.error ?? '', /hubble-relay stream from 127\.0\.0\.1:\d+ broke: no peers/);
  await c.start();
  await until('the records once a stream gets through', () => k(c).records === 10, 15_000);
  await c.stop();
  const after2 = runs.list();
  assert.deepEqual(after2.map((r) => [r.id === outage[0]?.id, r.status, r.records, r.attempts]), [[false, 'done', 10, undefined], [true, 'failed', 0, 20]]);
});

/** A collector on the relay at `port` whose log lines are kept in `logs` (message and level). */
function loggedCollector(db: Db, port: number, logs: { level: number; msg: string }[]): HubbleRelayCollector {
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(JSON.parse(String(chunk)) as { level: number; msg: string }), done()) }));
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${port}`, backoff: { initial: '1ms', max: '1ms' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, { ...deps(db), logger }, { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  return c;
}

const said = (logs: { msg: string }[], msg: string): number => logs.filter((l) => l.msg === msg).length;
const FAILED = 'hubble-relay stream failed; retrying with backoff';
const AGAIN = 'hubble-relay reachable again';

test('a relay that connects and fails every stream: "stream failed" is logged once for the episode, not "reachable again" at every retry; the failures are still counted (docs/operations.md)', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE, failCalls: 1_000 }));
  const logs: { level: number; msg: string }[] = [];
  const c = loggedCollector(db, relay.port, logs);
  await c.start();
  await until('twelve failed streams', () => k(c).streamErrors >= 12, 15_000);
  await c.stop();
  assert.deepEqual([said(logs, FAILED), said(logs, AGAIN)], [1, 0], JSON.stringify(logs.map((l) => l.msg)));
  assert.ok(k(c).connects >= 12, 'each retry connected, and is counted');
});

test('streams that failed after connecting: the episode ends ("reachable again", once) with a stream that delivers', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const relay = closeAfter(await startRelay({ lines: GKE, failCalls: 5 }));
  const logs: { level: number; msg: string }[] = [];
  const c = loggedCollector(db, relay.port, logs);
  await c.start();
  await until('the records once a stream gets through', () => k(c).records === 10, 15_000);
  await c.stop();
  assert.equal(k(c).streamErrors, 5);
  assert.deepEqual(logs.map((l) => l.msg).filter((m) => m === FAILED || m === AGAIN), [FAILED, AGAIN]);
});

/** The log lines of a failure episode or its end, with the kind of error each names. */
const episodeLines = (logs: { msg: string; err?: string }[]): string[] =>
  logs.filter((l) => l.msg === FAILED || l.msg === AGAIN || l.msg === SESSION_FAILED).map((l) => (l.err === undefined ? l.msg : `${l.msg}: ${/^cannot connect/.test(l.err) ? 'refused' : /broke/.test(l.err) ? 'stream broke' : l.err}`));
const SESSION_FAILED = 'hubble-relay session failed';

test('an unreachable relay that comes back and fails every stream: one episode, each kind of failure logged once (refused, then streams failing), no "reachable again" for a connection alone', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const logs: { level: number; msg: string }[] = [];
  const c = loggedCollector(db, port, logs);
  await c.start();
  await until('three failed attempts', () => k(c).connectFailures >= 3);
  closeAfter(await startRelay({ lines: GKE, port, failCalls: 1_000 }));
  await until('ten failed streams', () => k(c).streamErrors >= 10, 15_000);
  await c.stop();
  assert.deepEqual(logs.map((l) => l.msg).filter((m) => m === FAILED || m === AGAIN), [FAILED, FAILED], JSON.stringify(logs.map((l) => l.msg)));
});

test('a relay alternating between refusing connections and failing streams after connecting: each kind of failure is logged once for the episode, not at each alternation; every attempt is counted', { timeout: 30_000 }, async () => {
  const { db } = tmpDb();
  const port = await freePort();
  const logs: { level: number; msg: string; err?: string }[] = [];
  const c = loggedCollector(db, port, logs);
  await c.start();
  for (let round = 1; round <= 3; round++) {
    await until(`refused connections (round ${round})`, () => k(c).connectFailures >= 2 * round, 15_000);
    const relay = await startRelay({ lines: GKE, port, failCalls: 1_000 });
    await until(`failed streams (round ${round})`, () => k(c).streamErrors >= 2 * round, 15_000);
    relay.kill();
  }
  await until('refused again', () => k(c).connectFailures >= 8, 15_000);
  await c.stop();
  assert.deepEqual(
    episodeLines(logs),
    [`${FAILED}: refused`, `${FAILED}: stream broke`],
    JSON.stringify(logs.map((l) => l.msg)),
  );
});

test('a session that throws at every retry (the store closed under it) is logged once, and counted each time (sessionErrors)', { timeout: 20_000 }, async () => {
  const { db } = tmpDb();
  const logs: { level: number; msg: string; err?: string }[] = [];
  const c = loggedCollector(db, await freePort(), logs);
  await c.start();
  db.close();
  await until('ten sessions that threw', () => k(c).sessionErrors >= 10, 15_000);
  await c.stop();
  assert.deepEqual(episodeLines(logs), [`${SESSION_FAILED}: The database connection is not open`], JSON.stringify(logs.map((l) => l.msg)));
});
