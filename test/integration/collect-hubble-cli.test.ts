/** `flowmatrix collect hubble --once`: one pass against an in-process relay; refusals exit non-zero with a clear message. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startRelay } from '../helpers/hubble-relay-server.ts';
import { tmpDir } from '../helpers/tmp.ts';

const SAMPLE = fileURLToPath(new URL('../fixtures/reference/flows/hubble/hubble-otel-basic-sample-10-flows.json', import.meta.url));
const GKE = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('collect hubble --once --address … --since TIME: reads the buffer from that time and prints a summary', async () => {
  const relay = await startRelay({ lines: GKE });
  after(() => relay.kill());
  const db = join(tmpDir(), 'f.db');
  const r = await runCli(['collect', 'hubble', '--once', '--db', db, '--address', `127.0.0.1:${relay.port}`, '--since', '2021-06-16T16:52:13.200Z']);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual([s.status, s.flows, s.records, s.accepted, s.rejected], ['done', 6, 6, 6, 0]);
  assert.ok((s.edgesTotal as number) > 0);
  assert.equal(relay.requests[0]?.follow, false);
  // The same pass again from the start of the sample: all 10.
  const again = JSON.parse((await runCli(['collect', 'hubble', '--once', '--db', db, '--address', `127.0.0.1:${relay.port}`, '--since', '2021-06-16T16:00:00Z'])).out) as Record<string, unknown>;
  assert.equal(again.records, 10);
});

test('collect hubble --once with the address from --config', async () => {
  const relay = await startRelay({ lines: GKE });
  after(() => relay.kill());
  const dir = tmpDir();
  writeFileSync(join(dir, 'config.yaml'), `collectors:\n  hubble:\n    address: 127.0.0.1:${relay.port}\n    onceSince: 1h\n`);
  const r = await runCli(['collect', 'hubble', '--once', '--db', join(dir, 'f.db'), '--config', join(dir, 'config.yaml'), '--since', '2021-06-16T16:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { records: number }).records, 10);
});

test('collect hubble --once against a relay that stalls after 3 flows: gives up after --idle-timeout, stores the 3, the run failed naming the stall, exit 1', { timeout: 20_000 }, async () => {
  const relay = await startRelay({ lines: GKE, stallAfter: 3 });
  after(() => relay.kill());
  const db = join(tmpDir(), 'f.db');
  const r = await runCli(['collect', 'hubble', '--once', '--db', db, '--address', `127.0.0.1:${relay.port}`, '--since', '2021-06-16T16:00:00Z', '--idle-timeout', '500ms']);
  assert.equal(r.code, 1);
  assert.match(r.err, /stalled: no message for 500ms/);
  const s = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual([s.status, s.records, s.accepted], ['failed', 3, 3]);
});

test('collect hubble --once: unreachable relay, missing address, bad --since, bad config value: exit 1 with the reason', async () => {
  const s = net.createServer();
  const port = await new Promise<number>((res) => s.listen(0, '127.0.0.1', () => res((s.address() as net.AddressInfo).port)));
  await new Promise((res) => s.close(res));
  const dir = tmpDir();
  const db = join(dir, 'f.db');

  const unreachable = await runCli(['collect', 'hubble', '--once', '--db', db, '--address', `127.0.0.1:${port}`]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.err, /cannot connect to hubble-relay at 127\.0\.0\.1:\d+/);
  assert.equal((JSON.parse(unreachable.out) as { status: string }).status, 'failed');

  const noAddress = await runCli(['collect', 'hubble', '--once', '--db', db]);
  assert.equal(noAddress.code, 1);
  assert.match(noAddress.err, /no relay address/);

  const badSince = await runCli(['collect', 'hubble', '--once', '--db', db, '--address', '127.0.0.1:4245', '--since', 'yesterday']);
  assert.equal(badSince.code, 1);
  assert.match(badSince.err, /--since: not a duration/);

  const badAddress = await runCli(['collect', 'hubble', '--once', '--db', db, '--address', 'relay']);
  assert.equal(badAddress.code, 1);
  assert.match(badAddress.err, /collectors\.hubble\.address: not host:port/);

  writeFileSync(join(dir, 'c.yaml'), 'collectors:\n  hubble:\n    address: 127.0.0.1:4245\n    tls:\n      ca: /nonexistent/ca.pem\n');
  const badCa = await runCli(['collect', 'hubble', '--once', '--db', db, '--config', join(dir, 'c.yaml')]);
  assert.equal(badCa.code, 1);
  assert.match(badCa.err, /collectors\.hubble\.tls\.ca: cannot read \/nonexistent\/ca\.pem: ENOENT/);
});
