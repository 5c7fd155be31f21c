/**
 * An edge (a workload to a workload, not one record) judged at the far workload's pods as they
 * really differ, in a scoped run (`recommend -n client`) whose far side an applied policy selects
 * (verify/far-workload-sides.ts).
 *
 * - Container ports: NetworkPolicyPort.port "can either be a numerical or named port on a pod"
 *   (kubernetes staging/src/k8s.io/api/networking/v1/types.go): a name means, at each pod, that
 *   pod's own number. Cilium resolves an ingress name on the endpoint's own pod (pkg/endpoint
 *   GetNamedPort: "Ingress only needs the ports of the POD itself"); a Calico named port is one
 *   "defined in the ports list of" the endpoint, which may map it to another number per endpoint
 *   (docs.tigera.io, Rule / EndpointPort). A connection to port P reaches the pods declaring P, so
 *   the edge is judged at each (label set, port list) of the pods declaring it: Deployment web
 *   mid-rollout, pod web-aaa-1 `http` = 8080 and `metrics` = 9090, pod web-bbb-1 `http` = 9090;
 *   client cli scraped web-aaa-1:9090. An applied policy allowing only `http` drops that at
 *   web-aaa-1 (its `http` is 8080), though `http` is 9090 on web-bbb-1. Before: the edge was judged
 *   with the ports merged over both pods (`http` ∈ {8080, 9090}) and the verification said nothing.
 * - Per-pod labels: a StatefulSet's pods differ in `statefulset.kubernetes.io/pod-name` (and
 *   `apps.kubernetes.io/pod-index`, `controller-revision-hash`); the pod-name label exists "to
 *   attach a Service to a specific Pod" (kubernetes.io "StatefulSets", Pod Name Label), so a policy
 *   selecting it is legitimate: an applied NetworkPolicy isolating db-1 to its own namespace drops
 *   cli → db-1:5432. Before: label sets differing only in such per-pod labels were judged once, at
 *   one representative (db-0), and the verification said nothing. Cilium keeps these labels out of
 *   its identities (pkg/labelsfilter defaultLabelPrefixCfg, cilium#28003): there the selector
 *   selects no pod and the edge stays allowed.
 * - Undeclared ports: a container port list is informational; a Service with a numeric targetPort
 *   (or a connection to a pod's address) reaches port P on pods that list no port too. Only a
 *   Service's named target port is "looked up as a named port in the target Pod's container ports"
 *   (ServicePort.targetPort), so only through one is a pod lacking the name not reached. Deployment
 *   web mid-rollout, the old pods (track=stable) declare 8080, the new (track=canary) none; Service
 *   80 → 8080; an applied policy isolates track=canary to its own namespace. Before: once one group
 *   declared 8080 the canary group was never judged on it, and cli → web:8080 was said verified.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { Db } from '../../store/db.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { FLOW_TIME, list, namespace, node, NOW, pod, record, service, T } from '../helpers/node-exporter-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const CLI = '10.244.0.21';
const cli = pod('client', 'cli-ccc-1', { app: 'cli', 'pod-template-hash': 'ccc' }, 'node-a', CLI, { owner: { kind: 'ReplicaSet', name: 'cli-ccc', uid: 'rs-cli-ccc' } });
const deployment = (ns: string, name: string, ports: unknown[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, uid: `d-${name}` },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x', ports }] } } },
});
const replicaSet = (ns: string, app: string, hash: string, ports: unknown[]) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `${app}-${hash}`, namespace: ns, uid: `rs-${app}-${hash}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: `d-${app}`, controller: true }] },
  spec: { selector: { matchLabels: { app, 'pod-template-hash': hash } }, template: { metadata: { labels: { app, 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image: 'x', ports }] } } },
});
const BASE = [namespace('client'), namespace('shop'), node('node-a', '10.244.0.0/24', '192.168.1.10'), deployment('client', 'cli', []), replicaSet('client', 'cli', 'ccc', []), cli];

const AAA_PORTS = [
  { name: 'http', containerPort: 8080 },
  { name: 'metrics', containerPort: 9090 },
];
const BBB_PORTS = [{ name: 'http', containerPort: 9090 }];
const WEB_AAA = '10.244.0.11';
const WEB_BBB = '10.244.0.12';
const webPod = (hash: string, ip: string, ports: unknown[]) =>
  pod('shop', `web-${hash}-1`, { app: 'web', 'pod-template-hash': hash }, 'node-a', ip, { owner: { kind: 'ReplicaSet', name: `web-${hash}`, uid: `rs-web-${hash}` }, ports });
const WEB = [deployment('shop', 'web', BBB_PORTS), replicaSet('shop', 'web', 'aaa', AAA_PORTS), replicaSet('shop', 'web', 'bbb', BBB_PORTS), webPod('aaa', WEB_AAA, AAA_PORTS), webPod('bbb', WEB_BBB, BBB_PORTS)];

/** Applied in shop, per engine: web accepts every namespace on the port named `http` only. */
const HTTP_ONLY: Partial<Record<EngineName, unknown[]>> = {
  kubernetes: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-http', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http', protocol: 'TCP' }] }] },
    },
  ],
  calico: [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-http', namespace: 'shop' },
      spec: { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { namespaceSelector: 'all()' }, destination: { ports: ['http'] } }] },
    },
  ],
  cilium: [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'cluster-name': 'c1', 'enable-policy': 'default' } },
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-http', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] },
    },
  ],
};

const DB_PORTS = [{ name: 'pg', containerPort: 5432 }];
const DB_0 = '10.244.0.40';
const DB_1 = '10.244.0.41';
const dbPod = (i: number, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `db-${i}`,
    namespace: 'shop',
    uid: `u-db-${i}`,
    creationTimestamp: T,
    labels: { app: 'db', 'controller-revision-hash': 'db-r1', 'statefulset.kubernetes.io/pod-name': `db-${i}`, 'apps.kubernetes.io/pod-index': String(i) },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-db', controller: true }],
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x', ports: DB_PORTS }] },
  status: { phase: 'Running', startTime: T, podIP: ip, podIPs: [{ ip }] },
});
const DB = [
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop', uid: 'sts-db' },
    spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x', ports: DB_PORTS }] } } },
  },
  dbPod(0, DB_0),
  dbPod(1, DB_1),
];
/** Applied in shop: db-1 alone is isolated for ingress, and lets in its own namespace's pods only. */
const DB_1_OWN_NAMESPACE = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-1-own-ns', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-1' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
};
const CALICO_DB_1_OWN_NAMESPACE = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-1-own-ns', namespace: 'shop' },
  spec: { selector: "statefulset.kubernetes.io/pod-name == 'db-1'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: 'all()' } }] },
};

/** `recommend -n client --engine <engine> -o json`'s verification, over `items` and the records; `stored` changes the store after the import. */
async function verifyClient(engine: EngineName, items: unknown[], records: string[], stored?: (db: Db) => void) {
  const { db } = tmpDb();
  importInventory(db, { text: list(items), takenAt: Date.parse(T), source: 'inventory.json', now: NOW });
  stored?.(db);
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from(records.map((r) => `${r}\n`)) }], { format: 'netobserv' });
  assert.ok(FLOW_TIME < NOW);
  return runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, namespace: 'client' }), { tightness: false }).verification;
}

const WEB_EDGE = (port: number) => `workload:client/Deployment/cli|workload:shop/Deployment/web|${port}|TCP`;
const DB_EDGE = 'workload:client/Deployment/cli|workload:shop/StatefulSet/db|5432|TCP';
const ofEdge = (fs: readonly EdgeFinding[], edge: string) => fs.filter((f) => f.edge === edge);

for (const engine of ['kubernetes', 'calico', 'cilium'] as const) {
  test(`${engine}, -n client: cli → web:9090 where web-aaa-1 declares 9090 as metrics and web-bbb-1 as http, under an applied policy allowing \`http\` only: blockedByApplied at web's ingress, naming the policy and web-aaa-1's pods (its http is 8080)`, async () => {
    const v = await verifyClient(engine, [...BASE, ...WEB, ...HTTP_ONLY[engine]!], [record(CLI, WEB_AAA, 9090)]);
    assert.equal(v.ok, true, JSON.stringify(v.blocked));
    const [f, ...more] = ofEdge(v.blockedByApplied, WEB_EDGE(9090));
    assert.ok(f !== undefined, JSON.stringify(v));
    assert.deepEqual(more, []);
    assert.equal(f.farSide, 'ingress');
    assert.match(f.reason, /web-http/);
    assert.match(f.reason, /pod-template-hash=aaa/);
    assert.match(f.reason, /web-aaa-1/);
    assert.match(f.reason, /http=8080/);
  });
}

test('kubernetes, -n client: cli → web:8080 under the same policy is allowed: only web-aaa-1 declares 8080 (its http), and web-bbb-1, which lists its ports without 8080, does not serve it and is not judged there', async () => {
  const v = await verifyClient('kubernetes', [...BASE, ...WEB, ...HTTP_ONLY.kubernetes!], [record(CLI, WEB_AAA, 8080)]);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofEdge(v.blockedByApplied, WEB_EDGE(8080)), []);
});

/** Service web 80 → the target port named `http` (8080 on web-aaa-1, 9090 on web-bbb-1). */
const WEB_BY_NAME = { ...service('shop', 'web', '10.96.5.5', { app: 'web' }, 80, 0), spec: { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 'http' }] } };

test('kubernetes, -n client: cli → Service web:80 whose targetPort is the name `http`, under the same policy, is allowed: the Service sends 8080 only to web-aaa-1 and 9090 only to web-bbb-1 (the pods giving `http` that number), where `http` is allowed', async () => {
  const v = await verifyClient('kubernetes', [...BASE, ...WEB, WEB_BY_NAME, ...HTTP_ONLY.kubernetes!], [record(CLI, '10.96.5.5', 80), record(CLI, '10.96.5.5', 80, 1)]);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(v.blockedByApplied, []);
});

for (const [engine, applied] of [
  ['kubernetes', DB_1_OWN_NAMESPACE],
  ['calico', DB_1_OWN_NAMESPACE],
  ['calico', CALICO_DB_1_OWN_NAMESPACE],
] as const) {
  test(`${engine}, -n client, applied ${applied.apiVersion} ${applied.kind} selecting statefulset.kubernetes.io/pod-name: db-1 (own namespace only): cli → db:5432 is blockedByApplied, naming the policy and pod db-1`, async () => {
    const v = await verifyClient(engine, [...BASE, ...DB, applied], [record(CLI, DB_0, 5432), record(CLI, DB_1, 5432, 1)]);
    assert.equal(v.ok, true, JSON.stringify(v.blocked));
    const [f, ...more] = ofEdge(v.blockedByApplied, DB_EDGE);
    assert.ok(f !== undefined, JSON.stringify(v));
    assert.deepEqual(more, []);
    assert.equal(f.farSide, 'ingress');
    assert.match(f.reason, /db-1-own-ns selects it for ingress/);
    assert.match(f.reason, /statefulset\.kubernetes\.io\/pod-name=db-1/);
    // Judged at db-1's own labels: nothing to warn of.
    assert.deepEqual(v.warnings.filter((w) => w.includes('pod-name')), []);
  });
}

/** The store as a release before migration 0024 left it once migrated: no workload's pods listed with their own labels or ports. */
const podsNotListed = (db: Db) => {
  db.prepare("UPDATE workloads SET pod_labels = '[]', pod_ports = NULL").run();
  db.prepare('UPDATE pod_addresses SET label_set = NULL, port_set = NULL').run();
};

test('kubernetes, -n client, the same applied NetworkPolicy on statefulset.kubernetes.io/pod-name, in a store that lists no pod of db with its own labels: db is judged at its template labels, and the warning names the policy, the label and shop/StatefulSet/db', async () => {
  const v = await verifyClient('kubernetes', [...BASE, ...DB, DB_1_OWN_NAMESPACE], [record(CLI, DB_0, 5432), record(CLI, DB_1, 5432, 1)], podsNotListed);
  assert.deepEqual(ofEdge(v.blockedByApplied, DB_EDGE), []);
  assert.deepEqual(
    v.warnings.filter((w) => w.includes('pod-name')),
    [
      'applied NetworkPolicy/shop/db-1-own-ns/spec/podSelector: selects pods by statefulset.kubernetes.io/pod-name, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of shop/StatefulSet/db with its own labels, so the verification beside applied policies takes their pods as lacking the label, and what this policy decides for them is not verified: import their Pods',
    ],
  );
});

test('cilium, -n client, the same applied NetworkPolicy on statefulset.kubernetes.io/pod-name: Cilium keeps the label out of identities (cilium#28003), the selector selects no pod, nothing is said of the edge', async () => {
  const config = HTTP_ONLY.cilium![0];
  const v = await verifyClient('cilium', [...BASE, ...DB, config, DB_1_OWN_NAMESPACE], [record(CLI, DB_0, 5432), record(CLI, DB_1, 5432, 1)]);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofEdge(v.blockedByApplied, DB_EDGE), []);
});

/** Deployment web mid-rollout: web-aaa-1 (track=stable) declares `http` 8080, web-bbb-1 (track=canary) no port; Service web 80 → 8080 by number. */
const STABLE_PORTS = [{ name: 'http', containerPort: 8080 }];
const trackedRs = (hash: string, track: string, ports: unknown[]) => {
  const rs = replicaSet('shop', 'web', hash, ports);
  return { ...rs, spec: { ...rs.spec, template: { ...rs.spec.template, metadata: { labels: { ...rs.spec.template.metadata.labels, track } } } } };
};
const trackedPod = (hash: string, track: string, ip: string, ports: unknown[]) =>
  pod('shop', `web-${hash}-1`, { app: 'web', 'pod-template-hash': hash, track }, 'node-a', ip, { owner: { kind: 'ReplicaSet', name: `web-${hash}`, uid: `rs-web-${hash}` }, ports });
const WEB_CANARY_ROLLOUT = [
  deployment('shop', 'web', []),
  trackedRs('aaa', 'stable', STABLE_PORTS),
  trackedRs('bbb', 'canary', []),
  trackedPod('aaa', 'stable', WEB_AAA, STABLE_PORTS),
  trackedPod('bbb', 'canary', WEB_BBB, []),
  service('shop', 'web', '10.96.5.5', { app: 'web' }, 80, 8080),
];
/** Applied in shop: the canary pods are isolated for ingress, and let in their own namespace's pods only. */
const CANARY_OWN_NAMESPACE = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'canary-own-ns', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { track: 'canary' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
};

test('kubernetes, -n client: cli → Service web:80 (targetPort 8080 by number) reaches the canary pods, which declare no port, as well as the stable ones declaring 8080: an applied policy isolating track=canary is blockedByApplied, naming it and web-bbb-1', async () => {
  const v = await verifyClient('kubernetes', [...BASE, ...WEB_CANARY_ROLLOUT, CANARY_OWN_NAMESPACE], [record(CLI, '10.96.5.5', 80), record(CLI, '10.96.5.5', 80, 1)]);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const [f, ...more] = ofEdge(v.blockedByApplied, WEB_EDGE(8080));
  assert.ok(f !== undefined, JSON.stringify(v));
  assert.deepEqual(more, []);
  assert.equal(f.farSide, 'ingress');
  assert.match(f.reason, /canary-own-ns selects it for ingress/);
  assert.match(f.reason, /track=canary/);
  assert.match(f.reason, /pod web-bbb-1; no container port declared\)/);
});
