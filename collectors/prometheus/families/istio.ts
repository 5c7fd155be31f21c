/**
 * Istio standard metrics (istio.io docs "Istio Standard Metrics"): `source_*` is always the
 * client workload and `destination_*` the server; missing values are "unknown". `reporter` says
 * which proxy reported: `destination` the server's, `source` the client's (or a gateway).
 *
 * A request between two proxies is reported twice, once by each. Counted once, as Kiali (the
 * mesh's own console) builds its traffic graph (kiali/kiali graph/telemetry/istio/istio.go,
 * buildNamespaceTrafficMap): the server's report where there is one, and the client's report
 * only where no server report exists — a destination without a sidecar, or outside the mesh.
 * Two queries per metric, each one PromQL per pass:
 *  - `reporter="destination"`: every request or connection an in-mesh server received;
 *  - `reporter="source"` `unless on (source and destination workload)` a destination report
 *    Prometheus returns at that step: what only the client's proxy saw. Its destination is the workload when the
 *    proxy knew it, else the Service it addressed (`destination_service_*`, resolved to its
 *    backends); its verdict is unknown (the client sent it; no server confirmed it arrived).
 * There is no port label: the port comes from `destination_service_*` (a Service with one port)
 * or the server workload (one declared port), and the edge records that it was inferred. That is
 * the application's port; where ambient mode tunnels the connection as HBONE the edge is stored on
 * 15008, the port on the wire (mesh-ports.ts).
 */
import type { PrometheusSettings } from '../config.ts';
import { countPerStep, joinMatchers, type FamilyQuery, type Labels, type SeriesReading } from '../series.ts';

const BY = ['source_workload', 'source_workload_namespace', 'destination_workload', 'destination_workload_namespace', 'destination_service_name', 'destination_service_namespace'];
/** What a client's report and a server's report of the same traffic share. */
const PAIR = ['source_workload', 'source_workload_namespace', 'destination_workload', 'destination_workload_namespace'];

export const ISTIO_METRICS = ['istio_tcp_connections_opened_total', 'istio_requests_total'] as const;

const known = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== 'unknown';

function addressedService(labels: Labels): { namespace: string; name: string } | undefined {
  const { destination_service_name: name, destination_service_namespace: namespace } = labels;
  return known(name) && known(namespace) ? { namespace, name } : undefined;
}

/** A server proxy's report: both workloads must be known. */
export function readIstio(labels: Labels): SeriesReading {
  const { source_workload: sw, source_workload_namespace: sns, destination_workload: dw, destination_workload_namespace: dns } = labels;
  if (!known(sw) || !known(sns) || !known(dw) || !known(dns)) return { kind: 'skip', reason: 'unknown-peer' };
  const flow: SeriesReading = {
    kind: 'flow',
    flow: {
      src: { kind: 'workload', namespace: sns, name: sw },
      dst: { kind: 'workload', namespace: dns, name: dw },
      // Istio proxies TCP only (HTTP, gRPC and raw TCP all ride on it).
      protocol: 'TCP',
      direction: 'src-is-client',
      // The server's own proxy reported it: it arrived.
      verdict: 'forwarded',
      meshReported: true,
    },
  };
  const svc = addressedService(labels);
  if (svc) flow.flow.service = svc;
  return flow;
}

/** A client proxy's report with no server report beside it: the destination may be known only by its Service. */
export function readIstioSourceOnly(labels: Labels): SeriesReading {
  const { source_workload: sw, source_workload_namespace: sns, destination_workload: dw, destination_workload_namespace: dns } = labels;
  if (!known(sw) || !known(sns)) return { kind: 'skip', reason: 'unknown-peer' };
  const svc = addressedService(labels);
  const dst = known(dw) && known(dns) ? { kind: 'workload' as const, namespace: dns, name: dw } : svc ? { kind: 'service' as const, ...svc } : undefined;
  // A passthrough or external host (destination_service "unknown" or a host name outside the cluster).
  if (!dst) return { kind: 'skip', reason: 'unknown-peer' };
  const flow: SeriesReading = { kind: 'flow', flow: { src: { kind: 'workload', namespace: sns, name: sw }, dst, protocol: 'TCP', direction: 'src-is-client', verdict: 'unknown', meshReported: true } };
  if (svc) flow.flow.service = svc;
  return flow;
}

export function istioQueries(settings: PrometheusSettings): FamilyQuery[] {
  const sel = settings.istio.selector;
  const dest = joinMatchers('reporter="destination"', sel);
  const src = joinMatchers('reporter="source"', sel);
  const out: FamilyQuery[] = [];
  for (const metric of ISTIO_METRICS) {
    out.push({ family: 'istio', metric, matchers: dest, by: BY, read: readIstio });
    out.push({
      family: 'istio',
      metric,
      matchers: src,
      by: BY,
      name: `${metric}{${src}} unless destination-reported`,
      promql: (stepMs, matchers) =>
        // A part of the window narrows the series counted (the left side), never those that exclude them.
        // A destination report excludes while Prometheus returns it (its last sample within the
        // lookback delta), not only in the steps it has a sample in: the two proxies are scraped
        // at different times, and a 60s scrape leaves steps without one.
        `sum by (${BY.join(', ')}) ${countPerStep(`${metric}{${matchers}}`, stepMs)} unless on (${PAIR.join(', ')}) count by (${PAIR.join(', ')}) (${metric}{${dest}})`,
      read: readIstioSourceOnly,
    });
  }
  return out;
}
