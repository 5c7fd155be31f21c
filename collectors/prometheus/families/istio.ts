/**
 * Istio standard metrics (istio.io docs "Istio Standard Metrics"): `source_*` is always the
 * client workload and `destination_*` the server; missing values are "unknown". Read with
 * `reporter="destination"` only: the server's proxy reports each request or connection once,
 * whereas adding `reporter="source"` would count in-mesh traffic twice. There is no port label:
 * the port comes from `destination_service_*` (a Service with one port) or the server workload
 * (one declared port), and the edge records that it was inferred.
 */
import type { PrometheusSettings } from '../config.ts';
import { joinMatchers, type FamilyQuery, type Labels, type SeriesReading } from '../series.ts';

const BY = ['source_workload', 'source_workload_namespace', 'destination_workload', 'destination_workload_namespace', 'destination_service_name', 'destination_service_namespace'];

const known = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== 'unknown';

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
    },
  };
  const svcName = labels.destination_service_name;
  const svcNs = labels.destination_service_namespace;
  if (known(svcName) && known(svcNs)) flow.flow.service = { namespace: svcNs, name: svcName };
  return flow;
}

export function istioQueries(settings: PrometheusSettings): FamilyQuery[] {
  const matchers = joinMatchers('reporter="destination"', settings.istio.selector);
  return ['istio_tcp_connections_opened_total', 'istio_requests_total'].map((metric) => ({ family: 'istio', metric, matchers, by: BY, read: readIstio }));
}
