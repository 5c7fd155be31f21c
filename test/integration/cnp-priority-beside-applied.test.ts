/**
 * ClusterNetworkPolicy output beside an applied Baseline policy at the priority of flowmatrix's
 * allowlists (test/fixtures/cnp-priority-tie: `zz-lockdown`, Baseline 200, Deny all ingress into
 * namespace a; a required connection b/client → a/web on 8080). Policies of one tier and priority
 * that "could match a connection" are applied in any order ("the implementation can apply any of
 * the matching policies": kubernetes-sigs/network-policy-api apis/v1alpha2/
 * clusternetworkpolicy_types.go, `Priority`), so the allowlist takes the next free priority after
 * the applied one (lower value = evaluated first): no tie, and the applied Deny still decides
 * first — the user's lockdown is not overridden, and the verification says what it cuts
 * (`blockedByApplied`, a warning) instead of failing on an undetermined order (docs/engines.md).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifiedExport } from '../../app/export.ts';
import { readRecommendationInput, runRecommendation } from '../../app/recommendation.ts';
import { toMultiDocYaml } from '../../recommender/engines/index.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const FIXTURE = new URL('../fixtures/cnp-priority-tie/', import.meta.url).pathname;
const EDGE = 'workload:b/Deployment/client|workload:a/Deployment/web|8080|TCP';

const db = join(tmpDir(), 'tie.db');
assert.equal((await runCli(['inventory', 'import', join(FIXTURE, 'inv.json'), '--taken-at', '2026-11-19T00:00:00Z', '--db', db])).code, 0);
assert.equal((await runCli(['ingest', join(FIXTURE, 'flows.ndjson'), '--db', db])).code, 0);

interface Json {
  manifests: { metadata: { name: string }; spec: { priority: number } }[];
  verification: { ok: boolean; blocked: unknown[]; blockedByApplied: { workload: string; direction: string; edge: string; by?: { policy: string } }[] };
}

test('recommend beside an applied Baseline Deny at priority 200: the allowlist Accept comes at 201, after it (not tied, not overriding it); verified, exit 0, the cut flow in blockedByApplied naming zz-lockdown', async () => {
  const r = await runCli(['recommend', '--engine', 'clusternetworkpolicy', '-n', 'a', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Json;
  assert.deepEqual(out.manifests.map((m) => [m.metadata.name, m.spec.priority]), [['a-deployment-web', 201], ['a-deployment-web-isolation', 500]]);
  assert.equal(out.verification.ok, true);
  assert.deepEqual(out.verification.blocked, []);
  assert.deepEqual(out.verification.blockedByApplied.map((f) => [f.workload, f.direction, f.edge, f.by?.policy]), [['a/Deployment/web', 'ingress', EDGE, 'ClusterNetworkPolicy/zz-lockdown']]);
});

test('export writes the priorities it verified, one whole emit or a group of namespaces at a time (engines/emit-in-order.ts renders them again with the same options)', async () => {
  const r = await runCli(['export', '--engine', 'clusternetworkpolicy', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /name: a-deployment-web\n[\s\S]*?priority: 201\n/);
  assert.match(r.out, /name: b-deployment-client\n[\s\S]*?priority: 201\n/);
  const store = openDb(db);
  try {
    const input = (): ReturnType<typeof readRecommendationInput> => readRecommendationInput(store, {}, { details: false });
    const whole = runRecommendation(input(), 'clusternetworkpolicy', {}, { details: false });
    const chunked = verifiedExport(input(), 'clusternetworkpolicy', {}, { maxEdgeSides: 1, window: 1 });
    assert.equal(whole.verification.ok, true);
    assert.deepEqual(chunked.verification, whole.verification);
    assert.equal(toMultiDocYaml([...chunked.manifests()]), toMultiDocYaml(whole.emitted.manifests));
    assert.equal(toMultiDocYaml(whole.emitted.manifests), r.out);
  } finally {
    store.close();
  }
});
