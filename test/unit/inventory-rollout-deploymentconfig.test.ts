/**
 * Argo Rollouts and OpenShift DeploymentConfigs are workloads: their pods resolve through
 * Pod → ReplicaSet → Rollout and Pod → ReplicationController → DeploymentConfig, with selectors
 * from the labels every revision shares. Fixtures after the field report's inv1.json/inv2.json.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import type { Workload } from '../../domain/inventory.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import { canonicalWorkloadName } from '../../domain/workload-name.ts';

const T = Date.parse('2026-12-06T05:00:00Z');
const NS = 'prod';
const API: Record<string, string> = { Rollout: 'argoproj.io/v1alpha1', ReplicaSet: 'apps/v1', ReplicationController: 'v1', DeploymentConfig: 'apps.openshift.io/v1' };
const owner = (kind: string, name: string) => ({ apiVersion: API[kind], kind, name, uid: `uid-${name}`, controller: true });
const template = (labels: Record<string, string>, port: number) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: port, protocol: 'TCP' }] }] } });
const pod = (name: string, labels: Record<string, string>, own: object, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: NS, labels, ownerReferences: [own], creationTimestamp: '2026-12-06T04:00:00Z' },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
// Argo Rollouts adds rollouts-pod-template-hash to each ReplicaSet's selector and pods (argo-rollouts
// pkg/apis/rollouts/v1alpha1/types.go DefaultRolloutUniqueLabelKey) and names the ReplicaSet <rollout>-<hash>.
const webLabels = (hash: string) => ({ app: 'web', 'rollouts-pod-template-hash': hash });
const rolloutRs = (hash: string) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: `web-${hash}`, namespace: NS, labels: webLabels(hash), ownerReferences: [owner('Rollout', 'web')] },
  spec: { selector: { matchLabels: webLabels(hash) }, template: template(webLabels(hash), 8080) },
});
// The DeploymentConfig controller names each deployment's ReplicationController <dc>-<version> and
// labels its pods deployment=<rc> and deploymentconfig=<dc> (openshift/library-go pkg/apps/appsutil const.go).
const feLabels = (version: number) => ({ app: 'frontend', deployment: `frontend-${version}`, deploymentconfig: 'frontend' });
const rc = (version: number) => ({
  apiVersion: 'v1', kind: 'ReplicationController',
  metadata: { name: `frontend-${version}`, namespace: NS, ownerReferences: [owner('DeploymentConfig', 'frontend')] },
  spec: { selector: feLabels(version), template: template(feLabels(version), 8080) },
});
const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

const full = convertInventoryText(
  list([
    rolloutRs('6b9f8c7d54'),
    pod('web-6b9f8c7d54-x2x9k', webLabels('6b9f8c7d54'), owner('ReplicaSet', 'web-6b9f8c7d54'), '10.244.1.10'),
    pod('web-6b9f8c7d54-q7w4p', webLabels('6b9f8c7d54'), owner('ReplicaSet', 'web-6b9f8c7d54'), '10.244.2.10'),
    rc(1),
    pod('frontend-1-m8kzd', feLabels(1), owner('ReplicationController', 'frontend-1'), '10.244.1.11'),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { clusterIP: '10.96.1.1', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
  ]),
  T,
);

function workload(snapshot: { workloads: Workload[] }, key: string): Workload {
  const w = snapshot.workloads.find((x) => workloadKey(x) === key);
  assert.ok(w, `workload ${key} exists; have ${snapshot.workloads.map(workloadKey).join(', ')}`);
  return w;
}

const alias = (aliases: { namespace: string; kind: string; name: string; workload: WorkloadRef }[] | undefined, kind: string, name: string) =>
  aliases?.find((a) => a.namespace === NS && a.kind === kind && a.name === name)?.workload;

test("a Rollout's pods are one workload, Rollout/web, whose selector leaves out the per-revision rollouts-pod-template-hash", () => {
  assert.deepEqual(full.snapshot.workloads.map(workloadKey), ['prod/DeploymentConfig/frontend', 'prod/Rollout/web']);
  const web = workload(full.snapshot, 'prod/Rollout/web');
  assert.deepEqual(web.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(web.labels, { app: 'web' });
  assert.deepEqual(web.services, ['prod/web']);
  assert.deepEqual(web.ports.map((p) => p.port), [8080]);
  assert.deepEqual(alias(full.snapshot.ownerAliases, 'ReplicaSet', 'web-6b9f8c7d54'), { namespace: NS, kind: 'Rollout', name: 'web' });
  assert.deepEqual(alias(full.snapshot.ownerAliases, 'Pod', 'web-6b9f8c7d54-q7w4p'), { namespace: NS, kind: 'Rollout', name: 'web' });
  assert.deepEqual(full.warnings, []);
});

test("a DeploymentConfig's pods are DeploymentConfig/frontend, selected by deploymentconfig, never by the per-deployment `deployment` label", () => {
  const fe = workload(full.snapshot, 'prod/DeploymentConfig/frontend');
  assert.deepEqual(fe.selector, { matchLabels: { app: 'frontend', deploymentconfig: 'frontend' } });
  assert.deepEqual(alias(full.snapshot.ownerAliases, 'ReplicationController', 'frontend-1'), { namespace: NS, kind: 'DeploymentConfig', name: 'frontend' });
  assert.deepEqual(alias(full.snapshot.ownerAliases, 'Pod', 'frontend-1-m8kzd'), { namespace: NS, kind: 'DeploymentConfig', name: 'frontend' });
  assert.equal(full.snapshot.podAddresses.find((a) => a.ip === '10.244.1.11')?.workload.kind, 'DeploymentConfig');
});

test('the Rollout and DeploymentConfig objects themselves give the selector and template; the import is authoritative for their kinds', () => {
  const c = convertInventoryText(
    list([
      {
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: NS },
        spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', tier: 'front' }, 8080) },
      },
      // A Rollout that takes its template from a Deployment (spec.workloadRef) has none of its own: its pods say.
      {
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'api', namespace: NS },
        spec: { selector: { matchLabels: { app: 'api' } }, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' } },
      },
      pod('api-5f6d7c8b9a-abcde', { app: 'api', 'rollouts-pod-template-hash': '5f6d7c8b9a' }, owner('ReplicaSet', 'api-5f6d7c8b9a'), '10.244.1.30'),
      {
        apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'frontend', namespace: NS },
        // DeploymentConfigSpec.selector is a plain label map, as a ReplicationController's (openshift/api apps/v1 types.go).
        spec: { selector: { app: 'frontend', deploymentconfig: 'frontend' }, template: template({ app: 'frontend', deploymentconfig: 'frontend' }, 8080) },
      },
    ]),
    T,
  );
  assert.deepEqual(c.snapshot.workloads.map(workloadKey), ['prod/DeploymentConfig/frontend', 'prod/Rollout/api', 'prod/Rollout/web']);
  assert.deepEqual(workload(c.snapshot, 'prod/Rollout/web').labels, { app: 'web', tier: 'front' });
  assert.deepEqual(workload(c.snapshot, 'prod/Rollout/api').labels, { app: 'api' });
  assert.deepEqual(workload(c.snapshot, 'prod/DeploymentConfig/frontend').selector, { matchLabels: { app: 'frontend', deploymentconfig: 'frontend' } });
  assert.ok(c.snapshot.scope?.includes('Rollout.argoproj.io'));
  assert.ok(c.snapshot.scope?.includes('DeploymentConfig.apps.openshift.io'));
  assert.deepEqual(c.ignored, {});
});

test('pods only (no ReplicaSet, no ReplicationController in the import): the controllers\' naming with their pod labels still finds the Rollout and the DeploymentConfig', () => {
  const c = convertInventoryText(
    list([
      pod('web-7c9d5f8b6c-tz4mn', webLabels('7c9d5f8b6c'), owner('ReplicaSet', 'web-7c9d5f8b6c'), '10.244.1.12'),
      pod('frontend-2-p4w2x', feLabels(2), owner('ReplicationController', 'frontend-2'), '10.244.1.13'),
      // A ReplicationController of no DeploymentConfig (no deploymentconfig label): a bare pod, with a warning.
      pod('legacy-x7k2m', { app: 'legacy' }, owner('ReplicationController', 'legacy'), '10.244.1.14'),
    ]),
    T,
  );
  assert.deepEqual(c.snapshot.workloads.map(workloadKey), ['prod/DeploymentConfig/frontend', 'prod/Pod/legacy-x7k2m', 'prod/Rollout/web']);
  assert.deepEqual(workload(c.snapshot, 'prod/Rollout/web').selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(workload(c.snapshot, 'prod/DeploymentConfig/frontend').selector, { matchLabels: { app: 'frontend', deploymentconfig: 'frontend' } });
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0]!, /prod\/ReplicationController\/legacy/);
});

test('a ReplicaSet the import holds with an owner flowmatrix does not model stays bare pods, never a Deployment or Rollout guessed from its name', () => {
  const c = convertInventoryText(
    list([
      {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: 'web-6b9f8c7d54', namespace: NS, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Canary', name: 'web', uid: 'u', controller: true }] },
        spec: { selector: { matchLabels: webLabels('6b9f8c7d54') }, template: template(webLabels('6b9f8c7d54'), 8080) },
      },
      pod('web-6b9f8c7d54-x2x9k', webLabels('6b9f8c7d54'), owner('ReplicaSet', 'web-6b9f8c7d54'), '10.244.1.10'),
    ]),
    T,
  );
  assert.deepEqual(c.snapshot.workloads.map(workloadKey), ['prod/Pod/web-6b9f8c7d54-x2x9k']);
});

test('users name the new kinds as kubectl does: rollout/web, ro/web, deploymentconfig/frontend, dc/frontend', () => {
  assert.deepEqual(canonicalWorkloadName('ro/web'), { name: 'Rollout/web' });
  assert.deepEqual(canonicalWorkloadName('rollouts/web'), { name: 'Rollout/web' });
  assert.deepEqual(canonicalWorkloadName('dc/frontend'), { name: 'DeploymentConfig/frontend' });
  assert.deepEqual(canonicalWorkloadName('DeploymentConfig/frontend'), { name: 'DeploymentConfig/frontend' });
});

test('a ReplicationController or DeploymentConfig exported without spec.template (optional in core/v1 ReplicationControllerSpec) is read, not a reason to refuse the import', () => {
  const c = convertInventoryText(
    list([
      { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'frontend-1', namespace: NS, ownerReferences: [owner('DeploymentConfig', 'frontend')] }, spec: { selector: feLabels(1) } },
      pod('frontend-1-m8kzd', feLabels(1), owner('ReplicationController', 'frontend-1'), '10.244.1.11'),
      { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'backend', namespace: NS }, spec: { selector: { app: 'backend' } } },
    ]),
    T,
  );
  assert.deepEqual(c.snapshot.workloads.map(workloadKey), ['prod/DeploymentConfig/backend', 'prod/DeploymentConfig/frontend']);
  assert.deepEqual(workload(c.snapshot, 'prod/DeploymentConfig/frontend').selector, { matchLabels: { app: 'frontend', deploymentconfig: 'frontend' } });
  assert.deepEqual(workload(c.snapshot, 'prod/DeploymentConfig/backend').selector, { matchLabels: { app: 'backend' } });
});
