// Safe to apply on every engine, on the demo data, for every option set: nothing each engine's
// agent or API server would refuse, and no rendering that cuts required traffic.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveMatrices } from '../../app/matrices.ts';
import { ENGINE_NAMES, getEngine } from '../../recommender/engines/index.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import { recommend, type RecommendInput } from '../../recommender/recommend.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { shortHash } from '../../recommender/policy/names.ts';
import { openDb } from '../../store/db.ts';
import { applyKymaAnyIpAsCidrs, demoDb, demoRecommendInput } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { calicoRuleProblems, ciliumRuleProblems } from '../helpers/engine-admission.ts';

const dbPath = await demoDb();
const input: RecommendInput = demoRecommendInput(dbPath);

function byName<M extends Manifest>(ms: readonly M[], name: string): M {
  const m = ms.find((x) => x.metadata.name === name);
  assert.ok(m, `${name} emitted`);
  return m;
}

test('every option set: no Cilium rule combines peer kinds, no Calico rule mixes address families, no Cilium `world` entity', () => {
  let manifests = 0;
  for (const mode of MODES) {
    for (const egress of [true, false]) {
      for (const defaultDeny of [false, true]) {
        for (const shared of [false, true]) {
          const set = recommend(input, { mode, egress, defaultDeny, shared }, { details: false }).policySet;
          const cilium = getEngine('cilium').emit(set).manifests;
          const calico = getEngine('calico').emit(set).manifests;
          const where = `mode=${mode} egress=${egress} defaultDeny=${defaultDeny} shared=${shared}`;
          assert.deepEqual(ciliumRuleProblems(cilium), [], where);
          assert.deepEqual(calicoRuleProblems(calico), [], where);
          assert.ok(!JSON.stringify(cilium.map((m) => m.spec)).includes('"world"'), `${where}: the world entity is outside the cluster only`);
          manifests += cilium.length + calico.length;
        }
      }
    }
  }
  assert.ok(manifests > 500, `${manifests} manifests checked`);
});

test('StackLight: Prometheus\'s egress allow-all reaches in-cluster peers on every engine (ClusterNetworkPolicy: every pod beside networks 0.0.0.0/0, ::/0 — Cilium makes networks CIDR selectors, which select no pod: pkg/k8s/cluster_network_policy.go kcnpParseCIDRSelectors)', () => {
  const set = recommend(input, { namespace: 'stacklight' }).policySet;
  const name = 'stacklight-statefulset-prometheus-server';
  assert.ok((byName(getEngine('kubernetes').emit(set).manifests, name).spec.egress as unknown[]).some((r) => JSON.stringify(r) === '{}'));
  assert.ok((byName(getEngine('cilium').emit(set).manifests, name).spec.egress as unknown[]).some((r) => JSON.stringify(r) === '{"toEntities":["all"]}'));
  const calico = byName(getEngine('calico').emit(set).manifests, name).spec.egress ?? [];
  assert.ok(calico.some((r) => r.destination === undefined && r.protocol === undefined));
  const cnp = byName(getEngine('clusternetworkpolicy').emit(set).manifests, name).spec.egress as { to: unknown }[];
  assert.ok(cnp.some((r) => JSON.stringify(r.to) === '[{"namespaces":{}},{"networks":["0.0.0.0/0","::/0"]}]'));
});

test('StackLight alertmanager on ClusterNetworkPolicy: its allow-all ingress is accepted before the isolation denies', () => {
  const { manifests, warnings } = getEngine('clusternetworkpolicy').emit(recommend(input, { namespace: 'stacklight' }).policySet);
  const accept = byName(manifests, 'stacklight-statefulset-prometheus-alertmanager');
  assert.deepEqual((accept.spec.ingress as { from: unknown }[]).map((r) => r.from), [[{ namespaces: {} }]]);
  assert.ok((byName(manifests, 'stacklight-statefulset-prometheus-alertmanager-isolation').spec.priority as number) > (accept.spec.priority as number));
  assert.deepEqual(warnings.filter((w) => w.message.includes('the world')), []);
});

test('Kyma: the otlp-clients role ({namespaceSelector: {}}) is every namespace, never today\'s list', () => {
  const set = recommend(input, { namespace: 'kyma-system' }).policySet;
  for (const engine of ENGINE_NAMES) {
    const text = JSON.stringify(getEngine(engine).emit(set).manifests.filter((m) => m.metadata.name.endsWith('telemetry-log-gateway')).map((m) => m.spec));
    assert.ok(!text.includes('netobserv-privileged'), `${engine}: a namespace list`);
  }
  const np = byName(getEngine('kubernetes').emit(set).manifests, 'kyma-system-deployment-telemetry-log-gateway');
  assert.ok((np.spec.ingress as { from?: unknown }[]).some((r) => JSON.stringify(r.from) === '[{"namespaceSelector":{}}]'));
});

test('--shared on the demo: rules held by flux-system and kyma-system are written once, cluster-wide', () => {
  const set = recommend(input, { shared: true }).policySet;
  const cw = set.intents.filter((i) => i.subject.kind === 'namespaces');
  // With a hash of the list: the namespace names hold a '-' (policy/ir.ts sharedIntentKey).
  assert.deepEqual(cw.map((i) => i.key), [`cluster/shared/flux-system+kyma-system/${shortHash('flux-system,kyma-system')}`]);
  assert.deepEqual(
    getEngine('calico').emit(set).manifests.filter((m) => m.kind === 'GlobalNetworkPolicy').map((m) => m.spec.namespaceSelector),
    ["projectcalico.org/name in {'flux-system', 'kyma-system'}"],
  );
});

test('a documented CIDR rule in both families (Kyma model=current with "any IP" as 0.0.0.0/0 and ::/0 in one rule): Calico gets one rule per address family, every engine\'s output is admissible', () => {
  const copy = join(tmpDir('flowmatrix-demo-cidrs-'), 'demo.db');
  copyFileSync(dbPath, copy);
  const db = openDb(copy);
  applyKymaAnyIpAsCidrs(db);
  const config = { systems: { 'kyma-telemetry': { parameters: { model: 'current' } } } } as Parameters<typeof resolveMatrices>[1];
  const { matrices } = resolveMatrices(db, config);
  db.close();
  const set = recommend({ ...input, matrices }, { namespace: 'kyma-system' }).policySet;
  const calico = getEngine('calico').emit(set).manifests;
  assert.deepEqual(calicoRuleProblems(calico), []);
  assert.deepEqual(ciliumRuleProblems(getEngine('cilium').emit(set).manifests), []);
  const manager = byName(calico, 'kyma-system-deployment-telemetry-manager').spec.ingress as { source?: { nets?: string[] } }[];
  const nets = manager.flatMap((r) => (r.source?.nets ? [r.source.nets] : []));
  assert.ok(nets.some((n) => n.includes('0.0.0.0/0')) && nets.some((n) => n.includes('::/0')), JSON.stringify(nets));
});

test('--shared on the demo: a shared rule is explained by every member\'s edges — its annotation counts them all, and recommend -o json lists its evidence under namespaces[].rules, where its id is looked up', () => {
  const rec = recommend(input, { shared: true });
  const layer = rec.namespaces.find((n) => n.intent.startsWith('cluster/shared/flux-system+kyma-system'))!;
  assert.ok(layer.rules && layer.rules.length > 0, 'the cluster-wide layer lists its rules');
  const dns = layer.rules.find((r) => r.id.includes('dns'))!;
  const edges = dns.evidence.edges.length;
  assert.ok(edges > 1, `every member's DNS edges: ${edges}`);
  assert.match(dns.text, /observed in the flows/);
});
