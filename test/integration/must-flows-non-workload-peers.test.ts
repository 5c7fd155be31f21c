/**
 * `must` rules whose peer names no workload, and what the verification requires of them
 * (docs/recommend.md, "Verification"; recommender/synthesize/representative-flows.ts).
 *
 * 1. The world is any address, in and out of the cluster. A must rule from or to the world whose
 *    observed edges all stay inside the cluster (frontend → cart) confirms the in-cluster
 *    part only: mode observed opens those peers and cuts the outside, yet the verification passed
 *    (export exited 0). The representative world flow (198.51.100.1, TEST-NET-2) is now required
 *    on each of the rule's ports no edge from outside the cluster shows.
 * 2. CIDR, FQDN, apiserver and egress-`nodes` peers got no representative flow: in mode observed
 *    only a warning said the output cuts them. Each now gets one where one can honestly stand in:
 *    an address of the block outside its `except` (and the cluster's own addresses), an external
 *    address stored with the DNS name, the apiserver's endpoints, every addressed node.
 * 3. An FQDN with no address stored for it got none either, and a warning that "the verification
 *    cannot tell" (`Warning: 299`, exit 0) while mode observed allowed no egress on its port to
 *    any address: cut whatever the name resolves to. An address outside the cluster now stands
 *    for it, carrying the name (for Cilium's toFQDNs, which matches an address by the names seen
 *    for it); namespaces by a selector no namespace matches keep the warning.
 *
 * Checked on every engine. ClusterNetworkPolicy's ingress isolation denies pods only (its ingress
 * peers are pods and namespaces: kubernetes-sigs/network-policy-api, ClusterNetworkPolicyIngressPeer),
 * so ingress from outside the cluster is never cut there.
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

const file = join(tmpDir(), 'reprx.yaml');
writeFileSync(
  file,
  `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: reprx, title: representative test }
documents:
  doc: { title: test doc, file: none.txt }
components:
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    egress:
      - { id: anywhere-8080, peer: world, ports: [{ port: 8080 }], level: must, purpose: backends anywhere, source: { document: doc, line: 2 } }
  cart:
    namespace: shop
    selector: { matchLabels: { app: cart } }
    ingress:
      - { id: public-api, peer: world, ports: [{ port: 8080 }], level: must, purpose: the API from anywhere, source: { document: doc, line: 1 } }
    egress:
      - { id: kubelet, peer: nodes, ports: [{ port: 10250 }], level: must, purpose: kubelet metrics, source: { document: doc, line: 4 } }
  catalog:
    namespace: shop
    selector: { matchLabels: { app: catalog } }
    egress:
      - { id: api, peer: apiserver, level: must, purpose: watches the API, source: { document: doc, line: 5 } }
  payments:
    namespace: shop
    selector: { matchLabels: { app: payments } }
    egress:
      - { id: provider, peer: world, ports: [{ port: 443 }], level: must, purpose: the payment provider, source: { document: doc, line: 3 } }
      - { id: partner, peer: { cidrs: [192.0.2.0/24], except: [192.0.2.0/25] }, ports: [{ port: 443 }], level: must, purpose: partner network, source: { document: doc, line: 6 } }
  redis:
    namespace: shop
    selector: { matchLabels: { app: redis } }
    egress:
      - { id: sso, peer: { fqdns: [keycloak.example.com] }, ports: [{ port: 443 }], level: must, purpose: SSO, source: { document: doc, line: 7 } }
  postgres:
    namespace: shop
    selector: { matchLabels: { app: postgres } }
    egress:
      - { id: unseen-name, peer: { fqdns: [backup.nowhere.example.org] }, ports: [{ port: 443 }], level: must, purpose: backups, source: { document: doc, line: 8 } }
      - { id: no-namespace, peer: { namespaceSelector: { matchLabels: { team: nobody } } }, ports: [{ port: 9000 }], level: must, purpose: a team not deployed yet, source: { document: doc, line: 10 } }
      - { id: unseen-pattern, peer: { fqdns: ["*.mirror.example.net"] }, ports: [{ port: 8443 }], level: must, purpose: mirrors, source: { document: doc, line: 9 } }
`,
);
const applied = await runCli(['matrix', 'apply', file, '--db', path]);
assert.equal(applied.code, 0, applied.err);

const ruleFindings = (fs: readonly EdgeFinding[], rule: string): EdgeFinding[] => fs.filter((f) => f.reason.includes(`${rule} (must) requires`));

interface Case {
  rule: string;
  workload: string;
  direction: 'ingress' | 'egress';
  /** The representative edges, one per flow required. */
  edges: RegExp[];
  stands: string;
}

const CASES: Case[] = [
  // Observed from frontend only (and not exposed: an exposed port is open to all, the frontend's 8080 behind its Ingress).
  { rule: 'reprx/cart/ingress/public-api', workload: 'shop/Deployment/cart', direction: 'ingress', edges: [/^external:198\.51\.100\.1\|workload:shop\/Deployment\/cart\|8080\|TCP$/], stands: 'ingress from the world' },
  // Observed to cart, catalog and payments only.
  { rule: 'reprx/frontend/egress/anywhere-8080', workload: 'shop/Deployment/frontend', direction: 'egress', edges: [/\|external:198\.51\.100\.1\|8080\|TCP$/], stands: 'egress to the world' },
  // Every addressed node (docs/demo.md: a control-plane node and three workers).
  {
    rule: 'reprx/cart/egress/kubelet',
    workload: 'shop/Deployment/cart',
    direction: 'egress',
    edges: ['demo-control-plane-1', 'demo-worker-1', 'demo-worker-2', 'demo-worker-3'].map((n) => new RegExp(`\\|node:${n}\\|10250\\|TCP$`)),
    stands: 'egress to the nodes',
  },
  // The stored endpoint of default/kubernetes (10.0.0.10:6443), on its port.
  { rule: 'reprx/catalog/egress/api', workload: 'shop/Deployment/catalog', direction: 'egress', edges: [/\|apiserver\|6443\|TCP$/], stands: 'egress to the apiserver' },
  // The first host address of 192.0.2.0/24 outside its except 192.0.2.0/25: 192.0.2.128 is the network address of the 192.0.2.128/25 left (domain/ip.ts firstHostAddress).
  { rule: 'reprx/payments/egress/partner', workload: 'shop/Deployment/payments', direction: 'egress', edges: [/\|external:192\.0\.2\.129\|443\|TCP$/], stands: 'egress to 192.0.2.0/24' },
  // The address stored with the name (docs/demo.md externals: keycloak.example.com is 203.0.113.90).
  { rule: 'reprx/redis/egress/sso', workload: 'shop/StatefulSet/redis', direction: 'egress', edges: [/\|external:203\.0\.113\.90\|443\|TCP$/], stands: 'egress to keycloak.example.com' },
  // No address stored with the name or under the domain: an address outside the cluster, the world's, carrying a name the rule names (representative-flows.ts).
  { rule: 'reprx/postgres/egress/unseen-name', workload: 'shop/StatefulSet/postgres', direction: 'egress', edges: [/\|external:198\.51\.100\.1\|443\|TCP$/], stands: 'egress to backup.nowhere.example.org' },
  { rule: 'reprx/postgres/egress/unseen-pattern', workload: 'shop/StatefulSet/postgres', direction: 'egress', edges: [/\|external:198\.51\.100\.1\|8443\|TCP$/], stands: 'egress to *.mirror.example.net' },
];

const cut = (engine: string, c: Case): boolean => !(engine === 'clusternetworkpolicy' && c.direction === 'ingress');

test('mode observed: each must flow to or from a peer that names no workload, not observed there, is blocked with its representative on every engine', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed', namespace: 'shop' }), { tightness: false });
    for (const c of CASES) {
      const found = ruleFindings(v.blocked, c.rule);
      if (!cut(engine, c)) {
        assert.deepEqual(found, [], `${engine} ${c.rule}`);
        continue;
      }
      assert.equal(found.length, c.edges.length, `${engine} ${c.rule}: ${JSON.stringify(found.map((f) => f.edge))}`);
      for (const [i, edge] of c.edges.entries()) {
        const f = found.find((x) => edge.test(x.edge));
        assert.ok(f, `${engine} ${c.rule} #${i}: ${JSON.stringify(found.map((x) => x.edge))}`);
        assert.equal(f.workload, c.workload);
        assert.equal(f.direction, c.direction);
        assert.ok(f.reason.includes(`${c.rule} (must) requires ${c.stands}, not observed yet (`), `${engine}: ${f.reason}`);
        assert.match(f.reason, /mode union keeps it \(--mode union, mode=union\)$/);
      }
    }
    // Seen going outside the cluster on its port (payments → 203.0.113.50:443): the world part is observed, nothing more is required.
    assert.deepEqual(ruleFindings(v.blocked, 'reprx/payments/egress/provider'), [], engine);
  }
});

test('mode union renders each rule, and its manifests admit every representative on every engine', () => {
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'union', namespace: 'shop' }), { tightness: false });
    for (const c of CASES) assert.deepEqual(ruleFindings(v.blocked, c.rule), [], `${engine} ${c.rule}`);
  }
});

test('export --mode observed exits 2 naming the cut world flows the in-cluster edges hid; mode union exits 0', async () => {
  const observed = await runCli(['export', '--db', path, '--engine', 'kubernetes', '--mode', 'observed', '--namespace', 'shop', '--workload', 'deployment/cart']);
  assert.equal(observed.code, 2, observed.err);
  assert.ok(observed.err.includes('reprx/cart/ingress/public-api (must) requires ingress from the world, not observed yet (198.51.100.1 on 8080/TCP stands for it)'), observed.err);
  const egress = await runCli(['export', '--db', path, '--engine', 'kubernetes', '--mode', 'observed', '--namespace', 'shop', '--workload', 'deployment/frontend']);
  assert.equal(egress.code, 2, egress.err);
  assert.ok(egress.err.includes('reprx/frontend/egress/anywhere-8080 (must) requires egress to the world, not observed yet (198.51.100.1 on 8080/TCP stands for it)'), egress.err);
  const union = await runCli(['export', '--db', path, '--engine', 'kubernetes', '--mode', 'union', '--namespace', 'shop', '--workload', 'deployment/frontend']);
  assert.equal(union.code, 0, union.err);
});

test('an FQDN with no address stored for it: an outside address stands in, so export --mode observed exits 2 naming the rule and mode union exits 0, on every engine', async () => {
  // The finder's case: mode observed renders no egress on 443 at all, so the rule is cut whatever
  // the name resolves to; "the verification cannot tell" (exit 0, Warning: 299) was false.
  for (const engine of ENGINE_NAMES) {
    const observed = await runCli(['export', '--db', path, '--engine', engine, '--mode', 'observed', '--namespace', 'shop', '--workload', 'sts/postgres']);
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.ok(observed.err.includes('reprx/postgres/egress/unseen-name (must) requires egress to backup.nowhere.example.org, not observed yet (198.51.100.1 on 443/TCP stands for it)'), `${engine}: ${observed.err}`);
    assert.ok(observed.err.includes('reprx/postgres/egress/unseen-pattern (must) requires egress to *.mirror.example.net, not observed yet (198.51.100.1 on 8443/TCP stands for it)'), `${engine}: ${observed.err}`);
    assert.doesNotMatch(observed.err, /no address is stored with the DNS name/, engine);
    const union = await runCli(['export', '--db', path, '--engine', engine, '--mode', 'union', '--namespace', 'shop', '--workload', 'sts/postgres']);
    assert.equal(union.code, 0, `${engine}: ${union.err}`);
  }
  const r = await request(testApp(db, path)).get('/api/v1/export?engine=kubernetes&mode=union&namespace=shop&workload=sts/postgres');
  const header = ([] as string[]).concat(r.headers['warning'] ?? []).join('\n');
  assert.ok(!header.includes('reprx/postgres/egress/unseen-'), `${r.status}: ${header}`);
});

test('the must flows the verification cannot judge are a typed list of the verification (unverifiedMustFlows), and /export sends exactly those as Warning: 299, whatever their wording', async () => {
  const input = readRecommendationInput(db, {});
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'union', namespace: 'shop' }), { tightness: false });
  const typed = (v as unknown as { unverifiedMustFlows?: string[] }).unverifiedMustFlows;
  assert.ok(Array.isArray(typed), 'verification.unverifiedMustFlows is a list');
  assert.ok(typed.some((w) => w.startsWith('reprx/postgres/egress/no-namespace (must: a team not deployed yet)')), JSON.stringify(typed));
  // Also in `warnings`, where every reader of the verification already looks.
  for (const w of typed) assert.ok(v.warnings.includes(w), w);
  const r = await request(testApp(db, path)).get('/api/v1/export?engine=kubernetes&mode=union&namespace=shop');
  const sent = ([] as string[]).concat(r.headers['warning'] ?? []).flatMap((h) => h.split(/,\s*(?=299 )/)).filter((h) => h.startsWith('299 - "reprx/') || h.startsWith('299 - "worldx/'));
  assert.equal(sent.length, typed.length, `${r.status}: ${JSON.stringify(sent)}`);
});
