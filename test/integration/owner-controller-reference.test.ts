/**
 * A pod's workload is its controller's, the owner reference with `controller: true` (apimachinery
 * meta/v1 OwnerReference.controller: "If true, this reference points to the managing controller");
 * any other owner reference (garbage collection only, a backup tool tying its helper to a
 * StatefulSet) says nothing about which selector matches the pod. docs/inventory.md, "Workloads".
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { readInventory } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const owner = (kind: string, name: string, controller?: boolean) =>
  `{ apiVersion: apps/v1, kind: ${kind}, name: ${name}, uid: u-${name}${controller === undefined ? '' : `, controller: ${controller}`} }`;
const pod = (name: string, ip: string, labels: string, owners: string[], port?: number) =>
  `  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: a, labels: { ${labels} }, ownerReferences: [${owners.join(', ')}], creationTimestamp: "2025-03-01T00:00:00Z" }, spec: { nodeName: node-a, containers: [{ name: c, image: i${port ? `, ports: [{ name: http, containerPort: ${port} }]` : ''} }] }, status: { phase: Running, startTime: "2025-03-01T00:00:00Z", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const inventory = (pods: string[]) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: a, labels: { kubernetes.io/metadata.name: a } } }
  - { apiVersion: v1, kind: Node, metadata: { name: node-a, creationTimestamp: "2025-03-01T00:00:00Z" }, spec: { podCIDR: 10.244.0.0/24 }, status: { addresses: [{ type: InternalIP, address: 192.168.1.10 }] } }
  - { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: db, namespace: a }, spec: { selector: { matchLabels: { app: db } }, template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: c, image: i }] } } } }
  - { apiVersion: apps/v1, kind: Deployment, metadata: { name: store, namespace: a }, spec: { selector: { matchLabels: { app: store } }, template: { metadata: { labels: { app: store } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] } } } }
  - { apiVersion: apps/v1, kind: ReplicaSet, metadata: { name: store-aaa, namespace: a, ownerReferences: [${owner('Deployment', 'store', true)}] }, spec: { selector: { matchLabels: { app: store, pod-template-hash: aaa } }, template: { metadata: { labels: { app: store, pod-template-hash: aaa } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] } } } }
${pod('db-0', '10.244.0.9', 'app: db', [owner('StatefulSet', 'db', true)])}
${pod('store-aaa-1', '10.244.0.30', 'app: store, pod-template-hash: aaa', [owner('ReplicaSet', 'store-aaa', true)], 8080)}
${pods.join('\n')}
`;

/** A NetObserv record of a TCP SYN from `src` to `dst`:8080. */
const syn = (src: string, dst: string) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 40010, DstPort: 8080, Proto: 6, Flags: 2, Bytes: 100, Packets: 1, TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 59_900 });

test('a pod whose only owner reference is not its controller is a bare pod: its traffic to store is allowed from its own labels, not from the StatefulSet it names', async () => {
  const { db } = tmpDb();
  const summary = importInventory(db, { text: inventory([pod('backup-helper', '10.244.0.20', 'app: backup-helper', [owner('StatefulSet', 'db', false)])]), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  assert.deepEqual(summary.warnings, []);
  const helper = readInventory(db).workloads.find((w) => w.name === 'backup-helper');
  assert.deepEqual(helper && { kind: helper.kind, selector: helper.selector }, { kind: 'Pod', selector: { matchLabels: { app: 'backup-helper' } } });

  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${syn('10.244.0.20', '10.244.0.30')}\n`]) }], { format: 'netobserv' });
  assert.deepEqual(new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol}`), ['workload:a/Pod/backup-helper -> workload:a/Deployment/store:8080/TCP']);

  const { emitted, verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'a', workload: 'Deployment/store' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification));
  type Np = { metadata: { name: string }; spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[] } };
  const store = (emitted.manifests as Np[]).find((m) => m.spec.podSelector.matchLabels?.app === 'store' && m.spec.ingress !== undefined);
  assert.deepEqual(store?.spec.ingress?.flatMap((r) => r.from ?? []).map((f) => f.podSelector?.matchLabels), [{ app: 'backup-helper' }]);
});

/** The same SYN as NetObserv enriches it: flowlogs-pipeline names each pod's FIRST owner reference, controller or not (informers.go initPodInformer: `obj.OwnerKind = pod.OwnerReferences[0].Kind`). */
const enrichedSyn = (src: { ip: string; pod: string; ownerKind: string; ownerName: string }, dst: { ip: string; pod: string; ownerKind: string; ownerName: string }) =>
  JSON.stringify({
    ...JSON.parse(syn(src.ip, dst.ip)),
    SrcK8S_Type: 'Pod', SrcK8S_Name: src.pod, SrcK8S_Namespace: 'a', SrcK8S_OwnerType: src.ownerKind, SrcK8S_OwnerName: src.ownerName, SrcK8S_HostName: 'node-a',
    DstK8S_Type: 'Pod', DstK8S_Name: dst.pod, DstK8S_Namespace: 'a', DstK8S_OwnerType: dst.ownerKind, DstK8S_OwnerName: dst.ownerName, DstK8S_HostName: 'node-a',
  });

test("a NetObserv record naming the pod's non-controller owner (flowlogs-pipeline takes the first owner reference) is credited to the pod the inventory knows, the bare pod: store lets the helper in", async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory([pod('backup-helper', '10.244.0.20', 'app: backup-helper', [owner('StatefulSet', 'db', false)])]), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const record = enrichedSyn({ ip: '10.244.0.20', pod: 'backup-helper', ownerKind: 'StatefulSet', ownerName: 'db' }, { ip: '10.244.0.30', pod: 'store-aaa-1', ownerKind: 'Deployment', ownerName: 'store' });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'netobserv' });
  assert.deepEqual(new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol}`), ['workload:a/Pod/backup-helper -> workload:a/Deployment/store:8080/TCP']);

  const { emitted, verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'a', workload: 'Deployment/store' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification));
  type Np = { spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[] } };
  const store = (emitted.manifests as Np[]).find((m) => m.spec.podSelector.matchLabels?.app === 'store' && m.spec.ingress !== undefined);
  assert.deepEqual(store?.spec.ingress?.flatMap((r) => r.from ?? []).map((f) => f.podSelector?.matchLabels), [{ app: 'backup-helper' }]);
});

test("a record's owner still names the workload of a pod the inventory does not know (started after the last import)", async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory([]), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const record = enrichedSyn({ ip: '10.244.0.21', pod: 'db-1', ownerKind: 'StatefulSet', ownerName: 'db' }, { ip: '10.244.0.30', pod: 'store-aaa-1', ownerKind: 'Deployment', ownerName: 'store' });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'netobserv' });
  assert.deepEqual(new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol}`), ['workload:a/StatefulSet/db -> workload:a/Deployment/store:8080/TCP']);
});

test('a pod with a non-controller owner reference (controller false or absent) to a ReplicaSet is a bare pod with no warning naming that ReplicaSet', () => {
  const { db } = tmpDb();
  const summary = importInventory(db, {
    text: inventory([
      pod('nc-pod', '10.244.0.6', 'app: nc', [owner('ReplicaSet', 'nc-111', false)]),
      pod('nf-pod', '10.244.0.7', 'app: nf', [owner('ReplicaSet', 'nf-111')]),
    ]),
    takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW,
  });
  assert.deepEqual(summary.warnings, []);
  const kinds = readInventory(db).workloads.filter((w) => w.name.endsWith('-pod')).map((w) => `${w.kind}/${w.name}`);
  assert.deepEqual(kinds, ['Pod/nc-pod', 'Pod/nf-pod']);
});

test('a pod with two controller references cannot come from an API server (apimachinery ValidateOwnerReferences: "Only one reference can have Controller set to true"): refused, naming the pod and the reference, nothing imported', () => {
  const { db } = tmpDb();
  assert.throws(
    () => importInventory(db, { text: inventory([pod('two-pod', '10.244.0.8', 'app: two', [owner('StatefulSet', 's1', true), owner('DaemonSet', 'd1', true)])]), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW }),
    (e: unknown) => {
      assert.ok(e instanceof AppError, String(e));
      assert.match(e.message, /Pod a\/two-pod: metadata\.ownerReferences\[1\]\.controller: expected false \(only one owner reference can be the controller: ownerReferences\[0\], StatefulSet s1, already is\), got boolean true/);
      return true;
    },
  );
  assert.equal(readInventory(db).workloads.length, 0);
});
