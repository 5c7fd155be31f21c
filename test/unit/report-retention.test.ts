/**
 * `reports.retention` (docs/reports.md): the newest N reports of each trigger are kept. Reports
 * built by hand (`flowmatrix report`, POST /api/v1/reports — one per namespace, say) never push
 * the nightly ones out: with one count for both, a morning's thirty namespace reports deleted a
 * month of scheduled history.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReportStore, type NewReport } from '../../store/reports.ts';
import { tmpDb } from '../helpers/tmp.ts';

const report = (trigger: NewReport['trigger'], createdAt: number): NewReport => ({ createdAt, trigger, engine: 'kubernetes', dataTime: 0, headline: {}, model: '{}' });

test('retention keeps the newest N of each trigger: manual reports never delete scheduled ones, nor scheduled ones manual ones', () => {
  const { db } = tmpDb();
  const store = new ReportStore(db);
  const triggers = () => store.list(100).items.map((r) => `${r.trigger}@${r.createdAt}`);
  for (let night = 1; night <= 4; night++) store.insert(report('schedule', night), 3);
  assert.deepEqual(triggers(), ['schedule@4', 'schedule@3', 'schedule@2'], 'the newest 3 nightly reports');
  for (let i = 10; i < 15; i++) store.insert(report('manual', i), 3);
  assert.deepEqual(triggers(), ['manual@14', 'manual@13', 'manual@12', 'schedule@4', 'schedule@3', 'schedule@2']);
  assert.equal(store.latestScheduledAt(), 4);
  store.insert(report('schedule', 20), 3);
  assert.deepEqual(triggers(), ['schedule@20', 'manual@14', 'manual@13', 'manual@12', 'schedule@4', 'schedule@3']);
});
