/**
 * A named port is each pod's own number: "a numerical or named port on a pod" (kubernetes
 * networking/v1 NetworkPolicyPort.port), resolved on the pods a policy selects (Cilium pkg/endpoint
 * GetNamedPort: "the ports of the POD itself"). Deployment shop/api runs one pod, api-a1-p1, whose
 * `http` is 9090; a pod of its earlier revision, api-a0-p1, whose `http` was 8080, was evicted
 * (phase Failed, kept until the pod garbage collector's threshold) and its ReplicaSet pruned since
 * (the Deployment keeps `revisionHistoryLimit` old ones, 10 by default). web's connections to api on
 * 8080 were observed while that pod ran. A policy admitting web on `http` admits 9090 on the pods
 * of today, not 8080: judged at them, the edge on 8080 is denied. Before, the evicted pod's port
 * list stayed among the workload's pods' (workloads.pod_ports) and its `http` = 8080 in the
 * workload's ports: the edge was judged at that pod alone — the only one declaring 8080
 * (recommender/simulate/own-set-groups.ts) — and allowed: a verification judging a pod that no
 * longer exists said the policy kept traffic it cuts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateFlows } from '../../app/simulate.ts';
import { T, list, namespace, node, pod, stored } from '../helpers/node-exporter-cluster.ts';

const rs = (name: string, hash: string) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: `${name}-${hash}`, namespace: 'shop', uid: `u-rs-${name}-${hash}`, creationTimestamp: T, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `u-d-${name}`, controller: true }] },
  spec: { selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: { metadata: { labels: { app: name, 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
const deployment = (name: string, port: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'shop', uid: `u-d-${name}`, creationTimestamp: T },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] } } },
});
const owned = (name: string, hash: string) => ({ owner: { kind: 'ReplicaSet', name: `${name}-${hash}`, uid: `u-rs-${name}-${hash}` } });

const evicted = pod('shop', 'api-a0-p1', { app: 'api', 'pod-template-hash': 'a0' }, 'node-a', '10.244.0.20', { ...owned('api', 'a0'), ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }) as { status: Record<string, unknown> };
evicted.status = { ...evicted.status, phase: 'Failed', reason: 'Evicted', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: 'x', state: { terminated: { exitCode: 137, reason: 'Error', startedAt: T, finishedAt: T } } }] };

const CLUSTER = [
  namespace('shop'),
  node('node-a', '10.244.0.0/24', '192.168.0.10'),
  deployment('web', 8000),
  rs('web', 'w1'),
  pod('shop', 'web-w1-p1', { app: 'web', 'pod-template-hash': 'w1' }, 'node-a', '10.244.0.10', owned('web', 'w1')),
  deployment('api', 9090),
  rs('api', 'a1'),
  pod('shop', 'api-a1-p1', { app: 'api', 'pod-template-hash': 'a1' }, 'node-a', '10.244.0.21', { ...owned('api', 'a1'), ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }] }),
  evicted,
];

const POLICIES: Record<'kubernetes' | 'cilium', unknown[]> = {
  kubernetes: [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }] } },
  ],
  cilium: [
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] } },
  ],
};

const edge = (port: number) => JSON.stringify([{ client: 'workload:shop/Deployment/web', server: 'workload:shop/Deployment/api', port, protocol: 'TCP' }]);

for (const engine of ['kubernetes', 'cilium'] as const) {
  test(`${engine}: web → api on 8080 under a rule on \`http\` is judged at the pod that runs (http = 9090): denied, not allowed at the evicted pod's http = 8080`, () => {
    const db = stored(CLUSTER);
    const decisions = simulateFlows(db, { engine, policies: list(POLICIES[engine]), flows: edge(8080), format: 'edges' }).decisions;
    assert.deepEqual(decisions.map((d) => d.verdict), ['deny'], JSON.stringify(decisions));
  });

  test(`${engine}: web → api on 9090 under the same rule: allowed`, () => {
    const db = stored(CLUSTER);
    const decisions = simulateFlows(db, { engine, policies: list(POLICIES[engine]), flows: edge(9090), format: 'edges' }).decisions;
    assert.deepEqual(decisions.map((d) => d.verdict), ['allow'], JSON.stringify(decisions));
  });
}
