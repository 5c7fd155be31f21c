import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadServiceConfig } from '../../server/config/load.ts';
import { TokenAuth } from '../../server/http/auth.ts';
import { tmpDir } from '../helpers/tmp.ts';

test('embedded defaults: port 8080, ./data/flowmatrix.db, loopback only without tokens', () => {
  const c = loadServiceConfig({ env: {} });
  assert.equal(c.port, 8080);
  assert.equal(c.dbPath, './data/flowmatrix.db');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.loopbackOnly, true);
  // The IP history and the ingest runs grow with pod churn and uploads: bounded unless configured (docs/operations.md "Retention").
  assert.deepEqual(c.retention, { edgeDays: 0, hourDays: 35, historyDays: 35, runDays: 35, intervalMinutes: 60 });
});

test('retention.historyDays and runDays are read from the file; 0 keeps forever, a negative one names the field', () => {
  const dir = tmpDir();
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'retention:\n  historyDays: 0\n  runDays: 7\n');
  const c = loadServiceConfig({ file, env: {} });
  assert.deepEqual([c.retention.historyDays, c.retention.runDays], [0, 7]);
  writeFileSync(file, 'retention:\n  historyDays: -1\n');
  assert.throws(() => loadServiceConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && /retention\.historyDays|retention\/historyDays/.test(e.message));
});

test('file, then env, then flags; tokens from env lift the loopback restriction', () => {
  const dir = tmpDir();
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'server:\n  port: 9000\n  host: 0.0.0.0\nauth:\n  tokens:\n    - name: ci\n      tokenEnv: CI_TOKEN\n      scopes: [read]\nmatrices:\n  systems:\n    netobserv:\n      enabled: true\n');
  const c = loadServiceConfig({ file, env: { PORT: '9100', CI_TOKEN: 'x'.repeat(20), FLOWMATRIX_TOKEN_WRITE: 'y'.repeat(20), FLOWMATRIX_RATE_LIMIT: '10/5' } });
  assert.equal(c.port, 9100);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.loopbackOnly, false);
  assert.deepEqual(c.tokens.map((t) => [t.name, t.scopes.join('+')]), [['ci', 'read'], ['flowmatrix-token-write', 'read+write']]);
  assert.deepEqual(c.rateLimit, { requests: 10, windowSeconds: 5 });
  assert.deepEqual(c.matrices, { systems: { netobserv: { enabled: true } } });
  assert.equal(loadServiceConfig({ file, env: { CI_TOKEN: 'x'.repeat(20) }, port: 1234 }).port, 1234);
});

test('every problem is reported with its path, line and value', () => {
  const dir = tmpDir();
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'server:\n  port: 70000\n  colour: red\nmatrices:\n  bindings:\n    roles:\n      prometheus: 12\n');
  assert.throws(
    () => loadServiceConfig({ file, env: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const byPath = new Map(e.problems.map((p) => [p.path, p]));
      assert.equal(byPath.get('server.port')?.line, 2);
      assert.equal(byPath.get('server.port')?.value, 70000);
      assert.equal(byPath.get('server.colour')?.line, 3);
      assert.ok([...byPath.keys()].some((p) => p.startsWith('matrices.bindings.roles.prometheus')), [...byPath.keys()].join(','));
      assert.match(e.message, /server\.port \(line 2\)/);
      return true;
    },
  );
  assert.throws(() => loadServiceConfig({ env: { PORT: 'eighty' } }), /env PORT: must be an integer 0-65535; got "eighty"/);
  assert.throws(() => loadServiceConfig({ env: { FLOWMATRIX_TOKEN_READ: 'short' } }), /at least 16 characters/);
  // A token no Authorization header can carry (a Secret from a file keeps its newline) would lock everyone out.
  assert.throws(() => loadServiceConfig({ env: { FLOWMATRIX_TOKEN_WRITE: 'abcdefabcdefabcdef0123\n' } }), /env FLOWMATRIX_TOKEN_WRITE: a token may hold only visible ASCII characters, no spaces or line breaks/);
  const spaced = join(tmpDir(), 'c.yaml');
  writeFileSync(spaced, 'auth:\n  tokens:\n    - { name: ops, token: "pass phrase with spaces ok", scopes: [read] }\n');
  assert.throws(() => loadServiceConfig({ file: spaced, env: {} }), /auth\.tokens\[0\]\.token: a token may hold only visible ASCII characters/);
});

test('tokens: write implies read, unknown and near-miss tokens are rejected', () => {
  const auth = new TokenAuth([
    { name: 'r', secret: 'r'.repeat(20), scopes: ['read'] },
    { name: 'w', secret: 'w'.repeat(20), scopes: ['write'] },
  ]);
  assert.deepEqual([...(auth.identify('w'.repeat(20))?.scopes ?? [])].sort(), ['read', 'write']);
  assert.deepEqual([...(auth.identify('r'.repeat(20))?.scopes ?? [])], ['read']);
  assert.equal(auth.identify('r'.repeat(19)), undefined);
  assert.equal(auth.identify(''), undefined);
});


test('a token in the config is never echoed by an error, and two tokens with one secret are refused (the second could never be used)', () => {
  const dir = tmpDir();
  const short = join(dir, 'short.yaml');
  writeFileSync(short, 'auth:\n  tokens:\n    - name: ci\n      token: hunter2-secret\n      scopes: [read]\n');
  assert.throws(
    () => loadServiceConfig({ file: short, env: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /auth\.tokens\[0\]\.token \(line 4\): must have at least 16 characters/);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    },
  );
  const dup = join(dir, 'dup.yaml');
  writeFileSync(dup, `auth:\n  tokens:\n    - name: reader\n      token: ${'s'.repeat(24)}\n      scopes: [read]\n    - name: writer\n      token: ${'s'.repeat(24)}\n      scopes: [read, write]\n`);
  assert.throws(() => loadServiceConfig({ file: dup, env: {} }), /tokens "reader" and "writer" have the same secret: each token needs its own/);
  assert.throws(() => loadServiceConfig({ env: { FLOWMATRIX_TOKEN_READ: 'z'.repeat(20), FLOWMATRIX_TOKEN_WRITE: 'z'.repeat(20) } }), /tokens "flowmatrix-token-read" and "flowmatrix-token-write" have the same secret/);
});

test('server.trustProxy takes what Express takes: a hop count or proxy addresses and subnets (true trusts the entries clients write too); an entry that is none is refused', () => {
  const load = (yaml: string) => {
    const file = join(tmpDir(), 'c.yaml');
    writeFileSync(file, yaml);
    return loadServiceConfig({ file, env: {} });
  };
  assert.equal(load('server: { trustProxy: 1 }\n').trustProxy, 1);
  assert.deepEqual(load('server: { trustProxy: [10.0.0.0/8, "fd00::1", loopback] }\n').trustProxy, ['10.0.0.0/8', 'fd00::1', 'loopback']);
  assert.equal(load('server: {}\n').trustProxy, false);
  assert.throws(() => load('server: { trustProxy: [10.0.0.0/8, ingress-nginx] }\n'), /server\.trustProxy\[1\]: an IP address, a CIDR subnet, or loopback, linklocal, uniquelocal; got "ingress-nginx"/);
});

test('every problem of a config file at once: a bad report schedule and time zone are named beside the schema\'s problems, not only once those are fixed', () => {
  const file = join(tmpDir(), 'c.yaml');
  writeFileSync(file, 'server:\n  port: eighty\nreports:\n  schedule: "every day"\n  timezone: Mars/Olympus\n');
  assert.throws(
    () => loadServiceConfig({ file, env: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /server\.port \(line 2\)/);
      assert.match(e.message, /reports\.schedule \(line 4\): is not a valid cron expression/);
      assert.match(e.message, /reports\.timezone \(line 5\): is not an IANA time zone/);
      return true;
    },
  );
});
