/**
 * NetObserv's predefined metrics (netobserv/network-observability-operator docs/Metrics.md, the
 * `spec.processor.metrics.includeList` names; labels from internal/pkg/metrics/predefined_metrics.go
 * mapLabels): `netobserv_workload_{ingress|egress}_{bytes|packets}_total` and
 * `netobserv_workload_flows_total`, labelled SrcK8S_Namespace, SrcK8S_OwnerName, SrcK8S_OwnerType,
 * DstK8S_* alike, K8S_FlowLayer, subnet labels, zones and cluster name.
 *
 * What they can truthfully give, and what they cannot:
 *  - Src and Dst are the packets' source and destination, not client and server: NetObserv's flows
 *    are one direction of a connection each, so a reply is a series from the server to the client.
 *    `ingress`/`egress` is the direction the observing node saw the packets in (FlowMetric.md
 *    `direction`), not who opened the connection. No direction, then.
 *  - No port and no protocol label at all.
 * So a series is one thing: these two workloads exchanged traffic in that step. It becomes an
 * observed pair (unordered, with the metric it came from and what it lacks), never an edge and
 * never an ambiguous pair (those carry a protocol, which these series do not have).
 *
 * The `namespace_*` and `node_*` metrics name no workload, so there is no peer to record; they are
 * refused in the config (config.ts) rather than read for nothing.
 */
import { PREDEFINED_WORKLOAD_METRICS, type PrometheusSettings } from '../config.ts';
import { isReading, type FamilyQuery, type Labels, type MetricPair, type SeriesReading } from '../series.ts';
import { netobservEndpoint } from './netobserv.ts';

const BY = ['SrcK8S_Namespace', 'SrcK8S_OwnerName', 'SrcK8S_OwnerType', 'DstK8S_Namespace', 'DstK8S_OwnerName', 'DstK8S_OwnerType'];
const SRC = { namespace: 'SrcK8S_Namespace', owner: 'SrcK8S_OwnerName', kind: 'SrcK8S_OwnerType' };
const DST = { namespace: 'DstK8S_Namespace', owner: 'DstK8S_OwnerName', kind: 'DstK8S_OwnerType' };

export function readNetobservPredefined(labels: Labels, counts: MetricPair['counts']): SeriesReading {
  const a = netobservEndpoint(labels, SRC);
  if (isReading(a)) return a;
  const b = netobservEndpoint(labels, DST);
  if (isReading(b)) return b;
  return { kind: 'pair', pair: { a, b, counts } };
}

export function netobservPredefinedQueries(settings: PrometheusSettings): FamilyQuery[] {
  return settings.netobserv.predefined.map((name) => {
    const counts = PREDEFINED_WORKLOAD_METRICS[name] as MetricPair['counts'];
    return { family: 'netobserv', metric: `netobserv_${name}`, matchers: settings.netobserv.selector, by: BY, read: (labels: Labels) => readNetobservPredefined(labels, counts) };
  });
}
