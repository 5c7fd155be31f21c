/**
 * Series whose endpoint names something flowmatrix cannot place are skipped, counted by reason and
 * shown among the pass's examples; they are never stored as an edge with an `unknown:` peer of no
 * address (a row no read takes back: its flows vanished from every recommendation, unsaid).
 *
 * - Hubble's `*_workload_kind` is the pod's controller kind (cilium pkg/k8s/utils/workload.go
 *   GetWorkloadMetaFromPod: Deployment and CronJob by heuristics, otherwise the controller's own
 *   kind): a Strimzi `StrimziPodSet`, a CloudNativePG `Cluster` or any CRD's kind comes through as
 *   is (Argo `Rollout` and OpenShift `DeploymentConfig` are workload kinds: tested in
 *   test/unit/flows-resolve-controllers.test.ts).
 *   The inventory holds such pods as bare pods (collectors/inventory/snapshot.ts resolvePod), and a
 *   series names no pod or address to find them by: `unsupported-workload-kind`.
 * - An Istio client report to a Service the inventory does not know (no backends to resolve it to):
 *   `unknown-service`.
 *
 * A real Prometheus backfilled with promtool.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importInventory } from '../../app/inventory.ts';
import { test } from 'node:test';
import { pino } from 'pino';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { PrometheusCollector } from '../../collectors/prometheus/collector.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass, type PassSummary } from '../../collectors/prometheus/pass.ts';
import { EdgeStore } from '../../store/edges.ts';
import { newSkippedRows } from '../../store/row-check.ts';
import { peerKey } from '../../domain/peer.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const END = T0 + 10 * 60_000;
const hubble = (srcKind: string): string =>
  `protocol="TCP",port="5432",source_namespace="shop",source_workload="canary",source_workload_kind="${srcKind}",destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet"`;
const known = hubble('Deployment').replace('source_workload="canary"', 'source_workload="web"');
const istioToGhost = 'reporter="source",source_workload="web",source_workload_namespace="shop",destination_workload="unknown",destination_workload_namespace="unknown",destination_service_name="ghost",destination_service_namespace="shop"';
const lines: string[] = [];
for (let t = T0, i = 0; t <= END; t += 15_000, i++) {
  for (const l of [hubble('StrimziPodSet'), hubble('Cluster'), known]) lines.push(`hubble_port_distribution_total{${l}} ${i} ${t / 1000}`);
  lines.push(`istio_tcp_connections_opened_total{${istioToGhost}} ${i} ${t / 1000}`);
}
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

const { db } = tmpDb();
// shop/Deployment/web, shop/StatefulSet/db and their Services; no shop/ghost.
importInventory(db, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });
const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '10m', delay: '0s', families: ['hubble', 'istio'] });
const pass: PassSummary = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
const STEPS = 10;

test('a workload kind flowmatrix does not model (StrimziPodSet, a CloudNativePG Cluster) is skipped with its reason and an example, never an edge', () => {
  assert.equal(pass.reasons['unsupported-workload-kind'], 2 * STEPS, JSON.stringify(pass.reasons));
  const ex = pass.examples.filter((e) => e.reason === 'unsupported-workload-kind');
  assert.deepEqual(ex.map((e) => [e.label, e.value]).sort(), [['source', 'shop/Cluster/canary'], ['source', 'shop/StrimziPodSet/canary']]);
  assert.equal(ex.find((e) => e.value === 'shop/StrimziPodSet/canary')?.series, `{${hubble('StrimziPodSet').split(',').sort().join(',')}}`);
});

test('an Istio report to a Service the inventory does not know is skipped (unknown-service), never an edge', () => {
  assert.equal(pass.reasons['unknown-service'], STEPS, JSON.stringify(pass.reasons));
  const ex = pass.examples.find((e) => e.reason === 'unknown-service');
  assert.deepEqual([ex?.label, ex?.value], ['destination', 'shop/ghost']);
});

test('what was skipped is counted skipped, not accepted; the known series is the one edge, and every stored row reads back', () => {
  assert.equal(pass.skipped, 3 * STEPS);
  assert.equal(pass.accepted, STEPS, 'the known series, one count per step');
  const skipped = newSkippedRows();
  const edges = new EdgeStore(db).list({}, skipped).map((e) => [peerKey(e.client), peerKey(e.server), e.port]);
  assert.deepEqual(skipped.count, 0, JSON.stringify(skipped.examples));
  assert.deepEqual(edges, [['workload:shop/Deployment/web', 'workload:shop/StatefulSet/db', 5432]]);
  const raw = db.prepare("SELECT count(*) AS n FROM edges WHERE client LIKE 'unknown:%' OR server LIKE 'unknown:%'").get() as { n: number };
  assert.equal(raw.n, 0);
});

test('the collector under `serve` keeps the pass\'s examples in its status (rejections) and logs each reason once', async () => {
  const { db: live } = tmpDb();
  importInventory(live, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });
  const logs: { msg: string; reasons?: Record<string, number> }[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => logs.push(JSON.parse(s) as (typeof logs)[number]) });
  const c = new PrometheusCollector(settings, { db: live, logger, now: () => END, ingest: DEFAULT_INGEST_LIMITS });
  await c.once();
  const rejections = c.status().rejections ?? [];
  assert.deepEqual(
    rejections.map((r) => [r.reason, r.field, r.value]),
    [
      ['unsupported-workload-kind', 'source', 'shop/Cluster/canary'],
      ['unsupported-workload-kind', 'source', 'shop/StrimziPodSet/canary'],
      ['unknown-service', 'destination', 'shop/ghost'],
    ],
  );
  assert.match(rejections[1]!.record, /^hubble_port_distribution_total\{\} \{.*source_workload_kind="StrimziPodSet"\}$/);
  assert.deepEqual(logs.map((l) => l.reasons), [{ 'unknown-service': STEPS, 'unsupported-workload-kind': 2 * STEPS }]);
});
