/**
 * The report schedule's cron (reports/schedule.ts cronerSchedule) across what the wall clock does,
 * with mocked timers and Date: expected runs as Vixie cron makes them (cron(8): "If time was
 * adjusted one hour forward, those jobs that would have run in the interval that has been skipped
 * will be run immediately … if time was adjusted backward … jobs … run only once"), which croner 11
 * follows ("Predictable DST handling", its release notes).
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { cronerSchedule, isCronExpression } from '../../reports/schedule.ts';

/** The instants `expression` ticks at in `timezone` from `from` for `days` days, the mocked clock advanced a minute at a time. */
function runs(expression: string, timezone: string, from: string, days: number, step?: { at: string; to: string }): string[] {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse(from) });
  const seen: string[] = [];
  const job = cronerSchedule(expression, () => seen.push(new Date().toISOString()), { timezone });
  try {
    for (let t = Date.parse(from); t < Date.parse(from) + days * 86_400_000; t += 60_000) {
      if (step && t === Date.parse(step.at)) mock.timers.setTime((t = Date.parse(step.to)));
      mock.timers.tick(60_000);
    }
  } finally {
    void job.stop();
    mock.timers.reset();
  }
  return seen;
}

test('spring forward: the default 02:00 falls in the gap on that night and runs at the first valid time after it (03:00 local), not a day later', () => {
  // Europe/Berlin, 2026-03-29: 02:00 CET → 03:00 CEST (01:00Z).
  assert.deepEqual(runs('0 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', 4), ['2026-03-28T01:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z']);
  // America/New_York, 2026-03-08: 02:00 EST → 03:00 EDT (07:00Z); 02:30 does not exist either.
  assert.deepEqual(runs('30 2 * * *', 'America/New_York', '2026-03-07T00:00:00Z', 3), ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
});

test('fall back: a time in the repeated hour runs once', () => {
  // Europe/Berlin, 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
  assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', 2), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
});

test('a tick whose moment passed while the clock stepped forward (or the event loop was busy) runs late rather than never', () => {
  assert.deepEqual(runs('0 2 * * *', 'UTC', '2026-12-05T01:50:00Z', 1, { at: '2026-12-05T01:59:00Z', to: '2026-12-05T02:10:00Z' }), ['2026-12-05T02:11:00.000Z']);
});

test('expressions: 5 fields, or 6 with seconds first, and nicknames; anything else is refused', () => {
  for (const ok of ['0 2 * * *', '*/30 * * * * *', '@daily', '0 2 * * MON-FRI']) assert.equal(isCronExpression(ok), true, ok);
  for (const bad of ['0 2 * *', '0 0 2 * * * 2027', '61 * * * *', 'bogus', '']) assert.equal(isCronExpression(bad), false, bad);
});
