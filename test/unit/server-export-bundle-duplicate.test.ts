/**
 * `GET /api/v1/export?format=bundle&allowUnverified=true`: two manifests of one kind, namespace
 * and name have one tar entry path; the bundle would hold the path twice and unpacking it would
 * keep only the second. Answered 422 naming the path and both manifests, as `export --out DIR` refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecommendationResult } from '../../app/recommendation.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import { renderResponse } from '../../server/services/recommendation-responses.ts';

const policy = (name: string, intent: string, port: number): Manifest =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'flowmatrix' }, annotations: { 'flowmatrix.io/intent': intent } },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port, protocol: 'TCP' }] }] },
  }) as unknown as Manifest;

function result(manifests: Manifest[]): RecommendationResult {
  return {
    rec: { now: '2025-11-01T10:00:00.000Z' },
    emitted: { engine: 'kubernetes', manifests, warnings: [] },
    verification: { ok: false, admission: [], blocked: [], tightness: [], unverifiedMustFlows: [] },
  } as unknown as RecommendationResult;
}

const input = { inventory: {}, invalidMatrices: [], configWarnings: [] } as unknown as Parameters<typeof renderResponse>[2];
const query = (format: 'yaml' | 'bundle') => ({ kind: 'export' as const, engine: 'kubernetes' as const, options: {}, format, allowUnverified: true, filename: 'flowmatrix-kubernetes' });

test('bundle of two manifests of one kind, namespace and name: 422 naming the path and both intents', async () => {
  const r = await renderResponse(result([policy('web', 'shop/Deployment/web/ingress', 80), policy('web', 'shop/StatefulSet/web/ingress', 443)]), query('bundle'), input);
  assert.equal(r.problem?.kind, 'unprocessable-content', JSON.stringify(r.problem));
  assert.match(r.problem.detail, /shop\/networkpolicy-web\.yaml/);
  assert.match(r.problem.detail, /shop\/Deployment\/web\/ingress/);
  assert.match(r.problem.detail, /shop\/StatefulSet\/web\/ingress/);
  assert.equal(r.headers['X-Flowmatrix-Verified'], 'false');
});

test('the multi-document YAML of the same manifests holds both, as kubectl apply receives them', async () => {
  const r = await renderResponse(result([policy('web', 'shop/Deployment/web/ingress', 80), policy('web', 'shop/StatefulSet/web/ingress', 443)]), query('yaml'), input);
  assert.equal(r.problem, undefined);
  const text = Buffer.concat(r.body).toString('utf8');
  assert.equal(text.match(/name: web/g)?.length, 2);
});

test('a bundle of manifests of distinct names is a tar as before', async () => {
  const r = await renderResponse(result([policy('web', 'a', 80), policy('api', 'b', 443)]), query('bundle'), input);
  assert.equal(r.problem, undefined);
  assert.equal(r.contentType, 'application/x-tar');
});
