/**
 * Static scrape targets named by a pod's DNS names, as a real Prometheus reports them (GET
 * /api/v1/targets `scrapeUrl`: the address as configured, prometheus docs/querying/api.md
 * "Targets"), scraped by a Prometheus given by its pod's address (`scraper: {ip}`). None of these
 * names resolves on this machine (health `down`): each still stands for a connection the Prometheus
 * server opens, and a target left unread gave no edge, so the recommendation cut the scrape.
 *
 * - A pod A record `<address, dashes for dots (IPv6: for colons)>.<ns>.pod.<zone>` (kubernetes.io
 *   "DNS for Services and Pods", "A/AAAA records"; CoreDNS plugin/kubernetes `findPods`) is the pod
 *   that held the address at the scrape, as an address target is. CoreDNS answers it for any
 *   address with `pods insecure`, and only for a pod of that namespace with `pods verified`
 *   (CoreDNS plugin/kubernetes README, "pods"): a name whose namespace is not the pod's is still
 *   attributed by the address, and said.
 * - A short name is completed by the search path of the scraper pod's namespace (kubernetes.io
 *   "DNS for Services and Pods": `search <ns>.svc.<zone> svc.<zone> <zone>`): the scraper's
 *   namespace is that of the pod that held its address at the scrape.
 * - `<endpoint>.<headless service>.<ns>.svc` answers with that one endpoint's address (kubernetes/dns
 *   docs/specification.md 2.4.1): the endpoint whose EndpointSlice `hostname` it is
 *   (discovery.k8s.io/v1 Endpoint.hostname, "used by consumers of endpoints to distinguish endpoints
 *   from each other (e.g. in DNS names)"), or, with none, its dashed address (CoreDNS
 *   plugin/kubernetes README, `endpoint_pod_names`: "Use the hostname of the endpoint, or if
 *   hostname is not set, use the dashed form of the endpoint IP address") — not every backend.
 *   Its short form `<endpoint>.<service>`, asked from the scraper's namespace, is the first name
 *   the search path makes (`ndots:5`): where a stored endpoint of that namespace's headless Service
 *   has that name, it answers, and the search ends there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { startPrometheus, untilScraped } from '../helpers/prometheus.ts';
import { tmpDb } from '../helpers/tmp.ts';

const TARGETS = [
  // node-exporter's pod A record, with the cluster domain and without it (the search path's `<zone>`).
  '10-244-0-5.monitoring.pod.cluster.local:9100',
  '10-244-0-5.monitoring.pod:9100',
  // A pod of namespace shop named under monitoring: `pods insecure` answers it.
  '10-244-0-20.monitoring.pod.cluster.local:8080',
  // A short name: the Service of the scraper pod's namespace.
  'alertmanager-operated:9093',
  // `<hostname>.<service>`: first searched as an endpoint of that namespace's headless Service.
  'alertmanager-0.alertmanager-operated:9093',
  // One endpoint of a headless Service whose backends are two workloads: by hostname, by dashed address.
  'kafka-0.kafka-headless.shop.svc:9404',
  '10-244-0-31.kafka-headless.shop.svc.cluster.local:9404',
];

const prom = await startPrometheus({
  config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: static
    static_configs:
      - targets: [${TARGETS.map((t) => `'${t}'`).join(', ')}]
`,
});

/** A workload of kind `kind` in `ns` labelled `app: <app>` with one running pod `pod` at `ip`, declaring `port`. */
function workload(kind: 'StatefulSet' | 'DaemonSet', ns: string, name: string, app: string, pod: string, ip: string, port: number, hostname?: string): string {
  const host = hostname === undefined ? '' : `hostname: ${hostname}, subdomain: ${app}-headless, `;
  return `- apiVersion: apps/v1
  kind: ${kind}
  metadata: {name: ${name}, namespace: ${ns}, uid: w-${name}}
  spec: {selector: {matchLabels: {app: ${app}, w: ${name}}}, template: {metadata: {labels: {app: ${app}, w: ${name}}}, spec: {containers: [{name: c, image: c, ports: [{containerPort: ${port}}]}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: ${pod}, namespace: ${ns}, labels: {app: ${app}, w: ${name}}, creationTimestamp: "2026-01-01T00:00:00Z", ownerReferences: [{apiVersion: apps/v1, kind: ${kind}, name: ${name}, uid: w-${name}, controller: true}]}
  spec: {nodeName: n1, ${host}containers: [{name: c, image: c, ports: [{containerPort: ${port}}]}]}
  status: {phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
}

const INVENTORY = `apiVersion: v1
kind: List
items:
${nodeItem('n1', '10.244.0.0/24', '10.0.0.1')}
${namespaceItem('monitoring')}
${namespaceItem('shop')}
${workload('StatefulSet', 'monitoring', 'prometheus', 'prometheus', 'prometheus-0', '10.244.0.10', 9090)}
${workload('StatefulSet', 'monitoring', 'alertmanager', 'alertmanager', 'alertmanager-0', '10.244.0.11', 9093)}
${workload('DaemonSet', 'monitoring', 'node-exporter', 'node-exporter', 'node-exporter-x1', '10.244.0.5', 9100)}
${workload('StatefulSet', 'shop', 'web', 'web', 'web-0', '10.244.0.20', 8080)}
${workload('StatefulSet', 'shop', 'kafka', 'kafka', 'kafka-0', '10.244.0.30', 9404, 'kafka-0')}
${workload('DaemonSet', 'shop', 'kafka-exporter', 'kafka', 'kafka-exporter-x1', '10.244.0.31', 9404)}
- apiVersion: v1
  kind: Service
  metadata: {name: alertmanager-operated, namespace: monitoring, uid: svc-am}
  spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], selector: {app: alertmanager}, ports: [{name: web, port: 9093, targetPort: 9093, protocol: TCP}]}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: {name: alertmanager-operated-fghij, namespace: monitoring, labels: {kubernetes.io/service-name: alertmanager-operated}}
  addressType: IPv4
  ports: [{name: web, port: 9093, protocol: TCP}]
  endpoints:
  - {addresses: [10.244.0.11], hostname: alertmanager-0, conditions: {ready: true}, nodeName: n1, targetRef: {kind: Pod, namespace: monitoring, name: alertmanager-0}}
- apiVersion: v1
  kind: Service
  metadata: {name: kafka-headless, namespace: shop, uid: svc-kafka}
  spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], selector: {app: kafka}, ports: [{name: metrics, port: 9404, targetPort: 9404, protocol: TCP}]}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: {name: kafka-headless-abcde, namespace: shop, labels: {kubernetes.io/service-name: kafka-headless}}
  addressType: IPv4
  ports: [{name: metrics, port: 9404, protocol: TCP}]
  endpoints:
  - {addresses: [10.244.0.30], hostname: kafka-0, conditions: {ready: true}, nodeName: n1, targetRef: {kind: Pod, namespace: shop, name: kafka-0}}
  - {addresses: [10.244.0.31], conditions: {ready: true}, nodeName: n1, targetRef: {kind: Pod, namespace: shop, name: kafka-exporter-x1}}
`;

const { db } = tmpDb();
importInventory(db, { text: INVENTORY, takenAt: Date.now() - 3_600_000, source: 'inventory.yaml' });
const settings = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper: { ip: '10.244.0.10' } });
const api = new PrometheusApi(settings);

test('targets named by a pod\'s DNS names: the pod at the address, a short name in the scraper pod\'s namespace, one endpoint of a headless Service', async () => {
  await untilScraped(api, TARGETS.length, 20_000);
  const pass = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(pass.status, 'done', JSON.stringify(pass));
  const edges = new EdgeStore(db).list().map((e) => ({ client: peerKey(e.client), server: peerKey(e.server), port: e.port, flows: e.flows }));
  const prometheus = 'workload:monitoring/StatefulSet/prometheus';
  assert.deepEqual(edges.sort((a, b) => a.server.localeCompare(b.server) || a.port - b.port), [
    { client: prometheus, server: 'workload:monitoring/DaemonSet/node-exporter', port: 9100, flows: 2 },
    { client: prometheus, server: 'workload:monitoring/StatefulSet/alertmanager', port: 9093, flows: 2 },
    { client: prometheus, server: 'workload:shop/DaemonSet/kafka-exporter', port: 9404, flows: 1 },
    { client: prometheus, server: 'workload:shop/StatefulSet/kafka', port: 9404, flows: 1 },
    { client: prometheus, server: 'workload:shop/StatefulSet/web', port: 8080, flows: 1 },
  ]);
  // Read, yet said: with `pods verified` that name has no answer.
  assert.deepEqual(pass.reasons, { 'pod-record-other-namespace': 1 });
  assert.deepEqual(pass.examples.map((e) => [e.reason, e.label, e.value]), [['pod-record-other-namespace', 'scrapeUrl', '10-244-0-20.monitoring.pod.cluster.local']]);
  assert.ok(pass.warnings.some((w) => /pods verified/.test(w) && /shop/.test(w)), JSON.stringify(pass.warnings));
});
