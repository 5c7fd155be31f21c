/**
 * Flows that resolve to workloads gone from the inventory (store/retention.ts keeps them until the
 * IP history of their time is deleted): a late flow to a gone pod's address within its interval, a
 * record naming a gone workload's owner, the declared ports of a gone workload deciding who the
 * client is, a Service whose only backends are gone. What is stored (edges, skips, ambiguous
 * flows) must not depend on how the store reads the gone workloads.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { readResolutionData } from '../../store/inventory.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { tmpDb } from '../helpers/tmp.ts';

const HOUR = 3_600_000;
const T1 = Date.UTC(2026, 2, 1);
const T2 = T1 + 24 * HOUR;
const CLIENT = '10.244.1.9';
const CART = '10.244.1.5';
const DB = '10.244.1.6';
const WORKER = '10.244.1.7';
const CART_SVC = '10.96.0.10';

const iso = (t: number) => new Date(t).toISOString();

function pod(name: string, ip: string, labels: Record<string, string>, owner: { kind: string; name: string } | undefined, ports: object[]): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels,
      creationTimestamp: iso(T1 - HOUR),
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `${owner.name}-uid`, controller: true }] } : {}),
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'c', ports }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: iso(T1 - HOUR) },
  };
}

/** A controller (Deployment, ReplicaSet, StatefulSet) of pods labelled `app: <app>`, owned by `owner` when given. */
function controller(kind: string, name: string, app: string, owner?: string): object {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'shop', ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `${owner}-uid`, controller: true }] } : {}) },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'c' }] } } },
  };
}

/** What both imports hold: the namespace, the node, the client Deployment and the Service `cart`, which outlives its pods. */
function lasting(): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
    controller('Deployment', 'client', 'client'),
    controller('ReplicaSet', 'client-5c8d7f9b4d', 'client', 'client'),
    pod('client-5c8d7f9b4d-abcde', CLIENT, { app: 'client' }, { kind: 'ReplicaSet', name: 'client-5c8d7f9b4d' }, []),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'shop', creationTimestamp: iso(T1 - 2 * HOUR) },
      spec: { type: 'ClusterIP', clusterIP: CART_SVC, clusterIPs: [CART_SVC], selector: { app: 'cart' }, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
  ];
}

/** The first import also holds Deployment `cart` (port `http` 8080), StatefulSet `db` (5432) and a bare pod `worker`; the second lists none of them. */
function goneWorkloadsStore(): Db {
  const { db } = tmpDb();
  const first = [
    ...lasting(),
    controller('Deployment', 'cart', 'cart'),
    controller('ReplicaSet', 'cart-7d9f8c6b5', 'cart', 'cart'),
    pod('cart-7d9f8c6b5-x2x4z', CART, { app: 'cart' }, { kind: 'ReplicaSet', name: 'cart-7d9f8c6b5' }, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
    controller('StatefulSet', 'db', 'db'),
    // Gone, with the same selector as the present `client`: labels alone cannot tell them apart.
    controller('Deployment', 'client-legacy', 'client'),
    pod('db-0', DB, { app: 'db' }, { kind: 'StatefulSet', name: 'db' }, [{ containerPort: 5432, protocol: 'TCP' }]),
    pod('worker', WORKER, { app: 'worker' }, undefined, []),
  ];
  for (const [items, takenAt] of [
    [first, T1],
    [lasting(), T2],
  ] as const) {
    importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), takenAt, source: 'cluster.json', now: takenAt });
  }
  return db;
}

function record(r: { src: string; srcPort: number; dst: string; dstPort: number; time: number; syn?: boolean; src8s?: object }): string {
  return JSON.stringify({ SrcAddr: r.src, SrcPort: r.srcPort, DstAddr: r.dst, DstPort: r.dstPort, Proto: 6, Etype: 2048, Packets: 1, Bytes: 80, ...(r.syn ? { Flags: 2 } : {}), TimeFlowStartMs: r.time, TimeFlowEndMs: r.time, ...r.src8s });
}

const LATE = T1 + 2 * HOUR;

/** Flows of the gone workloads' time, ingested after the import that no longer lists them. */
const FLOWS = [
  // A late flow to the gone pod's address, within its interval: the gone Deployment's.
  record({ src: CLIENT, srcPort: 40000, dst: CART, dstPort: 8080, time: LATE, syn: true }),
  // To the Service whose only backends are gone: its target port `http` is the gone pod's 8080.
  record({ src: CLIENT, srcPort: 40001, dst: CART_SVC, dstPort: 80, time: LATE, syn: true }),
  // No handshake; the record names the gone StatefulSet as the source's owner, which declares 5432: the server.
  record({ src: DB, srcPort: 5432, dst: CLIENT, dstPort: 45000, time: LATE, src8s: { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'db-0', SrcK8S_OwnerType: 'StatefulSet', SrcK8S_OwnerName: 'db' } }),
  // No handshake, no declared port, both ports ephemeral: ambiguous, never an edge.
  record({ src: WORKER, srcPort: 41001, dst: CLIENT, dstPort: 41000, time: LATE }),
  // After the gone pod's interval ended its address is nobody's: unknown.
  record({ src: CLIENT, srcPort: 40002, dst: CART, dstPort: 8080, time: T2 + HOUR, syn: true }),
];

test('flows of their time resolve to workloads gone from the inventory: by address within the interval, by the owner a record names, with their declared ports, as the only backends of a Service', async () => {
  const db = goneWorkloadsStore();
  const summary = await ingestFlows(db, [{ name: 'late.ndjson', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'netobserv', now: () => T2 + 2 * HOUR });
  assert.deepEqual(
    { records: summary.records, accepted: summary.accepted, rejected: summary.rejected, skipped: summary.skipped, ambiguous: summary.ambiguous, skips: summary.skips, rejects: summary.rejects, edges: summary.edges },
    { records: 5, accepted: 5, rejected: 0, skipped: 0, ambiguous: 1, skips: {}, rejects: {}, edges: 3 },
  );
  const edges = new EdgeStore(db)
    .list()
    .map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)} ${e.port}/${e.protocol} flows=${e.flows}`)
    .sort();
  assert.deepEqual(edges, [
    'workload:shop/Deployment/client -> unknown:10.244.1.5 8080/TCP flows=1',
    'workload:shop/Deployment/client -> workload:shop/Deployment/cart 8080/TCP flows=2',
    'workload:shop/Deployment/client -> workload:shop/StatefulSet/db 5432/TCP flows=1',
  ]);
});

test('the resolution index counts a gone workload as listed, and its selector among the labels a record can match', () => {
  const index = new ResolutionIndex(readResolutionData(goneWorkloadsStore()));
  // Listed: its edges count against the per-workload caps, and the labels records carry for it are not remembered as observed.
  assert.equal(index.listedWorkload('workload:shop/Deployment/cart'), true);
  assert.equal(index.listedWorkload('workload:shop/StatefulSet/db'), true);
  assert.equal(index.listedWorkload('dns:shop/Deployment/cart'), false);
  assert.equal(index.listedWorkload('workload:shop/Deployment/never'), false);
  // A pod known only by namespace and labels (no name, no owner, an address without history): the one selector they match.
  const byLabels = (labels: Record<string, string>) => index.resolve({ ip: '10.244.1.77', port: 8080, meta: { kind: 'pod', namespace: 'shop', labels } }, LATE).map((s) => s.key);
  assert.deepEqual(byLabels({ app: 'cart', 'pod-template-hash': '7d9f8c6b5' }), ['workload:shop/Deployment/cart']);
  assert.deepEqual(byLabels({ app: 'db' }), ['workload:shop/StatefulSet/db']);
  assert.deepEqual(byLabels({ app: 'client' }), ['unknown:10.244.1.77'], 'a present and a gone workload select these labels');
  // The owner a record names, with the ports the gone workload declared.
  const db = index.resolve({ ip: DB, port: 5432, meta: { kind: 'pod', namespace: 'shop', podName: 'db-0', ownerKind: 'StatefulSet', ownerName: 'db' } }, LATE);
  assert.deepEqual(db.map((s) => [s.key, [...s.declaredPorts].sort()]), [['workload:shop/StatefulSet/db', [5432]]]);
});
