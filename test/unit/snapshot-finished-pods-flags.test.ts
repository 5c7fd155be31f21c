/**
 * What a workload's pods say of it — an Istio proxy, the host network — is said by the pods that
 * may run. A Succeeded or Failed pod (an evicted one stays listed until the pod garbage
 * collector's threshold, kube-controller-manager --terminated-pod-gc-threshold, 12,500 by
 * default) ran as an earlier revision did: after a move from sidecars to ambient mode
 * (istio.io/dataplane-mode=ambient, the injector no longer adding `istio-proxy`), an evicted pod
 * of the sidecar revision made the workload a proxy workload, which "is never captured by ambient"
 * (domain/istio.ts dataplaneOf), so its ambient traffic was not the one recommended for.
 * Where every pod has finished (a bare pod, a Job's pods without the Job), they still say it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertInventoryText } from '../../collectors/inventory/index.ts';

const T = '2026-11-01T00:00:00Z';
const owner = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, uid: `u-${kind}-${name}`, controller: true }];
const SIDECAR = { annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } };
const EVICTED = { phase: 'Failed', reason: 'Evicted', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, startedAt: T, finishedAt: '2026-11-02T00:00:00Z' } } }] };

function pod(name: string, rs: string, ip: string, opts: { sidecar?: boolean; hostNetwork?: boolean; status?: Record<string, unknown> } = {}): unknown {
  const containers = [{ name: 'app', image: 'x' }, ...(opts.sidecar ? [{ name: 'istio-proxy', image: 'proxy' }] : [])];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'amb', uid: `u-pod-${name}`, creationTimestamp: T, labels: { app: 'web' }, ...(opts.sidecar ? SIDECAR : {}), ownerReferences: owner('ReplicaSet', rs) },
    spec: { nodeName: 'w-1', containers, ...(opts.hostNetwork ? { hostNetwork: true } : {}) },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: T, ...opts.status },
  };
}

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'amb', uid: 'u-Deployment-web', creationTimestamp: T }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'x' }] } } } };
const replicaSet = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'amb', uid: `u-ReplicaSet-${name}`, creationTimestamp: T, labels: { app: 'web' }, ownerReferences: owner('Deployment', 'web') }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'x' }] } } } });

const web = (items: unknown[]) => convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), Date.parse('2026-11-03T00:00:00Z')).snapshot.workloads.find((w) => w.name === 'web')!;

test('an evicted pod of the sidecar revision beside a running pod without one: no Istio proxy', () => {
  const w = web([deployment, replicaSet('web-old'), replicaSet('web-new'), pod('web-old-1', 'web-old', '10.244.1.30', { sidecar: true, status: EVICTED }), pod('web-new-1', 'web-new', '10.244.1.31')]);
  assert.equal(w.istioProxy, undefined);
});

test('the running pod has the sidecar: an Istio proxy', () => {
  const w = web([deployment, replicaSet('web-new'), pod('web-new-1', 'web-new', '10.244.1.31', { sidecar: true })]);
  assert.equal(w.istioProxy, true);
});

test('an evicted pod that ran on the host network beside a running pod on the pod network: not host network', () => {
  const w = web([deployment, replicaSet('web-old'), replicaSet('web-new'), pod('web-old-1', 'web-old', '10.0.0.11', { hostNetwork: true, status: EVICTED }), pod('web-new-1', 'web-new', '10.244.1.31')]);
  assert.equal(w.hostNetwork, false);
});

test('every pod finished: they still say it (an Istio proxy)', () => {
  const w = web([deployment, replicaSet('web-old'), pod('web-old-1', 'web-old', '10.244.1.30', { sidecar: true, status: EVICTED })]);
  assert.equal(w.istioProxy, true);
});
