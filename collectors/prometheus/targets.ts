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
 * (collectors/flows/resolve.ts serviceSides); one endpoint of a headless Service
 * (`<endpoint>.<service>.<ns>.svc`) is that endpoint's pod alone, found by its EndpointSlice
 * hostname or dashed address (domain/pod-dns-names.ts endpointsNamed), and so is its short form
 * `<endpoint>.<service>` asked from the scraper's namespace where such an endpoint is stored (the
 * first name its search path makes). A pod A record
 * (`10-244-0-5.<ns>.pod.<zone>`) is its address, resolved through the IP history as an address
 * target is. A scraper given by address searches short names in the namespace of the pod that held
 * that address at the scrape. Any other name stays unresolved (`not-an-address`).
 *
 * The scraper is the client of every scrape, also of the pods on its own node: a scraper given as
 * a node's address (a Prometheus on the host network) is the host-network workload there that
 * declares Prometheus's port, else that node (`node:`), never the pod's own node (`kubelet:`).
 */
import { isIP } from 'node:net';
import { isIpAddress, storedAddress } from '../../domain/ip.ts';
import type { ScraperRef } from './config.ts';
import type { ActiveTarget } from './client.ts';
import type { EndpointSlice } from '../../domain/inventory.ts';
import { endpointNamedIn, endpointsNamed, podRecordOfName } from '../../domain/pod-dns-names.ts';
import { searchName, type ServiceRef, type Services } from '../../domain/service-dns-names.ts';
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
  const host = hostOf(url);
  if (s.kind === 'ip' && host === s.ip) return portOf(url);
  return PROMETHEUS_DEFAULT_PORT;
}

const PROMETHEUS_DEFAULT_PORT = 9090;

/** A URL's host: a name, or an address as flows are stored (the URL parser writes `[::ffff:a00:5]` for `[::ffff:10.0.0.5]`, domain/ip.ts storedAddress). */
function hostOf(url: URL): string {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIpAddress(host) ? storedAddress(host) : host;
}

/** A URL's port: the one written, else its scheme's (the URL parser leaves a scheme's default port out). */
function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
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

/**
 * Why a target named by a DNS name is not read: `not-an-address`, a name outside the cluster's
 * Services; `short-name-without-namespace`, a name the scraper's search path completes in its
 * namespace, unknown for a scraper given by an address no pod held at the scrape (a node's, on the
 * host network: its resolver is the node's unless its dnsPolicy, which the inventory does not keep,
 * is ClusterFirstWithHostNet); `no-dns-record`, an endpoint hostname
 * under a Service that is not headless (no record answers it: kubernetes/dns docs/specification.md
 * 2.4.1); `ambiguous-dns-name`, a short name more than one Service may answer — `<hostname>.<service>`
 * where the scraper namespace's headless Service has no stored endpoint of that hostname (the search
 * may go on past it).
 */
export type TargetSkipReason = 'not-an-address' | 'short-name-without-namespace' | 'no-dns-record' | 'ambiguous-dns-name';

/**
 * A target read into a flow. `podRecordNamespace`: the target is a pod A record whose namespace is
 * not that of the pod holding its address at the scrape; the flow is the address's all the same
 * (CoreDNS `pods insecure`, the usual setting, answers any address; `pods verified` answers only
 * for a pod of that namespace, and then the scrape fails: CoreDNS plugin/kubernetes README, `pods`).
 */
export type TargetReading =
  | { kind: 'flow'; flow: MetricFlow; podRecordNamespace?: { named: string; holder: string } }
  | { kind: 'skip'; reason: SkipReason | TargetSkipReason }
  | { kind: 'reject'; reason: 'invalid-value' | 'invalid-label'; label: string; value: string };

/**
 * What a target's DNS name is read against: the inventory's Services and EndpointSlices, the
 * cluster domain (`matrices.clusterDomain`), and the namespace of the pod that held an address at a
 * time (the IP history: the scraper's namespace when it is given by address, a pod record's pod).
 */
export interface TargetNames {
  services: Services;
  endpointSlices: readonly EndpointSlice[];
  clusterDomain: string;
  podNamespaceAt(ip: string, time: number): string | undefined;
}

/**
 * The namespace whose search path the scraper's resolver uses (kubernetes.io "DNS for Services and
 * Pods": `search <ns>.svc.<zone> …`): the one it is named in, else, given by address, that of the
 * pod holding the address at the scrape. A node's address has none: a Prometheus on the host
 * network asks the node's resolver unless its dnsPolicy is ClusterFirstWithHostNet, which the
 * inventory does not keep.
 */
function scraperNamespace(s: ScraperRef, time: number, names: TargetNames): string | undefined {
  switch (s.kind) {
    case 'workload':
      return s.workload.namespace;
    case 'pod':
      return s.namespace;
    case 'ip':
      return names.podNamespaceAt(s.ip, time);
  }
}

/** Where a scrape URL's DNS name leads: a Service, one endpoint of a headless Service, or why it reaches none the inventory can name. */
function serviceOfHost(host: string, scraper: ScraperRef, time: number, names: TargetNames): EndpointRef | TargetSkipReason {
  const asker = { clusterDomain: names.clusterDomain, namespace: scraperNamespace(scraper, time, names) };
  const search = searchName(host, names.services, asker, endpointNamedIn(names.endpointSlices));
  if (search.noRecord !== undefined) return 'no-dns-record';
  if (search.services.length === 0) return search.outside ? 'not-an-address' : 'short-name-without-namespace';
  const [only] = search.services;
  if (search.outside || search.services.length > 1 || only === undefined) return 'ambiguous-dns-name';
  return (search.endpoint !== undefined ? namedEndpoint(names.endpointSlices, only, search.endpoint) : undefined) ?? { kind: 'service', namespace: only.namespace, name: only.service };
}

/**
 * The one pod (or address) an endpoint's name answers with. Undefined where the EndpointSlices name
 * no endpoint so, or several pods: then the Service's backends, a superset, stand for it (an
 * inventory older than the name, or one imported before hostnames were kept, must not cut the scrape).
 */
function namedEndpoint(slices: readonly EndpointSlice[], service: ServiceRef, label: string): EndpointRef | undefined {
  const refs = new Map<string, EndpointRef>();
  for (const e of endpointsNamed(slices, service, label)) {
    const ip = e.addresses[0];
    if (ip === undefined) continue;
    const ref: EndpointRef = e.targetRef?.kind === 'Pod' ? { kind: 'pod', namespace: e.targetRef.namespace ?? service.namespace, pod: e.targetRef.name, ip } : { kind: 'ip', ip };
    refs.set(ref.kind === 'pod' ? `pod ${ref.namespace}/${ref.pod}` : `ip ${ip}`, ref);
  }
  return refs.size === 1 ? [...refs.values()][0] : undefined;
}

/** The pass's `reasons` key of a target read through a pod A record of another namespace than its pod's (read all the same). */
export const POD_RECORD_OTHER_NAMESPACE = 'pod-record-other-namespace';

/** What the pass warns of such a target, once per pair of namespaces (the pass's `examples` name the target). */
export function podRecordWarning(m: { named: string; holder: string }): string {
  return `scrape targets: a pod A record under namespace ${m.named} names the address of a pod of namespace ${m.holder}; the scrape is that pod's (CoreDNS "pods insecure" answers any address), but under "pods verified" the name has no answer and the scrape fails: write it under ${m.holder}`;
}

/** A pod A record's namespace where the pod holding its address at `time` is of another one. */
function podRecordMismatch(named: string, ip: string, time: number, names: TargetNames): { named: string; holder: string } | undefined {
  const holder = names.podNamespaceAt(ip, time);
  return holder !== undefined && holder !== named ? { named, holder } : undefined;
}

export function readTarget(t: ActiveTarget, scraper: ScraperRef, scraperPort: number, names: TargetNames): TargetReading {
  let url: URL;
  try {
    url = new URL(t.scrapeUrl);
  } catch {
    return { kind: 'reject', reason: 'invalid-value', label: 'scrapeUrl', value: t.scrapeUrl.slice(0, 80) };
  }
  const host = hostOf(url);
  const port = portOf(url);
  // Port 0 is no TCP port: stored, it would be an edge every read leaves out (as a series' port="0").
  if (port === 0) return { kind: 'reject', reason: 'invalid-value', label: 'scrapeUrl', value: t.scrapeUrl.slice(0, 80) };
  const pod = targetPod(t.discoveredLabels);
  const podRecord = pod || isIP(host) ? undefined : podRecordOfName(host, { clusterDomain: names.clusterDomain });
  let dst: EndpointRef;
  if (pod) dst = isIP(host) ? { kind: 'pod', ...pod, ip: host } : { kind: 'pod', ...pod };
  else if (isIP(host)) dst = { kind: 'ip', ip: host };
  else if (podRecord) dst = { kind: 'ip', ip: podRecord.address };
  else {
    const service = serviceOfHost(host, scraper, t.lastScrape, names);
    if (typeof service === 'string') return { kind: 'skip', reason: service };
    dst = service;
  }
  const flow: MetricFlow = { src: scraperEndpoint(scraper), dst, protocol: 'TCP', port, portIsServer: true, direction: 'src-is-client', verdict: t.health === 'up' ? 'forwarded' : 'unknown', configuredClient: { listensOn: scraperPort } };
  // Names as the series' are checked (a namespace or pod name no Kubernetes object can have).
  const checked = checkedNames({ kind: 'flow', flow });
  if (checked.kind === 'reject') return { kind: 'reject', reason: 'invalid-label', label: checked.label === 'destination' && dst.kind === 'service' ? 'scrapeUrl' : 'discoveredLabels', value: checked.value ?? '' };
  const mismatch = podRecord && podRecordMismatch(podRecord.namespace, podRecord.address, t.lastScrape, names);
  return mismatch ? { kind: 'flow', flow, podRecordNamespace: mismatch } : { kind: 'flow', flow };
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
