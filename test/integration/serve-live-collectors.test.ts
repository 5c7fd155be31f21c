/**
 * `serve` with collectors.hubble and collectors.files: both run, their flows land in the store,
 * /readyz and /metrics show their state and counters; a relay that is away keeps /readyz 200.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadServiceConfig } from '../../server/config/load.ts';
import { startService } from '../../server/serve.ts';
import { openDb } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { startRelay } from '../helpers/hubble-relay-server.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { until as waitUntil } from '../helpers/until.ts';

const FLOWS = fileURLToPath(new URL('../fixtures/reference/flows/', import.meta.url));
const GKE = readFileSync(join(FLOWS, 'hubble/hubble-otel-basic-sample-10-flows.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const NETOBSERV = readFileSync(join(FLOWS, 'netobserv/netobserv-flow-samples.ndjson'), 'utf8');

const until = (what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => waitUntil(what, predicate, { timeoutMs, everyMs: 25 });

async function serve(dir: string, collectorsYaml: string) {
  writeFileSync(join(dir, 'config.yaml'), `server:\n  port: 0\ncollectors:\n${collectorsYaml}`);
  const config = loadServiceConfig({ file: join(dir, 'config.yaml'), dbPath: join(dir, 'f.db'), env: {} });
  const service = await startService(config, { logger: pino({ level: 'silent' }) });
  after(() => service.close());
  return service;
}

test('serve follows a relay and a file; /readyz and /metrics show both', async () => {
  const dir = tmpDir();
  const relay = await startRelay({ lines: GKE });
  after(() => relay.kill());
  const file = join(dir, 'netobserv.ndjson');
  writeFileSync(file, NETOBSERV);
  const service = await serve(dir, `  hubble:\n    address: 127.0.0.1:${relay.port}\n    flushInterval: 50ms\n  files:\n    files:\n      - { path: ${file}, format: netobserv }\n    pollInterval: 20ms\n    flushInterval: 50ms\n`);
  const metrics = async () => (await fetch(`${service.url}/metrics`)).text();
  await until('both collectors counted their records', async () => {
    const m = await metrics();
    return /flowmatrix_collector_events_total\{collector="hubble",counter="records"\} 10\b/.test(m) && /flowmatrix_collector_events_total\{collector="files",counter="lines"\} 17\b/.test(m);
  });
  const m = await metrics();
  assert.match(m, /flowmatrix_collector_up\{collector="hubble"\} 1/);
  assert.match(m, /flowmatrix_collector_up\{collector="files"\} 1/);
  assert.match(m, /flowmatrix_collector_state\{collector="hubble",gauge="queue_capacity"\} 10000/);
  const ready = await fetch(`${service.url}/readyz`);
  assert.equal(ready.status, 200);
  const body = (await ready.json()) as { checks: { collectors: { name: string; state: string; lastSuccess?: string }[] } };
  assert.deepEqual(body.checks.collectors.map((c) => [c.name, c.state]).sort(), [['files', 'running'], ['hubble', 'running']]);
  assert.ok(body.checks.collectors.every((c) => c.lastSuccess !== undefined));
  await until('the edges are committed', () => new EdgeStore(service.ctx.db).count() > 0);
});

test('serve with a relay that is away: the hubble collector retries (up 0, lastError), /readyz stays 200', async () => {
  const dir = tmpDir();
  const s = net.createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  await new Promise((r) => s.close(r));
  const service = await serve(dir, `  hubble:\n    address: 127.0.0.1:${port}\n    backoff: { initial: 20ms, max: 50ms }\n`);
  await until('a failed attempt', async () => /collector="hubble",counter="connectFailures"\} [1-9]/.test(await (await fetch(`${service.url}/metrics`)).text()), 15_000);
  const ready = await fetch(`${service.url}/readyz`);
  assert.equal(ready.status, 200);
  const hubble = ((await ready.json()) as { checks: { collectors: { name: string; state: string; lastError?: string }[] } }).checks.collectors.find((c) => c.name === 'hubble');
  assert.equal(hubble?.state, 'starting');
  assert.match(hubble?.lastError ?? '', /cannot connect to hubble-relay/);
  assert.match(await (await fetch(`${service.url}/metrics`)).text(), /flowmatrix_collector_up\{collector="hubble"\} 0/);
});

test('serve that cannot listen (the port is taken) fails before any collector runs: no second writer reads the same sources, not even once', async () => {
  const dir = tmpDir();
  const taken = net.createServer();
  const port = await new Promise<number>((r) => taken.listen(0, '127.0.0.1', () => r((taken.address() as net.AddressInfo).port)));
  after(() => taken.close());
  // The flows are there before it starts: a collector started before the failed listen would read them.
  const file = join(dir, 'netobserv.ndjson');
  writeFileSync(file, NETOBSERV);
  writeFileSync(join(dir, 'config.yaml'), `server:\n  port: ${port}\n  host: 127.0.0.1\ncollectors:\n  files:\n    files:\n      - { path: ${file}, format: netobserv }\n    pollInterval: 20ms\n    flushInterval: 50ms\n`);
  const config = loadServiceConfig({ file: join(dir, 'config.yaml'), dbPath: join(dir, 'f.db'), env: {} });
  await assert.rejects(startService(config, { logger: pino({ level: 'silent' }) }), /EADDRINUSE/);
  // Nor afterwards: a collector still running would store them.
  await new Promise((r) => setTimeout(r, 500));
  const db = openDb(join(dir, 'f.db'));
  after(() => db.close());
  assert.equal(new EdgeStore(db).count(), 0);
});
