/**
 * Two manifests with one kind, namespace and name are one object to the API server: applying
 * both keeps the last, so the verified set is not the applied one (Kubernetes API conventions:
 * a name is unique per kind and namespace, or per kind for cluster-scoped objects such as
 * ClusterNetworkPolicy). duplicateNameErrors names each repeated name and the intents behind it;
 * the names flowmatrix makes never repeat: test/fixtures/name-collisions holds workloads whose
 * cluster-wide names would be one (`x/pod/y-pod-z` and `x-pod-y/pod/z`), and every engine exports them. A workload named like another's
 * derived policy (`web-isolation`) gets a name of its own (test/integration/derived-name-collisions.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifiedExport } from '../../app/export.ts';
import { readRecommendationInput, runRecommendation, verificationFailures } from '../../app/recommendation.ts';
import { duplicateNameErrors } from '../../recommender/verify/duplicate-names.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const FIXTURE = new URL('../fixtures/name-collisions/', import.meta.url).pathname;

test('duplicateNameErrors: one error per manifest whose kind, namespace and name repeat, naming the intents; unique names none', () => {
  const slot = (kind: string, ns: string, name: string, intent: string) => ({ key: `${kind}\u0000${ns}\u0000${name}`, intent });
  const errors = duplicateNameErrors([slot('ClusterNetworkPolicy', '', 'a-b', 'a/pod/b'), slot('ClusterNetworkPolicy', '', 'a-b', 'a-b/pod/x'), slot('NetworkPolicy', 'a', 'a-b', 'a/pod/b'), slot('NetworkPolicy', 'c', 'a-b', 'c/pod/b')]);
  assert.deepEqual(errors.map((e) => [e.error.manifest, e.error.path]), [['ClusterNetworkPolicy/a-b', '/metadata/name'], ['ClusterNetworkPolicy/a-b', '/metadata/name']]);
  // Not refused: a second object of one name is an update of the first (`kubectl apply`), and a
  // ClusterNetworkPolicy's name is cluster-wide (network-policy-api apis/v1alpha2
  // clusternetworkpolicy_types.go, `+kubebuilder:resource:scope=Cluster`).
  assert.equal(
    errors[0]!.error.message,
    '2 manifests of this recommendation are one object to the API server (same kind and name, cluster-scoped; intents a-b/pod/x, a/pod/b): it accepts each, and the one applied last replaces the other, so what was verified is not what is applied',
  );
  const namespaced = duplicateNameErrors([slot('NetworkPolicy', 'a', 'a-b', 'a/pod/b'), slot('NetworkPolicy', 'a', 'a-b', 'a/pod/c'), slot('NetworkPolicy', 'a', 'a-b', 'a/pod/d')]);
  assert.match(namespaced[0]!.error.message, /^3 manifests of this recommendation are one object to the API server \(same kind, namespace and name; intents a\/pod\/b, a\/pod\/c, a\/pod\/d\): it accepts each, and the one applied last replaces the others,/);
  assert.deepEqual(verificationFailures({ admission: errors.map((e) => e.error), blocked: [] }), [`ClusterNetworkPolicy/a-b /metadata/name: ${errors[0]!.error.message}`], 'said once, and not as a refusal');
});

test('clusternetworkpolicy names of workloads whose cluster-wide names would be one (x/pod/y-pod-z and x-pod-y/pod/z) come out distinct: the namespace holding a kind word carries its key\'s hash (policy/names.ts clusterPolicyName); every engine exports', async () => {
  const db = join(tmpDir(), 'collide.db');
  assert.equal((await runCli(['inventory', 'import', join(FIXTURE, 'inv.json'), '--taken-at', '2026-11-20T00:00:00Z', '--db', db])).code, 0);
  assert.equal((await runCli(['ingest', join(FIXTURE, 'flows.jsonl'), '--db', db])).code, 0);
  const cnp = await runCli(['export', '--engine', 'clusternetworkpolicy', '--no-egress', '--db', db]);
  assert.equal(cnp.code, 0, cnp.err);
  assert.match(cnp.out, /name: x-pod-y-pod-z\n/, 'x/pod/y-pod-z keeps its plain name');
  assert.match(cnp.out, /name: x-pod-y-pod-z-[0-9a-f]{8}\n/, 'x-pod-y/pod/z carries its hash');
  const store = openDb(db);
  try {
    const input = (): ReturnType<typeof readRecommendationInput> => readRecommendationInput(store, {}, { details: false });
    const whole = runRecommendation(input(), 'clusternetworkpolicy', { egress: false }, { details: false });
    const chunked = verifiedExport(input(), 'clusternetworkpolicy', { egress: false }, { maxEdgeSides: 1, window: 2 });
    assert.deepEqual(whole.verification.admission, []);
    assert.deepEqual(chunked.verification, whole.verification);
  } finally {
    store.close();
  }
  for (const engine of ['kubernetes', 'cilium', 'calico']) {
    const r = await runCli(['export', '--engine', engine, '--no-egress', '--db', db]);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
  }
});
