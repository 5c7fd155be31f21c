import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { main } from '../../cli/main.ts';
import { convertInventoryText, parseInventoryText } from '../../collectors/inventory/index.ts';
import type { Db } from '../../store/db.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { applySnapshot, getWorkload, listWorkloads, readIntervals, readInventory, readResolutionData, SnapshotOrderError } from '../../store/inventory.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const FIXTURES = new URL('../fixtures/inventory/', import.meta.url).pathname;
const CLUSTER = join(FIXTURES, 'cluster.json');
const LATER = join(FIXTURES, 'later-pods.yaml');
const T1 = Date.parse('2025-03-02T12:00:00Z');
const T2 = Date.parse('2025-03-03T12:00:00Z');
const ms = (iso: string) => Date.parse(iso);

function dump(db: Db): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]));
}

function importFile(db: Db, file: string, takenAt: number) {
  const converted = convertInventoryText(readFileSync(file, 'utf8'), takenAt);
  return { converted, result: applySnapshot(db, converted.snapshot, { source: file, counts: converted.objects }) };
}

async function cli(args: string[], stdin = '') {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...args], { out: (s) => void (out += s), err: (s) => void (err += s), stdin: Readable.from([stdin]) });
  return { code, out, err };
}

test('a snapshot round-trips through the store', () => {
  const { db } = tmpDb();
  const { converted, result } = importFile(db, CLUSTER, T1);
  const s = converted.snapshot;
  assert.deepEqual(result.workloads, { inSnapshot: 8, added: 8, markedAbsent: 0 });
  assert.deepEqual(result.ipIntervals, { opened: 10, closed: 0 });
  const inv = readInventory(db);
  assert.equal(inv.takenAt, T1);
  assert.deepEqual(inv.workloads, s.workloads);
  assert.deepEqual(inv.services, s.services);
  assert.equal(inv.services.find((svc) => svc.name === 'web')?.createdAt, ms('2025-03-01T08:00:00Z'), 'creationTimestamp: from when the Service holds its ClusterIP');
  assert.deepEqual(inv.endpointSlices, s.endpointSlices);
  assert.deepEqual(inv.policies, s.policies);
  assert.deepEqual(inv.namespaces, s.namespaces);
  assert.deepEqual(inv.apiserver, [{ ip: '192.168.22.31', port: 6443, protocol: 'TCP' }]);
  assert.deepEqual(inv.podAddresses, s.podAddresses);
  assert.deepEqual(
    inv.nodes.map((n) => n.name),
    ['node-a', 'node-b'],
  );
});

test('resolution data: DNS workloads, owner aliases, host-network intervals', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const r = readResolutionData(db);
  assert.deepEqual(r.dnsWorkloads, ['kube-system/Deployment/coredns']);
  assert.deepEqual(r.apiserver, [{ ip: '192.168.22.31', port: 6443, protocol: 'TCP' }]);
  assert.deepEqual(r.ownerAliases.find((a) => a.kind === 'ReplicaSet' && a.name === 'coredns-7c65d6cfc9')?.workload, { namespace: 'kube-system', kind: 'Deployment', name: 'coredns' });
  assert.deepEqual(r.ownerAliases.find((a) => a.kind === 'Job')?.workload, { namespace: 'batch-jobs', kind: 'CronJob', name: 'report' });
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.5'),
    [{ ip: '10.244.0.5', peerKey: 'dns:kube-system/Deployment/coredns', node: 'node-a', hostNetwork: false, validFrom: ms('2025-03-01T08:01:00Z') }],
  );
  // The node IP resolves to the node; the host-network pod sharing it is marked, for matching by port.
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.0.1.10'),
    [
      { ip: '10.0.1.10', peerKey: 'node:node-a', node: 'node-a', hostNetwork: false, validFrom: ms('2025-02-01T00:00:00Z') },
      { ip: '10.0.1.10', peerKey: 'workload:monitoring/DaemonSet/node-exporter', node: 'node-a', hostNetwork: true, validFrom: ms('2025-03-01T08:02:00Z') },
    ],
  );
  assert.equal(r.workloads.length, 8);
  assert.equal(readIntervals(db).some((i) => i.ip === '10.244.0.30'), false, 'a finished pod holds no IP');
});

test('IP reuse: one IP, two pods, two time ranges', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const { result } = importFile(db, LATER, T2);
  // debug's IP went to the new api pod; db-migrate finished and let its IP go.
  assert.deepEqual(result.ipIntervals, { opened: 1, closed: 2 });
  const r = readResolutionData(db);
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.1.20'),
    [
      { ip: '10.244.1.20', peerKey: 'workload:shop/Pod/debug', node: 'node-b', hostNetwork: false, validFrom: ms('2025-03-02T10:00:00Z'), validTo: ms('2025-03-03T09:00:00Z') },
      { ip: '10.244.1.20', peerKey: 'workload:shop/Deployment/api', node: 'node-b', hostNetwork: false, validFrom: ms('2025-03-03T09:00:00Z') },
    ],
  );
  // No new holder: closed at the snapshot time.
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.0.31').map((i) => [i.peerKey, i.validTo]),
    [['workload:batch-jobs/Job/db-migrate', T2]],
  );
  assert.deepEqual(r.ownerAliases.find((a) => a.kind === 'ReplicaSet' && a.name === 'api-5f9c7b8d6')?.workload, { namespace: 'shop', kind: 'Deployment', name: 'api' });
});

test('snapshot semantics: kinds in the import replace, others stay; gone workloads are marked, not deleted', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const { result } = importFile(db, LATER, T2);
  assert.deepEqual(result.replaced, ['podAddresses']);
  assert.deepEqual(result.workloads, { inSnapshot: 6, added: 1, markedAbsent: 1 });
  // Only Pods were imported: the bare pod is gone, the Deployment scaled to 0 is still known.
  assert.equal(getWorkload(db, { namespace: 'shop', kind: 'Pod', name: 'debug' })?.present, false);
  assert.equal(getWorkload(db, { namespace: 'shop', kind: 'Deployment', name: 'checkout' })?.present, true);
  const api = getWorkload(db, { namespace: 'shop', kind: 'Deployment', name: 'api' });
  assert.deepEqual([api?.firstSeen, api?.lastSeen, api?.present], [T2, T2, true]);
  assert.deepEqual(listWorkloads(db, { namespace: 'shop' }).map((w) => w.name), ['api', 'checkout', 'web', 'db']);
  assert.deepEqual(listWorkloads(db, { namespace: 'shop', includeAbsent: true }).map((w) => w.name), ['api', 'checkout', 'web', 'debug', 'db']);
  assert.deepEqual(listWorkloads(db, { name: 'web' }).map((w) => `${w.namespace}/${w.kind}/${w.name}`), ['shop/Deployment/web']);
  const inv = readInventory(db);
  assert.equal(inv.services.length, 7, 'Services were not in the second import: kept');
  assert.equal(inv.policies.length, 3);
  assert.equal(inv.workloads.some((w) => w.name === 'debug'), false);
  // Old flows still resolve to it: read by key when one names it, not with the present workloads each ingest indexes.
  const resolution = readResolutionData(db);
  assert.equal(resolution.workloads.some((w) => w.name === 'debug'), false);
  assert.equal(resolution.gone?.workload({ namespace: 'shop', kind: 'Pod', name: 'debug' })?.name, 'debug');
  assert.equal(getWorkload(db, { namespace: 'x', kind: 'Pod', name: 'nope' }), undefined);
});

test('CLI: a file holding one Namespace replaces all the Namespaces: the import says what went (stdout summary and stderr)', async () => {
  const { path } = tmpDb();
  assert.equal((await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', '2025-03-02T12:00:00Z'])).code, 0);
  const one = join(tmpDir(), 'ns.yaml');
  writeFileSync(one, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: newns}\n');
  const r = await cli(['inventory', 'import', one, '--db', path, '--taken-at', '2025-03-02T13:00:00Z']);
  assert.equal(r.code, 0, r.err);
  const said = /^namespaces: 5 stored before, 1 now — an import replaces every kind it holds, so the namespaces it does not list are gone; import a complete export of that kind if that was not meant$/;
  assert.ok((JSON.parse(r.out) as { warnings: string[] }).warnings.some((w) => said.test(w)), r.out);
  assert.match(r.err, /^warning: namespaces: 5 stored before, 1 now/m);
  // The same cluster again: nothing shrinks, nothing said.
  const again = await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', '2025-03-02T14:00:00Z']);
  assert.deepEqual((JSON.parse(again.out) as { warnings: string[] }).warnings.filter((w) => /stored before/.test(w)), []);
});

test('CLI: a pod export of one namespace replaces all the pods: the import says how many went (their addresses are closed), as for the other kinds', async () => {
  const { path } = tmpDb();
  assert.equal((await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', '2025-03-02T12:00:00Z'])).code, 0);
  const cluster = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { namespace?: string; name: string } }[] };
  const pods = cluster.items.filter((o) => o.kind === 'Pod');
  const shopPods = pods.filter((o) => o.metadata.namespace === 'shop');
  assert.ok(shopPods.length > 0 && shopPods.length < pods.length, 'the premise: pods in several namespaces');
  const one = join(tmpDir(), 'shop-pods.json');
  writeFileSync(one, JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: shopPods }));
  const r = await cli(['inventory', 'import', one, '--db', path, '--taken-at', '2025-03-02T13:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^warning: pods: \d+ stored before, \d+ now — an import replaces every kind it holds, so the pods it does not list are gone/m);
});

test('re-importing the same cluster changes no interval', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const before = readIntervals(db);
  const { result } = importFile(db, CLUSTER, T2);
  assert.deepEqual(result.ipIntervals, { opened: 0, closed: 0 });
  assert.deepEqual(result.workloads, { inSnapshot: 8, added: 0, markedAbsent: 0 });
  assert.deepEqual(readIntervals(db), before);
});

test('a snapshot older than the last import is refused and changes nothing', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T2);
  const before = dump(db);
  assert.throws(() => importFile(db, LATER, T1), SnapshotOrderError);
  assert.equal(dump(db), before);
});

test('an import that holds nothing to store (only ignored kinds, an empty list) records no import: a later backfill of an older snapshot is still taken', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const before = dump(db);
  for (const text of ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\ndata: {a: b}\n', '{"apiVersion": "v1", "kind": "List", "items": []}']) {
    const { snapshot } = convertInventoryText(text, T2 + 60_000);
    assert.equal(applySnapshot(db, snapshot, { source: 'nothing' }).importId, undefined);
    assert.equal(dump(db), before, text);
  }
  importFile(db, LATER, T2);
  assert.equal(readInventory(db).takenAt, T2);
});

test('a failure in the middle of a write rolls the whole snapshot back', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const before = dump(db);
  const { snapshot } = convertInventoryText(readFileSync(CLUSTER, 'utf8'), T2);
  // The same pod address twice violates the primary key after namespaces, nodes and workloads were written.
  const broken = { ...snapshot, workloads: [...snapshot.workloads, { ...snapshot.workloads[0]!, name: 'new-one' }], podAddresses: [...snapshot.podAddresses, snapshot.podAddresses[0]!] };
  assert.throws(() => applySnapshot(db, broken, { source: 'test' }), /UNIQUE constraint failed: pod_addresses/);
  assert.equal(dump(db), before);
});

test('CLI: inventory import of a JSON file, then a YAML List on stdin', async () => {
  const { path } = tmpDb();
  const first = await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', '2025-03-02T12:00:00Z']);
  assert.equal(first.code, 0, first.err);
  const summary = JSON.parse(first.out);
  assert.equal(summary.takenAt, '2025-03-02T12:00:00.000Z');
  assert.equal(summary.objects.Pod, 9);
  assert.deepEqual(summary.ignored, { ConfigMap: 1 });
  assert.deepEqual(summary.workloads, { inSnapshot: 8, added: 8, markedAbsent: 0, clusterDns: ['kube-system/Deployment/coredns'] });
  assert.deepEqual(summary.ipIntervals, { opened: 10, closed: 0 });
  assert.deepEqual(summary.apiserver, ['192.168.22.31:6443/TCP']);
  const second = await cli(['inventory', 'import', '-', '--db', path, '--taken-at', '2025-03-03T12:00:00Z'], readFileSync(LATER, 'utf8'));
  assert.equal(second.code, 0, second.err);
  assert.deepEqual(JSON.parse(second.out).ipIntervals, { opened: 1, closed: 2 });
  assert.equal(JSON.parse(second.out).source, 'stdin');
});

test('CLI: a broken object is refused whole, naming the object and field; the database is unchanged', async () => {
  const { db, path } = tmpDb();
  importFile(db, CLUSTER, T1);
  const before = dump(db);
  const list = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { name?: string; namespace?: string } }[] };
  const i = list.items.findIndex((o) => o.kind === 'Pod' && o.metadata.name === 'db-0');
  delete list.items[i]!.metadata.namespace;
  const bad = join(tmpDir(), 'bad.json');
  writeFileSync(bad, JSON.stringify(list));
  const r = await cli(['inventory', 'import', bad, '--db', path, '--taken-at', '2025-03-03T12:00:00Z']);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.equal(r.err, `flowmatrix: ${bad}: items[${i}] Pod: metadata.namespace: expected a non-empty string, got missing; nothing was imported\n`);
  assert.equal(dump(db), before);
  const time = await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', 'tomorrow']);
  assert.equal(time.code, 1);
  assert.match(time.err, /--taken-at: "tomorrow" is not an RFC 3339 time with its zone/);
  // A snapshot from the future would make every later import look older (and prune the owner aliases by age).
  const future = await cli(['inventory', 'import', CLUSTER, '--db', path, '--taken-at', '2999-01-01T00:00:00Z']);
  assert.equal(future.code, 1);
  assert.match(future.err, /: takenAt 2999-01-01T00:00:00.000Z is later than now \(.*\) plus 15 minutes of clock skew: .*nothing was imported\n$/);
  assert.equal(dump(db), before);
  const missing = await cli(['inventory', 'import', join(FIXTURES, 'nope.json'), '--db', path]);
  assert.match(missing.err, /cannot read .*nope\.json: ENOENT/);
});

test('two running pods that swap IPs (sandboxes recreated, same pods, same startTime): each holds its old IP until the snapshot that shows the move', () => {
  const pod = (name: string, ip: string, start: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'lab', labels: { app: name }, creationTimestamp: start },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: start },
  });
  const snapshot = (a: string, b: string, at: number) => convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('a', a, '2026-12-04T10:00:00Z'), pod('b', b, '2026-12-04T11:00:00Z')] }), at).snapshot;
  const { db } = tmpDb();
  applySnapshot(db, snapshot('10.244.9.70', '10.244.9.71', ms('2026-12-04T11:30:00Z')), { source: 'one' });
  applySnapshot(db, snapshot('10.244.9.71', '10.244.9.70', ms('2026-12-04T12:02:00Z')), { source: 'two' });
  const holder = (ip: string, at: string) => readIntervals(db).find((i) => i.ip === ip && i.validFrom <= ms(at) && (i.validTo === undefined || ms(at) < i.validTo))?.peerKey;
  assert.equal(holder('10.244.9.71', '2026-12-04T11:45:00Z'), 'workload:lab/Pod/b');
  assert.equal(holder('10.244.9.70', '2026-12-04T11:45:00Z'), 'workload:lab/Pod/a');
  assert.equal(holder('10.244.9.71', '2026-12-04T12:05:00Z'), 'workload:lab/Pod/a');
  assert.equal(holder('10.244.9.70', '2026-12-04T12:05:00Z'), 'workload:lab/Pod/b');
  // A new pod on a freed IP still holds it from its start (the reuse case).
  applySnapshot(db, convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('a', '10.244.9.71', '2026-12-04T10:00:00Z'), pod('c', '10.244.9.70', '2026-12-04T12:10:00Z')] }), ms('2026-12-04T12:30:00Z')).snapshot, { source: 'three' });
  assert.equal(holder('10.244.9.70', '2026-12-04T12:20:00Z'), 'workload:lab/Pod/c');
  assert.equal(holder('10.244.9.70', '2026-12-04T12:05:00Z'), 'workload:lab/Pod/b');
});

test('a pod that started before the last snapshot but got its IP after it (Pending there, no IP) holds a reused IP only from that snapshot: the holder it showed keeps it until then', () => {
  // status.startTime is "acknowledged by the Kubelet ... before the Kubelet pulled the container
  // image(s)" (core/v1 PodStatus): the sandbox and its IP come later. The 12:00 snapshot shows
  // alpha on the IP and beta Pending with none; the 13:00 one shows beta on it, started 11:59.
  const pod = (name: string, ip: string | undefined, start: string, phase = 'Running') => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'lab', labels: { app: name }, creationTimestamp: start },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase, ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), startTime: start },
  });
  const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const { db } = tmpDb();
  applySnapshot(db, convertInventoryText(list(pod('alpha', '10.244.9.50', '2025-03-02T10:00:00Z'), pod('beta', undefined, '2025-03-02T11:59:00Z', 'Pending')), ms('2025-03-02T12:00:00Z')).snapshot, { source: 'one' });
  applySnapshot(db, convertInventoryText(list(pod('beta', '10.244.9.50', '2025-03-02T11:59:00Z')), ms('2025-03-02T13:00:00Z')).snapshot, { source: 'two' });
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.9.50').map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [
      ['workload:lab/Pod/alpha', ms('2025-03-02T10:00:00Z'), ms('2025-03-02T12:00:00Z')],
      ['workload:lab/Pod/beta', ms('2025-03-02T12:00:00Z'), undefined],
    ],
  );
  const index = new ResolutionIndex(readResolutionData(db));
  const server = (at: string) => index.resolve({ ip: '10.244.9.50', port: 8080 }, ms(at)).map((s) => s.key);
  assert.deepEqual(server('2025-03-02T11:59:30Z'), ['workload:lab/Pod/alpha']);
  assert.deepEqual(server('2025-03-02T11:59:59Z'), ['workload:lab/Pod/alpha']);
  assert.deepEqual(server('2025-03-02T12:30:00Z'), ['workload:lab/Pod/beta']);
});

test('a pod recreated under the same name (a StatefulSet pod: new uid, new startTime) on another pod\'s freed IP holds it from its own start, as a pod of another name does: the gone pod\'s IP is not credited to it up to the snapshot', () => {
  // metadata.uid is "unique in time and space" (apimachinery meta/v1 ObjectMeta): the StatefulSet
  // controller recreates db-0 under its name, a new pod. Only the same pod (same uid; from a store
  // that kept none, the same startTime) that shows another IP has moved and holds it from the snapshot.
  const pod = (name: string, ip: string, start: string, uid?: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'lab', ...(uid ? { uid } : {}), labels: { app: name.replace(/-\d+$/, '') }, creationTimestamp: start, ...(name === 'db-0' ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-db', controller: true }] } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: start },
  });
  const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const history = (db: Db, ip: string) => readIntervals(db).filter((i) => i.ip === ip).map((i) => [i.peerKey, i.validFrom, i.validTo]);
  for (const firstUid of ['db-0-v1', undefined]) {
    const { db } = tmpDb();
    // 10:00: db-0 on .30, evil on .40. 12:00: db-0 recreated at 11:00 on .40, evil gone.
    applySnapshot(db, convertInventoryText(list(pod('db-0', '10.244.9.30', '2026-01-01T09:00:00Z', firstUid), pod('evil', '10.244.9.40', '2026-01-01T09:00:00Z', 'evil-v1')), ms('2026-01-01T10:00:00Z')).snapshot, { source: 'one' });
    applySnapshot(db, convertInventoryText(list(pod('db-0', '10.244.9.40', '2026-01-01T11:00:00Z', 'db-0-v2')), ms('2026-01-01T12:00:00Z')).snapshot, { source: 'two' });
    const why = firstUid ? 'another uid' : 'no uid stored: another startTime';
    assert.deepEqual(
      history(db, '10.244.9.40'),
      [
        ['workload:lab/Pod/evil', ms('2026-01-01T09:00:00Z'), ms('2026-01-01T11:00:00Z')],
        ['workload:lab/StatefulSet/db', ms('2026-01-01T11:00:00Z'), undefined],
      ],
      why,
    );
    const index = new ResolutionIndex(readResolutionData(db));
    assert.deepEqual(index.resolve({ ip: '10.244.9.40', port: 40000 }, ms('2026-01-01T11:30:00Z')).map((s) => s.key), ['workload:lab/StatefulSet/db'], why);
    assert.deepEqual(index.resolve({ ip: '10.244.9.40', port: 40000 }, ms('2026-01-01T10:30:00Z')).map((s) => s.key), ['workload:lab/Pod/evil'], why);
  }
  // The same pod (same uid) on another IP has moved: it holds the new one from the snapshot that shows it.
  const { db } = tmpDb();
  applySnapshot(db, convertInventoryText(list(pod('db-0', '10.244.9.30', '2026-01-01T09:00:00Z', 'db-0-v1'), pod('evil', '10.244.9.40', '2026-01-01T09:00:00Z', 'evil-v1')), ms('2026-01-01T10:00:00Z')).snapshot, { source: 'one' });
  applySnapshot(db, convertInventoryText(list(pod('db-0', '10.244.9.40', '2026-01-01T09:00:00Z', 'db-0-v1')), ms('2026-01-01T12:00:00Z')).snapshot, { source: 'two' });
  assert.deepEqual(history(db, '10.244.9.40'), [
    ['workload:lab/Pod/evil', ms('2026-01-01T09:00:00Z'), ms('2026-01-01T12:00:00Z')],
    ['workload:lab/StatefulSet/db', ms('2026-01-01T12:00:00Z'), undefined],
  ]);
});

test('a pod an import listed Pending with no IP did not hold an IP before that import: a release of its later IP is not moved back before it (core/v1 PodStatus.podIP: "Empty if not yet allocated")', () => {
  // 10:00: client on .20. 12:00: client gone, evil Pending with no IP (started 11:00). 14:00: evil on .20.
  const pod = (name: string, ip: string | undefined, start: string, phase = 'Running') => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'lab', uid: `${name}-uid`, labels: { app: name }, creationTimestamp: start },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase, ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), startTime: start },
  });
  const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const { db } = tmpDb();
  applySnapshot(db, convertInventoryText(list(pod('client', '10.244.9.20', '2026-01-01T09:00:00Z')), ms('2026-01-01T10:00:00Z')).snapshot, { source: 'one' });
  applySnapshot(db, convertInventoryText(list(pod('evil', undefined, '2026-01-01T11:00:00Z', 'Pending')), ms('2026-01-01T12:00:00Z')).snapshot, { source: 'two' });
  applySnapshot(db, convertInventoryText(list(pod('evil', '10.244.9.20', '2026-01-01T11:00:00Z')), ms('2026-01-01T14:00:00Z')).snapshot, { source: 'three' });
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.244.9.20').map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [
      ['workload:lab/Pod/client', ms('2026-01-01T09:00:00Z'), ms('2026-01-01T12:00:00Z')],
      ['workload:lab/Pod/evil', ms('2026-01-01T12:00:00Z'), undefined],
    ],
  );
  const index = new ResolutionIndex(readResolutionData(db));
  assert.deepEqual(index.resolve({ ip: '10.244.9.20', port: 40000 }, ms('2026-01-01T11:30:00Z')).map((s) => s.key), ['workload:lab/Pod/client']);
});

test('a new Node on a gone pod\'s IP holds it from the node\'s creation, as a pod on a former node IP does from its start: the pod\'s release moves back there', () => {
  // 10:00: client on 10.0.0.50. 12:00: client gone; n3, created 11:00, has InternalIP 10.0.0.50.
  const node = (name: string, ip: string, created: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `${name}-uid`, creationTimestamp: created }, spec: {}, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  const pod = (name: string, ip: string, start: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'lab', uid: `${name}-uid`, labels: { app: name }, creationTimestamp: start },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: start },
  });
  const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const { db } = tmpDb();
  applySnapshot(db, convertInventoryText(list(node('n1', '10.0.0.11', '2025-12-01T00:00:00Z'), pod('client', '10.0.0.50', '2026-01-01T09:00:00Z'), pod('web', '10.244.9.10', '2026-01-01T09:00:00Z')), ms('2026-01-01T10:00:00Z')).snapshot, { source: 'one' });
  applySnapshot(db, convertInventoryText(list(node('n1', '10.0.0.11', '2025-12-01T00:00:00Z'), node('n3', '10.0.0.50', '2026-01-01T11:00:00Z'), pod('web', '10.244.9.10', '2026-01-01T09:00:00Z')), ms('2026-01-01T12:00:00Z')).snapshot, { source: 'two' });
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === '10.0.0.50').map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [
      ['workload:lab/Pod/client', ms('2026-01-01T09:00:00Z'), ms('2026-01-01T11:00:00Z')],
      ['node:n3', ms('2026-01-01T11:00:00Z'), undefined],
    ],
  );
  const index = new ResolutionIndex(readResolutionData(db));
  assert.deepEqual(index.resolve({ ip: '10.0.0.50', port: 40000 }, ms('2026-01-01T11:30:00Z')).map((s) => s.key), ['node:n3']);
  assert.deepEqual(index.resolve({ ip: '10.0.0.50', port: 40000 }, ms('2026-01-01T10:30:00Z')).map((s) => s.key), ['workload:lab/Pod/client']);
});

test('a node whose address changed (same node, same creationTimestamp) holds the new address from the snapshot that shows it, not from its creation: a late flow from that address before then is not the node\'s', () => {
  const node = (ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { podCIDRs: ['10.244.0.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  const snapshot = (ip: string, at: number) => convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [node(ip)] }), at).snapshot;
  const { db } = tmpDb();
  applySnapshot(db, snapshot('10.0.0.2', ms('2026-12-04T11:00:00Z')), { source: 'one' });
  applySnapshot(db, snapshot('10.0.0.22', ms('2026-12-04T12:00:00Z')), { source: 'two' });
  const holder = (ip: string, at: string) => readIntervals(db).find((i) => i.ip === ip && i.validFrom <= ms(at) && (i.validTo === undefined || ms(at) < i.validTo))?.peerKey;
  assert.equal(holder('10.0.0.2', '2026-12-04T11:30:00Z'), 'node:n1');
  assert.equal(holder('10.0.0.22', '2026-12-04T11:30:00Z'), undefined, 'not yet the node\'s');
  assert.equal(holder('10.0.0.22', '2026-12-04T12:05:00Z'), 'node:n1');
  assert.equal(holder('10.0.0.2', '2026-12-04T12:05:00Z'), undefined);
  // The first snapshot of a node dates its addresses from its creation.
  assert.equal(readIntervals(db).find((i) => i.ip === '10.0.0.2')?.validFrom, ms('2025-01-01T00:00:00Z'));
  // Flow resolution follows the history: the new address before the change is nobody known (an
  // address the history knows at another time: unknown), not today's node; the old one then is the node.
  const index = new ResolutionIndex(readResolutionData(db));
  assert.deepEqual(index.resolve({ ip: '10.0.0.22', port: 40000 }, ms('2026-12-04T11:30:00Z')).map((s) => s.key), ['unknown:10.0.0.22']);
  assert.deepEqual(index.resolve({ ip: '10.0.0.22', port: 40000, meta: { kind: 'reserved', identities: ['remote-node'] } }, ms('2026-12-04T11:30:00Z')).map((s) => s.key), ['unknown:10.0.0.22']);
  assert.deepEqual(index.resolve({ ip: '10.0.0.2', port: 40000 }, ms('2026-12-04T11:30:00Z')).map((s) => s.key), ['node:n1']);
  assert.deepEqual(index.resolve({ ip: '10.0.0.22', port: 40000 }, ms('2026-12-04T12:05:00Z')).map((s) => s.key), ['node:n1']);
});

test('a pods-only refresh (kubectl get pods | inventory import -) resolves a pod of a Job or ReplicaSet it does not hold as the earlier import did: the CronJob, the Deployment', () => {
  const { db } = tmpDb();
  importFile(db, CLUSTER, T1);
  const all = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } }[] };
  const pods = all.items.filter((o) => o.kind === 'Pod');
  const report = pods.find((p) => p.metadata.ownerReferences?.[0]?.kind === 'Job' && p.metadata.name.startsWith('report-'))!;
  assert.ok(report, 'the premise: a pod of the Job of a CronJob');
  const refresh = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }), T2, { alias: (ns, kind, name) => readResolutionData(db).ownerAliases.find((a) => a.namespace === ns && a.kind === kind && a.name === name)?.workload });
  const kinds = new Set(refresh.snapshot.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`));
  assert.ok(kinds.has('batch-jobs/CronJob/report'), [...kinds].join(', '));
  assert.ok(![...kinds].some((k) => k.startsWith('batch-jobs/Job/report-')), 'no workload per CronJob run');
  assert.ok(kinds.has('shop/Deployment/web'), 'ReplicaSet pods: the Deployment');
});

test('a pods-only refresh with the pod of a new CronJob run whose Job was never imported: the stored CronJob\'s run, not a workload per run (kubernetes pkg/controller/cronjob getJobName)', () => {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(CLUSTER, 'utf8'), takenAt: T1, source: 'full' });
  const all = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] };
  const pods = all.items.filter((o) => o.kind === 'Pod');
  // The next run's pod, its Job report-28995090 never imported (and <cronjob>-<digits> not a Job another import aliased).
  const earlier = pods.find((p) => p.metadata.name === 'report-28995030-kx2lp')!;
  const run = JSON.parse(JSON.stringify(earlier).replaceAll('report-28995030', 'report-28995090').replaceAll('10.244.0.30', '10.244.0.32').replace('"Succeeded"', '"Running"')) as typeof earlier;
  const summary = importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...pods, run] }), takenAt: T2, source: 'pods' });
  assert.equal(summary.workloads.added, 0, 'no workload per CronJob run');
  assert.deepEqual(
    listWorkloads(db, { namespace: 'batch-jobs' }).map((w) => `${w.kind}/${w.name}`),
    ['CronJob/report', 'Job/db-migrate'],
  );
  assert.deepEqual(readIntervals(db).filter((i) => i.ip === '10.244.0.32').map((i) => i.peerKey), ['workload:batch-jobs/CronJob/report']);
});

test('an import that holds the CronJobs does not take a run for a stored CronJob it no longer lists (the CronJob was deleted)', () => {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(CLUSTER, 'utf8'), takenAt: T1, source: 'full' });
  const all = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { name: string } }[] };
  const earlier = all.items.find((o) => o.metadata.name === 'report-28995030-kx2lp')!;
  const run = JSON.parse(JSON.stringify(earlier).replaceAll('report-28995030', 'report-28995090').replaceAll('10.244.0.30', '10.244.0.32')) as typeof earlier;
  // A watcher's write: it listed the CronJobs and Jobs and found none.
  const objects = parseInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...all.items.filter((o) => o.kind !== 'CronJob' && o.kind !== 'Job'), run] }));
  importInventoryObjects(db, { objects, takenAt: T2, source: 'watch', scope: ['CronJob.batch', 'Job.batch'] });
  assert.deepEqual(
    listWorkloads(db, { namespace: 'batch-jobs' }).map((w) => `${w.kind}/${w.name}`),
    ['Job/db-migrate', 'Job/report-28995030', 'Job/report-28995090'],
  );
});

test('the same through the CLI: `kubectl get pods -A -o yaml | flowmatrix inventory import -` adds no workload per CronJob run', async () => {
  const dir = tmpDir();
  const dbPath = join(dir, 'f.db');
  assert.equal((await cli(['inventory', 'import', CLUSTER, '--taken-at', new Date(T1).toISOString(), '--db', dbPath])).code, 0);
  const all = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string }[] };
  const r = await cli(['inventory', 'import', '-', '--taken-at', new Date(T2).toISOString(), '--db', dbPath], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: all.items.filter((o) => o.kind === 'Pod') }));
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { workloads: { added: number } }).workloads.added, 0);
});
