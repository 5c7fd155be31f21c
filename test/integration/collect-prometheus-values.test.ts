/**
 * A series whose values are no counts (NaN in the TSDB, as an exporter bug writes them) is
 * rejected point by point (`invalid-value`), and the pass's examples say which series and when —
 * its labels and the point's time, one example per series — so an operator can find it. A real
 * Prometheus (Debian package) backfilled with promtool.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const END = T0 + 10 * 60_000;
const labels = 'protocol="TCP",port="5432",source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet"';
const lines: string[] = [];
const huge = labels.replace('destination_workload="db"', 'destination_workload="cache"');
const badNamespace = labels.replace('source_namespace="shop"', 'source_namespace="Shop_Bad"');
for (let t = T0, i = 0; t <= END; t += 15_000, i++) {
  lines.push(`hubble_port_distribution_total{${labels}} NaN ${t / 1000}`);
  // An exporter's garbage: a counter that jumps to 1e300, more than any count the store holds exactly.
  lines.push(`hubble_port_distribution_total{${huge}} ${i < 20 ? i : 1e300} ${t / 1000}`);
  lines.push(`hubble_port_distribution_total{${badNamespace}} ${i} ${t / 1000}`);
}
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

test('values that are no counts are rejected, and the examples name the series and the time, once per series', async () => {
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '10m', delay: '0s', families: ['hubble'] });
  const pass = await runPass({ db: tmpDb().db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  assert.ok((pass.reasons['invalid-value'] ?? 0) > 1, JSON.stringify(pass.reasons));
  const examples = pass.examples.filter((e) => e.reason === 'invalid-value');
  assert.equal(examples.length, 2, 'one example per series');
  const nan = examples.find((e) => e.value === 'NaN')!;
  assert.equal(nan.series, `{${labels.split(',').sort().join(',')}}`);
  assert.ok(Date.parse(nan.at ?? '') > T0, nan.at);
  assert.match(examples.find((e) => e.value !== 'NaN')?.value ?? '', /e\+\d{3}$/, 'the 1e300 increase is no count');
  assert.equal(examples.find((e) => e.value !== 'NaN')?.series, `{${huge.split(',').sort().join(',')}}`);
});

test('a label that is no Kubernetes name is rejected, and its example names the series it came from', async () => {
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '10m', delay: '0s', families: ['hubble'] });
  const pass = await runPass({ db: tmpDb().db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  const bad = pass.examples.find((e) => e.reason === 'invalid-label');
  assert.deepEqual([bad?.label, bad?.value], ['source', 'Shop_Bad']);
  assert.equal(bad?.series, `{${badNamespace.split(',').sort().join(',')}}`);
});
