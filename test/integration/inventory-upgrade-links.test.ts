/**
 * A store imported by the release before migration 0024 holds each workload's links (its Services,
 * its exposure) but neither its pods' label sets nor the Ingresses they were decided from. The
 * first partial import after upgrading must not take those links away (docs/inventory.md,
 * "Snapshot semantics": kinds absent are left as they are, nor the links to them): relinked from
 * what the store could not know, a pods-only import dropped the Ingress exposure and a
 * Services-only import the per-pod NodePort Service and all exposure — the exposure policy, open to
 * any client on the exposed port, was gone from the export. Once an import brings the pods or the
 * Ingresses, the links are decided again from them alone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportFromStore } from '../../app/export.ts';
import { importInventory } from '../../app/inventory.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { openDb, type Db } from '../../store/db.ts';
import { listWorkloads } from '../../store/inventory.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { oldSchemaCopy } from '../helpers/upgraded-store.ts';

const OLD_IMPORT = Date.parse('2026-11-01T00:00:00Z');
const NOW = Date.parse('2026-11-02T00:00:00Z');
/** The schema the release before service links left (its last migration; 0023 landed beside them). */
const OLD_SCHEMA = 22;

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'shop',
    labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
  },
  spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'web', ports: [{ containerPort: 8080, name: 'http' }] }] },
  status: { phase: 'Running', podIP: '10.244.1.10', startTime: '2026-10-01T00:00:00Z' },
};
const STATEFULSET = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web' }] } } },
};
const service = (name: string, type: string, selector: Record<string, string>, ip: string, nodePort?: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop', creationTimestamp: '2026-09-01T00:00:00Z' },
  spec: { type, clusterIP: ip, selector, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }] },
});
const SERVICE = service('web', 'ClusterIP', { app: 'web' }, '10.96.0.50');
/** A per-pod Service: it selects on a label only the pod carries. */
const POD_NODEPORT = service('web-0-np', 'NodePort', { 'statefulset.kubernetes.io/pod-name': 'web-0' }, '10.96.0.51', 30080);
const ingress = (name: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'shop' },
  spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
});

const WHOLE = [NAMESPACE, POD, STATEFULSET, SERVICE, POD_NODEPORT, ingress('web')];
const PODS_ONLY = [NAMESPACE, POD, STATEFULSET];
const SERVICES_ONLY = [NAMESPACE, SERVICE, POD_NODEPORT];

/** What the release before migration 0024 stored for shop/StatefulSet/web from `WHOLE` (its own import of it). */
const OLD_LINKS = {
  services: ['shop/web', 'shop/web-0-np'],
  exposure: [
    { via: 'Ingress', object: 'shop/web', port: 8080, protocol: 'TCP' },
    { via: 'NodePort', object: 'shop/web-0-np', port: 8080, protocol: 'TCP' },
  ],
};

const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const load = (db: Db, items: object[], takenAt: number, source: string) => importInventory(db, { text: list(items), takenAt, source, now: NOW });
const links = (db: Db) => listWorkloads(db).map((w) => ({ workload: `${w.namespace}/${w.kind}/${w.name}`, services: w.services, exposure: w.exposure }));
const kubernetesExport = (db: Db) => toMultiDocYaml([...exportFromStore(db, {}, 'kubernetes', {}).manifests()]);

/**
 * A store as the release before migration 0024 left it after importing `WHOLE`, opened (so
 * migrated) by this one: the whole import's rows, those columns the old schema has, copied into a
 * store at that schema. The old release computed the same rows from one import (checked below).
 */
function upgradedStore(): Db {
  const { db: whole, path: wholePath } = tmpDb();
  load(whole, WHOLE, OLD_IMPORT, 'cluster.json');
  const path = oldSchemaCopy(wholePath, OLD_SCHEMA, (old) => {
    const stored = old.prepare("SELECT services, exposure FROM workloads WHERE namespace = 'shop' AND kind = 'StatefulSet' AND name = 'web'").get() as { services: string; exposure: string };
    assert.deepEqual({ services: JSON.parse(stored.services), exposure: JSON.parse(stored.exposure) }, OLD_LINKS, 'the old release stored these links');
  });
  return openDb(path);
}

function wholeExport(): string {
  const { db } = tmpDb();
  load(db, WHOLE, OLD_IMPORT, 'cluster.json');
  return kubernetesExport(db);
}

const WEB = 'shop/StatefulSet/web';

test('after upgrading, a pods-only import keeps the Ingress exposure the store had (its Ingresses were never stored)', () => {
  const db = upgradedStore();
  load(db, PODS_ONLY, NOW - 60_000, 'pods.json');
  assert.deepEqual(links(db), [{ workload: WEB, ...OLD_LINKS }]);
  const exported = kubernetesExport(db);
  assert.match(exported, /name: shop-statefulset-web-exposed[\s\S]*- port: 8080/, exported);
  assert.equal(exported, wholeExport());
});

test('after upgrading, a Services-only import keeps the per-pod NodePort Service and the exposure (the pods’ labels were never stored)', () => {
  const db = upgradedStore();
  load(db, SERVICES_ONLY, NOW - 60_000, 'services.json');
  assert.deepEqual(links(db), [{ workload: WEB, ...OLD_LINKS }]);
  const exported = kubernetesExport(db);
  assert.match(exported, /name: shop-statefulset-web-exposed[\s\S]*- port: 8080/, exported);
  assert.equal(exported, wholeExport());
});

test('after upgrading, a Services-only import still drops a link to a Service the store no longer holds', () => {
  const db = upgradedStore();
  load(db, [NAMESPACE, SERVICE], NOW - 60_000, 'services.json');
  assert.deepEqual(links(db), [{ workload: WEB, services: ['shop/web'], exposure: [OLD_LINKS.exposure[0]] }]);
});

test('once an import brings the pods and the Ingresses, the links are decided from them alone', () => {
  const db = upgradedStore();
  load(db, PODS_ONLY, NOW - 120_000, 'pods.json');
  // The Ingresses now known: the one the store never held no longer exposes web.
  load(db, [NAMESPACE, ingress('web-v2')], NOW - 60_000, 'ingresses.json');
  assert.deepEqual(links(db), [
    { workload: WEB, services: OLD_LINKS.services, exposure: [{ via: 'Ingress', object: 'shop/web-v2', port: 8080, protocol: 'TCP' }, OLD_LINKS.exposure[1]] },
  ]);
  // The pods known: the per-pod Service deleted is no longer linked, nor its NodePort exposure.
  load(db, [NAMESPACE, SERVICE], NOW, 'services.json');
  assert.deepEqual(links(db), [{ workload: WEB, services: ['shop/web'], exposure: [{ via: 'Ingress', object: 'shop/web-v2', port: 8080, protocol: 'TCP' }] }]);
});

test('migration 0026 on a store the service-links release wrote: label sets it stored stay known, its "[]" becomes not known, and Ingresses are known when it stored one', () => {
  const path = join(tmpDir(), 'v25.db');
  const db = openDb(path, { migrate: false });
  migrate(db, loadMigrations(), 25);
  const ins = db.prepare("INSERT INTO workloads (namespace, kind, name, labels, selector, host_network, ports, services, exposure, pod_labels, first_seen, last_seen, present) VALUES ('shop', 'StatefulSet', ?, '{}', '{}', 0, '[]', '[]', '[]', ?, 1, 1, 1)");
  ins.run('known', JSON.stringify([{ app: 'web' }]));
  ins.run('unknown', '[]');
  db.prepare("INSERT INTO ingresses (namespace, name, backends, updated_at) VALUES ('shop', 'web', '[]', 1)").run();
  migrate(db);
  assert.deepEqual(db.prepare('SELECT name, pod_labels FROM workloads ORDER BY name').all(), [
    { name: 'known', pod_labels: '[{"app":"web"}]' },
    { name: 'unknown', pod_labels: null },
  ]);
  assert.deepEqual(db.prepare('SELECT id FROM ingresses_known').all(), [{ id: 1 }]);
  db.close();

  const { db: fresh } = tmpDb();
  assert.deepEqual(fresh.prepare('SELECT id FROM ingresses_known').all(), [{ id: 1 }], 'a store with no workload has nothing an Ingress linked');
});
