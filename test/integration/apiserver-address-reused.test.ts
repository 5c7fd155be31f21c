/**
 * A managed control plane's endpoint address reused by a pod (AWS VPC CNI gives pods addresses
 * from the subnets the EKS control plane's network interfaces sit in): from the pod's start the
 * address is the pod's, not "the apiserver" until the import that stopped listing it — which made
 * the flows to the pod an egress rule to the apiserver, and cut the pod's ingress while the
 * verification passed. Record metadata naming the pod wins too (docs/design.md, "IP history").
 * Real SQLite file, the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiserver, deployment, importTwiceAndIngest, namespace, node, pod, syn } from '../helpers/reuse-cluster.ts';

const CLIENT = '192.168.5.50';
const REUSED = '192.168.5.10';

const base = [
  namespace('client'),
  namespace('ingress'),
  node('w-1', '192.168.1.10', '10.244.0.0/24'),
  ...deployment('client', 'client', '5d8f9c7b6d'),
  pod({ namespace: 'client', name: 'client-5d8f9c7b6d-abcde', ip: CLIENT, node: 'w-1', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'client-5d8f9c7b6d' }, labels: { app: 'client', 'pod-template-hash': '5d8f9c7b6d' } }),
  ...deployment('ingress', 'nginx', '6c9d8f7b5c', [443]),
];
/** The apiserver on .10:443 at 00:00; at 12:00 on .20, and nginx on .10 since 06:00. */
const before = [...base, ...apiserver([REUSED], 443)];
const after = [
  ...base,
  ...apiserver(['192.168.5.20'], 443),
  pod({ namespace: 'ingress', name: 'nginx-6c9d8f7b5c-aaaaa', ip: REUSED, node: 'w-1', start: '06:00', owner: { kind: 'ReplicaSet', name: 'nginx-6c9d8f7b5c' }, labels: { app: 'nginx', 'pod-template-hash': '6c9d8f7b5c' }, ports: [443] }),
];

test('a former apiserver endpoint address a pod holds from its start on is the pod\'s from then; before, the apiserver\'s', async () => {
  const { edges } = await importTwiceAndIngest(before, after, [syn(`${CLIENT}:40000`, `${REUSED}:443`, '03:00'), syn(`${CLIENT}:40001`, `${REUSED}:443`, '08:00')]);
  assert.deepEqual(edges, [
    'workload:client/Deployment/client -> apiserver:443 x1',
    'workload:client/Deployment/client -> workload:ingress/Deployment/nginx:443 x1',
  ]);
});

test('a record naming the pod at a former apiserver endpoint address is that pod: the record\'s own metadata wins', async () => {
  const meta = {
    DstK8S_Type: 'Pod', DstK8S_Name: 'nginx-6c9d8f7b5c-aaaaa', DstK8S_Namespace: 'ingress', DstK8S_OwnerType: 'Deployment', DstK8S_OwnerName: 'nginx',
    SrcK8S_Type: 'Pod', SrcK8S_Name: 'client-5d8f9c7b6d-abcde', SrcK8S_Namespace: 'client',
  };
  // Before the inventory saw nginx there (05:00): only the record says so.
  const { edges } = await importTwiceAndIngest(before, after, [syn(`${CLIENT}:40000`, `${REUSED}:443`, '05:00', meta), syn(`${CLIENT}:40001`, `${REUSED}:443`, '08:00', meta)]);
  assert.deepEqual(edges, ['workload:client/Deployment/client -> workload:ingress/Deployment/nginx:443 x2']);
});
