/**
 * Manifests that fail verification are never printed as if they were fine: the CLI
 * names every failure on stderr, exits 2, and prints the manifests only when asked to.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { RecommendationResult } from '../../app/recommendation.ts';
import { verifiedOrReported } from '../../cli/commands/recommend.ts';
import type { CommandContext } from '../../cli/command.ts';
import type { Verification } from '../../recommender/verify/recommendation.ts';

function context(): { ctx: CommandContext; err: () => string } {
  let err = '';
  const ctx: CommandContext = { io: { out: () => undefined, err: (t) => void (err += t), stdin: Readable.from([]) }, status: { exitCode: 0 } };
  return { ctx, err: () => err };
}

const failing: Verification = {
  engine: 'calico',
  ok: false,
  admission: [{ manifest: 'NetworkPolicy/shop/api', path: '/spec/ingress/0/source/nets', message: 'rule contains both IPv4 and IPv6 CIDRs (Calico validateRule)' }],
  blocked: [{ workload: 'shop/Deployment/api', direction: 'ingress', edge: 'workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP', reason: 'end of tier default deny' }],
  blockedByApplied: [],
  stillAllowed: [],
  denied: [],
  skipped: {},
  tightness: [],
  warnings: [],
  unverifiedMustFlows: [],
};
const result = (verification: Verification) => ({ emitted: { engine: 'calico', manifests: [], warnings: [] }, verification }) as unknown as RecommendationResult;

test('a failed verification: every failure on stderr, exit code 2, no manifests', async () => {
  const { ctx, err } = context();
  assert.equal(await verifiedOrReported(result(failing), false, ctx), false);
  assert.equal(ctx.status.exitCode, 2);
  assert.match(err(), /verification failed: NetworkPolicy\/shop\/api \/spec\/ingress\/0\/source\/nets: rule contains both IPv4 and IPv6 CIDRs/);
  assert.match(err(), /verification failed: shop\/Deployment\/api ingress workload:shop\/Deployment\/web\|workload:shop\/Deployment\/api\|8080\|TCP: denied by the recommended policies/);
  assert.match(err(), /not printed; --allow-unverified prints them anyway/);
});

test('--allow-unverified prints them, still with exit code 2 and the failures named', async () => {
  const { ctx, err } = context();
  assert.equal(await verifiedOrReported(result(failing), true, ctx), true);
  assert.equal(ctx.status.exitCode, 2);
  assert.match(err(), /FAIL verification/);
});

test('a passed verification prints quietly', async () => {
  const { ctx, err } = context();
  assert.equal(await verifiedOrReported(result({ ...failing, ok: true, admission: [], blocked: [] }), false, ctx), true);
  assert.equal(ctx.status.exitCode, 0);
  assert.equal(err(), '');
});
