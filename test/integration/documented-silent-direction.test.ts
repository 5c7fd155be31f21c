/**
 * Mode documented builds policies from the documentation. A direction of a documented workload
 * that no matrix speaks about — no rule of it, and no matrix authoritative for it — is not the
 * documentation's to close: StackLight's seed (000) names the pods whose ingress is denied
 * "(including Prometheus scrape)" (line 16) and cAdvisor is not among them (its row, line 30,
 * denies egress only), so the document expects Prometheus to scrape cAdvisor. It used to get
 * deny-all ingress, cutting the scrape with verification ok. A direction a matrix declares
 * authoritative with no rules is the document's own deny-all and stays closed (cAdvisor's egress,
 * line 30; the curator's ingress, line 18).
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
import { recommend } from '../../recommender/recommend.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, {});
const model = clusterModel(input.inventory, input.externalNames);
const pod = (prefix: string) => model.cluster.pods.find((p) => p.namespace === 'stacklight' && (p.name ?? '').startsWith(prefix))!;
const documented = (extra: { defaultDeny?: boolean } = {}) => recommendOptions({ mode: 'documented', namespace: 'stacklight', ...extra });

test('mode documented: Prometheus scrapes cAdvisor (its ingress is documented nowhere, seed 000 lines 16 and 30) and OpenSearch keeps its transport, on every engine; the curator\'s documented deny-all ingress (line 18) and cAdvisor\'s egress (line 30) stay closed', () => {
  const scrape = { client: { kind: 'pod' as const, pod: pod('prometheus-server') }, server: { kind: 'pod' as const, pod: pod('cadvisor') }, port: 8080, protocol: 'TCP' as const };
  const transport = { client: { kind: 'pod' as const, pod: pod('opensearch-master') }, server: { kind: 'pod' as const, pod: pod('opensearch-master') }, port: 9300, protocol: 'TCP' as const };
  const toCurator = { ...scrape, server: { kind: 'pod' as const, pod: pod('elasticsearch-curator') } };
  const fromCadvisor = { client: { kind: 'pod' as const, pod: pod('cadvisor') }, server: { kind: 'pod' as const, pod: pod('opensearch-master') }, port: 9200, protocol: 'TCP' as const };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, documented(), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const [flow, verdict] of [[scrape, 'allow'], [transport, 'allow'], [toCurator, 'deny'], [fromCadvisor, 'deny']] as const) {
      const v = sim.evaluate(flow);
      assert.equal(v.verdict, verdict, `${engine} ${flow.client.pod.name} → ${flow.server.pod.name}:${flow.port}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
    assert.ok(!verification.denied.some((f) => f.edge === 'workload:stacklight/StatefulSet/prometheus-server|workload:stacklight/DaemonSet/cadvisor|8080|TCP'), `${engine}: the scrape is not listed as denied`);
  }
  const rec = recommend(input, documented());
  const cadvisor = rec.policySet.intents.find((i) => i.key === 'stacklight/daemonset/cadvisor')!;
  assert.equal(cadvisor.ingress.mode, 'none');
  assert.equal(cadvisor.egress.mode, 'deny-all');
  const curator = rec.policySet.intents.find((i) => i.key === 'stacklight/cronjob/elasticsearch-curator')!;
  assert.equal(curator.ingress.mode, 'deny-all');
  const w = rec.workloads.find((x) => x.workload.name === 'cadvisor')!;
  assert.match(w.summary, /ingress none, egress deny-all/);
  assert.ok(
    w.warnings.some((m) => /^mode documented: nothing is documented in and no matrix is authoritative for ingress: ingress is left open \(\d+ observed ingress edge\(s\)\), not closed; mode union restricts it to the traffic observed$/.test(m)),
    JSON.stringify(w.warnings),
  );
  assert.ok(!w.warnings.some((m) => m.includes('left out and denied')), JSON.stringify(w.warnings));
});

test('mode documented under --default-deny: the namespace layer isolates an undocumented direction all the same, so it stays closed and the warning says why; the explanation says the traffic observed is left out (not "nothing observed")', () => {
  const rec = recommend(input, documented({ defaultDeny: true }));
  const ksm = rec.policySet.intents.find((i) => i.key === 'stacklight/deployment/prometheus-kube-state-metrics')!;
  assert.equal(ksm.ingress.mode, 'deny-all');
  assert.match(ksm.ingress.mode === 'deny-all' ? ksm.ingress.explanation.text : '', /^nothing documented in \(mode documented; the traffic observed is left out\): deny all ingress$/);
  // The count, which changes with every ingest, is in the workload's warnings, not in the manifest.
  const w = rec.workloads.find((x) => x.workload.name === 'prometheus-kube-state-metrics')!;
  assert.ok(w.warnings.some((m) => /^mode documented: nothing is documented in, so \d+ observed ingress edge\(s\) are left out and denied \(deny all ingress: --default-deny isolates the namespace\); see the verification's denied list$/.test(m)), JSON.stringify(w.warnings));
  const curator = rec.workloads.find((x) => x.workload.name === 'elasticsearch-curator')!;
  assert.equal(rec.policySet.intents.find((i) => i.key === 'stacklight/cronjob/elasticsearch-curator')!.ingress.mode, 'deny-all');
  assert.ok(!curator.warnings.some((m) => m.includes('left open')), JSON.stringify(curator.warnings));
});

// A small cluster (the OpenShift DNS fixture): probe calls the shop's api, the cluster DNS and the apiserver.
const NOW = Date.now();
const record = (src: string, dst: string, dstPort: number, proto: 6 | 17, i: number) => netobservRecord({ src, dst, dstPort, proto, srcPort: 40000 + i, time: NOW - 60_000 + i });
const probeMatrix = (component: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: probe, title: Probe }
documents: { doc: { title: probe doc, file: probe.txt } }
components:
  probe:
    namespace: openshift-dns
    selector: { matchLabels: { app: probe } }
${component}`;
const INGRESS_ONLY = `    ingress:
      - { peer: { namespace: shop, selector: { matchLabels: { app: api } } }, ports: [{ port: 9090 }], level: must, purpose: the api reads its metrics, source: { document: doc, line: 1 } }
`;

async function probeInput(component: string) {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: probeMatrix(component), origin: 'probe.yaml', appliedAt: NOW });
  const flows = [record('10.128.0.40', '10.128.0.21', 8080, 6, 1), record('10.128.0.40', '10.128.0.5', 5353, 17, 2), record('10.128.0.40', '10.0.0.10', 6443, 6, 3)];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  return readRecommendationInput(db, {});
}

test('mode documented, egress documented nowhere: left open, with no implied DNS or apiserver rule (they keep what a restricted egress would cut); authoritative for egress with no rules: the documented deny-all, cut and listed as denied', async () => {
  const open = await probeInput(INGRESS_ONLY);
  const closed = await probeInput(`    authoritative: { egress: true }\n${INGRESS_ONLY}`);
  for (const engine of ENGINE_NAMES) {
    const a = runRecommendation(open, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(a.verification.ok, true, engine);
    const intent = a.rec.policySet.intents.find((i) => i.key === 'openshift-dns/pod/probe')!;
    assert.equal(intent.ingress.mode, 'rules', engine);
    assert.equal(intent.egress.mode, 'none', engine);
    const probe = a.rec.workloads.find((w) => w.workload.name === 'probe')!;
    assert.deepEqual(probe.rules.filter((r) => r.status === 'implied'), [], engine);
    assert.deepEqual(a.verification.denied.filter((f) => f.workload.includes('probe')), [], engine);
    assert.ok(probe.warnings.some((m) => m.startsWith('mode documented: nothing is documented out and no matrix is authoritative for egress: egress is left open (3 observed egress edge(s))')), JSON.stringify(probe.warnings));
    const b = runRecommendation(closed, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(b.rec.policySet.intents.find((i) => i.key === 'openshift-dns/pod/probe')!.egress.mode, 'deny-all', engine);
    assert.equal(b.verification.denied.filter((f) => f.workload.includes('probe') && f.direction === 'egress').length, 3, engine);
    const said = b.rec.workloads.find((w) => w.workload.name === 'probe')!.warnings;
    assert.ok(said.some((m) => m.includes('left out and denied (deny all egress: probe/probe is authoritative for egress)')), JSON.stringify(said));
  }
});

test('mode documented, a component documenting neither direction and authoritative for none: no policy at all (an empty policy would isolate ingress on Kubernetes), and the summary says why', async () => {
  const rec = recommend(await probeInput(''), recommendOptions({ mode: 'documented' }));
  assert.ok(!rec.policySet.intents.some((i) => i.key.startsWith('openshift-dns/pod/probe')), JSON.stringify(rec.policySet.intents.map((i) => i.key)));
  const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
  assert.match(probe.summary, /^Pod openshift-dns\/probe: its matrices document nothing in or out and none is authoritative for either, so mode documented restricts neither direction: no policy\.$/);
});
