/**
 * A flow whose NetObserv metadata names a Service (DstK8S_Type=Service) resolves through the
 * instance of that name that existed at the flow's time: a Service deleted and created again under
 * its name (a new ClusterIP, another selector) after the flow is not the one the flow reached —
 * kube-proxy translated the old ClusterIP to the old instance's endpoints. Real SQLite file, the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployment, endpointSlice, importTwiceAndIngest, namespace, node, pod, service, syn } from '../helpers/reuse-cluster.ts';

const CLIENT = '10.244.0.5';
const ALPHA = '10.244.0.50';
const GAMMA = '10.244.0.60';

const base = [
  namespace('client'),
  namespace('a'),
  node('node-a', '10.0.0.1', '10.244.0.0/24'),
  ...deployment('client', 'client', '5d8f9c7b6d'),
  pod({ namespace: 'client', name: 'client-5d8f9c7b6d-abcde', ip: CLIENT, node: 'node-a', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'client-5d8f9c7b6d' }, labels: { app: 'client', 'pod-template-hash': '5d8f9c7b6d' } }),
  ...deployment('a', 'alpha', '6c9d8f7b5c', [8080]),
  pod({ namespace: 'a', name: 'alpha-6c9d8f7b5c-aaaaa', ip: ALPHA, node: 'node-a', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'alpha-6c9d8f7b5c' }, labels: { app: 'alpha', 'pod-template-hash': '6c9d8f7b5c' }, ports: [8080] }),
  ...deployment('a', 'gamma', '7b6c5d4f8b', [9090]),
  pod({ namespace: 'a', name: 'gamma-7b6c5d4f8b-bbbbb', ip: GAMMA, node: 'node-a', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'gamma-7b6c5d4f8b' }, labels: { app: 'gamma', 'pod-template-hash': '7b6c5d4f8b' }, ports: [9090] }),
];
/** a/web on 10.96.1.1 selecting alpha at 00:00; deleted and created again at 06:00 on 10.96.3.3 selecting gamma. */
const before = [...base, service('a', 'web', '10.96.1.1', { app: 'alpha' }, [[80, 8080]]), endpointSlice('a', 'web', [['alpha-6c9d8f7b5c-aaaaa', ALPHA]], [8080])];
const after = [...base, service('a', 'web', '10.96.3.3', { app: 'gamma' }, [[80, 9090]], '06:00'), endpointSlice('a', 'web', [['gamma-7b6c5d4f8b-bbbbb', GAMMA]], [9090])];
const naming = { DstK8S_Type: 'Service', DstK8S_Name: 'web', DstK8S_Namespace: 'a', SrcK8S_Type: 'Pod', SrcK8S_Name: 'client-5d8f9c7b6d-abcde', SrcK8S_Namespace: 'client', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'client' };

test('a record naming a Service recreated since (another ClusterIP, another selector) resolves through the instance of the flow\'s time, as its address does', async () => {
  const { edges } = await importTwiceAndIngest(before, after, [
    syn(`${CLIENT}:40000`, '10.96.1.1:80', '03:00', naming),
    syn(`${CLIENT}:40001`, '10.96.1.1:80', '03:00'),
    syn(`${CLIENT}:40002`, '10.96.3.3:80', '08:00', naming),
  ]);
  assert.deepEqual(edges, [
    'workload:client/Deployment/client -> workload:a/Deployment/alpha:8080 x2',
    'workload:client/Deployment/client -> workload:a/Deployment/gamma:9090 x1',
  ]);
});
