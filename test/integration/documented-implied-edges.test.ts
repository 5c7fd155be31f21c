/**
 * Mode documented, a workload whose matrix documents some of its egress: the implied rules its
 * restricted egress gets all the same (DNS to the cluster DNS, and the apiserver it was seen
 * using, docs/recommend.md "Options") allow the edges they cover. docs/recommend.md defines an
 * observed edge's `included` as "became or is covered by a rule": those edges are included, in the
 * implied rule's evidence, not left out as "no included documented rule covers this edge".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const record = (src: string, dst: string, dstPort: number, proto: 6 | 17, i: number) => netobservRecord({ src, dst, dstPort, proto, srcPort: 40000 + i, time: NOW - 60_000 + i });

/** probe documents its calls to the api only: neither DNS nor the apiserver. */
const PROBE = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: probe, title: Probe }
documents: { doc: { title: probe doc, file: probe.txt } }
components:
  probe:
    namespace: openshift-dns
    selector: { matchLabels: { app: probe } }
    egress:
      - { peer: { namespace: shop, selector: { matchLabels: { app: api } } }, ports: [{ port: 8080 }], level: must, purpose: checks the api, source: { document: doc, line: 1 } }
`;

test('mode documented: the edges the implied DNS and apiserver rules cover are included, as their evidence, not left out while allowed', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: PROBE, origin: 'probe.yaml', appliedAt: NOW });
  const flows = [
    record('10.128.0.40', '10.128.0.21', 8080, 6, 1), // probe → api: documented
    record('10.128.0.40', '10.128.0.5', 5353, 17, 2), // probe → a DNS pod (post-DNAT): the implied DNS rule
    record('10.128.0.40', '10.0.0.10', 6443, 6, 3), // probe → the apiserver: the implied apiserver rule
  ];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { rec, verification } = runRecommendation(input, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
    const egress = probe.observed.filter((e) => e.direction === 'egress');
    assert.equal(egress.length, 3, engine);
    assert.deepEqual(egress.filter((e) => !e.included).map((e) => `${e.key}: ${e.reason}`), [], engine);
    for (const port of [5353, 6443]) {
      const edge = egress.find((e) => e.key.includes(`|${port}|`))!;
      const rule = probe.rules.find((r) => r.evidence.edges.some((x) => x.key === edge.key));
      assert.equal(rule?.status, 'implied', `${engine}: ${edge.key} is in the evidence of an implied rule`);
    }
    assert.deepEqual(verification.stillAllowed.filter((f) => f.workload.includes('probe')), [], `${engine}: nothing is left out but allowed`);
    assert.deepEqual(verification.denied.filter((f) => f.workload.includes('probe')), [], engine);
  }
});

test('mode union, a matrix authoritative for egress that does not document DNS: the lookups the implied DNS rule allows are included and are no violation to review (docs/recommend.md: a violation is left out, and DNS is always allowed when egress is restricted)', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: PROBE.replace("    selector: { matchLabels: { app: probe } }\n", "    selector: { matchLabels: { app: probe } }\n    authoritative: { egress: true }\n"), origin: 'probe.yaml', appliedAt: NOW });
  const flows = [record('10.128.0.40', '10.128.0.21', 8080, 6, 1), record('10.128.0.40', '10.128.0.5', 5353, 17, 2), record('10.128.0.40', '10.128.0.5', 5353, 6, 3)];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  const { rec, verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ mode: 'union' }), { tightness: false });
  assert.equal(verification.ok, true);
  const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
  assert.deepEqual(probe.violations, []);
  assert.deepEqual(probe.observed.filter((e) => e.direction === 'egress' && !e.included).map((e) => e.key), []);
});

test('the implied DNS rule no observed lookup backs has a readable, documented id (docs/recommend.md, rule ids: `implied:<direction>:<kind>:<ports>`), not an internal sort key, in the JSON, the annotation and the ClusterNetworkPolicy rule name (≤ 100 characters: the CRD\'s maxLength)', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: PROBE, origin: 'probe.yaml', appliedAt: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record('10.128.0.40', '10.128.0.21', 8080, 6, 1)}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { rec, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'union' }), { tightness: false });
    const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
    const implied = probe.rules.filter((r) => r.status === 'implied' && r.direction === 'egress');
    assert.deepEqual(implied.map((r) => r.id), ['implied:egress:dns:TCP/5353+UDP/5353'], `${engine}: ${JSON.stringify(probe.rules.map((r) => r.id))}`);
    const text = JSON.stringify(emitted.manifests);
    assert.ok(text.includes('egress implied implied:egress:dns:TCP/5353+UDP/5353: '), `${engine}: the annotation line names the rule by its id`);
    assert.ok(!/(ingress|egress):ports:/.test(text), engine);
    if (engine === 'clusternetworkpolicy') assert.ok(text.includes('"name":"implied:egress:dns:TCP/5353+UDP/5353"'), text.slice(0, 2000));
  }
});
