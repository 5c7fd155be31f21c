/**
 * A recommended policy's subject selects every pod of its namespace whose labels match, whoever
 * owns it (Kubernetes docs, "Network Policies": the podSelector "selects the grouping of pods to
 * which the policy applies"; Cilium's endpointSelector, Calico's selector and a
 * ClusterNetworkPolicy's pods.podSelector select by labels alike). A Deployment `app=cache` and a
 * backup Job whose pods also carry `app=cache` (plus the Job labels the API server adds) shared
 * the Deployment's selector: its policy (ingress rules, deny-all egress) isolated the Job's pod
 * and cut its egress on every engine, while the verification counted the Job's sides as not
 * restricted and passed. Input → expected:
 * - the subject is narrowed by a label that tells the pods apart (here the matrix component's own
 *   `batch.kubernetes.io/job-name DoesNotExist`), so the Job's traffic passes and the
 *   verification is right to pass; in mode union a `cache-exporter` (app=cache, role=exporter)
 *   no longer gets cache's ingress rules;
 * - where no label tells them apart (a bare pod copied from a cache pod, carrying only its
 *   pod-template-hash besides, which the Deployment's own pods carry too), a warning names both
 *   and the verification simulates the other pod under the policy: the cut is `blocked`.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const pod = (name: string, labels: Record<string, string>, ip: string, owner?: string) =>
  `- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}, namespace: ovl, labels: ${JSON.stringify(labels)}, creationTimestamp: "${T}"${owner ? `, ownerReferences: [${owner}]` : ''}}
  spec: {nodeName: n1, containers: [{name: c, image: c, ports: [{containerPort: 6379}]}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
const deployment = (name: string, labels: Record<string, string>, ip: string) => `- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ${name}, namespace: ovl, uid: d-${name}, creationTimestamp: "${T}"}
  spec: {selector: {matchLabels: ${JSON.stringify(labels)}}, template: {metadata: {labels: ${JSON.stringify(labels)}}, spec: {containers: [{name: c, image: c}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: ${name}-rs, namespace: ovl, uid: r-${name}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: ${name}, uid: d-${name}, controller: true}]}
  spec: {selector: {matchLabels: ${JSON.stringify(labels)}}, template: {metadata: {labels: ${JSON.stringify(labels)}}, spec: {containers: [{name: c, image: c}]}}}
${pod(`${name}-x1`, labels, ip, `{apiVersion: apps/v1, kind: ReplicaSet, name: ${name}-rs, uid: r-${name}, controller: true}`)}`;
const JOB_LABELS = { app: 'cache', 'batch.kubernetes.io/controller-uid': 'j1', 'batch.kubernetes.io/job-name': 'cache-backup' };
const BASE = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: ovl, labels: {kubernetes.io/metadata.name: ovl}}}
- apiVersion: v1
  kind: Node
  metadata: {name: n1, creationTimestamp: "${T}"}
  spec: {podCIDR: 10.244.0.0/24}
  status: {addresses: [{type: InternalIP, address: 10.0.0.10}]}
${deployment('cache', { app: 'cache' }, '10.244.0.80')}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: cache-backup, namespace: ovl, uid: j1, creationTimestamp: "${T}"}
  spec: {selector: {matchLabels: {batch.kubernetes.io/controller-uid: j1}}, template: {metadata: {labels: ${JSON.stringify(JOB_LABELS)}}, spec: {containers: [{name: b, image: b}]}}}
${pod('cache-backup-x1', JOB_LABELS, '10.244.0.81', '{apiVersion: batch/v1, kind: Job, name: cache-backup, uid: j1, controller: true}')}
${pod('client', { app: 'client' }, '10.244.0.82')}
`;
// The cache expects no egress (authoritative, no rule: a documented deny-all), so a pod its policy selects is isolated for egress in mode documented too.
const MATRIX = (extra = '') => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: cachesys, title: Cache }
documents: { doc: { title: cache doc, file: cache.txt } }
components:
  cache:
    namespace: ovl
    selector: { matchLabels: { app: cache }, matchExpressions: [{ key: batch.kubernetes.io/job-name, operator: DoesNotExist }${extra}] }
    authoritative: { egress: true }
    ingress:
      - { id: clients, peer: { namespace: ovl, selector: { matchLabels: { app: client } } }, ports: [{ port: 6379 }], level: must, purpose: clients, source: { document: doc, line: 1 } }
`;
const flow = (i: number, src: string, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });
const FLOWS = [flow(0, '10.244.0.81', '198.51.100.7', 443), flow(1, '10.244.0.82', '10.244.0.80', 6379)];

async function stored(inventory: string, flows: string[], matrix: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: Date.parse(T), source: 'inventory.yaml', now: Date.parse('2026-03-02T00:00:00Z') });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => Date.parse('2026-03-02T00:00:00Z') });
  applyMatrix(db, { text: matrix, origin: 'cache.yaml', appliedAt: Date.parse('2026-03-02T00:00:00Z') });
  return readRecommendationInput(db, {});
}

const podNamed = (input: Awaited<ReturnType<typeof stored>>, name: string) => {
  const model = clusterModel(input.inventory, input.externalNames);
  return { model, pod: model.cluster.pods.find((p) => p.name === name)! };
};

test('the Deployment\'s policy leaves the Job\'s pods out: its egress passes on every engine, and the verification passing is true', async () => {
  const input = await stored(BASE, FLOWS, MATRIX());
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const { model, pod: job } = podNamed(input, 'cache-backup');
    const { pod: cache } = podNamed(input, 'cache');
    const { pod: client } = podNamed(input, 'client');
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const out = sim.evaluate({ client: { kind: 'pod', pod: job }, server: { kind: 'external', ip: '198.51.100.7' }, port: 443, protocol: 'TCP' });
    assert.equal(out.verdict, 'allow', `${engine}: the Job's egress: ${out.egress.reason}`);
    const documented = sim.evaluate({ client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: cache }, port: 6379, protocol: 'TCP' });
    assert.equal(documented.verdict, 'allow', `${engine}: client → cache: ${documented.ingress.reason}`);
    const cacheEgress = sim.evaluate({ client: { kind: 'pod', pod: cache }, server: { kind: 'external', ip: '198.51.100.7' }, port: 443, protocol: 'TCP' });
    assert.equal(cacheEgress.verdict, 'deny', `${engine}: cache itself stays isolated for egress`);
  }
});

test('mode union: a cache-exporter (app=cache, role=exporter) does not get cache\'s ingress rules', async () => {
  const inventory = `${BASE}${deployment('cache-exporter', { app: 'cache', role: 'exporter' }, '10.244.0.84')}\n`;
  // The matrix's cache is not the exporter (role DoesNotExist): the author's word narrows cache's selector, and the exporter gets only what
  // was observed of it. Without it nothing would: cache's pods may carry `role` beyond its template (an absence the template cannot prove).
  const input = await stored(inventory, [...FLOWS, flow(2, '10.244.0.82', '10.244.0.84', 9121)], MATRIX(', { key: role, operator: DoesNotExist }'));
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'union' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const { model, pod: exporter } = podNamed(input, 'cache-exporter');
    const { pod: client } = podNamed(input, 'client');
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const out = sim.evaluate({ client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: exporter }, port: 6379, protocol: 'TCP' });
    // The exporter's ingress side (the client's own egress policy is another matter).
    assert.equal(out.ingress.allowed, false, `${engine}: client → cache-exporter:6379 was never observed: ${out.ingress.reason}`);
  }
});

test('no label tells a copied pod from the Deployment\'s: a warning names both, and the cut of its egress is blocked', async () => {
  // `kubectl debug --copy-to` style: a bare pod with the cache pod's labels, pod-template-hash included.
  const inventory = `${BASE}${pod('cache-copy', { app: 'cache', 'pod-template-hash': '5d8f' }, '10.244.0.83')}\n`;
  // The component leaves it out by pod-template-hash, which the Deployment's own pods carry too: no selector can use it.
  const input = await stored(inventory, [...FLOWS, flow(3, '10.244.0.83', '198.51.100.8', 443)], MATRIX(', { key: pod-template-hash, operator: DoesNotExist }'));
  for (const engine of ENGINE_NAMES) {
    const { verification, rec } = runRecommendation(input, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    const cache = rec.workloads.find((w) => w.workload.name === 'cache')!;
    assert.ok(cache.warnings.some((w) => w.includes('Pod ovl/cache-copy') && w.includes('Deployment ovl/cache')), cache.warnings.join('\n'));
    assert.equal(verification.ok, false, engine);
    assert.deepEqual(verification.blocked.map((b) => [b.workload, b.direction, b.edge]), [['ovl/Pod/cache-copy', 'egress', 'workload:ovl/Pod/cache-copy|external:198.51.100.8|443|TCP']], engine);
  }
});

// A pod's labels beyond its template come from admission webhooks (Istio's sidecar injector adds
// security.istio.io/tlsMode and service.istio.io/canonical-name to every injected pod) or by hand.
// A bare pod's labels are its own, so they hold those; a Deployment's are its template's, which do
// not, though its pods carry them too once injected. `tlsMode DoesNotExist` on the Deployment
// would leave its own pods out of its policy, and a peer naming it would not match them: no
// absence test on a label a bare pod carries beyond the other's template (a Job's labels aside).
test('a bare pod whose labels only differ by a webhook-injected label: the Deployment\'s selector is not narrowed by its absence (its own pods carry it too); a warning names both', async () => {
  const injected = { app: 'cache', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': 'cache' };
  const inventory = `${BASE}${pod('cache-debug', injected, '10.244.0.85')}\n`;
  const input = await stored(inventory, [...FLOWS, flow(4, '10.244.0.85', '198.51.100.9', 443)], MATRIX());
  const { rec, emitted } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'documented' }), { tightness: false });
  const policy = emitted.manifests.find((m) => (m as { metadata: { name: string } }).metadata.name === 'ovl-deployment-cache') as { spec: { podSelector: { matchExpressions?: { key: string }[] } } } | undefined;
  assert.ok(policy, emitted.manifests.map((m) => (m as { metadata: { name: string } }).metadata.name).join(', '));
  // The Job of BASE is left out by its job-name, as in the first test.
  assert.deepEqual(policy.spec.podSelector.matchExpressions?.map((e) => e.key), ['batch.kubernetes.io/job-name'], 'the Deployment\'s selector tests no injected label');
  const cache = rec.workloads.find((w) => w.workload.name === 'cache')!;
  assert.ok(cache.warnings.some((w) => w.includes('Pod ovl/cache-debug') && w.includes('Deployment ovl/cache')), cache.warnings.join('\n'));
});

// A tester's reproduction: Deployment b's template holds a label Istio's injector
// also puts on a's pods (service.istio.io/canonical-name), which a's template does not list. The
// inventory holds a's template labels only, so no absence test on a label a's template lacks is
// sure to hold for a's pods: `canonical-name DoesNotExist` (Calico `!has(...)`) left a's own
// injected pods out of its policy, and the client's egress peer for a matched none of them.
test('a Deployment is not narrowed by the absence of a label another Deployment\'s template holds (its own pods may carry it beyond its template): a warning names both, and on a cluster its injected pods stay selected', async () => {
  const injected = { 'service.istio.io/canonical-name': 'a', 'security.istio.io/tlsMode': 'istio' };
  const canary = { app: 'web', track: 'canary', 'service.istio.io/canonical-name': 'web-canary' };
  const inventory = `${BASE}${deployment('a', { app: 'web' }, '10.244.0.90')}\n${deployment('b', canary, '10.244.0.91')}\n`;
  const flows = [...FLOWS, flow(5, '10.244.0.82', '10.244.0.90', 6379), flow(6, '10.244.0.82', '10.244.0.91', 6379), flow(7, '10.244.0.90', '198.51.100.7', 443)];
  const input = await stored(inventory, flows, MATRIX());
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode: 'union' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    // On the cluster a's pod carries the injected labels beyond its template.
    const { model, pod: aPod } = podNamed(input, 'a');
    const { pod: client } = podNamed(input, 'client');
    const real = { ...aPod, labels: { ...aPod.labels, ...injected } };
    const cluster = { ...model.cluster, pods: model.cluster.pods.map((p) => (p === aPod ? real : p)) };
    const sim = SIMULATORS[engine](emitted.manifests, cluster);
    const served = sim.evaluate({ client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: real }, port: 6379, protocol: 'TCP' });
    assert.equal(served.verdict, 'allow', `${engine}: client → a (injected): ${served.egress.reason} / ${served.ingress.reason}`);
    const out = sim.evaluate({ client: { kind: 'pod', pod: real }, server: { kind: 'external', ip: '198.51.100.9' }, port: 443, protocol: 'TCP' });
    assert.equal(out.verdict, 'deny', `${engine}: a's injected pod is still isolated by a's policy: ${out.egress.reason}`);
    // b's own selector names its canonical-name; none tests its absence.
    assert.doesNotMatch(JSON.stringify(emitted.manifests), /canonical-name","operator":"DoesNotExist|!has\(service\.istio\.io\/canonical-name\)/, `${engine}: no selector tests the injected label's absence`);
    const a = rec.workloads.find((w) => w.workload.name === 'a')!;
    assert.ok(a.warnings.some((w) => w.includes('Deployment ovl/b') && w.includes('Deployment ovl/a')), `${engine}: ${a.warnings.join('\n')}`);
  }
});

// A run scoped to one workload (`--workload deployment/cache`, or `-n`) emits only its policies,
// and they select every pod their subject matches, inside the run or not. A pod no label tells
// from cache's (outside the run) has its egress cut by cache's deny-all egress: the verification
// judges its observed sides under that policy too (read for the verification only), so the cut
// is blocked instead of passing unseen.
test('a scoped run: a workload outside the run that the run\'s policy selects has its observed traffic judged under it, on every engine', async () => {
  const inventory = `${BASE}${pod('cache-copy', { app: 'cache', 'pod-template-hash': '5d8f' }, '10.244.0.83')}\n`;
  const input = await stored(inventory, [...FLOWS, flow(3, '10.244.0.83', '198.51.100.8', 443)], MATRIX());
  for (const engine of ENGINE_NAMES) {
    for (const scope of [{ workload: 'Deployment/cache', namespace: 'ovl' }, { workload: 'cache' }]) {
      const { verification, rec, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'union', ...scope }), { tightness: true });
      assert.deepEqual(rec.workloads.map((w) => w.workload.name), ['cache'], engine);
      assert.equal(verification.ok, false, `${engine} ${JSON.stringify(scope)}`);
      assert.deepEqual(verification.blocked.map((b) => [b.workload, b.direction, b.edge]), [['ovl/Pod/cache-copy', 'egress', 'workload:ovl/Pod/cache-copy|external:198.51.100.8|443|TCP']], engine);
      // Read for the verification only: nothing of it is emitted or measured.
      assert.ok(!JSON.stringify(emitted.manifests).includes('cache-copy'), engine);
      assert.deepEqual(verification.tightness.map((t) => t.workload).filter((w) => w.includes('cache-copy')), [], engine);
    }
    // The Job is told apart by its job-name: a run scoped to cache leaves it unselected, and passes.
    const base = await stored(BASE, FLOWS, MATRIX());
    const job = runRecommendation(base, engine, recommendOptions({ mode: 'union', workload: 'Deployment/cache' }), { tightness: false });
    assert.equal(job.verification.ok, true, `${engine}: ${JSON.stringify(job.verification.blocked)}`);
    // --default-deny's namespace layer restricts every pod of ovl, the Job's and the client's too: what it cuts of them is blocked.
    const layered = runRecommendation(base, engine, recommendOptions({ mode: 'union', workload: 'Deployment/cache', defaultDeny: true }), { tightness: false });
    assert.deepEqual(layered.verification.blocked.map((b) => [b.workload, b.direction, b.edge]), [
      ['ovl/Job/cache-backup', 'egress', 'workload:ovl/Job/cache-backup|external:198.51.100.7|443|TCP'],
      ['ovl/Pod/client', 'egress', 'workload:ovl/Pod/client|workload:ovl/Deployment/cache|6379|TCP'],
    ], engine);
  }
});

// A requirement on a workload's own template labels holds for the pods of its current template
// only: a rollout that stalled (or an OnDelete update) keeps pods of an earlier revision whose
// labels differ, and `track NotIn [canary]` or `track Exists` would leave them out of the
// workload's own policy and of every peer naming it. Only what is sure narrows.
test('two Deployments told apart only by a value of their own template labels (track: stable / canary): no narrowing on it, a warning names both', async () => {
  const inventory = `${BASE}${deployment('web-stable', { app: 'web', track: 'stable' }, '10.244.0.90')}\n${deployment('web-canary', { app: 'web', track: 'canary' }, '10.244.0.91')}\n`.replace(
    /selector: \{matchLabels: \{"app":"web","track":"stable"\}\}/g,
    'selector: {matchLabels: {"app":"web"}}',
  );
  const input = await stored(inventory, FLOWS, MATRIX());
  const { rec, emitted } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'union' }), { tightness: false });
  const policy = emitted.manifests.find((m) => (m as { metadata: { name: string } }).metadata.name === 'ovl-deployment-web-stable') as { spec: { podSelector: Record<string, unknown> } } | undefined;
  assert.ok(policy, emitted.manifests.map((m) => (m as { metadata: { name: string } }).metadata.name).join(', '));
  assert.deepEqual(policy.spec.podSelector, { matchLabels: { app: 'web' } }, 'its spec.selector as it is');
  const stable = rec.workloads.find((w) => w.workload.name === 'web-stable')!;
  assert.ok(stable.warnings.some((w) => w.includes('Deployment ovl/web-canary')), stable.warnings.join('\n'));
});
