import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPORT_DEFAULTS } from '../../reports/config.ts';
import { ReportScheduler, type CronFactory, type RunOutcome, type SchedulerLogger } from '../../reports/schedule.ts';
import { ConfigError, loadServiceConfig } from '../../server/config/load.ts';
import { tmpDir } from '../helpers/tmp.ts';

/** A cron that ticks only when the test says so. */
function manualCron() {
  const calls: { expression: string; timezone: string }[] = [];
  let tick: (() => void) | undefined;
  let stopped = 0;
  const factory: CronFactory = (expression, t, options) => {
    calls.push({ expression, timezone: options.timezone });
    tick = t;
    return { stop: () => void stopped++ };
  };
  return { factory, calls, fire: () => tick?.(), stopped: () => stopped };
}

function logger() {
  const lines: { level: string; msg: string }[] = [];
  const l: SchedulerLogger = {
    info: (_o, msg) => void lines.push({ level: 'info', msg }),
    warn: (_o, msg) => void lines.push({ level: 'warn', msg }),
    error: (_o, msg) => void lines.push({ level: 'error', msg }),
  };
  return { l, lines };
}

test('start and stop are idempotent; the cron gets the configured expression and time zone', async () => {
  const cron = manualCron();
  const s = new ReportScheduler({ schedule: '0 2 * * *', timezone: 'Europe/Berlin', run: () => {}, logger: logger().l, cron: cron.factory });
  s.start();
  s.start();
  assert.deepEqual(cron.calls, [{ expression: '0 2 * * *', timezone: 'Europe/Berlin' }]);
  assert.equal(s.started, true);
  await s.stop();
  await s.stop();
  assert.equal(cron.stopped(), 1);
  assert.equal(s.started, false);
});

test('a tick runs the job; a tick while a run is going is skipped, never overlapping', async () => {
  const cron = manualCron();
  const outcomes: RunOutcome[] = [];
  let runs = 0;
  let release!: () => void;
  const s = new ReportScheduler({
    schedule: '* * * * *',
    timezone: 'UTC',
    logger: logger().l,
    cron: cron.factory,
    onOutcome: (o) => outcomes.push(o),
    run: () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    },
  });
  s.start();
  const first = s.tick();
  assert.equal(s.busy, true);
  assert.equal(await s.tick(), 'skipped');
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 1);
  release();
  assert.equal(await first, 'ok');
  assert.equal(s.busy, false);
  cron.fire();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2);
  release();
  await s.stop();
  assert.deepEqual(outcomes, ['skipped', 'ok', 'ok']);
});

test('a failing run is logged and counted, and the schedule goes on', async () => {
  const cron = manualCron();
  const log = logger();
  const outcomes: RunOutcome[] = [];
  let n = 0;
  const s = new ReportScheduler({
    schedule: '0 2 * * *',
    timezone: 'UTC',
    logger: log.l,
    cron: cron.factory,
    onOutcome: (o) => outcomes.push(o),
    run: () => {
      if (++n === 1) throw new Error('database is locked');
    },
  });
  s.start();
  assert.equal(await s.tick(), 'failed');
  assert.equal(await s.tick(), 'ok');
  assert.deepEqual(outcomes, ['failed', 'ok']);
  assert.ok(log.lines.some((l) => l.level === 'error' && /failed; the schedule continues/.test(l.msg)));
  assert.equal(s.started, true);
  await s.stop();
});

test('stop waits for the run in progress', async () => {
  let finished = false;
  const s = new ReportScheduler({
    schedule: '0 2 * * *',
    timezone: 'UTC',
    logger: logger().l,
    cron: manualCron().factory,
    run: async () => {
      await new Promise((r) => setTimeout(r, 20));
      finished = true;
    },
  });
  s.start();
  void s.tick();
  await s.stop();
  assert.equal(finished, true);
});

test('reports: config section: defaults, values, and clear errors with path and line', () => {
  assert.deepEqual(loadServiceConfig({ env: {} }).reports, REPORT_DEFAULTS);
  const dir = tmpDir();
  const ok = join(dir, 'ok.yaml');
  writeFileSync(ok, 'reports:\n  schedule: "30 6 * * 1-5"\n  timezone: Europe/Berlin\n  engine: cilium\n  retention: 7\n  enabled: false\n');
  assert.deepEqual(loadServiceConfig({ file: ok, env: {} }).reports, { ...REPORT_DEFAULTS, schedule: '30 6 * * 1-5', timezone: 'Europe/Berlin', engine: 'cilium', retention: 7, enabled: false });
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'reports:\n  schedule: "61 2 * * *"\n  timezone: Mars/Olympus\n');
  assert.throws(
    () => loadServiceConfig({ file: bad, env: {} }),
    (e: Error) => e instanceof ConfigError && /reports\.schedule: is not a valid cron expression.*"61 2 \* \* \*"/.test(e.message) && /reports\.timezone: is not an IANA time zone.*Mars\/Olympus/.test(e.message),
  );
  const typo = join(dir, 'typo.yaml');
  writeFileSync(typo, 'reports:\n  retention: 0\n  engin: cilium\n');
  assert.throws(() => loadServiceConfig({ file: typo, env: {} }), (e: Error) => e instanceof ConfigError && /reports\.retention \(line 2\)/.test(e.message) && /reports\.engin \(line 3\)/.test(e.message));
});

test('reports.schedule: an expression that matches no date (30 February, 31 April) is refused at start, not a schedule that never runs', () => {
  // croner parses them (each field is in range) and its nextRun() is null: the service started,
  // logged "report schedule started" and never built a report.
  const dir = tmpDir();
  for (const never of ['0 2 30 2 *', '0 2 31 4 *', '0 0 2 31 11 *']) {
    const file = join(dir, 'never.yaml');
    writeFileSync(file, `reports:\n  schedule: "${never}"\n`);
    assert.throws(
      () => loadServiceConfig({ file, env: {} }),
      (e: Error) => e instanceof ConfigError && /reports\.schedule: matches no date, so no report would ever be built/.test(e.message) && e.message.includes(`"${never}"`),
      never,
    );
  }
  // A date that comes only in leap years is a date.
  const leap = join(dir, 'leap.yaml');
  writeFileSync(leap, 'reports:\n  schedule: "0 2 29 2 *"\n  timezone: Europe/Berlin\n');
  assert.equal(loadServiceConfig({ file: leap, env: {} }).reports.schedule, '0 2 29 2 *');
});

test('a scheduled run missed while the service was down runs once when it starts again; none is missed, none is run twice', async () => {
  // Cron (croner, as Vixie cron) runs only the matches that come while it runs: a service down over
  // 02:00 built no report that night, and the next one came a day later.
  const at = (iso: string) => Date.parse(iso);
  async function startedAt(now: string, lastScheduledRun: string | undefined, schedule = '0 2 * * *', timezone = 'Europe/Berlin') {
    const log = logger();
    let runs = 0;
    const s = new ReportScheduler({
      schedule,
      timezone,
      logger: log.l,
      cron: manualCron().factory,
      run: () => void runs++,
      lastScheduledRun: () => (lastScheduledRun === undefined ? undefined : at(lastScheduledRun)),
      now: () => at(now),
    });
    s.start();
    await s.stop(); // waits for a run start() began
    return { runs, log: log.lines };
  }
  // The last nightly report at 02:00 Berlin on 5 December (01:00Z); down over 02:00 on the 6th.
  const missed = await startedAt('2026-12-06T08:00:00Z', '2026-12-05T01:00:07Z');
  assert.equal(missed.runs, 1);
  assert.ok(missed.log.some((l) => l.level === 'info' && /missed while the service was down/.test(l.msg)), JSON.stringify(missed.log));
  // Down for three nights: one report, of the data now.
  assert.equal((await startedAt('2026-12-09T08:00:00Z', '2026-12-05T01:00:07Z')).runs, 1);
  // Started before that night's 02:00: nothing is due yet.
  assert.equal((await startedAt('2026-12-06T00:30:00Z', '2026-12-05T01:00:07Z')).runs, 0);
  // The report of the last match is stored: nothing was missed.
  assert.equal((await startedAt('2026-12-06T08:00:00Z', '2026-12-06T01:00:40Z')).runs, 0);
  // Never ran on a schedule (a new store): nothing to catch up.
  assert.equal((await startedAt('2026-12-06T08:00:00Z', undefined)).runs, 0);
  // Spring forward (Berlin, 29 March 2026): that night's 02:00 runs at 03:00 CEST (01:00Z), so a
  // start at 02:59 CEST (00:59Z) has missed nothing, and one at 04:00 CEST has.
  assert.equal((await startedAt('2026-03-29T00:59:00Z', '2026-03-28T01:00:07Z')).runs, 0);
  assert.equal((await startedAt('2026-03-29T02:00:00Z', '2026-03-28T01:00:07Z')).runs, 1);
  // Fall back (Berlin, 25 October 2026): 02:30 comes twice (00:30Z, 01:30Z) and runs once, at the first.
  assert.equal((await startedAt('2026-10-25T01:45:00Z', '2026-10-25T00:30:09Z', '30 2 * * *')).runs, 0);
});
