/**
 * domain/ip-history.ts: the interval logic (open, close, lookup by time; a new owner of an IP
 * starts a new interval), in memory, through flow resolution, and the same answers from the store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolutionIndex, EMPTY_RESOLUTION } from '../../collectors/flows/resolve.ts';
import type { InventorySnapshot, PodAddress, Workload } from '../../domain/inventory.ts';
import { IpHistory, podClaims, reconcileClaims, type IpClaim, type IpInterval } from '../../domain/ip-history.ts';
import type { WorkloadRef } from '../../domain/peer.ts';
import { applySnapshot, readIntervals } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const IP = '10.244.1.7';
const WEB = 'workload:shop/Deployment/web';
const API = 'workload:shop/Deployment/api';
const claim = (peerKey: string, since?: number, extra: Partial<IpClaim> = {}): IpClaim => ({ ip: IP, peerKey, hostNetwork: false, ...(since !== undefined ? { since } : {}), ...extra });

/** Pod web holds the IP from t=1000; it is deleted at t=50,000 and pod api takes the IP 2 s later. */
const DELETED = 50_000;
const REUSED = DELETED + 2_000;

function reuseHistory(): IpHistory {
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  h.apply('pods', [claim(API, REUSED)], 60_000);
  return h;
}

test('a new owner starts a new interval; the old one ends where the new one starts', () => {
  const h = new IpHistory();
  const first = h.apply('pods', [claim(WEB, 1_000)], 10_000);
  assert.deepEqual(first, { close: [], open: [{ ip: IP, peerKey: WEB, hostNetwork: false, validFrom: 1_000 }], moveBack: [] });
  // The same claim in the next snapshot changes nothing.
  assert.deepEqual(h.apply('pods', [claim(WEB, 1_000)], 20_000), { close: [], open: [], moveBack: [] });
  const second = h.apply('pods', [claim(API, REUSED)], 60_000);
  assert.deepEqual(second.close.map((c) => [c.interval.peerKey, c.validTo]), [[WEB, REUSED]]);
  assert.deepEqual(second.open, [{ ip: IP, peerKey: API, hostNetwork: false, validFrom: REUSED }]);
  assert.deepEqual(h.intervals(IP), [
    { ip: IP, peerKey: WEB, hostNetwork: false, validFrom: 1_000, validTo: REUSED },
    { ip: IP, peerKey: API, hostNetwork: false, validFrom: REUSED },
  ]);
});

test('pod deleted, another pod takes its IP 2 s later: lookups before and after find the right owner', () => {
  const h = reuseHistory();
  assert.equal(h.holderAt(IP, 999), undefined, 'before anyone held it');
  assert.equal(h.holderAt(IP, 1_000)?.peerKey, WEB, 'start is inclusive');
  assert.equal(h.holderAt(IP, DELETED - 1)?.peerKey, WEB);
  assert.equal(h.holderAt(IP, REUSED - 1)?.peerKey, WEB);
  assert.equal(h.holderAt(IP, REUSED)?.peerKey, API, 'end is exclusive: the new owner from its start');
  assert.equal(h.holderAt(IP, 10_000_000)?.peerKey, API);
});

test('pod deleted, another pod takes its IP 2 s later: flows before and after resolve to the right workload', () => {
  const ix = new ResolutionIndex({
    ...EMPTY_RESOLUTION,
    workloads: [workload('web'), workload('api')],
    ipHistory: new IpHistory(reuseHistory().intervals(IP)),
  });
  const side = (t: number) => ix.resolve({ ip: IP, port: 8080 }, t).map((s) => s.key);
  assert.deepEqual(side(DELETED - 10_000), [WEB]);
  assert.deepEqual(side(REUSED + 1_000), [API]);
  // Before the first owner: an IP with a history is in-cluster, but nobody's.
  assert.deepEqual(side(500), [`unknown:${IP}`]);
});

test('a claim gone with no new holder closes at the snapshot time; the IP is then free', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  const r = h.apply('pods', [], 30_000);
  assert.deepEqual(r.close.map((c) => c.validTo), [30_000]);
  assert.equal(h.holderAt(IP, 29_999)?.peerKey, WEB);
  assert.equal(h.holderAt(IP, 30_000), undefined);
});

test('a new interval never starts before the previous holder was last seen (no overlap on the pod network)', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  h.apply('pods', [], 30_000);
  // The new pod claims a start before web was last seen holding the IP (clock skew, a stale record).
  const r = h.apply('pods', [claim(API, 5_000)], 40_000);
  assert.deepEqual(r.open.map((i) => i.validFrom), [10_000]);
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 10_000], [API, 10_000, undefined]]);
});

test('a release is dated by when it was noticed: a later holder that started before that takes the IP from its start, the old interval ending there', () => {
  // The collector after a watch backlog: web's DELETED written at 30,000 (its arrival), api's ADDED
  // (started at 20,000) in the next write. One snapshot with both closes web at api's start; two
  // must agree. Web was last seen at 10,000, so the release happened in (10,000, 30,000].
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  const released = h.apply('pods', [], 30_000);
  assert.deepEqual(released.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[WEB, 30_000, 10_000]]);
  const r = h.apply('pods', [claim(API, 20_000)], 30_000);
  assert.deepEqual(r.open.map((i) => i.validFrom), [20_000]);
  assert.deepEqual(r.moveBack.map((m) => [m.interval.peerKey, m.validTo]), [[WEB, 20_000]]);
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 20_000], [API, 20_000, undefined]]);
  assert.equal(h.holderAt(IP, 25_000)?.peerKey, API);
  assert.equal(h.holderAt(IP, 15_000)?.peerKey, WEB);
});

test('an end set by a new holder\'s start is exact and never moves; a later release is corrected no earlier than its holder was last seen', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  h.apply('pods', [claim(API, 20_000)], 30_000);
  h.apply('pods', [], 40_000);
  const DEBUG = 'workload:shop/Pod/debug';
  const r = h.apply('pods', [claim(DEBUG, 15_000)], 50_000);
  assert.deepEqual(r.open.map((i) => i.validFrom), [30_000], 'api was seen holding the IP at 30,000');
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 20_000], [API, 20_000, 30_000], [DEBUG, 30_000, undefined]]);
});

test('a new holder that started before the last snapshot showing the old one on the IP takes it from that snapshot: the old interval ends there, not at the new start', () => {
  // A pod's startTime is when the kubelet acknowledged it, before its sandbox got the IP (core/v1
  // PodStatus): the snapshot at 10,000 saw web holding the IP, so api (started 5,000) got it after.
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 10_000);
  const r = h.apply('pods', [claim(API, 5_000)], 20_000);
  assert.deepEqual(r.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[WEB, 10_000, undefined]]);
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 10_000], [API, 10_000, undefined]]);
  // Started after that snapshot: the exact start, as before.
  const g = new IpHistory();
  g.apply('pods', [claim(WEB, 1_000)], 10_000);
  g.apply('pods', [claim(API, 15_000)], 20_000);
  assert.deepEqual(g.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 15_000], [API, 15_000, undefined]]);
});

test('lastHeldBefore: the last moment before a time the pod network\'s history shows a holder on the address — an exact end, when a released holder was last seen, the time itself while one holds it', () => {
  const exact = reuseHistory(); // web [1,000, 52,000) exact (api's start), api from 52,000 on
  assert.equal(exact.lastHeldBefore(IP, 500), undefined, 'nobody before');
  assert.equal(exact.lastHeldBefore(IP, 30_000), 30_000, 'web holds it then');
  assert.equal(exact.lastHeldBefore(IP, 52_000), 52_000, 'web until api\'s start');
  assert.equal(exact.lastHeldBefore(IP, 90_000), 90_000, 'api holds it still');
  const released = new IpHistory();
  released.apply('pods', [claim(WEB, 1_000)], 10_000);
  released.apply('pods', [], 30_000); // web gone by 30,000, last seen at 10,000
  assert.equal(released.lastHeldBefore(IP, 60_000), 10_000);
  assert.equal(released.lastHeldBefore(IP, 5_000), 5_000);
  // Read from the store's rows (released_after), the same answer.
  const stored = new IpHistory([{ ip: IP, peerKey: WEB, hostNetwork: false, validFrom: 1_000, validTo: 30_000, releasedAfter: 10_000 }]);
  assert.equal(stored.lastHeldBefore(IP, 60_000), 10_000);
  assert.equal(stored.holderAt(IP, 20_000)?.peerKey, WEB, 'the holder until the release was noticed');
  assert.equal(Object.hasOwn(stored.holderAt(IP, 20_000)!, 'releasedAfter'), false, 'intervals keep their shape');
});

test('a claim without a start, or starting after the snapshot, starts at the snapshot time', () => {
  const h = new IpHistory();
  assert.deepEqual(h.apply('pods', [claim(WEB)], 10_000).open.map((i) => i.validFrom), [10_000]);
  const g = new IpHistory();
  assert.deepEqual(g.apply('pods', [claim(WEB, 99_000)], 10_000).open.map((i) => i.validFrom), [10_000]);
});

test('two pods of one workload in turn on one IP are one interval, from the earlier start', () => {
  const h = new IpHistory();
  const r = h.apply('pods', [claim(WEB, 5_000), claim(WEB, 2_000)], 10_000);
  assert.deepEqual(r.open.map((i) => i.validFrom), [2_000]);
});

test('host-network pods share their node IP: several hold it at once, apart from the node itself', () => {
  const h = new IpHistory();
  const NODE_IP = '10.0.0.1';
  h.apply('nodes', [{ ip: NODE_IP, peerKey: 'node:node-a', node: 'node-a', hostNetwork: false, since: 0 }], 10_000);
  h.apply('pods', [
    { ip: NODE_IP, peerKey: 'workload:monitoring/DaemonSet/node-exporter', node: 'node-a', hostNetwork: true, since: 1_000 },
    { ip: NODE_IP, peerKey: 'workload:kube-system/DaemonSet/cilium', node: 'node-a', hostNetwork: true, since: 2_000 },
  ], 10_000);
  assert.equal(h.holderAt(NODE_IP, 5_000)?.peerKey, 'node:node-a');
  assert.deepEqual(h.hostNetworkHoldersAt(NODE_IP, 5_000).map((i) => i.peerKey), ['workload:monitoring/DaemonSet/node-exporter', 'workload:kube-system/DaemonSet/cilium']);
  assert.equal(h.hostNetworkHolderAt(NODE_IP, 5_000)?.peerKey, 'workload:kube-system/DaemonSet/cilium');
  // A pods snapshot without the exporter closes it at the snapshot time; the node is another class and stays.
  const r = h.apply('pods', [{ ip: NODE_IP, peerKey: 'workload:kube-system/DaemonSet/cilium', node: 'node-a', hostNetwork: true, since: 2_000 }], 20_000);
  assert.deepEqual(r.close.map((c) => [c.interval.peerKey, c.validTo]), [['workload:monitoring/DaemonSet/node-exporter', 20_000]]);
  assert.equal(h.holderAt(NODE_IP, 25_000)?.peerKey, 'node:node-a');
});

test('overlapping intervals from an older store: the lookup walks back to the one still open', () => {
  const h = new IpHistory([
    { ip: IP, peerKey: WEB, hostNetwork: false, validFrom: 0, validTo: 100 },
    { ip: IP, peerKey: API, hostNetwork: false, validFrom: 50, validTo: 60 },
  ]);
  assert.equal(h.holderAt(IP, 55)?.peerKey, API);
  assert.equal(h.holderAt(IP, 70)?.peerKey, WEB);
  assert.equal(h.holderAt(IP, 100), undefined);
});

test('reconcileClaims counts ends of intervals already closed (the store passes them from SQL)', () => {
  const r = reconcileClaims<IpInterval>([], [claim(API, 1_000)], 10_000, (ip, hostNetwork) => (ip === IP && !hostNetwork ? 4_000 : undefined));
  assert.deepEqual(r.open.map((i) => i.validFrom), [4_000]);
});

test('reconcileClaims over a large cluster whose IPs all changed holders is linear: 30,000 closes and 40,000 opens in a fraction of the quadratic 7 s', () => {
  // Each new claim used to scan every close for its IP's last end: 30,000 x 40,000 steps, 7 s, on the service's event loop; linear, it takes 0.1-0.3 s (more beside other test files on a loaded 2-core machine).
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const open: IpInterval[] = Array.from({ length: 30_000 }, (_, i) => ({ ip: ip(i), peerKey: `workload:a/Deployment/w${i}`, hostNetwork: false, validFrom: 1_000 }));
  const claims: IpClaim[] = Array.from({ length: 40_000 }, (_, i) => ({ ip: ip(i), peerKey: `workload:b/Deployment/w${i}`, hostNetwork: false, since: i % 2 === 0 ? 5_000 : 500 }));
  const started = performance.now();
  const r = reconcileClaims(open, claims, 10_000, () => undefined);
  const tookMs = performance.now() - started;
  assert.equal(r.close.length, 30_000);
  assert.equal(r.open.length, 40_000);
  // The old holder ends where the new one starts (at most the snapshot time); the new one never starts before that end.
  const closed = new Map(r.close.map((c) => [c.interval.ip, c.validTo]));
  assert.equal(closed.get(ip(0)), 5_000);
  assert.equal(closed.get(ip(1)), 1_000);
  const opened = new Map(r.open.map((o) => [o.ip, o.validFrom]));
  assert.equal(opened.get(ip(0)), 5_000);
  assert.equal(opened.get(ip(1)), 1_000);
  assert.equal(opened.get(ip(30_001)), 500);
  assert.ok(tookMs < 2_500, `took ${Math.round(tookMs)} ms`);
});

// --- the store persists exactly what the domain decides ---------------------------------------

function workload(name: string): Workload {
  return { namespace: 'shop', kind: 'Deployment', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false, ports: [], services: [], exposure: [] };
}

function snapshot(takenAt: number, pods: { ip: string; workload: string; pod: string; since?: number; hostNetwork?: boolean }[]): InventorySnapshot {
  const ref = (name: string): WorkloadRef => ({ namespace: 'shop', kind: 'Deployment', name });
  const podAddresses: PodAddress[] = pods.map((p) => ({
    ip: p.ip,
    namespace: 'shop',
    pod: p.pod,
    workload: ref(p.workload),
    node: 'node-a',
    hostNetwork: p.hostNetwork ?? false,
    ...(p.since !== undefined ? { since: p.since } : {}),
  }));
  return {
    takenAt,
    namespaces: [],
    nodes: [],
    workloads: [...new Set(pods.map((p) => p.workload))].map(workload),
    services: [],
    endpointSlices: [],
    policies: [],
    podAddresses,
    apiserver: [],
    scope: ['Pod', 'Deployment.apps'],
  };
}

test('the store and the in-memory history agree over a sequence of snapshots', () => {
  const { db } = tmpDb();
  const memory = new IpHistory();
  const snapshots = [
    snapshot(10_000, [{ ip: IP, workload: 'web', pod: 'web-1', since: 1_000 }, { ip: '10.0.0.1', workload: 'agent', pod: 'agent-1', hostNetwork: true, since: 500 }]),
    snapshot(60_000, [{ ip: IP, workload: 'api', pod: 'api-1', since: REUSED }, { ip: '10.0.0.1', workload: 'agent', pod: 'agent-1', hostNetwork: true, since: 500 }]),
    snapshot(70_000, [{ ip: '10.244.1.8', workload: 'api', pod: 'api-2' }]),
    snapshot(80_000, [{ ip: IP, workload: 'web', pod: 'web-2', since: 65_000 }, { ip: '10.0.0.1', workload: 'agent', pod: 'agent-2', hostNetwork: true, since: 75_000 }]),
  ];
  for (const s of snapshots) {
    const stored = applySnapshot(db, s, { source: 'test' });
    const applied = memory.apply('pods', podClaims(s), s.takenAt);
    assert.deepEqual(stored.ipIntervals, { opened: applied.open.length, closed: applied.close.length }, `at ${s.takenAt}`);
  }
  const key = (i: IpInterval) => `${i.ip}|${String(i.validFrom).padStart(8, '0')}|${i.hostNetwork ? 1 : 0}|${i.peerKey}`;
  const fromMemory = [...new Set(readIntervals(db).map((i) => i.ip))].flatMap((ip) => memory.intervals(ip)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  assert.deepEqual(readIntervals(db), fromMemory);
  assert.equal(readIntervals(db).length, 6);
});

test('the store bounds a new holder\'s start by when the old holder was last seen as the in-memory history does', () => {
  const { db } = tmpDb();
  const memory = new IpHistory();
  const snapshots = [
    snapshot(10_000, [{ ip: IP, workload: 'web', pod: 'web-1', since: 1_000 }]),
    snapshot(20_000, [{ ip: IP, workload: 'api', pod: 'api-1', since: 5_000 }]),
  ];
  for (const s of snapshots) {
    applySnapshot(db, s, { source: 'test' });
    memory.apply('pods', podClaims(s), s.takenAt);
  }
  assert.deepEqual(
    readIntervals(db).map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [[WEB, 1_000, 10_000], [API, 10_000, undefined]],
  );
  assert.deepEqual(readIntervals(db), memory.intervals(IP));
});

test('an import without Pods in between does not count as seeing the pods: the bound is the last import with Pods', () => {
  const { db } = tmpDb();
  const services: InventorySnapshot = { ...snapshot(15_000, []), workloads: [], scope: ['Service'] };
  applySnapshot(db, snapshot(10_000, [{ ip: IP, workload: 'web', pod: 'web-1', since: 1_000 }]), { source: 'pods' });
  applySnapshot(db, services, { source: 'services' });
  applySnapshot(db, snapshot(20_000, [{ ip: IP, workload: 'api', pod: 'api-1', since: 12_000 }]), { source: 'pods' });
  assert.deepEqual(
    readIntervals(db).map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [[WEB, 1_000, 12_000], [API, 12_000, undefined]],
  );
});

test('the store corrects a release dated by when it was noticed as the in-memory history does', () => {
  const { db } = tmpDb();
  const memory = new IpHistory();
  const snapshots = [
    snapshot(10_000, [{ ip: IP, workload: 'web', pod: 'web-1', since: 1_000 }]),
    snapshot(30_000, [{ ip: '10.244.1.8', workload: 'db', pod: 'db-0', since: 2_000 }]),
    snapshot(30_000, [{ ip: '10.244.1.8', workload: 'db', pod: 'db-0', since: 2_000 }, { ip: IP, workload: 'api', pod: 'api-1', since: 20_000 }]),
  ];
  for (const s of snapshots) {
    applySnapshot(db, s, { source: 'test' });
    memory.apply('pods', podClaims(s), s.takenAt);
  }
  assert.deepEqual(
    readIntervals(db).filter((i) => i.ip === IP).map((i) => [i.peerKey, i.validFrom, i.validTo]),
    [[WEB, 1_000, 20_000], [API, 20_000, undefined]],
  );
  assert.deepEqual(readIntervals(db), [IP, '10.244.1.8'].flatMap((ip) => memory.intervals(ip)));
});

// --- pods that finished (Succeeded, Failed) between two snapshots -----------------------------

const JOB = 'workload:shop/CronJob/report';
/** A finished pod's claim: it held the IP from `since` until its last container finished. */
const finished = (peerKey: string, since: number, until: number): IpClaim => claim(peerKey, since, { until });

test('a finished pod held its IP from its start until it finished: a closed interval; listed again, it adds nothing', () => {
  const h = new IpHistory();
  assert.deepEqual(h.apply('pods', [finished(JOB, 3_000, 3_300)], 10_000), { close: [], open: [{ ip: IP, peerKey: JOB, hostNetwork: false, validFrom: 3_000, validTo: 3_300 }], moveBack: [] });
  assert.equal(h.holderAt(IP, 2_999), undefined);
  assert.equal(h.holderAt(IP, 3_100)?.peerKey, JOB);
  assert.equal(h.holderAt(IP, 3_300), undefined, 'its end is exclusive: the IP is free after');
  assert.deepEqual(h.apply('pods', [finished(JOB, 3_000, 3_300)], 20_000), { close: [], open: [], moveBack: [] });
  assert.deepEqual(h.intervals(IP), [{ ip: IP, peerKey: JOB, hostNetwork: false, validFrom: 3_000, validTo: 3_300 }]);
});

test('a pod that started before a finished pod\'s end holds the IP from that end (its startTime precedes its IP); one a snapshot showed on it still keeps it', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(API, 2_500), finished(JOB, 3_000, 3_300)], 10_000);
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[JOB, 3_000, 3_300], [API, 3_300, undefined]]);
  // api was seen holding the IP before the run started: the run's time is api's, which is not cut.
  const seen = new IpHistory();
  seen.apply('pods', [claim(API, 2_500)], 2_600);
  assert.deepEqual(seen.apply('pods', [claim(API, 2_500), finished(JOB, 3_000, 3_300)], 10_000), { close: [], open: [], moveBack: [] });
  assert.equal(seen.holderAt(IP, 3_100)?.peerKey, API);
  // A run that finished before api started is its own interval, up to api's start at the latest.
  const before = new IpHistory();
  before.apply('pods', [claim(API, 2_500)], 2_600);
  before.apply('pods', [claim(API, 2_500), finished(JOB, 2_000, 2_700)], 10_000);
  assert.deepEqual(before.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[JOB, 2_000, 2_500], [API, 2_500, undefined]]);
});

test('a pod seen on the IP and listed finished next ends when it finished: an exact end, not a release dated by the snapshot', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(JOB, 1_000)], 2_000);
  const r = h.apply('pods', [finished(JOB, 1_000, 3_000)], 10_000);
  assert.deepEqual(r.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[JOB, 3_000, undefined]]);
  assert.deepEqual(r.open, []);
  // An earlier run of the workload, finished before a snapshot showed the workload on the IP, says
  // nothing of when the run seen then (gone now) let the IP go: a release, as without it.
  const runs = new IpHistory();
  runs.apply('pods', [finished(JOB, 1_000, 3_000), claim(JOB, 3_500)], 4_000);
  const r2 = runs.apply('pods', [finished(JOB, 1_000, 3_000)], 10_000);
  assert.deepEqual(r2.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[JOB, 10_000, 4_000]]);
  assert.deepEqual(runs.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[JOB, 1_000, 3_000], [JOB, 3_500, 10_000]]);
});

test('a finished pod ends a gone holder at its start when it held the IP after that one was last seen; one that finished before is no successor', () => {
  const h = new IpHistory();
  h.apply('pods', [claim(WEB, 1_000)], 2_000);
  const r = h.apply('pods', [finished(JOB, 3_000, 3_300)], 10_000);
  assert.deepEqual(r.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[WEB, 3_000, undefined]]);
  assert.deepEqual(h.intervals(IP).map((i) => [i.peerKey, i.validFrom, i.validTo]), [[WEB, 1_000, 3_000], [JOB, 3_000, 3_300]]);
  // web was seen on the IP at 5,000, after the run finished: web's release is not known, and the run's time was web's.
  const late = new IpHistory();
  late.apply('pods', [claim(WEB, 1_000)], 5_000);
  const released = late.apply('pods', [finished(JOB, 3_000, 3_300)], 10_000);
  assert.deepEqual(released.close.map((c) => [c.interval.peerKey, c.validTo, c.releasedAfter]), [[WEB, 10_000, 5_000]]);
  assert.deepEqual(released.open, []);
});

test('the store records finished pods as the in-memory history does', () => {
  const { db } = tmpDb();
  const memory = new IpHistory();
  const ref = (name: string): WorkloadRef => ({ namespace: 'shop', kind: 'Deployment', name });
  const withFinished = (s: InventorySnapshot, pods: { ip: string; workload: string; pod: string; since: number; until: number }[]): InventorySnapshot => ({
    ...s,
    workloads: [...s.workloads, ...pods.map((p) => workload(p.workload))],
    finishedPods: pods.map((p) => ({ ip: p.ip, namespace: 'shop', pod: p.pod, workload: ref(p.workload), node: 'node-a', hostNetwork: false, since: p.since, until: p.until })),
  });
  const snapshots = [
    snapshot(10_000, [{ ip: IP, workload: 'web', pod: 'web-1', since: 1_000 }]),
    withFinished(snapshot(20_000, [{ ip: IP, workload: 'api', pod: 'api-1', since: 12_500 }]), [{ ip: IP, workload: 'report', pod: 'report-1', since: 12_000, until: 13_000 }, { ip: '10.244.1.9', workload: 'report', pod: 'report-2', since: 14_000, until: 15_000 }]),
    withFinished(snapshot(30_000, [{ ip: IP, workload: 'api', pod: 'api-1', since: 12_500 }]), [{ ip: IP, workload: 'report', pod: 'report-1', since: 12_000, until: 13_000 }]),
  ];
  for (const s of snapshots) {
    const stored = applySnapshot(db, s, { source: 'test' });
    const applied = memory.apply('pods', podClaims(s), s.takenAt);
    assert.deepEqual(stored.ipIntervals, { opened: applied.open.length, closed: applied.close.length }, `at ${s.takenAt}`);
  }
  assert.deepEqual(
    readIntervals(db).map((i) => [i.ip, i.peerKey, i.validFrom, i.validTo]),
    [
      ['10.244.1.7', WEB, 1_000, 12_000],
      ['10.244.1.7', 'workload:shop/Deployment/report', 12_000, 13_000],
      ['10.244.1.7', API, 13_000, undefined],
      ['10.244.1.9', 'workload:shop/Deployment/report', 14_000, 15_000],
    ],
  );
  assert.deepEqual(readIntervals(db), [IP, '10.244.1.9'].flatMap((ip) => memory.intervals(ip)));
});
