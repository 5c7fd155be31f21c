/**
 * Istio metrics name the application's port (Istio's standard metrics carry none: the collector
 * takes the addressed Service's target port), but between mesh workloads ambient mode carries the
 * connection to the destination pod as HBONE on 15008/TCP, and a NetworkPolicy, enforced outside
 * the pod, sees 15008 (istio.io docs/ambient/usage/networkpolicy, "Ambient and Kubernetes
 * NetworkPolicy": "ambient's secure L4 overlay will tunnel traffic between your pods over port
 * 15008"; "Sidecar workloads receiving traffic will also need to allow inbound traffic on port 15008
 * to allow ambient workloads to communicate with them"). ztunnel's reports
 * (`istio_tcp_connections_opened_total`, reporter="destination") against a real Prometheus, with
 * the mesh of test/helpers/istio-cluster.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { meshInventory } from '../helpers/istio-cluster.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { join } from 'node:path';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const MINUTES = 10;
const END = T0 + MINUTES * 60_000;

function series(labels: Record<string, string>): string {
  const l = Object.entries({ reporter: 'destination', ...labels }).map(([k, v]) => `${k}="${v}"`).join(',');
  const lines: string[] = [];
  for (let t = T0, v = 1000; t <= END; t += 15_000, v++) lines.push(`istio_tcp_connections_opened_total{${l}} ${v} ${t / 1000}`);
  return lines.join('\n');
}

const to = (src: [string, string], dst: [string, string], service?: string): Record<string, string> => ({
  source_workload: src[1],
  source_workload_namespace: src[0],
  destination_workload: dst[1],
  destination_workload_namespace: dst[0],
  destination_service_name: service ?? 'unknown',
  destination_service_namespace: service ? dst[0] : 'unknown',
});

const WEB: [string, string] = ['amb', 'web'];
const API: [string, string] = ['amb', 'api'];
const CART: [string, string] = ['shop', 'cart'];
const PROMETHEUS: [string, string] = ['monitoring', 'prometheus'];

const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(
  `${[
    // ambient → ambient through Service amb/api (80 → 9090): HBONE on the wire.
    series(to(WEB, API, 'api')),
    // a sidecar → ambient: the sidecar is a mesh workload, so HBONE too.
    series(to(CART, API, 'api')),
    // ambient → a sidecar (cart declares one port, 8080): the sidecar receives HBONE on 15008.
    series(to(WEB, CART)),
    // outside the mesh → ambient: plain traffic on the application's port, captured inside the pod.
    series(to(PROMETHEUS, API, 'api')),
  ].join('\n')}\n# EOF\n`,
  dataDir,
);
const prom = await startPrometheus({ dataDir });
const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: `${MINUTES}m`, delay: '0s', families: ['istio'] });

async function collect(inventory: string): Promise<{ db: Db; warnings: readonly string[] }> {
  const db = tmpDb().db;
  importInventory(db, { text: inventory, takenAt: T0 - 3_600_000, source: 'mesh.json' });
  const summary = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  assert.equal(summary.status, 'done');
  return { db, warnings: summary.warnings };
}

function ports(db: Db, client: string, server: string): number[] {
  return new EdgeStore(db)
    .list()
    .filter((e) => peerKey(e.client) === `workload:${client}` && peerKey(e.server) === `workload:${server}`)
    .map((e) => e.port)
    .sort((a, b) => a - b);
}

const mesh = await collect(meshInventory());

test('ambient → ambient (ztunnel, reporter=destination): the edge is on 15008/TCP, where the connection is on the wire, not on the Service target port 9090', () => {
  assert.deepEqual(ports(mesh.db, 'amb/Deployment/web', 'amb/Deployment/api'), [15008]);
});

test('a sidecar → ambient, and ambient → a sidecar: HBONE on 15008/TCP at the receiving pod', () => {
  assert.deepEqual(ports(mesh.db, 'shop/Deployment/cart', 'amb/Deployment/api'), [15008]);
  assert.deepEqual(ports(mesh.db, 'amb/Deployment/web', 'shop/Deployment/cart'), [15008]);
});

test('a client outside the mesh reaches an ambient pod on the application port: 9090 stays', () => {
  assert.deepEqual(ports(mesh.db, 'monitoring/Deployment/prometheus', 'amb/Deployment/api'), [9090]);
  assert.deepEqual(mesh.warnings, []);
});

test('an inventory without the namespaces cannot tell ambient mode: the Istio port is kept and a warning says to allow 15008/TCP', async () => {
  const blind = await collect(meshInventory({ withoutNamespaces: true }));
  assert.deepEqual(ports(blind.db, 'amb/Deployment/web', 'amb/Deployment/api'), [9090]);
  const w = blind.warnings.find((x) => x.includes('amb/Deployment/web') && x.includes('amb/Deployment/api'));
  assert.ok(w, JSON.stringify(blind.warnings));
  assert.match(w, /15008\/TCP/);
  assert.match(w, /istio\.io\/dataplane-mode/);
});
