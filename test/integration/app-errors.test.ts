/**
 * The use cases' one error type, and how each front end answers it: AppError `code` → CLI exit
 * code (cli/errors.ts) and → problem+json status (server/http/errors.ts). Each use case is
 * driven into its failure on a real SQLite file, then the same failure through the CLI and the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { pino } from 'pino';
import { APP_ERROR_CODES, AppError } from '../../app/errors.ts';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix, matricesInForce, resolveMatrixNamed } from '../../app/matrices.ts';
import { engineNamed, recommendFromStore } from '../../app/recommendation.ts';
import { cliMessage, EXIT_CODES } from '../../cli/errors.ts';
import { createApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import type { ServiceContext } from '../../server/context.ts';
import { APP_ERROR_PROBLEMS, appProblem } from '../../server/http/errors.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url);
const T0 = Date.UTC(2026, 10, 20);
const { db, path } = tmpDb();
importInventory(db, { text: readFileSync(CLUSTER, 'utf8'), takenAt: T0, source: 'cluster.json' });

/** Runs `fn`, which must throw an AppError, and returns it. */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an AppError, nothing was thrown');
}

test('every code has one exit code and one problem status: invalid input → 1 / 422, not found → 1 / 404, too large → 1 / 413', () => {
  assert.deepEqual(
    APP_ERROR_CODES.map((c) => [c, EXIT_CODES[c], appProblem(new AppError(c, 'x')).status]),
    [
      ['invalid-input', 1, 422],
      ['not-found', 1, 404],
      ['too-large', 1, 413],
    ],
  );
  assert.deepEqual(Object.keys(APP_ERROR_PROBLEMS).sort(), [...APP_ERROR_CODES].sort());
});

test('an older inventory snapshot is invalid input: nothing imported, the CLI names the file, the API does not', () => {
  const e = appError(() => importInventory(db, { text: readFileSync(CLUSTER, 'utf8'), takenAt: T0 - 1, source: 'old.json' }));
  assert.equal(e.code, 'invalid-input');
  assert.match(e.message, /; nothing was imported$/);
  assert.equal(cliMessage(e), `old.json: ${e.message}`);
  assert.equal(appProblem(e).body().detail, e.message);
});

test('an unknown matrix is not-found, listing the known ones', () => {
  const e = appError(() => resolveMatrixNamed(db, {}, 'nosuch'));
  assert.equal(e.code, 'not-found');
  assert.match(e.message, /^no matrix named "nosuch" \(known: .*netobserv.*\)$/);
});

test('a config naming no matrix is invalid input with one problem per path; each front end words it its own way', () => {
  const e = appError(() => matricesInForce(db, { systems: { nosuch: { enabled: true } } }));
  assert.equal(e.code, 'invalid-input');
  assert.equal(e.reason, 'config-mismatch');
  assert.deepEqual(e.problems.map((p) => p.path), ['matrices.systems.nosuch']);
  assert.match(cliMessage(e), /^invalid config \(1 problem\)\n {2}matrices\.systems\.nosuch: no matrix named "nosuch"/);
  const body = appProblem(e).body();
  assert.equal(body.status, 422);
  assert.equal(body.detail, 'the service config does not match the loaded matrices');
  assert.equal(body.errors?.[0]?.path, 'matrices.systems.nosuch');
});

test('an invalid matrix document is invalid input: every problem with its line; nothing stored', () => {
  const text = 'apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\nmetadata:\n  name: Bad_Name\n';
  const e = appError(() => applyMatrix(db, { text, origin: 'bad.yaml', appliedAt: T0 }));
  assert.equal(e.code, 'invalid-input');
  assert.match(e.message, /^invalid matrix \(\d+ problems?\)$/);
  assert.ok(e.problems.some((p) => p.path === 'metadata' && p.line === 4 && /"title"/.test(p.message)), JSON.stringify(e.problems));
  assert.match(cliMessage(e), /^bad\.yaml: invalid matrix \(\d+ problems?\)\n(.*\n)* {2}metadata \(line 4\): missing required field "title"/);
  assert.ok(appProblem(e).errors?.some((f) => f.path === 'metadata (line 4)'));
  assert.throws(() => resolveMatrixNamed(db, {}, 'Bad_Name'), (x: unknown) => x instanceof AppError && x.code === 'not-found');
});

test('options the recommender rejects and an unknown engine are invalid input', () => {
  assert.equal(appError(() => recommendFromStore(db, {}, 'kubernetes', { staleDays: 0 })).code, 'invalid-input');
  assert.match(appError(() => engineNamed('istio')).message, /^unknown engine "istio": expected one of kubernetes, cilium, calico, clusternetworkpolicy$/);
});

test('CLI: a report whose config names no matrix exits 1 with the config problems (as `matrix list --config` does)', async () => {
  const config = join(tmpDir(), 'config.yaml');
  writeFileSync(config, 'matrices:\n  systems:\n    nosuch:\n      enabled: true\n');
  for (const argv of [['report', '--no-store'], ['matrix', 'list']]) {
    const r = await runCli([...argv, '--db', path, '--config', config]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.err.split('\n')[0], `flowmatrix: ${config}: invalid config (1 problem)`, argv.join(' '));
    assert.match(r.err, /\n {2}matrices\.systems\.nosuch: no matrix named "nosuch" \(known: [^)]*\)\n$/, argv.join(' '));
    assert.equal(r.out, '');
  }
  const missing = await runCli(['matrix', 'show', 'nosuch', '--db', path]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^flowmatrix: no matrix named "nosuch" \(known: /);
});

test('API: the same failures as problem+json: a report on a config naming no matrix 422, an unknown matrix 404', async () => {
  const ctx: ServiceContext = {
    db,
    config: configFor({ dbPath: path, matrices: { systems: { nosuch: { enabled: true } } } }),
    metrics: new ServiceMetrics(() => 0, { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    version: 'test',
    collectors: () => [],
    draining: false,
    now: () => T0,
  };
  const { app } = createApp(ctx);
  const report = await request(app).post('/api/v1/reports').expect(422).expect('Content-Type', /application\/problem\+json/);
  assert.equal(report.body.detail, 'the service config does not match the loaded matrices');
  assert.deepEqual(report.body.errors.map((x: { path: string }) => x.path), ['matrices.systems.nosuch']);
  await request(app).get('/api/v1/matrices/netobserv').expect(422);
  const ok = createApp({ ...ctx, config: configFor({ dbPath: path }) }).app;
  const missing = await request(ok).get('/api/v1/matrices/nosuch').expect(404).expect('Content-Type', /application\/problem\+json/);
  assert.match(missing.body.detail, /^no matrix named "nosuch"/);
});
