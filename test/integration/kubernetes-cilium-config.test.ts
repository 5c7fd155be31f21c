/**
 * The live collector reads Cilium's ConfigMap kube-system/cilium-config, as `inventory import`
 * does (collectors/inventory/cilium-config.ts): its `cluster-name` (the `io.cilium.k8s.policy.cluster`
 * label Cilium policies select on) and its policy settings. With the real @kubernetes/client-node
 * against the fake API server, which grants ConfigMaps as deploy/kubernetes/rbac.yaml does: a Role
 * in kube-system with `resourceNames: [cilium-config]`, which authorizes a list or watch only with
 * the field selector `metadata.name=cilium-config` (kubernetes.io/docs/reference/access-authn-authz/rbac/,
 * "Referring to resources"). A change is stored by the next write; the ConfigMap deleted leaves no
 * Cilium settings (what an inventory without one says); a value the agent would refuse is counted
 * and left out, the last good settings kept (running agents keep the configuration they started with).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { KubernetesCollector } from '../../collectors/kubernetes/collector.ts';
import type { Db } from '../../store/db.ts';
import { readInventory } from '../../store/inventory.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { startFakeCluster, waitFor, type FakeCluster } from '../helpers/kube-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2025-03-02T12:00:00Z');
const CONFIGMAPS = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

const ciliumConfig = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data });
/** Cilium's defaults for the keys a cilium-config leaves out (domain/inventory.ts CiliumPolicySettings). */
const DEFAULTS = { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableHostFirewall: false, enablePolicy: 'default', policyAuditMode: false, enableIcmpRules: true, enableK8sClusterNetworkPolicy: false };

/** The fake cluster serving ConfigMaps, granted as the Role in deploy/kubernetes/rbac.yaml grants them, with other ConfigMaps the collector must not read. */
async function clusterWithConfigMaps(): Promise<FakeCluster> {
  const cluster = await startFakeCluster();
  cluster.server.serve(CONFIGMAPS);
  cluster.server.grantOnly('configmaps', { namespace: 'kube-system', name: 'cilium-config' });
  cluster.server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:53 {}' } });
  cluster.server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'shop' }, data: { 'cluster-name': 'not-this-one' } });
  return cluster;
}

function startCollector(cluster: FakeCluster, db: Db = tmpDb().db): { collector: KubernetesCollector; db: Db; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const writer = (d: Db, req: Parameters<typeof importInventoryObjects>[1]) => importInventoryObjects(d, { ...req, coalesce: true });
  const collector = new KubernetesCollector({ settings: cluster.settings, writer, env: {}, random: () => 0.5 }, { db, logger, now: () => T0, ingest: DEFAULT_INGEST_LIMITS });
  after(() => collector.stop());
  return { collector, db, logs };
}

const writes = (c: KubernetesCollector) => c.status().counters.writes ?? 0;

async function synced(c: KubernetesCollector): Promise<void> {
  await c.start();
  await waitFor('the first write', () => writes(c) >= 1);
  await c.idle();
}

/** Waits for the write that follows a change made by `change`. */
async function written(c: KubernetesCollector, change: () => void): Promise<void> {
  const before = writes(c);
  change();
  await waitFor('the write after the change', () => writes(c) > before);
  await c.idle();
}

const ciliumOf = (db: Db) => {
  const inv = readInventory(db);
  return { clusterName: inv.ciliumClusterName, policy: inv.ciliumPolicy };
};

test('the collector lists and watches kube-system/cilium-config alone: its cluster name and policy settings are stored by the first write, a change by the next one; the ConfigMap deleted leaves none', async () => {
  const cluster = await clusterWithConfigMaps();
  cluster.server.put(ciliumConfig({ 'cluster-name': 'c1', 'enable-host-firewall': 'true' }));
  // An earlier file import carried another cilium-config: once the collector says the cluster has none, it is not read back.
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ciliumConfig({ 'cluster-name': 'old' })] }), takenAt: T0 - 3_600_000, source: 'inventory.json', now: T0 });
  const { collector } = startCollector(cluster, db);
  await synced(collector);

  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: { ...DEFAULTS, enableHostFirewall: true } });
  const configMapRequests = cluster.server.requests.filter((r) => r.path.endsWith('/configmaps'));
  assert.ok(configMapRequests.length >= 2, 'listed and watched');
  for (const r of configMapRequests) assert.deepEqual([r.path, r.query.fieldSelector], ['/api/v1/namespaces/kube-system/configmaps', 'metadata.name=cilium-config']);
  assert.equal(collector.status().state, 'running');
  assert.equal(collector.status().counters.rejected, 0);

  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c1', 'enable-host-firewall': 'false' })));
  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: DEFAULTS });
  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c1', 'enable-icmp-rules': 'false' })));
  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: { ...DEFAULTS, enableIcmpRules: false } }, 'read by the parse function the import reads it with');
  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c1', 'enable-k8s-cluster-network-policy': 'true' })));
  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: { ...DEFAULTS, enableK8sClusterNetworkPolicy: true } }, 'enable-k8s-cluster-network-policy too');

  await written(collector, () => cluster.server.remove('v1', 'ConfigMap', 'kube-system', 'cilium-config'));
  assert.deepEqual(ciliumOf(db), { clusterName: undefined, policy: undefined }, 'as an inventory without a cilium-config');
  assert.equal(collector.status().state, 'running');
});

test('a cilium-config value the agent refuses is counted and left out, naming the field; the last good settings stay, and a good value again is stored', async () => {
  const cluster = await clusterWithConfigMaps();
  cluster.server.put(ciliumConfig({ 'cluster-name': 'c1', 'enable-host-firewall': 'true' }));
  const { collector, db, logs } = startCollector(cluster);
  await synced(collector);

  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c2', 'enable-host-firewall': 'yes' })));
  assert.equal(collector.status().counters.rejected, 1);
  const said = logs.filter((l) => l.msg === 'kubernetes object left out: the inventory converter refused it').map((l) => (l.last as { message: string }).message);
  assert.equal(said.length, 1);
  assert.match(said[0]!, /ConfigMap kube-system\/cilium-config: data\.enable-host-firewall: expected "true" or "false", got the string "yes"/);
  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c2', 'enable-icmp-rules': 'no' })));
  assert.equal(collector.status().counters.rejected, 2);
  assert.match(logs.filter((l) => l.msg === 'kubernetes object left out: the inventory converter refused it').map((l) => (l.last as { message: string }).message)[1]!, /ConfigMap kube-system\/cilium-config: data\.enable-icmp-rules: expected "true" or "false", got the string "no"/);
  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: { ...DEFAULTS, enableHostFirewall: true } }, 'the last good settings');
  assert.equal(collector.status().state, 'running');

  await written(collector, () => cluster.server.put(ciliumConfig({ 'cluster-name': 'c2', 'enable-host-firewall': 'false', 'enable-policy': 'always' })));
  assert.deepEqual(ciliumOf(db), { clusterName: 'c2', policy: { ...DEFAULTS, enablePolicy: 'always' } });
});

test('a collector started on a cilium-config it refuses keeps the settings stored before; without the Role (an older RBAC) it runs on, the rest of the cluster written', async () => {
  const refused = await clusterWithConfigMaps();
  refused.server.put(ciliumConfig({ 'cluster-name': 'c3', 'allow-localhost': 'sometimes' }));
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ciliumConfig({ 'cluster-name': 'c1', 'enable-host-firewall': 'true' })] }), takenAt: T0 - 3_600_000, source: 'inventory.json', now: T0 });
  const first = startCollector(refused, db).collector;
  await synced(first);
  assert.equal(first.status().counters.rejected, 1);
  assert.deepEqual(ciliumOf(db), { clusterName: 'c1', policy: { ...DEFAULTS, enableHostFirewall: true } });
  await first.stop();

  const forbidden = await clusterWithConfigMaps();
  forbidden.server.put(ciliumConfig({ 'cluster-name': 'c9' }));
  forbidden.server.forbid('configmaps');
  const { collector, db: other } = startCollector(forbidden);
  await synced(collector);
  assert.notEqual(collector.status().state, 'failed');
  assert.match(collector.status().lastError ?? '', /configmaps is forbidden: User "[^"]+" cannot list resource "configmaps" in API group "" in the namespace "kube-system"/);
  assert.ok(readInventory(other).podAddresses.length > 0, 'the rest of the cluster is written');
  assert.deepEqual(ciliumOf(other), { clusterName: undefined, policy: undefined });
});
