/**
 * Calico output beside an applied Deny ordered between flowmatrix's `--shared` layer (900) and its
 * allowlists (1000) (test/fixtures/calico-order-beside-applied: `a/admin-deny-from-b`, default
 * tier, order 950, Deny all ingress from namespace b; connections b/client → a/web and
 * b/client → a/api on 8080, one rule both of a's workloads share). Within a tier "policies … are
 * processed in order" and the first that Allows or Denies the packet ends the evaluation
 * (docs.tigera.io reference/resources/tier, "How policy is evaluated"; lower order first): a
 * shared Allow at 900 would decide before the administrator's Deny and override it, where an
 * allowlist at 1000 (a Kubernetes NetworkPolicy's order) does not. The shared layer comes after
 * it, so the Deny still decides and the verification names what it cuts (`blockedByApplied`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifiedExport } from '../../app/export.ts';
import { readRecommendationInput, runRecommendation } from '../../app/recommendation.ts';
import { toMultiDocYaml } from '../../recommender/engines/index.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const FIXTURE = new URL('../fixtures/calico-order-beside-applied/', import.meta.url).pathname;
const ADMIN = 'NetworkPolicy.projectcalico.org/a/admin-deny-from-b';
const WEB = 'workload:b/Deployment/client|workload:a/Deployment/web|8080|TCP';
const API = 'workload:b/Deployment/client|workload:a/Deployment/api|8080|TCP';

const dir = tmpDir();
const db = join(dir, 'order.db');
assert.equal((await runCli(['inventory', 'import', join(FIXTURE, 'inv.json'), '--taken-at', '2026-11-19T00:00:00Z', '--db', db])).code, 0);
assert.equal((await runCli(['ingest', join(FIXTURE, 'flows.ndjson'), '--db', db])).code, 0);

interface Json {
  manifests: { metadata: { name: string; namespace?: string }; spec: { order: number } }[];
  verification: { ok: boolean; blocked: unknown[]; blockedByApplied: { workload: string; direction: string; edge: string; by?: { policy: string } }[] };
}

test('recommend --shared beside an applied Calico Deny at order 950: the shared layer comes at 951, after it (not at 900, before it); the allowlists stay at 1000; the cut flows in blockedByApplied naming the Deny', async () => {
  const r = await runCli(['recommend', '--engine', 'calico', '--shared', '-n', 'a', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Json;
  assert.deepEqual(out.manifests.map((m) => [m.metadata.name, m.spec.order]), [['a-deployment-api', 1000], ['a-deployment-web', 1000], ['a-shared', 951]]);
  assert.equal(out.verification.ok, true);
  assert.deepEqual(out.verification.blocked, []);
  assert.deepEqual(
    out.verification.blockedByApplied.map((f) => [f.workload, f.direction, f.edge, f.by?.policy]),
    [['a/Deployment/api', 'ingress', API, ADMIN], ['a/Deployment/web', 'ingress', WEB, ADMIN]],
  );
});

test('simulate: the administrator\'s Deny decides the flows b/client → a/* with flowmatrix\'s --shared output applied beside it, as it does without it', async () => {
  const exported = await runCli(['export', '--engine', 'calico', '--shared', '--db', db]);
  assert.equal(exported.code, 0, exported.err);
  const inventory = JSON.parse(readFileSync(join(FIXTURE, 'inv.json'), 'utf8')) as { items: { kind: string }[] };
  const applied = inventory.items.filter((i) => i.kind === 'NetworkPolicy').map((i) => JSON.stringify(i));
  const policies = join(dir, 'both.yaml');
  writeFileSync(policies, `${exported.out}---\n${applied.join('\n---\n')}\n`);
  const r = await runCli(['simulate', '--engine', 'calico', '--policies', policies, '--flows', join(FIXTURE, 'flows.ndjson'), '--db', db]);
  assert.equal(r.code, 0, r.err);
  const decisions = JSON.parse(r.out) as { server: string; verdict: string; ingress?: { by?: { policy: string } } }[];
  assert.deepEqual(
    decisions.map((d) => [d.server, d.verdict, d.ingress?.by?.policy]),
    [
      ['workload:a/Deployment/web', 'deny', ADMIN],
      ['workload:a/Deployment/web', 'deny', ADMIN],
      ['workload:a/Deployment/api', 'deny', ADMIN],
      ['workload:a/Deployment/api', 'deny', ADMIN],
    ],
  );
});

test('export writes the orders it verified, one whole emit or a group of namespaces at a time (engines/emit-in-order.ts renders them again with the same options)', async () => {
  const r = await runCli(['export', '--engine', 'calico', '--shared', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /name: a-shared\n  namespace: a\nspec:\n[\s\S]*?\n  order: 951\n/);
  const store = openDb(db);
  try {
    const input = (): ReturnType<typeof readRecommendationInput> => readRecommendationInput(store, {}, { details: false });
    const whole = runRecommendation(input(), 'calico', { shared: true }, { details: false });
    const chunked = verifiedExport(input(), 'calico', { shared: true }, { maxEdgeSides: 1, window: 1 });
    assert.deepEqual(chunked.verification, whole.verification);
    assert.equal(toMultiDocYaml([...chunked.manifests()]), toMultiDocYaml(whole.emitted.manifests));
    assert.equal(toMultiDocYaml(whole.emitted.manifests), r.out);
  } finally {
    store.close();
  }
});
