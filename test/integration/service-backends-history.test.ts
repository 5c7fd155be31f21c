/**
 * Flows to a Service's ClusterIP resolve to the backends the Service had at the flow's time, not to
 * today's. A record traced before the Service's translation (NetObserv at the client's node, a
 * Hubble record with only the VIP) names the ClusterIP; the connection went to an endpoint of the
 * Service *then*: kube-proxy "watches the Kubernetes control plane for the addition and removal of
 * Service and EndpointSlice objects" and for each Service "installs iptables rules, which capture
 * traffic to the Service's clusterIP and port, and redirect that traffic to one of the Service's
 * backend sets" (kubernetes.io "Virtual IPs and Service Proxies", iptables proxy mode): the DNAT
 * target is an endpoint of the Service's selector at that time. A selector changed since
 * (app=api-v1 → app=api-v2) does not move last week's connections to the new backends.
 *
 * Before: a backlog ingested after the change credited every flow to api-v2 (an edge client →
 * api-v2 that never happened, opening api-v2's ingress) and gave api-v1, which served it, no edge.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import { openDb, type Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { loadMigrations } from '../../store/migrate.ts';
import { applyRetention } from '../../store/retention.ts';
import { clientServerInventory, deploymentItems } from '../helpers/client-server-cluster.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { oldSchemaCopy } from '../helpers/upgraded-store.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const T1 = T0 + 2 * HOUR;
const CLIENT = '10.244.0.5';
const CLUSTER_IP = '10.96.0.60';

/** Service app/`name` on `ip`, port 80 → 8080, selecting the pods labelled app=`app`, created at `created`. */
function service(name: string, app: string, created: number, ip = CLUSTER_IP): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'app', creationTimestamp: new Date(created).toISOString() },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
}

/** Service `api`, created a day before T0, selecting api-v1 (then api-v2, re-pointed). */
const API_CREATED = T0 - 24 * HOUR;
const apiSelecting = (app: string) => service('api', app, API_CREATED);
/** A Service every import lists, so that each import is authoritative for Services. */
const LASTING = service('lasting', 'none', T0 - 24 * HOUR, '10.96.0.99');
/** Both Deployments run throughout. */
const API_DEPLOYMENTS = [...deploymentItems('api-v1', '10.244.2.5', [8080]), ...deploymentItems('api-v2', '10.244.3.5', [8080])];

const inventory = (services: readonly object[]) => JSON.stringify(clientServerInventory({ extra: [...API_DEPLOYMENTS, LASTING, ...services] }));
const load = (db: Db, services: readonly object[], takenAt: number) => importInventory(db, { text: inventory(services), takenAt, source: 'cluster.json', now: takenAt });

/** NetObserv records of the client's connections to the ClusterIP on port 80, one at each of `times`, ingested. */
async function ingestAt(db: Db, times: readonly number[]): Promise<void> {
  const flows = times.map((time, i) => netobservRecord({ src: CLIENT, dst: CLUSTER_IP, dstPort: 80, proto: 6, srcPort: 43000 + i, time })).join('\n') + '\n';
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([flows]) }], { format: 'netobserv', now: () => T0 + 48 * HOUR });
  assert.equal(summary.accepted, times.length);
}

const edgesOf = (db: Db): string[] => new EdgeStore(db).list().map((e) => `${peerKey(e.client)} → ${peerKey(e.server)} ${e.port}/${e.protocol} x${e.flows}`);
const V1 = 'workload:app/Deployment/client → workload:app/Deployment/api-v1 8080/TCP';
const V2 = 'workload:app/Deployment/client → workload:app/Deployment/api-v2 8080/TCP';

test('a backlog to a ClusterIP ingested after the Service was re-pointed resolves to the backends of each flow\'s time', async () => {
  const { db } = tmpDb();
  load(db, [apiSelecting('api-v1')], T0);
  load(db, [apiSelecting('api-v1')], T0 + HOUR);
  load(db, [apiSelecting('api-v2')], T1);
  // Before T0+1h, the last import that still showed api-v1: api-v1 only. After T1, the import that
  // saw api-v2: api-v2 only. In between the selector moved at a moment no import saw: either may
  // have served the flow, and a policy must cut neither (the IP history likewise never ends a
  // holder before the last import that showed it, docs/inventory.md "IP history").
  await ingestAt(db, [T0 + HOUR / 2, T0 + 1.5 * HOUR, T1 + HOUR / 2]);
  assert.deepEqual(edgesOf(db), [`${V1} x2`, `${V2} x2`]);
});

test('blue/green: flows after a flip no import saw, before the import that saw it, are credited to the old and the new backends', async () => {
  // Yesterday's import: api → api-v1 (blue); the selector flips to api-v2 (green) an hour later;
  // today's import sees api-v2. Before, every flow of the day went to api-v1 alone, and api-v2's
  // recommended ingress denied the traffic it served, with the verification ok.
  const { db } = tmpDb();
  const today = T0 + 24 * HOUR;
  load(db, [apiSelecting('api-v1')], T0);
  load(db, [apiSelecting('api-v2')], today);
  await ingestAt(db, [T0 + 2 * HOUR, T0 + 12 * HOUR, today - HOUR]);
  assert.deepEqual(edgesOf(db), [`${V1} x3`, `${V2} x3`]);
});

test('an import that did not list the Services confirms no backend state: the change may have come before it', async () => {
  const { db } = tmpDb();
  load(db, [apiSelecting('api-v1')], T0);
  // Namespaces only (no Service, EndpointSlice or Pod listed): the store keeps api → api-v1, unseen.
  const namespaces = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', uid: 'ns-app' } }] };
  importInventory(db, { text: JSON.stringify(namespaces), takenAt: T0 + HOUR, source: 'namespaces.json', now: T0 + HOUR });
  load(db, [apiSelecting('api-v2')], T1);
  await ingestAt(db, [T0 + HOUR / 2]);
  assert.deepEqual(edgesOf(db), [`${V1} x1`, `${V2} x1`]);
});

/** `items` with the pod template's and pods' labels extended by `extra`. */
function withLabels(items: readonly object[], extra: Record<string, string>): object[] {
  const relabel = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(relabel);
    if (v === null || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, relabel(x)]));
    return 'labels' in o && !('matchLabels' in o) ? { ...o, labels: { ...(o.labels as object), ...extra } } : o;
  };
  return items.map((o) => relabel(o) as object);
}

test('a backend a Service gains (a Deployment its selector now matches) is credited from the last import that did not show it', async () => {
  const { db } = tmpDb();
  const tierApi = (created: number) => {
    const s = service('api', 'unused', created) as { spec: Record<string, unknown> };
    return { ...s, spec: { ...s.spec, selector: { tier: 'api' } } };
  };
  const v1 = withLabels(deploymentItems('api-v1', '10.244.2.5', [8080]), { tier: 'api' });
  const v2 = deploymentItems('api-v2', '10.244.3.5', [8080]);
  const text = (deployments: readonly object[]) => JSON.stringify(clientServerInventory({ extra: [...deployments, LASTING, tierApi(API_CREATED)] }));
  importInventory(db, { text: text([...v1, ...v2]), takenAt: T0, source: 'cluster.json', now: T0 });
  importInventory(db, { text: text([...v1, ...v2]), takenAt: T0 + HOUR, source: 'cluster.json', now: T0 + HOUR });
  // api-v2's pods now carry tier=api too: the T1 import sees the Service send to both, since some
  // moment after T0+1h.
  importInventory(db, { text: text([...v1, ...withLabels(v2, { tier: 'api' })]), takenAt: T1, source: 'cluster.json', now: T1 });
  await ingestAt(db, [T0 + HOUR / 2, T0 + 1.5 * HOUR, T1 + HOUR / 2]);
  assert.deepEqual(edgesOf(db), [`${V1} x3`, `${V2} x2`]);
});

test('a ClusterIP reused by another Service after the first was re-pointed and deleted: each flow resolves through the Service and the backends of its time', async () => {
  const { db } = tmpDb();
  const T2 = T1 + 2 * HOUR;
  // api → api-v1 (T0, again at T0+1h), → api-v2 (T1), deleted (T2); `other` created at T2+1h on api's address, selecting the client (T3).
  load(db, [apiSelecting('api-v1')], T0);
  load(db, [apiSelecting('api-v1')], T0 + HOUR);
  load(db, [apiSelecting('api-v2')], T1);
  load(db, [], T2);
  load(db, [service('other', 'client', T2 + HOUR)], T2 + 2 * HOUR);
  await ingestAt(db, [T0 + HOUR / 2, T1 + HOUR / 2, T2 + HOUR / 2, T2 + 1.5 * HOUR]);
  assert.deepEqual(edgesOf(db), [
    `workload:app/Deployment/client → unknown:${CLUSTER_IP} 80/TCP x1`,
    `${V1} x1`,
    `${V2} x1`,
    'workload:app/Deployment/client → workload:app/Deployment/client 8080/TCP x1',
  ]);
});

test('a flow from before any state the store knows of the Service resolves to its backends of today', async () => {
  const { db } = tmpDb();
  load(db, [apiSelecting('api-v1')], T0);
  load(db, [apiSelecting('api-v2')], T1);
  // The Service existed before T0, but what it selected then is not known: today's backends, as before.
  await ingestAt(db, [T0 - HOUR]);
  // (The client's pod, listed without a start time, holds its address from T0: the client is unknown then.)
  assert.deepEqual(edgesOf(db), [`unknown:${CLIENT} → workload:app/Deployment/api-v2 8080/TCP x1`]);
});

test('a Service created after the previous import holds the backends it was first seen with from its creation', async () => {
  const { db } = tmpDb();
  load(db, [], T0);
  load(db, [service('api', 'api-v1', T0 + HOUR)], T1);
  load(db, [service('api', 'api-v2', T0 + HOUR)], T1 + 2 * HOUR);
  await ingestAt(db, [T0 + 1.5 * HOUR]);
  assert.deepEqual(edgesOf(db), [`${V1} x1`]);
});

test('retention deletes the backend states that ended before the history cut-off, with the IP history', async () => {
  const { db } = tmpDb();
  load(db, [apiSelecting('api-v1')], T0);
  load(db, [apiSelecting('api-v2')], T1);
  const states = () => (db.prepare('SELECT count(*) AS n FROM service_backends WHERE valid_to IS NOT NULL').get() as { n: number }).n;
  assert.equal(states(), 1);
  const kept = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 1 }, T1 + 12 * HOUR);
  assert.equal(kept.serviceBackends, 0);
  assert.equal(states(), 1);
  const pruned = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 1 }, T1 + 25 * HOUR);
  assert.equal(pruned.serviceBackends, 1);
  assert.equal(states(), 0);
});

/** The last migration before the backend history (migration `service_backends`). */
const OLD_SCHEMA = (loadMigrations().find((m) => m.name === 'service_backends')?.version ?? 0) - 1;

/**
 * A store as the release before the backend history left it after the T0 import (api → api-v1),
 * opened (so migrated) by this one: the rows of that import, the columns the old schema has,
 * copied into a store at that schema (test/helpers/upgraded-store.ts).
 */
function upgradedStore(): Db {
  const { db: whole, path: wholePath } = tmpDb();
  load(whole, [apiSelecting('api-v1')], T0);
  whole.close();
  return openDb(oldSchemaCopy(wholePath, OLD_SCHEMA));
}

test('a store from before the backend history: its flows resolve as before, and the Service\'s backends it held are the first state once an import re-points it', async () => {
  assert.ok(OLD_SCHEMA > 0);
  const unchanged = upgradedStore();
  await ingestAt(unchanged, [T0 + HOUR / 2]);
  assert.deepEqual(edgesOf(unchanged), [`${V1} x1`]);

  const db = upgradedStore();
  // The same Service again: no change recorded.
  load(db, [apiSelecting('api-v1')], T0 + HOUR);
  assert.equal((db.prepare('SELECT count(*) AS n FROM service_backends WHERE valid_to IS NOT NULL').get() as { n: number }).n, 0);
  load(db, [apiSelecting('api-v2')], T1);
  await ingestAt(db, [T0 + HOUR / 2, T1 + HOUR / 2]);
  assert.deepEqual(edgesOf(db), [`${V1} x1`, `${V2} x1`]);
});
