/**
 * A workload's selector is its owner's spec.selector (docs/inventory.md, "Workloads"); an import
 * that lacks the owner object — a pods-only refresh (`kubectl get pods -A -o yaml`), or the live
 * collector holding a pod before its Deployment's event — has only the pods' labels. A
 * Deployment's spec.selector is immutable in apps/v1 (kubernetes/kubernetes#50808), its template
 * labels are not: a selector made of the pods' labels (`team`, `version`, …) misses the next
 * rollout's pods. So such an import keeps the owner's selector the store holds, and the pods'
 * labels give the selector only where no owner's selector was ever known, until the owner is
 * imported. Found by a pods-only import into the demo store: 27 of 57 exported files changed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { exportFromStore } from '../../app/export.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { parseInventoryText } from '../../collectors/inventory/index.ts';
import { openDb, type Db } from '../../store/db.ts';
import { getWorkload } from '../../store/inventory.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const T1 = NOW - 7_200_000;
const T2 = NOW - 3_600_000;
const STARTED = '2026-11-03T00:00:00Z';

/** The Deployment selects on `app` alone; its template (so its pods) carries `team` and `version` too. */
const SELECTOR = { matchLabels: { app: 'cart' } };
const TEMPLATE_LABELS = { app: 'cart', team: 'checkout', version: 'v1' };

const deployment = (name: string, selector: object, labels: Record<string, string>, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', creationTimestamp: STARTED },
  spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name, image: name, ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] } } },
});

const replicaSet = (name: string, hash: string, selector: { matchLabels: Record<string, string> }, labels: Record<string, string>, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `${name}-${hash}`, namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, controller: true, uid: `${name}-uid` }] },
  spec: {
    selector: { matchLabels: { ...selector.matchLabels, 'pod-template-hash': hash } },
    template: { metadata: { labels: { ...labels, 'pod-template-hash': hash } }, spec: { containers: [{ name, image: name, ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] } },
  },
});

const pod = (name: string, hash: string, labels: Record<string, string>, ip: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${name}-${hash}-x2x9k`,
    namespace: 'shop',
    labels: { ...labels, 'pod-template-hash': hash },
    creationTimestamp: STARTED,
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, controller: true, uid: `${name}-rs-uid` }],
  },
  spec: { nodeName: 'node-a', containers: [{ name, image: name, ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: STARTED },
});

const WEB_LABELS = { app: 'web', team: 'storefront' };
const PODS = [pod('cart', '6b9f8c7d54', TEMPLATE_LABELS, '10.244.1.10', 8080), pod('web', '5d8f9c6b7a', WEB_LABELS, '10.244.1.11', 8000)];
const CLUSTER = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  deployment('cart', SELECTOR, TEMPLATE_LABELS, 8080),
  replicaSet('cart', '6b9f8c7d54', SELECTOR, TEMPLATE_LABELS, 8080),
  deployment('web', { matchLabels: { app: 'web' } }, WEB_LABELS, 8000),
  replicaSet('web', '5d8f9c6b7a', { matchLabels: { app: 'web' } }, WEB_LABELS, 8000),
  ...PODS,
];

const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const FLOWS = [netobservRecord({ src: '10.244.1.11', dst: '10.244.1.10', dstPort: 8080, proto: 6, srcPort: 40002, time: NOW - 60_000 })]; // web → cart

function importAt(db: Db, items: object[], takenAt: number, source: string) {
  return importInventory(db, { text: list(items), takenAt, source, now: NOW });
}

async function exportsOf(db: Db): Promise<Record<string, string>> {
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'netobserv' });
  return Object.fromEntries(ENGINE_NAMES.map((engine) => [engine, toMultiDocYaml([...exportFromStore(db, {}, engine, {}).manifests()])]));
}

const cart = (db: Db) => getWorkload(db, { namespace: 'shop', kind: 'Deployment', name: 'cart' });

test('a pods-only refresh after a full import keeps each Deployment selector: the export is byte for byte the same on every engine', async () => {
  const { db: whole } = tmpDb();
  importAt(whole, CLUSTER, T1, 'cluster.json');
  importAt(whole, CLUSTER, T2, 'cluster.json');
  const { db: refreshed } = tmpDb();
  importAt(refreshed, CLUSTER, T1, 'cluster.json');
  importAt(refreshed, PODS, T2, 'pods.json');

  assert.deepEqual(cart(refreshed)?.selector, SELECTOR);
  const [expected, actual] = [await exportsOf(whole), await exportsOf(refreshed)];
  for (const engine of ENGINE_NAMES) {
    assert.match(expected[engine]!, /cart/, `${engine}: the premise, a policy for cart`);
    assert.equal(actual[engine], expected[engine], engine);
  }
});

test('pods imported before their Deployment: the selector comes from the pods\' labels until the Deployment is imported, then it is the Deployment\'s', () => {
  const { db } = tmpDb();
  importAt(db, PODS, T1, 'pods.json');
  // No owner's selector known: the pods' labels minus the volatile pod-template-hash.
  assert.deepEqual(cart(db)?.selector, { matchLabels: TEMPLATE_LABELS });
  importAt(db, CLUSTER, T2, 'cluster.json');
  assert.deepEqual(cart(db)?.selector, SELECTOR);
});

test('a pods-only refresh before any owner was known follows the pods\' labels (a rollout that changed them)', () => {
  const { db } = tmpDb();
  importAt(db, PODS, T1, 'pods.json');
  const rolledOut = { ...TEMPLATE_LABELS, version: 'v2' };
  importAt(db, [pod('cart', '7c8d9e0f12', rolledOut, '10.244.1.12', 8080)], T2, 'pods.json');
  assert.deepEqual(cart(db)?.selector, { matchLabels: rolledOut });
});

test('the live collector holding a pod whose ReplicaSet and Deployment it does not hold (their events not in yet) keeps the stored Deployment selector', () => {
  const { db } = tmpDb();
  const scope = ['Deployment.apps', 'Namespace', 'Pod', 'ReplicaSet.apps'];
  importInventoryObjects(db, { objects: parseInventoryText(list(CLUSTER)), takenAt: T1, source: 'kubernetes', scope });
  const rolledOut = { ...TEMPLATE_LABELS, version: 'v2' };
  const mirror = [...CLUSTER.filter((o) => !o.metadata.name.startsWith('cart')), pod('cart', '7c8d9e0f12', rolledOut, '10.244.1.12', 8080)];
  importInventoryObjects(db, { objects: parseInventoryText(list(mirror)), takenAt: T2, source: 'kubernetes', scope });
  assert.deepEqual(cart(db)?.selector, SELECTOR);
});

test('migration 0028: a selector an older release wrote is the owner\'s when the import of the workload\'s last_seen held objects of its kind, else taken as made from labels', () => {
  const db = openDb(join(tmpDir(), 'v27.db'), { migrate: false });
  migrate(db, loadMigrations(), 27);
  const imported = db.prepare("INSERT INTO inventory_imports (taken_at, source, counts) VALUES (?, 'x', ?)");
  imported.run(T1, JSON.stringify({ 'Deployment.apps': 1, Pod: 3 }));
  imported.run(T2, JSON.stringify({ Pod: 3 }));
  const workload = db.prepare("INSERT INTO workloads (namespace, kind, name, selector, first_seen, last_seen) VALUES ('shop', ?, ?, '{}', ?, ?)");
  workload.run('Deployment', 'full', T1, T1); // written by the import holding Deployments
  workload.run('Deployment', 'pods-only', T1, T2); // written last by a pods-only import
  workload.run('CronJob', 'report', T1, T1); // that import held no CronJob: from its Jobs' or pods' labels
  workload.run('Pod', 'debug', T2, T2); // a bare pod's selector is its own labels
  migrate(db);
  assert.deepEqual(db.prepare('SELECT name, selector_derived FROM workloads ORDER BY name').all(), [
    { name: 'debug', selector_derived: 0 },
    { name: 'full', selector_derived: 0 },
    { name: 'pods-only', selector_derived: 1 },
    { name: 'report', selector_derived: 1 },
  ]);
  db.close();
});

// A Deployment deleted and created again under its name with another spec.selector. Every pod a
// Deployment's ReplicaSet controls matches the Deployment's selector: the ReplicaSet's selector is
// it plus pod-template-hash (apps/v1 validation refuses a template its selector does not match, and
// the ReplicaSet controller releases a pod whose labels stop matching, ReplicaSet ClaimPods). A pod
// resolved to the workload that the stored owner's selector does not match is therefore another
// owner's: when it matches none of the workload's pods it is no longer the owner's selector.
const RECREATED = { app: 'cart2', team: 'checkout', version: 'v1' };
const NEW_CART_POD = pod('cart', '7c8d9e0f12', RECREATED, '10.244.1.12', 8080);
const TO_NEW_CART = [netobservRecord({ src: '10.244.1.11', dst: '10.244.1.12', dstPort: 8080, proto: 6, srcPort: 40003, time: NOW - 60_000 })]; // web → the new cart pod

async function verifiedOnEveryEngine(db: Db, flows: string[]): Promise<void> {
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  for (const engine of ENGINE_NAMES) {
    const { verification } = exportFromStore(db, {}, engine, {});
    assert.deepEqual(verification.blocked, [], `${engine}: web → cart is not cut`);
    assert.equal(verification.ok, true, engine);
  }
}

test('a Deployment recreated with another selector: a pods-only refresh whose pods the stored selector matches none of takes the pods\' labels, says so, and the export verifies', async () => {
  const { db } = tmpDb();
  importAt(db, CLUSTER, T1, 'cluster.json');
  const summary = importAt(db, [NEW_CART_POD, PODS[1]!], T2, 'pods.json');
  assert.deepEqual(cart(db)?.selector, { matchLabels: RECREATED });
  assert.equal(summary.warnings.filter((w) => w.includes('shop/Deployment/cart')).length, 1, summary.warnings.join('\n'));
  assert.match(summary.warnings.join('\n'), /shop\/Deployment\/cart: the selector \{"matchLabels":\{"app":"cart"\}\} .* matches none of its pods' 1 label set in this import .*: replaced by the pods' labels/);
  // From then on the selector is the pods' again (until an import holds the Deployment): a later refresh follows them.
  importAt(db, [NEW_CART_POD, PODS[1]!], NOW - 1_800_000, 'pods.json');
  assert.deepEqual(cart(db)?.selector, { matchLabels: RECREATED });
  await verifiedOnEveryEngine(db, TO_NEW_CART);
});

test('a pods-only refresh with pods the stored selector matches and pods it does not (the old owner\'s still terminating) keeps the owner\'s selector and says which it misses', () => {
  const { db } = tmpDb();
  importAt(db, CLUSTER, T1, 'cluster.json');
  const summary = importAt(db, [...PODS, NEW_CART_POD], T2, 'pods.json');
  assert.deepEqual(cart(db)?.selector, SELECTOR);
  assert.match(summary.warnings.join('\n'), /shop\/Deployment\/cart: the selector \{"matchLabels":\{"app":"cart"\}\} .* matches 1 of its pods' 2 label sets in this import: kept/);
});

test('a pods-only refresh whose pods the stored selector all matches (a rollout) warns of nothing', () => {
  const { db } = tmpDb();
  importAt(db, CLUSTER, T1, 'cluster.json');
  const rolledOut = pod('cart', '7c8d9e0f12', { ...TEMPLATE_LABELS, version: 'v2' }, '10.244.1.12', 8080);
  const summary = importAt(db, [...PODS, rolledOut], T2, 'pods.json');
  assert.deepEqual(cart(db)?.selector, SELECTOR);
  assert.deepEqual(summary.warnings, []);
});

test('the live collector after a Deployment\'s DELETE and re-ADD with another selector: the new pods and ReplicaSet before the new Deployment take their labels, then the new Deployment\'s selector', async () => {
  const { db } = tmpDb();
  const scope = ['Deployment.apps', 'Namespace', 'Pod', 'ReplicaSet.apps'];
  const write = (objects: object[], takenAt: number) => importInventoryObjects(db, { objects: parseInventoryText(list(objects)), takenAt, source: 'kubernetes', scope });
  write(CLUSTER, T1);
  // The old Deployment, its ReplicaSet and pods DELETED; the new ReplicaSet and pod ADDED, the new Deployment's ADDED not in yet (watches of different resources are not ordered).
  const others = CLUSTER.filter((o) => !o.metadata.name.startsWith('cart'));
  const newReplicaSet = replicaSet('cart', '7c8d9e0f12', { matchLabels: { app: 'cart2' } }, RECREATED, 8080);
  const before = write([...others, newReplicaSet, NEW_CART_POD], T2);
  assert.deepEqual(cart(db)?.selector, { matchLabels: RECREATED });
  assert.match(before.warnings.join('\n'), /shop\/Deployment\/cart: the selector \{"matchLabels":\{"app":"cart"\}\} .* matches none of its pods' 1 label set in this import .*: replaced by the pods' labels/);
  write([...others, deployment('cart', { matchLabels: { app: 'cart2' } }, RECREATED, 8080), newReplicaSet, NEW_CART_POD], NOW - 1_800_000);
  assert.deepEqual(cart(db)?.selector, { matchLabels: { app: 'cart2' } });
  await verifiedOnEveryEngine(db, TO_NEW_CART);
});
