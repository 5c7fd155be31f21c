/**
 * A workload with pods on the host network AND pods on the pod network (a DaemonSet patched per
 * node, a rollout that changes hostNetwork) is reached at both: its host-network pods at their
 * node's address, which no pod selector matches, and its other pods at their own addresses, which
 * only a pod selector (or their own address) matches. kubernetes.io "Network Policies" ignores
 * hostNetwork pods only "when matching podSelector and namespaceSelector"; a pod of the same
 * DaemonSet on the pod network is selected, isolated by a `podSelector: {}` and reached as a pod.
 *
 * The cluster (test/helpers/node-exporter-cluster.ts): the DaemonSet mon/ne with ne-a on the host
 * network of node0 (192.168.0.10) and ne-b, ne-c on the pod network of node1 and node2; mon/prom
 * scrapes each on 9100. Before, the recommendation rendered ne as a peer by node addresses only
 * and gave ne no policy ("runs in the host network"), so with `--default-deny` the namespace layer
 * isolated ne-b and ne-c with nothing letting prom in, and prom's egress named the nodes only: the
 * verification (which judges each pod as what it is since the simulators do) failed on every
 * engine, and no usable policy was offered. Input → expected: `export -n mon --default-deny`
 * verifies (exit 0) on every engine in modes observed and union, and each scrape is allowed.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { exportFromStore } from '../../app/export.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { NOW, PROM_IP, list, nodeExporterCluster, record, stored } from '../helpers/node-exporter-cluster.ts';

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  ne:
    namespace: mon
    selector: { matchLabels: { app: ne } }
    ingress:
      - { id: scrape, peer: { component: prom }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: d, line: 1 } }
  prom:
    namespace: mon
    selector: { matchLabels: { app: prom } }
    egress:
      - { id: scrape-ne, peer: { component: ne }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: d, line: 2 } }
`;

/** The cluster, prom's three scrapes (one per ne pod, at its own address) and the matrix that documents them. */
async function scraped(hostNetworkOn?: readonly string[]) {
  const { items, neIps } = nodeExporterCluster(hostNetworkOn);
  const db = stored(items);
  const scrapes = neIps.map((ip, i) => record(PROM_IP, ip, 9100, i));
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${scrapes.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm.yaml', appliedAt: NOW });
  return { db, scrapes };
}

const MIXED_ON = ['node0'];

for (const engine of ENGINE_NAMES) {
  for (const mode of ['observed', 'union'] as const) {
    test(`${engine} ${mode}: ne on the host network of node0 and the pod network of node1, node2 — export -n mon --default-deny verifies and allows prom → each ne pod on 9100`, async () => {
      const { db, scrapes } = await scraped(MIXED_ON);
      const options = recommendOptions({ now: NOW, namespace: 'mon', mode, defaultDeny: true });
      const exported = exportFromStore(db, {}, engine, options);
      assert.equal(exported.verification.ok, true, JSON.stringify(exported.verification));
      const { emitted, verification, rec } = runRecommendation(readRecommendationInput(db, {}), engine, options, { tightness: false });
      assert.equal(verification.ok, true, JSON.stringify(verification));
      // ne's pod-network pods get an allowlist of their own: ne is no host-network workload to skip.
      const ne = rec.workloads.find((w) => w.workload.name === 'ne')!;
      assert.equal(ne.hostNetwork, false, ne.summary);
      assert.ok(ne.policies.length > 0, ne.summary);
      const decisions = simulateFlows(db, { engine, policies: list([...emitted.manifests]), flows: scrapes.join('\n') }).decisions;
      assert.deepEqual(decisions.map((d) => d.verdict), ['allow', 'allow', 'allow'], JSON.stringify(decisions));
    });
  }
}

for (const engine of ENGINE_NAMES) {
  test(`${engine}: ne wholly on the host network — prom's egress names ne's nodes and no pod selector of ne, ne gets no policy, and it verifies`, async () => {
    const { db, scrapes } = await scraped();
    const options = recommendOptions({ now: NOW, namespace: 'mon', mode: 'union', defaultDeny: true });
    const { emitted, verification, rec } = runRecommendation(readRecommendationInput(db, {}), engine, options, { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification));
    assert.equal(rec.workloads.find((w) => w.workload.name === 'ne')!.hostNetwork, true);
    assert.doesNotMatch(JSON.stringify(emitted.manifests), /"app":"ne"|app == 'ne'/, 'no selector of ne: its pods are their nodes');
    const decisions = simulateFlows(db, { engine, policies: list([...emitted.manifests]), flows: scrapes.join('\n') }).decisions;
    assert.deepEqual(decisions.map((d) => d.verdict), ['allow', 'allow', 'allow'], JSON.stringify(decisions));
  });
}
