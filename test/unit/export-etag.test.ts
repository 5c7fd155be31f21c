/**
 * GET /api/v1/export's ETag names the answer, not only its bytes: the same manifests once
 * verified and once not (served with allowUnverified=true) are two answers — a 304 to a job that
 * holds the verified one's ETag would hide that they no longer are (RFC 9110 §8.8.3: an entity tag
 * tells apart representations of a resource).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { RecommendationResult, StoredRecommendInput } from '../../app/recommendation.ts';
import { renderResponse, type RecommendationQuery } from '../../server/services/recommendation-responses.ts';

const MANIFEST = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } };
const EXPORT: Extract<RecommendationQuery, { kind: 'export' }> = { kind: 'export', engine: 'kubernetes', options: {}, format: 'yaml', allowUnverified: true, filename: 'flowmatrix-kubernetes' };
const INPUT = { inventory: {} as StoredRecommendInput['inventory'] };

function result(ok: boolean): RecommendationResult {
  const blocked = ok ? [] : [{ workload: 'shop/Deployment/web', direction: 'ingress', edge: 'shop/api -> shop/web:8080/TCP', reason: 'no rule allows it' }];
  const verification = { engine: 'kubernetes', ok, admission: [], blocked, blockedByApplied: [], stillAllowed: [], denied: [], skipped: {}, tightness: [], warnings: [], unverifiedMustFlows: [] };
  return { rec: { now: '2026-12-01T00:00:00.000Z' }, emitted: { engine: 'kubernetes', manifests: [MANIFEST], warnings: [] }, verification } as unknown as RecommendationResult;
}

test('the same manifests verified and not verified have different ETags; the same answer twice the same ETag', async () => {
  const verified = await renderResponse(result(true), EXPORT, INPUT);
  const again = await renderResponse(result(true), EXPORT, INPUT);
  const unverified = await renderResponse(result(false), EXPORT, INPUT);
  assert.equal(Buffer.concat(verified.body.map((c) => Buffer.from(c))).toString(), Buffer.concat(unverified.body.map((c) => Buffer.from(c))).toString(), 'the same bytes');
  assert.equal(verified.headers['X-Flowmatrix-Verified'], 'true');
  assert.equal(unverified.headers['X-Flowmatrix-Verified'], 'false');
  assert.equal(verified.etag, again.etag);
  assert.notEqual(verified.etag, unverified.etag);
});
