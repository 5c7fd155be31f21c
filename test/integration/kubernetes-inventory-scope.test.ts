/**
 * What the watcher needs from the inventory import (app/inventory.ts, store/inventory.ts): a scope
 * that makes a kind authoritative with zero objects, and one coalesced import record per source.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { parseInventoryText } from '../../collectors/inventory/index.ts';
import { readIntervals } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T1 = Date.parse('2025-03-02T12:00:00Z');
const T2 = T1 + 60_000;
const text = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8');
const nonPods = () => parseInventoryText(text).filter((r) => r.key !== 'Pod');
const openPodIntervals = (db: Parameters<typeof readIntervals>[0]) => readIntervals(db).filter((i) => i.validTo === undefined && i.peerKey.startsWith('workload:'));

test('scope: the last pods gone close their intervals when the import says it listed Pods; without it an empty kind changes nothing', () => {
  const withScope = tmpDb().db;
  importInventory(withScope, { text, takenAt: T1, source: 'f' });
  assert.ok(openPodIntervals(withScope).length > 0);
  const r = importInventoryObjects(withScope, { objects: nonPods(), takenAt: T2, source: 'kubernetes', scope: ['Pod'] });
  assert.ok(r.replaced.includes('podAddresses'));
  assert.deepEqual(openPodIntervals(withScope), []);
  assert.ok(readIntervals(withScope).filter((i) => i.peerKey.startsWith('workload:')).every((i) => i.validTo === T2 || (i.validTo ?? 0) < T2));

  const withoutScope = tmpDb().db;
  importInventory(withoutScope, { text, takenAt: T1, source: 'f' });
  const before = openPodIntervals(withoutScope);
  importInventoryObjects(withoutScope, { objects: nonPods(), takenAt: T2, source: 'kubernetes' });
  assert.deepEqual(openPodIntervals(withoutScope), before, 'a file cannot tell "no pods" from "pods not exported"');
});

test('coalesce: successive imports of one source keep one record (the latest time); another source adds its own', () => {
  const { db } = tmpDb();
  const objects = parseInventoryText(text);
  for (let i = 0; i < 5; i++) importInventoryObjects(db, { objects, takenAt: T1 + i, source: 'kubernetes', coalesce: true });
  const rows = () => db.prepare('SELECT taken_at, source FROM inventory_imports ORDER BY id').all();
  assert.deepEqual(rows(), [{ taken_at: T1 + 4, source: 'kubernetes' }]);
  importInventory(db, { text, takenAt: T1 + 10, source: 'cluster.json' });
  importInventoryObjects(db, { objects, takenAt: T1 + 11, source: 'kubernetes', coalesce: true });
  assert.deepEqual(rows(), [
    { taken_at: T1 + 4, source: 'kubernetes' },
    { taken_at: T1 + 10, source: 'cluster.json' },
    { taken_at: T1 + 11, source: 'kubernetes' },
  ]);
  assert.throws(() => importInventoryObjects(db, { objects, takenAt: T1, source: 'kubernetes', coalesce: true }), /older than the last import/);
});
