/**
 * A direction whose listed rules are not its complete list (exception `partial`, docs/matrices.md
 * "Exceptions"). StackLight's seed (000) line 88: "Allow DNS traffic from all Pods specifying
 * communication endpoints of other StackLight workloads" — Alerta, Curator, ES Exporter, OpenSearch
 * Dashboards, prometheus-es-exporter and Prometheus Relay talk to other StackLight workloads, and
 * the document names those peers only in kind. Their one egress rule (DNS) restricted their egress
 * to DNS in mode documented, cutting alerta → patroni:5432, opensearch-dashboards →
 * opensearch-master:9200 and prometheus-relay → prometheus-server:9090 on every engine while the
 * verification passed. Input → expected: mode documented keeps the direction's observed traffic as
 * mode union does (documented rules ∪ observed edges, each explained, a warning citing the seed
 * line), verified; mode union is what it was without the exception, byte for byte. Under
 * --default-deny the far end (patroni's, opensearch-master's ingress, which their rows leave
 * undocumented) was closed by the namespace layer, listed only as "left out and denied": such an
 * edge is documented traffic named in kind, kept at both ends as a mirrored rule is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const CATALOG_STACKLIGHT = new URL('../../matrices/stacklight.yaml', import.meta.url);
const PARTIAL_WARNING = /^mode documented: the document lists only some of stacklight\/[a-z-]+'s egress \(StackLight rules for Kubernetes network policies, line 88: .+\): \d+ observed egress edge\(s\) that no included documented rule covers are kept, as mode union keeps them$/;

const { db } = tmpDb();
await loadDemo(db);
const demo = readRecommendationInput(db, {});
const demoModel = clusterModel(demo.inventory, demo.externalNames);
const pod = (prefix: string) => demoModel.cluster.pods.find((p) => p.namespace === 'stacklight' && (p.name ?? '').startsWith(prefix))!;
const flow = (client: string, server: string, port: number) => ({ client: { kind: 'pod' as const, pod: pod(client) }, server: { kind: 'pod' as const, pod: pod(server) }, port, protocol: 'TCP' as const });

test('mode documented on the demo: alerta → patroni:5432, opensearch-dashboards → opensearch-master:9200 and the curator → opensearch-master:9200 are kept (seed 000 line 88: their DNS row is not their whole egress) and verified on every engine', () => {
  const kept = [flow('alerta', 'patroni', 5432), flow('opensearch-dashboards', 'opensearch-master', 9200), flow('elasticsearch-curator', 'opensearch-master', 9200)];
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(demo, engine, recommendOptions({ mode: 'documented', namespace: 'stacklight' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const sim = SIMULATORS[engine](emitted.manifests, demoModel.cluster);
    for (const f of kept) {
      const v = sim.evaluate(f);
      assert.equal(v.verdict, 'allow', `${engine} ${f.client.pod.name} → ${f.server.pod.name}:${f.port}: egress ${v.egress.reason}`);
    }
    const denied = verification.denied.filter((d) => /alerta|opensearch-dashboards|elasticsearch-curator/.test(d.workload) && d.direction === 'egress');
    assert.deepEqual(denied, [], engine);
    const alerta = rec.workloads.find((w) => w.workload.name === 'alerta')!;
    assert.ok(alerta.warnings.some((m) => PARTIAL_WARNING.test(m)), JSON.stringify(alerta.warnings));
    const toPatroni = alerta.rules.find((r) => r.direction === 'egress' && r.evidence.edges.some((e) => e.key.includes('patroni')))!;
    assert.equal(toPatroni.status, 'undocumented', engine);
    assert.match(toPatroni.text, /the document lists only some of egress \(StackLight rules for Kubernetes network policies, line 88\): observed traffic kept/);
  }
});

test('mode documented --default-deny on the demo: those flows are kept at the server end too (patroni, opensearch-master), verified on every engine', () => {
  // The namespace layer isolates patroni's and opensearch-master's ingress, which their own rows leave
  // undocumented: an edge the document names in kind (seed 000 line 88) is documented traffic, required
  // at both of its ends as a mirrored must rule is (synthesize/mirrored-rules.ts).
  const kept = [flow('alerta', 'patroni', 5432), flow('opensearch-dashboards', 'opensearch-master', 9200), flow('elasticsearch-curator', 'opensearch-master', 9200)];
  const CLIENTS = /alerta|opensearch-dashboards|elasticsearch-curator/;
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(demo, engine, recommendOptions({ mode: 'documented', defaultDeny: true, namespace: 'stacklight' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const sim = SIMULATORS[engine](emitted.manifests, demoModel.cluster);
    for (const f of kept) {
      const v = sim.evaluate(f);
      assert.equal(v.verdict, 'allow', `${engine} ${f.client.pod.name} → ${f.server.pod.name}:${f.port}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
    const deniedAtServer = verification.denied.filter((d) => d.direction === 'ingress' && /patroni|opensearch-master/.test(d.workload) && CLIENTS.test(d.edge));
    assert.deepEqual(deniedAtServer, [], engine);
    const patroni = rec.workloads.find((w) => w.workload.name === 'patroni')!;
    const fromAlerta = patroni.rules.find((r) => r.direction === 'ingress' && r.evidence.edges.some((e) => e.key.includes('alerta')));
    assert.ok(fromAlerta, `${engine}: patroni has no ingress rule from alerta`);
    assert.match(fromAlerta.text, /the document lists only some of stacklight\/alerta's egress \(StackLight rules for Kubernetes network policies, line 88\)/);
    const master = rec.workloads.find((w) => w.workload.name === 'opensearch-master')!;
    assert.ok(
      master.warnings.some((m) => m.startsWith('mode documented: 2 observed ingress edge(s) that no included documented rule covers are kept, as mode union keeps them: the workloads at their other end declare their egress `partial` (matrix stacklight, components elasticsearch-curator, opensearch-dashboards: StackLight rules for Kubernetes network policies, line 88: ')),
      `${engine}: ${JSON.stringify(master.warnings)}`,
    );
  }
});

test('mode union on the demo is byte-identical to the same matrix without the partial exceptions (the exception speaks to mode documented only)', () => {
  const withoutPartial = readFileSync(CATALOG_STACKLIGHT, 'utf8').replace(/\n    exceptions:\n      - type: partial\n(?:        .*\n)+/g, '\n');
  assert.ok(!withoutPartial.includes('type: partial'), 'the stripped matrix has no partial exception left');
  const stripped = tmpDb().db;
  return loadDemo(stripped).then(() => {
    applyMatrix(stripped, { text: withoutPartial, origin: 'stacklight.yaml', appliedAt: Date.parse('2026-11-20T00:00:00Z') });
    const input = readRecommendationInput(stripped, {});
    for (const engine of ENGINE_NAMES) {
      for (const defaultDeny of [false, true]) {
        const a = runRecommendation(demo, engine, recommendOptions({ namespace: 'stacklight', defaultDeny }), { tightness: false });
        const b = runRecommendation(input, engine, recommendOptions({ namespace: 'stacklight', defaultDeny }), { tightness: false });
        assert.equal(a.emitted.manifests.map((m) => JSON.stringify(m)).join('\n'), b.emitted.manifests.map((m) => JSON.stringify(m)).join('\n'), `${engine} default-deny ${defaultDeny}`);
        assert.equal(JSON.stringify(a.rec.workloads), JSON.stringify(b.rec.workloads), `${engine} default-deny ${defaultDeny}`);
      }
    }
  });
});

// A small cluster: StackLight's Prometheus Relay reads Prometheus Server (9090), and asks the DNS.
const T = '2026-01-01T00:00:00Z';
const NOW = Date.now();
const barePod = (name: string, labels: Record<string, string>, ip: string, port?: number) => `- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}, namespace: stacklight, labels: ${JSON.stringify(labels)}, creationTimestamp: "${T}"}
  spec: {nodeName: n1, containers: [{name: c, image: c${port ? `, ports: [{containerPort: ${port}}]` : ''}}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
const INVENTORY = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: stacklight, labels: {kubernetes.io/metadata.name: stacklight}}}
- apiVersion: v1
  kind: Node
  metadata: {name: n1, creationTimestamp: "${T}"}
  spec: {podCIDR: 10.244.0.0/24}
  status: {addresses: [{type: InternalIP, address: 10.0.0.10}]}
${barePod('prometheus-relay', { app: 'prometheus-relay' }, '10.244.0.20')}
${barePod('prometheus-server', { app: 'prometheus', component: 'server' }, '10.244.0.30', 9090)}
`;

test('mode documented on a small cluster: prometheus-relay → prometheus-server:9090 is kept and verified on every engine; union keeps it as before', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const record = netobservRecord({ src: '10.244.0.20', dst: '10.244.0.30', dstPort: 9090, proto: 6, srcPort: 40001, time: NOW - 60_000 });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const find = (name: string) => model.cluster.pods.find((p) => p.name === name)!;
  const relayToServer = { client: { kind: 'pod' as const, pod: find('prometheus-relay') }, server: { kind: 'pod' as const, pod: find('prometheus-server') }, port: 9090, protocol: 'TCP' as const };
  for (const mode of ['documented', 'union'] as const) {
    for (const engine of ENGINE_NAMES) {
      const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode }), { tightness: false });
      assert.equal(verification.ok, true, `${mode} ${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
      const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate(relayToServer);
      assert.equal(v.verdict, 'allow', `${mode} ${engine}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
      const relay = rec.workloads.find((w) => w.workload.name === 'prometheus-relay')!;
      assert.equal(relay.warnings.some((m) => PARTIAL_WARNING.test(m)), mode === 'documented', `${mode}: ${JSON.stringify(relay.warnings)}`);
    }
  }
});

test('mode documented --default-deny on a small cluster: prometheus-relay → a workload no matrix documents (8080) is kept at that end too, above the namespace layer, on every engine; its warning names the `partial` exception, the matrix component that declares it and the document line', async () => {
  const { db } = tmpDb();
  const inventory = `${INVENTORY}${barePod('reporter', { app: 'reporter' }, '10.244.0.40', 8080)}\n`;
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const record = netobservRecord({ src: '10.244.0.20', dst: '10.244.0.40', dstPort: 8080, proto: 6, srcPort: 40002, time: NOW - 60_000 });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const find = (name: string) => model.cluster.pods.find((p) => p.name === name)!;
  const relayToReporter = { client: { kind: 'pod' as const, pod: find('prometheus-relay') }, server: { kind: 'pod' as const, pod: find('reporter') }, port: 8080, protocol: 'TCP' as const };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate(relayToReporter);
    assert.equal(v.verdict, 'allow', `${engine}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
  }
  // The far end has no matrix of its own: its one warning is all that says why it gets a policy.
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
  const reporter = rec.workloads.find((w) => w.workload.name === 'reporter')!;
  assert.deepEqual(reporter.warnings, [
    "mode documented: 1 observed ingress edge(s) that no included documented rule covers are kept, as mode union keeps them: the workload at their other end declares its egress `partial` (matrix stacklight, component prometheus-relay: StackLight rules for Kubernetes network policies, line 88: the pods specify communication endpoints of other StackLight workloads; the document adds their DNS and names those peers only in kind) — its listed rules are not its complete list, the document names its other peers only in kind —, so they are documented traffic there, kept at both ends",
  ]);
});
