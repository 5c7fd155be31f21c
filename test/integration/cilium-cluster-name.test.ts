/**
 * Every pod carries the label io.cilium.k8s.policy.cluster=<cluster-name> (the `cluster-name` of
 * kube-system/cilium-config; Cilium's default `default`), and a Cilium policy may select on it —
 * as ClusterMesh policies do. The simulator labels pods with the cluster name the inventory's
 * cilium-config gives (docs/inventory.md), so a policy naming the cluster is judged as the agent
 * judges it: `demo` selects the pods of cluster `demo`, `default` does not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { AppError } from '../../app/errors.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { readInventory } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const pod = (name: string, ip: string) =>
  `  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: shop, labels: { app: ${name} }, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { nodeName: w1, containers: [{ name: c, image: i }] }, status: { phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const inventory = (configMaps: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Node, metadata: { name: w1, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 10.0.0.11 }] } }
${pod('frontend', '10.244.1.5')}
${pod('postgres', '10.244.1.6')}
${configMaps}`;
const CILIUM_CONFIG = (name: string) => `  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: "${name}", cluster-id: "7" } }\n`;
const OTHER = '  - { apiVersion: v1, kind: ConfigMap, metadata: { name: app-settings, namespace: shop }, data: { cluster-name: elsewhere } }\n';
const toPostgresIn = (cluster: string) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'to-postgres', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'postgres', 'io.cilium.k8s.policy.cluster': cluster } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] },
});

test('the cilium-config cluster name is imported, kept while later imports carry none, and the simulator labels pods with it', () => {
  const { db } = tmpDb();
  const summary = importInventory(db, { text: inventory(CILIUM_CONFIG('demo') + OTHER), takenAt: NOW - 7_200_000, source: 'first', now: NOW });
  assert.deepEqual(summary.ignored, { ConfigMap: 1 }, 'other ConfigMaps are not read');
  assert.equal(readInventory(db).ciliumClusterName, 'demo');
  importInventory(db, { text: inventory(''), takenAt: NOW - 3_600_000, source: 'second', now: NOW });
  const inv = readInventory(db);
  assert.equal(inv.ciliumClusterName, 'demo', 'a later import without the ConfigMap (a live collector\'s) keeps it');
  const model = clusterModel(inv);
  const flow = (p: unknown) => {
    const sim = SIMULATORS.cilium([p], model.cluster);
    const at = (name: string) => ({ kind: 'pod' as const, pod: model.cluster.pods.find((x) => x.name === name)! });
    return sim.evaluate({ client: at('frontend'), server: at('postgres'), port: 5432, protocol: 'TCP' }).verdict;
  };
  assert.equal(flow(toPostgresIn('demo')), 'allow');
  assert.equal(flow(toPostgresIn('default')), 'deny', 'the pods are not in cluster default');
  // A cilium-config that no longer sets cluster-name: Cilium's default again.
  importInventory(db, { text: inventory('  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { enable-policy: default } }\n'), takenAt: NOW - 1_800_000, source: 'third', now: NOW });
  assert.equal(readInventory(db).ciliumClusterName, 'default');
});

test('without a cilium-config the cluster is Cilium\'s default, `default`; a cluster name no label can hold is refused naming the field, nothing imported', () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(''), takenAt: NOW - 3_600_000, source: 'plain', now: NOW });
  assert.equal(readInventory(db).ciliumClusterName, undefined);
  const sim = SIMULATORS.cilium([toPostgresIn('default')], clusterModel(readInventory(db)).cluster);
  const pods = clusterModel(readInventory(db)).cluster.pods;
  const at = (name: string) => ({ kind: 'pod' as const, pod: pods.find((x) => x.name === name)! });
  assert.equal(sim.evaluate({ client: at('frontend'), server: at('postgres'), port: 5432, protocol: 'TCP' }).verdict, 'allow');
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(CILIUM_CONFIG('not a name!')), takenAt: NOW - 3_600_000, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /ConfigMap kube-system\/cilium-config: data\.cluster-name: expected a label value/.test(e.message),
  );
});
