/**
 * The live Hubble Relay collector says which flows it rejected, as docs/ingest.md promises of every
 * input ("counted by reason with examples: field, value") and as the Kubernetes collector does (each
 * rejection logged, the last 20 kept): its status keeps the most recent rejections (reason, field,
 * value cut short, which flow: uuid, time, node), and each is logged at warn — within a budget, so a
 * stream of bad flows cannot flood the log. A real gRPC server streams the flows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { HubbleRelayCollector } from '../../collectors/hubble-relay/collector.ts';
import { resolveHubbleRelaySettings } from '../../collectors/hubble-relay/config.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { startRelay } from '../helpers/hubble-relay-server.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { until } from '../helpers/until.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/flows/hubble/', import.meta.url));
const GKE = readFileSync(DIR + 'hubble-otel-basic-sample-10-flows.json', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flow: Record<string, unknown> });
const BASE = GKE[2]!.flow;
const NOW = Date.parse('2021-06-16T16:53:00Z');
const at = (i: number): string => `2021-06-16T16:52:${String(30 + (i % 20)).padStart(2, '0')}.${String(i).padStart(9, '0')}Z`;

const flow = (uuid: string, i: number, change: Record<string, unknown>) => ({ flow: { ...BASE, uuid, time: at(i), ...change } });
const badIp = (uuid: string, i: number) => flow(uuid, i, { IP: { source: '300.1.1.1', destination: '10.0.2.1', ipVersion: 'IPv4' } });

interface Logged {
  level: number;
  msg: string;
  rejection?: { reason: string; field?: string; value?: string; record: string };
}

async function run(lines: unknown[], expectRecords: number) {
  const { db } = tmpDb();
  const logs: Logged[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => logs.push(JSON.parse(s) as Logged) });
  const relay = await startRelay({ lines: lines as Record<string, unknown>[] });
  after(() => relay.kill());
  const settings = resolveHubbleRelaySettings({ address: `127.0.0.1:${relay.port}`, since: '1h', backoff: { initial: '20ms', max: '100ms' }, flushInterval: '50ms' });
  const c = new HubbleRelayCollector(settings, { db, logger, now: () => NOW, ingest: DEFAULT_INGEST_LIMITS }, { random: () => 0.5, connectTimeoutMs: 500 });
  after(() => c.stop());
  await c.start();
  await until(`${expectRecords} records`, () => c.status().counters.records === expectRecords, { timeoutMs: 10_000, everyMs: 20 });
  await until('the rejections counted', () => c.status().counters.rejected === lines.length - GKE.length, { timeoutMs: 10_000, everyMs: 20 });
  return { c, logs: logs.filter((l) => l.rejection !== undefined) };
}

test('each rejected flow is in the status and logged at warn: reason, field, value cut short, and which flow', async () => {
  const bad = [
    badIp('flow-ip', 1),
    flow('flow-ns', 2, { source: { ...(BASE.source as object), labels: [], namespace: 'Bad_NS!' } }),
    flow('flow-pod', 3, { source: { ...(BASE.source as object), pod_name: 'x'.repeat(5000) } }),
  ];
  const { c, logs } = await run([...GKE, ...bad], GKE.length + bad.length);
  const rejections = c.status().rejections ?? [];
  assert.deepEqual(
    rejections.map((r) => [r.reason, r.field, r.value]),
    [
      ['invalid-field', 'flow.IP.source', '300.1.1.1'],
      ['invalid-field', 'flow.source.namespace', 'Bad_NS!'],
      ['invalid-field', 'flow.source.pod_name', `${'x'.repeat(77)}...`],
    ],
  );
  // Which flow: its uuid, time and node, and its place in the connection's run.
  assert.match(rejections[0]!.record, /^hubble-relay:127\.0\.0\.1:\d+ #\d+: flow flow-ip at 2021-06-16T16:52:31\.000000001Z on gke-ilya-otel-demo-1-/);
  assert.deepEqual(logs.map((l) => [l.level, l.msg, l.rejection?.field]), [
    [40, 'hubble flow rejected', 'flow.IP.source'],
    [40, 'hubble flow rejected', 'flow.source.namespace'],
    [40, 'hubble flow rejected', 'flow.source.pod_name'],
  ]);
  assert.ok(logs.every((l) => JSON.stringify(l).length < 2000), 'no 5000-character value in the log');
});

test('a flood of bad flows keeps the last 20 in the status and logs a bounded number of lines', async () => {
  const bad = Array.from({ length: 300 }, (_, i) => badIp(`flood-${String(i).padStart(3, '0')}`, i + 100));
  const { c, logs } = await run([...GKE, ...bad], GKE.length + bad.length);
  const s = c.status();
  assert.equal(s.counters.rejected, 300);
  assert.equal(s.rejections?.length, 20);
  assert.match(s.rejections?.at(-1)?.record ?? '', /flow flood-299 /, 'the newest is kept');
  assert.ok(logs.length <= 10, `${logs.length} log lines for 300 rejections`);
  assert.equal(s.counters.rejectionsNotLogged, 300 - logs.length);
});
