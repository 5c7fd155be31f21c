/**
 * A matrix component whose selector leaves out some of the pods of the workload bound to it.
 *
 * The cluster: Deployment shop/api, `spec.selector` {app: api}, template {app: api, track: v1},
 * mid-rollout (or after a `kubectl rollout undo` with the other revision still running): pod
 * api-a1-p1 labelled track=v1 and pod api-a2-p1 labelled track=v2; web calls both on 9000, both
 * call db on 5432. The matrix's component `api` selects {app: api, track: v1}: it binds the
 * Deployment (its template matches), but a selector "selects Pods" by their own labels
 * (kubernetes networking/v1 types.go, NetworkPolicyPeer.podSelector: "This is a label selector
 * which selects Pods"), so a rule naming it by that selector cuts api-a2-p1's traffic on every
 * engine. Before, web's egress to 9000 and db's ingress from api named {app: api, track: v1}, and
 * the verification and `simulate` passed them: one pod with the template's labels stood for the
 * workload.
 *
 * Input → expected:
 * - the recommendation names api by its workload's selector {app: api} in web's egress and db's
 *   ingress, warns that component api's selector leaves out pods of shop/Deployment/api labelled
 *   track=v2, verifies, and each of the four flows is allowed under it (every engine);
 * - a hand-written policy set that names api by {app: api, track: v1} is judged at each label set
 *   the workload's pods carry: verifying it fails, and `simulate --format edges` denies the edges.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { selectorMatches } from '../../domain/label-selector.ts';
import { NOW, T, list, namespace, node, record, stored } from '../helpers/node-exporter-cluster.ts';

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: Shop comm matrix } }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
      - { id: web-api, peer: { component: api }, ports: [{ port: 9000 }], level: must, purpose: web calls api, source: { document: doc, line: 1 } }
  api:
    namespace: shop
    selector: { matchLabels: { app: api, track: v1 } }
    ports: [{ name: http, port: 9000 }]
    egress:
      - { id: api-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: api to db, source: { document: doc, line: 3 } }
  db:
    namespace: shop
    selector: { matchLabels: { app: db } }
    ports: [{ name: pg, port: 5432 }]
`;

const WEB = '10.244.0.10';
const API_V1 = '10.244.1.20';
const API_V2 = '10.244.0.21';
const DB = '10.244.0.30';

const container = (port: number) => [{ name: 'c', image: 'x', ports: [{ containerPort: port, protocol: 'TCP' }] }];

/** A Deployment with one ReplicaSet and one pod per revision (`hash` → pod labels, address, node). */
function deployment(name: string, selector: Record<string, string>, template: Record<string, string>, port: number, revisions: { hash: string; labels: Record<string, string>; ip: string; node: string; status?: Record<string, unknown> }[]): unknown[] {
  const owner = (kind: string, n: string) => [{ apiVersion: 'apps/v1', kind, name: n, uid: `u-${kind}-${n}`, controller: true }];
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', uid: `u-Deployment-${name}`, creationTimestamp: T }, spec: { selector: { matchLabels: selector }, template: { metadata: { labels: template }, spec: { containers: container(port) } } } },
    ...revisions.flatMap((r) => {
      const labels = { ...r.labels, 'pod-template-hash': r.hash };
      const rs = `${name}-${r.hash}`;
      return [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: 'shop', uid: `u-ReplicaSet-${rs}`, creationTimestamp: T, labels, ownerReferences: owner('Deployment', name) }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: container(port) } } } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${rs}-p1`, namespace: 'shop', uid: `u-pod-${rs}`, creationTimestamp: T, labels, ownerReferences: owner('ReplicaSet', rs) }, spec: { nodeName: r.node, containers: container(port) }, status: { phase: 'Running', startTime: T, podIP: r.ip, podIPs: [{ ip: r.ip }], ...r.status } },
      ];
    }),
  ];
}

/** web → api (revisions track=v1 on node-b, track=v2 on node-a, its pod's status `v2Status`) → db. */
const cluster = (v2Status?: Record<string, unknown>) => [
  namespace('shop'),
  node('node-a', '10.244.0.0/24', '192.168.0.10'),
  node('node-b', '10.244.1.0/24', '192.168.0.11'),
  ...deployment('web', { app: 'web' }, { app: 'web' }, 8080, [{ hash: 'w1', labels: { app: 'web' }, ip: WEB, node: 'node-a' }]),
  ...deployment('api', { app: 'api' }, { app: 'api', track: 'v1' }, 9000, [
    { hash: 'a1', labels: { app: 'api', track: 'v1' }, ip: API_V1, node: 'node-b' },
    { hash: 'a2', labels: { app: 'api', track: 'v2' }, ip: API_V2, node: 'node-a', ...(v2Status ? { status: v2Status } : {}) },
  ]),
  ...deployment('db', { app: 'db' }, { app: 'db' }, 5432, [{ hash: 'd1', labels: { app: 'db' }, ip: DB, node: 'node-a' }]),
];
const CLUSTER = cluster();

const FLOWS = [record(WEB, API_V1, 9000, 0), record(WEB, API_V2, 9000, 1), record(API_V1, DB, 5432, 2), record(API_V2, DB, 5432, 3)];

async function rollout() {
  const db = stored(CLUSTER);
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm3.yaml', appliedAt: NOW });
  return db;
}

const V2_POD = { app: 'api', 'pod-template-hash': 'a2', track: 'v2' };

/** The pod selectors of a policy's rules of `direction`: a NetworkPolicy's `to`/`from` podSelectors, a CiliumNetworkPolicy's `toEndpoints`/`fromEndpoints`. */
const RULE_SELECTORS: Record<'kubernetes' | 'cilium', (manifest: Record<string, any>, direction: 'egress' | 'ingress') => Record<string, unknown>[]> = {
  kubernetes: (m, d) => (m.spec[d] ?? []).flatMap((r: Record<string, any>) => (r[d === 'egress' ? 'to' : 'from'] ?? []).map((p: Record<string, any>) => p.podSelector).filter((s: unknown) => s !== undefined)),
  cilium: (m, d) => (m.spec[d] ?? []).flatMap((r: Record<string, any>) => r[d === 'egress' ? 'toEndpoints' : 'fromEndpoints'] ?? []),
};

for (const engine of ['kubernetes', 'cilium'] as const) {
  test(`${engine}: web's egress and db's ingress name api by its workload's selector, which selects the track=v2 pod too, with a warning naming the component, the workload and the left-out labels`, async () => {
    const db = await rollout();
    const { emitted, verification, rec } = runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, mode: 'union' }), { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification));
    const byName = new Map(emitted.manifests.map((m) => [(m as Record<string, any>).metadata.name as string, m as Record<string, any>]));
    const web = byName.get('shop-deployment-web')!;
    const dbPolicy = byName.get('shop-deployment-db')!;
    const selectors = RULE_SELECTORS[engine];
    assert.ok(selectors(web, 'egress').some((s) => selectorMatches(s as never, V2_POD)), JSON.stringify(web.spec.egress));
    assert.ok(selectors(dbPolicy, 'ingress').some((s) => selectorMatches(s as never, V2_POD)), JSON.stringify(dbPolicy.spec.ingress));
    const api = rec.workloads.find((w) => w.workload.name === 'api')!;
    assert.ok(
      api.warnings.some((w) => w.includes("component api's selector app=api,track=v1 leaves out pods of shop/Deployment/api labelled app=api,pod-template-hash=a2,track=v2") && w.includes("the workload's selector app=api")),
      JSON.stringify(api.warnings),
    );
  });
}

for (const engine of ENGINE_NAMES) {
  test(`${engine}: the recommendation verifies and simulate allows web → each api pod and each api pod → db`, async () => {
    const db = await rollout();
    const { emitted, verification } = runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, mode: 'union' }), { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification));
    const decisions = simulateFlows(db, { engine, policies: list([...emitted.manifests]), flows: FLOWS.join('\n') }).decisions;
    assert.deepEqual(decisions.map((d) => d.verdict), ['allow', 'allow', 'allow', 'allow'], JSON.stringify(decisions));
  });
}

/** Hand-written policies naming api by `api` (a selector): web's egress to it on 9000, db's ingress from it on 5432. */
const HAND_WRITTEN: Record<'kubernetes' | 'cilium', (api: Record<string, string>) => unknown[]> = {
  kubernetes: (api) => [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: api } }], ports: [{ protocol: 'TCP', port: 9000 }] }] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: api } }], ports: [{ protocol: 'TCP', port: 5432 }] }] } },
  ],
  cilium: (api) => [
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: api }], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }] }] }] } },
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'db', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: api }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] } },
  ],
};

/** The two edges as `edges -o json` gives them: web → api on 9000, api → db on 5432 (each workload as a whole). */
const EDGES = JSON.stringify([
  { client: 'workload:shop/Deployment/web', server: 'workload:shop/Deployment/api', port: 9000, protocol: 'TCP' },
  { client: 'workload:shop/Deployment/api', server: 'workload:shop/Deployment/db', port: 5432, protocol: 'TCP' },
]);

for (const engine of ['kubernetes', 'cilium'] as const) {
  test(`${engine}: policies naming api by {app: api, track: v1} are judged at each label set api's pods carry — both edges denied, at the track=v2 pods; by {app: api}, allowed`, async () => {
    const db = await rollout();
    const v1 = simulateFlows(db, { engine, policies: list(HAND_WRITTEN[engine]({ app: 'api', track: 'v1' })), flows: EDGES, format: 'edges' }).decisions;
    assert.deepEqual(v1.map((d) => d.verdict), ['deny', 'deny'], JSON.stringify(v1));
    assert.ok(v1.every((d) => JSON.stringify(d).includes('track=v2')), JSON.stringify(v1));
    const all = simulateFlows(db, { engine, policies: list(HAND_WRITTEN[engine]({ app: 'api' })), flows: EDGES, format: 'edges' }).decisions;
    assert.deepEqual(all.map((d) => d.verdict), ['allow', 'allow'], JSON.stringify(all));
  });
}

/**
 * A pod that finished is no pod of its workload any more: the revision track=v2's pod api-a2-p1 was
 * evicted (phase Failed; the kubelet keeps such pods until the pod garbage collector's threshold,
 * kube-controller-manager --terminated-pod-gc-threshold, 12500 by default) and only track=v1 runs.
 * A policy applies to the pods that run (a selector "selects Pods", NetworkPolicyPeer.podSelector),
 * and the EndpointSlice controller lists no pod in a terminal phase (kubernetes staging/src/k8s.io/endpointslice/util/controller_utils.go
 * ShouldPodBeInEndpoints): nothing reaches the evicted pod. Before, its label set stayed among the
 * workload's pods' (workloads.pod_labels): component api's selector {app: api, track: v1} was said
 * to leave it out, so web's egress named api by {app: api} with a warning, and a policy naming
 * {app: api, track: v1} was judged at a pod that no longer exists — denied.
 */
const EVICTED = {
  phase: 'Failed',
  reason: 'Evicted',
  containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: 'x', state: { terminated: { exitCode: 137, reason: 'Error', startedAt: T, finishedAt: '2026-01-01T00:00:00Z' } } }],
};
const EVICTED_CLUSTER = cluster(EVICTED);
const EVICTED_FLOWS = [record(WEB, API_V1, 9000, 0), record(API_V1, DB, 5432, 2)];

async function evicted() {
  const db = stored(EVICTED_CLUSTER);
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${EVICTED_FLOWS.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm3.yaml', appliedAt: NOW });
  return db;
}

for (const engine of ['kubernetes', 'cilium'] as const) {
  test(`${engine}: an evicted pod of another revision leaves nothing out: web's egress names api by component api's own selector, no warning, verified`, async () => {
    const db = await evicted();
    const { emitted, verification, rec } = runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, mode: 'union' }), { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification));
    const web = emitted.manifests.map((m) => m as Record<string, any>).find((m) => m.metadata.name === 'shop-deployment-web')!;
    assert.ok(!RULE_SELECTORS[engine](web, 'egress').some((s) => selectorMatches(s as never, V2_POD)), JSON.stringify(web.spec.egress));
    const api = rec.workloads.find((w) => w.workload.name === 'api')!;
    assert.deepEqual(api.warnings.filter((w) => w.includes('leaves out pods')), []);
  });

  test(`${engine}: policies naming api by {app: api, track: v1} are judged at the pods that run, not at an evicted one: both edges allowed`, async () => {
    const db = await evicted();
    const v1 = simulateFlows(db, { engine, policies: list(HAND_WRITTEN[engine]({ app: 'api', track: 'v1' })), flows: EDGES, format: 'edges' }).decisions;
    assert.deepEqual(v1.map((d) => d.verdict), ['allow', 'allow'], JSON.stringify(v1));
  });
}
