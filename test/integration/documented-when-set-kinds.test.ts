/**
 * Which conditions make an observed edge "documented when set" (docs/matrices.md, "Documented when
 * set"): a condition that turns on an optional part — a boolean parameter left at its default
 * `false` that the rule needs `true` — does, whatever the rule's peer (a CIDR, here: a partner API
 * behind a feature toggle). A parameter that switches between alternative views of the matrix (an
 * enum such as Kyma's `model`, or a boolean declared `switchesView`, NetObserv's
 * `allowInNamespace`) does not make an edge to a fixed peer documented: the edge stays
 * undocumented (a violation where the direction is authoritative), and the workload is warned
 * which rule documents it under which value.
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
const PARTNER = '198.51.100.99';

const matrix = (parameters: string, rules: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: probe, title: Probe }
documents: { doc: { title: probe doc, file: probe.txt } }
parameters:
${parameters}
components:
  probe:
    namespace: openshift-dns
    selector: { matchLabels: { app: probe } }
    authoritative: { egress: true }
    egress:
      - { peer: { namespace: shop, selector: { matchLabels: { app: api } } }, ports: [{ port: 8080 }], level: must, purpose: checks the api, source: { document: doc, line: 1 } }
${rules}
`;

async function recommendWith(text: string, mode: 'union' | 'documented' = 'union') {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text, origin: 'probe.yaml', appliedAt: NOW });
  const flows = [
    netobservRecord({ src: '10.128.0.40', dst: '10.128.0.21', dstPort: 8080, proto: 6, srcPort: 40001, time: NOW - 60_000 }),
    netobservRecord({ src: '10.128.0.40', dst: PARTNER, dstPort: 443, proto: 6, srcPort: 40002, time: NOW - 50_000 }),
  ];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  return ENGINE_NAMES.map((engine) => ({ engine, ...runRecommendation(input, engine, recommendOptions({ mode }), { tightness: false }) }));
}

const partnerKey = `workload:openshift-dns/Pod/probe|external:${PARTNER}|443|TCP`;

test('a feature toggle (boolean, default false) on a rule to a CIDR: the observed edge it fits is documented when set — allowed, warned with what to set, never a violation, even under authoritative egress', async () => {
  const text = matrix(
    '  partner.enabled: { type: boolean, default: false, description: partner API }',
    '      - { peer: { cidrs: [198.51.100.0/24] }, ports: [{ port: 443 }], level: must, when: { partner.enabled: true }, purpose: partner API, source: { document: doc, line: 2 } }',
  );
  for (const mode of ['union', 'documented'] as const) {
    for (const { engine, rec, verification } of await recommendWith(text, mode)) {
      const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
      const edge = probe.observed.find((e) => e.key === partnerKey)!;
      assert.equal(edge.status, 'documented-when-set', `${engine} ${mode}`);
      assert.deepEqual(edge.documentedWhen, ['probe/probe/egress/198-51-100-0-24-443 when partner.enabled=true'], `${engine} ${mode}`);
      assert.equal(edge.included, true, `${engine} ${mode}`);
      assert.deepEqual(probe.violations, [], `${engine} ${mode}`);
      assert.ok(
        probe.warnings.some((w) => w.startsWith('probe/probe/egress/198-51-100-0-24-443 is documented when set') && w.includes('matrices.systems.probe.parameters: {partner.enabled: true}')),
        `${engine} ${mode}: ${JSON.stringify(probe.warnings)}`,
      );
      assert.deepEqual(verification.denied.filter((f) => f.workload.includes('probe')), [], `${engine} ${mode}: the partner flow is not cut`);
      assert.equal(verification.ok, true, `${engine} ${mode}`);
    }
  }
});

test('an enum parameter that switches between views (site: eu | us) on rules to CIDRs: the edge the other view documents stays undocumented and a violation, and the workload is warned which rule and value document it', async () => {
  const text = matrix(
    '  site: { type: string, enum: [eu, us], default: eu, description: the site this install is the view of }',
    [
      '      - { peer: { cidrs: [192.0.2.0/24] }, ports: [{ port: 443 }], level: must, when: { site: eu }, purpose: partner API (eu), source: { document: doc, line: 2 } }',
      '      - { peer: { cidrs: [198.51.100.0/24] }, ports: [{ port: 443 }], level: must, when: { site: us }, purpose: partner API (us), source: { document: doc, line: 3 } }',
    ].join('\n'),
  );
  for (const { engine, rec } of await recommendWith(text)) {
    const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
    const edge = probe.observed.find((e) => e.key === partnerKey)!;
    assert.equal(edge.status, 'undocumented', engine);
    assert.deepEqual(probe.violations, [partnerKey], engine);
    const warning = probe.warnings.find((w) => w.startsWith('probe/probe/egress/198-51-100-0-24-443 '));
    assert.ok(warning?.includes('site=us') && warning.includes('matrices.systems.probe.parameters: {site: "us"}') && warning.includes('documents 1 observed egress edge(s)'), `${engine}: ${JSON.stringify(probe.warnings)}`);
    assert.ok(!probe.warnings.some((w) => w.startsWith('probe/probe/egress/192-0-2-0-24-443 ')), engine);
  }
});

test('a boolean declared switchesView (NetObserv\'s allowInNamespace, seed 002 line 14: "you can simplify the rules if you choose to allow in-namespace traffic") is a view, not an optional part', async () => {
  const text = matrix(
    '  simple: { type: boolean, default: false, switchesView: true, description: the simpler alternative }',
    '      - { peer: { cidrs: [198.51.100.0/24] }, ports: [{ port: 443 }], level: may, when: { simple: true }, purpose: the simpler alternative, source: { document: doc, line: 2 } }',
  );
  for (const { engine, rec } of await recommendWith(text)) {
    const probe = rec.workloads.find((w) => w.workload.name === 'probe')!;
    assert.equal(probe.observed.find((e) => e.key === partnerKey)!.status, 'undocumented', engine);
    assert.deepEqual(probe.violations, [partnerKey], engine);
    assert.ok(probe.warnings.some((w) => w.startsWith('probe/probe/egress/198-51-100-0-24-443 ') && w.includes('simple=true')), `${engine}: ${JSON.stringify(probe.warnings)}`);
  }
});
