/**
 * Reading metric series into flows, input → expected reading, each citing where the label
 * semantics come from; and the collector's config checks (every problem names its key).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { COLLECTORS } from '../../app/collectors.ts';
import { prometheusCollector } from '../../collectors/prometheus/index.ts';
import { ConfigError, loadServiceConfig } from '../../server/config/load.ts';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { hubbleEndpoint } from '../../collectors/prometheus/families/hubble.ts';
import { istioQueries, readIstio, readIstioSourceOnly } from '../../collectors/prometheus/families/istio.ts';
import { readNetobservPredefined } from '../../collectors/prometheus/families/netobserv-predefined.ts';
import { readNetobserv } from '../../collectors/prometheus/families/netobserv.ts';
import { parseDuration, resolvePrometheusConfig, type ScraperRef } from '../../collectors/prometheus/config.ts';
import { flowCount } from '../../collectors/prometheus/pass.ts';
import { promql } from '../../collectors/prometheus/series.ts';
import { checkedFamilies, checkedNames } from '../../collectors/prometheus/series.ts';
import { readTarget, scraperListenPort, TargetCursors, type TargetNames } from '../../collectors/prometheus/targets.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

// cilium Documentation/observability/metrics.rst "Context Options": labelsContext labels.
test('Hubble labelsContext: namespace + workload (+ kind) is a workload; pod; ip', () => {
  assert.deepEqual(hubbleEndpoint({ source_namespace: 'shop', source_workload: 'web', source_workload_kind: 'Deployment' }, 'source', ['workload']), { kind: 'workload', namespace: 'shop', name: 'web', workloadKind: 'Deployment' });
  assert.deepEqual(hubbleEndpoint({ destination_namespace: 'shop', destination_pod: 'db-0' }, 'destination', ['workload']), { kind: 'pod', namespace: 'shop', pod: 'db-0' });
  assert.deepEqual(hubbleEndpoint({ source_ip: '10.0.0.1' }, 'source', ['workload']), { kind: 'ip', ip: '10.0.0.1' });
});

// Same page: `workload` = namespace/workload-name, `pod` = namespace/pod, `|` = first non-empty.
test('Hubble source/destination context: read as the configured context says', () => {
  assert.deepEqual(hubbleEndpoint({ source: 'shop/web' }, 'source', ['workload', 'ip']), { kind: 'workload', namespace: 'shop', name: 'web' });
  assert.deepEqual(hubbleEndpoint({ source: 'shop/web-6b9f8c7d54-x2x9k' }, 'source', ['pod']), { kind: 'pod', namespace: 'shop', pod: 'web-6b9f8c7d54-x2x9k' });
  assert.deepEqual(hubbleEndpoint({ source: '10.244.0.10' }, 'source', ['workload', 'ip']), { kind: 'ip', ip: '10.244.0.10' });
  assert.deepEqual(hubbleEndpoint({ source: 'web' }, 'source', ['workload-name']), { kind: 'workload', namespace: '', name: 'web' });
  // reserved-identity: kube-apiserver wins over other reserved labels (metrics.rst note).
  assert.deepEqual(hubbleEndpoint({ destination: 'reserved:kube-apiserver' }, 'destination', ['reserved-identity']), { kind: 'apiserver' });
  assert.deepEqual(hubbleEndpoint({ destination: 'reserved:world' }, 'destination', ['reserved-identity']), { kind: 'skip', reason: 'reserved-identity' });
  assert.deepEqual(hubbleEndpoint({ source: 'shop' }, 'source', ['namespace']), { kind: 'skip', reason: 'not-a-workload' });
  // pod-short is the pod name shortened (cilium api/context.go shortenPodName): web-cache-0 → shop/web, another workload's name.
  assert.deepEqual(hubbleEndpoint({ source: 'shop/web' }, 'source', ['pod-short']), { kind: 'skip', reason: 'pod-short-context' });
  // After workload, it writes the value of a pod no controller owns: the value can be either.
  assert.deepEqual(hubbleEndpoint({ source: 'shop/web' }, 'source', ['workload', 'pod-short']), { kind: 'skip', reason: 'pod-short-context' });
  // After pod, never used: every pod has a name.
  assert.deepEqual(hubbleEndpoint({ source: 'shop/web-cache-0' }, 'source', ['pod', 'pod-short']), { kind: 'pod', namespace: 'shop', pod: 'web-cache-0' });
  assert.deepEqual(hubbleEndpoint({}, 'source', ['workload']), { kind: 'reject', reason: 'missing-label', label: 'source' });
});

// netobserv config/samples/flowmetrics/workload-syn-in.yaml and workload-syn-out.yaml remaps; Flags=SYN filter.
test('NetObserv: both sample layouts and the native field names; only Flags=SYN tells the client', () => {
  const synIn = readNetobserv({ Flags: 'SYN', from_namespace: 'a', from_workload: 'x', from_kind: 'Deployment', namespace: 'b', workload: 'y', kind: 'StatefulSet', port: '5432' });
  assert.deepEqual(synIn, { kind: 'flow', flow: { src: { kind: 'workload', namespace: 'a', name: 'x', workloadKind: 'Deployment' }, dst: { kind: 'workload', namespace: 'b', name: 'y', workloadKind: 'StatefulSet' }, protocol: 'TCP', direction: 'src-is-client', verdict: 'unknown', port: 5432 } });
  const synOut = readNetobserv({ Flags: 'SYN', namespace: 'a', workload: 'x', kind: 'Deployment', to_namespace: 'b', to_workload: 'y', to_kind: 'StatefulSet', port: '5432' });
  assert.deepEqual(synOut, synIn);
  const native = readNetobserv({ SrcK8S_Namespace: 'a', SrcK8S_OwnerName: 'x', SrcK8S_OwnerType: 'Deployment', DstK8S_Namespace: '', DstK8S_OwnerName: 'node-a', DstK8S_OwnerType: 'Node', DstPort: '10250', Proto: '6' });
  assert.deepEqual(native, { kind: 'flow', flow: { src: { kind: 'workload', namespace: 'a', name: 'x', workloadKind: 'Deployment' }, dst: { kind: 'node', name: 'node-a' }, protocol: 'TCP', direction: 'unknown', verdict: 'unknown', port: 10250 } });
  assert.deepEqual(readNetobserv({ SrcK8S_Namespace: 'a', SrcK8S_OwnerName: 'x', DstK8S_Namespace: 'b', DstK8S_OwnerName: 'y' }), { kind: 'reject', reason: 'missing-label', label: 'Proto' });
  assert.deepEqual(readNetobserv({ Flags: 'SYN', from_namespace: 'a', from_workload: 'x', namespace: 'b', workload: 'y', port: '99999' }), { kind: 'reject', reason: 'invalid-label', label: 'port', value: '99999' });
  // Port 0 is no TCP port: stored, such an edge failed every recommendation that read it.
  assert.deepEqual(readNetobserv({ Flags: 'SYN', from_namespace: 'a', from_workload: 'x', namespace: 'b', workload: 'y', port: '0' }), { kind: 'reject', reason: 'invalid-label', label: 'port', value: '0' });
});

test('names that are no Kubernetes names are rejected naming the side and the value, never stored (an edge no read takes back)', () => {
  const flow = (src: Record<string, string>) => readNetobserv({ Flags: 'SYN', ...src, namespace: 'b', workload: 'y', kind: 'StatefulSet', port: '5432' });
  assert.deepEqual(checkedNames(flow({ from_namespace: 'shop"x\\y', from_workload: 'x', from_kind: 'Deployment' })), { kind: 'reject', reason: 'invalid-label', label: 'source', value: 'shop"x\\y' });
  assert.deepEqual(checkedNames(flow({ from_namespace: 'shop', from_workload: 'wé b', from_kind: 'Deployment' })), { kind: 'reject', reason: 'invalid-label', label: 'source', value: 'wé b' });
  assert.deepEqual(checkedNames(flow({ from_namespace: 'shop', from_workload: 'x'.repeat(300), from_kind: 'Deployment' })).kind, 'reject');
  const ok = flow({ from_namespace: 'shop', from_workload: 'web', from_kind: 'Deployment' });
  assert.equal(checkedNames(ok), ok);
});

test('a series whose two addresses are of two families is rejected naming both (one flow, one IP header); an IPv4-mapped address is IPv4', () => {
  const series = (src: string, dst: string) => readNetobserv({ SrcAddr: src, DstAddr: dst, DstPort: '9090', Proto: '6', Flags: 'SYN' });
  assert.deepEqual(checkedFamilies(series('10.244.1.10', 'fd00:244:1::14')), { kind: 'reject', reason: 'invalid-label', label: 'source, destination', value: '10.244.1.10, fd00:244:1::14' });
  for (const [src, dst] of [['::ffff:10.244.1.10', '10.244.2.20'], ['fd00:244:1::a', 'fd00:244:1::14'], ['10.0.0.1', '10.0.0.2']]) {
    const ok = series(src!, dst!);
    assert.equal(checkedFamilies(ok), ok, `${src} ${dst}`);
  }
  const hubble = hubbleEndpoint({ source_ip: '10.0.0.1' }, 'source', ['workload']);
  const pair = { kind: 'pair', pair: { a: hubble, b: { kind: 'ip', ip: 'fd00::1' }, counts: 'flows' } } as const;
  assert.equal(checkedFamilies(pair as never).kind, 'reject');
});

// Istio standard metrics: source_* is the client; "unknown" when the proxy could not tell.
test('Istio: workloads, the addressed Service, unknown peers skipped', () => {
  const r = readIstio({ source_workload: 'sleep', source_workload_namespace: 'default', destination_workload: 'httpbin', destination_workload_namespace: 'default', destination_service_name: 'httpbin', destination_service_namespace: 'default' });
  assert.deepEqual(r, { kind: 'flow', flow: { src: { kind: 'workload', namespace: 'default', name: 'sleep' }, dst: { kind: 'workload', namespace: 'default', name: 'httpbin' }, protocol: 'TCP', direction: 'src-is-client', verdict: 'forwarded', meshReported: true, service: { namespace: 'default', name: 'httpbin' } } });
  assert.deepEqual(readIstio({ source_workload: 'unknown', source_workload_namespace: 'unknown', destination_workload: 'httpbin', destination_workload_namespace: 'default' }), { kind: 'skip', reason: 'unknown-peer' });
});

// Istio: a client proxy's report (reporter="source") is read only where no server report exists (Kiali,
// graph/telemetry/istio/istio.go); its destination workload is "unknown" when the server has no sidecar.
test('Istio source-only reports: the workload when known, else the addressed Service; verdict unknown', () => {
  const toSvc = readIstioSourceOnly({ source_workload: 'sleep', source_workload_namespace: 'default', destination_workload: 'unknown', destination_workload_namespace: 'unknown', destination_service_name: 'legacy', destination_service_namespace: 'default' });
  assert.deepEqual(toSvc, { kind: 'flow', flow: { src: { kind: 'workload', namespace: 'default', name: 'sleep' }, dst: { kind: 'service', namespace: 'default', name: 'legacy' }, protocol: 'TCP', direction: 'src-is-client', verdict: 'unknown', meshReported: true, service: { namespace: 'default', name: 'legacy' } } });
  const toWl = readIstioSourceOnly({ source_workload: 'sleep', source_workload_namespace: 'default', destination_workload: 'httpbin', destination_workload_namespace: 'default', destination_service_name: 'unknown', destination_service_namespace: 'unknown' });
  assert.deepEqual(toWl.kind === 'flow' && [toWl.flow.dst, toWl.flow.service], [{ kind: 'workload', namespace: 'default', name: 'httpbin' }, undefined]);
  // PassthroughCluster / an external host: nothing in the cluster to name.
  assert.deepEqual(readIstioSourceOnly({ source_workload: 'sleep', source_workload_namespace: 'default', destination_workload: 'unknown', destination_workload_namespace: 'unknown', destination_service_name: 'PassthroughCluster', destination_service_namespace: 'unknown' }), { kind: 'skip', reason: 'unknown-peer' });
  // The server's report still needs both workloads.
  assert.deepEqual(readIstio({ source_workload: 'sleep', source_workload_namespace: 'default', destination_workload: 'unknown', destination_workload_namespace: 'unknown', destination_service_name: 'legacy', destination_service_namespace: 'default' }), { kind: 'skip', reason: 'unknown-peer' });
});

test('Istio queries: per metric, the destination reports, and the source reports unless the same workload pair has a destination report', () => {
  const qs = istioQueries(resolvePrometheusConfig({ url: 'http://x', istio: { selector: 'cluster="prod"' } }));
  assert.deepEqual(qs.map((q) => q.name ?? `${q.metric}{${q.matchers}}`), [
    'istio_tcp_connections_opened_total{reporter="destination",cluster="prod"}',
    'istio_tcp_connections_opened_total{reporter="source",cluster="prod"} unless destination-reported',
    'istio_requests_total{reporter="destination",cluster="prod"}',
    'istio_requests_total{reporter="source",cluster="prod"} unless destination-reported',
  ]);
  assert.equal(
    promql(qs[3] as (typeof qs)[number], 60_000),
    'sum by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace, destination_service_name, destination_service_namespace) ' +
      '(((istio_requests_total{reporter="source",cluster="prod"} and (timestamp(istio_requests_total{reporter="source",cluster="prod"}) > time() - 60)) - last_over_time(istio_requests_total{reporter="source",cluster="prod"}[5m] offset 60s)) >= 0 or (istio_requests_total{reporter="source",cluster="prod"} and (timestamp(istio_requests_total{reporter="source",cluster="prod"}) > time() - 60)))' +
      ' unless on (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) count by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) (istio_requests_total{reporter="destination",cluster="prod"})',
  );
});

// netobserv operator internal/pkg/metrics/predefined_metrics.go: the workload label set (mapLabels[tagWorkloads]).
test('NetObserv predefined workload metrics: a pair of endpoints, whatever the order; outside the cluster skipped', () => {
  const labels = { K8S_FlowLayer: 'app', SrcK8S_Namespace: 'a', SrcK8S_OwnerName: 'x', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', DstK8S_Namespace: '', DstK8S_OwnerName: 'node-1', DstK8S_OwnerType: 'Node', DstK8S_Type: 'Node' };
  assert.deepEqual(readNetobservPredefined(labels, 'bytes'), { kind: 'pair', pair: { a: { kind: 'workload', namespace: 'a', name: 'x', workloadKind: 'Deployment' }, b: { kind: 'node', name: 'node-1' }, counts: 'bytes' } });
  assert.deepEqual(readNetobservPredefined({ ...labels, DstK8S_OwnerName: '', DstK8S_OwnerType: '', DstK8S_Type: '' }, 'flows'), { kind: 'skip', reason: 'outside-cluster' });
});

test('config: NetObserv predefined metrics — workload ones only, never both ingress and egress of one value', () => {
  assert.deepEqual(resolvePrometheusConfig({ url: 'http://x' }).netobserv.predefined, ['workload_flows_total', 'workload_ingress_bytes_total', 'workload_ingress_packets_total']);
  assert.deepEqual(resolvePrometheusConfig({ url: 'http://x', netobserv: { predefined: ['netobserv_workload_egress_bytes_total'] } }).netobserv.predefined, ['workload_egress_bytes_total']);
  assert.deepEqual(resolvePrometheusConfig({ url: 'http://x', netobserv: { predefined: [] } }).netobserv.predefined, []);
  assert.throws(() => resolvePrometheusConfig({ url: 'http://x', netobserv: { predefined: ['namespace_flows_total'] } }), /netobserv\.predefined: namespace_flows_total names no workload/);
  assert.throws(() => resolvePrometheusConfig({ url: 'http://x', netobserv: { predefined: ['workload_rtt_seconds'] } }), /netobserv\.predefined: workload_rtt_seconds is not one of/);
  assert.throws(() => resolvePrometheusConfig({ url: 'http://x', netobserv: { predefined: ['workload_ingress_bytes_total', 'workload_egress_bytes_total'] } }), /count the same bytes twice/);
});

// kubernetes/dns docs/specification.md 2.3.1 (`<service>.<ns>.svc.<zone>`), 2.4.1 (a headless
// Service's `<hostname>.<service>.<ns>.svc.<zone>`); a pod's resolv.conf `search <ns>.svc.<zone>
// svc.<zone> <zone>` (kubernetes.io "DNS for Services and Pods"): a short name is the scraper's namespace's.
// The pods' namespaces by address stand for the IP history at the scrape (10.0.1.11 is a node's).
const POD_NAMESPACES: Record<string, string> = { '10.244.0.10': 'monitoring', '10.244.0.5': 'monitoring', '10.244.0.20': 'shop', 'fd00:10:244::5': 'monitoring' };
const NAMES: TargetNames = {
  clusterDomain: 'cluster.local',
  services: [
    { namespace: 'monitoring', name: 'alertmanager-operated', clusterIPs: [], type: 'ClusterIP' as const },
    { namespace: 'kube-system', name: 'kube-state-metrics', clusterIPs: ['10.96.0.50'], type: 'ClusterIP' as const },
  ],
  // discovery.k8s.io/v1 EndpointSlice: alertmanager-0 has a hostname (a StatefulSet's pod), the other endpoint none.
  endpointSlices: [
    {
      namespace: 'monitoring',
      name: 'alertmanager-operated-x',
      service: 'alertmanager-operated',
      addressType: 'IPv4',
      ports: [{ port: 9093, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.0.11'], hostname: 'alertmanager-0', targetRef: { kind: 'Pod', namespace: 'monitoring', name: 'alertmanager-0' } },
        { addresses: ['10.244.0.12'], targetRef: { kind: 'Pod', namespace: 'monitoring', name: 'am-sidecar-7d9f-x2' } },
      ],
    },
  ],
  podNamespaceAt: (ip) => POD_NAMESPACES[ip],
};

// prometheus docs/querying/api.md "Targets"; kubernetes_sd role=endpointslice meta labels.
test('scrape targets: pod from the meta labels (with the address), else the address; port from the scrape URL', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1 };
  const scraper = { kind: 'workload' as const, workload: { namespace: 'monitoring', kind: 'StatefulSet' as const, name: 'prometheus' } };
  const viaSlice = readTarget({ ...base, scrapeUrl: 'http://10.244.0.10:9090/metrics', discoveredLabels: { __meta_kubernetes_namespace: 'shop', __meta_kubernetes_endpointslice_address_target_kind: 'Pod', __meta_kubernetes_endpointslice_address_target_name: 'web-1' } }, scraper, 9090, NAMES);
  assert.deepEqual(viaSlice.kind === 'flow' && [viaSlice.flow.dst, viaSlice.flow.port, viaSlice.flow.verdict], [{ kind: 'pod', namespace: 'shop', pod: 'web-1', ip: '10.244.0.10' }, 9090, 'forwarded']);
  const https = readTarget({ ...base, health: 'down', scrapeUrl: 'https://192.168.22.31/metrics', discoveredLabels: {} }, scraper, 9090, NAMES);
  assert.deepEqual(https.kind === 'flow' && [https.flow.dst, https.flow.port, https.flow.verdict], [{ kind: 'ip', ip: '192.168.22.31' }, 443, 'unknown']);
  assert.deepEqual(readTarget({ ...base, scrapeUrl: 'http://example.com:443/metrics', discoveredLabels: {} }, scraper, 9090, NAMES), { kind: 'skip', reason: 'not-an-address' });
});

test('scrape targets named by a Service\'s DNS name: the Service (resolved as a flow to it is), a short name in the scraper\'s namespace; outside names skipped', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1, discoveredLabels: {} };
  const pod = { kind: 'pod' as const, namespace: 'monitoring', pod: 'prometheus-0' };
  const dst = (url: string, scraper: Parameters<typeof readTarget>[1] = pod) => {
    const r = readTarget({ ...base, scrapeUrl: url }, scraper, 9090, NAMES);
    return r.kind === 'flow' ? [r.flow.dst, r.flow.port] : r;
  };
  const alertmanager = { kind: 'service', namespace: 'monitoring', name: 'alertmanager-operated' };
  assert.deepEqual(dst('http://alertmanager-operated:9093/metrics'), [alertmanager, 9093]);
  assert.deepEqual(dst('http://alertmanager-operated.monitoring:9093/metrics'), [alertmanager, 9093]);
  // One endpoint's name: its pod (below).
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated.monitoring.svc:9093/metrics'), [{ kind: 'pod', namespace: 'monitoring', pod: 'alertmanager-0', ip: '10.244.0.11' }, 9093]);
  assert.deepEqual(dst('http://kube-state-metrics.kube-system.svc:8080/metrics'), [{ kind: 'service', namespace: 'kube-system', name: 'kube-state-metrics' }, 8080]);
  assert.deepEqual(dst('http://Kube-State-Metrics.kube-system.svc.cluster.local.:8080/metrics'), [{ kind: 'service', namespace: 'kube-system', name: 'kube-state-metrics' }, 8080]);
  // Unknown to the inventory: still the Service the name spells (the resolver says it does not know it).
  assert.deepEqual(dst('http://x.y.svc.cluster.local:9100/metrics'), [{ kind: 'service', namespace: 'y', name: 'x' }, 9100]);
  // A scraper given by a node's address (on the host network) has no namespace to search a short name in.
  assert.deepEqual(dst('http://alertmanager-operated:9093/metrics', { kind: 'ip', ip: '10.0.1.11' }), { kind: 'skip', reason: 'short-name-without-namespace' });
  // Only a headless Service has records for its endpoints' hostnames (specification 2.4.1).
  assert.deepEqual(dst('http://ksm-0.kube-state-metrics.kube-system.svc:8080/metrics'), { kind: 'skip', reason: 'no-dns-record' });
  assert.deepEqual(dst('http://ksm.kube-system.svc.corp.example:8080/metrics'), { kind: 'skip', reason: 'not-an-address' });
  // A label no Service or namespace can have (DNS-1123: no `_`) is a reject naming it.
  assert.deepEqual(dst('http://my_svc.shop.svc:80/metrics'), { kind: 'reject', reason: 'invalid-label', label: 'scrapeUrl', value: 'my_svc' });
});

// kubernetes.io "DNS for Services and Pods", "A/AAAA records": `172-17-0-3.default.pod.cluster.local`;
// CoreDNS plugin/kubernetes kubernetes.go findPods: three dashes and no `--` are IPv4 dots, else IPv6 colons;
// CoreDNS plugin/kubernetes README "pods": `insecure` answers any address, `verified` only a pod of that namespace.
test('scrape targets named by a pod A record: the address, resolved as an address target is; a namespace not the pod\'s is said', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1, discoveredLabels: {} };
  const scraper = { kind: 'pod' as const, namespace: 'monitoring', pod: 'prometheus-0' };
  const read = (url: string, names: TargetNames = NAMES) => {
    const r = readTarget({ ...base, scrapeUrl: url }, scraper, 9090, names);
    return r.kind === 'flow' ? [r.flow.dst, r.flow.port, r.podRecordNamespace] : r;
  };
  const nodeExporter = [{ kind: 'ip', ip: '10.244.0.5' }, 9100, undefined];
  assert.deepEqual(read('http://10-244-0-5.monitoring.pod.cluster.local:9100/metrics'), nodeExporter);
  // Completed by the search path's last entry, `<zone>`.
  assert.deepEqual(read('http://10-244-0-5.monitoring.pod:9100/metrics'), nodeExporter);
  assert.deepEqual(read('http://fd00-10-244--5.monitoring.pod.cluster.local:9100/metrics'), [{ kind: 'ip', ip: 'fd00:10:244::5' }, 9100, undefined]);
  // The cluster domain the collector is given (matrices.clusterDomain), not cluster.local.
  assert.deepEqual(read('http://10-244-0-5.monitoring.pod.corp.example:9100/metrics', { ...NAMES, clusterDomain: 'corp.example' }), nodeExporter);
  assert.deepEqual(read('http://10-244-0-5.monitoring.pod.corp.example:9100/metrics'), { kind: 'skip', reason: 'not-an-address' });
  // Absolute without the zone (not searched), a label that is no address: no pod record.
  assert.deepEqual(read('http://10-244-0-5.monitoring.pod.:9100/metrics'), { kind: 'skip', reason: 'not-an-address' });
  assert.deepEqual(read('http://node-exporter.monitoring.pod.cluster.local:9100/metrics'), { kind: 'skip', reason: 'not-an-address' });
  // The pod at 10.244.0.20 is of namespace shop: attributed by the address, and said.
  assert.deepEqual(read('http://10-244-0-20.monitoring.pod.cluster.local:8080/metrics'), [{ kind: 'ip', ip: '10.244.0.20' }, 8080, { named: 'monitoring', holder: 'shop' }]);
});

// kubernetes.io "DNS for Services and Pods": a pod's resolv.conf `search <ns>.svc.<zone> svc.<zone> <zone>`.
test('a scraper given by address searches short names in the namespace of the pod holding that address at the scrape', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1, discoveredLabels: {} };
  const r = readTarget({ ...base, scrapeUrl: 'http://alertmanager-operated:9093/metrics' }, { kind: 'ip', ip: '10.244.0.10' }, 9090, NAMES);
  assert.deepEqual(r.kind === 'flow' && r.flow.dst, { kind: 'service', namespace: 'monitoring', name: 'alertmanager-operated' });
});

// kubernetes/dns docs/specification.md 2.4.1; discovery.k8s.io/v1 Endpoint.hostname; CoreDNS plugin/kubernetes
// README `endpoint_pod_names`: an endpoint without a hostname is named by its dashed address (or its pod's name).
test('one endpoint of a headless Service is that endpoint\'s pod, by hostname, dashed address or pod name; a name no endpoint has is the Service', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1, discoveredLabels: {} };
  const scraper = { kind: 'pod' as const, namespace: 'monitoring', pod: 'prometheus-0' };
  const dst = (url: string) => {
    const r = readTarget({ ...base, scrapeUrl: url }, scraper, 9090, NAMES);
    return r.kind === 'flow' ? r.flow.dst : r;
  };
  const am0 = { kind: 'pod', namespace: 'monitoring', pod: 'alertmanager-0', ip: '10.244.0.11' };
  const sidecar = { kind: 'pod', namespace: 'monitoring', pod: 'am-sidecar-7d9f-x2', ip: '10.244.0.12' };
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated.monitoring.svc:9093/metrics'), am0);
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated.monitoring.svc.cluster.local:9093/metrics'), am0);
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated.monitoring:9093/metrics'), am0);
  assert.deepEqual(dst('http://10-244-0-12.alertmanager-operated.monitoring.svc:9093/metrics'), sidecar);
  assert.deepEqual(dst('http://am-sidecar-7d9f-x2.alertmanager-operated.monitoring.svc:9093/metrics'), sidecar);
  // An endpoint with a hostname is not named by its address.
  assert.deepEqual(dst('http://10-244-0-11.alertmanager-operated.monitoring.svc:9093/metrics'), { kind: 'service', namespace: 'monitoring', name: 'alertmanager-operated' });
  // Unknown to the EndpointSlices (an inventory older than the pod): the Service's backends, never nothing.
  assert.deepEqual(dst('http://alertmanager-1.alertmanager-operated.monitoring.svc:9093/metrics'), { kind: 'service', namespace: 'monitoring', name: 'alertmanager-operated' });
});

// kubernetes.io "DNS for Services and Pods": resolv.conf `search <ns>.svc.<zone> svc.<zone> <zone>` with
// `ndots:5`, so `<hostname>.<service>` is first asked as `<hostname>.<service>.<ns>.svc.<zone>`, which
// kubernetes/dns docs/specification.md 2.4.1 answers for an endpoint of that headless Service with that
// hostname: the stored EndpointSlice hostnames say it does, and the search ends there.
test('<hostname>.<service> from the scraper\'s namespace is that endpoint\'s pod where an endpoint of that headless Service has the hostname; else still ambiguous', () => {
  const base = { labels: {}, scrapePool: 'p', health: 'up', lastScrape: 1, discoveredLabels: {} };
  const dst = (url: string, scraper: ScraperRef) => {
    const r = readTarget({ ...base, scrapeUrl: url }, scraper, 9090, NAMES);
    return r.kind === 'flow' ? r.flow.dst : r;
  };
  const am0 = { kind: 'pod', namespace: 'monitoring', pod: 'alertmanager-0', ip: '10.244.0.11' };
  const inMonitoring = { kind: 'pod' as const, namespace: 'monitoring', pod: 'prometheus-0' };
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated:9093/metrics', inMonitoring), am0);
  // Given by address: the namespace of the pod holding it at the scrape.
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated:9093/metrics', { kind: 'ip', ip: '10.244.0.10' }), am0);
  // An endpoint without a hostname, by its dashed address (CoreDNS plugin/kubernetes README, endpoint_pod_names).
  assert.deepEqual(dst('http://10-244-0-12.alertmanager-operated:9093/metrics', inMonitoring), { kind: 'pod', namespace: 'monitoring', pod: 'am-sidecar-7d9f-x2', ip: '10.244.0.12' });
  // No stored endpoint has the name (an inventory older than the pod): it may not answer, and the search goes on.
  assert.deepEqual(dst('http://alertmanager-1.alertmanager-operated:9093/metrics', inMonitoring), { kind: 'skip', reason: 'ambiguous-dns-name' });
  // From another namespace the first search entry is that namespace's: not this Service.
  assert.deepEqual(dst('http://alertmanager-0.alertmanager-operated:9093/metrics', { kind: 'pod', namespace: 'shop', pod: 'web-0' }), { kind: 'skip', reason: 'not-an-address' });
});

// prometheus cmd/prometheus/main.go: --web.listen-address defaults to "0.0.0.0:9090".
test('the scraper listens on the configured URL\'s port when the URL addresses the scraper, else on Prometheus\'s default 9090', () => {
  const node = { kind: 'ip' as const, ip: '10.0.1.11' };
  assert.equal(scraperListenPort('http://10.0.1.11:9091', node), 9091);
  assert.equal(scraperListenPort('https://10.0.1.11', node), 443);
  assert.equal(scraperListenPort('http://prometheus.monitoring:9091', node), 9090);
  assert.equal(scraperListenPort('http://10.0.1.11:9091', { kind: 'pod', namespace: 'monitoring', pod: 'prometheus-0' }), 9090);
});

// What each point counts is checked against a real Prometheus in test/integration/collect-prometheus-counting.test.ts.
test('increments: one PromQL per metric, rounded counts, any increase counts once', () => {
  const m = 'istio_requests_total{reporter="destination"}';
  const inStep = `(${m} and (timestamp(${m}) > time() - 60))`;
  assert.equal(promql({ family: 'istio', metric: 'istio_requests_total', matchers: 'reporter="destination"', by: ['a', 'b'], read: () => ({ kind: 'skip', reason: 'unknown-peer' }) }, 60_000), `sum by (a, b) ((${inStep} - last_over_time(${m}[5m] offset 60s)) >= 0 or ${inStep})`);
  assert.deepEqual([0, 0.2, 1.4, 2.5, -1].map(flowCount), [0, 1, 1, 3, 0]);
});

test('config: defaults, durations, and errors that name the key', () => {
  const s = resolvePrometheusConfig({ url: 'http://prometheus.monitoring:9090/' });
  assert.deepEqual([s.url, s.intervalMs, s.stepMs, s.timeoutMs, s.families], ['http://prometheus.monitoring:9090', 60_000, 60_000, 30_000, ['hubble', 'netobserv', 'istio']]);
  assert.equal(parseDuration('1h30m', 'x'), 5_400_000);
  const bad: [object, RegExp][] = [
    [{}, /collectors\.prometheus\.url is required/],
    [{ url: 'ftp://x' }, /collectors\.prometheus\.url: only http/],
    [{ url: 'http://x', step: '90' }, /collectors\.prometheus\.step: "90" is not a duration/],
    [{ url: 'http://x', step: '1500ms' }, /collectors\.prometheus\.step must be whole seconds/],
    [{ url: 'http://x', families: ['targets'] }, /"targets" needs collectors\.prometheus\.scraper/],
    [{ url: 'http://x', scraper: { workload: 'prometheus' } }, /collectors\.prometheus\.scraper\.workload: invalid workload key/],
    [{ url: 'http://x', caFile: '/nonexistent/ca.pem' }, /collectors\.prometheus\.caFile: cannot read/],
    [{ url: 'http://x', bearerTokenFile: '/nonexistent/token' }, /collectors\.prometheus\.bearerTokenFile: .* does not exist/],
  ];
  for (const [c, re] of bad) assert.throws(() => resolvePrometheusConfig(c), re);
  assert.deepEqual(resolvePrometheusConfig({ url: 'http://x', scraper: { namespace: 'monitoring', pod: 'prometheus-0' } }).families, ['hubble', 'netobserv', 'istio', 'targets']);
});

test('serve: a collectors.prometheus section with a url is checked at start; the definition is off without a section', () => {
  const dir = tmpDir();
  const file = join(dir, 'flowmatrix.yaml');
  writeFileSync(file, 'collectors:\n  prometheus:\n    url: http://prometheus:9090\n    step: 1500ms\n');
  assert.throws(
    () => loadServiceConfig({ file, env: {} }),
    (e: Error) => e instanceof ConfigError && e.problems.some((p) => p.path === 'collectors.prometheus' && /collectors\.prometheus\.step must be whole seconds/.test(p.message)),
  );
  writeFileSync(file, 'collectors:\n  prometheus:\n    url: http://prometheus:9090\n    interval: 5x\n');
  assert.throws(() => loadServiceConfig({ file, env: {} }), (e: Error) => e instanceof ConfigError && e.problems.some((p) => p.path.includes('collectors.prometheus.interval') || p.path.includes('collectors/prometheus/interval')));
  writeFileSync(file, 'collectors:\n  prometheus:\n    url: http://prometheus:9090\n    families: [targets]\n    scraper: { workload: monitoring/StatefulSet/prometheus }\n');
  const config = loadServiceConfig({ file, env: {} });
  const deps = { db: openDb(':memory:'), logger: pino({ level: 'silent' }), now: () => 0, ingest: DEFAULT_INGEST_LIMITS };
  assert.ok(COLLECTORS.some((d) => d.name === 'prometheus'));
  assert.equal(prometheusCollector.create(undefined, deps, {}), undefined);
  assert.equal(prometheusCollector.create({ ...config.collectors.prometheus, enabled: false }, deps, {}), undefined);
  const c = prometheusCollector.create(config.collectors.prometheus, deps, {});
  assert.equal(c?.status().state, 'stopped');
  assert.deepEqual(c?.status().counters.passes, 0);
});

test('a rejected label value is kept printable: control characters escaped, cut at 80 (docs/operations.md: rejection examples are printable)', async () => {
  const { reject } = await import('../../collectors/prometheus/series.ts');
  assert.deepEqual(reject('invalid-label', 'source', 'Bad_NS!\u0007\u001b[31mRED'), { kind: 'reject', reason: 'invalid-label', label: 'source', value: 'Bad_NS!\\u0007\\u001b[31mRED' });
  assert.equal((reject('invalid-label', 'source', 'x'.repeat(200)) as { value?: string }).value?.length, 80);
});

// prometheus scrape/scrape.go report(): a target's lastScrape is its scrape's start, published at its end.
test('target cursors: each target counts scrapes after its own last one counted; one the former single cursor covered is not counted again; a target gone from the answer is forgotten', () => {
  const t = (scrapeUrl: string, lastScrape: number) => ({ discoveredLabels: {}, labels: {}, scrapePool: 'p', scrapeUrl, health: 'up', lastScrape });
  // Stored: a remembered at 100; the former 'targets' cursor was 500.
  const cursors = new TargetCursors([{ scrapePool: 'p', scrapeUrl: 'a', lastScrape: 100 }, { scrapePool: 'p', scrapeUrl: 'gone', lastScrape: 100 }], 500);
  const a = t('a', 200); // started before b's scrape, published after the last pass: new for a
  const b = t('b', 400); // not remembered, covered by the former cursor
  const c = t('c', 600);
  const never = t('d', 0);
  assert.deepEqual([a, b, c, never].map((x) => cursors.isNew(x)), [true, false, true, false]);
  cursors.counted(a);
  // c is new but not counted (rejected): it is not remembered past what was counted.
  assert.deepEqual(cursors.cursors(), [
    { scrapePool: 'p', scrapeUrl: 'a', lastScrape: 200 },
    { scrapePool: 'p', scrapeUrl: 'b', lastScrape: 400 },
  ]);
});
