/**
 * The Prometheus collector against a real Prometheus: fixture series in the label sets the
 * metrics really carry (Hubble: cilium pkg/hubble/metrics/{port-distribution,tcp,flow}/handler.go
 * and api/context.go; NetObserv: the operator's workload-syn-in FlowMetric sample; Istio: the
 * standard metrics with reporter="destination") are backfilled with promtool, then one pass reads
 * them and the edges in the store are asserted: peers, ports, counts, sources, what was inferred,
 * and what must never become an edge.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig, type PrometheusSettings } from '../../collectors/prometheus/config.ts';
import { runPass, type PassSummary } from '../../collectors/prometheus/pass.ts';
import { PrometheusStore } from '../../collectors/prometheus/store.ts';
import type { Db } from '../../store/db.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { metricPairPage } from '../../store/metric-pairs.ts';
import { runCli } from '../helpers/cli.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

/** A whole hour three hours ago: recent enough for the CLI's real clock to reach with a short lookback. */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const MINUTES = 30;
const END = T0 + MINUTES * 60_000;

/** One counter series rising by `perStep` every 15 s from T0 to END (OpenMetrics timestamps are seconds). */
function series(name: string, labels: Record<string, string>, perStep = 1): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const lines: string[] = [];
  for (let t = T0, v = 1000; t <= END; t += 15_000, v += perStep) lines.push(`${name}{${l}} ${v} ${t / 1000}`);
  return lines.join('\n');
}

const hubbleCtx = (src: [string, string, string], dst: [string, string, string]): Record<string, string> => ({
  source_namespace: src[0],
  source_workload: src[1],
  source_workload_kind: src[2],
  destination_namespace: dst[0],
  destination_workload: dst[1],
  destination_workload_kind: dst[2],
});
const WEB: [string, string, string] = ['shop', 'web', 'Deployment'];
const DB: [string, string, string] = ['shop', 'db', 'StatefulSet'];
const CHECKOUT: [string, string, string] = ['shop', 'checkout', 'Deployment'];

const FIXTURE = [
  // A complete edge: non-reply flows to the destination port (port-distribution handler).
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '5432', ...hubbleCtx(WEB, DB) }),
  // What a reply looks like: db → web on web's ephemeral port, which web does not declare.
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '45678', ...hubbleCtx(DB, WEB) }),
  // sourceContext/destinationContext = workload|ip instead of labelsContext: web pod IP → coredns pod IP, DNS.
  series('hubble_port_distribution_total', { protocol: 'UDP', port: '53', source: '10.244.0.10', destination: '10.244.0.5' }),
  // Malformed: a port label that is no port.
  series('hubble_port_distribution_total', { protocol: 'TCP', port: 'http', ...hubbleCtx(WEB, DB) }),
  // SYNs without a port: checkout → db (db declares one port: 5432), checkout → web (two ports: no edge).
  series('hubble_tcp_flags_total', { flag: 'SYN', family: 'IPv4', ...hubbleCtx(CHECKOUT, DB) }),
  series('hubble_tcp_flags_total', { flag: 'SYN', family: 'IPv4', ...hubbleCtx(CHECKOUT, WEB) }),
  // SYN-ACKs are not read (they would count the same connections again).
  series('hubble_tcp_flags_total', { flag: 'SYN-ACK', family: 'IPv4', ...hubbleCtx(DB, CHECKOUT) }),
  // Every flow event, requests and replies: direction unknown, only ever an ambiguous pair.
  series('hubble_flows_processed_total', { protocol: 'TCP', type: 'Trace', subtype: 'to-endpoint', verdict: 'FORWARDED', ...hubbleCtx(WEB, CHECKOUT) }),
  // NetObserv FlowMetric workload-syn-in (remapped labels).
  series('netobserv_workload_syn_in', { Flags: 'SYN', from_namespace: 'shop', from_workload: 'checkout', from_kind: 'Deployment', from_subnet_label: 'Pods', namespace: 'shop', workload: 'web', kind: 'Deployment', subnet_label: 'Pods', port: '8080' }, 2),
  // NetObserv predefined workload metrics, in the label set flowlogs-pipeline gives them (operator
  // internal/pkg/metrics/predefined_metrics.go mapLabels, tagWorkloads): web → db and its replies db → web.
  series('netobserv_workload_flows_total', { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'shop', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_OwnerName: 'db', DstK8S_OwnerType: 'StatefulSet', DstK8S_Type: 'Pod', SrcSubnetLabel: 'Pods', DstSubnetLabel: 'Pods' }),
  series('netobserv_workload_flows_total', { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'shop', SrcK8S_OwnerName: 'db', SrcK8S_OwnerType: 'StatefulSet', SrcK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_OwnerName: 'web', DstK8S_OwnerType: 'Deployment', DstK8S_Type: 'Pod', SrcSubnetLabel: 'Pods', DstSubnetLabel: 'Pods' }),
  // Traffic to outside the cluster: no Kubernetes fields on the destination.
  series('netobserv_workload_flows_total', { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'shop', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', DstK8S_Namespace: '', DstK8S_OwnerName: '', DstK8S_OwnerType: '', DstK8S_Type: '', SrcSubnetLabel: 'Pods', DstSubnetLabel: '' }),
  series('netobserv_workload_ingress_bytes_total', { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'shop', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_OwnerName: 'db', DstK8S_OwnerType: 'StatefulSet', DstK8S_Type: 'Pod', SrcSubnetLabel: 'Pods', DstSubnetLabel: 'Pods' }, 1500),
  // A namespace pair names no workload: not read.
  series('netobserv_namespace_flows_total', { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'shop', DstK8S_Namespace: 'kube-system', SrcSubnetLabel: 'Pods', DstSubnetLabel: 'Pods' }),
  // Istio: db → web through Service shop/web (port 80 → targetPort "http" = 8080): the port comes from the Service.
  series('istio_requests_total', { reporter: 'destination', source_workload: 'db', source_workload_namespace: 'shop', destination_workload: 'web', destination_workload_namespace: 'shop', destination_service_name: 'web', destination_service_namespace: 'shop', request_protocol: 'http', response_code: '200' }),
  // The same request seen by the client's proxy: not read (counted once, by the server's proxy).
  series('istio_requests_total', { reporter: 'source', source_workload: 'db', source_workload_namespace: 'shop', destination_workload: 'web', destination_workload_namespace: 'shop', destination_service_name: 'web', destination_service_namespace: 'shop', request_protocol: 'http', response_code: '200' }),
  // Reported only by the client's proxy (checkout has no sidecar): web → Service shop/checkout (443 → targetPort https = 8443).
  series('istio_requests_total', { reporter: 'source', source_workload: 'web', source_workload_namespace: 'shop', destination_workload: 'unknown', destination_workload_namespace: 'unknown', destination_service_name: 'checkout', destination_service_namespace: 'shop', request_protocol: 'http', response_code: '200' }),
  // A workload the inventory does not know, named without its kind: not guessed.
  series('istio_requests_total', { reporter: 'destination', source_workload: 'ghost', source_workload_namespace: 'shop', destination_workload: 'web', destination_workload_namespace: 'shop', destination_service_name: 'web', destination_service_namespace: 'shop', request_protocol: 'http', response_code: '200' }),
  // Out of the mesh: unknown source.
  series('istio_tcp_connections_opened_total', { reporter: 'destination', source_workload: 'unknown', source_workload_namespace: 'unknown', destination_workload: 'db', destination_workload_namespace: 'shop', destination_service_name: 'db', destination_service_namespace: 'shop', request_protocol: 'tcp' }),
].join('\n');

// At module level, not in before(): the helpers' cleanup (after()) would run as soon as a hook ends.
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
// OpenMetrics wants each metric family's series together, which FIXTURE keeps.
backfill(`${FIXTURE}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });
const db: Db = tmpDb().db;
importInventory(db, {
  text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'),
  takenAt: T0 - 3_600_000,
  source: 'cluster.json',
});
const settings: PrometheusSettings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: `${MINUTES}m`, delay: '0s', families: ['hubble', 'netobserv', 'istio'] });
const first: PassSummary = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });

/** Stored edges with their peers as keys. */
function edges() {
  return new EdgeStore(db).list().map((e) => ({ ...e, client: peerKey(e.client), server: peerKey(e.server) }));
}

function edge(client: string, server: string, port: number, protocol = 'TCP') {
  return edges().find((e) => e.client === client && e.server === server && e.port === port && e.protocol === protocol);
}

test('one pass: one query per metric, all done, over the window (T0, END]', () => {
  assert.equal(first.status, 'done');
  assert.deepEqual(
    first.queries.map((q) => [q.query, q.status, q.from, q.to]),
    [
      'hubble_port_distribution_total{}',
      'hubble_tcp_flags_total{flag="SYN"}',
      'hubble_flows_processed_total{}',
      'netobserv_workload_syn_in{}',
      'netobserv_workload_flows_total{}',
      'netobserv_workload_ingress_bytes_total{}',
      'netobserv_workload_ingress_packets_total{}',
      'istio_tcp_connections_opened_total{reporter="destination"}',
      'istio_tcp_connections_opened_total{reporter="source"} unless destination-reported',
      'istio_requests_total{reporter="destination"}',
      'istio_requests_total{reporter="source"} unless destination-reported',
    ].map((q) => [q, 'done', new Date(T0).toISOString(), new Date(END).toISOString()]),
  );
});

test('Hubble port_distribution: a complete edge with the increments as flows (4 per minute × 30 minutes)', () => {
  const e = edge('workload:shop/Deployment/web', 'workload:shop/StatefulSet/db', 5432);
  assert.ok(e, 'web → db:5432');
  assert.equal(e.flows, 120);
  assert.equal(e.forwarded, 120);
  assert.deepEqual(e.sources, ['prometheus']);
  assert.equal(e.firstSeen, T0 + 60_000);
  assert.equal(e.lastSeen, END);
});

test('Hubble with source/destination context IPs: resolved through the IP history to the same peers as flow records', () => {
  const e = edge('workload:shop/Deployment/web', 'dns:kube-system/Deployment/coredns', 53, 'UDP');
  assert.ok(e, 'web → coredns:53/UDP');
  assert.equal(e.flows, 120);
});

test('a reply-shaped series (undeclared ephemeral destination port) never becomes an edge', () => {
  assert.equal(edges().filter((e) => e.port === 45678).length, 0);
  assert.ok((first.reasons['possible-reply'] ?? 0) > 0);
});

test('tcp_flags SYN without a port: an edge only on the one port the server declares, and the gap says so', () => {
  const e = edge('workload:shop/Deployment/checkout', 'workload:shop/StatefulSet/db', 5432);
  assert.ok(e, 'checkout → db:5432 (inferred)');
  assert.equal(e.flows, 120);
  // web declares 8080 and 9090: no edge from tcp_flags for checkout → web; the NetObserv edge is on 8080 only.
  assert.deepEqual(
    edges()
      .filter((x) => x.client === 'workload:shop/Deployment/checkout' && x.server === 'workload:shop/Deployment/web')
      .map((x) => [x.port, x.flows]),
    [[8080, 240]],
  );
  const gaps = new PrometheusStore(db).gaps().map((g) => [g.client, g.server, g.port, g.metric, g.filledBy, g.flows]);
  assert.deepEqual(gaps, [
    ['workload:shop/Deployment/checkout', 'workload:shop/Deployment/web', 0, 'hubble_tcp_flags_total', 'none', 120],
    ['workload:shop/Deployment/checkout', 'workload:shop/StatefulSet/db', 5432, 'hubble_tcp_flags_total', 'declared-port', 120],
    ['workload:shop/StatefulSet/db', 'workload:shop/Deployment/web', 8080, 'istio_requests_total', 'service-port', 120],
    ['workload:shop/Deployment/web', 'workload:shop/Deployment/checkout', 8443, 'istio_requests_total', 'service-port', 120],
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))));
});

test('flows_processed (no direction, no port) is only an ambiguous pair', () => {
  assert.equal(edge('workload:shop/Deployment/web', 'workload:shop/Deployment/checkout', 0), undefined);
  const pairs = new EdgeStore(db).listAmbiguous().map((p) => [peerKey(p.peerA), peerKey(p.peerB), p.portA, p.portB, p.flows, p.sources]);
  assert.deepEqual(
    pairs.filter(([a]) => a === 'workload:shop/Deployment/checkout'),
    [['workload:shop/Deployment/checkout', 'workload:shop/Deployment/web', 0, 0, 120, ['prometheus']]],
  );
});

test('NetObserv workload-syn-in: from_* is the client, port is the server port', () => {
  assert.equal(edge('workload:shop/Deployment/checkout', 'workload:shop/Deployment/web', 8080)?.flows, 240);
});

test('Istio reporter=destination: the port from the Service (80 → targetPort http = 8080); unknown and unstored workloads are not guessed', () => {
  const e = edge('workload:shop/StatefulSet/db', 'workload:shop/Deployment/web', 8080);
  assert.ok(e);
  assert.equal(e.flows, 120, 'reporter="source" is not counted again');
  assert.equal(edges().filter((x) => x.client.includes('ghost') || x.server.includes('ghost')).length, 0);
  assert.equal(first.reasons['unknown-workload'], 30);
  assert.equal(first.reasons['unknown-peer'], 30, 'one per step');
});

test('Istio reporter="source" where no destination report exists: the client\'s report, to the addressed Service\'s backends, verdict unknown', () => {
  const e = edge('workload:shop/Deployment/web', 'workload:shop/Deployment/checkout', 8443);
  assert.ok(e, 'web → checkout:8443 (Service shop/checkout 443 → https)');
  assert.equal(e.flows, 120);
  assert.equal(e.forwarded, 0, 'no server proxy confirmed it arrived');
  assert.deepEqual(e.sources, ['prometheus']);
});

test('NetObserv predefined workload metrics: an observed pair (unordered, no port, protocol or direction), never an edge', () => {
  const pairs = metricPairPage(db, { limit: 100 }).pairs.map((p) => [peerKey(p.peerA), peerKey(p.peerB), p.metric, p.lacks.join(','), p.flows, p.bytes, p.packets, p.firstSeen, p.lastSeen]);
  assert.deepEqual(pairs, [
    // Both directions (request and reply series) fold into one pair: 2 × 4 per minute × 30 minutes.
    ['workload:shop/Deployment/web', 'workload:shop/StatefulSet/db', 'netobserv_workload_flows_total', 'direction,port,protocol', 240, 0, 0, T0 + 60_000, END],
    ['workload:shop/Deployment/web', 'workload:shop/StatefulSet/db', 'netobserv_workload_ingress_bytes_total', 'direction,port,protocol', 0, 1500 * 4 * MINUTES, 0, T0 + 60_000, END],
  ]);
  // No edge and no ambiguous pair from them: the web–db edges are Hubble's (5432) and Istio's (8080), 120 flows each.
  assert.deepEqual(
    edges().filter((e) => [e.client, e.server].includes('workload:shop/StatefulSet/db') && [e.client, e.server].includes('workload:shop/Deployment/web')).map((e) => [e.client, e.port, e.flows]),
    [['workload:shop/Deployment/web', 5432, 120], ['workload:shop/StatefulSet/db', 8080, 120]],
  );
  // The one ambiguous web–db pair is Hubble's reply-shaped series (on web's port 45678), with its 120 flows only.
  assert.deepEqual(
    new EdgeStore(db).listAmbiguous().filter((p) => peerKey(p.peerA).includes('/db') || peerKey(p.peerB).includes('/db')).map((p) => [p.portA + p.portB, p.flows]),
    [[45678, 120]],
  );
  assert.equal(first.pairs, 1);
  assert.equal(first.reasons['outside-cluster'], 30, 'the external series, one per step');
});

test('a malformed series is rejected and counted, the rest stored', () => {
  assert.equal(first.reasons['invalid-label'], 30, 'one per step of the series');
  assert.deepEqual(first.examples[0], {
    query: 'hubble_port_distribution_total{}',
    reason: 'invalid-label',
    label: 'port',
    value: 'http',
    // The series it came from: the label alone cannot be found among thousands.
    series: '{destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet",port="http",protocol="TCP",source_namespace="shop",source_workload="web",source_workload_kind="Deployment"}',
  });
});

test('a second pass at the same time counts nothing twice; the cursors moved to END', async () => {
  const before = new EdgeStore(db).list();
  const again = await runPass({ db, api: new PrometheusApi(settings), settings, now: END + 30_000, limits: DEFAULT_INGEST_LIMITS });
  assert.equal(again.status, 'done');
  assert.ok(again.queries.every((q) => q.status === 'up-to-date'));
  assert.deepEqual(new EdgeStore(db).list(), before);
  assert.equal(new PrometheusStore(db).cursor(settings.url, 'hubble_port_distribution_total{}'), END);
});

test('`flowmatrix collect prometheus --once --url`: one pass with the config section overridden, a JSON summary; exit 1 when unreachable', async () => {
  const { db: cliDb, path } = tmpDb();
  importInventory(cliDb, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });
  cliDb.close();
  const dir = tmpDir();
  const config = join(dir, 'flowmatrix.yaml');
  // The file names another server and a delay; --url overrides the first, the file's lookback reaches back to T0.
  const lookbackMin = Math.ceil((Date.now() - T0) / 60_000) + 1;
  writeFileSync(config, `collectors:\n  prometheus:\n    url: http://127.0.0.1:1\n    families: [netobserv]\n    delay: 0s\n    lookback: ${lookbackMin}m\n`);
  const ok = await runCli(['collect', 'prometheus', '--once', '--config', config, '--db', path, '--url', prom.url]);
  assert.equal(ok.code, 0, ok.err);
  const summary = JSON.parse(ok.out) as PassSummary;
  assert.deepEqual(summary.queries.map((q) => [q.query, q.status]), ['netobserv_workload_syn_in{}', 'netobserv_workload_flows_total{}', 'netobserv_workload_ingress_bytes_total{}', 'netobserv_workload_ingress_packets_total{}'].map((q) => [q, 'done']));
  // The lookback reaches before T0, where the series begins at 1000: a new series' first value is flows too (countPerStep).
  assert.equal(summary.flows, 1000 + 240);
  assert.equal(summary.edges, 1);
  assert.equal(summary.pairs, 1);

  // Only the syn-in FlowMetric and one predefined metric; a namespace metric is refused by name.
  const { path: path2 } = tmpDb();
  const one = await runCli(['collect', 'prometheus', '--once', '--config', config, '--db', path2, '--url', prom.url, '--netobserv-predefined', 'netobserv_workload_flows_total']);
  assert.equal(one.code, 0, one.err);
  assert.deepEqual((JSON.parse(one.out) as PassSummary).queries.map((q) => q.query), ['netobserv_workload_syn_in{}', 'netobserv_workload_flows_total{}']);
  const ns = await runCli(['collect', 'prometheus', '--once', '--config', config, '--db', path2, '--url', prom.url, '--netobserv-predefined', 'namespace_flows_total']);
  assert.equal(ns.code, 1);
  assert.match(ns.err, /netobserv\.predefined: namespace_flows_total names no workload/);

  const down = await runCli(['collect', 'prometheus', '--once', '--config', config, '--db', path]);
  assert.equal(down.code, 1);
  assert.match(down.err, /http:\/\/127\.0\.0\.1:1: netobserv_workload_syn_in\{\}: ECONNREFUSED/);

  const noUrl = await runCli(['collect', 'prometheus', '--once', '--db', path]);
  assert.equal(noUrl.code, 1);
  assert.match(noUrl.err, /collectors\.prometheus\.url is required \(or --url\)/);
});

test('a window answering more series than maxSeries is read in parts split by label values (each series once, the flows counted as a whole read counts them), and the next pass reads on from its end', async () => {
  const spiky = tmpDb().db;
  const capped: PrometheusSettings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: `${MINUTES}m`, delay: '0s', families: ['hubble'], maxSeries: 1 });
  const name = 'hubble_port_distribution_total{}';
  const p1 = await runPass({ db: spiky, api: new PrometheusApi(capped), settings: capped, now: END, limits: DEFAULT_INGEST_LIMITS });
  const row = p1.queries.find((q) => q.query === name)!;
  const whole = first.queries.find((q) => q.query === name)!;
  assert.equal(row.status, 'done', JSON.stringify(row));
  assert.equal(row.series, whole.series, 'every series, once');
  assert.ok((row.parts ?? 0) >= whole.series, 'one series per part at maxSeries 1');
  assert.equal(new PrometheusStore(spiky).cursor(capped.url, name), Date.parse(row.to!), 'the cursor moved past the window');
  const p2 = await runPass({ db: spiky, api: new PrometheusApi(capped), settings: capped, now: END + 5 * 60_000, limits: DEFAULT_INGEST_LIMITS });
  assert.notEqual(p2.queries.find((q) => q.query === name)?.from, row.from, 'the window is not asked again');
});
