/**
 * The traffic plan: every kind of conversation the demo cluster carries, which document (if
 * any) describes it, and which existing policy drops it. DNS lookups and kubelet probes are
 * derived from the workloads; everything else is listed by hand from the seed documents.
 */
import type { Conversation, DemoCluster, DemoWorkload, EndRef, L4Protocol } from './model.ts';

const SEED_000 = 'seed-000 StackLight';
const SEED_001 = 'seed-001 Kyma Telemetry';
const SEED_002 = 'seed-002 NetObserv';
const SEED_003 = 'seed-003 progressive-delivery controller';

const wl = (ref: string): EndRef => {
  const [namespace, name] = ref.split('/') as [string, string];
  return { kind: 'workload', namespace, name };
};
const APISERVER: EndRef = { kind: 'apiserver' };
const NODE: EndRef = { kind: 'node' };
const ext = (id: string): EndRef => ({ kind: 'external', id });

interface Opts {
  service?: string;
  protocol?: L4Protocol;
  weight?: number;
  doc?: string;
  deniedBy?: string;
  note?: string;
}

export function conversations(cluster: DemoCluster): Conversation[] {
  const out: Conversation[] = [];
  const workloads = new Map(cluster.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const externals = new Map(cluster.externals.map((e) => [e.id, e]));
  const add = (client: EndRef, server: EndRef, port: number, o: Opts = {}): void => {
    for (const end of [client, server]) {
      if (end.kind === 'workload' && !workloads.has(`${end.namespace}/${end.name}`)) throw new Error(`traffic plan names unknown workload ${end.namespace}/${end.name}`);
      if (end.kind === 'external' && !externals.has(end.id)) throw new Error(`traffic plan names unknown external ${end.id}`);
    }
    const conv: Conversation = {
      id: `${refText(client)}->${refText(server)}:${port}/${o.protocol ?? 'TCP'}`,
      client, server, port, protocol: o.protocol ?? 'TCP', weight: o.weight ?? 1,
    };
    if (o.service) conv.service = o.service;
    if (o.doc) conv.documentedBy = o.doc;
    if (o.deniedBy) conv.deniedBy = o.deniedBy;
    if (o.note) conv.note = o.note;
    if (server.kind === 'external') {
      const name = externals.get(server.id)?.dnsName;
      if (name) conv.dnsName = name;
    } else if (o.service) {
      const [ns, svc] = o.service.split('/');
      conv.dnsName = `${svc}.${ns}.svc.cluster.local`;
    }
    out.push(conv);
  };
  const toApiserver = (client: string, doc: string | undefined, weight = 2, note?: string): void =>
    add(wl(client), APISERVER, cluster.apiserver.port, { service: 'default/kubernetes', weight, ...(doc ? { doc } : {}), ...(note ? { note } : {}) });

  // ---- seed 002: NetObserv
  add(APISERVER, wl('netobserv/netobserv-controller-manager'), 9443, { doc: SEED_002, weight: 2 });
  toApiserver('netobserv/netobserv-controller-manager', SEED_002, 3);
  add(wl('stacklight/prometheus-server'), wl('netobserv/netobserv-controller-manager'), 8443, { doc: SEED_002, deniedBy: 'netobserv/netobserv' });
  add(wl('netobserv-privileged/netobserv-ebpf-agent'), wl('netobserv/flowlogs-pipeline'), 2055, { service: 'netobserv/flowlogs-pipeline', doc: SEED_002, weight: 8 });
  add(wl('stacklight/prometheus-server'), wl('netobserv-privileged/netobserv-ebpf-agent'), 9400, { doc: SEED_002, weight: 2 });
  add(wl('stacklight/prometheus-server'), wl('netobserv/flowlogs-pipeline'), 9401, { doc: SEED_002, deniedBy: 'netobserv/netobserv', weight: 2 });
  add(wl('netobserv/flowlogs-pipeline'), wl('netobserv/loki'), 3100, { service: 'netobserv/loki', doc: SEED_002, weight: 5 });
  toApiserver('netobserv/flowlogs-pipeline', undefined, 2, 'FLP informers enrich flows with Kubernetes metadata; seed 002 does not list it');
  add(wl('netobserv/netobserv-plugin'), wl('netobserv/loki'), 3100, { service: 'netobserv/loki', doc: SEED_002, weight: 3 });
  add(wl('netobserv/netobserv-plugin'), wl('stacklight/prometheus-server'), 9090, { service: 'stacklight/prometheus-server', doc: SEED_002, deniedBy: 'netobserv/netobserv', weight: 2 });
  add(wl('stacklight/prometheus-server'), wl('netobserv/netobserv-plugin'), 9002, { doc: SEED_002, deniedBy: 'netobserv/netobserv' });
  add(wl('ingress-nginx/ingress-nginx-controller'), wl('netobserv/netobserv-plugin'), 9001, { doc: SEED_002 });
  // The Kafka deployment model (seed 002 lines 35-36 and 50-51): agents (node IPs) and flowlogs-pipeline to the brokers.
  add(wl('netobserv-kafka-privileged/netobserv-ebpf-agent'), wl('kafka/kafka-cluster-kafka'), 9092, { service: 'kafka/kafka-cluster-kafka-bootstrap', doc: SEED_002, weight: 6 });
  add(wl('netobserv-kafka/flowlogs-pipeline'), wl('kafka/kafka-cluster-kafka'), 9092, { service: 'kafka/kafka-cluster-kafka-bootstrap', doc: SEED_002, weight: 4 });
  add(wl('kafka/kafka-cluster-kafka'), wl('kafka/kafka-cluster-kafka'), 9091, { weight: 2, note: 'broker replication' });
  toApiserver('netobserv-kafka/flowlogs-pipeline', undefined, 1, 'FLP informers enrich flows with Kubernetes metadata; seed 002 does not list it');

  // ---- seed 001: Kyma Telemetry
  const kyma = (n: string): string => `kyma-system/${n}`;
  add(APISERVER, wl(kyma('telemetry-manager')), 9443, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-self-monitor')), wl(kyma('telemetry-manager')), 9443, { service: kyma('telemetry-manager-webhook'), doc: SEED_001, note: 'self-monitor alerts to the manager webhook' });
  add(wl(kyma('telemetry-manager')), wl(kyma('telemetry-self-monitor')), 9090, { service: kyma('telemetry-self-monitor'), doc: SEED_001, weight: 2 });
  for (const n of ['telemetry-log-agent', 'telemetry-log-gateway', 'telemetry-metric-agent', 'telemetry-metric-gateway', 'telemetry-trace-gateway']) {
    add(wl(kyma('telemetry-self-monitor')), wl(kyma(n)), 8888, { doc: SEED_001 });
  }
  add(wl(kyma('telemetry-self-monitor')), wl(kyma('telemetry-fluent-bit')), 2021, { note: 'the self-monitor scrapes Fluent Bit on 2020 only (matrices/kyma-telemetry.yaml header), so this is a violation' });
  add(wl(kyma('telemetry-self-monitor')), wl(kyma('telemetry-fluent-bit')), 2020, { doc: SEED_001, weight: 0.5 });
  add(wl(kyma('telemetry-self-monitor')), wl(kyma('telemetry-manager')), 8080, { weight: 0.5, note: 'seed 001 line 30: the manager is scraped by RMA only, so this is a violation' });
  for (const n of ['telemetry-manager', 'telemetry-fluent-bit', 'telemetry-log-agent', 'telemetry-log-gateway', 'telemetry-metric-agent', 'telemetry-metric-gateway', 'telemetry-trace-gateway', 'telemetry-self-monitor']) {
    toApiserver(kyma(n), SEED_001, n === 'telemetry-manager' ? 3 : 1);
  }
  add(wl(kyma('telemetry-fluent-bit')), ext('cls'), 443, { doc: SEED_001, weight: 3 });
  add(wl(kyma('telemetry-log-agent')), ext('cls'), 443, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-log-gateway')), ext('cls'), 443, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-metric-gateway')), ext('dynatrace'), 443, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-trace-gateway')), ext('dynatrace'), 443, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-metric-agent')), NODE, 10250, { doc: SEED_001, weight: 2 });
  add(wl(kyma('telemetry-metric-agent')), wl('shop/catalog'), 9090, { doc: SEED_001, note: 'scraping customer workload metrics' });
  add(wl(kyma('telemetry-metric-agent')), wl(kyma('telemetry-metric-gateway')), 4317, { service: kyma('telemetry-otlp-metrics'), weight: 2, note: 'seed 001 names only external backends as the agent egress' });
  for (const app of ['frontend', 'cart', 'catalog']) {
    add(wl(`shop/${app}`), wl(kyma('telemetry-trace-gateway')), 4318, { service: kyma('telemetry-otlp-traces'), doc: SEED_001, note: 'OTLP data ingested by customer workloads' });
  }

  // ---- seed 000: StackLight
  const sl = (n: string): string => `stacklight/${n}`;
  const prom = wl(sl('prometheus-server'));
  add(prom, wl(sl('prometheus-node-exporter')), 9100, { doc: SEED_000, weight: 3, note: 'node exporter on host network' });
  add(prom, NODE, 10250, { doc: SEED_000, weight: 2 });
  for (const [target, p] of [['cadvisor', 8080], ['prometheus-kube-state-metrics', 8080], ['telegraf-ds-smart', 9126], ['fluentd-logs', 24231], ['prometheus-alertmanager', 9093], ['grafana', 3000], ['opensearch-master', 9200], ['alerta', 8080]] as const) {
    add(prom, wl(sl(target)), p, { doc: SEED_000 });
  }
  add(prom, wl('kube-system/coredns'), 9153, {});
  add(prom, wl('shop/catalog'), 9090, {});
  add(prom, wl('shop/postgres'), 9187, {});
  add(prom, wl('ingress-nginx/ingress-nginx-controller'), 10254, {});
  toApiserver(sl('prometheus-server'), SEED_000, 2);
  add(prom, wl(sl('prometheus-alertmanager')), 9093, { service: sl('prometheus-alertmanager'), doc: SEED_000 });
  add(wl(sl('prometheus-alertmanager')), wl(sl('prometheus-alertmanager')), 9094, { doc: SEED_000, note: 'alertmanager cluster mesh' });
  add(wl(sl('prometheus-alertmanager')), wl(sl('alerta')), 8080, { service: sl('alerta'), doc: SEED_000 });
  add(wl(sl('prometheus-alertmanager')), wl(sl('sf-notifier')), 5000, { service: sl('sf-notifier'), doc: SEED_000 });
  add(wl(sl('prometheus-alertmanager')), wl(sl('alertmanager-webhook-servicenow')), 8080, { service: sl('alertmanager-webhook-servicenow'), doc: SEED_000 });
  add(wl(sl('alertmanager-webhook-servicenow')), ext('servicenow'), 443, { doc: SEED_000 });
  add(wl(sl('sf-notifier')), ext('salesforce'), 443, { doc: SEED_000 });
  add(wl(sl('grafana')), prom, 9090, { service: sl('prometheus-server'), doc: SEED_000, weight: 2 });
  add(wl(sl('grafana')), ext('keycloak'), 443, { doc: SEED_000 });
  add(wl(sl('iam-proxy-grafana')), wl(sl('grafana')), 3000, { service: sl('grafana'), doc: SEED_000 });
  add(wl(sl('iam-proxy-grafana')), ext('keycloak'), 443, { doc: SEED_000 });
  add(wl(sl('alerta')), wl(sl('patroni')), 5432, { service: sl('patroni'), doc: SEED_000 });
  add(wl(sl('opensearch-dashboards')), wl(sl('opensearch-master')), 9200, { service: sl('opensearch-master'), doc: SEED_000 });
  add(wl(sl('opensearch-master')), wl(sl('opensearch-master')), 9300, { doc: SEED_000 });
  add(wl(sl('fluentd-logs')), wl(sl('opensearch-master')), 9200, { service: sl('opensearch-master'), doc: SEED_000, weight: 4 });
  toApiserver(sl('fluentd-logs'), SEED_000, 1);
  add(wl(sl('fluentd-notifications')), wl(sl('opensearch-master')), 9200, { service: sl('opensearch-master'), doc: SEED_000 });
  toApiserver(sl('fluentd-notifications'), SEED_000, 1);
  toApiserver(sl('prometheus-kube-state-metrics'), SEED_000, 2);
  add(wl(sl('elasticsearch-curator')), wl(sl('opensearch-master')), 9200, { service: sl('opensearch-master'), doc: SEED_000 });
  add(wl(sl('metric-collector')), ext('openstack'), 5000, { doc: SEED_000 });
  toApiserver(sl('metric-collector'), SEED_000, 1);
  add(wl(sl('sf-reporter')), prom, 9090, { service: sl('prometheus-server'), doc: SEED_000 });
  add(wl(sl('sf-reporter')), ext('salesforce'), 443, { doc: SEED_000 });
  for (const [target, p, user] of [['grafana', 3000, 'user-1'], ['prometheus-server', 9090, 'user-2'], ['prometheus-alertmanager', 9093, 'user-2'], ['alerta', 8080, 'user-3'], ['opensearch-dashboards', 5601, 'user-3']] as const) {
    add(ext(user), wl(sl(target)), p, { doc: SEED_000, note: 'web UI through a LoadBalancer' });
  }

  // ---- seed 003: the progressive-delivery controller, Flagger, Flux, the monitoring Prometheus
  const ctl = 'progressive-delivery/stage-controller';
  add(APISERVER, wl(ctl), 9443, { doc: SEED_003, weight: 2 });
  toApiserver(ctl, SEED_003, 3);
  add(wl('monitoring/prometheus'), wl(ctl), 8080, { doc: SEED_003 });
  add(wl('flagger-system/flagger'), wl(ctl), 8082, { service: 'progressive-delivery/stage-controller', doc: SEED_003, weight: 2 });
  add(wl(ctl), wl('flux-system/source-controller'), 9090, { service: 'flux-system/source-controller', doc: SEED_003, weight: 2 });
  add(wl(ctl), ext('s3-rollback'), 443, { doc: SEED_003 });
  add(wl(ctl), ext('otlp-collector'), 4317, { doc: SEED_003 });
  toApiserver('flagger-system/flagger', undefined, 2);
  add(wl('flagger-system/flagger'), wl('monitoring/prometheus'), 9090, { service: 'monitoring/prometheus' });
  add(wl('monitoring/prometheus'), wl('flagger-system/flagger'), 8080, {});
  add(wl('monitoring/prometheus'), wl('flux-system/source-controller'), 8080, {});
  add(wl('monitoring/prometheus'), wl('flux-system/kustomize-controller'), 8080, {});
  toApiserver('monitoring/prometheus', undefined, 1);
  add(wl('flux-system/source-controller'), ext('git'), 443, { weight: 2 });
  toApiserver('flux-system/source-controller', undefined, 2);
  add(wl('flux-system/kustomize-controller'), wl('flux-system/source-controller'), 9090, { service: 'flux-system/source-controller' });
  toApiserver('flux-system/kustomize-controller', undefined, 2);

  // ---- kube-system, ingress and the applications (no document)
  toApiserver('kube-system/coredns', undefined, 1);
  toApiserver('ingress-nginx/ingress-nginx-controller', undefined, 1);
  add(ext('user-1'), wl('ingress-nginx/ingress-nginx-controller'), 443, { weight: 4 });
  add(ext('user-3'), wl('ingress-nginx/ingress-nginx-controller'), 80, { weight: 1 });
  add(wl('ingress-nginx/ingress-nginx-controller'), wl('shop/frontend'), 8080, { weight: 4 });
  add(wl('shop/frontend'), wl('shop/cart'), 8080, { service: 'shop/cart', weight: 3 });
  add(wl('shop/frontend'), wl('shop/catalog'), 8080, { service: 'shop/catalog', weight: 4 });
  add(wl('shop/frontend'), wl('shop/payments'), 8080, { service: 'shop/payments', weight: 1 });
  add(wl('shop/cart'), wl('shop/catalog'), 8080, { service: 'shop/catalog', weight: 2 });
  add(wl('shop/cart'), wl('shop/redis'), 6379, { service: 'shop/redis', weight: 3 });
  add(wl('shop/catalog'), wl('shop/postgres'), 5432, { service: 'shop/postgres', weight: 3 });
  add(wl('shop/payments'), wl('shop/postgres'), 5432, { service: 'shop/postgres', weight: 1 });
  add(wl('shop/payments'), ext('payments-api'), 443, { weight: 1 });
  add(wl('shop/nightly-report'), wl('shop/postgres'), 5432, { service: 'shop/postgres' });
  add(wl('analytics/report-builder'), wl('shop/postgres'), 5432, { service: 'shop/postgres', deniedBy: 'shop/postgres', note: "another team's database" });
  add(wl('tools/netshoot'), ext('unknown-4444'), 4444, { weight: 1.5, note: 'debug pod calling an external IP' });
  add(wl('tools/netshoot'), wl('shop/catalog'), 8080, { service: 'shop/catalog', weight: 0.5, note: 'debug pod poking the catalog' });

  // ---- extra team namespaces (scale > 1)
  for (const w of cluster.workloads) {
    if (!w.namespace.startsWith('team-') || !w.name.startsWith('svc-')) continue;
    const i = Number(w.name.slice(4));
    const ns = w.namespace;
    const next = `svc-${String(i + 1).padStart(2, '0')}`;
    if (workloads.has(`${ns}/${next}`)) add(wl(`${ns}/${w.name}`), wl(`${ns}/${next}`), 8080, { service: `${ns}/${next}`, weight: 0.3 });
    if (i % 4 === 0) add(wl(`${ns}/${w.name}`), wl(`${ns}/db`), 5432, { service: `${ns}/db`, weight: 0.3 });
    add(prom, wl(`${ns}/${w.name}`), 9090, { weight: 0.1 });
  }
  for (const ns of new Set(cluster.workloads.filter((w) => w.namespace.startsWith('team-')).map((w) => w.namespace))) {
    add(wl(`${ns}/worker`), wl(`${ns}/cache`), 6379, { service: `${ns}/cache`, weight: 0.3 });
    add(wl(`${ns}/cleanup`), wl(`${ns}/db`), 5432, { service: `${ns}/db`, weight: 0.3 });
  }

  out.push(...dnsLookups(out, workloads));
  out.push(...kubeletProbes(cluster.workloads));
  return out;
}

/** Every pod-network client resolves the names it dials through kube-dns (UDP, and TCP now and then). */
function dnsLookups(plan: Conversation[], workloads: Map<string, DemoWorkload>): Conversation[] {
  const names = new Map<string, Set<string>>();
  for (const c of plan) {
    if (c.client.kind !== 'workload' || !c.dnsName) continue;
    const key = `${c.client.namespace}/${c.client.name}`;
    if (workloads.get(key)?.hostNetwork) continue;
    if (!names.has(key)) names.set(key, new Set());
    names.get(key)?.add(c.dnsName);
  }
  const out: Conversation[] = [];
  for (const [key, set] of [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const client = wl(key);
    for (const name of [...set].sort()) {
      out.push({
        id: `${key}->dns:53/UDP ${name}`, client, server: wl('kube-system/coredns'), port: 53, protocol: 'UDP',
        service: 'kube-system/kube-dns', weight: 0.6, dns: true, dnsName: name,
      });
    }
    if (key === 'shop/payments') {
      out.push({ id: `${key}->dns:53/TCP`, client, server: wl('kube-system/coredns'), port: 53, protocol: 'TCP', service: 'kube-system/kube-dns', weight: 0.3, dnsName: 'api.payments.example.com' });
    }
  }
  return out;
}

/** kubelet probes every probed container port from the pod's own node; not a policy rule, but it shows up. */
function kubeletProbes(workloads: DemoWorkload[]): Conversation[] {
  const out: Conversation[] = [];
  for (const w of workloads) {
    if (w.hostNetwork) continue;
    for (const c of w.containers) {
      const p = c.ports.find((x) => x.name === c.probe);
      if (!p) continue;
      out.push({
        id: `kubelet->${w.namespace}/${w.name}:${p.port}`, client: { kind: 'own-node' }, server: wl(`${w.namespace}/${w.name}`),
        port: p.port, protocol: 'TCP', weight: w.namespace.startsWith('team-') ? 0.1 : 0.8, note: 'kubelet probe',
      });
    }
  }
  return out;
}

export function refText(r: EndRef): string {
  switch (r.kind) {
    case 'workload':
      return `${r.namespace}/${r.name}`;
    case 'external':
      return `external:${r.id}`;
    default:
      return r.kind;
  }
}
