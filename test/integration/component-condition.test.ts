/**
 * A component's `when` (docs/matrices.md: "the component exists only when it holds"). While it
 * does not hold, none of its rules is in force (docs/recommend.md, status `inactive`: "its
 * condition does not hold, its component is disabled … reported, never compared") and its
 * authoritative stance does not apply: its workloads are not documented by it. A disabled
 * component used to keep its authoritative stance (its observed traffic cut as violations, "deny
 * all ingress") while its rule to an unbound role rendered "to any destination" — on every engine.
 * When the condition is a boolean toggle left at its default `false`, the observed traffic its
 * rules fit is documented when set (docs/matrices.md, "Documented when set"): allowed, and the
 * workload is told which parameter to set.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { warningLines } from '../../cli/commands/recommend.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const IDP = '198.51.100.99';

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: sso, title: SSO }
documents: { doc: { title: sso doc, file: sso.txt } }
parameters:
  sso.enabled: { type: boolean, default: false, description: the SSO part }
roles:
  oidc-provider: { description: upstream IdP, scope: external }
components:
  sso:
    namespace: shop
    when: { sso.enabled: true }
    selector: { matchLabels: { app: api } }
    authoritative: true
    ingress:
      - { peer: { namespace: shop, selector: { matchLabels: { app: web } } }, ports: [{ port: 8080 }], level: must, purpose: SSO, source: { document: doc, line: 1 } }
    egress:
      - { peer: apiserver, level: must, purpose: storage, source: { document: doc, line: 2 } }
      - { peer: { role: oidc-provider }, ports: [{ port: 443 }], level: must, purpose: upstream IdP, source: { document: doc, line: 3 } }
`;

const API = 'workload:shop/Pod/api';
const KEYS = [`workload:shop/Pod/web|${API}|8080|TCP`, `${API}|apiserver|6443|TCP`, `${API}|external:${IDP}|443|TCP`];

async function recommendWith(config: MatricesConfigT, mode: 'union' | 'documented', shared: boolean) {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: MATRIX, origin: 'sso.yaml', appliedAt: NOW });
  const flows = [
    netobservRecord({ src: '10.128.0.20', dst: '10.128.0.21', dstPort: 8080, proto: 6, srcPort: 40001, time: NOW - 60_000 }),
    netobservRecord({ src: '10.128.0.21', dst: '10.0.0.10', dstPort: 6443, proto: 6, srcPort: 40002, time: NOW - 50_000 }),
    netobservRecord({ src: '10.128.0.21', dst: IDP, dstPort: 443, proto: 6, srcPort: 40003, time: NOW - 40_000 }),
  ];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, config);
  return ENGINE_NAMES.map((engine) => ({ engine, ...runRecommendation(input, engine, recommendOptions({ mode, shared }), { tightness: false }) }));
}

const OFF: MatricesConfigT = { systems: { sso: { parameters: { 'sso.enabled': false } } } };

test('a component whose when is set false in the cluster config is no authority: its observed traffic is allowed as undocumented, none of its rules renders, and the workload is told what to set — on every engine, shared or not', async () => {
  for (const shared of [false, true]) {
    for (const { engine, rec, verification, emitted } of await recommendWith(OFF, 'union', shared)) {
      const at = `${engine}${shared ? ' --shared' : ''}`;
      const api = rec.workloads.find((w) => w.workload.name === 'api')!;
      for (const key of KEYS) {
        const e = api.observed.find((x) => x.key === key);
        assert.equal(e?.status, 'undocumented', `${at} ${key}`);
        assert.equal(e?.included, true, `${at} ${key}`);
      }
      assert.deepEqual(api.violations, [], at);
      assert.deepEqual(api.components, [], `${at}: the disabled component documents nothing here`);
      assert.ok(!api.rules.some((r) => r.id.includes('sso/sso/')), `${at}: an inactive rule renders nothing: ${JSON.stringify(api.rules.map((r) => r.id))}`);
      assert.ok(!JSON.stringify(emitted.manifests).includes('is unbound'), `${at}: no any-destination rule for the disabled component's role`);
      assert.ok(!api.warnings.some((w) => w.includes('waits for role oidc-provider')), `${at}: ${JSON.stringify(api.warnings)}`);
      // workloads[].warnings is the workload's own; the CLI prefixes it with the workload (warningLines): named once there.
      assert.ok(
        api.warnings.some((w) => w.startsWith('sso/sso selects this workload but is disabled') && w.includes('sso.enabled=false') && w.includes('matrices.systems.sso.parameters: {sso.enabled: true}')),
        `${at}: ${JSON.stringify(api.warnings)}`,
      );
      const line = warningLines({ emitted, rec, verification }).find((l) => l.includes('but is disabled'));
      assert.match(line ?? '', /^shop\/Pod\/api: sso\/sso selects this workload but is disabled/, at);
      assert.doesNotMatch(line ?? '', /shop\/api/, `${at}: the workload named once`);
      assert.deepEqual(verification.denied.filter((f) => f.workload.includes('api')), [], at);
      assert.deepEqual(verification.blocked, [], at);
      assert.equal(verification.ok, true, at);
    }
  }
});

test('mode documented: a workload whose only component is disabled by the config is undocumented, so it gets no policy (nothing of it is cut)', async () => {
  for (const { engine, rec, verification } of await recommendWith(OFF, 'documented', false)) {
    const api = rec.workloads.find((w) => w.workload.name === 'api')!;
    assert.deepEqual(api.policies, [], engine);
    assert.match(api.summary, /no communication matrix documents it/, engine);
    assert.equal(verification.ok, true, engine);
  }
});

test('a component whose when is a boolean toggle left at its default false: the observed traffic its rules fit is documented when set — allowed in every mode, never a violation, warned with what to set', async () => {
  for (const mode of ['union', 'documented'] as const) {
    for (const shared of [false, true]) {
      for (const { engine, rec, verification, emitted } of await recommendWith({}, mode, shared)) {
        const at = `${engine} ${mode}${shared ? ' --shared' : ''}`;
        const api = rec.workloads.find((w) => w.workload.name === 'api')!;
        for (const key of KEYS) {
          const e = api.observed.find((x) => x.key === key);
          assert.equal(e?.status, 'documented-when-set', `${at} ${key}`);
          assert.equal(e?.included, true, `${at} ${key}`);
        }
        assert.deepEqual(api.violations, [], at);
        assert.ok(!JSON.stringify(emitted.manifests).includes('is unbound'), `${at}: no any-destination rule for the disabled component's role`);
        assert.ok(!api.policies.some((p) => p.explanation.includes('deny all ingress')), `${at}: ${JSON.stringify(api.policies.map((p) => p.explanation))}`);
        for (const id of ['sso/sso/ingress/shop-pods-8080', 'sso/sso/egress/apiserver', 'sso/sso/egress/oidc-provider-443']) {
          assert.ok(api.warnings.some((w) => w.startsWith(`${id} is documented when set`) && w.includes('set sso.enabled=true') && w.includes('matrices.systems.sso.parameters: {sso.enabled: true}')), `${at} ${id}: ${JSON.stringify(api.warnings)}`);
        }
        assert.deepEqual(verification.denied.filter((f) => f.workload.includes('api')), [], at);
        assert.deepEqual(verification.blocked, [], at);
        assert.equal(verification.ok, true, at);
      }
    }
  }
});
