/**
 * The configured scraper given as a node's address (`scraper: {ip}`: a Prometheus on the host
 * network) is that node as a client of every scrape, also of the pods on its own node. Read as
 * the pod's own node (`kubelet:<node>`, docs/recommend.md "From the pod's own node"), those scrapes
 * became no rule: the target's ingress denied the scrape once the pod ran on another node
 * (remote-node in Cilium's terms, "Entities": `host` is the local node, `remote-node` any other)
 * while the verification passed. Where the inventory shows a host-network workload on that node
 * that declares Prometheus's port, the scraper is that workload.
 *
 * The targets come from a stand-in for /api/v1/targets (the answer's shape: prometheus
 * docs/querying/api.md "Targets"); the inventory is the cluster fixture (node-b is 10.0.1.11,
 * shop/db-0 runs on node-b, web-6b9f8c7d54-x2x9k on node-a).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { freePort } from '../helpers/prometheus.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const target = (namespace: string, pod: string, address: string) => ({
  discoveredLabels: { __address__: address, __meta_kubernetes_namespace: namespace, __meta_kubernetes_pod_name: pod },
  labels: { job: 'pods' },
  scrapePool: 'pods',
  scrapeUrl: `http://${address}/metrics`,
  globalUrl: `http://${address}/metrics`,
  lastError: '',
  lastScrape: new Date(NOW - 5_000).toISOString(),
  lastScrapeDuration: 0.01,
  health: 'up',
  scrapeInterval: '15s',
  scrapeTimeout: '10s',
});
const stand = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'success', data: { activeTargets: [target('shop', 'db-0', '10.244.1.15:9187'), target('shop', 'web-6b9f8c7d54-x2x9k', '10.244.0.10:9090')], droppedTargets: [] } }));
});
const standPort = await freePort();
await new Promise<void>((r) => stand.listen(standPort, '127.0.0.1', r));
after(() => new Promise<void>((r) => stand.close(() => r())));

const FIXTURE = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8');

async function pass(inventory: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'cluster.json', now: NOW });
  const settings = resolvePrometheusConfig({ url: `http://127.0.0.1:${standPort}`, families: ['targets'], scraper: { ip: '10.0.1.11' } });
  const summary = await runPass({ db, api: new PrometheusApi(settings), settings, now: NOW, limits: DEFAULT_INGEST_LIMITS });
  assert.equal(summary.status, 'done', JSON.stringify(summary));
  const edges = new EdgeStore(db)
    .list()
    .map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}`)
    .sort();
  return { db, edges };
}

test('a scraper given as a node address scrapes the pods on its own node as that node (node:), never as their kubelet', async () => {
  const { db, edges } = await pass(FIXTURE);
  assert.deepEqual(edges, ['node:node-b -> workload:shop/Deployment/web:9090', 'node:node-b -> workload:shop/StatefulSet/db:9187']);
  // The scrape of db-0 (on node-b itself) becomes a rule from the nodes, which Cilium renders as
  // the host and remote-node entities: admitted from node-b wherever db-0 runs.
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop', workload: 'StatefulSet/db' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const ingress = (emitted.manifests as unknown as { spec: { ingress?: { fromEntities?: string[]; toPorts?: { ports: { port: string }[] }[] }[] } }[]).flatMap((m) => m.spec.ingress ?? []);
  assert.ok(
    ingress.some((r) => r.fromEntities?.includes('remote-node') && r.toPorts?.some((p) => p.ports.some((x) => x.port === '9187'))),
    JSON.stringify(ingress),
  );
});

test('a scraper given as a node address is the host-network workload there that declares Prometheus\'s port (9090), where the inventory has one', async () => {
  const items = (JSON.parse(FIXTURE) as { items: unknown[] }).items;
  const hostProm = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'prometheus-host', namespace: 'monitoring', uid: 'uid-prometheus-host', creationTimestamp: '2025-03-01T08:02:00Z', labels: { app: 'prometheus-host' } },
    spec: { nodeName: 'node-b', hostNetwork: true, containers: [{ name: 'prometheus', image: 'prom/prometheus', ports: [{ name: 'web', containerPort: 9090, hostPort: 9090, protocol: 'TCP' }] }] },
    status: { phase: 'Running', hostIP: '10.0.1.11', podIP: '10.0.1.11', podIPs: [{ ip: '10.0.1.11' }], startTime: '2025-03-01T08:02:00Z' },
  };
  const { edges } = await pass(JSON.stringify({ ...JSON.parse(FIXTURE), items: [...items, hostProm] }));
  assert.deepEqual(edges, ['workload:monitoring/Pod/prometheus-host -> workload:shop/Deployment/web:9090', 'workload:monitoring/Pod/prometheus-host -> workload:shop/StatefulSet/db:9187']);
});
