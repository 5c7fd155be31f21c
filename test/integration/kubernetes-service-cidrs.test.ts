/**
 * The live collector reads the cluster's Service IP ranges: `ServiceCIDR` objects
 * (networking.k8s.io/v1, GA in Kubernetes 1.33; cluster-scoped; the default one, `kubernetes`, is
 * made from the API server's --service-cluster-ip-range — Kubernetes API reference, ServiceCIDR v1),
 * listed and watched like the other kinds, with the real @kubernetes/client-node against the fake
 * API server. An address inside them that no known Service held at a flow's time is `unknown`,
 * never an outside peer. A cluster whose API server does not serve them (before 1.33, or with the
 * API off) keeps working, as before, and the collector says so once.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventoryObjects } from '../../app/inventory.ts';
import { KubernetesCollector } from '../../collectors/kubernetes/collector.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { startFakeCluster, waitFor, type FakeCluster } from '../helpers/kube-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const T0 = Date.parse('2025-03-02T12:00:00Z');
/** shop/Deployment/web's pod in the inventory fixture. */
const WEB_POD = '10.244.0.10';
/** Inside the fixture's Service range (its Services are on 10.96.x.x); no Service holds it. */
const FORGOTTEN_CLUSTER_IP = '10.96.99.99';

const SERVICE_CIDRS = { group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDR', plural: 'servicecidrs', namespaced: false };

function startCollector(cluster: FakeCluster): { collector: KubernetesCollector; db: Db; logs: { msg: string }[] } {
  const db = tmpDb().db;
  const logs: { msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string }) });
  const writer = (d: Db, req: Parameters<typeof importInventoryObjects>[1]) => importInventoryObjects(d, { ...req, coalesce: true });
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5 }, { db, logger, now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  return { collector, db, logs };
}

async function synced(c: KubernetesCollector): Promise<void> {
  await c.start();
  await waitFor('the first write', () => (c.status().counters.writes ?? 0) >= 1);
  await c.idle();
}

/** web → FORGOTTEN_CLUSTER_IP:80 once, then the edge's server. */
async function serverOfFlow(db: Db): Promise<string[]> {
  const flow = JSON.stringify({ SrcAddr: WEB_POD, SrcPort: 40000, DstAddr: FORGOTTEN_CLUSTER_IP, DstPort: 80, Proto: 6, Packets: 2, Bytes: 100, TimeFlowEndMs: T0 + 1000, FlowDirection: 1, Etype: 2048, Flags: 0x2 });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow}\n`]) }], { format: 'netobserv' });
  assert.equal(summary.accepted, 1);
  return new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}`);
}

test('the collector lists and watches ServiceCIDRs: a flow to an address inside one that no Service held is unknown, never external', async () => {
  const cluster = await startFakeCluster();
  cluster.server.serve(SERVICE_CIDRS);
  cluster.server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/16'] } });
  const { collector, db, logs } = startCollector(cluster);
  await synced(collector);
  assert.ok(collector.resourceStats()['servicecidrs.networking.k8s.io'], 'servicecidrs are watched');
  assert.deepEqual(await serverOfFlow(db), [`workload:shop/Deployment/web -> unknown:${FORGOTTEN_CLUSTER_IP}:80`]);
  assert.deepEqual(logs.filter((l) => /ServiceCIDR/.test(l.msg)), []);
});

test('a ServiceCIDR added while the collector runs (a watch event) is used by the next resolution', async () => {
  const cluster = await startFakeCluster();
  cluster.server.serve(SERVICE_CIDRS);
  const { collector, db } = startCollector(cluster);
  await synced(collector);
  const writes = collector.status().counters.writes ?? 0;
  cluster.server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/16'] } });
  await waitFor('the ServiceCIDR written', () => (collector.status().counters.writes ?? 0) > writes);
  await collector.idle();
  assert.deepEqual(await serverOfFlow(db), [`workload:shop/Deployment/web -> unknown:${FORGOTTEN_CLUSTER_IP}:80`]);
});

test('an API server without the ServiceCIDR API: the collector runs as before (the address stays external) and says so once', async () => {
  const cluster = await startFakeCluster();
  const { collector, db, logs } = startCollector(cluster);
  await synced(collector);
  assert.equal(collector.status().state, 'running');
  assert.equal(collector.resourceStats()['servicecidrs.networking.k8s.io'], undefined);
  assert.deepEqual(await serverOfFlow(db), [`workload:shop/Deployment/web -> external:${FORGOTTEN_CLUSTER_IP}:80`]);
  const said = logs.filter((l) => /ServiceCIDR/.test(l.msg));
  assert.equal(said.length, 1, JSON.stringify(logs.map((l) => l.msg)));
  assert.match(said[0]!.msg, /does not serve servicecidrs\.networking\.k8s\.io/);
});
