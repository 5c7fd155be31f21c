/**
 * Static scrape targets that name Services by their DNS names, as a real Prometheus reports them
 * (GET /api/v1/targets `scrapeUrl`: the address as configured, prometheus docs/querying/api.md
 * "Targets"). None of these names resolves on this machine, so Prometheus's scrapes fail (health
 * `down`): each still stands for a connection the Prometheus server opens, and where the targets
 * are the only evidence of it, leaving it out made its egress recommendation cut the scrape.
 *
 * Kubernetes DNS (kubernetes/dns docs/specification.md): `<service>.<ns>.svc.<zone>` answers with
 * the Service's ClusterIP (2.3.1), so the scrape reaches its backends on the targetPort the Service
 * port maps to, as a flow to the ClusterIP resolves; a headless Service's name and its endpoints'
 * `<hostname>.<service>.<ns>.svc.<zone>` answer with the pods' own addresses (2.4.1), dialled on the
 * port as written. A short name is completed by the scraper pod's search path `<ns>.svc.<zone>
 * svc.<zone> <zone>` (kubernetes.io "DNS for Services and Pods"): `alertmanager-operated` is the
 * Service of the scraper's namespace.
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
  'alertmanager-operated:9093',
  'alertmanager-0.alertmanager-operated.monitoring.svc:9093',
  'kube-state-metrics.kube-system.svc:8080',
  'x.y.svc.cluster.local:9100',
  'example.com:443',
  'thanos-sidecar.monitoring.svc:10902',
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

/** A workload of namespace `ns` with one running pod at `ip`, its container port `port` named `portName`. */
function statefulSet(ns: string, name: string, ip: string, port: number, portName: string): string {
  return `- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: ${name}, namespace: ${ns}, uid: ss-${name}}
  spec: {serviceName: ${name}, selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: c, ports: [{name: ${portName}, containerPort: ${port}}]}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}-0, namespace: ${ns}, labels: {app: ${name}}, creationTimestamp: "2026-01-01T00:00:00Z", ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: ${name}, uid: ss-${name}, controller: true}]}
  spec: {nodeName: n1, hostname: ${name}-0, containers: [{name: c, image: c, ports: [{name: ${portName}, containerPort: ${port}}]}]}
  status: {phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
}

const INVENTORY = `apiVersion: v1
kind: List
items:
${nodeItem('n1', '10.244.0.0/24', '10.0.0.1')}
${namespaceItem('monitoring')}
${namespaceItem('kube-system')}
${statefulSet('monitoring', 'prometheus', '10.244.0.10', 9090, 'web')}
${statefulSet('monitoring', 'alertmanager', '10.244.0.11', 9093, 'web')}
${statefulSet('kube-system', 'kube-state-metrics', '10.244.0.12', 8081, 'http-metrics')}
- apiVersion: v1
  kind: Service
  metadata: {name: alertmanager-operated, namespace: monitoring, uid: svc-am}
  spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], selector: {app: alertmanager}, ports: [{name: web, port: 9093, targetPort: web, protocol: TCP}]}
- apiVersion: v1
  kind: Service
  metadata: {name: thanos-sidecar, namespace: monitoring, uid: svc-thanos}
  spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], selector: {app: prometheus}, ports: [{name: grpc, port: 10902, targetPort: 10901, protocol: TCP}]}
- apiVersion: v1
  kind: Service
  metadata: {name: kube-state-metrics, namespace: kube-system, uid: svc-ksm}
  spec: {type: ClusterIP, clusterIP: 10.96.0.50, clusterIPs: [10.96.0.50], selector: {app: kube-state-metrics}, ports: [{name: http-metrics, port: 8080, targetPort: http-metrics, protocol: TCP}]}
`;

const { db } = tmpDb();
importInventory(db, { text: INVENTORY, takenAt: Date.now() - 3_600_000, source: 'inventory.yaml' });
const settings = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper: { namespace: 'monitoring', pod: 'prometheus-0' } });
const api = new PrometheusApi(settings);

test('static targets naming Services: edges to the Service\'s pods on the port their Service port sends to; an unknown Service and an outside name skipped, each said', async () => {
  await untilScraped(api, TARGETS.length, 20_000);
  const pass = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(pass.status, 'done', JSON.stringify(pass));
  const edges = new EdgeStore(db).list().sort((a, b) => peerKey(a.server).localeCompare(peerKey(b.server)) || a.port - b.port).map((e) => ({ client: peerKey(e.client), server: peerKey(e.server), port: e.port, protocol: e.protocol, flows: e.flows, sources: e.sources }));
  assert.deepEqual(edges, [
    // The headless Service's name and its pod's hostname: the pod, on 9093 as written.
    { client: 'workload:monitoring/StatefulSet/prometheus', server: 'workload:monitoring/StatefulSet/alertmanager', port: 9093, protocol: 'TCP', flows: 2, sources: ['scrape-targets'] },
    // A headless Service's name answers with the pods' addresses, which the scrape dials on 10902 as
    // written: nothing translates it to the targetPort 10901 (kubernetes.io "Service", Headless Services).
    { client: 'workload:monitoring/StatefulSet/prometheus', server: 'workload:monitoring/StatefulSet/prometheus', port: 10902, protocol: 'TCP', flows: 1, sources: ['scrape-targets'] },
    // Service port 8080 → targetPort http-metrics, 8081 on the pod: what the pod's policy sees.
    { client: 'workload:monitoring/StatefulSet/prometheus', server: 'workload:kube-system/StatefulSet/kube-state-metrics', port: 8081, protocol: 'TCP', flows: 1, sources: ['scrape-targets'] },
  ].sort((a, b) => a.server.localeCompare(b.server) || a.port - b.port));
  assert.deepEqual(pass.reasons, { 'not-an-address': 1, 'unknown-service': 1 });
  assert.deepEqual(pass.examples.map((e) => [e.reason, e.label, e.value, e.series]), [['unknown-service', 'destination', 'y/x', 'http://x.y.svc.cluster.local:9100/metrics']]);
});
