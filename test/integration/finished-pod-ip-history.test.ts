/**
 * A Job pod that ran and finished between two imports held its IP from its start until its last
 * container finished: an import listing it Succeeded (the kubelet keeps a terminated pod's podIP in
 * its status, kubernetes/kubernetes#47806, #125370) records that closed interval, so the run's
 * flows are the CronJob's — not an in-cluster address nobody held, which no rule can name: the
 * restricted direction of their peers cut them while the verification passed. Real SQLite file,
 * the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployment, importTwiceAndIngest, iso, namespace, node, pod, syn, type PodOptions } from '../helpers/reuse-cluster.ts';

const DB = '10.244.0.60';
const RUN = '10.244.0.70';

const cronJob = {
  apiVersion: 'batch/v1', kind: 'CronJob',
  metadata: { name: 'report', namespace: 'batch', uid: 'uid-batch-report', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } } } },
};
const job = (name: string) => ({
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { name, namespace: 'batch', uid: `uid-batch-${name}`, creationTimestamp: '2025-03-02T03:00:00Z', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'uid-batch-report', controller: true }] },
  spec: { template: { metadata: { labels: { app: 'report' } }, spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } },
});
const run = (extra: Partial<PodOptions>) =>
  pod({ namespace: 'batch', name: 'report-29013300-abcde', ip: RUN, node: 'node-a', start: '03:00', owner: { apiVersion: 'batch/v1', kind: 'Job', name: 'report-29013300' }, labels: { app: 'report', 'job-name': 'report-29013300' }, ...extra });

const base = [
  namespace('batch'),
  namespace('db'),
  node('node-a', '10.0.0.1', '10.244.0.0/24'),
  cronJob,
  ...deployment('db', 'db', '7c9d8b6f5d', [5432]),
  pod({ namespace: 'db', name: 'db-7c9d8b6f5d-qwert', ip: DB, node: 'node-a', start: '2025-03-01T00:00:00Z', owner: { kind: 'ReplicaSet', name: 'db-7c9d8b6f5d' }, labels: { app: 'db', 'pod-template-hash': '7c9d8b6f5d' }, ports: [5432] }),
];

test('a CronJob run that started and finished between two imports: its flows are the CronJob\'s, from its start until its last container finished', async () => {
  const finished = run({ phase: 'Succeeded', finishedAt: ['03:04', '03:05'] });
  const { edges } = await importTwiceAndIngest(base, [...base, job('report-29013300'), finished], [
    syn(`${RUN}:45000`, `${DB}:5432`, '03:01'),
    syn(`${RUN}:45001`, `${DB}:5432`, '03:04:30'),
    // After its last container finished the pod holds no IP: this is nobody the inventory knows.
    syn(`${RUN}:45002`, `${DB}:5432`, '03:06'),
  ]);
  assert.deepEqual(edges, [
    `unknown:${RUN} -> workload:db/Deployment/db:5432 x1`,
    'workload:batch/CronJob/report -> workload:db/Deployment/db:5432 x2',
  ]);
});

test('a finished pod never displaces the running pod that holds its IP after it, whatever that one\'s startTime (set before its IP came)', async () => {
  const finished = run({ phase: 'Succeeded', finishedAt: ['03:05'] });
  // api's startTime precedes the run's end: the kubelet acknowledged it before its sandbox got the IP.
  const api = [
    ...deployment('batch', 'api', '6b7c8d9f4b', [8080]),
    pod({ namespace: 'batch', name: 'api-6b7c8d9f4b-zxcvb', ip: RUN, node: 'node-a', start: '02:50', owner: { kind: 'ReplicaSet', name: 'api-6b7c8d9f4b' }, labels: { app: 'api', 'pod-template-hash': '6b7c8d9f4b' }, ports: [8080] }),
  ];
  const { edges } = await importTwiceAndIngest(base, [...base, job('report-29013300'), finished, ...api], [
    syn(`${RUN}:45000`, `${DB}:5432`, '03:01'),
    syn(`${RUN}:45001`, `${DB}:5432`, '06:00'),
    syn(`${RUN}:45002`, `${DB}:5432`, '13:00'),
  ]);
  assert.deepEqual(edges, [
    'workload:batch/CronJob/report -> workload:db/Deployment/db:5432 x1',
    'workload:batch/Deployment/api -> workload:db/Deployment/db:5432 x2',
  ]);
});

test('a run the first import saw running and the second lists finished held its IP until it finished, not until the second import', async () => {
  const running = run({ start: '2025-03-01T23:55:00Z' });
  const finished = run({ start: '2025-03-01T23:55:00Z', phase: 'Succeeded', finishedAt: ['00:10'] });
  const { edges } = await importTwiceAndIngest([...base, job('report-29013300'), running], [...base, job('report-29013300'), finished], [
    syn(`${RUN}:45000`, `${DB}:5432`, '00:05'),
    syn(`${RUN}:45001`, `${DB}:5432`, '06:00'),
  ]);
  assert.deepEqual(edges, [
    `unknown:${RUN} -> workload:db/Deployment/db:5432 x1`,
    'workload:batch/CronJob/report -> workload:db/Deployment/db:5432 x1',
  ]);
});

/**
 * A pod the pod garbage collector failed (its node gone) keeps the container states it last had,
 * running, with no finishedAt: PodGC sets phase Failed and adds the DisruptionTarget condition
 * (reason DeletionByPodGC, lastTransitionTime now) and nothing else (kubernetes
 * pkg/controller/podgc gc_controller.go gcOrphaned, markFailedAndDeletePodWithCondition; Pod
 * Disruption Conditions, kubernetes.io "Pod Lifecycle"). Its conditions' latest transition is when
 * it was seen finished: it held its IP until then at the latest.
 */
const failedByPodGc = (start: string, marked: string) => {
  const p = run({ start, phase: 'Failed' }) as { status: Record<string, unknown> };
  p.status.containerStatuses = [{ name: 'c0', ready: true, restartCount: 0, image: 'x', imageID: 'x', state: { running: { startedAt: iso(start) } } }];
  p.status.conditions = [
    { type: 'Ready', status: 'True', lastTransitionTime: iso(start) },
    { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: iso(marked) },
  ];
  return p;
};

test('a finished pod whose containers say nothing of their end, never seen running: its flows are its CronJob\'s until its conditions\' last transition, nobody\'s after', async () => {
  const { edges } = await importTwiceAndIngest(base, [...base, job('report-29013300'), failedByPodGc('03:00', '03:10')], [
    syn(`${RUN}:45000`, `${DB}:5432`, '03:05'),
    syn(`${RUN}:45001`, `${DB}:5432`, '06:00'),
  ]);
  assert.deepEqual(edges, [
    `unknown:${RUN} -> workload:db/Deployment/db:5432 x1`,
    'workload:batch/CronJob/report -> workload:db/Deployment/db:5432 x1',
  ]);
});

test('a pod seen running, then listed failed with no container end: it held its IP until its conditions\' last transition, not until the import that saw it failed', async () => {
  const running = run({ start: '2025-03-01T23:55:00Z' });
  const { edges } = await importTwiceAndIngest([...base, job('report-29013300'), running], [...base, job('report-29013300'), failedByPodGc('2025-03-01T23:55:00Z', '00:10')], [
    syn(`${RUN}:45000`, `${DB}:5432`, '00:05'),
    syn(`${RUN}:45001`, `${DB}:5432`, '06:00'),
  ]);
  assert.deepEqual(edges, [
    `unknown:${RUN} -> workload:db/Deployment/db:5432 x1`,
    'workload:batch/CronJob/report -> workload:db/Deployment/db:5432 x1',
  ]);
});

test('a finished pod that says nothing of its end, in its containers or its conditions, is not recorded: when it let its IP go is not known', async () => {
  const bare = run({ start: '03:00', phase: 'Failed' }) as { status: Record<string, unknown> };
  const { edges } = await importTwiceAndIngest(base, [...base, job('report-29013300'), bare], [syn(`${RUN}:45000`, `${DB}:5432`, '03:05')]);
  assert.deepEqual(edges, [`unknown:${RUN} -> workload:db/Deployment/db:5432 x1`]);
});
