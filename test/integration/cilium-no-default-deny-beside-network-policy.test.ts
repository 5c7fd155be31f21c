/**
 * A CiliumNetworkPolicy with `enableDefaultDeny: {ingress: false}` beside an applied NetworkPolicy
 * on the same pod, on Cilium. The agent decides default deny per endpoint over every rule selecting
 * it, its own and those converted from NetworkPolicies (cilium/cilium pkg/policy/repository.go
 * computePolicyEnforcementAndRules: "At least one default-deny rule is present. Then, policy is
 * enabled"; a wildcard allow only where "Only non-default-deny rules are present"), and a
 * NetworkPolicy's rules deny by default (pkg/policy/api Rule.Sanitize). So the NetworkPolicy still
 * isolates the pod: what it does not allow is dropped, and a run whose client it cuts says so.
 * A cluster reduced to what shows it: client (namespace a) calls server (namespace b) on 8080.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { CLIENT_SERVER_EDGE, clientCall, twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();
const CILIUM = '  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1 } }';
/** Applied in namespace b: server admits its own namespace only. */
const SERVER_FROM_B = '  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: server-from-b, namespace: b }, spec: { podSelector: { matchLabels: { app: server } }, policyTypes: [Ingress], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080, protocol: TCP }] }] } }';
/** Applied in namespace b: a deny of an unrelated peer that sets no default deny. */
const SERVER_NODD = '  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-nodd, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: nobody } }] }] } }';

async function blockedByApplied(applied: string) {
  const { db } = tmpDb();
  importInventory(db, { text: twoNamespaceInventory(`${CILIUM}\n${applied}`), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${clientCall(NOW)}\n`]) }], { format: 'hubble' });
  const v = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ now: NOW, namespace: 'a' }), { tightness: false }).verification;
  return v.blockedByApplied.filter((f) => f.edge === CLIENT_SERVER_EDGE);
}

test('-n a: the applied NetworkPolicy cuts a → b:8080 at server\'s ingress beside a CiliumNetworkPolicy with enableDefaultDeny.ingress false, as it does alone (pkg/policy/repository.go computePolicyEnforcementAndRules)', async () => {
  for (const applied of [SERVER_FROM_B, `${SERVER_FROM_B}\n${SERVER_NODD}`]) {
    const found = await blockedByApplied(applied);
    assert.equal(found.length, 1, applied);
    assert.equal(found[0]!.farSide, 'ingress');
    assert.match(found[0]!.reason, /isolated for ingress by NetworkPolicy\/b\/server-from-b; no rule allows it/);
  }
  // The CiliumNetworkPolicy alone denies nothing by default.
  assert.deepEqual(await blockedByApplied(SERVER_NODD), []);
});
