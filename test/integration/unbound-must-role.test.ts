/**
 * A `must` rule waiting for a role nothing binds (the demo's Kyma "metric scraping (RMA)" rules:
 * role `rma` has no default, no binding, and nothing observed binds it) is required traffic whose
 * peer is not known. docs/matrices.md ("unbound"): allowed from any source on the rule's ports
 * until the role is bound, never cut — a policy that breaks required traffic is worse than none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { loadCatalog } from '../../app/catalog.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import type { Db } from '../../store/db.ts';

const ownPath = (d: Db): string => d.name;

const { db } = tmpDb();
await loadDemo(db);
const RULE = 'kyma-telemetry/telemetry-manager/ingress/rma-8080';
const manager = (mode: 'union' | 'documented' | 'observed', bindings = {}) => {
  const input = readRecommendationInput(db, { bindings });
  const rec = recommend(input, recommendOptions({ mode, namespace: 'kyma-system', workload: 'Deployment/telemetry-manager' }));
  const intent = rec.policySet.intents.find((i) => i.key === 'kyma-system/deployment/telemetry-manager')!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  return { input, rec, rma: rules.find((r) => r.explanation.id.split(' ').includes(RULE)), warnings: rec.workloads[0]!.warnings.filter((w) => w.startsWith(RULE)) };
};

test('union and documented: the unbound must rule is a rule from any source on its port, explained, with a warning to bind the role', () => {
  for (const mode of ['union', 'documented'] as const) {
    const { rma, warnings } = manager(mode);
    assert.ok(rma, `${mode}: a rule for ${RULE}`);
    assert.deepEqual(rma.peers, [{ kind: 'world' }], mode);
    assert.deepEqual(rma.ports, [{ kind: 'number', protocol: 'TCP', port: 8080 }], mode);
    assert.equal(rma.explanation.status, 'documented-unobserved');
    assert.match(rma.explanation.text, /role rma is unbound: from any source on these ports until it is bound \(matrices\.bindings\.roles\.rma\)/);
    assert.deepEqual(warnings, [`${RULE} (must: metric scraping (RMA)) waits for role rma, which is unbound and which nothing observed binds: this recommendation allows that ingress flow from any source on the rule's ports until then; bind rma in matrices.bindings.roles.rma`]);
  }
});

test('every engine renders it admissibly and its simulator allows a source nothing documents on that port, and nothing else new', () => {
  const { input } = manager('union');
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ namespace: 'kyma-system', workload: 'Deployment/telemetry-manager' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.admission.concat(verification.blocked as never[]).slice(0, 3))}`);
    const model = clusterModel(input.inventory, input.externalNames);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const server = model.cluster.pods.find((p) => p.namespace === 'kyma-system' && (p.name ?? '').startsWith('telemetry-manager'))!;
    const stranger = model.cluster.pods.find((p) => p.namespace !== 'kyma-system' && !p.hostNetwork)!;
    const flow = (port: number) => ({ client: { kind: 'pod' as const, pod: stranger }, server: { kind: 'pod' as const, pod: server }, port, protocol: 'TCP' as const });
    assert.equal(sim.evaluate(flow(8080)).ingress.allowed, true, `${engine}: RMA's port is open to any source`);
    assert.equal(sim.evaluate(flow(8081)).ingress.allowed, false, `${engine}: other ports stay closed`);
  }
});

test('binding the role narrows the rule to it; in mode observed no documented rule renders and the warning says the flow gets no rule', () => {
  const bound = manager('union', { roles: { rma: [{ namespace: 'monitoring', selector: { matchLabels: { app: 'rma' } } }] } });
  assert.ok(bound.rma);
  assert.ok(!bound.rma.peers.some((p) => p.kind === 'world'), JSON.stringify(bound.rma.peers));
  assert.deepEqual(bound.warnings, []);
  const observed = manager('observed');
  assert.equal(observed.rma, undefined);
  assert.match(observed.warnings[0] ?? '', /that ingress flow gets no rule of its own, and the verification fails where the output cuts it; bind rma/);
});

test('a rule waiting for a role and for something else (a port parameter without a value) renders nothing, and its warning says it is blocked: no ports would read as every port on every engine; --include without documented-unobserved leaves the any-peer rules out too', async () => {
  const { db: own } = tmpDb();
  await loadDemo(own);
  const file = join(tmpDir(), 'shopx.yaml');
  writeFileSync(
    file,
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shopx, title: shop test }
documents:
  doc: { title: test doc, file: none.txt }
parameters:
  auditPort: { type: port, description: the audit port }
roles:
  auditor: { description: an auditor that calls in, scope: any }
  scraper: { description: a scraper, scope: any }
components:
  payments:
    namespace: shop
    selector: { matchLabels: { app: payments } }
    ingress:
      - { id: audit-param, peer: { role: auditor }, ports: [{ port: "\${auditPort}" }], level: must, purpose: audit, source: { document: doc, line: 2 } }
      - { id: scrape, peer: { role: scraper }, ports: [{ port: 9100 }], level: must, purpose: scraping, source: { document: doc, line: 3 } }
`,
  );
  const applied = await runCli(['matrix', 'apply', file, '--db', ownPath(own)]);
  assert.equal(applied.code, 0, applied.err);
  const input = readRecommendationInput(own, {});
  const payments = (include?: string[]) => {
    const rec = recommend(input, recommendOptions({ namespace: 'shop', workload: 'Deployment/payments', ...(include ? { include: include as never } : {}) }));
    const intent = rec.policySet.intents.find((i) => i.key === 'shop/deployment/payments')!;
    const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
    return { rules, warnings: rec.workloads[0]!.warnings };
  };
  const all = payments();
  assert.ok(!all.rules.some((r) => r.explanation.id.includes('shopx/payments/ingress/audit-param')), 'nothing for the rule without ports');
  assert.ok(!all.rules.some((r) => r.peers.some((p) => p.kind === 'world') && (r.ports ?? []).length === 0), 'no rule opens every port');
  assert.ok(all.warnings.some((w) => w.startsWith('shopx/payments/ingress/audit-param') && w.includes('that ingress flow gets no rule of its own, and the verification fails where the output cuts it')), JSON.stringify(all.warnings));
  assert.ok(all.rules.some((r) => r.explanation.id.includes('shopx/payments/ingress/scrape') && r.peers.some((p) => p.kind === 'world')), 'the rule with its port is any-peer');
  const narrow = payments(['confirmed', 'undocumented']);
  assert.ok(!narrow.rules.some((r) => r.explanation.id.includes('shopx/payments/ingress/scrape')), '--include leaves it out');
  assert.ok(narrow.warnings.some((w) => w.startsWith('shopx/payments/ingress/scrape') && w.includes('gets no rule of its own')));
});

test('a must rule to an unbound role that names no port opens its direction to everything, and its note and warning say so (not "on the rule\'s ports"); the progressive-delivery source-controller role defaults to flux-system as its chart says (seed 003, lines 80 and 151-155)', async () => {
  const { db: own } = tmpDb();
  await loadDemo(own);
  const file = join(tmpDir(), 'shopy.yaml');
  writeFileSync(
    file,
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shopy, title: shop test }
documents:
  doc: { title: test doc, file: none.txt }
roles:
  store: { description: an artifact store, scope: in-cluster }
components:
  redis:
    namespace: shop
    selector: { matchLabels: { app: redis } }
    egress:
      - { id: fetch, peer: { role: store }, level: must, purpose: artifact fetch, source: { document: doc, line: 2 } }
`,
  );
  assert.equal((await runCli(['matrix', 'apply', file, '--db', ownPath(own)])).code, 0);
  // Redis sends nothing observed: nothing binds the role from observation.
  const rec = recommend(readRecommendationInput(own, {}), recommendOptions({ namespace: 'shop', workload: 'StatefulSet/redis' }));
  const intent = rec.policySet.intents.find((i) => i.key === 'shop/statefulset/redis')!;
  const rules = intent.egress.mode === 'rules' ? intent.egress.rules : [];
  const fetch = rules.find((r) => r.explanation.id.split(' ').includes('shopy/redis/egress/fetch'))!;
  assert.deepEqual([fetch.peers, fetch.ports], [[{ kind: 'world' }], []]);
  assert.match(fetch.explanation.text, /role store is unbound: to any destination on every port \(the rule names none: egress is open to everything\) until it is bound/);
  assert.ok(rec.workloads[0]!.warnings.some((w) => w.startsWith('shopy/redis/egress/fetch') && w.includes('to any destination on every port (the rule names none: egress is open to everything) until then')), rec.workloads[0]!.warnings.join('\n'));
  const pd = loadCatalog().find((c) => c.matrix.metadata.name === 'progressive-delivery')!.matrix;
  assert.deepEqual(pd.roles?.['source-controller']?.default, { namespace: 'flux-system' });
});
