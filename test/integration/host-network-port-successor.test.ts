/**
 * A host-network DaemonSet replaced on a node by another declaring the same port, between two
 * imports: flows to the node's address on that port after the successor started are the
 * successor's (docs/ingest.md, "Resolve"), not the gone predecessor's, whose edges the
 * recommendations leave out — which cut the client's egress while the verification passed.
 * Real SQLite file, the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployment, hostNetworkDaemonSet, importTwiceAndIngest, namespace, node, pod, syn } from '../helpers/reuse-cluster.ts';

const NODE_IP = '10.0.0.20';
const PROMETHEUS = '10.244.0.5';

const base = [
  namespace('monitoring'),
  node('w-1', NODE_IP, '10.244.0.0/24'),
  ...deployment('monitoring', 'prometheus', '5d8f9c7b6d'),
  pod({ namespace: 'monitoring', name: 'prometheus-5d8f9c7b6d-abcde', ip: PROMETHEUS, node: 'w-1', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'prometheus-5d8f9c7b6d' }, labels: { app: 'prometheus', 'pod-template-hash': '5d8f9c7b6d' } }),
];
const exporter = (name: string, start: string) => [
  hostNetworkDaemonSet('monitoring', name, [9100]),
  pod({ namespace: 'monitoring', name: `${name}-x1y2z`, ip: NODE_IP, node: 'w-1', start, owner: { kind: 'DaemonSet', name }, labels: { app: name }, ports: [9100], hostNetwork: true }),
];

test('a host-network DaemonSet that replaced another on the same port of a node gets the flows from its start; the predecessor keeps those before', async () => {
  const { edges, run } = await importTwiceAndIngest(
    [...base, ...exporter('old-exporter', '2025-01-01T00:00:00Z')],
    [...base, ...exporter('node-exporter', '06:00')],
    [syn(`${PROMETHEUS}:40000`, `${NODE_IP}:9100`, '03:00'), syn(`${PROMETHEUS}:40001`, `${NODE_IP}:9100`, '08:00'), syn(`${PROMETHEUS}:40002`, `${NODE_IP}:9100`, '09:00')],
  );
  assert.deepEqual(edges, [
    'workload:monitoring/Deployment/prometheus -> workload:monitoring/DaemonSet/node-exporter:9100 x2',
    'workload:monitoring/Deployment/prometheus -> workload:monitoring/DaemonSet/old-exporter:9100 x1',
  ]);
  // Prometheus keeps its egress to the exporter that runs now.
  const yaml = (await run(['export', '--engine', 'kubernetes', '-n', 'monitoring'])).out;
  const prometheus = yaml.split('\n---\n').find((doc) => doc.includes('name: monitoring-deployment-prometheus'));
  assert.match(prometheus ?? '', /egress:[\s\S]*port: 9100/);
});
