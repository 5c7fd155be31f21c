/** collectors.hubble and collectors.files: the schema at load, then the checks that name the key at creation. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { COLLECTORS, startCollectors } from '../../app/collectors.ts';
import { resolveFilesSettings } from '../../collectors/files/config.ts';
import { resolveHubbleRelaySettings } from '../../collectors/hubble-relay/config.ts';
import { parseDuration } from '../../collectors/config-values.ts';
import { ConfigError, loadServiceConfig } from '../../server/config/load.ts';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

function load(yaml: string) {
  const path = join(tmpDir(), 'config.yaml');
  writeFileSync(path, yaml);
  return loadServiceConfig({ file: path, env: {} });
}

test('a config with both sections loads; their keys come through as written', () => {
  const c = load(`collectors:
  hubble:
    address: hubble-relay.kube-system.svc:80
    since: 5m
    queueSize: 500
    backoff: { initial: 500ms, max: 30s }
  files:
    files:
      - { path: /var/run/cilium/hubble/events.log, format: hubble }
    pollInterval: 2s
    startAt: end
`);
  const collectors = c.collectors as Record<string, Record<string, unknown>>;
  assert.equal(collectors.hubble?.address, 'hubble-relay.kube-system.svc:80');
  assert.equal(collectors.files?.startAt, 'end');
});

test('the schema refuses unknown keys and malformed durations, naming the path', () => {
  assert.throws(() => load('collectors:\n  hubble:\n    address: a:1\n    sinse: 5m\n'), (e: unknown) => e instanceof ConfigError && /collectors\.hubble/.test(e.message) && /sinse/.test(e.message));
  assert.throws(() => load('collectors:\n  files:\n    files: [{ path: /x }]\n    pollInterval: soon\n'), (e: unknown) => e instanceof ConfigError && /collectors\.files\.pollInterval/.test(e.message));
  assert.throws(() => load('collectors:\n  files:\n    files: []\n'), (e: unknown) => e instanceof ConfigError && /collectors\.files\.files/.test(e.message));
});

test('durations: one unit, positive', () => {
  assert.equal(parseDuration('k', '500ms'), 500);
  assert.equal(parseDuration('k', '1.5s'), 1500);
  assert.equal(parseDuration('k', '5m'), 300_000);
  assert.equal(parseDuration('k', '1h'), 3_600_000);
  assert.throws(() => parseDuration('collectors.x.y', '0s'), /collectors\.x\.y: must be longer than 0/);
  assert.throws(() => parseDuration('collectors.x.y', '5 m'), /collectors\.x\.y: not a duration/);
});

test('creation-time checks name the key: address, cert without key, unreadable CA, relative or repeated file paths, globs outside the file name, more exact paths than maxFiles', () => {
  assert.throws(() => resolveHubbleRelaySettings({ address: 'relay' }), /collectors\.hubble\.address: not host:port/);
  assert.throws(() => resolveHubbleRelaySettings({ address: 'relay:99999' }), /collectors\.hubble\.address: not host:port/);
  assert.doesNotThrow(() => resolveHubbleRelaySettings({ address: '[fd00::1]:4245' }));
  assert.doesNotThrow(() => resolveHubbleRelaySettings({ address: 'dns:///hubble-relay:80' }));
  assert.throws(() => resolveHubbleRelaySettings({ address: 'a:1', tls: { cert: '/c.pem' } }), /collectors\.hubble\.tls: cert and key go together/);
  assert.throws(() => resolveHubbleRelaySettings({ address: 'a:1', tls: { ca: '/nonexistent/ca.pem' } }), /collectors\.hubble\.tls\.ca: cannot read \/nonexistent\/ca\.pem: ENOENT/);
  assert.throws(() => resolveHubbleRelaySettings({ address: 'a:1', backoff: { initial: '10s', max: '1s' } }), /collectors\.hubble\.backoff\.max/);
  assert.throws(() => resolveFilesSettings({ files: [{ path: 'rel.log' }] }), /collectors\.files\.files\[0\]\.path: must be an absolute path/);
  assert.throws(() => resolveFilesSettings({ files: [{ path: '/a.log' }, { path: '/a.log' }] }), /collectors\.files\.files\[1\]\.path: \/a\.log is listed twice/);
  assert.throws(() => resolveFilesSettings({ files: [{ path: '/var/log/*/flows.json' }] }), /collectors\.files\.files\[0\]\.path: \/var\/log\/\*\/flows\.json: a wildcard may only be in the file name/);
  assert.throws(() => resolveFilesSettings({ files: [{ path: '/var/log/{a,b}.json' }] }), /collectors\.files\.files\[0\]\.path: .*braces/);
  assert.throws(() => resolveFilesSettings({ files: [{ path: '/a.log' }, { path: '/b.log' }], maxFiles: 1 }), /collectors\.files\.maxFiles: 2 exact paths are listed, more than maxFiles 1/);
  const globbed = resolveFilesSettings({ files: [{ path: '/var/log/netobserv/*.json', format: 'netobserv' }, { path: '/var/log/hubble.log' }] });
  assert.deepEqual([globbed.files.map((f) => f.glob), globbed.maxFiles, globbed.rescanMs, globbed.backoff], [[true, false], 100, 5_000, { initialMs: 1000, maxMs: 60_000 }]);
  assert.throws(() => resolveFilesSettings({ files: [{ path: '/a.log' }], backoff: { initial: '10s', max: '1s' } }), /collectors\.files\.backoff\.max/);
  const s = resolveHubbleRelaySettings({ address: 'a:1' });
  assert.deepEqual([s.queueSize, s.refreshMs, s.onceSinceMs, s.backoff, s.sinceMs], [10_000, 3_600_000, 300_000, { initialMs: 1000, maxMs: 60_000 }, undefined]);
  assert.deepEqual(s.idleTimeoutMs, { once: 30_000, follow: 300_000 });
  assert.throws(() => resolveHubbleRelaySettings({ address: 'a:1', idleTimeout: { once: 'soon' } }), /collectors\.hubble\.idleTimeout\.once: not a duration/);
});

test('serve runs the hubble and files collectors from their sections; a bad section fails that collector only', async () => {
  const dir = tmpDir();
  const deps = { db: openDb(join(dir, 'f.db')), logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS };
  assert.deepEqual(COLLECTORS.map((c) => c.name).filter((n) => n === 'hubble' || n === 'files'), ['hubble', 'files']);
  const running = await startCollectors({ files: { files: [{ path: join(dir, 'flows.ndjson') }], pollInterval: '10ms' }, hubble: { address: 'relay' } }, deps, {});
  const byName = Object.fromEntries(running.statuses().map((s) => [s.name, s]));
  assert.equal(byName.files?.state, 'running');
  assert.equal(byName.hubble?.state, 'failed');
  assert.match(byName.hubble?.lastError ?? '', /collectors\.hubble\.address/);
  await running.stop();
  const none = await startCollectors({ files: { enabled: false, files: [{ path: '/x' }] } }, deps, {});
  assert.deepEqual(none.statuses(), []);
  await none.stop();
});
