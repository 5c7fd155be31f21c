/**
 * The labels flow records carry for workloads no inventory knows (domain/observed-labels.ts):
 * gathered per batch and merged in the store as an intersection, capped; and the workloads
 * derived from them at recommend time (recommender/synthesize/inferred-workloads.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObservedLabelsBatch } from '../../collectors/flows/observed-labels.ts';
import { EMPTY_RESOLUTION, ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import type { BatchWriter } from '../../collectors/flows/write.ts';
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import { Readable } from 'node:stream';
import type { InventorySnapshot, Labels, Workload } from '../../domain/inventory.ts';
import type { ObservedLabels, ObservedLabelsDelta } from '../../domain/observed-labels.ts';
import { podsPeer, policySet, port } from '../../recommender/policy/build.ts';
import { flowWorkloads, flowWorkloadWarnings, inventoryNamespaces, markInferredIntents, withFlowWorkloads } from '../../recommender/synthesize/inferred-workloads.ts';
import { ObservedLabelStore, readObservedLabels } from '../../store/observed-labels.ts';
import { tmpDb } from '../helpers/tmp.ts';

const WEB = 'shop/Deployment/web';
const WEB_PEER = `workload:${WEB}`;

function delta(workload: string, labels: Labels, extra: Partial<ObservedLabelsDelta> = {}): ObservedLabelsDelta {
  return { workload, labels, capped: false, firstSeen: 1, lastSeen: 2, ...extra };
}

test('a batch keeps the labels common to every set of a workload, in any order, without volatile labels', () => {
  const sets: Labels[] = [
    { app: 'web', tier: 'front', 'pod-template-hash': 'a1', canary: 'true' },
    { app: 'web', tier: 'front', 'pod-template-hash': 'b2' },
    { app: 'web', tier: 'front', track: 'stable', 'controller-revision-hash': 'x' },
  ];
  const drained = (order: Labels[]) => {
    const b = new ObservedLabelsBatch();
    order.forEach((l, i) => b.add(WEB_PEER, l, 100 + i));
    return b.drain();
  };
  const forward = drained(sets);
  assert.deepEqual(forward, [{ workload: WEB, labels: { app: 'web', tier: 'front' }, capped: false, firstSeen: 100, lastSeen: 102 }]);
  assert.deepEqual(drained([...sets].reverse()).map((d) => d.labels), [{ app: 'web', tier: 'front' }]);
  // A differing value is no common label.
  const b = new ObservedLabelsBatch();
  b.add(WEB_PEER, { app: 'web', version: 'v1' }, 1);
  b.add(WEB_PEER, { app: 'web', version: 'v2' }, 2);
  assert.deepEqual(b.drain()[0]?.labels, { app: 'web' });
  assert.deepEqual(b.drain(), [], 'drain starts afresh');
});

test('a batch caps the labels of a workload and the workloads it gathers', () => {
  const b = new ObservedLabelsBatch(3, 2);
  b.add('workload:ns/Pod/a', { d: '4', c: '3', b: '2', a: '1', e: '5' }, 1);
  b.add('workload:ns/Pod/b', { x: '1' }, 1);
  b.add('workload:ns/Pod/c', { y: '1' }, 1);
  assert.deepEqual(b.drain(), [
    { workload: 'ns/Pod/a', labels: { a: '1', b: '2', c: '3' }, capped: true, firstSeen: 1, lastSeen: 1 },
    { workload: 'ns/Pod/b', labels: { x: '1' }, capped: false, firstSeen: 1, lastSeen: 1 },
  ]);
});

test('the store merges batches as an intersection; a workload with nothing in common stays without labels', () => {
  const { db } = tmpDb();
  const store = new ObservedLabelStore(db);
  const write = db.transaction((ds: ObservedLabelsDelta[]) => store.write(ds));
  write([delta(WEB, { app: 'web', tier: 'front', version: 'v1' })]);
  write([delta(WEB, { app: 'web', tier: 'front', version: 'v2' }, { firstSeen: 0, lastSeen: 5 })]);
  assert.deepEqual(readObservedLabels(db), [{ workload: WEB, labels: { app: 'web', tier: 'front' }, capped: false }]);
  assert.deepEqual(db.prepare('SELECT first_seen, last_seen FROM observed_workloads').get(), { first_seen: 0, last_seen: 5 });
  write([delta(WEB, { other: 'x' })]);
  write([delta(WEB, { app: 'web', tier: 'front' })]);
  // Seen with nothing in common: a later set does not bring labels back (they would miss a pod seen before).
  assert.deepEqual(readObservedLabels(db), [{ workload: WEB, labels: {}, capped: false }]);
});

test('the store keeps at most its caps: labels per workload and workloads in all', () => {
  const { db } = tmpDb();
  const store = new ObservedLabelStore(db, { perWorkload: 2, workloads: 2 });
  const write = db.transaction((ds: ObservedLabelsDelta[]) => store.write(ds));
  assert.equal(write([delta('ns/Pod/a', { c: '3', a: '1', b: '2' }), delta('ns/Pod/b', { x: '1' })]), 0);
  assert.equal(write([delta('ns/Pod/c', { y: '1' }), delta('ns/Pod/b', { x: '1' })]), 1);
  assert.deepEqual(readObservedLabels(db), [
    { workload: 'ns/Pod/a', labels: { a: '1', b: '2' }, capped: true },
    { workload: 'ns/Pod/b', labels: { x: '1' }, capped: false },
  ]);
});

test('ingest remembers the record labels only for workloads the inventory does not list, NetObserv owners without labels not at all', async () => {
  const line = (labels: string[] | undefined) =>
    JSON.stringify({
      time: '2026-11-30T10:00:00Z',
      IP: { source: '10.0.0.5', destination: '10.0.0.6' },
      l4: { TCP: { source_port: 40000, destination_port: 8080 } },
      is_reply: false,
      source: { namespace: 'shop', pod_name: 'web-7d4b9c8f6d-abcde', workloads: [{ kind: 'Deployment', name: 'web' }], ...(labels ? { labels } : {}) },
      destination: { namespace: 'shop', pod_name: 'api-7d4b9c8f6d-fghij', workloads: [{ kind: 'Deployment', name: 'api' }], labels: ['k8s:app=api'] },
    });
  const batches = async (data: typeof EMPTY_RESOLUTION, text: string): Promise<AggregateBatch[]> => {
    const seen: AggregateBatch[] = [];
    const writer: BatchWriter = { startRun: () => 1, commit: (b) => void seen.push(b) };
    await new FlowIngest({ format: 'hubble', index: new ResolutionIndex(data), writer }).ingest(Readable.from([text]), 'x');
    return seen;
  };
  const bare = await batches(EMPTY_RESOLUTION, `${line(['k8s:app=web', 'k8s:pod-template-hash=7d4b9c8f6d', 'k8s:io.kubernetes.pod.namespace=shop'])}\n`);
  assert.deepEqual(
    bare.flatMap((b) => b.labels ?? []).map((d) => [d.workload, d.labels]),
    [
      ['shop/Deployment/api', { app: 'api' }],
      ['shop/Deployment/web', { app: 'web' }],
    ],
  );
  const web: Workload = { namespace: 'shop', kind: 'Deployment', name: 'web', labels: { app: 'web' }, selector: { matchLabels: { app: 'web' } }, hostNetwork: false, ports: [], services: [], exposure: [] };
  const known = await batches({ ...EMPTY_RESOLUTION, workloads: [web] }, `${line(['k8s:app=web'])}\n`);
  assert.deepEqual(known.flatMap((b) => b.labels ?? []).map((d) => d.workload), ['shop/Deployment/api']);
  const unlabelled = await batches(EMPTY_RESOLUTION, `${line(undefined)}\n`);
  assert.deepEqual(unlabelled.flatMap((b) => b.labels ?? []).map((d) => d.workload), ['shop/Deployment/api']);
});

const EMPTY_INVENTORY: InventorySnapshot = { takenAt: 0, namespaces: [], nodes: [], workloads: [], services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };

test('derived workloads: only in namespaces the inventory does not know; no labels, no selector; the cluster DNS recognised', () => {
  const inv: InventorySnapshot = { ...EMPTY_INVENTORY, namespaces: [{ name: 'known', labels: {} }] };
  const refs = [
    { namespace: 'shop', kind: 'Deployment' as const, name: 'web' },
    { namespace: 'shop', kind: 'StatefulSet' as const, name: 'db' },
    { namespace: 'known', kind: 'Deployment' as const, name: 'gone' },
    { namespace: 'kube-system', kind: 'Deployment' as const, name: 'coredns' },
  ];
  const observed: ObservedLabels[] = [
    { workload: 'shop/Deployment/web', labels: { app: 'web' }, capped: false },
    { workload: 'known/Deployment/gone', labels: { app: 'gone' }, capped: false },
    { workload: 'kube-system/Deployment/coredns', labels: { 'k8s-app': 'kube-dns' }, capped: true },
  ];
  const fw = flowWorkloads(inventoryNamespaces(inv), refs, observed);
  assert.deepEqual(fw.inferred.map((w) => [w.namespace, w.name, w.selector, w.clusterDns === true]), [
    ['kube-system', 'coredns', { matchLabels: { 'k8s-app': 'kube-dns' } }, true],
    ['shop', 'web', { matchLabels: { app: 'web' } }, false],
  ]);
  assert.deepEqual(fw.unselectable, ['shop/StatefulSet/db']);
  assert.deepEqual(fw.capped, ['kube-system/Deployment/coredns']);
  const derived = withFlowWorkloads(inv, fw);
  assert.deepEqual(derived.namespaces.map((n) => n.name), ['known', 'kube-system', 'shop']);
  assert.equal(derived.workloads.length, 2);
  const warnings = flowWorkloadWarnings(fw);
  assert.equal(warnings.length, 3);
  assert.match(warnings[1] as string, /no safe pod selector for 1 workload\(s\).*shop\/StatefulSet\/db/);
  // Nothing derived: the very same inventory object (a store with an inventory is unchanged).
  const none = flowWorkloads(inventoryNamespaces(inv), [refs[2]!], observed);
  assert.equal(withFlowWorkloads(inv, none), inv);
  assert.deepEqual(flowWorkloadWarnings(none), []);
});

test('overlapping inferred selectors are said; intents using an inferred selector are marked', () => {
  const w = (name: string, labels: Labels): Workload => ({ namespace: 'shop', kind: 'Pod', name, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [], services: [], exposure: [] });
  const wide = w('wide', { app: 'web' });
  const narrow = w('narrow', { app: 'web', track: 'canary' });
  const fw = { inferred: [narrow, wide], unselectable: [], capped: [] };
  assert.deepEqual(flowWorkloadWarnings(fw).slice(1), ['inferred selectors overlap (a policy of one also applies to the other\'s pods): shop/Pod/wide also selects shop/Pod/narrow']);
  const set = policySet([
    {
      key: 'shop/pod/narrow',
      namespace: 'shop',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: narrow.selector, hostNetwork: false },
      ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { app: 'web' } })], ports: [port('TCP', 80)], explanation: { id: 'r', status: 'confirmed', text: '' } }] },
      explanation: 'x',
    },
    {
      key: 'shop/pod/other',
      namespace: 'shop',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'other' } }, hostNetwork: false },
      ingress: { mode: 'deny-all', explanation: { id: 'd', status: 'implied', text: '' } },
      explanation: 'y',
    },
  ]);
  const used = markInferredIntents(set, fw.inferred);
  assert.deepEqual([...used].sort(), ['shop/Pod/narrow', 'shop/Pod/wide']);
  assert.deepEqual(set.intents.map((i) => i.inferredSelectors), [['shop/Pod/narrow', 'shop/Pod/wide'], undefined]);
});
