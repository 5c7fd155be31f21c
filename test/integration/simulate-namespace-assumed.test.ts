/**
 * POST /api/v1/simulate (and `flowmatrix simulate`): a namespaced policy — NetworkPolicy,
 * CiliumNetworkPolicy, Calico NetworkPolicy (and NetworkSet) — without `metadata.namespace` is put
 * by `kubectl apply` in the current context's namespace ("namespace: if present, the namespace
 * scope for this CLI request", kubectl --namespace; kubernetes.io "Namespaces": "Kubernetes
 * starts with ... default"), which flowmatrix does not know: it is simulated in `default`, as
 * before, and the answer says so, naming the manifest by where it sits, so a deny-all written for
 * another namespace is not taken as deciding nothing without a word.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { simulateFlows } from '../../app/simulate.ts';
import { openDb } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';

const denyAll = (apiVersion: string, kind: string, metadata: string, spec: string): string => [`apiVersion: ${apiVersion}`, `kind: ${kind}`, `metadata: ${metadata}`, `spec: ${spec}`].join('\n');

const CASES = [
  { engine: 'kubernetes', manifest: denyAll('networking.k8s.io/v1', 'NetworkPolicy', '{name: deny-all}', '{podSelector: {}, policyTypes: [Ingress]}'), id: 'NetworkPolicy/deny-all' },
  { engine: 'cilium', manifest: denyAll('cilium.io/v2', 'CiliumNetworkPolicy', '{name: deny-all}', '{endpointSelector: {}, ingress: [{}]}'), id: 'CiliumNetworkPolicy/deny-all' },
  { engine: 'calico', manifest: denyAll('projectcalico.org/v3', 'NetworkPolicy', '{name: deny-all}', '{selector: all(), types: [Ingress]}'), id: 'NetworkPolicy.projectcalico.org/deny-all' },
] as const;

const NAMED = denyAll('networking.k8s.io/v1', 'NetworkPolicy', '{name: allow-none, namespace: shop}', '{podSelector: {}, policyTypes: [Ingress]}');

for (const c of CASES) {
  test(`${c.engine} simulate: ${c.id} without metadata.namespace is simulated in "default" with a warning naming its document`, () => {
    const db = openDb(':memory:');
    try {
      const r = simulateFlows(db, { engine: c.engine, policies: `${NAMED}\n---\n${c.manifest}\n`, flows: '[]' });
      const said = r.warnings.filter((w) => /metadata\.namespace/.test(w));
      assert.equal(said.length, 1, r.warnings.join('\n'));
      assert.match(said[0]!, /^document 2 /, said[0]);
      assert.match(said[0]!, /deny-all/, said[0]);
      assert.match(said[0]!, /"default"/, said[0]);
    } finally {
      db.close();
    }
  });
}

test('a namespaced policy that names its namespace, and a cluster-scoped one, get no such warning', () => {
  const db = openDb(':memory:');
  try {
    const global = denyAll('projectcalico.org/v3', 'GlobalNetworkPolicy', '{name: g}', '{selector: all(), types: [Ingress]}');
    const r = simulateFlows(db, { engine: 'calico', policies: `${NAMED}\n---\n${global}\n`, flows: '[]' });
    assert.deepEqual(r.warnings.filter((w) => /metadata\.namespace/.test(w)), []);
  } finally {
    db.close();
  }
});

test('POST /api/v1/simulate: the warning is a Warning: 299 header; a single object is named input, as the 422s name it', async () => {
  const db = openDb(':memory:');
  try {
    const res = await request(testApp(db, ':memory:'))
      .post('/api/v1/simulate')
      .send({ engine: 'kubernetes', policies: `${CASES[0].manifest}\n`, flows: [] });
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const header = String(res.headers['warning'] ?? '');
    assert.match(header, /^299 - "input \(NetworkPolicy\/deny-all\): no metadata\.namespace.*\\?"default\\?"/, header);
  } finally {
    db.close();
  }
});
