/**
 * Applying a scoped run's output replaces every applied object of the same kind, namespace and
 * name (`kubectl apply`: an object is identified by its kind, namespace and name), and that
 * applied object may select pods outside the run's scope. A pod's allowed traffic is the union of
 * the rules of the policies that select it (NetworkPolicySpec; a ClusterNetworkPolicy's subject,
 * kubernetes-sigs/network-policy-api), so replacing the object takes its rules away from those
 * pods too. The verification judges their observed sides, before (every applied policy) and after
 * (the recommendation with the applied policies it does not replace); what applying the output
 * newly cuts is blocked, naming the replaced policy, and the output is not verified.
 *
 * Cases (demo store plus the applied policies named):
 * - NetworkPolicies in shop `default-deny` (every pod, Ingress) and `shop-deployment-cart`
 *   (every `app.kubernetes.io/part-of: shop` pod, ingress from the namespace and four others):
 *   `--workload deployment/cart` emits `shop-deployment-cart` for cart alone, so frontend,
 *   catalog, payments and redis lose their ingress under default-deny.
 * - ClusterNetworkPolicies `analytics-lockdown` (Baseline 900, analytics egress Deny to every
 *   namespace) and `shop-deployment-cart` (Baseline 100, namespaces shop and analytics, egress
 *   Accept to kube-system UDP 53): `-n shop` replaces the latter, and analytics' report-builder
 *   loses its DNS.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const demo = await demoDb();

const SHOP_POLICIES = `apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny, namespace: shop}
  spec: {podSelector: {}, policyTypes: [Ingress]}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: shop-deployment-cart, namespace: shop}
  spec:
    podSelector: {matchLabels: {app.kubernetes.io/part-of: shop}}
    policyTypes: [Ingress]
    ingress:
    - from:
      - podSelector: {}
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: stacklight}}
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kyma-system}}
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tools}}
`;

const CLUSTER_POLICIES = `apiVersion: v1
kind: List
items:
- apiVersion: policy.networking.k8s.io/v1alpha2
  kind: ClusterNetworkPolicy
  metadata: {name: analytics-lockdown}
  spec:
    tier: Baseline
    priority: 900
    subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: analytics}}}
    egress:
    - {action: Deny, name: deny-all, to: [{namespaces: {}}]}
- apiVersion: policy.networking.k8s.io/v1alpha2
  kind: ClusterNetworkPolicy
  metadata: {name: shop-deployment-cart}
  spec:
    tier: Baseline
    priority: 100
    subject:
      namespaces:
        matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [shop, analytics]}]
    egress:
    - action: Accept
      name: dns
      to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
      protocols: [{udp: {destinationPort: {number: 53}}}]
`;

/** A copy of the demo store with `policies` imported as applied. */
async function withApplied(policies: string): Promise<string> {
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(demo, db);
  writeFileSync(join(dir, 'applied.yaml'), policies);
  const r = await runCli(['inventory', 'import', join(dir, 'applied.yaml'), '--db', db]);
  assert.equal(r.code, 0, r.err);
  return db;
}

interface Finding {
  workload: string;
  direction: string;
  edge: string;
  reason: string;
  replaced?: string[];
}

const cutBy = (blocked: readonly Finding[], replaced: string): Finding[] => blocked.filter((f) => f.replaced?.includes(replaced));

test('--workload deployment/cart replaces the applied shop-deployment-cart, which selected every shop pod: the ingress it leaves under default-deny is blocked, naming it (exit 2)', async () => {
  const db = await withApplied(SHOP_POLICIES);
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '-o', 'json', '--db', db]);
  assert.equal(r.code, 2, r.err);
  const v = (JSON.parse(r.out) as { verification: { ok: boolean; blocked: Finding[] } }).verification;
  assert.equal(v.ok, false);
  const cut = cutBy(v.blocked, 'NetworkPolicy/shop/shop-deployment-cart');
  const edges = cut.map((f) => `${f.workload} ${f.direction} ${f.edge}`);
  for (const expected of [
    'shop/Deployment/frontend ingress workload:ingress-nginx/Deployment/ingress-nginx-controller|workload:shop/Deployment/frontend|8080|TCP',
    'shop/Deployment/catalog ingress workload:shop/Deployment/cart|workload:shop/Deployment/catalog|8080|TCP',
    'shop/Deployment/catalog ingress workload:shop/Deployment/frontend|workload:shop/Deployment/catalog|8080|TCP',
    'shop/Deployment/payments ingress workload:shop/Deployment/frontend|workload:shop/Deployment/payments|8080|TCP',
    'shop/StatefulSet/redis ingress workload:shop/Deployment/cart|workload:shop/StatefulSet/redis|6379|TCP',
    'shop/Deployment/catalog ingress workload:stacklight/StatefulSet/prometheus-server|workload:shop/Deployment/catalog|9090|TCP',
    'shop/Deployment/catalog ingress workload:tools/Pod/netshoot|workload:shop/Deployment/catalog|8080|TCP',
  ]) {
    assert.ok(edges.includes(expected), `${expected} in ${JSON.stringify(edges, null, 1)}`);
  }
  for (const f of cut) {
    assert.match(f.reason, /^isolated for ingress by NetworkPolicy\/shop\/default-deny; no rule allows it, once the recommendation replaces the applied NetworkPolicy\/shop\/shop-deployment-cart /, f.edge);
  }
  // cart itself is the run's: its sides are judged as before, none of them cut.
  assert.ok(!v.blocked.some((f) => f.workload === 'shop/Deployment/cart'), JSON.stringify(v.blocked));

  const e = await runCli(['export', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '--db', db]);
  assert.equal(e.code, 2, e.err);
  assert.equal(e.out, '');
  assert.match(e.err, /shop\/Deployment\/catalog ingress .*: cut by replacing an applied policy \(.*, once the recommendation replaces the applied NetworkPolicy\/shop\/shop-deployment-cart /);
});

test('-n shop replaces the applied ClusterNetworkPolicy shop-deployment-cart, whose subject covers analytics too: report-builder\'s DNS it accepted ahead of analytics-lockdown is blocked, naming it (exit 2)', async () => {
  const db = await withApplied(CLUSTER_POLICIES);
  const r = await runCli(['recommend', '--engine', 'clusternetworkpolicy', '-n', 'shop', '-o', 'json', '--db', db]);
  assert.equal(r.code, 2, r.err);
  const v = (JSON.parse(r.out) as { verification: { ok: boolean; blocked: Finding[] } }).verification;
  assert.equal(v.ok, false);
  const cut = cutBy(v.blocked, 'ClusterNetworkPolicy/shop-deployment-cart');
  const dns = cut.filter((f) => f.workload === 'analytics/Deployment/report-builder' && f.direction === 'egress' && /\|dns:kube-system\/Deployment\/coredns\|53\|UDP$/.test(f.edge));
  assert.equal(dns.length, 1, JSON.stringify(cut, null, 1));
  assert.match(dns[0]!.reason, /ClusterNetworkPolicy\/analytics-lockdown.*replaces the applied ClusterNetworkPolicy\/shop-deployment-cart/);

  const e = await runCli(['export', '--engine', 'clusternetworkpolicy', '-n', 'shop', '--db', db]);
  assert.equal(e.code, 2, e.err);
  assert.equal(e.out, '');
});

test('without a same-named applied object outside the scope nothing changes: the demo\'s -n shop --workload deployment/cart is verified (exit 0)', async () => {
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '-o', 'json', '--db', demo]);
  assert.equal(r.code, 0, r.err);
});

test('GET /api/v1/export and /drift with namespace=shop over the same ClusterNetworkPolicies: 422 with X-Flowmatrix-Verified: false, the cut naming the replaced policy', async () => {
  const request = (await import('supertest')).default;
  const { createApp } = await import('../../server/app.ts');
  const { openDb } = await import('../../store/db.ts');
  const { testContext } = await import('../helpers/service.ts');
  const path = await withApplied(CLUSTER_POLICIES);
  const db = openDb(path);
  const built = createApp(testContext(db, path));
  try {
    for (const route of ['export', 'drift']) {
      const r = await request(built.app).get(`/api/v1/${route}?engine=clusternetworkpolicy&namespace=shop`);
      assert.equal(r.status, 422, `${route}: ${r.text.slice(0, 300)}`);
      assert.equal(r.headers['x-flowmatrix-verified'], 'false', route);
      const blocked = (r.body as { verification: { blocked: Finding[] } }).verification.blocked;
      assert.ok(
        cutBy(blocked, 'ClusterNetworkPolicy/shop-deployment-cart').some((f) => f.workload === 'analytics/Deployment/report-builder' && f.direction === 'egress'),
        `${route}: ${JSON.stringify(blocked, null, 1)}`,
      );
    }
  } finally {
    built.close();
    db.close();
  }
});

const DEFAULT_DENY_EGRESS = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
`;

// The run's own workload: with its full export applied (Ingress+Egress) beside a namespace egress
// default-deny, `--no-egress` emits shop-deployment-cart with policyTypes [Ingress] only. kubectl
// apply replaces the applied object of that kind, namespace and name, so cart's egress allows are
// gone, and a pod may send only what the union of the policies selecting it for egress allows
// (NetworkPolicySpec): default-deny-egress then cuts what cart sends today. The direction the run
// leaves open is no longer only the applied policies' doing.
test('--workload deployment/cart --no-egress replaces the applied shop-deployment-cart that allowed cart\'s egress: what default-deny-egress then cuts is blocked, naming it (exit 2)', async () => {
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(demo, db);
  const full = await runCli(['export', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '--db', db]);
  assert.equal(full.code, 0, full.err);
  writeFileSync(join(dir, 'applied.yaml'), `${full.out}\n${DEFAULT_DENY_EGRESS}`);
  const imported = await runCli(['inventory', 'import', join(dir, 'applied.yaml'), '--db', db]);
  assert.equal(imported.code, 0, imported.err);

  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '--no-egress', '-o', 'json', '--db', db]);
  assert.equal(r.code, 2, r.err);
  const v = (JSON.parse(r.out) as { verification: { ok: boolean; blocked: Finding[]; blockedByApplied: Finding[] } }).verification;
  assert.equal(v.ok, false);
  const cut = cutBy(v.blocked, 'NetworkPolicy/shop/shop-deployment-cart');
  assert.deepEqual(
    cut.map((f) => `${f.workload} ${f.direction} ${f.edge}`).sort(),
    [
      'shop/Deployment/cart egress workload:shop/Deployment/cart|workload:kyma-system/Deployment/telemetry-trace-gateway|4318|TCP',
      'shop/Deployment/cart egress workload:shop/Deployment/cart|workload:shop/Deployment/catalog|8080|TCP',
      'shop/Deployment/cart egress workload:shop/Deployment/cart|workload:shop/StatefulSet/redis|6379|TCP',
    ],
    JSON.stringify(v.blocked, null, 1),
  );
  for (const f of cut) {
    assert.match(f.reason, /^isolated for egress by NetworkPolicy\/shop\/default-deny-egress; no rule allows it, once the recommendation replaces the applied NetworkPolicy\/shop\/shop-deployment-cart /, f.edge);
  }
  // Said once, as the cut it is, not also as the applied policies' warning.
  assert.ok(!v.blockedByApplied.some((f) => f.workload === 'shop/Deployment/cart' && f.direction === 'egress'), JSON.stringify(v.blockedByApplied, null, 1));

  const e = await runCli(['export', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/cart', '--no-egress', '--db', db]);
  assert.equal(e.code, 2, e.err);
  assert.equal(e.out, '');
  assert.match(e.err, /shop\/Deployment\/cart egress .*catalog\|8080\|TCP: cut by replacing an applied policy \(.*NetworkPolicy\/shop\/shop-deployment-cart/);
});
