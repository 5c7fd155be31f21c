/** Importing an inventory from an export's text or from objects a collector read: one snapshot, one summary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AppError } from '../../app/errors.ts';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { parseInventoryText } from '../../collectors/inventory/index.ts';
import { listWorkloads } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const text = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8');
const takenAt = Date.UTC(2026, 10, 20);

test('objects already read import exactly as their text does: same summary, same stored workloads', () => {
  const a = tmpDb().db;
  const b = tmpDb().db;
  const fromText = importInventory(a, { text, takenAt, source: 'collector' });
  const fromObjects = importInventoryObjects(b, { objects: parseInventoryText(text), takenAt, source: 'collector' });
  assert.ok(fromText.workloads.inSnapshot > 0);
  assert.deepEqual(fromObjects, fromText);
  assert.deepEqual(listWorkloads(b, { includeAbsent: true }), listWorkloads(a, { includeAbsent: true }));
});

test('an object that is no inventory is refused whole: AppError invalid-input naming the source, nothing stored', () => {
  const { db } = tmpDb();
  const [pod] = parseInventoryText('{"kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}');
  assert.ok(pod);
  assert.throws(
    () => importInventoryObjects(db, { objects: [pod], takenAt, source: 'watcher' }),
    (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && e.subject === 'watcher' && /metadata\.namespace.*; nothing was imported$/.test(e.message),
  );
  assert.deepEqual(listWorkloads(db, { includeAbsent: true }), []);
});
