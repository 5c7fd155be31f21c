/**
 * The service answers /healthz in milliseconds while heavy requests run: the work of a
 * large flow upload, inventory import or simulation either runs on a worker thread or returns
 * to the event loop often. In-process service on a real SQLite file; the longest event-loop gap
 * while the request ran is what /healthz would have waited.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, test } from 'node:test';
import { createApp } from '../../server/app.ts';
import { closeExecutor } from '../../server/services/compute.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { blocking, leastBlocking } from '../helpers/event-loop.ts';

const { db, path } = tmpDb();
const ctx = testContext(db, path, { maxFlowBodyBytes: 1 << 30, maxBodyBytes: 64 << 20 });
const server: Server = createApp(ctx).app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(async () => {
  await closeExecutor(ctx);
  server.close();
});

const T0 = Date.UTC(2026, 10, 20);

/** `n` NetObserv records from one named pod, each to its own external address on 443: `n` distinct edges. */
function distinctEdges(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        SrcAddr: '10.1.0.5', SrcPort: 40000 + (i % 20000), SrcK8S_Namespace: 'team', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', SrcK8S_Name: 'web-1',
        DstAddr: `${1 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.7`, DstPort: 443, Proto: 6, Etype: 2048, Flags: 2, Packets: 2, Bytes: 100,
        TimeFlowStartMs: T0 + i, TimeFlowEndMs: T0 + i + 5,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

test('POST /flows with 40,000 distinct edges commits small windows: the event loop is never held long', async () => {
  const body = distinctEdges(40_000);
  const { blockedMs, tookMs, result } = await blocking(async () => {
    const res = await fetch(`${base}/api/v1/flows?format=netobserv`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    return { status: res.status, summary: (await res.json()) as { accepted: number; edges: number; inputs: { run: number }[] } };
  });
  assert.equal(result.status, 200);
  assert.equal(result.summary.accepted, 40_000);
  assert.equal(result.summary.edges, 40_000);
  // One window's commit (and now and then a WAL checkpoint) is all it holds; one 40,000-edge window held it over half the request.
  assert.ok(blockedMs < tookMs * 0.2, `held the event loop ${Math.round(blockedMs)} ms (the request took ${Math.round(tookMs)} ms)`);
  // Every window is its own batch with the run's progress: the run row agrees with what is stored.
  const run = db.prepare('SELECT status, accepted FROM ingest_runs WHERE id = ?').get(result.summary.inputs[0]!.run) as { status: string; accepted: number };
  assert.deepEqual(run, { status: 'done', accepted: 40_000 });
  assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 40_000);
});

/** A `kubectl get -o json` List: 100 Deployments with their ReplicaSets and `pods` pods each, one node; pod n has address n + `shift`. */
function inventoryList(podsPerWorkload: number, shift = 0): string {
  const items: unknown[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' } } }];
  items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  let ip = 0;
  for (let i = 0; i < 100; i++) {
    const name = `svc-${i}`;
    const labels = { app: name, 'pod-template-hash': `h${i}` };
    const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } };
    items.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'team', uid: `d-${i}` }, spec: { selector: { matchLabels: { app: name } }, template } });
    items.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-h${i}`, namespace: 'team', uid: `rs-${i}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${i}`, controller: true }] }, spec: { selector: { matchLabels: labels }, template } });
    for (let p = 0; p < podsPerWorkload; p++) {
      ip++;
      const address = `10.1.${(ip + shift) >> 8}.${(ip + shift) & 255}`;
      items.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${name}-h${i}-p${p}`, namespace: 'team', uid: `pod-${i}-${p}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-h${i}`, uid: `rs-${i}`, controller: true }] },
        spec: { nodeName: 'node-1', ...template.spec },
        status: { phase: 'Running', podIP: address, podIPs: [{ ip: address }], hostIP: '10.0.0.1' },
      });
    }
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

test('POST /inventory parses and converts a large List on a worker: the event loop is held only for the write', async () => {
  // A first, small import: the worker is up and the modules loaded before the measure.
  assert.equal((await fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inventoryList(1) })).status, 200);
  const body = inventoryList(60); // 6,000 pods, about 4 MB
  const { blockedMs, tookMs, result } = await blocking(async () => {
    const res = await fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, summary: (await res.json()) as { objects: Record<string, number>; podAddresses: number } };
  });
  assert.equal(result.status, 200, JSON.stringify(result.summary));
  assert.equal(result.summary.objects['Pod'], 6_000);
  assert.equal(result.summary.podAddresses, 6_000);
  // The write (with the IP-history reconciliation) stays here; in-process the parse held the loop for 94% of the request.
  assert.ok(blockedMs < tookMs * 0.6, `held the event loop ${Math.round(blockedMs)} ms of the request's ${Math.round(tookMs)} ms`);
});

test('POST /inventory that gives 20,000 pod IPs new holders: the IP history is planned on the worker, the event loop only writes', async () => {
  const post = (body: string) => fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal((await post(inventoryList(200))).status, 200); // 20,000 pods
  const body = inventoryList(200, 200); // every address now held by the next workload's pod
  const { blockedMs, tookMs, result } = await blocking(async () => {
    const res = await post(body);
    return { status: res.status, summary: (await res.json()) as { ipIntervals: { opened: number; closed: number } } };
  });
  assert.equal(result.status, 200, JSON.stringify(result.summary));
  assert.deepEqual(result.summary.ipIntervals, { opened: 20_000, closed: 20_000 });
  // It held the loop 2.5-6 s on a loaded 2-core machine (the reconciliation was quadratic, and read and ran on the main thread: nearly all
  // the request); now 0.3-0.6 s of row writes. A machine loaded by other processes slows the writes as much as the rest: under half the request then.
  assert.ok(blockedMs < 1_500 || blockedMs < tookMs * 0.5, `held the event loop ${Math.round(blockedMs)} ms of the request's ${Math.round(tookMs)} ms`);
});

test('POST /inventory refuses what is no inventory as before, from the worker: 422 naming the source, 413 for YAML over the token cap', async () => {
  const bad = await fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind": "List", "items": [' });
  assert.equal(bad.status, 422);
  assert.match(((await bad.json()) as { detail: string }).detail, /nothing was imported/);
  const big = await fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: `x: [${Array(300_000).fill('1').join(',')}]\n` });
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as { detail: string }).detail, /tokens/);
});

test('POST /simulate reads a large JSON body on its worker: the event loop does not parse, check or copy it', async () => {
  const policies = [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'team' }, spec: { podSelector: {}, policyTypes: ['Egress'] } }];
  const flows = distinctEdges(1).trim();
  const post = (body: string | Blob) => fetch(`${base}/api/v1/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal((await post(JSON.stringify({ policies, flows: [JSON.parse(flows)] }))).status, 200); // the worker is up
  // 120,000 records as parsed values, about 40 MB: parsed, checked and structured-cloned on the main thread, that held it about 500 ms.
  // Built as bytes, no records kept: the collection of a large heap of this process would be measured too.
  const body = new Blob([`{"engine":"kubernetes","policies":${JSON.stringify(policies)},"flows":[${distinctEdges(120_000).trim().split('\n').join(',')}]}`]);
  // A simulation stores nothing: the least held of up to 3 runs, so that another process taking the CPU for a while is not measured.
  const { blockedMs, tookMs, result } = await leastBlocking(250, async () => {
    const res = await post(body);
    // Parsed after the measure: this client shares the service's event loop.
    return { status: res.status, answer: await res.arrayBuffer() };
  });
  assert.equal(result.status, 200);
  assert.equal((JSON.parse(Buffer.from(result.answer).toString()) as unknown[]).length, 120_000);
  // In-process it held the loop 650-900 ms on a loaded 2-core machine (over 10% of the request); now it
  // only collects the bytes. Under a load of 15 on 2 cores the least of 3 runs still held it 259 ms of 26 s
  // (1%): the share of the request is what tells the two apart there.
  assert.ok(blockedMs < 250 || blockedMs < tookMs * 0.02, `held the event loop ${Math.round(blockedMs)} ms of the request's ${Math.round(tookMs)} ms`);
});

test('POST /simulate answers bad bodies as it did when the main thread parsed them: 400 malformed or invalid, 422 too deep, 413 too large', async () => {
  const answer = async (body: string): Promise<[number, unknown]> => {
    const res = await fetch(`${base}/api/v1/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const { instance: _, ...problem } = (await res.json()) as Record<string, unknown>;
    return [res.status, problem];
  };
  const bad = (detail: string) => ({ type: 'https://flowmatrix.io/problems/bad-request', title: 'Bad request', status: 400, detail });
  const invalid = (detail: string, errors: unknown[]) => ({ type: 'https://flowmatrix.io/problems/validation-failed', title: 'Request validation failed', status: 400, detail, errors });
  assert.deepEqual(await answer('{"policies": ['), [400, bad('malformed JSON body: Unexpected end of JSON input')]);
  assert.deepEqual(await answer('123'), [400, bad('malformed JSON body: Unexpected token \'1\', "123" is not valid JSON')]);
  assert.deepEqual(await answer(' '), [400, bad('malformed JSON body: Unexpected end of JSON input')]);
  assert.deepEqual(await answer(JSON.stringify({ policies: 'x', flows: 3, extra: true })), [
    400,
    invalid('invalid body: body.extra is not a known parameter; body.flows must be string; body.flows must be array; body.flows must match a schema in anyOf', [
      { path: 'body.extra', message: 'is not a known parameter' },
      { path: 'body.flows', message: 'must be string', value: 3 },
      { path: 'body.flows', message: 'must be array', value: 3 },
      { path: 'body.flows', message: 'must match a schema in anyOf', value: 3 },
    ]),
  ]);
  assert.deepEqual(await answer(''), [400, invalid('invalid body: body.flows is required; body.policies is required', [{ path: 'body.flows', message: 'is required' }, { path: 'body.policies', message: 'is required' }])]);
  let deep: unknown = {};
  for (let i = 0; i < 600; i++) deep = { a: deep };
  assert.deepEqual(await answer(JSON.stringify({ policies: [deep], flows: [] })), [422, { type: 'https://flowmatrix.io/problems/unprocessable-content', title: 'Unprocessable content', status: 422, detail: 'policies: nesting deeper than 512 levels' }]);
  const latin1 = await fetch(`${base}/api/v1/simulate`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' });
  assert.equal(latin1.status, 415);
  assert.equal(((await latin1.json()) as { detail: string }).detail, 'unsupported charset "LATIN1"');
  const [status, problem] = await answer(JSON.stringify({ policies: [], flows: 'x'.repeat(65 << 20) }));
  assert.equal(status, 413);
  assert.match((problem as { detail: string }).detail, /^request body is larger than the configured limit of 67108864 bytes$/);
});
