/**
 * Selectors never rest on labels a controller changes per revision, role or instance: a policy on
 * them denies required traffic after the next rollout or failover. Fixtures after the field
 * report's inv1.json (CloudNativePG, Knative).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { isVolatileLabel } from '../../collectors/inventory/labels.ts';
import type { Workload } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';

const T = Date.parse('2026-12-06T05:00:00Z');
const NS = 'prod';
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } });
const pod = (name: string, labels: Record<string, string>, owner: object | undefined, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: NS, labels, ...(owner ? { ownerReferences: [owner] } : {}), creationTimestamp: '2026-12-06T04:00:00Z' },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
// CloudNativePG labels each instance pod with its role, which a switchover or failover flips, and
// its instance name (cloudnative-pg pkg/utils/labels_annotations.go: ClusterInstanceRoleLabelName
// cnpg.io/instanceRole, the deprecated ClusterRoleLabelName `role`, InstanceNameLabelName).
const cnpg = (name: string, role: string, ip: string) =>
  pod(name, { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceName': name, 'cnpg.io/podRole': 'instance', 'cnpg.io/instanceRole': role, role }, { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: 'pg', uid: 'u-pg', controller: true }, ip);
// Knative makes one Deployment per Revision, labelled and selected per revision, and sets `app` to
// the revision name unless the user gave one (knative/serving pkg/reconciler/revision/resources/meta.go
// makeLabels, makeSelector).
const knLabels = (gen: number, uid: string) => ({
  app: `hello-0000${gen}`,
  'serving.knative.dev/service': 'hello',
  'serving.knative.dev/configuration': 'hello',
  'serving.knative.dev/configurationGeneration': String(gen),
  'serving.knative.dev/revision': `hello-0000${gen}`,
  'serving.knative.dev/revisionUID': uid,
});
const knative = (gen: number, uid: string, extra: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: `hello-0000${gen}-deployment`, namespace: NS, ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: `hello-0000${gen}`, uid, controller: true }] },
  spec: { selector: { matchLabels: { 'serving.knative.dev/revisionUID': uid } }, template: template({ ...knLabels(gen, uid), ...extra }) },
});
const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

function workload(workloads: Workload[], key: string): Workload {
  const w = workloads.find((x) => workloadKey(x) === key);
  assert.ok(w, `workload ${key} exists; have ${workloads.map(workloadKey).join(', ')}`);
  return w;
}

test('CloudNativePG instances: the selector leaves out cnpg.io/instanceRole, the deprecated `role` and cnpg.io/instanceName, so it still holds the pod after a failover', () => {
  const before = convertInventoryText(list([cnpg('pg-1', 'primary', '10.244.1.20'), cnpg('pg-2', 'replica', '10.244.2.20')]), T).snapshot;
  for (const name of ['pg-1', 'pg-2']) {
    assert.deepEqual(workload(before.workloads, `prod/Pod/${name}`).selector, { matchLabels: { 'cnpg.io/cluster': 'pg', 'cnpg.io/podRole': 'instance' } });
  }
});

test('`role` and `deployment` are ordinary labels where no such controller set them: a bare pod and a Deployment keep them', () => {
  const c = convertInventoryText(
    list([
      pod('tool', { app: 'tool', role: 'db-admin', deployment: 'blue' }, undefined, '10.244.1.50'),
      {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: 'api-5d8f9c6b7d', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'u', controller: true }] },
        spec: { selector: { matchLabels: { role: 'api' } }, template: template({ role: 'api', 'pod-template-hash': '5d8f9c6b7d' }) },
      },
    ]),
    T,
  ).snapshot;
  assert.deepEqual(workload(c.workloads, 'prod/Pod/tool').selector, { matchLabels: { app: 'tool', deployment: 'blue', role: 'db-admin' } });
  assert.deepEqual(workload(c.workloads, 'prod/Deployment/api').selector, { matchLabels: { role: 'api' } });
  assert.equal(isVolatileLabel('role'), false);
  assert.equal(isVolatileLabel('deployment'), false);
  assert.equal(isVolatileLabel('app'), false);
});

test("a Knative revision's Deployment is selected by the labels every revision shares: never its revision, revisionUID, configurationGeneration, nor the `app` Knative set to the revision name", () => {
  const c = convertInventoryText(list([knative(1, 'rev-uid-1')]), T).snapshot;
  const w = workload(c.workloads, 'prod/Deployment/hello-00001-deployment');
  assert.deepEqual(w.selector, { matchLabels: { 'serving.knative.dev/configuration': 'hello', 'serving.knative.dev/service': 'hello' } });
  // An `app` the user set is theirs, the same in every revision.
  const own = convertInventoryText(list([knative(2, 'rev-uid-2', { app: 'greeter' })]), T).snapshot;
  assert.deepEqual(workload(own.workloads, 'prod/Deployment/hello-00002-deployment').selector, {
    matchLabels: { app: 'greeter', 'serving.knative.dev/configuration': 'hello', 'serving.knative.dev/service': 'hello' },
  });
});
