/**
 * The tightness figure counts what the engine lets through with no rule of the output deciding —
 * real reachability on that engine — and its note says which probe peers those are and why, so a
 * figure that differs by engine explains itself: a ClusterNetworkPolicy ingress isolation denies
 * pods only (its peers are pods and namespaces), so a node and the world get in; Cilium lets the
 * local host into its pods (allow-localhost); a NetworkPolicy isolation covers every peer
 * (docs/recommend.md, "Verification", point 3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation, type Tightness } from '../../recommender/verify/recommendation.ts';
import { shopInventory, shopWorkload, workloadPeer } from '../helpers/shop-cluster.ts';

const NOW = Date.UTC(2026, 10, 20);

const web = shopWorkload('web');
const db = shopWorkload('db', [5432]);
// web-canary (app=web, track=canary): web's selector selects its pods too.
const canary: Workload = { ...shopWorkload('web-canary'), labels: { app: 'web', track: 'canary' }, selector: { matchLabels: { app: 'web', track: 'canary' } } };
/** The inventory of `workloads`, every pod on node-a, the node the probes take: db's local host. */
function onNodeA(workloads: Workload[]): InventorySnapshot {
  const inv = shopInventory(NOW, workloads);
  return {
    ...inv,
    nodes: [{ name: 'node-a', labels: {}, addresses: [{ type: 'InternalIP', address: '192.168.1.10' }], podCIDRs: ['10.1.0.0/24'] }],
    podAddresses: inv.podAddresses.map((p) => ({ ...p, node: 'node-a' })),
  };
}
const key = (w: Workload): string => `shop/Deployment/${w.name}`;
const webToDb: EdgeTraffic = { client: workloadPeer(web), server: workloadPeer(db), port: 5432, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 };
const dbIngress: VerifiedSides = {
  workload: key(db),
  edges: { ingress: [webToDb], egress: [] },
  excluded: { ingress: new Map(), egress: new Map() },
  restricted: { ingress: true, egress: false },
};

const meta = (name: string) => ({ name, namespace: 'shop', labels: {}, annotations: {} });
const cnpSubject = { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'db' } } } };

/** db's ingress from app=web on 5432 as each engine writes it, with its isolation. */
const DB_FROM_WEB: Record<'kubernetes' | 'cilium' | 'clusternetworkpolicy', Manifest[]> = {
  kubernetes: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('db'),
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }] },
    },
  ],
  cilium: [
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: meta('db'),
      spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] },
    },
  ],
  clusternetworkpolicy: [
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'shop-deployment-db', labels: {}, annotations: {} },
      spec: {
        tier: 'Baseline',
        priority: 200,
        subject: cnpSubject,
        ingress: [{ action: 'Accept', from: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'web' } } } }], protocols: [{ tcp: { destinationPort: { number: 5432 } } }] }],
      },
    },
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'shop-deployment-db-isolation', labels: {}, annotations: {} },
      spec: { tier: 'Baseline', priority: 500, subject: cnpSubject, ingress: [{ action: 'Deny', name: 'deny all other ingress', from: [{ namespaces: {} }] }] },
    },
  ],
};

function dbIngressTightness(engine: keyof typeof DB_FROM_WEB, workloads = [web, db]): Tightness {
  const v = verifyRecommendation({ engine, emitted: { engine, manifests: DB_FROM_WEB[engine], warnings: [] }, model: clusterModel(onNodeA(workloads)), applied: [], sides: [dbIngress], simulator: SIMULATORS[engine] });
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const t = v.tightness.find((x) => x.workload === key(db) && x.direction === 'ingress');
  assert.ok(t, 'db ingress has a figure');
  return t;
}

test('clusternetworkpolicy: the node and the world its pod-only isolation lets in are counted, and the note says so', () => {
  const t = dbIngressTightness('clusternetworkpolicy');
  assert.deepEqual([t.observed, t.allowed], [1, 3], 'web, and the node and the world on 5432');
  assert.equal(t.note, '2 of the allowed pairs are let through by clusternetworkpolicy with no rule of the output (a node, the world: its ingress isolation covers pods only)');
});

test('cilium: the local host it lets into its pods by default is counted, and the note says so', () => {
  const t = dbIngressTightness('cilium');
  assert.deepEqual([t.observed, t.allowed], [1, 2], 'web, and the node on 5432');
  assert.equal(t.note, '1 of the allowed pairs is let through by cilium with no rule of the output (a node: the local host, which Cilium lets into its pods by default, allow-localhost)');
});

test('kubernetes: a NetworkPolicy isolation covers every peer, no engine-default note', () => {
  const t = dbIngressTightness('kubernetes');
  assert.deepEqual([t.observed, t.allowed, t.note], [1, 1, undefined]);
});

test('the engine-default words follow the selector overlap note, after a "; "', () => {
  const t = dbIngressTightness('clusternetworkpolicy', [web, db, canary]);
  assert.deepEqual([t.observed, t.allowed], [1, 4], 'web, web-canary, and the node and the world on 5432');
  assert.equal(
    t.note,
    "counts shop/Deployment/web-canary: shop/Deployment/web's selector selects its pods too (see shop/Deployment/web's warning); " +
      '2 of the allowed pairs are let through by clusternetworkpolicy with no rule of the output (a node, the world: its ingress isolation covers pods only)',
  );
});
