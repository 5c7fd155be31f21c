/**
 * POST /api/v1/simulate (and `flowmatrix simulate`) refuse a policy the engine would refuse, every
 * problem named by the manifest and the field. A manifest without `metadata.name` has no name to
 * be named by: it is named by where it sits in the input (`document 3`), never as
 * `NetworkPolicy/shop/undefined`, and its problem is that the name is missing (the API server:
 * "metadata.name: Required value: name or generateName is required", apimachinery
 * ValidateObjectMeta), not that `undefined` is no DNS-1123 subdomain.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { openDb } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';

const policies = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: a, namespace: shop}',
  'spec: {podSelector: {}}',
  '---',
  'apiVersion: cilium.io/v2',
  'kind: CiliumNetworkPolicy',
  'metadata: {namespace: shop}',
  'spec: {endpointSelector: {}}',
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {namespace: shop}',
  'spec: {podSelector: {}}',
  '',
].join('\n');

interface Problem {
  detail: string;
  errors?: { path: string; message: string }[];
}

test('a manifest without a name is named by its document, and its problem is the missing name', async () => {
  const db = openDb(':memory:');
  try {
    const res = await request(testApp(db, ':memory:'))
      .post('/api/v1/simulate')
      .send({ engine: 'kubernetes', policies, flows: [] });
    assert.equal(res.status, 422, res.text.slice(0, 400));
    const body = res.body as Problem;
    assert.doesNotMatch(res.text, /undefined/, res.text);
    assert.match(body.detail, /document 2/);
    assert.match(body.detail, /document 3/);
    const paths = (body.errors ?? []).map((e) => `${e.path}: ${e.message}`);
    assert.ok(paths.some((p) => /^CiliumNetworkPolicy\/shop\/\(no name, document 2\)\/metadata\/name: /.test(p)), paths.join('\n'));
    assert.ok(paths.some((p) => /^NetworkPolicy\/shop\/\(no name, document 3\)\/metadata\/name: name or generateName is required$/.test(p)), paths.join('\n'));
    // One problem per missing name: not the API server's words again as "not a DNS-1123 subdomain".
    assert.equal(paths.filter((p) => p.includes('document 3')).length, 1, paths.join('\n'));
  } finally {
    db.close();
  }
});

test('two manifests without a name are no duplicates of one object: each is refused for its missing name', async () => {
  const unnamed = ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {namespace: shop}', 'spec: {podSelector: {}}'].join('\n');
  const db = openDb(':memory:');
  try {
    const res = await request(testApp(db, ':memory:'))
      .post('/api/v1/simulate')
      .send({ engine: 'kubernetes', policies: `${unnamed}\n---\n${unnamed}\n`, flows: [] });
    assert.equal(res.status, 422, res.text.slice(0, 400));
    const paths = ((res.body as Problem).errors ?? []).map((e) => `${e.path}: ${e.message}`);
    assert.deepEqual(paths, [
      'NetworkPolicy/shop/(no name, document 1)/metadata/name: name or generateName is required',
      'NetworkPolicy/shop/(no name, document 2)/metadata/name: name or generateName is required',
    ]);
  } finally {
    db.close();
  }
});
