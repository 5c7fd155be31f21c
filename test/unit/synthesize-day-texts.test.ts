/** DayTexts: the UTC day of an instant as rule texts name it (synthesize/day-texts.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DayTexts } from '../../recommender/synthesize/day-texts.ts';

test('the UTC day of an instant, as toISOString writes it, on both sides of midnight and before 1970', () => {
  const days = new DayTexts();
  for (const iso of ['2026-12-03T00:00:00.000Z', '2026-12-03T23:59:59.999Z', '2026-12-04T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z']) {
    const ms = Date.parse(iso);
    assert.equal(days.of(ms), new Date(ms).toISOString().slice(0, 10), iso);
  }
});

test('instants of one day share one text; an instant no date can hold throws as toISOString does', () => {
  const days = new DayTexts();
  assert.equal(days.of(Date.parse('2026-12-03T01:00:00Z')), days.of(Date.parse('2026-12-03T22:00:00Z')));
  assert.throws(() => days.of(Infinity), RangeError);
});
