/**
 * An inventory imported in two parts — the pods, then the Namespaces, Nodes and Services, or the
 * other way round — is the same inventory as one import of it all: kinds absent from an import
 * are left as they are (docs/inventory.md, "Snapshot semantics"), and which Services select a
 * workload, its exposure and the cluster DNS follow from what the store holds, not from how the
 * export was split. Split, the CoreDNS pods lost the kube-dns Service: no `-dns` policy open to
 * every client on 53/UDP+TCP, the flow to them stored as an ordinary workload's, and the NodePort
 * frontend lost its exposure policy.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { exportFromStore } from '../../app/export.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { peerKey } from '../../domain/peer.ts';
import { readAllEdges } from '../../store/recommend-read.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const TAKEN = NOW - 3_600_000;
const STARTED = '2026-11-03T00:00:00Z';

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: object[] = []) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels, creationTimestamp: STARTED },
  spec: { nodeName: 'node-a', containers: [{ name, image: name, ports }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: STARTED },
});

const PODS = [
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.1.2', [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ]),
  pod('shop', 'web', { app: 'web' }, '10.244.1.10'),
  pod('shop', 'frontend', { app: 'frontend' }, '10.244.1.11', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
];

const CLUSTER = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'frontend', namespace: 'shop' },
    spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], selector: { app: 'frontend' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }] },
  },
];

const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

const FLOWS = [
  netobservRecord({ src: '10.244.1.10', dst: '10.244.1.2', dstPort: 53, proto: 17, srcPort: 40001, time: NOW - 60_000 }), // web → coredns
  netobservRecord({ src: '10.244.1.10', dst: '10.244.1.11', dstPort: 8080, proto: 6, srcPort: 40002, time: NOW - 50_000 }), // web → frontend
];

async function storeOf(parts: { name: string; items: object[] }[]) {
  const { db } = tmpDb();
  const reported = parts.map((p) => importInventory(db, { text: list(p.items), takenAt: TAKEN, source: p.name, now: NOW }).workloads.clusterDns);
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS.join('\n')}\n`]) }], { format: 'netobserv' });
  const exports = Object.fromEntries(ENGINE_NAMES.map((engine) => [engine, toMultiDocYaml([...exportFromStore(db, {}, engine, {}).manifests()])]));
  return { reported, exports, edges: readAllEdges(db).map((e) => ({ client: peerKey(e.client), server: peerKey(e.server), port: e.port, protocol: e.protocol })) };
}

const DNS = 'kube-system/Pod/coredns';

test('an inventory imported as pods, then Namespaces/Nodes/Services, or the other way round, exports byte for byte what one import of it all does on every engine', async () => {
  const whole = await storeOf([{ name: 'all.json', items: [...CLUSTER, ...PODS] }]);
  const podsFirst = await storeOf([
    { name: 'pods.json', items: PODS },
    { name: 'cluster.json', items: CLUSTER },
  ]);
  const servicesFirst = await storeOf([
    { name: 'cluster.json', items: CLUSTER },
    { name: 'pods.json', items: PODS },
  ]);

  // What the whole import gives is right: the DNS's own policy, open to every client, and the NodePort exposure.
  for (const engine of ENGINE_NAMES) {
    assert.match(whole.exports[engine]!, /coredns-dns/, `${engine}: the cluster DNS's policy`);
    assert.match(whole.exports[engine]!, /frontend-exposed/, `${engine}: the NodePort exposure's policy`);
  }
  assert.ok(whole.edges.some((e) => e.server === `dns:${DNS}`), JSON.stringify(whole.edges));

  for (const [name, split] of [['pods first', podsFirst], ['Services first', servicesFirst]] as const) {
    for (const engine of ENGINE_NAMES) assert.equal(split.exports[engine], whole.exports[engine], `${name}, ${engine}`);
    assert.deepEqual(split.edges, whole.edges, name);
  }

  // The summary says the cluster DNS the store has once the import is in.
  assert.deepEqual(whole.reported, [[DNS]]);
  assert.deepEqual(podsFirst.reported, [[DNS], [DNS]]);
  assert.deepEqual(servicesFirst.reported, [[], [DNS]]);
});
