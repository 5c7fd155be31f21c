/**
 * NetObserv FlowMetric counters (netobserv/network-observability-operator docs/Metrics.md,
 * docs/FlowMetric.md, config/samples/flowmetrics). Labels are flow field names verbatim
 * (SrcK8S_Namespace, SrcK8S_OwnerName, SrcK8S_OwnerType, DstK8S_*, DstPort, Proto, Flags), or the
 * names of the operator's samples' `remap`: workload-syn-in (from_namespace/from_workload/from_kind
 * → namespace/workload/kind, port) and workload-syn-out (namespace/workload/kind → to_namespace/
 * to_workload/to_kind, port).
 *
 * Who the client is comes from the flattened `Flags` label: the samples filter `Flags=SYN`, a SYN
 * without ACK, sent by the client (NetObserv names SYN+ACK `SYN_ACK`). A series without Flags
 * says nothing about direction. The predefined netobserv_workload_* metrics carry neither port,
 * protocol nor flags: they are read apart, as observed pairs (netobserv-predefined.ts).
 */
import { isIcmp, type Protocol } from '../../../domain/flow.ts';
import type { PrometheusSettings } from '../config.ts';
import { addressRef, isReading, portLabel, reject, type EndpointRef, type FamilyQuery, type Labels, type SeriesReading } from '../series.ts';

/** IANA protocol numbers NetObserv puts in `Proto`. */
const PROTO_NUMBERS: Record<string, Protocol> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP', '1': 'ICMP', '58': 'ICMPv6' };

const BY = [
  'SrcK8S_Namespace', 'SrcK8S_OwnerName', 'SrcK8S_OwnerType', 'SrcAddr',
  'DstK8S_Namespace', 'DstK8S_OwnerName', 'DstK8S_OwnerType', 'DstAddr', 'DstPort', 'Proto', 'Flags',
  'from_namespace', 'from_workload', 'from_kind', 'to_namespace', 'to_workload', 'to_kind', 'namespace', 'workload', 'kind', 'port',
];

export interface SideNames {
  namespace: string;
  owner: string;
  kind: string;
  addr?: string;
}

/** Which label names hold each side, by the layout the series uses. */
function layout(labels: Labels): { src: SideNames; dst: SideNames; port: string } {
  if (labels.from_workload !== undefined || labels.from_namespace !== undefined) {
    return { src: { namespace: 'from_namespace', owner: 'from_workload', kind: 'from_kind' }, dst: { namespace: 'namespace', owner: 'workload', kind: 'kind' }, port: 'port' };
  }
  if (labels.to_workload !== undefined || labels.to_namespace !== undefined) {
    return { src: { namespace: 'namespace', owner: 'workload', kind: 'kind' }, dst: { namespace: 'to_namespace', owner: 'to_workload', kind: 'to_kind' }, port: 'port' };
  }
  return {
    src: { namespace: 'SrcK8S_Namespace', owner: 'SrcK8S_OwnerName', kind: 'SrcK8S_OwnerType', addr: 'SrcAddr' },
    dst: { namespace: 'DstK8S_Namespace', owner: 'DstK8S_OwnerName', kind: 'DstK8S_OwnerType', addr: 'DstAddr' },
    port: labels.DstPort !== undefined ? 'DstPort' : 'port',
  };
}

/** One side of a series by its NetObserv field names: a workload, a node, a Service, an address, or outside the cluster. */
export function netobservEndpoint(labels: Labels, n: SideNames): EndpointRef | SeriesReading {
  const ns = labels[n.namespace] ?? '';
  const owner = labels[n.owner] ?? '';
  const kind = labels[n.kind] ?? '';
  if (owner) {
    if (kind === 'Node') return { kind: 'node', name: owner };
    if (kind === 'Service' && ns) return { kind: 'service', namespace: ns, name: owner };
    if (ns) return kind ? { kind: 'workload', namespace: ns, name: owner, workloadKind: kind } : { kind: 'workload', namespace: ns, name: owner };
  }
  const addr = n.addr ? (labels[n.addr] ?? '') : '';
  if (addr && n.addr) return addressRef(n.addr, addr);
  // No Kubernetes fields and no address: NetObserv's external traffic aggregated away.
  return { kind: 'skip', reason: 'outside-cluster' };
}

export function readNetobserv(labels: Labels): SeriesReading {
  const names = layout(labels);
  const src = netobservEndpoint(labels, names.src);
  if (isReading(src)) return src;
  const dst = netobservEndpoint(labels, names.dst);
  if (isReading(dst)) return dst;
  const flags = labels.Flags ?? '';
  let protocol: Protocol | undefined;
  if (labels.Proto) {
    protocol = PROTO_NUMBERS[labels.Proto];
    if (!protocol) return /^\d+$/.test(labels.Proto) ? { kind: 'skip', reason: 'unsupported-protocol' } : reject('invalid-label', 'Proto', labels.Proto);
  } else if (flags) protocol = 'TCP';
  if (!protocol) return reject('missing-label', 'Proto');
  const port = portLabel(labels, names.port);
  if (port === 'invalid') return reject('invalid-label', names.port, labels[names.port]);
  if (port === 0 && !isIcmp(protocol)) return reject('invalid-label', names.port, labels[names.port]);
  // `SYN` alone is the client's first packet; anything else (SYN_ACK, ACK, none) does not say who opened.
  const direction = flags === 'SYN' ? 'src-is-client' : 'unknown';
  const flow: SeriesReading & { kind: 'flow' } = { kind: 'flow', flow: { src, dst, protocol, direction, verdict: 'unknown' } };
  if (port !== undefined) flow.flow.port = isIcmp(protocol) ? 0 : port;
  return flow;
}

export function netobservQueries(settings: PrometheusSettings): FamilyQuery[] {
  return settings.netobserv.metrics.map((metric) => ({ family: 'netobserv', metric, matchers: settings.netobserv.selector, by: BY, read: readNetobserv }));
}
