/**
 * A matrix component's `hostNetwork` (literal, or a condition that holds) says its pods run in the
 * host network, where pod policies cannot isolate them (docs/recommend.md: "Host-network
 * workloads get no policy, only an explanation"; docs/matrices.md: "A host-network component also
 * resolves with isolatable: false"). The recommendation used to read only the inventory's
 * hostNetwork and emitted an allowlist for the component all the same. Where the inventory shows
 * the pods on the pod network, the workload gets a warning naming both, and the rules naming the
 * component reach both its nodes and its pods (the verification: web's egress to it is not cut).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();

const matrix = (hostNetwork: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: edge, title: Edge }
documents: { doc: { title: edge doc, file: edge.txt } }
parameters:
  hostNetwork: { type: boolean, default: false, description: controller.hostNetwork }
components:
  api:
    namespace: shop
    selector: { matchLabels: { app: api } }
    hostNetwork: ${hostNetwork}
    authoritative: true
    exceptions:
      - { type: host-network, reason: the controller binds the node's ports, source: { document: doc, line: 9 } }
    ingress:
      - { peer: { namespace: shop, selector: { matchLabels: { app: web } } }, ports: [{ port: 8080 }], level: must, purpose: client traffic, source: { document: doc, line: 1 } }
`;

function storeWith(text: string) {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text, origin: 'edge.yaml', appliedAt: NOW });
  const flows = [netobservRecord({ src: '10.128.0.20', dst: '10.128.0.21', dstPort: 8080, proto: 6, srcPort: 40001, time: NOW - 60_000 })];
  return { db, ingested: ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' }) };
}

async function recommendWith(text: string, config: MatricesConfigT) {
  const { db, ingested } = storeWith(text);
  await ingested;
  const input = readRecommendationInput(db, config);
  return ENGINE_NAMES.map((engine) => ({ engine, ...runRecommendation(input, engine, recommendOptions({}), { tightness: false }) }));
}

for (const [what, text, config] of [
  ['hostNetwork: true', matrix('true'), {}],
  ['a hostNetwork condition that holds', matrix('{ hostNetwork: true }'), { systems: { edge: { parameters: { hostNetwork: true } } } }],
] as const) {
  test(`a component declaring ${what}: its workload gets no policy, only the host-network explanation, and a warning that the inventory shows its pods on the pod network — on every engine`, async () => {
    for (const { engine, rec, verification } of await recommendWith(text, config)) {
      const api = rec.workloads.find((w) => w.workload.name === 'api')!;
      assert.deepEqual(api.policies, [], engine);
      assert.match(api.summary, /runs in the host network/, engine);
      assert.match(api.summary, /the controller binds the node's ports/, engine);
      assert.ok(
        api.warnings.some((w) => w.includes('edge/api declares hostNetwork') && w.includes('the inventory shows') && w.includes('pod network')),
        `${engine}: ${JSON.stringify(api.warnings)}`,
      );
      assert.equal(verification.ok, true, engine);
      // The record says what the recommendation acted on; the inventory's word beside it (docs/recommend.md, JSON contract).
      const json = JSON.parse(JSON.stringify(api)) as Record<string, unknown>;
      assert.equal(json.hostNetwork, true, engine);
      assert.equal(json.inventoryHostNetwork, false, engine);
    }
  });

  test(`a component declaring ${what}: the report lists its workload among the host-network ones`, async () => {
    const { db, ingested } = storeWith(text);
    await ingested;
    const report = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, now: NOW, matrices: config, trigger: 'manual', generatedAt: NOW }));
    assert.ok(report.attention.hostNetwork.some((h) => h.workload.endsWith('/api') && h.components.includes('edge/api')), JSON.stringify(report.attention.hostNetwork));
    assert.equal(report.totals.hostNetwork, report.attention.hostNetwork.length);
  });
}

test('a hostNetwork condition that does not hold leaves the workload on the pod network: it gets its policy', async () => {
  for (const { engine, rec } of await recommendWith(matrix('{ hostNetwork: true }'), {})) {
    const api = rec.workloads.find((w) => w.workload.name === 'api')!;
    assert.equal(api.policies.length, 1, engine);
    assert.ok(!api.warnings.some((w) => w.includes('declares hostNetwork')), engine);
    const json = JSON.parse(JSON.stringify(api)) as Record<string, unknown>;
    assert.equal(json.hostNetwork, false, engine);
    assert.ok(!('inventoryHostNetwork' in json), `${engine}: present only where the two disagree`);
  }
});

// Where the matrix says host network and the inventory shows the pods on the pod network, a
// namespace default-deny layer selects those pods all the same (a podSelector selects pods by
// labels; only host-network pods escape pod policies): with no policy of their own, the layer cuts
// their traffic. Their edges were counted as left out by design ("host-network workload: no
// policy") and the verification passed; they are required, so the cut is blocked.
test('a component declaring hostNetwork whose pods the inventory shows on the pod network, under --default-deny: the layer cuts them, and the verification says so', async () => {
  const { db, ingested } = storeWith(matrix('true'));
  await ingested;
  // An observed flow no rule documents (web → api:9090): mode union keeps it.
  const undocumented = netobservRecord({ src: '10.128.0.20', dst: '10.128.0.21', dstPort: 9090, proto: 6, srcPort: 40002, time: NOW - 30_000 });
  await ingestFlows(db, [{ name: 'more', open: () => Readable.from([`${undocumented}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification } = runRecommendation(input, engine, recommendOptions({ defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, false, engine);
    assert.ok(
      verification.blocked.some((b) => b.workload.endsWith('/api') && b.direction === 'ingress' && b.edge.endsWith('|9090|TCP')),
      `${engine}: ${JSON.stringify(verification.blocked)}`,
    );
  }
});
