/**
 * The live collector (`serve`) with the real @kubernetes/client-node against the fake API server:
 * list then watch from the list's resourceVersion, bookmarks, 410 Gone on resume and the relist
 * that reconciles, a stream cut mid-object, 401 and 403, a refused object, and the IP history
 * through watch events (pod deleted, another workload's pod takes its IP two seconds later).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { startCollectors } from '../../app/collectors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { KubernetesCollector } from '../../collectors/kubernetes/collector.ts';
import { kubernetesCollectorDefinition } from '../../collectors/kubernetes/definition.ts';
import { peerKey } from '../../domain/peer.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { readInventory, readIntervals } from '../../store/inventory.ts';
import { fixtureObjects, startFakeCluster, waitFor, type FakeCluster } from '../helpers/kube-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { blackHole } from '../helpers/black-hole.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const T0 = Date.parse('2025-03-02T12:00:00Z');
type Json = Record<string, unknown>;

const writer = (db: Db, req: Parameters<typeof importInventoryObjects>[1]) => importInventoryObjects(db, { ...req, coalesce: true });

function startCollector(cluster: FakeCluster, clock: { t: number }, db: Db = tmpDb().db): { collector: KubernetesCollector; db: Db } {
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5 }, { db, logger: pino({ level: 'silent' }), now: () => clock.t, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  return { collector, db };
}

const stats = (c: KubernetesCollector, resource: string) => c.resourceStats()[resource] as NonNullable<ReturnType<KubernetesCollector['resourceStats']>[string]>;
const writes = (c: KubernetesCollector) => c.status().counters.writes ?? 0;
const podWatches = (cluster: FakeCluster) => cluster.server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === 'true');

async function synced(c: KubernetesCollector): Promise<void> {
  await c.start();
  await waitFor('the first write', () => writes(c) >= 1);
  await c.idle();
}

function pod(namespace: string, name: string, ip: string, startTime: string, owner?: { kind: string; name: string }, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels,
      creationTimestamp: startTime,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'example/app:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.1.10', startTime },
  };
}

test('lists, then watches from the list\'s resourceVersion with bookmarks; a bookmark keeps a quiet watch resumable after the history is compacted', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  assert.equal(collector.status().state, 'running');
  assert.equal(readInventory(db).podAddresses.length, 8);
  const listRv = cluster.server.resourceVersion;
  await waitFor('the pods watch', () => podWatches(cluster).length >= 1);
  const first = podWatches(cluster)[0];
  assert.deepEqual([first?.query.resourceVersion, first?.query.allowWatchBookmarks, first?.query.timeoutSeconds], [listRv, 'true', '300']);

  // Other resources move on; the pods' watch only gets a bookmark of the new revision.
  cluster.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late', labels: {} } });
  cluster.server.bookmark();
  await waitFor('the bookmark', () => stats(collector, 'pods').bookmarks >= 1);
  const bookmarkRv = cluster.server.resourceVersion;
  cluster.server.compact();
  cluster.server.endWatches();
  await waitFor('the pods watch resumed', () => podWatches(cluster).length >= 2);
  assert.equal(podWatches(cluster)[1]?.query.resourceVersion, bookmarkRv, 'resumed from the bookmark, not the list');
  await waitFor('every watch resumed', () => cluster.server.openWatches === Object.keys(collector.resourceStats()).length);
  assert.equal(stats(collector, 'pods').gone, 0);
  assert.equal(stats(collector, 'pods').relists, 1, 'no relist needed');
  assert.equal(stats(collector, 'namespaces').relists, 1, 'its events moved its resourceVersion past the compaction');
});

test('410 Gone on resume: the relist reconciles, and pods deleted while the watch was down are closed at the relist\'s time', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  // While disconnected: web-6b9f8c7d54-x2x9k (10.244.0.10) is deleted and the history compacted.
  const T1 = T0 + 60_000;
  clock.t = T1;
  cluster.server.replaceSilently(fixtureObjects().filter((o) => (o.metadata as Json).name !== 'web-6b9f8c7d54-x2x9k'));
  cluster.server.endWatches();
  await waitFor('the pods relist', () => stats(collector, 'pods').relists >= 2);
  await waitFor('the write after the relist', () => readIntervals(db).some((i) => i.ip === '10.244.0.10' && i.validTo !== undefined));
  assert.ok(stats(collector, 'pods').gone >= 1, 'the resume got 410 Gone');
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.10'),
    [{ ip: '10.244.0.10', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: Date.parse('2025-03-01T09:00:00Z'), validTo: T1 }],
  );
  assert.equal(collector.status().state, 'running');
});

test('410 Gone on resume: db-0 recreated by its StatefulSet (new uid) on web\'s freed IP while the watch was down holds it from its start, not from the relist: a flow in between is db\'s', async () => {
  // The store dates the new db-0 from its start (inventory-store.test.ts, "a pod recreated under the same name"); the
  // collector's part: the writes the other resources' relists make before the pods' watch gets its 410 leave the pods
  // out (their view is stale), so they do not date web as seen then and web's interval can end at db-0's start.
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  // While disconnected: web-6b9f8c7d54-x2x9k (10.244.0.10) deleted; db-0 deleted and recreated at
  // T0+20s under its name (a new pod: metadata.uid is "unique in time and space"), getting 10.244.0.10.
  const objects = fixtureObjects().filter((o) => (o.metadata as Json).name !== 'web-6b9f8c7d54-x2x9k');
  const db0 = objects.find((o) => (o.metadata as Json).name === 'db-0') as Json;
  const start = new Date(T0 + 20_000).toISOString().replace('.000', '');
  const recreated = {
    ...db0,
    metadata: { ...(db0.metadata as Json), uid: 'db-0-recreated', creationTimestamp: start },
    status: { ...(db0.status as Json), podIP: '10.244.0.10', podIPs: [{ ip: '10.244.0.10' }], startTime: start },
  };
  clock.t = T0 + 60_000;
  cluster.server.replaceSilently(objects.map((o) => (o === db0 ? recreated : o)));
  cluster.server.endWatches();
  await waitFor('the relist written', () => readIntervals(db).some((i) => i.ip === '10.244.0.10' && i.peerKey === 'workload:shop/StatefulSet/db'));
  await collector.idle();
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.10').map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [
      ['workload:shop/Deployment/web', Date.parse('2025-03-01T09:00:00Z'), T0 + 20_000],
      ['workload:shop/StatefulSet/db', T0 + 20_000, undefined],
    ],
  );
  const flow = JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: 40001, DstAddr: '10.244.1.10', DstPort: 8080, Proto: 6, Packets: 2, Bytes: 100, TimeFlowEndMs: T0 + 30_000, FlowDirection: 1, Etype: 2048, Flags: 0x2 });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([flow + '\n']) }], { format: 'netobserv' });
  assert.deepEqual(new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}`), ['workload:shop/StatefulSet/db -> workload:shop/Deployment/web:8080']);
});

/** Each pod address row with when a write last saw it (updated_at: the store dates a holder's release no earlier, store/ip-history-plan.ts). */
const podRows = (db: Db) => db.prepare('SELECT namespace, pod, ip, updated_at FROM pod_addresses ORDER BY namespace, pod, ip').all() as { updated_at: number }[];
const updatedAt = (db: Db, table: string) => (db.prepare(`SELECT max(updated_at) AS t FROM ${table}`).get() as { t: number }).t;

/** Ends every watch once all are open, and waits until each resource has taken a new one: `held`'s answered 200 and then nothing, the others open. */
async function watchesRenewed(cluster: FakeCluster, c: KubernetesCollector, held?: string): Promise<void> {
  const resources = Object.keys(c.resourceStats()).length;
  await waitFor('every watch open', () => cluster.server.openWatches === resources);
  const before = Object.fromEntries(Object.entries(c.resourceStats()).map(([name, s]) => [name, s.watches]));
  if (held) cluster.server.hold(held);
  cluster.server.endWatches();
  const open = held ? resources - 1 : resources;
  await waitFor('every resource watching again', () => Object.entries(c.resourceStats()).every(([name, s]) => s.watches > (before[name] ?? 0)) && cluster.server.openWatches === open);
}

test('a write while the pods watch is down (its new watch answered 200, nothing delivered) leaves the pods and their IP history as the last write saw them; the other resources are written', async () => {
  // The mirror still holds web-6b9f8c7d54-x2x9k, deleted meanwhile: writing it would date web as seen holding
  // 10.244.0.10 at the write, and its interval could not end before (store/ip-history-plan.ts lastSeenAt).
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const podsBefore = podRows(db);
  const intervalsBefore = readIntervals(db);
  await watchesRenewed(cluster, collector, 'pods');
  cluster.server.bookmark();
  await waitFor('a bookmark on every other watch', () => Object.entries(collector.resourceStats()).every(([name, s]) => name === 'pods' || s.bookmarks >= 1));
  clock.t = T0 + 60_000;
  cluster.server.remove('v1', 'Pod', 'shop', 'web-6b9f8c7d54-x2x9k');
  cluster.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late', labels: {} } });
  await waitFor('the namespace written', () => readInventory(db).namespaces.some((n) => n.name === 'late'));
  await collector.idle();
  assert.equal(updatedAt(db, 'nodes'), T0 + 60_000, 'nodes written, seen at the write');
  assert.equal(updatedAt(db, 'services'), T0 + 60_000, 'services written');
  assert.deepEqual(podRows(db), podsBefore, 'pods untouched: not seen at the write');
  assert.deepEqual(readIntervals(db), intervalsBefore, 'IP history untouched');
  assert.equal(collector.status().gauges?.['pods:current'], 0);
  assert.equal(collector.status().gauges?.['nodes:current'], 1);
});

test('a watch resumed after a clean end is current once it delivers an event or a bookmark: a write before leaves its pods out, the bookmark writes them at its time', async () => {
  // The API server answers a resourceVersion it no longer keeps with 200 then an ERROR event (410), so a
  // connected watch proves nothing yet; client-go's reflector takes a bookmark as "watch has synced here"
  // (tools/cache/reflector.go watchHandler).
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const podsBefore = podRows(db);
  await watchesRenewed(cluster, collector);
  clock.t = T0 + 60_000;
  cluster.server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late', labels: {} } });
  await waitFor('the namespace written', () => readInventory(db).namespaces.some((n) => n.name === 'late'));
  await collector.idle();
  assert.deepEqual(podRows(db), podsBefore, 'pods left out while their watch delivered nothing');
  assert.equal(stats(collector, 'pods').current, false);
  clock.t = T0 + 120_000;
  cluster.server.bookmark();
  await waitFor('the pods written at the bookmark', () => updatedAt(db, 'pod_addresses') === T0 + 120_000);
  assert.equal(stats(collector, 'pods').current, true);
  assert.deepEqual(podRows(db).length, podsBefore.length);
});

test('a server answering 410 Gone to every watch, even from its own list\'s resourceVersion: relists are spaced by the backoff and the resource shows as failing, until the watches are taken again', async () => {
  // client-go runs ListAndWatch under its backoff manager (tools/cache/reflector.go, Run → wait.BackoffUntil):
  // a list followed at once by a refused watch must not turn into a relist loop.
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector } = startCollector(cluster, clock);
  await synced(collector);
  cluster.server.refuseWatches(true);
  cluster.server.endWatches();
  await waitFor('the first refused watch', () => stats(collector, 'pods').gone >= 2);
  const relists = stats(collector, 'pods').relists;
  await new Promise((r) => setTimeout(r, 1000));
  // Backoff 10 ms doubling to 40 ms, jitter 0.5: at most one relist per 20 ms, 50 a second (a relist loop makes hundreds).
  assert.ok(stats(collector, 'pods').relists - relists <= 50, `relists in one second: ${stats(collector, 'pods').relists - relists}`);
  // Retrying may outlast it (a proxy restarting): `starting`, ready, with the reason.
  assert.equal(collector.status().state, 'starting');
  assert.match(collector.status().lastError ?? '', /410 Gone to a watch from its own list's resourceVersion/);
  cluster.server.refuseWatches(false);
  await waitFor('the watch taken again', () => collector.status().state === 'running' && !stats(collector, 'pods').failing, 5000);
  assert.equal(collector.status().lastError, undefined, 'no error is shown once nothing fails');
});

test('the API server unavailable for a while after the first write (a control-plane upgrade): retrying (starting, ready) with the reason, not failed; running again without the error once it answers', async () => {
  const cluster = await startFakeCluster();
  const { collector } = startCollector(cluster, { t: T0 });
  await synced(collector);
  cluster.server.unavailable(true);
  cluster.server.endWatches();
  await waitFor('a refused list', () => (stats(collector, 'pods').errors ?? 0) >= 1);
  const s = collector.status();
  assert.equal(s.state, 'starting');
  assert.match(s.lastError ?? '', /failed with HTTP 503/);
  cluster.server.unavailable(false);
  await waitFor('running', () => collector.status().state === 'running', 5000);
  assert.equal(collector.status().lastError, undefined);
});

test('a watch stream cut in the middle of an object: the watch resumes and the cut event arrives again', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const watchesBefore = podWatches(cluster).length;
  cluster.server.dropWatchesMidObject();
  clock.t = T0 + 5000;
  cluster.server.put(pod('shop', 'extra', '10.244.0.99', '2025-03-02T12:00:04Z'));
  await waitFor('the resumed watch', () => podWatches(cluster).length > watchesBefore);
  await waitFor('the pod written', () => readIntervals(db).some((i) => i.ip === '10.244.0.99'));
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.99'),
    [{ ip: '10.244.0.99', peerKey: 'workload:shop/Pod/extra', node: 'node-a', hostNetwork: false, validFrom: Date.parse('2025-03-02T12:00:04Z') }],
  );
  assert.equal(stats(collector, 'pods').errors, 0, 'a cut stream is a reconnect, not an error');
});

test('watch events of no known type, or without an object, are counted as skipped and left out; the watch goes on', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  // Every resource's watch open: the events below reach the pods watch (and each other one).
  await waitFor('every watch open', () => cluster.server.openWatches === collector.status().gauges?.resources);
  cluster.server.sendRaw({ type: 'WHATEVER', object: pod('shop', 'odd', '10.244.0.97', '2025-03-02T12:00:04Z') });
  cluster.server.sendRaw({ type: 'ADDED', object: 'a string' });
  await waitFor('two skipped events', () => stats(collector, 'pods').skipped === 2);
  assert.equal(collector.status().counters['pods:skipped'], 2);
  clock.t = T0 + 5000;
  cluster.server.put(pod('shop', 'extra', '10.244.0.98', '2025-03-02T12:00:04Z'));
  await waitFor('the next pod written', () => readIntervals(db).some((i) => i.ip === '10.244.0.98'));
  assert.equal(readIntervals(db).some((i) => i.ip === '10.244.0.97'), false, 'the event of no known type is left out');
});

test('IP reuse through watch events: a pod deleted, another workload\'s pod takes its IP two seconds later; flows before and after resolve to the right workload', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const T1 = T0 + 60_000;
  clock.t = T1;
  cluster.server.remove('v1', 'Pod', 'shop', 'web-6b9f8c7d54-x2x9k');
  await waitFor('the delete written', () => readIntervals(db).some((i) => i.ip === '10.244.0.10' && i.validTo !== undefined));
  clock.t = T1 + 2000;
  // A pod of another workload: bare pod shop/debug-2 gets 10.244.0.10 (scheduled, then started).
  cluster.server.put({ ...pod('shop', 'debug-2', '', '2025-03-02T12:01:02Z'), status: { phase: 'Pending' } });
  cluster.server.put(pod('shop', 'debug-2', '10.244.0.10', '2025-03-02T12:01:02Z'));
  await waitFor('the new holder written', () => readIntervals(db).filter((i) => i.ip === '10.244.0.10').length === 2);
  await collector.idle();
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.10'),
    [
      { ip: '10.244.0.10', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: Date.parse('2025-03-01T09:00:00Z'), validTo: T1 },
      { ip: '10.244.0.10', peerKey: 'workload:shop/Pod/debug-2', node: 'node-a', hostNetwork: false, validFrom: T1 + 2000 },
    ],
  );

  // Flows from 10.244.0.10 to db-0 (10.244.1.15:5432), SYN = the client opened it.
  const flow = (t: number, sport: number) =>
    JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: sport, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Packets: 2, Bytes: 100, TimeFlowEndMs: t, FlowDirection: 1, Etype: 2048, Flags: 0x2 });
  const text = [flow(T1 - 1000, 40000), flow(T1 + 3000, 40001), flow(T1 + 3500, 40002)].join('\n') + '\n';
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([text]) }], { format: 'netobserv' });
  assert.equal(summary.rejected, 0);
  const edges = new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port} x${e.flows}`);
  assert.deepEqual(edges, ['workload:shop/Deployment/web -> workload:shop/StatefulSet/db:5432 x1', 'workload:shop/Pod/debug-2 -> workload:shop/StatefulSet/db:5432 x2']);
});

test('a Service DELETED event: it holds its ClusterIP until the write without it; flows before resolve through it to its backends, flows after are unknown, never an outside address', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const T1 = T0 + 60_000;
  clock.t = T1;
  // shop/db-0-primary: 10.96.12.50:5432 → the StatefulSet db's pod db-0 on 5432.
  cluster.server.remove('v1', 'Service', 'shop', 'db-0-primary');
  await waitFor('the delete written', () => !readInventory(db).services.some((s) => s.name === 'db-0-primary'));
  await collector.idle();
  const flow = (t: number, sport: number) =>
    JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: sport, DstAddr: '10.96.12.50', DstPort: 5432, Proto: 6, Packets: 2, Bytes: 100, TimeFlowEndMs: t, FlowDirection: 1, Etype: 2048, Flags: 0x2 });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow(T1 - 1000, 40000)}\n${flow(T1 + 1000, 40001)}\n`]) }], { format: 'netobserv' });
  assert.equal(summary.rejected, 0);
  const edges = new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port} x${e.flows}`);
  assert.deepEqual(edges, ['workload:shop/Deployment/web -> unknown:10.96.12.50:5432 x1', 'workload:shop/Deployment/web -> workload:shop/StatefulSet/db:5432 x1']);
});

test('IP reuse in a watch backlog split over two writes: the release dated by its event\'s arrival moves back to the new holder\'s start; flows in between resolve to the new holder', async () => {
  // After an outage the watch resumes (no 410) and reads the backlog in several chunks: web's DELETED
  // is written at once, dated by its arrival (T0+60s); the ADDED of bare pod shop/other-1, which
  // started with web's IP at T0+20s (status.startTime), lands in a later write. One write with both
  // closes web at other-1's start (reconcileClaims); two writes must give the same history, so the
  // outcome does not depend on how the stream splits. Web was last seen at T0 (the first write).
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  clock.t = T0 + 60_000;
  cluster.server.remove('v1', 'Pod', 'shop', 'web-6b9f8c7d54-x2x9k');
  await waitFor('the release written', () => readIntervals(db).some((i) => i.ip === '10.244.0.10' && i.validTo !== undefined));
  cluster.server.put(pod('shop', 'other-1', '10.244.0.10', new Date(T0 + 20_000).toISOString()));
  await waitFor('the new holder written', () => readIntervals(db).filter((i) => i.ip === '10.244.0.10').length === 2);
  await collector.idle();
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.10'),
    [
      { ip: '10.244.0.10', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: Date.parse('2025-03-01T09:00:00Z'), validTo: T0 + 20_000 },
      { ip: '10.244.0.10', peerKey: 'workload:shop/Pod/other-1', node: 'node-a', hostNetwork: false, validFrom: T0 + 20_000 },
    ],
  );
  const flow = (t: number, sport: number) =>
    JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: sport, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Packets: 2, Bytes: 100, TimeFlowEndMs: t, FlowDirection: 1, Etype: 2048, Flags: 0x2 });
  const text = [flow(T0 + 10_000, 40000), flow(T0 + 30_000, 40001)].join('\n') + '\n';
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([text]) }], { format: 'netobserv' });
  const edges = new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port} x${e.flows}`);
  assert.deepEqual(edges, ['workload:shop/Deployment/web -> workload:shop/StatefulSet/db:5432 x1', 'workload:shop/Pod/other-1 -> workload:shop/StatefulSet/db:5432 x1']);
});

test('IP reuse during an outage, the watch resuming (no 410) into a backlog of 3000 events read in several chunks: the new holder holds the IP from its start', async () => {
  // The same history as above whatever the chunks: web deleted, 3000 unrelated MODIFIED events,
  // then bare pod shop/other-1 started at T0+20s with web's IP; the collector learns it all at T0+60s.
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  cluster.server.unavailable(true);
  cluster.server.endWatches();
  await waitFor('the pods watch refused', () => stats(collector, 'pods').errors >= 1);
  cluster.server.remove('v1', 'Pod', 'shop', 'web-6b9f8c7d54-x2x9k');
  const debug = pod('shop', 'debug', '10.244.1.20', '2025-03-02T10:00:00Z');
  for (let i = 0; i < 3000; i++) cluster.server.put({ ...debug, metadata: { ...(debug.metadata as Json), annotations: { n: String(i), pad: 'x'.repeat(500) } } });
  cluster.server.put(pod('shop', 'other-1', '10.244.0.10', new Date(T0 + 20_000).toISOString()));
  clock.t = T0 + 60_000;
  cluster.server.unavailable(false);
  await waitFor('the new holder written', () => readIntervals(db).filter((i) => i.ip === '10.244.0.10').length === 2, 20_000);
  await collector.idle();
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.10').map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [
      ['workload:shop/Deployment/web', Date.parse('2025-03-01T09:00:00Z'), T0 + 20_000],
      ['workload:shop/Pod/other-1', T0 + 20_000, undefined],
    ],
  );
});

test('a pod that finishes (MODIFIED to Succeeded) gives its IP back at the event\'s time', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const job = fixtureObjects().find((o) => (o.metadata as Json).name === 'db-migrate-t7w4n') as Json;
  const T1 = T0 + 30_000;
  clock.t = T1;
  cluster.server.put({ ...job, status: { ...(job.status as Json), phase: 'Succeeded' } });
  await waitFor('the release written', () => readIntervals(db).some((i) => i.ip === '10.244.0.31' && i.validTo !== undefined));
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.31').map((i) => [i.peerKey, i.validTo]),
    [['workload:batch-jobs/Job/db-migrate', T1]],
  );
});

test('a pod that finishes (MODIFIED to Succeeded) whose status says when its last container finished gives its IP back then, not at the event\'s time', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const job = fixtureObjects().find((o) => (o.metadata as Json).name === 'db-migrate-t7w4n') as Json;
  const finishedAt = T0 + 10_000;
  clock.t = T0 + 30_000;
  const terminated = { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: new Date(finishedAt).toISOString() } } };
  cluster.server.put({ ...job, status: { ...(job.status as Json), phase: 'Succeeded', containerStatuses: [terminated] } });
  await waitFor('the release written', () => readIntervals(db).some((i) => i.ip === '10.244.0.31' && i.validTo !== undefined));
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.31').map((i) => [i.peerKey, i.validTo]),
    [['workload:batch-jobs/Job/db-migrate', finishedAt]],
  );
});

test('a CronJob run whose Job the collector no longer holds (TTL-deleted) or has not seen yet is the CronJob, not a workload per run (kubernetes pkg/controller/cronjob getJobName: <cronjob>-<scheduled minutes>)', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  clock.t = T0 + 60_000;
  // ttlSecondsAfterFinished removes the finished run's Job; its Succeeded pod is still listed.
  cluster.server.remove('batch/v1', 'Job', 'batch-jobs', 'report-28995030');
  // The next run's pod arrives before its Job does.
  const run = pod('batch-jobs', 'report-28995090-m4q8z', '10.244.0.32', '2025-03-02T12:01:00Z', undefined, { app: 'report', 'job-name': 'report-28995090' });
  (run.metadata as Json).ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-28995090', uid: 'uid-report-28995090', controller: true, blockOwnerDeletion: true }];
  cluster.server.put(run);
  await waitFor('the run written', () => readIntervals(db).some((i) => i.ip === '10.244.0.32'));
  await collector.idle();
  const batch = readInventory(db).workloads.filter((w) => w.namespace === 'batch-jobs').map((w) => `${w.kind}/${w.name}`);
  assert.deepEqual(batch, ['CronJob/report', 'Job/db-migrate']);
  assert.deepEqual(readIntervals(db).filter((i) => i.ip === '10.244.0.32').map((i) => i.peerKey), ['workload:batch-jobs/CronJob/report']);
});

test('a CronJob run while the collector may not list CronJobs and Jobs (a ClusterRole without batch): the CronJob an earlier import stored, not a workload per run', async () => {
  const cluster = await startFakeCluster();
  cluster.server.forbid('cronjobs.batch');
  cluster.server.forbid('jobs.batch');
  const { db } = tmpDb();
  // An earlier import stored the CronJob (`inventory import` of a full export).
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: fixtureObjects() }), takenAt: T0 - 60_000, source: 'file' });
  const run = pod('batch-jobs', 'report-28995090-m4q8z', '10.244.0.32', '2025-03-02T12:01:00Z', undefined, { app: 'report', 'job-name': 'report-28995090' });
  (run.metadata as Json).ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-28995090', uid: 'uid-report-28995090', controller: true, blockOwnerDeletion: true }];
  cluster.server.put(run);
  const { collector } = startCollector(cluster, { t: T0 }, db);
  await collector.start();
  await waitFor('the pods written', () => readIntervals(db).some((i) => i.ip === '10.244.0.32'));
  await collector.idle();
  const batch = readInventory(db).workloads.filter((w) => w.namespace === 'batch-jobs').map((w) => `${w.kind}/${w.name}`);
  assert.deepEqual(batch, ['CronJob/report', 'Job/db-migrate']);
  assert.deepEqual(readIntervals(db).filter((i) => i.ip === '10.244.0.32').map((i) => i.peerKey), ['workload:batch-jobs/CronJob/report']);
});

test('401: the collector reports failed naming the refusal, writes nothing, and keeps retrying', async () => {
  const cluster = await startFakeCluster({ token: 'another-token-entirely-0123456789' });
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await collector.start();
  await waitFor('a discovery failure', () => (collector.status().counters.discovery_errors ?? 0) >= 2);
  const s = collector.status();
  assert.equal(s.state, 'failed');
  assert.match(s.lastError ?? '', /refused the credentials \(401 Unauthorized\)/);
  assert.equal(writes(collector), 0);
  assert.equal(readInventory(db).workloads.length, 0);
});

test('403 on pods: failed naming the verb and resource; the other resources are still written; granting the permission recovers', async () => {
  const cluster = await startFakeCluster();
  cluster.server.forbid('pods');
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await collector.start();
  await waitFor('the first write', () => writes(collector) >= 1);
  const s = collector.status();
  assert.equal(s.state, 'failed');
  assert.match(s.lastError ?? '', /forbidden \(403\): the API server does not allow list on pods \(pods is forbidden: User "system:serviceaccount:flowmatrix:flowmatrix" cannot list resource "pods"/);
  assert.ok((s.counters['pods:errors'] ?? 0) >= 1);
  assert.equal(s.gauges?.['pods:synced'], 0);
  const inv = readInventory(db);
  assert.equal(inv.podAddresses.length, 0, 'no pods were read');
  assert.ok(inv.workloads.some((w) => w.name === 'web' && w.kind === 'Deployment'), 'the Deployments were');
  cluster.server.allow('pods');
  await waitFor('pods synced', () => stats(collector, 'pods').synced);
  await waitFor('running', () => collector.status().state === 'running');
  await collector.idle();
  assert.equal(readInventory(db).podAddresses.length, 8);
});

test('an object the converter refuses is counted and left out; the rest is written', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  const bad = pod('shop', 'broken', '10.244.0.77', '2025-03-02T12:00:00Z');
  ((bad.spec as Json).containers as Json[])[0]!.ports = [{ containerPort: '80' }];
  clock.t = T0 + 1000;
  cluster.server.put(bad);
  cluster.server.put(pod('shop', 'fine', '10.244.0.78', '2025-03-02T12:00:00Z'));
  await waitFor('the good pod written', () => readIntervals(db).some((i) => i.ip === '10.244.0.78'));
  assert.equal(collector.status().counters.rejected, 1);
  assert.equal(readIntervals(db).some((i) => i.ip === '10.244.0.77'), false);
  assert.equal(collector.status().state, 'running');
});

test('an object of another kind on a watch (a Pod on the CiliumNetworkPolicy watch) is rejected, logged naming the resource, kind and name, and kept out: it neither duplicates the real pod nor opens an IP interval, and later changes are still written', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const logs: string[] = [];
  const db = tmpDb().db;
  const collector = new KubernetesCollector(
    { settings: cluster.settings, writer, env: {}, random: () => 0.5 },
    { db, logger: pino({ level: 'warn' }, { write: (s: string) => logs.push(s) }), now: () => clock.t, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await synced(collector);
  await waitFor('every watch open', () => cluster.server.openWatches === collector.status().gauges?.resources);
  const coredns = fixtureObjects().find((o) => o.kind === 'Pod' && (o.metadata as Json).name === 'coredns-7c65d6cfc9-9xk2p') as Json;
  const copy = structuredClone(coredns);
  delete (copy.metadata as Json).resourceVersion;
  const stray = pod('shop', 'stray-pod', '10.244.0.90', '2025-03-02T12:00:04Z');
  const policies = collector.status().gauges?.['ciliumnetworkpolicies.cilium.io:objects'];
  clock.t = T0 + 1000;
  cluster.server.sendRawOn('ciliumnetworkpolicies.cilium.io', { type: 'ADDED', object: copy });
  cluster.server.sendRawOn('ciliumnetworkpolicies.cilium.io', { type: 'ADDED', object: stray });
  await waitFor('both rejected', () => collector.status().counters.rejected === 2);
  clock.t = T0 + 2000;
  cluster.server.put(pod('shop', 'good-after', '10.244.0.99', '2025-03-02T12:00:04Z'));
  await waitFor('the next pod written', () => readIntervals(db).some((i) => i.ip === '10.244.0.99'));
  await collector.idle();
  const status = collector.status();
  assert.equal(status.state, 'running');
  assert.equal(status.counters.write_errors, 0);
  assert.equal(status.lastError, undefined);
  assert.equal(status.gauges?.['ciliumnetworkpolicies.cilium.io:objects'], policies);
  assert.equal(readIntervals(db).some((i) => i.ip === '10.244.0.90'), false, 'the stray pod is no pod');
  const warning = logs.map((l) => JSON.parse(l) as Json).find((l) => l.msg === 'kubernetes object left out: the inventory converter refused it' && JSON.stringify(l).includes('stray-pod'));
  assert.ok(warning, logs.join(''));
  assert.match(JSON.stringify(warning.last), /ciliumnetworkpolicies\.cilium\.io.*v1 Pod shop\/stray-pod/);
});

test('serve: the definition runs the collector from its config section; /metrics shows per-resource counters, gauges and last success', async () => {
  const cluster = await startFakeCluster();
  const { db } = tmpDb();
  const { url, tokenFile } = { url: cluster.server.url, tokenFile: cluster.tokenFile };
  const def = kubernetesCollectorDefinition(writer, '/nonexistent-sa-dir');
  assert.equal(def.create(undefined, { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS }, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }), undefined, 'no token file: not in a cluster');
  assert.equal(def.create({ enabled: false, url, tokenFile, insecureSkipTlsVerify: true }, { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS }, {}), undefined);
  const running = await startCollectors(
    { kubernetes: { url, tokenFile, insecureSkipTlsVerify: true, flushIntervalMs: 20, backoff: { initialMs: 10, maxMs: 40 } } },
    { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS },
    {},
    [def] as never[],
  );
  after(() => running.stop());
  await waitFor('running', () => running.statuses()[0]?.state === 'running');
  const metrics = new ServiceMetrics(() => 0, { defaultMetrics: false });
  metrics.watchCollectors(running.statuses);
  const text = await metrics.registry.metrics();
  assert.match(text, /^flowmatrix_collector_up\{collector="kubernetes"\} 1$/m);
  assert.match(text, /^flowmatrix_collector_events_total\{collector="kubernetes",counter="pods:relists"\} 1$/m);
  assert.match(text, /^flowmatrix_collector_state\{collector="kubernetes",gauge="pods:objects"\} 9$/m);
  assert.match(text, /^flowmatrix_collector_state\{collector="kubernetes",gauge="deployments.apps:synced"\} 1$/m);
  assert.match(text, /^flowmatrix_collector_state\{collector="kubernetes",gauge="pods:lag_seconds"\} /m);
  assert.match(text, /^flowmatrix_collector_last_success_timestamp_seconds\{collector="kubernetes"\} \d+/m);
  await running.stop();
  assert.equal(running.statuses()[0]?.state, 'stopped');
  await waitFor('every watch closed by the server', () => cluster.server.openWatches === 0, 2000);
});

test('writes refused after a first success (another source imported a snapshot dated later): the collector says so (starting, lastError) and recovers once its time passes that snapshot, without waiting for a new change', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { collector, db } = startCollector(cluster, clock);
  await synced(collector);
  // A file import from another machine, dated 5 minutes ahead (within the allowed clock skew).
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: fixtureObjects() }), takenAt: T0 + 5 * 60_000, source: 'kubectl get' });
  clock.t = T0 + 30_000;
  const job = fixtureObjects().find((o) => (o.metadata as Json).name === 'db-migrate-t7w4n') as Json;
  cluster.server.put({ ...job, status: { ...(job.status as Json), phase: 'Succeeded' } });
  await waitFor('a refused write', () => (collector.status().counters.write_errors ?? 0) >= 1);
  assert.equal(collector.status().state, 'starting', 'retrying: up 0, not running');
  assert.match(collector.status().lastError ?? '', /writing the inventory failed/);
  // Time passes the other snapshot; nothing else changes in the cluster.
  clock.t = T0 + 6 * 60_000;
  await waitFor('the retry written', () => collector.status().state === 'running', 20_000);
  assert.ok(readIntervals(db).some((i) => i.ip === '10.244.0.31' && i.validTo !== undefined), 'the release is written');
});

test('a watch that stalls (its connection open, nothing arriving, never ended at its timeout) is dropped and watched again, counted as a stall; the changes made meanwhile arrive', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { db } = tmpDb();
  const collector = new KubernetesCollector(
    { settings: { ...cluster.settings, watchTimeoutSeconds: 1 }, writer, env: {}, random: () => 0.5, timeouts: { stallGraceMs: 300 } },
    { db, logger: pino({ level: 'silent' }), now: () => clock.t, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await synced(collector);
  // The server ends the current watch at its 1 s timeout; the next one is taken and never answered.
  cluster.server.hold('pods');
  await waitFor('a stalled watch dropped', () => stats(collector, 'pods').stalls >= 1, 10_000);
  cluster.server.release('pods');
  clock.t = T0 + 60_000;
  cluster.server.put(pod('lab', 'late', '10.244.7.7', '2025-03-02T12:01:00Z'));
  await waitFor('the change made after the stall', () => readInventory(db).podAddresses.some((a) => a.ip === '10.244.7.7'), 10_000);
  assert.ok(collector.status().counters.stalls! >= 1);
});

test('a watch the API server never answers (the connection accepted, not even the response headers) before its stall time is a failure: starting, with lastError saying so; running again once it answers', async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { db } = tmpDb();
  // A watchTimeoutSeconds below 20 s: the stall time (here 1.3 s) comes before the client library's own 30 s request timeout.
  const collector = new KubernetesCollector(
    { settings: { ...cluster.settings, watchTimeoutSeconds: 1 }, writer, env: {}, random: () => 0.5, timeouts: { stallGraceMs: 300 } },
    { db, logger: pino({ level: 'silent' }), now: () => clock.t, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await synced(collector);
  cluster.server.hold('pods', { headers: false });
  await waitFor('the unanswered watch dropped', () => stats(collector, 'pods').stalls >= 1, 10_000);
  const s = collector.status();
  assert.equal(s.state, 'starting', 'retrying what may heal: up 0, /readyz 200');
  assert.match(s.lastError ?? '', /^watch pods \(all namespaces\): the API server at http:\/\/127\.0\.0\.1:\d+ did not answer within 1\.3 s$/);
  assert.ok((s.counters['pods:errors'] ?? 0) >= 1);
  cluster.server.release('pods');
  await waitFor('running again', () => collector.status().state === 'running' && collector.status().lastError === undefined, 10_000);
});

test('a watch answered only after it was dropped as unanswered (its response headers late: an overloaded API server) is closed at once and never taken for the watch that replaced it: stop() then closes every watch', async () => {
  const cluster = await startFakeCluster();
  const { db } = tmpDb();
  const collector = new KubernetesCollector(
    { settings: { ...cluster.settings, watchTimeoutSeconds: 3 }, writer, env: {}, random: () => 0.5, timeouts: { stallGraceMs: 300 } },
    { db, logger: pino({ level: 'silent' }), now: () => T0, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await synced(collector);
  const resources = Object.keys(collector.resourceStats()).length;
  await waitFor('every watch open', () => cluster.server.openWatches === resources);
  cluster.server.hold('pods', { headers: false });
  cluster.server.endWatches();
  await waitFor('the unanswered pods watch dropped', () => stats(collector, 'pods').stalls >= 1, 10_000);
  cluster.server.release('pods');
  const dropped = stats(collector, 'pods').watches;
  await waitFor('the pods watch that replaced it open', () => stats(collector, 'pods').watches > dropped && cluster.server.openWatches === resources);
  // The dropped watch's answer comes now: its stream is opened, and must be closed by the collector.
  cluster.server.answerHeld();
  await waitFor('the late watch closed', () => cluster.server.openWatches === resources);
  await collector.stop();
  await waitFor('no watch left open after stop()', () => cluster.server.openWatches === 0, 1_000);
});

test('an API server that takes the connection and never answers discovery (black-holed): the collector says so after the discovery timeout (client-go discovery: 32 s per request), retries with backoff, and stop() returns at once', { timeout: 15_000 }, async () => {
  const hole = await blackHole();
  const cluster = await startFakeCluster();
  const settings = { ...cluster.settings, connection: { ...cluster.settings.connection, url: `http://127.0.0.1:${hole.port}` } };
  const { db } = tmpDb();
  const collector = new KubernetesCollector({ settings, writer, env: {}, random: () => 0.5, timeouts: { discoveryTimeoutMs: 300 } }, { db, logger: pino({ level: 'silent' }), now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  await collector.start();
  await waitFor('the unanswered discovery reported', () => (collector.status().counters.discovery_errors ?? 0) >= 2, 10_000);
  const s = collector.status();
  assert.equal(s.state, 'starting', 'retrying what may heal: up 0, /readyz 200');
  assert.match(s.lastError ?? '', /^discovery of API groups \(\/apis\): no answer within 0\.3 s$/);
  const began = Date.now();
  await collector.stop();
  assert.ok(Date.now() - began < 1_000, `stop() took ${Date.now() - began} ms`);
});

test('a rediscovery the API server never answers: the resources found before are still watched and written, and stop() returns at once', { timeout: 15_000 }, async () => {
  const cluster = await startFakeCluster();
  const clock = { t: T0 };
  const { db } = tmpDb();
  const collector = new KubernetesCollector(
    { settings: cluster.settings, writer, env: {}, random: () => 0.5, timeouts: { discoveryIntervalMs: 50, discoveryTimeoutMs: 300 } },
    { db, logger: pino({ level: 'silent' }), now: () => clock.t, ingest: DEFAULT_INGEST_LIMITS },
  );
  after(() => collector.stop());
  await synced(collector);
  cluster.server.holdDiscovery(true);
  const asked = cluster.server.requests.length;
  const discovery = /^\/apis?\/?$|^\/api\/v1$|^\/apis\/[^/]+\/[^/]+$/;
  await waitFor('a rediscovery taken and not answered', () => cluster.server.requests.slice(asked).some((r) => discovery.test(r.path)));
  clock.t = T0 + 60_000;
  cluster.server.put(pod('lab', 'during', '10.244.7.8', '2025-03-02T12:01:00Z'));
  await waitFor('the change written meanwhile', () => readInventory(db).podAddresses.some((a) => a.ip === '10.244.7.8'), 10_000);
  const began = Date.now();
  await collector.stop();
  assert.ok(Date.now() - began < 1_000, `stop() took ${Date.now() - began} ms`);
});

test('a list that is never answered (an aggregated API hung) fails after its page timeout: the other resources are written, and stop() returns', async () => {
  const cluster = await startFakeCluster();
  cluster.server.hold('pods');
  const { db } = tmpDb();
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5, timeouts: { listPageTimeoutMs: 1_000 } }, { db, logger: pino({ level: 'silent' }), now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  await collector.start();
  await waitFor('the other resources written', () => (collector.status().counters.writes ?? 0) >= 1, 10_000);
  // Long enough that the answered lists beat it on a loaded machine (at 0.2 s a replicasets list once missed it too).
  assert.match(collector.status().lastError ?? '', /list pods: no answer within 1 s/);
  assert.ok(readInventory(db).nodes.length > 0, 'nodes written');
  const began = Date.now();
  await collector.stop();
  assert.ok(Date.now() - began < 2_000, `stop() took ${Date.now() - began} ms`);
});

test('403 on an optional resource only (a CRD the ClusterRole of an older release does not grant): retrying (starting, up 0) with the reason, not failed, so /readyz keeps the API in its Service; the rest is written', async () => {
  const cluster = await startFakeCluster();
  cluster.server.forbid('networkpolicies.projectcalico.org');
  const { collector, db } = startCollector(cluster, { t: T0 });
  await collector.start();
  await waitFor('the first write', () => writes(collector) >= 1);
  const s = collector.status();
  assert.equal(s.state, 'starting');
  assert.match(s.lastError ?? '', /forbidden \(403\): the API server does not allow list on networkpolicies\.projectcalico\.org/);
  assert.equal(readInventory(db).podAddresses.length, 8, 'pods were written');
  cluster.server.allow('networkpolicies.projectcalico.org');
  await waitFor('running', () => collector.status().state === 'running');
});

test('discovery runs again: a policy CRD installed after the start is watched and its policies written; one removed is dropped and its policies with it, the rest watched on', async () => {
  const cluster = await startFakeCluster();
  const { db } = tmpDb();
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5, timeouts: { discoveryIntervalMs: 50 } }, { db, logger: pino({ level: 'silent' }), now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  await synced(collector);
  const kinds = () => readInventory(db).policies.map((p) => `${p.kind}.${p.apiVersion} ${p.name}`).sort();
  assert.ok(!('globalnetworkpolicies.projectcalico.org:synced' in (collector.status().gauges ?? {})));

  // Calico's GlobalNetworkPolicy CRD installed while the collector runs.
  cluster.server.serve({ group: 'projectcalico.org', version: 'v3', kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', namespaced: false });
  cluster.server.put({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()', types: ['Ingress'] } });
  await waitFor('the new resource watched and written', () => kinds().includes('GlobalNetworkPolicy.projectcalico.org/v3 deny-all'), 10_000);
  assert.equal(collector.status().gauges?.['globalnetworkpolicies.projectcalico.org:synced'], 1);

  // Its CRD deleted: the policy goes, the collector stays running, the other resources are watched on.
  cluster.server.unserve('projectcalico.org/v3', 'GlobalNetworkPolicy');
  await waitFor('the removed resource dropped', () => !kinds().some((k) => k.startsWith('GlobalNetworkPolicy.')), 10_000);
  assert.ok(!('globalnetworkpolicies.projectcalico.org:synced' in (collector.status().gauges ?? {})));
  assert.equal(collector.status().state, 'running');
  cluster.server.put(pod('shop', 'late', '10.244.9.9', '2025-03-02T11:59:00Z'));
  await waitFor('a pod added afterwards written', () => readInventory(db).podAddresses.some((a) => a.ip === '10.244.9.9'), 10_000);
});

test('a policy CRD deleted while no collector ran (the service restarted since): the first write of the new collector removes its policies, as a run that saw it go does', async () => {
  const cluster = await startFakeCluster();
  const { db } = tmpDb();
  const first = startCollector(cluster, { t: T0 }, db);
  await synced(first.collector);
  const cilium = () => readInventory(db).policies.filter((p) => p.apiVersion === 'cilium.io/v2').map((p) => `${p.kind}/${p.namespace}/${p.name}`);
  assert.deepEqual(cilium(), ['CiliumNetworkPolicy/shop/web-from-world']);
  await first.collector.stop();
  cluster.server.unserve('cilium.io/v2', 'CiliumNetworkPolicy');
  const second = startCollector(cluster, { t: T0 + 60_000 }, db);
  await synced(second.collector);
  assert.deepEqual(cilium(), []);
  assert.equal(readInventory(db).policies.filter((p) => p.apiVersion === 'networking.k8s.io/v1').length, 1, 'the kinds still served keep theirs');
});

test('Calico without its API server: the network sets are watched from their CRDs (crd.projectcalico.org/v1); once the API server serves them, through projectcalico.org/v3 only, the CRD copies dropped', async () => {
  const crdSets = { group: 'crd.projectcalico.org', version: 'v1', kind: 'GlobalNetworkSet', plural: 'globalnetworksets', namespaced: false };
  const set = (apiVersion: string) => ({ apiVersion, kind: 'GlobalNetworkSet', metadata: { name: 'blocklist', labels: { blocklist: 'true' } }, spec: { nets: ['203.0.113.0/24'] } });
  const cluster = await startFakeCluster();
  cluster.server.serve(crdSets);
  cluster.server.put(set('crd.projectcalico.org/v1'));
  const { db } = tmpDb();
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5, timeouts: { discoveryIntervalMs: 50 } }, { db, logger: pino({ level: 'silent' }), now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  await synced(collector);
  const sets = () => readInventory(db).policies.filter((p) => p.kind === 'GlobalNetworkSet').map((p) => `${p.apiVersion} ${p.name}`);
  assert.deepEqual(sets(), ['crd.projectcalico.org/v1 blocklist']);

  // The Calico API server installed: it serves the same objects through projectcalico.org/v3.
  cluster.server.serve({ group: 'projectcalico.org', version: 'v3', kind: 'GlobalNetworkSet', plural: 'globalnetworksets', namespaced: false });
  cluster.server.put(set('projectcalico.org/v3'));
  await waitFor('the set read through the v3 API alone', () => sets().join() === 'projectcalico.org/v3 blocklist', 10_000);
  assert.ok(!('globalnetworksets.crd.projectcalico.org:synced' in (collector.status().gauges ?? {})));
});
