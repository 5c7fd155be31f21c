/**
 * A `must` rule whose peer names no workload — `world`, every pod of every namespace, a role
 * nothing binds — is required traffic all the same (docs/recommend.md, "Verification"). The
 * verification judges its flow by a concrete representative: an address outside the cluster
 * (198.51.100.1, TEST-NET-2, the tightness probes' world address: recommender/verify/probes.ts)
 * on the rule's ports (any port where it names none, which every port includes), or a pod of
 * the cluster for a peer in the cluster. A re-tester found StackLight's Patroni
 * (`stacklight/patroni/egress/allow-all`, must: "connects to the outside world or external APIs
 * (Kubernetes, Docker, Keycloak, OpenStack)", seed 000) exported in mode observed as "deny all
 * egress" with `X-Flowmatrix-Verified: true`: the workload's warning said "applying this
 * recommendation blocks that egress flow", yet the verification passed. Now it is `blocked`
 * (exit 2 / 422) with the way out (mode union keeps it), on every engine. Where no
 * representative exists (namespaces by a selector no namespace matches), the verification cannot
 * tell, and /export and /drift say so in a `Warning: 299` header (docs/api.md).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { runCli } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const { db, path } = tmpDb();
await loadDemo(db);

// A small matrix on the demo's shop: must flows to and from the world and into the cluster that
// never happened, and one whose peers no representative can stand for.
const file = join(tmpDir(), 'worldx.yaml');
writeFileSync(
  file,
  `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: worldx, title: world test }
documents:
  doc: { title: test doc, file: none.txt }
roles:
  peers: { description: in-cluster peers nothing binds, scope: in-cluster }
components:
  cart:
    namespace: shop
    selector: { matchLabels: { app: cart } }
    egress:
      - { id: out-https, peer: world, ports: [{ port: 443 }], level: must, purpose: payment provider, source: { document: doc, line: 1 } }
  redis:
    namespace: shop
    selector: { matchLabels: { app: redis } }
    egress:
      - { id: out-any, peer: world, level: must, purpose: replication to anywhere, source: { document: doc, line: 2 } }
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    ingress:
      - { id: lb-ui, peer: world, ports: [{ port: 8443 }], level: must, purpose: the UI behind a LoadBalancer, source: { document: doc, line: 3 } }
  catalog:
    namespace: shop
    selector: { matchLabels: { app: catalog } }
    egress:
      - { id: to-peers, peer: { role: peers }, ports: [{ port: 9000 }], level: must, purpose: sync with peers, source: { document: doc, line: 4 } }
  postgres:
    namespace: shop
    selector: { matchLabels: { app: postgres } }
    egress:
      - { id: nowhere, peer: { namespaceSelector: { matchLabels: { team: nobody } } }, ports: [{ port: 5000 }], level: must, purpose: backups, source: { document: doc, line: 5 } }
`,
);
const applied = await runCli(['matrix', 'apply', file, '--db', path]);
assert.equal(applied.code, 0, applied.err);

const PATRONI = 'stacklight/StatefulSet/patroni';
const PATRONI_RULE = 'stacklight/patroni/egress/allow-all';
const ruleFindings = (fs: readonly EdgeFinding[], rule: string): EdgeFinding[] => fs.filter((f) => f.reason.includes(`${rule} (must) requires`));

test('the demo\'s Patroni, mode observed: its must egress to the world is cut, blocked on every engine with the way out; mode union keeps it', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const scoped = { namespace: 'stacklight', workload: 'StatefulSet/patroni' };
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed', ...scoped }), { tightness: false });
    assert.equal(v.ok, false, engine);
    const cut = ruleFindings(v.blocked, PATRONI_RULE);
    assert.equal(cut.length, 1, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.equal(cut[0]!.workload, PATRONI);
    assert.equal(cut[0]!.direction, 'egress');
    assert.match(cut[0]!.edge, /\|external:198\.51\.100\.1\|/);
    assert.match(cut[0]!.reason, /requires egress to the world, not observed yet \(198\.51\.100\.1 on \d+\/TCP stands for it\): applying this cuts required traffic; mode union keeps it \(--mode union, mode=union\)$/);
    const union = runRecommendation(input, engine, recommendOptions({ mode: 'union', ...scoped }), { tightness: false }).verification;
    assert.deepEqual(ruleFindings(union.blocked, PATRONI_RULE), [], engine);
    assert.equal(union.ok, true, `${engine}: ${JSON.stringify(union.blocked.slice(0, 2))}`);
  }
});

test('the re-tester\'s requests: /export (cilium, Patroni) and /drift (kubernetes, stacklight) in mode observed answer 422, not verified', async () => {
  const app = testApp(db, path);
  const exp = await request(app).get('/api/v1/export?engine=cilium&mode=observed&namespace=stacklight&workload=sts/patroni');
  assert.equal(exp.status, 422, exp.text.slice(0, 300));
  assert.equal(exp.headers['x-flowmatrix-verified'], 'false');
  assert.ok(exp.text.includes(PATRONI_RULE), exp.text.slice(0, 500));
  const drift = await request(app).get('/api/v1/drift?engine=kubernetes&mode=observed&namespace=stacklight');
  assert.equal(drift.status, 422, drift.text.slice(0, 300));
  assert.equal(drift.headers['x-flowmatrix-verified'], 'false');
  const union = await request(app).get('/api/v1/export?engine=cilium&mode=union&namespace=stacklight&workload=sts/patroni');
  assert.equal(union.status, 200, union.text.slice(0, 300));
});

const CASES = [
  { rule: 'worldx/cart/egress/out-https', workload: 'shop/Deployment/cart', direction: 'egress', edge: /\|external:198\.51\.100\.1\|443\|TCP$/, stands: 'egress to the world' },
  { rule: 'worldx/redis/egress/out-any', workload: 'shop/StatefulSet/redis', direction: 'egress', edge: /\|external:198\.51\.100\.1\|\d+\|TCP$/, stands: 'egress to the world' },
  { rule: 'worldx/frontend/ingress/lb-ui', workload: 'shop/Deployment/frontend', direction: 'ingress', edge: /^external:198\.51\.100\.1\|.*\|8443\|TCP$/, stands: 'ingress from the world' },
  { rule: 'worldx/catalog/egress/to-peers', workload: 'shop/Deployment/catalog', direction: 'egress', edge: /\|workload:[^|]+\|9000\|TCP$/, stands: 'egress to a pod of the cluster' },
] as const;

test('a small matrix, mode observed: each must flow nothing observed, to or from the world or a pod of the cluster, is blocked on kubernetes, cilium and calico', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed', namespace: 'shop' }), { tightness: false });
    assert.equal(v.ok, false, engine);
    for (const c of CASES) {
      const cut = ruleFindings(v.blocked, c.rule);
      // A ClusterNetworkPolicy ingress isolation denies pods only (its ingress peers are pods and
      // namespaces: clusternetworkpolicy.ts): a client outside the cluster is never denied there.
      if (engine === 'clusternetworkpolicy' && c.direction === 'ingress') {
        assert.deepEqual(cut, [], `${engine} ${c.rule}`);
        continue;
      }
      assert.equal(cut.length, 1, `${engine} ${c.rule}: ${JSON.stringify(v.blocked.map((f) => f.reason))}`);
      assert.equal(cut[0]!.workload, c.workload);
      assert.equal(cut[0]!.direction, c.direction);
      assert.match(cut[0]!.edge, c.edge);
      assert.ok(cut[0]!.reason.includes(`${c.rule} (must) requires ${c.stands}, not observed yet (`), cut[0]!.reason);
      assert.match(cut[0]!.reason, /mode union keeps it \(--mode union, mode=union\)$/);
    }
  }
});

test('the output keeps them open: mode union, and mode observed with --no-egress for the egress ones, pass', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const union = runRecommendation(input, engine, recommendOptions({ mode: 'union', namespace: 'shop' }), { tightness: false }).verification;
    for (const c of CASES) assert.deepEqual(ruleFindings(union.blocked, c.rule), [], `${engine} union ${c.rule}`);
    const open = runRecommendation(input, engine, recommendOptions({ mode: 'observed', namespace: 'shop', egress: false }), { tightness: false }).verification;
    for (const c of CASES.filter((x) => x.direction === 'egress')) assert.deepEqual(ruleFindings(open.blocked, c.rule), [], `${engine} --no-egress ${c.rule}`);
  }
});

test('no representative (namespaces by a selector no namespace matches): the verification cannot tell; its warning comes as Warning: 299 on /export and /drift', async () => {
  const input = readRecommendationInput(db, {});
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed', namespace: 'shop' }), { tightness: false });
  const warning = v.warnings.find((w) => w.startsWith('worldx/postgres/egress/nowhere (must: backups)'));
  assert.ok(warning, JSON.stringify(v.warnings));
  assert.match(warning, /the verification cannot tell whether the output cuts it/);
  const app = testApp(db, path);
  // Mode union passes the other rules: the answer is a 200, and the warning must still reach the job.
  for (const url of ['/api/v1/export?engine=kubernetes&mode=union&namespace=shop', '/api/v1/drift?engine=kubernetes&mode=union&namespace=shop', '/api/v1/export?engine=kubernetes&mode=observed&namespace=shop']) {
    const r = await request(app).get(url);
    const header = ([] as string[]).concat(r.headers['warning'] ?? []).join('\n');
    assert.ok(header.includes('299 - "worldx/postgres/egress/nowhere (must: backups)'), `${url} (${r.status}): ${header}`);
  }
});
