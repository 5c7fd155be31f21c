/**
 * An applied ClusterNetworkPolicy whose selector apimachinery cannot build: the CRD takes
 * `operator` as a bare string, so the API server stores `operator: in`, but
 * k8s.io/apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector refuses it ("\"in\" is
 * not a valid label selector operator") and the `clusternetworkpolicy` simulator reads the selector
 * as selecting nothing (domain/label-selector.ts requirementProblem; simulate/refused-selectors.ts).
 * The verification beside applied policies depends on that reading — here the applied Admin-tier
 * Deny of b → a selects nothing, so it cuts nothing — and says so in `verification.warnings`
 * (docs/recommend.md "Verification"), once per policy and field, CLI and REST alike; a valid
 * `In` says nothing and its Deny decides (`blockedByApplied`).
 *
 * Inventory and flows: test/fixtures/cnp-priority-tie (b/client → a/web on 8080), its applied
 * policy replaced by the one below.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { verifiedExport } from '../../app/export.ts';
import { readRecommendationInput } from '../../app/recommendation.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

const FIXTURE = new URL('../fixtures/cnp-priority-tie/', import.meta.url).pathname;

/** Admin-tier Deny of every ingress into namespace a from namespace b, the peer's operator as given. */
function denyFromB(operator: string): unknown {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'deny-b' },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } },
      ingress: [{ name: 'deny b', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator, values: ['b'] }] } }] }],
    },
  };
}

/** A store holding the fixture's inventory with `deny-b` (of `operator`) as its only applied policy, and its flows. */
async function storeWith(operator: string): Promise<string> {
  const inv = JSON.parse(readFileSync(join(FIXTURE, 'inv.json'), 'utf8')) as { items: { kind: string }[] };
  inv.items = [...inv.items.filter((i) => i.kind !== 'ClusterNetworkPolicy'), denyFromB(operator) as { kind: string }];
  const dir = tmpDir('flowmatrix-refused-selector-');
  writeFileSync(join(dir, 'inv.json'), JSON.stringify(inv));
  const db = join(dir, 'a.db');
  assert.equal((await runCli(['inventory', 'import', join(dir, 'inv.json'), '--taken-at', '2026-11-19T00:00:00Z', '--db', db])).code, 0);
  assert.equal((await runCli(['ingest', join(FIXTURE, 'flows.ndjson'), '--db', db])).code, 0);
  return db;
}

interface Verification {
  ok: boolean;
  warnings: string[];
  blockedByApplied: { edge: string; by?: { policy: string } }[];
}

const WARNING =
  'applied ClusterNetworkPolicy/deny-b/spec/ingress/0/from/0/namespaces/matchExpressions/0/operator: "in" is not a valid label selector operator (apimachinery LabelSelectorAsSelector): the selector selects nothing';

test('recommend --engine clusternetworkpolicy beside an applied ClusterNetworkPolicy with `operator: in`: the warning in verification.warnings, once, CLI, REST and export alike', async () => {
  const db = await storeWith('in');
  const r = await runCli(['recommend', '--engine', 'clusternetworkpolicy', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const v = (JSON.parse(r.out) as { verification: Verification }).verification;
  assert.deepEqual(v.warnings.filter((w) => w.includes('deny-b')), [WARNING]);
  // The Deny that selects nothing cuts nothing: the verdict the warning explains.
  assert.deepEqual(v.blockedByApplied, []);

  const store = openDb(db);
  try {
    const api = await request(testApp(store, db)).get('/api/v1/recommendations?engine=clusternetworkpolicy');
    assert.equal(api.status, 200, api.text);
    assert.deepEqual((api.body as { verification: Verification }).verification.warnings.filter((w) => w.includes('deny-b')), [WARNING]);
    // An export verified in chunks says it once too (verify/in-chunks.ts).
    const chunked = verifiedExport(readRecommendationInput(store, {}, { details: false }), 'clusternetworkpolicy', {}, { maxEdgeSides: 1, window: 1 });
    assert.deepEqual(chunked.verification.warnings.filter((w) => w.includes('deny-b')), [WARNING]);
  } finally {
    store.close();
  }
});

test('recommend --engine calico beside the same policy: Calico converts the selector its own way (k8sSelectorToCalico drops the expression), and the warning says so', async () => {
  const db = await storeWith('in');
  const r = await runCli(['recommend', '--engine', 'calico', '-o', 'json', '--db', db]);
  const v = (JSON.parse(r.out) as { verification: Verification }).verification;
  assert.deepEqual(v.warnings.filter((w) => w.includes('deny-b')), [
    'applied ClusterNetworkPolicy/deny-b/spec/ingress/0/from/0/namespaces/matchExpressions/0/operator: "in" is not a valid label selector operator (apimachinery LabelSelectorAsSelector): Calico converts the selector without this expression (k8sSelectorToCalico has no case for it)',
  ]);
});

test('a valid `In` says nothing, and its Deny decides (blockedByApplied)', async () => {
  const db = await storeWith('In');
  const r = await runCli(['recommend', '--engine', 'clusternetworkpolicy', '-o', 'json', '--db', db]);
  const v = (JSON.parse(r.out) as { verification: Verification }).verification;
  assert.deepEqual(v.warnings.filter((w) => w.includes('deny-b')), []);
  assert.deepEqual(v.blockedByApplied.map((b) => b.by?.policy), ['ClusterNetworkPolicy/deny-b']);
});
