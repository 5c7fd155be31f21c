/**
 * A Hubble record traced after Cilium's translation shows the backend pod on its own port and names
 * the Service in `destination_service` (cilium/cilium api/v1/flow/flow.proto: "destination_service
 * contains the service name of the destination"). The Service it names is the one of the flow's
 * time: the instance that existed then (a Service deleted and created again under its name is
 * another Service, with other ports and another selector) in the state it was in then
 * (service_backends, migration 0049) — as a flow to the ClusterIP resolves (docs/inventory.md,
 * "IP history"). Before, today's instance was read by name: a backlog of flows through the old
 * Service lost the Service port they came through (the pod no backend of today's), or took one of
 * today's ports they never used.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import type { Db } from '../../store/db.ts';
import { clientHubbleRecord, clientServerInventory, deploymentItems } from '../helpers/client-server-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const T1 = T0 + 2 * HOUR;

/** Service app/api on `ip`, port `port` → 8080, selecting app=`app`, created at `created`. */
function service(app: string, created: number, port: number, ip: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'app', uid: `svc-${created}`, creationTimestamp: new Date(created).toISOString() },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app }, ports: [{ name: 'http', port, protocol: 'TCP', targetPort: 8080 }] },
  };
}

/** A Service every import lists, so that each import is authoritative for Services. */
const LASTING = { ...(service('none', T0 - 24 * HOUR, 1, '10.96.0.99') as { metadata: object; spec: object }), metadata: { name: 'lasting', namespace: 'app', creationTimestamp: new Date(T0 - 24 * HOUR).toISOString() } };
const API_DEPLOYMENTS = [...deploymentItems('api-v1', '10.244.2.5', [8080]), ...deploymentItems('api-v2', '10.244.3.5', [8080])];
const load = (db: Db, services: readonly object[], takenAt: number) =>
  importInventory(db, { text: JSON.stringify(clientServerInventory({ extra: [...API_DEPLOYMENTS, LASTING, ...services] })), takenAt, source: 'cluster.json', now: takenAt });

/** The client's connection to pod api-v1 on 8080 at `time`, through Service app/api by Hubble's word. */
async function ingestToV1(db: Db, time: number): Promise<void> {
  const record = clientHubbleRecord({
    time: new Date(time).toISOString(),
    dst: '10.244.2.5',
    port: 8080,
    sourcePort: 43000,
    destination: { namespace: 'app', labels: ['k8s:app=api-v1'], pod_name: 'api-v1-abc-x1' },
    service: { namespace: 'app', name: 'api' },
    names: [],
  });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'hubble', now: () => T1 + 24 * HOUR });
  assert.equal(summary.accepted, 1);
}

const edgesOf = (db: Db): string[] =>
  (db.prepare('SELECT client, server, port, through_service AS through FROM edges ORDER BY client, server, port').all() as { client: string; server: string; port: number; through: string | null }[]).map(
    (e) => `${e.client} → ${e.server} ${e.port} through ${e.through ?? '-'}`,
  );

test('destination_service of a Service deleted and created again since (another port, another selector): the flow came through the instance of its time', async () => {
  const { db } = tmpDb();
  load(db, [service('api-v1', T0 - 24 * HOUR, 80, '10.96.0.60')], T0);
  // Deleted and created again at T0+1h: port 9090, selecting api-v2, on another ClusterIP.
  load(db, [service('api-v2', T0 + HOUR, 9090, '10.96.0.61')], T1);
  await ingestToV1(db, T0 + HOUR / 2);
  assert.deepEqual(edgesOf(db), ['workload:app/Deployment/client → workload:app/Deployment/api-v1 8080 through app/api:80']);
});

test('destination_service of a Service re-pointed since (app=api-v1 → app=api-v2): the flow came through its state of that time', async () => {
  const { db } = tmpDb();
  const created = T0 - 24 * HOUR;
  load(db, [service('api-v1', created, 80, '10.96.0.60')], T0);
  load(db, [service('api-v1', created, 80, '10.96.0.60')], T0 + HOUR);
  load(db, [service('api-v2', created, 80, '10.96.0.60')], T1);
  await ingestToV1(db, T0 + HOUR / 2);
  assert.deepEqual(edgesOf(db), ['workload:app/Deployment/client → workload:app/Deployment/api-v1 8080 through app/api:80']);
});

test('destination_service of a Service the inventory lists today with the same port: as before, through it', async () => {
  const { db } = tmpDb();
  load(db, [service('api-v1', T0 - 24 * HOUR, 80, '10.96.0.60')], T0);
  await ingestToV1(db, T0 + HOUR / 2);
  assert.deepEqual(edgesOf(db), ['workload:app/Deployment/client → workload:app/Deployment/api-v1 8080 through app/api:80']);
});

test('destination_service of a Service created after the flow, none of that name known then: no Service port recorded', async () => {
  const { db } = tmpDb();
  load(db, [], T0);
  load(db, [service('api-v1', T0 + HOUR, 9090, '10.96.0.61')], T1);
  await ingestToV1(db, T0 + HOUR / 2);
  assert.deepEqual(edgesOf(db), ['workload:app/Deployment/client → workload:app/Deployment/api-v1 8080 through -']);
});
