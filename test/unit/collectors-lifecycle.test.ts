/** The collector lifecycle `serve` runs: start what is enabled, isolate failures, stop once, export state. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { startCollectors } from '../../app/collectors.ts';
import type { Collector, CollectorDefinition, CollectorStatus } from '../../collectors/collector.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import { openDb } from '../../store/db.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

/** A collector that counts its lifecycle calls (a real implementation of the interface, no I/O). */
class CountingCollector implements Collector {
  starts = 0;
  stops = 0;
  private state: CollectorStatus['state'] = 'starting';
  constructor(readonly name: string) {}
  async start(): Promise<void> {
    this.starts++;
    this.state = 'running';
  }
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.stops++;
    this.state = 'stopped';
  }
  status(): CollectorStatus {
    return { name: this.name, state: this.state, lastSuccess: 1_700_000_000_000, counters: { events: 7 }, gauges: { lag_seconds: 2 } };
  }
}

const deps = () => ({ db: openDb(':memory:'), logger: pino({ level: 'silent' }), now: () => 0, ingest: DEFAULT_INGEST_LIMITS });

test('enabled collectors start, disabled ones do not, a failing one is reported failed without stopping the others', async () => {
  const made: CountingCollector[] = [];
  const enabled: CollectorDefinition<{ on: boolean }> = {
    name: 'a',
    create: (config) => {
      if (!config?.on) return undefined;
      const c = new CountingCollector('a');
      made.push(c);
      return c;
    },
  };
  const disabled: CollectorDefinition = { name: 'b', create: () => undefined };
  const broken: CollectorDefinition = {
    name: 'c',
    create: () => ({ name: 'c', start: () => Promise.reject(new Error('401 Unauthorized')), stop: async () => undefined, status: () => ({ name: 'c', state: 'failed', counters: {} }) }),
  };
  const running = await startCollectors({ a: { on: true } }, deps(), {}, [enabled, disabled, broken] as CollectorDefinition<never>[]);
  assert.deepEqual(
    running.statuses().map((s) => [s.name, s.state, s.lastError]),
    [
      ['a', 'running', undefined],
      ['c', 'failed', '401 Unauthorized'],
    ],
  );
  await running.stop();
  await running.stop();
  assert.equal(made[0]!.starts, 1);
  assert.equal(made[0]!.stops, 1, 'stop is idempotent');
});

test('/metrics exports each collector counter, gauge, up and last success from its status', async () => {
  const metrics = new ServiceMetrics(() => 0, { defaultMetrics: false });
  const c = new CountingCollector('kubernetes');
  await c.start();
  metrics.watchCollectors(() => [c.status()]);
  const text = await metrics.registry.metrics();
  assert.match(text, /^flowmatrix_collector_events_total\{collector="kubernetes",counter="events"\} 7$/m);
  assert.match(text, /^flowmatrix_collector_state\{collector="kubernetes",gauge="lag_seconds"\} 2$/m);
  assert.match(text, /^flowmatrix_collector_up\{collector="kubernetes"\} 1$/m);
  assert.match(text, /^flowmatrix_collector_last_success_timestamp_seconds\{collector="kubernetes"\} 1700000000$/m);
});
