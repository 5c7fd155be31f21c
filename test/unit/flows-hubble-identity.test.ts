/**
 * A Hubble endpoint with `k8s:` labels and `k8s:io.kubernetes.pod.namespace` but no
 * `pod_name` resolves by those labels, not to `unknown`. The records are real: the node's
 * cilium_host address (10.244.0.148) as source, carrying the identity of the pod whose traffic it
 * forwards (cilium/hubble-otel testdata/basic-sample-400-tcp-flows.json, 32-line subset; see
 * test/fixtures/reference/SOURCES.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createHubbleDecoder, IdentityMemory } from '../../collectors/flows/hubble.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { EMPTY_RESOLUTION, ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import type { FlowObservation } from '../../domain/flow.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { tmpDb } from '../helpers/tmp.ts';

const FILE = fileURLToPath(new URL('../fixtures/reference/flows/hubble/hubble-otel-basic-sample-400-tcp-flows.SUBSET.json', import.meta.url));
const TEXT = readFileSync(FILE, 'utf8');
const LINES = TEXT.trim().split('\n').map((l) => JSON.parse(l) as unknown);
/** Line 4: 10.244.0.148 (cilium_host) → reviews-v2:9080, source labels app=productpage,version=v1, no pod_name. */
const CILIUM_HOST_LINE = LINES[3];
/** Line 1: the productpage pod itself (identity 3418, the same label set) with its pod_name. */
const PRODUCTPAGE_LINE = LINES[0];

function decoded(d: ReturnType<ReturnType<typeof createHubbleDecoder>['decode']>): FlowObservation {
  assert.equal(d.kind, 'flow', JSON.stringify(d));
  return (d as { flow: FlowObservation }).flow;
}

function bookinfo(name: string, labels: Record<string, string>): Workload {
  return { namespace: 'bookinfo', kind: 'Deployment', name, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [{ port: 9080, protocol: 'TCP' }], services: [], exposure: [] };
}

test('the label-only endpoint decodes as a pod of its namespace with its labels (no reserved identity, no pod name)', () => {
  const f = decoded(createHubbleDecoder().decode(CILIUM_HOST_LINE));
  assert.equal(f.src.ip, '10.244.0.148');
  assert.deepEqual(f.src.meta, { kind: 'pod', namespace: 'bookinfo', cluster: 'kind-kind', labels: { app: 'productpage', 'sidecar.opentelemetry.io/injected': 'bookinfo.otelcol-bookinfo', version: 'v1' } });
});

test('with an inventory: the labels resolve through the Deployment selector they match', () => {
  const index = new ResolutionIndex({ ...EMPTY_RESOLUTION, workloads: [bookinfo('productpage-v1', { app: 'productpage', version: 'v1' }), bookinfo('reviews-v2', { app: 'reviews', version: 'v2' })] });
  const f = decoded(createHubbleDecoder().decode(CILIUM_HOST_LINE));
  assert.deepEqual(index.resolve(f.src, f.time, { observedOn: f.observedOn }).map((s) => s.key), ['workload:bookinfo/Deployment/productpage-v1']);
});

test('without an inventory: the label set borrows the pod a sibling record of the same identity named', () => {
  const decoder = createHubbleDecoder();
  decoder.decode(PRODUCTPAGE_LINE);
  const f = decoded(decoder.decode(CILIUM_HOST_LINE));
  assert.equal(f.src.meta?.kind === 'pod' ? f.src.meta.podName : undefined, 'productpage-v1-6b746f74dc-9rcxx');
  const index = new ResolutionIndex(EMPTY_RESOLUTION);
  assert.deepEqual(index.resolve(f.src, f.time, { observedOn: f.observedOn }).map((s) => s.key), ['workload:bookinfo/Deployment/productpage-v1']);
  // Not learnt yet (a fresh decoder): the side stays unknown rather than guessed.
  const alone = decoded(createHubbleDecoder().decode(CILIUM_HOST_LINE));
  assert.deepEqual(index.resolve(alone.src, alone.time, { observedOn: alone.observedOn }).map((s) => s.key), ['unknown:10.244.0.148']);
});

test('a different label set (another identity) borrows nothing', () => {
  const decoder = createHubbleDecoder();
  decoder.decode(PRODUCTPAGE_LINE);
  // Line 10: 10.244.0.148 with the ratings identity (16370); no ratings pod seen yet.
  const f = decoded(decoder.decode(LINES[9]));
  assert.equal(f.src.meta?.kind === 'pod' ? f.src.meta.podName : 'not-a-pod', undefined);
});

test('the memory is bounded: the oldest label set is forgotten first', () => {
  const memory = new IdentityMemory(2);
  for (const k of ['a', 'b', 'c']) memory.learn(k, { kind: 'pod', namespace: 'ns', podName: `${k}-0` });
  assert.equal(memory.size, 2);
  const m = { kind: 'pod' as const, namespace: 'ns' };
  memory.fill('a', m);
  assert.deepEqual(m, { kind: 'pod', namespace: 'ns' });
  memory.fill('c', m);
  assert.deepEqual(m, { kind: 'pod', namespace: 'ns', podName: 'c-0' });
});

test('the whole sample through the pipeline with no inventory: no edge from unknown:10.244.0.148', async () => {
  const { db } = tmpDb();
  const ingest = new FlowIngest({ format: 'hubble', index: new ResolutionIndex(EMPTY_RESOLUTION), writer: new SqliteBatchWriter(db) });
  const s = await ingest.ingest(Readable.from([TEXT]), 'sample');
  assert.deepEqual([s.records, s.accepted, s.rejected], [32, 31, 0]);
  const edges = new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port} x${e.flows}`);
  assert.ok(!edges.some((e) => e.startsWith('unknown:10.244.0.148')), edges.join('\n'));
  // Lines 1-3, 9 (the pod) and 4 (cilium_host on its behalf) to reviews-v2, with lines 6-8 (replies).
  assert.ok(edges.includes('workload:bookinfo/Deployment/productpage-v1 -> workload:bookinfo/Deployment/reviews-v2:9080 x7'), edges.join('\n'));
  assert.ok(edges.includes('workload:bookinfo/Deployment/ratings-v1 -> workload:bookinfo/Deployment/productpage-v1:9080 x6'), edges.join('\n'));
});
