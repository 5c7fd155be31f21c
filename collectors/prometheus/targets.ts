/**
 * Prometheus's own scrapes (GET /api/v1/targets, prometheus/prometheus docs/querying/api.md
 * "Targets"): every active target is a connection from the Prometheus server (configured:
 * collectors.prometheus.scraper) to the target's pod on the scrape port. The pod comes from the
 * target's discoveredLabels (kubernetes_sd: __meta_kubernetes_namespace with
 * __meta_kubernetes_pod_name for role pod, or …_endpointslice_address_target_* /
 * …_endpoint_address_target_* for Pod-backed endpoints), else from the scrape URL's address
 * through the IP history. The port is the scrape URL's: scrapes go straight to pod IP:port, no
 * Service in between (docs/configuration/configuration.md, kubernetes_sd_config).
 *
 * A scrape URL's host may be a DNS name (a static target `alertmanager-operated:9093`, a probe's
 * `kube-state-metrics.kube-system.svc:8080`): a Service's name is read as a pod's resolver reads it
 * (domain/service-dns-names.ts searchName; the scraper pod's search path completes a short name in
 * its namespace) and becomes the Service, which the pipeline resolves as a flow to it: its backends
 * on the targetPort the Service port maps to, a headless Service's on the port as written
 * (collectors/flows/resolve.ts serviceSides). Any other name stays unresolved (`not-an-address`).
 *
 * The scraper is the client of every scrape, also of the pods on its own node: a scraper given as
 * a node's address (a Prometheus on the host network) is the host-network workload there that
 * declares Prometheus's port, else that node (`node:`), never the pod's own node (`kubelet:`).
 */
import { isIP } from 'node:net';
import type { ScraperRef } from './config.ts';
import type { ActiveTarget } from './client.ts';
import { searchName, type Services } from '../../domain/service-dns-names.ts';
import { checkedNames, type EndpointRef, type MetricFlow, type SkipReason } from './series.ts';
import type { TargetCursor } from './store.ts';

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

/**
 * The port the scraper listens on: the configured URL's when it addresses the scraper's own address,
 * else Prometheus's default (`--web.listen-address` "0.0.0.0:9090", prometheus cmd/prometheus/main.go).
 */
export function scraperListenPort(prometheusUrl: string, s: ScraperRef): number {
  const url = new URL(prometheusUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (s.kind === 'ip' && host === s.ip) return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return PROMETHEUS_DEFAULT_PORT;
}

const PROMETHEUS_DEFAULT_PORT = 9090;

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

/**
 * Why a target named by a DNS name is not read: `not-an-address`, a name outside the cluster's
 * Services; `short-name-without-namespace`, a name the scraper's search path completes in its
 * namespace, which a scraper given by address does not name; `no-dns-record`, an endpoint hostname
 * under a Service that is not headless (no record answers it: kubernetes/dns docs/specification.md
 * 2.4.1); `ambiguous-dns-name`, a short name more than one Service may answer.
 */
export type TargetSkipReason = 'not-an-address' | 'short-name-without-namespace' | 'no-dns-record' | 'ambiguous-dns-name';

export type TargetReading = { kind: 'flow'; flow: MetricFlow } | { kind: 'skip'; reason: SkipReason | TargetSkipReason } | { kind: 'reject'; reason: 'invalid-value' | 'invalid-label'; label: string; value: string };

/** What a target's DNS name is read against: the inventory's Services and the cluster domain (`matrices.clusterDomain`). */
export interface TargetNames {
  services: Services;
  clusterDomain: string;
}

/** The namespace whose search path the scraper's resolver uses, when the scraper is named as a pod or workload. */
function scraperNamespace(s: ScraperRef): string | undefined {
  return s.kind === 'workload' ? s.workload.namespace : s.kind === 'pod' ? s.namespace : undefined;
}

/** The Service a scrape URL's DNS name reaches, or why it reaches none the inventory can name. */
function serviceOfHost(host: string, scraper: ScraperRef, names: TargetNames): EndpointRef | TargetSkipReason {
  const search = searchName(host, names.services, { clusterDomain: names.clusterDomain, namespace: scraperNamespace(scraper) });
  if (search.noRecord !== undefined) return 'no-dns-record';
  if (search.services.length === 0) return search.outside ? 'not-an-address' : 'short-name-without-namespace';
  const [only] = search.services;
  if (search.outside || search.services.length > 1 || only === undefined) return 'ambiguous-dns-name';
  return { kind: 'service', namespace: only.namespace, name: only.service };
}

export function readTarget(t: ActiveTarget, scraper: ScraperRef, scraperPort: number, names: TargetNames): TargetReading {
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
  else {
    const service = serviceOfHost(host, scraper, names);
    if (typeof service === 'string') return { kind: 'skip', reason: service };
    dst = service;
  }
  const flow: MetricFlow = { src: scraperEndpoint(scraper), dst, protocol: 'TCP', port, portIsServer: true, direction: 'src-is-client', verdict: t.health === 'up' ? 'forwarded' : 'unknown', configuredClient: { listensOn: scraperPort } };
  // Names as the series' are checked (a namespace or pod name no Kubernetes object can have).
  const checked = checkedNames({ kind: 'flow', flow });
  if (checked.kind === 'reject') return { kind: 'reject', reason: 'invalid-label', label: checked.label === 'destination' && dst.kind === 'service' ? 'scrapeUrl' : 'discoveredLabels', value: checked.value ?? '' };
  return { kind: 'flow', flow };
}

/**
 * Which scrapes are new, per target. Prometheus sets a target's `lastScrape` to the time its scrape
 * STARTED and publishes it when the scrape ENDS (prometheus/prometheus scrape/scrape.go: `report()`
 * calls `Report(start, duration, …)` after the scrape; docs/querying/api.md "Targets"): a scrape in
 * progress during a pass is, when the next pass reads it, older than other targets' scrapes that
 * pass saw. So each target has its own cursor, its last scrape counted, and each scrape of it
 * counts once. A target's scrapes start one after the other, so a later scrape starts later.
 */
export class TargetCursors {
  private readonly remembered = new Map<string, number>();
  private readonly kept = new Map<string, TargetCursor>();

  /**
   * `remembered`: each target's last scrape counted, as stored; `floor`: what a target not
   * remembered was counted up to (the one cursor of every target, before there was one per target;
   * 0 when there was none).
   */
  constructor(remembered: Iterable<TargetCursor>, private readonly floor: number) {
    for (const c of remembered) this.remembered.set(targetKey(c), c.lastScrape);
  }

  /** Whether the target's last scrape is one not counted yet. The target is kept either way, at the scrape it was counted up to. */
  isNew(t: ActiveTarget): boolean {
    const key = targetKey(t);
    const last = this.remembered.get(key);
    const isNew = t.lastScrape > (last ?? this.floor);
    // A scrape the floor covered was counted then (or was in progress, which no cursor can tell).
    const upTo = isNew ? last : Math.max(last ?? 0, t.lastScrape);
    if (upTo !== undefined && upTo > 0) this.kept.set(key, { scrapePool: t.scrapePool, scrapeUrl: t.scrapeUrl, lastScrape: upTo });
    return isNew;
  }

  /** The target's last scrape is counted: later passes count only later ones. */
  counted(t: ActiveTarget): void {
    this.kept.set(targetKey(t), { scrapePool: t.scrapePool, scrapeUrl: t.scrapeUrl, lastScrape: t.lastScrape });
  }

  /**
   * What to store: the targets of this answer only, so at most maxSeries (a larger answer is not
   * read); a target gone from Prometheus is forgotten, and when it comes back its scrape loop is a
   * new one, whose scrapes are new.
   */
  cursors(): TargetCursor[] {
    return [...this.kept.values()];
  }
}

const targetKey = (t: { scrapePool: string; scrapeUrl: string }): string => JSON.stringify([t.scrapePool, t.scrapeUrl]);
