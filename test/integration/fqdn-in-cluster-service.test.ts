/**
 * A `must` rule whose DNS name is an in-cluster Service's (`<service>.<namespace>.svc`, with or
 * without the default cluster domain `cluster.local`: kubernetes.io "DNS for Services and Pods").
 *
 * The name resolves to the Service's ClusterIP (its backends' addresses for a headless one), never
 * to an address outside the cluster, and ingest keeps DNS names for outside addresses only. So the
 * rule was read as an outside name: mode observed asked for an outside stand-in (198.51.100.1) and
 * failed although frontend → cart was observed on the port; mode documented rendered `toFQDNs:
 * cart.shop.svc.cluster.local` on Cilium, which selects "remote, non-cluster, peers" only
 * (docs.cilium.io "Layer 3 Policies", DNS based: it "shares all limitations of the CIDR based
 * rules"), so the output cut frontend → cart while the verification passed. The name is now
 * resolved from the inventory to the Service's workloads, on the Service's target port (the port
 * a policy sees after the Service's translation), as a `{namespace, selector}` peer is.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const { db, path } = tmpDb();
await loadDemo(db);

const file = join(tmpDir(), 'svcnames.yaml');
// The demo's Services (docs/demo.md): shop/cart port 80 → target port `http` (8080 on its pods),
// stacklight/opensearch-master 9200 → 9200.
writeFileSync(
  file,
  `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: svcnames, title: Service DNS names }
documents:
  doc: { title: test doc, file: none.txt }
components:
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    authoritative: { egress: true }
    egress:
      - { id: cart, peer: { fqdns: [cart.shop.svc.cluster.local] }, ports: [{ port: 80 }], level: must, purpose: the cart by its Service name, source: { document: doc, line: 1 } }
  catalog:
    namespace: shop
    selector: { matchLabels: { app: catalog } }
    egress:
      - { id: search, peer: { fqdns: [opensearch-master.stacklight.svc] }, ports: [{ port: 9200 }], level: must, purpose: search, source: { document: doc, line: 2 } }
      - { id: gone, peer: { fqdns: [gone.shop.svc.cluster.local] }, ports: [{ port: 80 }], level: must, purpose: a Service not deployed, source: { document: doc, line: 3 } }
`,
);
const applied = await runCli(['matrix', 'apply', file, '--db', path]);
assert.equal(applied.code, 0, applied.err);

const ruleFindings = (fs: readonly EdgeFinding[], rule: string): EdgeFinding[] => fs.filter((f) => f.reason.includes(`${rule} (must) requires`));
const FRONTEND_TO_CART = 'workload:shop/Deployment/frontend|workload:shop/Deployment/cart|8080|TCP';

test('matrix show: a Service DNS name resolves to the Service\'s workloads on its target port; one the inventory lacks is unresolved', async () => {
  const shown = await runCli(['matrix', 'show', 'svcnames', '--db', path, '-o', 'json']);
  assert.equal(shown.code, 0, shown.err);
  const m = JSON.parse(shown.out) as { components: { rules: { id: string; active: boolean; unresolved: string[]; ports: unknown[]; peers: { kind: string; namespace?: string; workloads?: unknown[] }[] }[] }[] };
  const rules = m.components.flatMap((c) => c.rules);
  const cart = rules.find((r) => r.id === 'svcnames/frontend/egress/cart')!;
  assert.equal(cart.active, true, JSON.stringify(cart));
  assert.deepEqual(cart.peers.map((p) => [p.kind, p.namespace, p.workloads]), [['pods', 'shop', [{ namespace: 'shop', kind: 'Deployment', name: 'cart' }]]]);
  // Service port 80 → targetPort `http`, which the cart's pods declare as 8080.
  assert.deepEqual(cart.ports, [{ protocol: 'TCP', port: 8080 }]);
  const search = rules.find((r) => r.id === 'svcnames/catalog/egress/search')!;
  assert.deepEqual(search.peers.map((p) => [p.kind, p.namespace, p.workloads]), [['pods', 'stacklight', [{ namespace: 'stacklight', kind: 'StatefulSet', name: 'opensearch-master' }]]]);
  assert.deepEqual(search.ports, [{ protocol: 'TCP', port: 9200 }]);
  const gone = rules.find((r) => r.id === 'svcnames/catalog/egress/gone')!;
  assert.equal(gone.active, false);
  assert.deepEqual(gone.unresolved, ['gone.shop.svc.cluster.local names Service shop/gone, which the inventory does not hold']);
});

test('mode observed: the observed edge to the Service\'s pods confirms the rule, on every engine; an unobserved one is stood in by its pods, never an outside address', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const r = runRecommendation(input, engine, recommendOptions({ mode: 'observed', namespace: 'shop' }), { tightness: false });
    assert.deepEqual(ruleFindings(r.verification.blocked, 'svcnames/frontend/egress/cart'), [], engine);
    const search = ruleFindings(r.verification.blocked, 'svcnames/catalog/egress/search');
    assert.ok(search.length > 0, `${engine}: catalog → opensearch is not observed, mode observed cuts it`);
    for (const f of search) assert.match(f.edge, /\|workload:stacklight\/StatefulSet\/opensearch-master\|9200\|TCP$/, engine);
    assert.ok(!r.verification.blocked.some((f) => f.edge.includes('198.51.100.1')), `${engine}: ${JSON.stringify(r.verification.blocked.map((f) => f.edge))}`);
  }
});

test('mode documented: every engine renders the Service\'s pods, so the documented frontend → cart is allowed and verified (Cilium\'s toFQDNs never selects a pod)', async () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const r = runRecommendation(input, engine, recommendOptions({ mode: 'documented', namespace: 'shop' }), { tightness: false });
    assert.ok(!r.verification.denied.some((f) => f.edge === FRONTEND_TO_CART), `${engine}: ${JSON.stringify(r.verification.denied.filter((f) => f.edge === FRONTEND_TO_CART))}`);
    assert.deepEqual(ruleFindings(r.verification.blocked, 'svcnames/frontend/egress/cart'), [], engine);
  }
  const cilium = await runCli(['export', '--db', path, '--engine', 'cilium', '--mode', 'documented', '--namespace', 'shop', '--workload', 'deployment/frontend']);
  assert.equal(cilium.code, 0, cilium.err);
  assert.doesNotMatch(cilium.out, /toFQDNs/);
  assert.doesNotMatch(cilium.err, /fqdn-unresolved/);
});
