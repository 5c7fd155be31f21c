/**
 * The report's drift section says, next to the policies it lists, when the engine's
 * recommendation fails verification, and which of the missing or differing policies cut required
 * traffic: a reader acts on that list as a GitOps job acts on GET /api/v1/drift, which refuses
 * such a drift (422). On the demo cluster, mode observed cuts the NetObserv console plugin's
 * documented `must` flow to Alertmanager 9093 (nothing observed it yet); the default mode
 * (union) verifies, and its drift section stays as it was.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatherReportInput, type ReportRequest } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import type { Report } from '../../reports/model.ts';
import { renderHtml, renderJson, renderMarkdown } from '../../reports/render/index.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { importInventory } from '../../app/inventory.ts';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const dbPath = await demoDb();

function report(over: Partial<ReportRequest>, path = dbPath): Report {
  const db = openDb(path);
  try {
    return buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'schedule', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0), ...over }));
  } finally {
    db.close();
  }
}

const CUT_EDGE = 'workload:netobserv/Deployment/netobserv-plugin|workload:stacklight/StatefulSet/prometheus-alertmanager|9093|TCP';
const PROMETHEUS_EDGE = 'workload:netobserv/Deployment/netobserv-plugin|workload:monitoring/StatefulSet/prometheus|9090|TCP';
const PLUGIN = 'netobserv-deployment-netobserv-plugin';
const KYMA_CUTTING = ['daemonset-telemetry-fluent-bit', 'daemonset-telemetry-log-agent', 'daemonset-telemetry-metric-agent', 'deployment-telemetry-log-gateway', 'deployment-telemetry-manager', 'deployment-telemetry-metric-gateway', 'deployment-telemetry-self-monitor', 'deployment-telemetry-trace-gateway'].map((n) => `kyma-system-${n}`);

/** The drift section of a rendering: from its heading to the next section's. */
function driftPart(text: string, start: string, next: string): string {
  const from = text.indexOf(start);
  assert.ok(from >= 0, `no drift section (${start})`);
  return text.slice(from, text.indexOf(next, from));
}

test('mode observed: the drift section of a failing engine says so, and names the policy that cuts the must flow', () => {
  const r = report({ mode: 'observed' });
  assert.equal(r.verification?.kubernetes?.ok, false, 'the demo in mode observed fails verification');
  const d = r.attention.drift;
  assert.equal(d.verified, false);
  const plugin = d.missing.find((p) => p.namespace === 'netobserv' && p.name === PLUGIN);
  assert.ok(plugin, 'the plugin policy is missing');
  // The plugin's must rule to Prometheus names two Prometheus workloads; it was seen reaching one
  // only, and mode observed cuts the other too (a must rule's flows are required per peer workload).
  assert.deepEqual(plugin.cuts, [
    { workload: 'netobserv/Deployment/netobserv-plugin', direction: 'egress', edge: PROMETHEUS_EDGE },
    { workload: 'netobserv/Deployment/netobserv-plugin', direction: 'egress', edge: CUT_EDGE },
  ]);
  // Its ingress-only sibling isolates no egress: it cuts nothing.
  assert.equal(d.missing.find((p) => p.name === `${PLUGIN}-exposed`)?.cuts, undefined);
  // Beside the plugin's, the policies that cut must flows only a representative names (the
  // world, any pod: representative-flows.ts): Kyma's RMA and OTLP ingress, and the StackLight
  // egress whose must `allow-all` to the world was seen inside the cluster only (the apiserver,
  // OpenSearch, the webhooks: never the outside, which mode observed leaves cut); and those
  // cutting a must rule's flows to the peer workloads it was not seen reaching.
  const STACKLIGHT_WORLD = ['daemonset-fluentd-logs', 'deployment-fluentd-notifications', 'deployment-prometheus-kube-state-metrics', 'statefulset-opensearch-master', 'statefulset-patroni', 'statefulset-prometheus-alertmanager'].map((n) => `stacklight-${n}`);
  assert.deepEqual(
    [...d.missing, ...d.differing].filter((p) => p.cuts !== undefined).map((p) => p.name),
    [...KYMA_CUTTING, 'monitoring-statefulset-prometheus', 'netobserv-deployment-flowlogs-pipeline', PLUGIN, 'progressive-delivery-deployment-stage-controller', ...STACKLIGHT_WORLD],
    'only the policies that cut are marked',
  );
  // Of the Kyma backends, only the metric agent's to the metric pipelines' backend is cut (seed 001
  // line 23; nothing observed it yet): each pipeline requires its own signal's backend, so no log
  // component's cut names Dynatrace nor a gateway's CLS (line 15: the log components ship to CLS).
  const kymaBackendCuts = [...d.missing, ...d.differing].flatMap((p) => p.cuts ?? []).filter((c) => c.workload.startsWith('kyma-system/') && /external:198\.51\.100\.(20|30)\|/.test(c.edge));
  assert.deepEqual(kymaBackendCuts.map((c) => c.edge), ['workload:kyma-system/DaemonSet/telemetry-metric-agent|external:198.51.100.30|443|TCP']);
  assert.equal(JSON.parse(renderJson(r)).attention.drift.verified, false);

  const md = driftPart(renderMarkdown(r), '### Drift against', '\n## ');
  assert.match(md, /kubernetes FAILS verification/);
  // 25: before Kyma's backends were one role per signal, 31 - six more cut edges from pipelines to
  // the other signal's backend (fluent-bit, log-agent, log-gateway → Dynatrace; metric-agent,
  // metric-gateway, trace-gateway → CLS), which nothing sends. 27 since the metric agent is no
  // customer workload (seed 001 line 18): its push no longer shows the metric gateway's OTLP rule,
  // whose stand-in (analytics/report-builder → 4317, 4318) mode observed cuts.
  assert.match(md, /kubernetes FAILS verification \(27 required edge\(s\) cut; At a glance has the verification\)/);
  assert.match(md, /18 of them cut required traffic or are refused by the engine, marked in their detail/);
  assert.match(md, /\| missing \| NetworkPolicy \| `netobserv\/netobserv-deployment-netobserv-plugin` \| recommended, not applied; CUTS required traffic: egress of netobserv\/Deployment\/netobserv-plugin: netobserv\/Deployment\/netobserv-plugin → monitoring\/StatefulSet\/prometheus 9090\/TCP; egress of netobserv\/Deployment\/netobserv-plugin: netobserv\/Deployment\/netobserv-plugin → stacklight\/StatefulSet\/prometheus-alertmanager 9093\/TCP \|/);
  assert.match(md, /\| missing \| NetworkPolicy \| `netobserv\/netobserv-deployment-netobserv-plugin-exposed` \| recommended, not applied \|/);
  const html = driftPart(renderHtml(r), '<section id="drift"', '</section>');
  assert.match(html, /kubernetes FAILS verification/);
  assert.match(html, /CUTS required traffic: egress of netobserv\/Deployment\/netobserv-plugin/);
});

test('a failing engine other than kubernetes: the policy its simulator names as deciding is marked', () => {
  const d = report({ mode: 'observed', engine: 'clusternetworkpolicy' }).attention.drift;
  assert.equal(d.verified, false);
  const marked = d.missing.filter((p) => p.cuts !== undefined).map((p) => p.name);
  assert.ok(marked.includes(`${PLUGIN}-isolation`), `the isolation policy that denies is marked: ${marked.join(', ')}`);
  assert.ok(!marked.includes(`${PLUGIN}-exposed`));
});

test('the default mode verifies: the drift section is as it was, no mark and no sentence', () => {
  const r = report({});
  assert.equal(r.verification?.kubernetes?.ok, true);
  const d = r.attention.drift;
  assert.equal('verified' in d, false);
  assert.ok([...d.missing, ...d.differing].every((p) => !('cuts' in p) && !('refused' in p)));
  const md = driftPart(renderMarkdown(r), '### Drift against', '\n## ');
  assert.doesNotMatch(md, /FAILS|CUTS|refuse/);
});

/**
 * The user's own ClusterNetworkPolicy of the name the recommendation gives the plugin's isolation
 * policy, its subject covering netobserv and stacklight: netobserv's drift lists it under
 * `sharedWithOtherNamespaces` with `replacedByRecommended` (recommender/drift.ts), and the
 * recommended policy of its name is the one that cuts the plugin's must flows (above).
 */
const SHARED_USER_POLICY = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: ${PLUGIN}-isolation
spec:
  tier: Admin
  priority: 40
  subject:
    namespaces:
      matchExpressions:
      - { key: kubernetes.io/metadata.name, operator: In, values: [netobserv, stacklight] }
  ingress:
  - { action: Accept, name: allow all, from: [{ namespaces: {} }] }
`;

function withSharedUserPolicy(): string {
  const path = join(tmpDir('flowmatrix-shared-'), 'shared.db');
  copyFileSync(dbPath, path);
  const db = openDb(path);
  try {
    importInventory(db, { text: SHARED_USER_POLICY, takenAt: Date.UTC(2026, 10, 20, 13, 0, 0), source: 'applied.yaml' });
  } finally {
    db.close();
  }
  return path;
}

test('a recommended policy that would replace a shared applied one keeps its failure marks and counts in the headline, as in the drift where it replaces nothing', () => {
  const over: Partial<ReportRequest> = { mode: 'observed', engine: 'clusternetworkpolicy', namespace: 'netobserv' };
  const plain = report(over);
  const shared = report(over, withSharedUserPolicy());
  const marks = plain.attention.drift.missing.find((p) => p.name === `${PLUGIN}-isolation`);
  assert.ok(marks?.cuts !== undefined, 'without the user policy, the isolation policy is missing and marked');
  const [entry] = shared.attention.drift.sharedWithOtherNamespaces ?? [];
  assert.equal(entry?.name, `${PLUGIN}-isolation`);
  // It cuts what it cut when missing, and also what the replaced policy's Admin Accept lets in
  // today and the applied NetworkPolicy netobserv/netobserv denies once it is gone (kubectl apply
  // replaces the same-named object; NetworkPolicySpec: a pod gets the union of the policies that select it).
  const replacedCuts = ([['flowlogs-pipeline', 9401], ['netobserv-controller-manager', 8443], ['netobserv-plugin', 9002]] as const).map(([name, port]) => ({
    workload: `netobserv/Deployment/${name}`,
    direction: 'ingress',
    edge: `workload:stacklight/StatefulSet/prometheus-server|workload:netobserv/Deployment/${name}|${port}|TCP`,
  }));
  const byEdge = (a: { edge: string }, b: { edge: string }): number => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0);
  assert.deepEqual([...(entry.replacedByRecommended?.cuts ?? [])].sort(byEdge), [...marks.cuts, ...replacedCuts].sort(byEdge), 'the recommended policy that would replace it cuts what it cut when missing, and what the replaced one allows today');
  assert.equal(shared.headline.drift, plain.headline.drift, 'still drift to act on: it is one policy, counted once');
  const md = driftPart(renderMarkdown(shared), '### Drift against', '\n## ');
  assert.match(md, new RegExp(`\\| shared \\| ClusterNetworkPolicy \\| \`\\(cluster\\)/${PLUGIN}-isolation\` \\| applied, its subject also covers namespaces netobserv, stacklight: the recommended policy of this name \\([^)]*\\) would REPLACE it[^|]*; CUTS required traffic: [^|]*egress of netobserv/Deployment/netobserv-plugin`));
  assert.match(md, /1 recommended policy that would replace a shared one (also )?fails, marked in the detail of its shared row/);
});
