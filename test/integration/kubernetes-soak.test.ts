/**
 * Soak, bounded in time: a long stream of watch events over a fixed set of objects. What the
 * collector holds (the mirror, the import records, the IP history, its heap) follows the number
 * of objects, not the number of events.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { importInventoryObjects } from '../../app/inventory.ts';
import { KubernetesCollector } from '../../collectors/kubernetes/collector.ts';
import { fixtureObjects, startFakeCluster, waitFor } from '../helpers/kube-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PODS = 200;
const PHASE_EVENTS = Number(process.env.SOAK_EVENTS ?? 3000);
const TIME_BUDGET_MS = 20_000;

type Json = Record<string, unknown>;

function pod(i: number, tick: number): Json {
  const ip = `10.250.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `soak-${i}`, namespace: 'soak', labels: { app: 'soak' }, annotations: { tick: String(tick) }, creationTimestamp: '2025-03-02T12:00:00Z' },
    spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'example/soak:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: '2025-03-02T12:00:00Z' },
  };
}

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

test('a long event stream over a fixed set of pods: memory, import records and IP history stay bounded by objects', async () => {
  const started = Date.now();
  const objects = [...fixtureObjects(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'soak', labels: {} } }];
  for (let i = 0; i < PODS; i++) objects.push(pod(i, 0));
  const cluster = await startFakeCluster({ historyLimit: 500 }, objects);
  const { db } = tmpDb();
  const collector = new KubernetesCollector(
    { settings: cluster.settings, writer: (d, req) => importInventoryObjects(d, { ...req, coalesce: true }), env: {}, random: () => 0.5 },
    { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await collector.start();
  await waitFor('the first write', () => (collector.status().counters.writes ?? 0) >= 1);

  let tick = 0;
  const events = () => collector.status().counters.events ?? 0;
  async function phase(n: number): Promise<void> {
    let sent = 0;
    const start = events();
    while (sent < n) {
      if (Date.now() - started > TIME_BUDGET_MS) throw new Error('soak exceeded its time budget');
      // Bursts, then let the client catch up (the fake server does not apply backpressure).
      const burst = Math.min(250, n - sent);
      for (let k = 0; k < burst; k++) {
        tick++;
        cluster.server.put(pod(tick % PODS, tick));
      }
      sent += burst;
      await waitFor('the burst', () => events() >= start + sent, 10_000);
    }
    await collector.idle();
  }

  await phase(PHASE_EVENTS);
  const afterFirst = heapMb();
  const status1 = collector.status();
  await phase(2 * PHASE_EVENTS);
  const afterSecond = heapMb();
  const status2 = collector.status();

  assert.equal(status2.counters.events! - status1.counters.events!, 2 * PHASE_EVENTS);
  assert.equal(status2.gauges?.['pods:objects'], 9 + PODS, 'one entry per pod whatever the number of events');
  assert.equal(status2.gauges?.objects, status1.gauges?.objects);
  assert.equal(status2.gauges?.lag_seconds, 0);
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  assert.equal(count('SELECT count(*) AS n FROM inventory_imports'), 1, 'one coalesced import record');
  assert.equal(count("SELECT count(*) AS n FROM ip_history WHERE ip LIKE '10.250.%'"), PODS, 'pods that keep their IP keep one interval');
  assert.ok(status2.counters.writes! < status2.counters.events! / 5, `writes are batched (${status2.counters.writes} writes for ${status2.counters.events} events)`);
  // Twice the events again must not mean more memory: allow noise, not growth per event.
  const growth = afterSecond - afterFirst;
  assert.ok(growth < 3, `heap grew ${growth.toFixed(1)} MB over ${2 * PHASE_EVENTS} more events (first phase ended at ${afterFirst.toFixed(1)} MB)`);
  console.log(`soak: ${status2.counters.events} events, ${status2.counters.writes} writes, heap ${afterFirst.toFixed(1)} → ${afterSecond.toFixed(1)} MB, ${Date.now() - started} ms`);
});
