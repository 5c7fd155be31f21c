/**
 * Edges to a workload deleted since they were seen: night 1 imports shop/Deployment/legacy and
 * sees web call it; the import of night 2 no longer lists it (`markedAbsent: 1`). Its edges are
 * left out of the policy — rightly — and the reason says that import did not list it (deleted, or
 * left out of that import), with its time, not that its labels are unknown: the store holds them. A workload
 * only flow records name (never listed by an import) keeps that reason.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { openDb } from '../../store/db.ts';
import { deletedWorkloads } from '../../store/inventory.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const HOUR = 3_600_000;
const NIGHT1 = Date.UTC(2026, 11, 1);
const NIGHT2 = NIGHT1 + 24 * HOUR;
const NOW = NIGHT2 + 2 * HOUR;
const WEB = '10.244.0.10';
const LEGACY = '10.244.1.40';

const iso = (t: number) => new Date(t).toISOString();

/** Deployment shop/`name` (app=`name`) with its ReplicaSet and one pod at `ip` serving `port`. */
function deployment(name: string, ip: string, port: number): object[] {
  const owner = (kind: string, n: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name: n, uid: `${n}-uid`, controller: true }] });
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'c', ports: [{ containerPort: port, protocol: 'TCP' }] }] } };
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', uid: `${name}-uid` }, spec: { selector: { matchLabels: { app: name } }, template } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-1`, namespace: 'shop', uid: `${name}-1-uid`, ...owner('Deployment', name) }, spec: { selector: { matchLabels: { app: name } }, template } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-1-a`, namespace: 'shop', labels: { app: name }, creationTimestamp: iso(NIGHT1 - HOUR), ...owner('ReplicaSet', `${name}-1`) },
      spec: { nodeName: 'node-a', containers: template.spec.containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: iso(NIGHT1 - HOUR) },
    },
  ];
}

function cluster(withLegacy: boolean): string {
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, spec: { podCIDR: '10.244.0.0/16' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }] } },
    ...deployment('web', WEB, 8080),
    ...(withLegacy ? deployment('legacy', LEGACY, 7000) : []),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function flow(dst: string, dstPort: number, time: number, dstOwner?: string): string {
  const named = dstOwner === undefined ? {} : { DstK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_Name: `${dstOwner}-1-a`, DstK8S_OwnerType: 'Deployment', DstK8S_OwnerName: dstOwner };
  return JSON.stringify({ SrcAddr: WEB, SrcPort: 52000, DstAddr: dst, DstPort: dstPort, Proto: 6, Etype: 2048, Flags: 2, Packets: 1, Bytes: 80, TimeFlowStartMs: time, TimeFlowEndMs: time, ...named });
}

async function twoNights() {
  const { db } = tmpDb();
  importInventory(db, { text: cluster(true), takenAt: NIGHT1, source: 'inv1.json', now: NIGHT1 });
  const night1 = [flow(LEGACY, 7000, NIGHT1 + HOUR), flow('10.244.1.41', 7100, NIGHT1 + HOUR, 'ghost')];
  await ingestFlows(db, [{ name: 'flows1.ndjson', open: () => Readable.from([`${night1.join('\n')}\n`]) }], { format: 'netobserv', now: () => NIGHT1 + 2 * HOUR });
  const second = importInventory(db, { text: cluster(false), takenAt: NIGHT2, source: 'inv2.json', now: NIGHT2 });
  assert.equal(second.workloads.markedAbsent, 1, 'night 2 no longer lists legacy');
  return db;
}

const DELETED = `workload shop/Deployment/legacy is not listed by the inventory import of ${iso(NIGHT2)} (deleted, or left out of that import)`;
const NEVER_LISTED = 'workload shop/Deployment/ghost is not in the inventory: its labels are unknown';

test('an edge to a workload an import marked absent is left out because that import did not list it; one only flow records name, because its labels are unknown', async () => {
  const db = await twoNights();
  const input = readRecommendationInput(db, {});
  const { rec, verification } = runRecommendation(input, 'kubernetes', recommendOptions({ namespace: 'shop', now: NOW }));
  const web = rec.workloads.find((w) => w.workload.name === 'web')!;
  const reasons = Object.fromEntries(web.observed.map((o) => [o.server, o.reason]));
  assert.deepEqual(reasons, { 'workload:shop/Deployment/legacy': DELETED, 'workload:shop/Deployment/ghost': NEVER_LISTED });
  assert.equal(verification.ok, true);
  assert.deepEqual(verification.skipped, { [DELETED]: 1, 'workload shop/Deployment/ghost is not in the inventory': 1 });
});

test('the report explains the deleted workload\'s edge with the same words', async () => {
  const db = await twoNights();
  const report = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, namespace: 'shop', now: NOW, matrices: {}, trigger: 'manual', generatedAt: NOW }));
  const md = renderMarkdown(report);
  assert.ok(md.includes(`left out of the policy: ${DELETED}`), md);
  assert.ok(!md.includes('shop/Deployment/legacy is not in the inventory'), md);
});

const LEGACY_REF = { namespace: 'shop', kind: 'Deployment' as const, name: 'legacy' };

test('listed again, a workload is no longer deleted; deleted again, since the import that marked it absent this time', async () => {
  const db = await twoNights();
  assert.deepEqual(deletedWorkloads(db, [LEGACY_REF, { namespace: 'shop', kind: 'Deployment', name: 'web' }]), { 'shop/Deployment/legacy': NIGHT2 });
  const NIGHT3 = NIGHT2 + 24 * HOUR;
  importInventory(db, { text: cluster(true), takenAt: NIGHT3, source: 'inv3.json', now: NIGHT3 });
  assert.deepEqual(deletedWorkloads(db, [LEGACY_REF]), {});
  const NIGHT4 = NIGHT3 + 24 * HOUR;
  importInventory(db, { text: cluster(false), takenAt: NIGHT4, source: 'inv4.json', now: NIGHT4 });
  assert.deepEqual(deletedWorkloads(db, [LEGACY_REF]), { 'shop/Deployment/legacy': NIGHT4 });
});

test('migration 0046: a workload an older release marked absent is deleted since the first later import holding objects of its kind', () => {
  const db = openDb(join(tmpDir(), 'v45.db'), { migrate: false });
  migrate(db, loadMigrations(), 45);
  const imported = db.prepare("INSERT INTO inventory_imports (taken_at, source, counts) VALUES (?, 'x', ?)");
  imported.run(NIGHT1, JSON.stringify({ 'Deployment.apps': 2, Pod: 2 }));
  imported.run(NIGHT1 + HOUR, JSON.stringify({ Pod: 1 })); // pods only: cannot have marked a Deployment absent
  imported.run(NIGHT2, JSON.stringify({ 'Deployment.apps': 1, Pod: 1 }));
  const workload = db.prepare("INSERT INTO workloads (namespace, kind, name, selector, first_seen, last_seen, present) VALUES ('shop', ?, ?, '{}', ?, ?, ?)");
  workload.run('Deployment', 'web', NIGHT1, NIGHT2, 1);
  workload.run('Deployment', 'legacy', NIGHT1, NIGHT1, 0);
  workload.run('Deployment', 'last', NIGHT1, NIGHT2, 0); // no import after it: its own last_seen
  migrate(db);
  assert.deepEqual(db.prepare('SELECT name, absent_since FROM workloads ORDER BY name').all(), [
    { name: 'last', absent_since: NIGHT2 },
    { name: 'legacy', absent_since: NIGHT2 },
    { name: 'web', absent_since: null },
  ]);
  db.close();
});
