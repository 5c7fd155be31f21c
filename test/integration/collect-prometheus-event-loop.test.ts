/**
 * `serve` runs the Prometheus collector's passes on its event loop, and one answer may hold
 * maxSeries × window ÷ step points (50,000 series × 360 steps after six hours away): recording
 * them in one go held /healthz for as long. A pass lets the event loop turn every
 * POINTS_PER_TURN points it records. A real Prometheus (Debian package) backfilled with promtool.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { POINTS_PER_TURN, runPass } from '../../collectors/prometheus/pass.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const SAMPLE = 15_000;
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 8 * 3_600_000;
const END = T0 + 4 * 3_600_000;
const SERIES = 80;
const lines: string[] = [];
for (let t = T0; t <= END; t += SAMPLE) {
  for (let i = 0; i < SERIES; i++) {
    const labels = `protocol="TCP",port="8080",source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="api-${i}",destination_workload_kind="Deployment"`;
    lines.push(`hubble_port_distribution_total{${labels}} ${((t - T0) / SAMPLE) * 3} ${t / 1000}`);
  }
}
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

test('a pass lets the event loop turn while it records a large answer', async () => {
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '4h', maxWindow: '4h', delay: '0s', families: ['hubble'] });
  const { db } = tmpDb();
  const api = new PrometheusApi(settings);
  // The family asks several metrics; the turns counted are those from the moment the large answer
  // is in hand to the next question (or the pass's end): only its recording and commit run then.
  let turns = 0;
  let stop = false;
  const spin = (): void => {
    turns++;
    if (!stop) setImmediate(spin);
  };
  let large: { points: number; turnsAtAnswer: number; turnsAfter?: number } | undefined;
  const range = api.range.bind(api);
  api.range = async (...args: Parameters<typeof api.range>) => {
    if (large && large.turnsAfter === undefined) large.turnsAfter = turns - large.turnsAtAnswer;
    const answer = await range(...args);
    const points = answer.reduce((n, s) => n + s.points.length, 0);
    if (points > 0) large = { points, turnsAtAnswer: turns };
    return answer;
  };
  setImmediate(spin);
  const pass = await runPass({ db, api, settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  stop = true;
  assert.equal(pass.status, 'done', JSON.stringify(pass.queries));
  assert.ok(large !== undefined && large.points > 3 * POINTS_PER_TURN, `the largest answer held ${large?.points} points`);
  const after = large.turnsAfter ?? turns - large.turnsAtAnswer;
  // One turn per POINTS_PER_TURN points at least (the last series' points may end without one).
  assert.ok(after >= Math.floor(large.points / POINTS_PER_TURN) - 1, `the event loop turned ${after} times while ${large.points} points were recorded`);
});
