/**
 * A managed control plane that takes its addresses from the pods' subnets (EKS: the control
 * plane's network interfaces sit in the subnets the VPC CNI gives pods addresses from). The 00:00
 * import lists shop/old's pod on X; the 12:00 import no longer lists it and lists X as a new
 * `default/kubernetes` endpoint. The address passed to the apiserver at a moment between the two
 * that no import saw, as a Service's backends change between two imports (docs/inventory.md "IP
 * history", "A change is dated by when it was noticed"): a flow to X:443 (the endpoint port) in
 * between may have gone to either. Resolved to the pod alone, a client whose only apiserver
 * traffic fell in that gap (a CronJob running once a day) got no egress rule to the apiserver, and
 * the policy cut it while the verification said ok. Real SQLite file, the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiserver, deployment, importTwiceAndIngest, namespace, node, pod, syn } from '../helpers/reuse-cluster.ts';

const CLIENT = '192.168.5.50';
const X = '192.168.5.10';
const OTHER_ENDPOINT = '192.168.5.20';

const base = [
  namespace('client'),
  namespace('shop'),
  node('w-1', '192.168.1.10', '10.244.0.0/24'),
  ...deployment('client', 'client', '5d8f9c7b6d', [8443]),
  pod({ namespace: 'client', name: 'client-5d8f9c7b6d-abcde', ip: CLIENT, node: 'w-1', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'client-5d8f9c7b6d' }, labels: { app: 'client', 'pod-template-hash': '5d8f9c7b6d' }, ports: [8443] }),
  ...deployment('shop', 'old', '6c9d8f7b5c', [8080]),
];
/** 00:00: shop/old on X (since the day before), the apiserver on OTHER_ENDPOINT:443. */
const before = [
  ...base,
  ...apiserver([OTHER_ENDPOINT], 443),
  pod({ namespace: 'shop', name: 'old-6c9d8f7b5c-aaaaa', ip: X, node: 'w-1', start: '2025-03-01T20:00:00Z', owner: { kind: 'ReplicaSet', name: 'old-6c9d8f7b5c' }, labels: { app: 'old', 'pod-template-hash': '6c9d8f7b5c' }, ports: [8080] }),
];
/** 12:00: the pod is gone, X is an apiserver endpoint. */
const after = [...base, ...apiserver([OTHER_ENDPOINT, X], 443)];

test('a flow to an address between the last import that showed a pod on it and the import that first lists it as an apiserver endpoint is the pod\'s and the apiserver\'s; before, the pod\'s alone; after, the apiserver\'s alone', async () => {
  const { edges } = await importTwiceAndIngest(before, after, [
    syn(`${CLIENT}:40000`, `${X}:443`, '2025-03-01T23:00:00Z'), // before the pod's last sighting (00:00)
    syn(`${CLIENT}:40001`, `${X}:443`, '06:00'), // the gap
    syn(`${CLIENT}:40002`, `${X}:443`, '13:00'), // listed since 12:00
  ]);
  assert.deepEqual(edges, [
    'workload:client/Deployment/client -> apiserver:443 x2',
    'workload:client/Deployment/client -> workload:shop/Deployment/old:443 x2',
  ]);
});

test('a pod that finished on the address (a Job\'s run) bounds the gap by its end: a flow after it is what it was (an address nobody held) and the apiserver\'s', async () => {
  const finished = pod({ namespace: 'shop', name: 'old-6c9d8f7b5c-aaaaa', ip: X, node: 'w-1', start: '2025-03-01T20:00:00Z', owner: { kind: 'ReplicaSet', name: 'old-6c9d8f7b5c' }, labels: { app: 'old', 'pod-template-hash': '6c9d8f7b5c' }, ports: [8080], phase: 'Succeeded', finishedAt: ['2025-03-01T22:00:00Z'] });
  const { edges } = await importTwiceAndIngest([...base, ...apiserver([OTHER_ENDPOINT], 443), finished], after, [
    syn(`${CLIENT}:40000`, `${X}:443`, '2025-03-01T21:00:00Z'), // the Job's run
    syn(`${CLIENT}:40001`, `${X}:443`, '06:00'),
  ]);
  assert.deepEqual(edges, [
    'workload:client/Deployment/client -> apiserver:443 x1',
    'workload:client/Deployment/client -> unknown:192.168.5.10:443 x1',
    'workload:client/Deployment/client -> workload:shop/Deployment/old:443 x1',
  ]);
});

test('a call from that address in the gap (a webhook) is the pod\'s and the apiserver\'s', async () => {
  const { edges } = await importTwiceAndIngest(before, after, [syn(`${X}:40000`, `${CLIENT}:8443`, '06:00')]);
  assert.deepEqual(edges, ['apiserver -> workload:client/Deployment/client:8443 x1', 'workload:shop/Deployment/old -> workload:client/Deployment/client:8443 x1']);
});

test('a connection to that address in the gap on a port other than the endpoint port is the pod\'s alone: the apiserver serves its endpoint port only', async () => {
  const { edges } = await importTwiceAndIngest(before, after, [syn(`${CLIENT}:40000`, `${X}:8080`, '06:00')]);
  assert.deepEqual(edges, ['workload:client/Deployment/client -> workload:shop/Deployment/old:8080 x1']);
});

test('a record naming the pod at that address in the gap is that pod alone: the record\'s own word', async () => {
  const meta = { DstK8S_Type: 'Pod', DstK8S_Name: 'old-6c9d8f7b5c-aaaaa', DstK8S_Namespace: 'shop', DstK8S_OwnerType: 'Deployment', DstK8S_OwnerName: 'old' };
  const { edges } = await importTwiceAndIngest(before, after, [syn(`${CLIENT}:40000`, `${X}:443`, '06:00', meta)]);
  assert.deepEqual(edges, ['workload:client/Deployment/client -> workload:shop/Deployment/old:443 x1']);
});

test('the client whose only apiserver traffic fell in the gap gets an egress rule to the apiserver, and its verification passes', async () => {
  const { run } = await importTwiceAndIngest(before, after, [syn(`${CLIENT}:40001`, `${X}:443`, '06:00')]);
  const r = await run(['recommend', '--engine', 'kubernetes', '-n', 'client', '--workload', 'deployment/client', '-o', 'json']);
  const out = JSON.parse(r.out) as { workloads: { rules: { direction: string; peers: { kind: string; endpoints?: { ip: string; port: number }[] }[] }[] }[] };
  const apiserverPeers = out.workloads[0]!.rules.filter((rule) => rule.direction === 'egress').flatMap((rule) => rule.peers.filter((p) => p.kind === 'apiserver'));
  assert.deepEqual(apiserverPeers.map((p) => p.endpoints?.map((e) => `${e.ip}:${e.port}`)), [[`${X}:443`, `${OTHER_ENDPOINT}:443`]]);
});
