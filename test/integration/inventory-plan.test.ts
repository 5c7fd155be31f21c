/**
 * The service plans an import's IP-history changes on a worker's read connection and the writer
 * only applies them (the reading and reconciling held the event loop for seconds). The
 * stored state is the one the writer alone makes; a plan read before another import landed is
 * planned again in the write.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertInventoryExport, importInventory, storeConvertedInventory, type InventoryImportRequest } from '../../app/inventory.ts';
import { openDb, type Db } from '../../store/db.ts';
import { tmpDb } from '../helpers/tmp.ts';

const FIXTURES = new URL('../fixtures/inventory/', import.meta.url).pathname;
const CLUSTER = readFileSync(join(FIXTURES, 'cluster.json'), 'utf8');
const LATER = readFileSync(join(FIXTURES, 'later-pods.yaml'), 'utf8');
const T1 = Date.parse('2025-03-02T12:00:00Z');
const T2 = Date.parse('2025-03-03T12:00:00Z');
const T3 = Date.parse('2025-03-04T12:00:00Z');

const request = (text: string, takenAt: number): InventoryImportRequest => ({ text, takenAt, source: `at-${takenAt}`, now: takenAt });

/** Table by table, so that a difference is shown where it is (the migrations' times apart). */
function assertSameStore(db: Db, expected: Db): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_migrations' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  for (const t of tables) assert.deepEqual(db.prepare(`SELECT * FROM "${t}"`).all(), expected.prepare(`SELECT * FROM "${t}"`).all(), t);
}

/** The SQL the writer prepares while `work` runs. */
function statements(db: Db, work: () => void): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as Db['prepare'];
  try {
    work();
  } finally {
    db.prepare = prepare;
  }
  return seen;
}

test('an import converted and planned on a read connection stores what the writer alone stores, and the write reads no IP history', () => {
  const alone = tmpDb().db;
  importInventory(alone, request(CLUSTER, T1));
  importInventory(alone, request(LATER, T2));

  const { db, path } = tmpDb();
  const reader = openDb(path, { migrate: false });
  try {
    for (const [text, t] of [[CLUSTER, T1], [LATER, T2]] as const) {
      const prepared = convertInventoryExport(reader, request(text, t));
      const sql = statements(db, () => storeConvertedInventory(db, request(text, t), prepared));
      const reads = sql.filter((s) => /SELECT[^]*FROM (ip_history|pod_addresses)/.test(s));
      assert.deepEqual(reads, [], 'the writer applies the plan: it neither reads the open intervals nor the previous pod addresses');
    }
  } finally {
    reader.close();
  }
  assertSameStore(db, alone);
});

test('a plan read before another import landed is planned again in the write: the store is as if each import came alone', () => {
  const alone = tmpDb().db;
  importInventory(alone, request(CLUSTER, T1));
  importInventory(alone, request(LATER, T2));
  importInventory(alone, request(CLUSTER, T3));

  const { db, path } = tmpDb();
  const reader = openDb(path, { migrate: false });
  try {
    importInventory(db, request(CLUSTER, T1));
    const early = convertInventoryExport(reader, request(CLUSTER, T3)); // planned against T1's history
    importInventory(db, request(LATER, T2)); // lands between that plan and its write
    const summary = storeConvertedInventory(db, request(CLUSTER, T3), early);
    assert.ok(summary.ipIntervals.opened > 0 && summary.ipIntervals.closed > 0, JSON.stringify(summary.ipIntervals));
  } finally {
    reader.close();
  }
  assertSameStore(db, alone);
});
