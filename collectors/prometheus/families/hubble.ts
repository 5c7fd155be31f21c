/**
 * Hubble flow metrics (cilium/cilium pkg/hubble/metrics/*, Documentation/observability/metrics.rst
 * "Hubble Exported Metrics" and "Context Options"). Each side of a series is named either by the
 * `labelsContext` labels (source_namespace + source_workload [+ source_workload_kind], source_pod,
 * source_ip, and destination_* alike) or by the `source` / `destination` label, whose meaning
 * depends on `sourceContext` / `destinationContext` (configured here as hubble.sourceContext, …).
 *
 *  - hubble_port_distribution_total{protocol, port}: the handler skips replies and anything not
 *    FORWARDED/REDIRECTED (port-distribution/handler.go: `… || flow.IsReply() { return }`), so the
 *    source opened the connection and `port` is the server's port: a complete edge.
 *  - hubble_tcp_flags_total{flag="SYN"}: the handler labels a SYN without ACK "SYN" (tcp/handler.go),
 *    sent by the client; no port label, so the port must come from the inventory.
 *  - hubble_flows_processed_total{protocol, verdict}: every flow event, requests and replies alike,
 *    no port: neither side is known to be the client, so these are only ever ambiguous pairs.
 */
import { isIP } from 'node:net';
import { isIcmp, type Protocol, type Verdict } from '../../../domain/flow.ts';
import type { PrometheusSettings } from '../config.ts';
import { addressRef, isReading, joinMatchers, portLabel, reject, type EndpointRef, type FamilyQuery, type Labels, type SeriesReading } from '../series.ts';

const SIDE_LABELS = (p: string): string[] => [p, `${p}_namespace`, `${p}_workload`, `${p}_workload_kind`, `${p}_pod`, `${p}_ip`];
const CONTEXT_BY = [...SIDE_LABELS('source'), ...SIDE_LABELS('destination')];

/** Hubble's L4 protocol names (v1.FlowProtocol and the port-distribution handler) → ours. */
const PROTOCOLS: Record<string, Protocol> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP', ICMPv4: 'ICMP', ICMPv6: 'ICMPv6' };

function verdictOf(v: string | undefined): Verdict {
  return v === 'FORWARDED' || v === 'REDIRECTED' ? 'forwarded' : v === 'DROPPED' ? 'dropped' : 'unknown';
}

/**
 * How a `ns/name` value is read: the first of the identifiers that write one in the configured
 * context list decides (Cilium writes the first non-empty context, api/context.go
 * GetLabelValues). `pod-short` is Cilium's `shortenPodName`, the pod name without its last one or
 * two `-suffix`es (regex `^(.+?)(-[a-z0-9]+){1,2}$`, cilium pkg/hubble/metrics/api/context.go):
 * `web-cache-0` becomes `web`, which names another workload. Where it can have written the value
 * (listed before `pod`, which no pod leaves empty), the value is not read as any workload.
 */
function slashMeaning(contexts: readonly string[]): 'workload' | 'pod' | 'pod-short' | undefined {
  const writers = contexts.filter((c) => c === 'workload' || c === 'pod' || c === 'pod-short');
  const reachable = writers.includes('pod') ? writers.slice(0, writers.indexOf('pod') + 1) : writers;
  if (reachable.includes('pod-short')) return 'pod-short';
  return reachable[0] as 'workload' | 'pod' | undefined;
}

/** Said once per pass where a series was skipped for it: what the value is, and what to configure instead. */
export const POD_SHORT_WARNING =
  'hubble: series named by the pod-short context (sourceContext/destinationContext) were skipped: Cilium shortens the pod name (web-cache-0 becomes web, another workload\'s name; deprecated in Cilium\'s metrics.rst "Context Options"); configure workload-name|pod-name as Cilium advises, workload or pod (namespace/name), or labelsContext';

/** One side of a series → an endpoint, a skip, or a reject. */
export function hubbleEndpoint(labels: Labels, prefix: 'source' | 'destination', contexts: readonly string[]): EndpointRef | SeriesReading {
  const ns = labels[`${prefix}_namespace`] ?? '';
  const workload = labels[`${prefix}_workload`] ?? '';
  const pod = labels[`${prefix}_pod`] ?? '';
  const ip = labels[`${prefix}_ip`] ?? '';
  if (ns && workload) {
    const kind = labels[`${prefix}_workload_kind`];
    return kind ? { kind: 'workload', namespace: ns, name: workload, workloadKind: kind } : { kind: 'workload', namespace: ns, name: workload };
  }
  if (ns && pod) return { kind: 'pod', namespace: ns, pod };
  if (ip) return addressRef(`${prefix}_ip`, ip);
  const v = labels[prefix] ?? '';
  if (v === '') return reject('missing-label', prefix);
  // Shaped as an address (node's isIP also takes an IPv6 zone): read as one, or refused as one.
  if (isIP(v)) return addressRef(prefix, v);
  // reserved-identity: `reserved:kube-apiserver` wins over the other reserved labels (metrics.rst note).
  if (v === 'reserved:kube-apiserver') return { kind: 'apiserver' };
  if (v.startsWith('reserved:')) return { kind: 'skip', reason: 'reserved-identity' };
  const slash = v.indexOf('/');
  if (slash > 0 && slash < v.length - 1 && v.indexOf('/', slash + 1) < 0) {
    const meaning = slashMeaning(contexts);
    const [a, b] = [v.slice(0, slash), v.slice(slash + 1)];
    if (meaning === 'pod-short') return { kind: 'skip', reason: 'pod-short-context' };
    if (meaning === 'workload') return { kind: 'workload', namespace: a, name: b };
    if (meaning === 'pod') return { kind: 'pod', namespace: a, pod: b };
    return reject('invalid-label', prefix, v);
  }
  if (contexts.includes('workload-name')) return { kind: 'workload', namespace: '', name: v };
  // namespace, app, dns, identity, pod-name: not enough to tell a workload.
  return { kind: 'skip', reason: 'not-a-workload' };
}

function sides(labels: Labels, settings: PrometheusSettings): { src: EndpointRef; dst: EndpointRef } | SeriesReading {
  const src = hubbleEndpoint(labels, 'source', settings.hubble.sourceContext);
  if (isReading(src)) return src;
  const dst = hubbleEndpoint(labels, 'destination', settings.hubble.destinationContext);
  if (isReading(dst)) return dst;
  return { src, dst };
}

export function hubbleQueries(settings: PrometheusSettings): FamilyQuery[] {
  const sel = settings.hubble.selector;
  return [
    {
      family: 'hubble',
      metric: 'hubble_port_distribution_total',
      matchers: sel,
      by: ['protocol', 'port', ...CONTEXT_BY],
      read(labels) {
        const protocol = PROTOCOLS[labels.protocol ?? ''];
        if (!protocol) return labels.protocol ? { kind: 'skip', reason: 'unsupported-protocol' } : reject('missing-label', 'protocol');
        const port = portLabel(labels, 'port');
        if (port === 'invalid') return reject('invalid-label', 'port', labels.port);
        if (port === undefined) return reject('missing-label', 'port');
        if (port === 0 && !isIcmp(protocol)) return reject('invalid-label', 'port', labels.port);
        const s = sides(labels, settings);
        if ('kind' in s) return s;
        return { kind: 'flow', flow: { ...s, protocol, port: isIcmp(protocol) ? 0 : port, direction: 'src-is-client', verdict: 'forwarded' } };
      },
    },
    {
      family: 'hubble',
      metric: 'hubble_tcp_flags_total',
      matchers: joinMatchers('flag="SYN"', sel),
      by: CONTEXT_BY,
      read(labels) {
        const s = sides(labels, settings);
        if ('kind' in s) return s;
        return { kind: 'flow', flow: { ...s, protocol: 'TCP', direction: 'src-is-client', verdict: 'forwarded' } };
      },
    },
    {
      family: 'hubble',
      metric: 'hubble_flows_processed_total',
      matchers: sel,
      by: ['protocol', 'verdict', ...CONTEXT_BY],
      read(labels) {
        const protocol = PROTOCOLS[labels.protocol ?? ''];
        // L7 protocol names (DNS, HTTP, Kafka) are counted again as their L4 flows.
        if (!protocol) return labels.protocol ? { kind: 'skip', reason: 'unsupported-protocol' } : reject('missing-label', 'protocol');
        const s = sides(labels, settings);
        if ('kind' in s) return s;
        return { kind: 'flow', flow: { ...s, protocol, direction: 'unknown', verdict: verdictOf(labels.verdict) } };
      },
    },
  ];
}
