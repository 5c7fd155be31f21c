/**
 * A stored matrix that no longer validates (a check added since it was applied) is not in force;
 * the others are, and a built-in one of its name is in its place. It is listed with its problems,
 * its source stays readable, the service starts, and every recommendation, report and export
 * warns of it with the way out.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { exportFromStore } from '../../app/export.ts';
import { recommendFromStore } from '../../app/recommendation.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { createApp } from '../../server/app.ts';
import { loadServiceConfig } from '../../server/config/load.ts';
import { startService } from '../../server/serve.ts';
import { saveMatrix } from '../../store/matrices.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { MAX_WARNING_HEADERS_BYTES } from '../../server/http/warning-header.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const matrix = (name: string, namespaceDefault = 'billing') => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: ${name}, title: The ${name} }
documents: { wiki: { title: Wiki } }
parameters:
  peerNamespace: { type: string, default: ${namespaceDefault}, description: the peers' namespace }
roles:
  ${name}-payments: { description: the payment provider }
components:
  cart:
    namespace: ${name}
    selector: { matchLabels: { app: cart } }
    egress:
      - { peer: { role: ${name}-payments }, ports: [{ port: 443 }], level: must, purpose: pay, source: { document: wiki, line: 1 } }
shared:
  - name: common
    components: '*'
    egress:
      - { peer: { namespace: "\${peerNamespace}" }, ports: [{ port: 9999 }], level: must, purpose: x, source: { document: wiki, line: 2 } }
`;
/** Valid when stored; refused by the check added since (a shared rule's namespace rendering a name the cluster refuses). */
const stale = (name: string) => matrix(name, 'Bad_NS');

function storeWith(stored: Record<string, string>) {
  const { db, path } = tmpDb();
  for (const [name, source] of Object.entries(stored)) saveMatrix(db, { name, source, origin: 'api:1', appliedAt: 1 });
  return { db, path };
}

const WARNING = /^stored matrix legacy \(applied from api:1\) no longer validates and is not in force \(shared\[0\]\.egress\[0\]\.peer\.namespace \(line \d+\): renders as "Bad_NS".*\): apply a fixed one \(`flowmatrix matrix apply`, PUT \/api\/v1\/matrices\/legacy; its source: `flowmatrix matrix show legacy -o source`\) or delete it \(`flowmatrix matrix delete legacy`\)$/;

test('the service starts beside a stored matrix that no longer validates, even when the config sets its parameters and binds its roles', async () => {
  const dir = tmpDir();
  const { db, path } = storeWith({ legacy: stale('legacy'), shop: matrix('shop') });
  writeFileSync(join(dir, 'config.yaml'), 'server:\n  port: 0\nmatrices:\n  systems:\n    legacy: { parameters: { peerNamespace: payments } }\n  bindings:\n    roles:\n      legacy-payments: { cidrs: [203.0.113.0/24] }\n');
  const config = loadServiceConfig({ file: join(dir, 'config.yaml'), dbPath: path, env: {} });
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
  const service = await startService(config, { logger, db });
  await service.close();
  const warning = logged.map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg.startsWith('stored matrix legacy'));
  assert.ok(warning, logged.join(''));
  assert.match(warning.msg, /; the config's matrices\.systems\.legacy, matrices\.bindings\.roles\.legacy-payments wait for it: /);
});

test('GET /matrices lists it with its problems, its source stays readable, the others resolve, validate and PUT work', async () => {
  const { db, path } = storeWith({ legacy: stale('legacy'), shop: matrix('shop') });
  const { app } = createApp(testContext(db, path));
  const list = await request(app).get('/api/v1/matrices').expect(200);
  const legacy = (list.body.items as { name: string; inForce: boolean; problems?: { path: string }[]; warning?: string }[]).filter((m) => m.name === 'legacy');
  assert.equal(legacy.length, 1);
  assert.equal(legacy[0]!.inForce, false);
  assert.deepEqual(legacy[0]!.problems!.map((p) => p.path), ['shared[0].egress[0].peer.namespace']);
  assert.match(legacy[0]!.warning!, WARNING);
  assert.ok((list.body.items as { name: string; inForce: boolean }[]).some((m) => m.name === 'shop' && m.inForce));

  assert.equal((await request(app).get('/api/v1/matrices/legacy?format=source').expect(200)).text, stale('legacy'));
  assert.equal((await request(app).get('/api/v1/matrices/shop?format=source').expect(200)).text, matrix('shop'));
  await request(app).get('/api/v1/matrices/shop').expect(200);
  const missing = await request(app).get('/api/v1/matrices/legacy').expect(404);
  assert.match(missing.body.detail, WARNING);

  const valid = await request(app).post('/api/v1/matrices/validate').set('Content-Type', 'application/yaml').send(matrix('other')).expect(200);
  assert.equal(valid.body.valid, true, JSON.stringify(valid.body));

  await request(app).put('/api/v1/matrices/legacy').set('Content-Type', 'application/yaml').send(matrix('legacy')).expect(200);
  const after = await request(app).get('/api/v1/matrices').expect(200);
  assert.deepEqual((after.body.items as { name: string; inForce: boolean }[]).filter((m) => m.name === 'legacy').map((m) => m.inForce), [true]);
});

test('every recommendation, export and report warns of it; one that overrode a built-in leaves the built-in in force, and says so', () => {
  const { db } = storeWith({ legacy: stale('legacy'), netobserv: stale('netobserv') });
  const rec = recommendFromStore(db, {}, 'kubernetes', {}).rec;
  assert.equal(rec.warnings.filter((w) => WARNING.test(w)).length, 1, rec.warnings.join('\n'));
  const builtIn = rec.warnings.find((w) => w.startsWith('stored matrix netobserv'));
  assert.match(builtIn ?? '', /not in force \(.*\); the built-in matrix netobserv is in force in its place: apply a fixed one/);
  assert.ok(exportFromStore(db, {}, 'cilium', {}).rec.warnings.some((w) => WARNING.test(w)));
  const report = gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt: 1 });
  assert.ok(report.recommendation.warnings.some((w) => WARNING.test(w)));
  assert.ok(report.matrices.some((m) => m.name === 'netobserv' && m.origin === 'built-in'));
});

test('matrix list shows it, not in force, with the warning; show -o source reads it and the others; delete --config still refuses what the config needs', async () => {
  const { db, path } = storeWith({ legacy: stale('legacy'), shop: matrix('shop') });
  db.close();
  const list = await runCli(['matrix', 'list', '--db', path]);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^legacy +applied \(no longer valid: not in force\) +- +- +- +-$/m);
  assert.match(list.err.replace(/^warning: /, '').trimEnd(), WARNING);
  const json = await runCli(['matrix', 'list', '--db', path, '-o', 'json']);
  assert.ok((JSON.parse(json.out) as { name: string; inForce: boolean }[]).some((m) => m.name === 'legacy' && !m.inForce));
  assert.equal((await runCli(['matrix', 'show', 'legacy', '--db', path, '-o', 'source'])).out, stale('legacy'));
  assert.equal((await runCli(['matrix', 'show', 'shop', '--db', path, '-o', 'source'])).out, matrix('shop'));

  const dir = tmpDir();
  const config = join(dir, 'config.yaml');
  // The config binds a role only the matrix declares: deleted, the config would name a role of no matrix.
  writeFileSync(config, 'matrices:\n  bindings:\n    roles:\n      legacy-payments: { cidrs: [203.0.113.0/24] }\n');
  const refused = await runCli(['matrix', 'delete', 'legacy', '--db', path, '--config', config]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /needs this matrix[^\n]*\n {2}matrices\.bindings\.roles\.legacy-payments: no matrix declares a role "legacy-payments"/);
  writeFileSync(config, 'matrices: {}\n');
  assert.equal((await runCli(['matrix', 'delete', 'legacy', '--db', path, '--config', config])).code, 0);
});

test('GET /export and /drift carry it as a Warning header, and the ETag changes with it though the manifests do not', async () => {
  const path = await demoDb();
  const db = openDb(path);
  const { app } = createApp(testContext(db, path));
  const before = await request(app).get('/api/v1/export?engine=kubernetes').expect(200);
  assert.equal(before.headers.warning, undefined);
  saveMatrix(db, { name: 'legacy', source: stale('legacy'), origin: 'api:1', appliedAt: 1 });
  const after = await request(app).get('/api/v1/export?engine=kubernetes').set('If-None-Match', before.headers.etag!).expect(200);
  assert.equal(after.text, before.text, 'a matrix of no workload of the demo: the same manifests');
  assert.notEqual(after.headers.etag, before.headers.etag, 'a job holding the old ETag must not get a 304 that hides the warning');
  // A kube-apiserver style warning (299 - "…"), as /simulate sends them.
  assert.match(after.headers.warning!, /^299 - "stored matrix legacy \(applied from api:1\) no longer validates and is not in force/);
  const drift = await request(app).get('/api/v1/drift?engine=kubernetes').expect(200);
  assert.match(drift.headers.warning!, /^299 - "stored matrix legacy/);
  db.close();
});

test('an export that fails verification (422) carries the Warning and X-Flowmatrix-Verified: false, and says allowUnverified=true; many warnings stay within the header budget', async () => {
  const path = await demoDb();
  const db = openDb(path);
  for (let i = 0; i < 18; i++) saveMatrix(db, { name: `legacy-${i}`, source: stale(`legacy-${i}`), origin: 'api:1', appliedAt: 1 });
  const { app } = createApp(testContext(db, path));
  // Mode observed cuts a documented must flow the demo never observed (netobserv-plugin → Alertmanager): the verification fails.
  const failed = await request(app).get('/api/v1/export?engine=kubernetes&mode=observed').expect(422);
  assert.equal(failed.headers['x-flowmatrix-verified'], 'false');
  assert.match(failed.body.detail, /allowUnverified=true answers them anyway/);
  const warnings = ([] as string[]).concat(failed.headers.warning ?? []).join(', ');
  assert.match(warnings, /^299 - "stored matrix legacy-0 \(applied from api:1\) no longer validates/);
  assert.match(warnings, /more warnings not sent as headers: GET \/api\/v1\/matrices/);
  assert.ok(warnings.length <= MAX_WARNING_HEADERS_BYTES + 64, `${warnings.length} bytes of Warning headers`);
  const ok = await request(app).get('/api/v1/export?engine=kubernetes').expect(200);
  assert.match(([] as string[]).concat(ok.headers.warning ?? []).join(', '), /more warnings not sent as headers/);
  db.close();
});

test('GET /recommendations/{ns}/{kind}/{name} carries the recommendation\'s warnings as `recommend --workload -o json` and the list do, its own apart, and the Warning header', async () => {
  const path = await demoDb();
  const db = openDb(path);
  saveMatrix(db, { name: 'legacy', source: stale('legacy'), origin: 'api:1', appliedAt: 1 });
  const { app } = createApp(testContext(db, path));
  const [namespace, kind, name] = ['stacklight', 'Deployment', 'grafana'];
  const one = await request(app).get(`/api/v1/recommendations/${namespace}/${kind}/${name}?engine=kubernetes`).expect(200);
  const cli = await runCli(['recommend', '--db', path, '--engine', 'kubernetes', '-n', namespace, '--workload', `${kind}/${name}`, '-o', 'json']);
  const json = JSON.parse(cli.out) as { warnings: string[]; workloads: { warnings: string[] }[] };
  const list = await request(app).get(`/api/v1/recommendations?engine=kubernetes&namespace=${namespace}&workload=${kind}/${name}`).expect(200);
  assert.ok(json.warnings.some((w) => WARNING.test(w)), json.warnings.join('\n'));
  assert.deepEqual(one.body.warnings, json.warnings, 'the recommendation-wide warnings, as `recommend -o json` prints them');
  assert.deepEqual(one.body.warnings, list.body.warnings, 'and as the list answers them for the same selection');
  assert.deepEqual(one.body.workloadWarnings, json.workloads[0]!.warnings, 'the workload\'s own, apart');
  assert.match(([] as string[]).concat(one.headers.warning ?? []).join(', '), /^299 - "stored matrix legacy \(applied from api:1\) no longer validates/);
  db.close();
});
