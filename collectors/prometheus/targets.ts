/**
 * Prometheus's own scrapes (GET /api/v1/targets, prometheus/prometheus docs/querying/api.md
 * "Targets"): every active target is a connection from the Prometheus server (configured:
 * collectors.prometheus.scraper) to the target's pod on the scrape port. The pod comes from the
 * target's discoveredLabels (kubernetes_sd: __meta_kubernetes_namespace with
 * __meta_kubernetes_pod_name for role pod, or …_endpointslice_address_target_* /
 * …_endpoint_address_target_* for Pod-backed endpoints), else from the scrape URL's address
 * through the IP history. The port is the scrape URL's: scrapes go straight to pod IP:port, no
 * Service in between (docs/configuration/configuration.md, kubernetes_sd_config).
 */
import { isIP } from 'node:net';
import type { ScraperRef } from './config.ts';
import type { ActiveTarget } from './client.ts';
import { checkedNames, type EndpointRef, type MetricFlow, type SkipReason } from './series.ts';

export function scraperEndpoint(s: ScraperRef): EndpointRef {
  switch (s.kind) {
    case 'workload':
      return { kind: 'workload', namespace: s.workload.namespace, name: s.workload.name, workloadKind: s.workload.kind };
    case 'pod':
      return { kind: 'pod', namespace: s.namespace, pod: s.pod };
    case 'ip':
      return { kind: 'ip', ip: s.ip };
  }
}

function targetPod(d: Record<string, string>): { namespace: string; pod: string } | undefined {
  const ns = d.__meta_kubernetes_namespace;
  if (!ns) return undefined;
  if (d.__meta_kubernetes_pod_name) return { namespace: ns, pod: d.__meta_kubernetes_pod_name };
  for (const role of ['endpointslice', 'endpoint']) {
    if (d[`__meta_kubernetes_${role}_address_target_kind`] === 'Pod' && d[`__meta_kubernetes_${role}_address_target_name`]) {
      return { namespace: ns, pod: d[`__meta_kubernetes_${role}_address_target_name`] as string };
    }
  }
  return undefined;
}

export type TargetReading = { kind: 'flow'; flow: MetricFlow } | { kind: 'skip'; reason: SkipReason | 'not-an-address' } | { kind: 'reject'; reason: 'invalid-value' | 'invalid-label'; label: string; value: string };

export function readTarget(t: ActiveTarget, scraper: ScraperRef): TargetReading {
  let url: URL;
  try {
    url = new URL(t.scrapeUrl);
  } catch {
    return { kind: 'reject', reason: 'invalid-value', label: 'scrapeUrl', value: t.scrapeUrl.slice(0, 80) };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // Port 0 is no TCP port: stored, it would be an edge every read leaves out (as a series' port="0").
  if (port === 0) return { kind: 'reject', reason: 'invalid-value', label: 'scrapeUrl', value: t.scrapeUrl.slice(0, 80) };
  const pod = targetPod(t.discoveredLabels);
  let dst: EndpointRef;
  if (pod) dst = isIP(host) ? { kind: 'pod', ...pod, ip: host } : { kind: 'pod', ...pod };
  else if (isIP(host)) dst = { kind: 'ip', ip: host };
  // A DNS name (a static target, a Service name) says nothing the inventory can resolve.
  else return { kind: 'skip', reason: 'not-an-address' };
  const flow: MetricFlow = { src: scraperEndpoint(scraper), dst, protocol: 'TCP', port, portIsServer: true, direction: 'src-is-client', verdict: t.health === 'up' ? 'forwarded' : 'unknown' };
  // Names as the series' are checked (a namespace or pod name no Kubernetes object can have).
  const checked = checkedNames({ kind: 'flow', flow });
  if (checked.kind === 'reject') return { kind: 'reject', reason: 'invalid-label', label: 'discoveredLabels', value: checked.value ?? '' };
  return { kind: 'flow', flow };
}
