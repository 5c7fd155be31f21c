/**
 * Flow records name a pod's owner as their collector resolved it: NetObserv's flowlogs-pipeline
 * resolves only ReplicaSet owners (a Rollout's pod is `Rollout/web`, a DeploymentConfig's
 * `ReplicationController/frontend-2`, a CronJob's `Job/report-29942225`), Hubble's
 * `workloads` follows cilium pkg/k8s/utils/workload.go GetWorkloadMetaFromPod (a Rollout's pod is
 * `ReplicaSet/web-7c9d5f8b6c`, since it carries no pod-template-hash; a DeploymentConfig's
 * `DeploymentConfig/frontend`). Each must land on the inventory's workload, never on a workload
 * that does not exist (its traffic would be left out of the policy). Fixtures after the field
 * report's inv2.json and flows.mjs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { PeerResolver } from '../../collectors/prometheus/peers.ts';
import { IpHistory } from '../../domain/ip-history.ts';
import type { ResolutionData } from '../../domain/resolution.ts';

const T = Date.parse('2026-12-06T05:10:00Z');
const NS = 'prod';
const owner = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, name, uid: `uid-${name}`, controller: true });
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } });
const pod = (name: string, labels: Record<string, string>, own: object, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: NS, labels, ownerReferences: [own], creationTimestamp: '2026-12-06T05:04:00Z' },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
const webLabels = { app: 'web', 'rollouts-pod-template-hash': '7c9d5f8b6c' };
const feLabels = { app: 'frontend', deployment: 'frontend-2', deploymentconfig: 'frontend' };
const inventory = convertInventoryText(
  JSON.stringify({
    apiVersion: 'v1', kind: 'List',
    items: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-7c9d5f8b6c', namespace: NS, ownerReferences: [owner('argoproj.io/v1alpha1', 'Rollout', 'web')] }, spec: { selector: { matchLabels: webLabels }, template: template(webLabels) } },
      pod('web-7c9d5f8b6c-tz4mn', webLabels, owner('apps/v1', 'ReplicaSet', 'web-7c9d5f8b6c'), '10.244.1.12'),
      { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'frontend-2', namespace: NS, ownerReferences: [owner('apps.openshift.io/v1', 'DeploymentConfig', 'frontend')] }, spec: { selector: feLabels, template: template(feLabels) } },
      pod('frontend-2-p4w2x', feLabels, owner('v1', 'ReplicationController', 'frontend-2'), '10.244.1.13'),
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: NS }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template({ app: 'report' }) } } } },
      // A ReplicaSet whose owner flowmatrix does not model: the inventory holds its pod as a bare pod.
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'canary-6b9f8c7d54', namespace: NS, ownerReferences: [owner('example.com/v1', 'Canary', 'canary')] }, spec: { selector: { matchLabels: { app: 'canary' } }, template: template({ app: 'canary' }) } },
      pod('canary-6b9f8c7d54-x2x9k', { app: 'canary' }, owner('apps/v1', 'ReplicaSet', 'canary-6b9f8c7d54'), '10.244.1.40'),
    ],
  }),
  T,
).snapshot;
const data: ResolutionData = {
  ipHistory: new IpHistory(),
  workloads: inventory.workloads,
  services: inventory.services,
  endpointSlices: [],
  nodes: [],
  apiserver: [],
  dnsWorkloads: [],
  ownerAliases: inventory.ownerAliases ?? [],
};

const resolved = (ownerKind: string, ownerName: string, podName?: string): string[] =>
  new ResolutionIndex(data).resolve({ ip: '10.244.9.9', port: 8080, meta: { kind: 'pod', namespace: NS, ownerKind, ownerName, ...(podName ? { podName } : {}) } }, T).map((s) => s.key);

test("Hubble's ReplicaSet owner of a Rollout's pod resolves as the inventory resolved that ReplicaSet, the Rollout: never a Deployment named by stripping the hash", () => {
  assert.deepEqual(resolved('ReplicaSet', 'web-7c9d5f8b6c', 'web-7c9d5f8b6c-wq9rb'), ['workload:prod/Rollout/web']);
  // A ReplicaSet of a later rollout, not yet in the inventory: the workload the inventory lists under that name is the Rollout.
  assert.deepEqual(resolved('ReplicaSet', 'web-5d6c7b8f9d', 'web-5d6c7b8f9d-k2m4p'), ['workload:prod/Rollout/web']);
});

test("a ReplicaSet the inventory holds for bare pods resolves to the pod's own workload, never to a guessed Deployment", () => {
  assert.deepEqual(resolved('ReplicaSet', 'canary-6b9f8c7d54', 'canary-6b9f8c7d54-x2x9k'), ['workload:prod/Pod/canary-6b9f8c7d54-x2x9k']);
});

test("a pod the inventory knows is the inventory's workload whatever owner the record names (NetObserv names the first owner reference, controller or not; Hubble and Prometheus records alike)", () => {
  // The inventory holds canary-6b9f8c7d54-x2x9k as a bare pod (its ReplicaSet's owner is no modelled kind).
  assert.deepEqual(resolved('Deployment', 'canary', 'canary-6b9f8c7d54-x2x9k'), ['workload:prod/Pod/canary-6b9f8c7d54-x2x9k']);
  assert.deepEqual(resolved('StatefulSet', 'web', 'web-7c9d5f8b6c-tz4mn'), ['workload:prod/Rollout/web']);
});

test("NetObserv's Rollout/web and ReplicationController/frontend-2, Hubble's DeploymentConfig/frontend resolve to the inventory's Rollout and DeploymentConfig", () => {
  assert.deepEqual(resolved('Rollout', 'web', 'web-7c9d5f8b6c-tz4mn'), ['workload:prod/Rollout/web']);
  assert.deepEqual(resolved('ReplicationController', 'frontend-2', 'frontend-2-p4w2x'), ['workload:prod/DeploymentConfig/frontend']);
  assert.deepEqual(resolved('DeploymentConfig', 'frontend', 'frontend-2-p4w2x'), ['workload:prod/DeploymentConfig/frontend']);
  // A later deployment's ReplicationController (<dc>-<version>), not yet imported, of a DeploymentConfig the inventory lists.
  assert.deepEqual(resolved('ReplicationController', 'frontend-3', 'frontend-3-abcde'), ['workload:prod/DeploymentConfig/frontend']);
});

test('a Job run missing from the last snapshot, named <cronjob>-<8..10 digits> (the CronJob controller\'s naming; cilium reads it so too), resolves to the CronJob the inventory lists', () => {
  assert.deepEqual(resolved('Job', 'report-29942225', 'report-29942225-k9d2s'), ['workload:prod/CronJob/report']);
  // No CronJob `migrate` in the inventory: a Job of its own.
  assert.deepEqual(resolved('Job', 'migrate-29942225'), ['workload:prod/Job/migrate-29942225']);
  // KEDA names a ScaledJob's Jobs <scaledjob>-<random> (kedacore/keda pkg/scaling/executor/scale_jobs.go GenerateName): each run is its own Job.
  assert.deepEqual(resolved('Job', 'worker-7xk2p'), ['workload:prod/Job/worker-7xk2p']);
});

test('the Prometheus collector resolves series naming a Rollout, a DeploymentConfig or its ReplicationController, instead of skipping them as unsupported', () => {
  const peers = new PeerResolver(new ResolutionIndex(data), inventory.workloads);
  const keys = (workloadKind: string, name: string) => {
    const r = peers.resolve({ kind: 'workload', namespace: NS, name, workloadKind }, T, 8080);
    return Array.isArray(r) ? r.map((s) => s.key) : r;
  };
  assert.deepEqual(keys('Rollout', 'web'), ['workload:prod/Rollout/web']);
  assert.deepEqual(keys('DeploymentConfig', 'frontend'), ['workload:prod/DeploymentConfig/frontend']);
  assert.deepEqual(keys('ReplicationController', 'frontend-2'), ['workload:prod/DeploymentConfig/frontend']);
  assert.deepEqual(keys('StrimziPodSet', 'my-cluster-kafka'), { reason: 'unsupported-workload-kind', value: 'prod/StrimziPodSet/my-cluster-kafka' });
});
