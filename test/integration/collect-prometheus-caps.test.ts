/**
 * Series labels are as attacker-controlled as flow records: one pass of the Prometheus collector
 * keeps to the service's edge caps as `ingest` does (docs/ingest.md, "Bounded by design"): past
 * the per-workload cap, a workload only series name (not in the inventory) is refused and the
 * point counted as skipped (`edge-cap`). A real Prometheus (Debian package) backfilled with promtool.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { EdgeStore } from '../../store/edges.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const END = T0 + 10 * 60_000;
const TARGETS = 20;
const lines: string[] = [];
for (let i = 0; i < TARGETS; i++) {
  const labels = `protocol="TCP",port="8080",source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="made-up-${i}",destination_workload_kind="Deployment"`;
  for (let t = T0, v = 0; t <= END; t += 15_000, v += 4) lines.push(`hubble_port_distribution_total{${labels}} ${v} ${t / 1000}`);
}
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.sort((a, b) => Number(a.split(' ').at(-1)) - Number(b.split(' ').at(-1))).join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

test('a pass keeps to ingest.maxEdgesPerWorkload: made-up workload names past the cap are refused and counted as skipped', async () => {
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '10m', delay: '0s', families: ['hubble'] });
  const { db } = tmpDb();
  const limits = { ...DEFAULT_INGEST_LIMITS, caps: { maxEdgesPerWorkload: 5, maxEdgesPerRun: 1_000 } };
  const pass = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits });
  const web = new EdgeStore(db).list().filter((e) => e.client.kind === 'workload' && e.client.workload.name === 'web');
  assert.equal(web.length, 5, `web's edges: ${web.length}`);
  assert.ok((pass.reasons['edge-cap'] ?? 0) > 0 && pass.skipped === pass.reasons['edge-cap'], JSON.stringify(pass.reasons));
  // The next pass counts what is stored: nothing new past the cap.
  const again = await runPass({ db, api: new PrometheusApi(settings), settings, now: END + 5 * 60_000, limits });
  assert.equal(again.status, 'done');
  assert.equal(new EdgeStore(db).list().filter((e) => e.client.kind === 'workload' && e.client.workload.name === 'web').length, 5);
});
