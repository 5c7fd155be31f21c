import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, type ReportInput } from '../../reports/build.ts';
import { ReportEvidence } from '../../reports/evidence.ts';
import type { WorkloadRecommendation } from '../../recommender/recommend.ts';
import { REPORT_DEFAULTS } from '../../reports/config.ts';
import { AppError } from '../../app/errors.ts';
import { gatherReportInput, type ReportRequest } from '../../app/report-input.ts';
import { MAX_ATTENTION_ITEMS, type EdgeItem, type Report } from '../../reports/model.ts';
import { renderHtml, renderJson, renderMarkdown } from '../../reports/render/index.ts';
import { openDb } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { peerKey } from '../../domain/peer.ts';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers/tmp.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { driftFailures, ManifestsByIntent } from '../../app/drift-failures.ts';

const dbPath = await demoDb();
const GENERATED = Date.UTC(2026, 10, 21, 2, 0, 0);

function request(over: Partial<ReportRequest> = {}): ReportRequest {
  return { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'schedule', generatedAt: GENERATED, ...over };
}

function gather(over: Partial<ReportRequest> = {}, onDetailed?: (w: WorkloadRecommendation) => void): ReportInput {
  const db = openDb(dbPath);
  try {
    return gatherReportInput(db, request(over), onDetailed);
  } finally {
    db.close();
  }
}

/** The workloads' records with their evidence, as the report folded them. */
const detailed: WorkloadRecommendation[] = [];
const input = gather({}, (w) => detailed.push(structuredClone(w)));
const report = buildReport(input);

/** The report of `input` with its evidence folded from these records instead. */
const withRecords = (records: WorkloadRecommendation[]): Report => buildReport({ ...input, evidence: ReportEvidence.of(records) });

const PROM_FLP = 'workload:stacklight/StatefulSet/prometheus-server|workload:netobserv/Deployment/flowlogs-pipeline|9401|TCP';
const PLUGIN_PROM = 'workload:netobserv/Deployment/netobserv-plugin|workload:stacklight/StatefulSet/prometheus-server|9090|TCP';
const ANALYTICS_PG = 'workload:analytics/Deployment/report-builder|workload:shop/StatefulSet/postgres|5432|TCP';
const NETSHOOT = 'workload:tools/Pod/netshoot|external:192.0.2.44|4444|TCP';

const find = (items: EdgeItem[], key: string): EdgeItem | undefined => items.find((e) => e.key === key);

test('headline counts of the demo cluster', () => {
  // documentedWhenSet: the controller's S3 and OTLP edges and their two rules (seed 003 lines 81-82, "when configured").
  // findings: 21, of which three role-inferred for Kyma's backends, one per signal (seed 001 line 15: the
  // log pipelines ship to their own logging service, not to the metric and trace pipelines' backend).
  assert.deepEqual(report.headline, { blocked: 6, violations: 3, dropped: 1, undocumented: 54, documentedWhenSet: 4, documentedUnobserved: 5, stale: 0, hostNetwork: 3, findings: 21, drift: 58 });
  assert.deepEqual(report.attention.documentedWhenSet.rules.map((r) => [r.id, r.whenSet?.set]), [
    ['progressive-delivery/controller/egress/otlp-collector', 'otlp.configured=true'],
    ['progressive-delivery/controller/egress/s3', 's3.configured=true'],
  ]);
  assert.equal(report.data.now, report.data.lastSeen, 'the reference time is the data’s latest last-seen, not the clock');
  assert.ok(report.data.now!.startsWith('2026-11-20T23:59:17'));
  assert.equal(report.generatedAt, '2026-11-21T02:00:00.000Z');
  assert.equal(report.data.edges, 205);
  assert.equal(report.totals.workloads, 51);
  assert.deepEqual(report.totals.manifests, { calico: 57, cilium: 57, clusternetworkpolicy: 105, kubernetes: 57 });
});

test('console plugin → StackLight Prometheus 9090: blocked, documented egress (seed 002 line 63) that the applied netobserv policy drops', () => {
  const e = find(report.attention.blocked.edges, PLUGIN_PROM);
  assert.ok(e, 'listed under blocked');
  assert.equal(find(report.attention.dropped, PLUGIN_PROM), undefined, 'each edge appears once');
  assert.equal(e.dropped, 6);
  assert.equal(e.forwarded, 0, 'unanswered NetObserv SYNs are no evidence of delivery');
  assert.equal(e.flows, 13);
  assert.equal(e.firstSeen, '2026-11-20T00:59:08.400Z');
  assert.equal(e.lastSeen, '2026-11-20T23:32:47.400Z');
  assert.deepEqual(e.sources, ['netobserv', 'hubble']);
  assert.deepEqual(
    e.sides.map((s) => [s.workload, s.direction, s.status]),
    [
      ['netobserv/Deployment/netobserv-plugin', 'egress', 'blocked'],
      // StackLight documents Prometheus' ingress as required (allow-all: its web UI behind a load balancer).
      ['stacklight/StatefulSet/prometheus-server', 'ingress', 'blocked'],
    ],
  );
  // The role `prometheus` is discovered on both Prometheus servers (app.kubernetes.io/name and app+component).
  const plugin = e.sides.find((s) => s.direction === 'egress');
  assert.deepEqual(plugin?.rules, ['netobserv/console-plugin/egress/prometheus']);
  assert.equal(report.attention.documentedUnobserved.some((r) => r.id === 'netobserv/console-plugin/egress/prometheus'), false);
  // StackLight Prometheus → flowlogs-pipeline 9401 (documented must, seed 002 line 42) is dropped by the applied netobserv
  // policy too: the SYNs Hubble saw FORWARDED leaving Prometheus' node (TO_OVERLAY) prove no delivery, so it is blocked (docs/demo.md).
  const flp = find(report.attention.blocked.edges, PROM_FLP);
  assert.ok(flp);
  assert.deepEqual([flp.forwarded, flp.dropped], [0, 18]);
  assert.equal(find(report.attention.dropped, PROM_FLP), undefined);
});

test('bound by config to the monitoring Prometheus only, the console plugin\'s must rule waits for it and its query to StackLight is undocumented', () => {
  const bound = buildReport(
    gather({ matrices: { bindings: { roles: { prometheus: [{ namespace: 'monitoring', selector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }] } } } }),
  );
  const e = find(bound.attention.blocked.edges, PLUGIN_PROM);
  assert.ok(e, 'still blocked on the StackLight side');
  assert.equal(e.sides.find((s) => s.direction === 'egress')?.status, 'undocumented');
  const rule = bound.attention.documentedUnobserved.find((r) => r.id === 'netobserv/console-plugin/egress/prometheus');
  assert.ok(rule);
  assert.equal(rule.level, 'must');
  assert.equal(rule.peer, 'role prometheus');
  assert.deepEqual(rule.workloads, ['netobserv/Deployment/netobserv-plugin']);
  assert.equal(rule.source.line, 63);
  assert.equal(rule.source.title, 'NetObserv network policy communication matrix');
});

test('a blocked side puts the edge under blocked, ahead of every other category', () => {
  const copy = structuredClone(detailed);
  for (const w of copy) for (const o of w.observed) if (o.key === ANALYTICS_PG && o.direction === 'ingress') o.status = 'blocked';
  const r = withRecords(copy);
  assert.ok(r.attention.blocked.edges.some((e) => e.key === ANALYTICS_PG));
  assert.equal(find(r.attention.dropped, ANALYTICS_PG), undefined);
  assert.equal(r.headline.blocked, report.headline.blocked + 1);
  assert.equal(r.headline.dropped, report.headline.dropped - 1);
  assert.equal(r.namespaces.find((n) => n.namespace === 'shop')?.attention.blocked, 1);
});

test('analytics → shop/postgres: dropped, undocumented on both sides', () => {
  const e = find(report.attention.dropped, ANALYTICS_PG);
  assert.ok(e);
  assert.equal(e.dropped, 12);
  assert.equal(e.forwarded, 0);
  assert.deepEqual(
    e.sides.map((s) => [s.workload, s.status]),
    [
      ['analytics/Deployment/report-builder', 'undocumented'],
      ['shop/StatefulSet/postgres', 'undocumented'],
    ],
  );
  assert.equal(find(report.attention.undocumented, ANALYTICS_PG), undefined, 'each edge appears once');
});

test('netshoot → 192.0.2.44:4444 is undocumented traffic to review', () => {
  const e = find(report.attention.undocumented, NETSHOOT);
  assert.ok(e);
  assert.equal(e.flows, 16);
  assert.equal(e.bytes, 33325);
  assert.equal(e.firstSeen, '2026-11-20T06:24:29.527Z');
  assert.deepEqual(e.sides, [{ workload: 'tools/Pod/netshoot', direction: 'egress', status: 'undocumented', rules: [], included: true, violation: false }]);
});

test('an edge one side\'s matrix documents is no undocumented traffic, even when its far side (a workload no matrix covers) calls it undocumented (reports.md: "observed traffic no active matrix rule covers")', () => {
  const documentedOnOneSide = report.attention.undocumented.filter((e) => e.sides.some((s) => s.status === 'confirmed'));
  assert.deepEqual(documentedOnOneSide.map((e) => e.key), []);
  // The demo has such edges (StackLight's Prometheus scraping documented targets, the pods' DNS
  // queries to CoreDNS): each far side still calls them undocumented, and its own policy allows them.
  const halfDocumented = detailed.flatMap((w) => w.observed).filter((o) => o.status === 'undocumented' && detailed.some((v) => v.observed.some((x) => x.key === o.key && x.direction !== o.direction && x.status === 'confirmed')));
  assert.ok(halfDocumented.length > 0);
  assert.ok(halfDocumented.every((o) => o.included));
});

test('violations, host-network workloads, findings, drift and ingest health', () => {
  // Seed 001 line 30: the manager is scraped by RMA only; the self-monitor scraping it is a violation.
  // So is its scrape of Fluent Bit's exporter port 2021: the self-monitor scrapes 2020 only
  // (matrices/kyma-telemetry.yaml header: telemetry-manager's self-monitor config and NetworkPolicy).
  // (The pipelines' calls to their external backends are not: each signal's role, log-backends,
  // metric-backends and trace-backends, is bound from observation.) The metric agent's OTLP push to
  // the metric gateway is: it is neither "scraping customer workloads metrics" (line 23) nor "OTLP
  // data ingested by customer workloads" (line 18), and a role never stands for its own matrix's components.
  assert.deepEqual(report.attention.violations.map((e) => [e.key, e.sides.every((s) => s.violation)]), [
    ['workload:kyma-system/DaemonSet/telemetry-metric-agent|workload:kyma-system/Deployment/telemetry-metric-gateway|4317|TCP', true],
    ['workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/Deployment/telemetry-manager|8080|TCP', true],
    ['workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/DaemonSet/telemetry-fluent-bit|2021|TCP', true],
  ]);
  assert.deepEqual(
    report.attention.hostNetwork.map((h) => h.workload),
    ['netobserv-kafka-privileged/DaemonSet/netobserv-ebpf-agent', 'netobserv-privileged/DaemonSet/netobserv-ebpf-agent', 'stacklight/DaemonSet/prometheus-node-exporter'],
  );
  assert.match(report.attention.hostNetwork[1]!.summary, /host network/);
  for (const role of ['log-backends', 'metric-backends', 'trace-backends']) {
    assert.ok(report.attention.findings.some((f) => f.matrix === 'kyma-telemetry' && f.kind === 'role-inferred' && f.subject === role && f.message.includes(`matrices.bindings.roles.${role}`)), role);
  }
  assert.ok(report.attention.findings.some((f) => f.matrix === 'kyma-telemetry' && f.kind === 'role-unbound' && f.subject === 'rma'));
  assert.equal(report.attention.findings.filter((f) => f.matrix === 'stacklight' && f.kind === 'component-absent').length, 11);
  assert.deepEqual(report.attention.drift.summary, { recommended: 57, applied: 10, inSync: 0, missing: 57, extra: 1, differing: 0, ownedByOperator: 9 });
  assert.ok(report.attention.drift.extra.some((p) => p.namespace === 'shop' && p.name === 'postgres'));
  // The operators' own policies (seed 002 line 1: NetObserv's built-in one; seed 001 line 50: Kyma Telemetry's) are theirs, never extra.
  assert.deepEqual(
    (report.attention.drift.ownedByOperator ?? []).map((p) => `${p.namespace}/${p.name} ${p.managedBy}`),
    [...['fluent-bit', 'log-agent', 'log-gateway', 'manager-manager', 'metric-agent', 'metric-gateway', 'self-monitor', 'trace-gateway'].map((n) => `kyma-system/telemetry-${n} telemetry-manager`), 'netobserv/netobserv netobserv-operator'],
  );
  assert.deepEqual(report.ingest.totals, { runs: 2, failed: 0, running: 0, records: 3000, accepted: 3000, rejected: 0, skipped: 0, ambiguous: 4 });
  assert.deepEqual(report.ingest.recent.map((r) => r.source), ['demo/hubble.jsonl', 'demo/netobserv.ndjson']);
  assert.equal(report.ingest.ambiguous.pairs, 1);
  assert.deepEqual(report.ingest.ambiguous.top[0], {
    peerA: 'external:198.51.100.40',
    peerB: 'workload:stacklight/Deployment/metric-collector',
    protocol: 'TCP',
    portA: 5000,
    portB: 55079,
    flows: 4,
    firstSeen: '2026-11-20T09:50:26.186Z',
    lastSeen: '2026-11-20T09:50:26.186Z',
  });
});

test('a violation left out of the policy that a broader rule of the recommendation still allows says so, per engine, with the rule (the verification\'s stillAllowed)', () => {
  // `recommend --engine kubernetes -o json`: verification.stillAllowed[0] is the manager's ingress
  // of this edge, allowed by /spec/ingress/1 of its own NetworkPolicy (the rule for the unbound
  // rma role, 8080 from any source: seed 001 line 30); the self-monitor's egress is kept open by
  // the applied telemetry-self-monitor policy beside it (where ipBlocks match pod addresses).
  const edge = report.attention.violations.find((e) => e.key === 'workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/Deployment/telemetry-manager|8080|TCP')!;
  const manager = edge.sides.find((s) => s.direction === 'ingress')!;
  assert.equal(manager.included, false, 'the premise: left out of the policy');
  assert.deepEqual(
    manager.stillAllowed?.find((a) => a.engine === 'kubernetes'),
    { engine: 'kubernetes', policy: 'NetworkPolicy/kyma-system/kyma-system-deployment-telemetry-manager', rule: '/spec/ingress/1' },
  );
  assert.deepEqual(manager.stillAllowed?.map((a) => a.engine), ['calico', 'cilium', 'clusternetworkpolicy', 'kubernetes'], 'every engine whose policy still allows it');
  const monitor = edge.sides.find((s) => s.direction === 'egress')!;
  assert.deepEqual(monitor.stillAllowed?.find((a) => a.engine === 'kubernetes'), { engine: 'kubernetes', policy: 'NetworkPolicy/kyma-system/telemetry-self-monitor', rule: '/spec/egress/0', byApplied: true, onlyWhereIpBlocksMatchPods: true });
  // The self-monitor's scrape of Fluent Bit's 2021 likewise: Fluent Bit's ingress rule for the unbound
  // rma role (2020 and 2021 from any source: seed 001 lines 14, 38) still allows it.
  const exporter = report.attention.violations.find((e) => e.key === 'workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/DaemonSet/telemetry-fluent-bit|2021|TCP')!;
  assert.deepEqual(
    exporter.sides.find((s) => s.direction === 'ingress')!.stillAllowed?.find((a) => a.engine === 'kubernetes'),
    { engine: 'kubernetes', policy: 'NetworkPolicy/kyma-system/kyma-system-daemonset-telemetry-fluent-bit', rule: '/spec/ingress/1' },
  );
  // The metric agent's push to the metric gateway, at both ends: the rules for "customer workloads"
  // (scrape-targets, otlp-clients: every pod of every namespace) still allow it.
  const push = report.attention.violations.find((e) => e.key === 'workload:kyma-system/DaemonSet/telemetry-metric-agent|workload:kyma-system/Deployment/telemetry-metric-gateway|4317|TCP')!;
  assert.deepEqual(
    push.sides.map((s) => [s.direction, s.stillAllowed?.find((a) => a.engine === 'kubernetes')?.rule]),
    [['egress', '/spec/egress/4'], ['ingress', '/spec/ingress/1']],
  );
  assert.equal(report.verification?.kubernetes?.stillAllowed, 4, 'counted at a glance: the sides our own broader rules still allow');

  const md = renderMarkdown(report);
  const row = md.split('\n').find((l) => l.includes('`kyma-system/Deployment/telemetry-self-monitor` | `kyma-system/Deployment/telemetry-manager` | 8080/TCP'))!;
  assert.match(row, /ingress of kyma-system\/Deployment\/telemetry-manager: undocumented \(violation\), left out of the policy: [^;]*; yet still allowed on kubernetes by rule \/spec\/ingress\/1 of NetworkPolicy\/kyma-system\/kyma-system-deployment-telemetry-manager/);
  assert.match(row, /egress of kyma-system\/Deployment\/telemetry-self-monitor: .*yet still allowed on kubernetes by rule \/spec\/egress\/0 of the applied NetworkPolicy\/kyma-system\/telemetry-self-monitor beside the recommendation \(only where the network plugin matches ipBlocks against pod addresses\)/);
  assert.doesNotMatch(md, /left out of the recommended policy\. Confirm/, 'the section no longer says left out means denied');
});

test('a required edge an applied NetworkPolicy cuts by isolating the pod, no rule of it deciding, names that policy in the applied policy column, with what to do: add a rule allowing it to it, or delete it (not "—")', () => {
  // The demo's Kyma policies isolate Fluent Bit for egress (policyTypes Egress) and allow DNS by an
  // ipBlock only: "If any policy or policies apply to a given pod for a given direction, the
  // connections allowed in that direction from that pod is the union of what the applicable
  // policies allow" (kubernetes.io Network Policies, "The two sorts of pod isolation"), so no rule
  // decides; the NetworkPolicy tier decides for the ClusterNetworkPolicy engine too.
  const dns = 'workload:kyma-system/DaemonSet/telemetry-fluent-bit|dns:kube-system/Deployment/coredns|53|UDP';
  const row = report.verification!.clusternetworkpolicy!.blockedByAppliedEdges!.find((b) => b.edge === dns && b.direction === 'egress')!;
  assert.equal(row.policy, undefined, 'the premise: no rule decides');
  assert.deepEqual(row.isolatedBy, ['NetworkPolicy/kyma-system/telemetry-fluent-bit']);
  assert.match(
    renderMarkdown(report),
    /\| egress \| `kyma-system\/DaemonSet\/telemetry-fluent-bit → dns:kube-system\/Deployment\/coredns 53\/UDP` \| NetworkPolicy\/kyma-system\/telemetry-fluent-bit isolates it, no rule of it allows it: add a rule allowing it to NetworkPolicy\/kyma-system\/telemetry-fluent-bit, or delete it \| isolated for egress/,
  );
});
test('per-namespace summary: workloads, components, manifests per engine, attention', () => {
  const ns = report.namespaces.find((n) => n.namespace === 'netobserv');
  assert.ok(ns);
  assert.equal(ns.workloads, 4);
  assert.deepEqual(ns.components, ['netobserv/console-plugin', 'netobserv/flowlogs-pipeline', 'netobserv/operator']);
  // ClusterNetworkPolicies are cluster-scoped but count for the namespace of the workload they isolate.
  assert.deepEqual(ns.manifests, { calico: 5, cilium: 5, clusternetworkpolicy: 9, kubernetes: 5 });
  // The four edges the applied netobserv policy drops (docs/demo.md) and the two must rules behind them.
  assert.equal(ns.attention.blocked, 6);
  assert.equal(ns.attention.dropped, 0);
  assert.equal(report.namespaces.find((n) => n.namespace === '(cluster)'), undefined);
  const systems = report.systems.map((s) => `${s.matrix} ${s.components.present}/${s.components.total}`);
  assert.deepEqual(systems, ['kyma-telemetry 8/8', 'netobserv 4/4', 'progressive-delivery 1/1', 'stacklight 19/30']);
});

test('a namespace-scoped report keeps to the namespace', () => {
  const r = buildReport(gather({ namespace: 'shop' }));
  // ClusterNetworkPolicy manifests are cluster-scoped, yet each belongs to a shop workload.
  assert.deepEqual(r.namespaces.map((n) => n.namespace), ['shop']);
  assert.ok((r.namespaces[0]?.manifests.clusternetworkpolicy ?? 0) > 0);
  assert.equal(r.options.namespace, 'shop');
  assert.ok(find(r.attention.dropped, ANALYTICS_PG), 'the dropped analytics → postgres edge touches shop');
  assert.equal(find(r.attention.dropped, PROM_FLP), undefined);
  assert.ok(r.attention.drift.missing.every((p) => p.namespace === 'shop'));
});

test('deterministic: the same inputs give byte-identical renderings, also after a JSON round trip', () => {
  const again = buildReport(gather());
  for (const render of [renderJson, renderMarkdown, renderHtml]) assert.equal(render(again), render(report));
  const stored = JSON.parse(JSON.stringify(report)) as Report;
  assert.equal(renderMarkdown(stored), renderMarkdown(report));
  assert.equal(renderHtml(stored), renderHtml(report));
});

test('options the recommender rejects, and a config naming no matrix, are AppError invalid-input', () => {
  const db = openDb(dbPath);
  try {
    assert.throws(() => gatherReportInput(db, request({ staleDays: 0 })), (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && /stale-days/.test(e.message));
    assert.throws(
      () => gatherReportInput(db, request({ matrices: { systems: { nosuch: { enabled: true } } } })),
      (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && e.problems.some((p) => p.path === 'matrices.systems.nosuch' && /no matrix named "nosuch"/.test(p.message)),
    );
  } finally {
    db.close();
  }
  assert.equal(REPORT_DEFAULTS.schedule, '0 2 * * *');
});

test('attention lists are capped, busiest first; the headline and the namespace keep the full count', () => {
  // netshoot's undocumented egress to 192.0.2.44, on MAX + 20 more ports, busier than anything in the demo.
  const base = input.edges.find((e) => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}` === NETSHOOT)!;
  const extra = MAX_ATTENTION_ITEMS + 20;
  const path = join(tmpDir('flowmatrix-report-cap-'), 'demo.db');
  copyFileSync(dbPath, path);
  const db = openDb(path);
  let r: Report;
  try {
    const edges = Array.from({ length: extra }, (_, i) => ({
      client: peerKey(base.client), server: peerKey(base.server), port: 20_000 + i, protocol: 'TCP' as const, firstSeen: base.firstSeen, lastSeen: base.lastSeen,
      flows: 100_000 + i, packets: 1, bytes: 1, forwarded: 1, dropped: 0, sources: 1, hours: new Map(),
    }));
    db.transaction(() => new EdgeStore(db).write({ edges, ambiguous: [], names: [] }))();
    r = buildReport(gatherReportInput(db, request()));
  } finally {
    db.close();
  }
  assert.equal(r.attention.undocumented.length, MAX_ATTENTION_ITEMS);
  assert.equal(r.headline.undocumented, report.headline.undocumented + extra);
  assert.equal(r.attention.omitted.undocumented, r.headline.undocumented - MAX_ATTENTION_ITEMS);
  assert.deepEqual(
    r.attention.undocumented.slice(0, 3).map((e) => [e.port, e.flows]),
    [[20_000 + extra - 1, 100_000 + extra - 1], [20_000 + extra - 2, 100_000 + extra - 2], [20_000 + extra - 3, 100_000 + extra - 3]],
  );
  const tools = (x: Report) => x.namespaces.find((n) => n.namespace === 'tools')!.attention.undocumented;
  assert.equal(tools(r), tools(report) + extra);
  assert.deepEqual(report.attention.omitted, {});
});

test('the report keeps no workload record with its evidence: each was folded as it was made, and the fold gives what the records give', () => {
  assert.equal(detailed.length, input.recommendation.workloads.length);
  assert.ok(detailed.some((w) => w.observed.length > 0 && w.rules.length > 0 && w.documented.length > 0), 'the records folded had evidence');
  assert.ok(input.recommendation.workloads.every((w) => w.observed.length === 0 && w.rules.length === 0 && w.documented.length === 0));
  assert.equal(input.evidence.sides.size, new Set(detailed.flatMap((w) => w.observed.map((o) => o.key))).size);
  assert.deepEqual(withRecords(detailed), report);
});

test('kubelet probes are never listed as traffic to review or as violations', () => {
  const probe = (e: EdgeItem) => e.client.startsWith('kubelet:');
  assert.equal([...report.attention.violations, ...report.attention.undocumented, ...report.attention.stale.edges].filter(probe).length, 0);
  assert.ok(detailed.some((w) => w.observed.some((o) => o.key.startsWith('kubelet:'))), 'the demo has probes');
});

test('a namespace\'s drift lists an applied policy its subject shares with other namespaces apart from extra, saying the whole cluster\'s drift judges it', () => {
  // recommender/drift.ts: in a namespace's drift such a policy is never extra (deleting it cuts the other namespaces' traffic).
  const shared = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', name: 'cluster-shared-flux-system-kyma-system', namespaces: ['flux-system', 'kyma-system'] };
  const r = buildReport({ ...input, drift: { ...input.drift, namespace: 'kyma-system', sharedWithOtherNamespaces: [shared] } });
  assert.deepEqual(r.attention.drift.sharedWithOtherNamespaces, [shared]);
  assert.equal(r.headline.drift, report.headline.drift, 'not counted as drift to act on');
  assert.match(renderMarkdown(r), /\| shared \| CiliumClusterwideNetworkPolicy \| `\(cluster\)\/cluster-shared-flux-system-kyma-system` \| applied, its subject also covers namespaces flux-system, kyma-system: not this namespace's to delete, judged by the whole cluster's drift/);
  assert.equal(report.attention.drift.sharedWithOtherNamespaces, undefined);
});

test('a namespace\'s report says of a shared applied policy that the recommended policy of its name would replace it, with the paths that differ: not to apply from this namespace', () => {
  // recommender/drift.ts: such a recommended policy is no plain `differing` (cluster-scoped names are unique cluster-wide).
  const changes = [{ path: 'spec.subject', applied: {}, recommended: { namespaces: {} } }];
  const shared = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', name: 'user-policy', replacedByRecommended: { changes } };
  const r = buildReport({ ...input, drift: { ...input.drift, namespace: 'kyma-system', sharedWithOtherNamespaces: [shared] } });
  assert.deepEqual(r.attention.drift.sharedWithOtherNamespaces, [{ apiVersion: shared.apiVersion, kind: shared.kind, name: 'user-policy', replacedByRecommended: { paths: ['spec.subject'] } }]);
  assert.match(
    renderMarkdown(r),
    /\| shared \| ClusterNetworkPolicy \| `\(cluster\)\/user-policy` \| applied, its subject also covers any namespace: the recommended policy of this name \(spec\.subject\) would REPLACE it, cutting the other namespaces' traffic; do not apply it from this namespace's drift: give your policy another name first, or judge it by the whole cluster's drift/,
  );
});

test('a recommended policy whose name another recommended manifest has too is marked apart from those the engine refuses: the API server accepts each, the one applied last replaces the others', () => {
  // recommender/verify/duplicate-names.ts: such an error carries duplicateName; it is no refusal.
  const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
  const [dup, bad] = [{ ...NP, namespace: 'shop', name: 'web' }, { ...NP, namespace: 'shop', name: 'db' }];
  const sameName = '2 manifests of this recommendation are one object to the API server (same kind, namespace and name; intents shop/deployment/a, shop/deployment/b): it accepts each, and the one applied last replaces the other, so what was verified is not what is applied';
  const failures = driftFailures(
    {
      ok: false,
      blocked: [],
      admission: [
        { manifest: 'NetworkPolicy/shop/web', path: '/metadata/name', message: sameName, duplicateName: true },
        { manifest: 'NetworkPolicy/shop/db', path: '/spec/ingress/0/ports/0/port', message: 'must be between 1 and 65535' },
      ],
    },
    { intents: [] },
    new ManifestsByIntent(),
  );
  const r = buildReport({ ...input, drift: { ...input.drift, missing: [dup, bad], differing: [] }, driftFailures: failures! });
  assert.deepEqual(r.attention.drift.missing, [
    { ...dup, sameName: [`/metadata/name: ${sameName}`] },
    { ...bad, refused: ['/spec/ingress/0/ports/0/port: must be between 1 and 65535'] },
  ]);
  const md = renderMarkdown(r);
  assert.match(md, /`shop\/web` \| recommended, not applied; ONE OBJECT with other recommended manifests \(the API server accepts each, the one applied last replaces the others\): \/metadata\/name: 2 manifests/);
  assert.doesNotMatch(md, /`shop\/web` [^\n]*REFUSES/);
  assert.match(md, /`shop\/db` \| recommended, not applied; the engine REFUSES it: /);
  assert.match(md, /2 of them cut required traffic, are refused by the engine or are one object with another recommended manifest, marked in their detail/);
});

test('a recommended policy that would replace a shared applied one keeps its failure marks (found by its own name) and counts in the headline drift', () => {
  // recommender/drift.ts: such a recommended policy is listed under sharedWithOtherNamespaces, not
  // missing or differing; app/drift-failures.ts marks it by its manifest id as any other. The
  // applied GlobalNetworkPolicy is listed back as default.web (Calico 3.29.0-3.29.3), the
  // recommended one is web: the drift names it (replacedByRecommended.name).
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const sameName = '2 manifests of this recommendation are one object to the API server';
  const failures = driftFailures({ ok: false, blocked: [], admission: [{ manifest: 'GlobalNetworkPolicy/web', path: '/metadata/name', message: sameName, duplicateName: true }] }, { intents: [] }, new ManifestsByIntent());
  const shared = { ...GNP, name: 'default.web', namespaces: ['shop', 'tools'], replacedByRecommended: { name: 'web', changes: [{ path: 'spec.namespaceSelector' }] } };
  const r = buildReport({ ...input, drift: { ...input.drift, namespace: 'shop', sharedWithOtherNamespaces: [shared] }, driftFailures: failures! });
  assert.deepEqual(r.attention.drift.sharedWithOtherNamespaces, [
    { ...GNP, name: 'default.web', namespaces: ['shop', 'tools'], replacedByRecommended: { name: 'web', paths: ['spec.namespaceSelector'], sameName: [`/metadata/name: ${sameName}`] } },
  ]);
  assert.equal(r.headline.drift, report.headline.drift + 1, 'the recommended policy differs from what is applied: drift to act on');
  assert.equal(r.attention.drift.summary.replacingShared, 1);
  const md = renderMarkdown(r);
  assert.match(md, /`\(cluster\)\/default\.web` \| applied, its subject also covers namespaces shop, tools: the recommended policy named web \(spec\.namespaceSelector\) would REPLACE it[^|]*; ONE OBJECT with other recommended manifests/);
  assert.match(md, /1 recommended policy that would replace a shared one (also )?fails, marked in the detail of its shared row/);
  assert.match(md, / 1 replacing a policy other namespaces share\./);
});

test('a policy an earlier export applied under a former name is listed as renamed to the recommended one, not extra, and counted once in the headline drift', () => {
  // recommender/drift.ts `renamed`: names from test/golden/engines/clusternetworkpolicy.yaml before and after bca0aaf.
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const renamed = { ...CNP, name: 'shared-telemetry-essentials', renamedTo: 'shared-telemetry-essentials-5ae67b5d' };
  const r = buildReport({ ...input, drift: { ...input.drift, summary: { ...input.drift.summary, renamed: 1 }, renamed: [renamed] } });
  assert.deepEqual(r.attention.drift.renamed, [renamed]);
  assert.equal(r.attention.drift.summary.renamed, 1, 'GET /api/v1/drift\'s summary.renamed');
  assert.equal(r.headline.drift, report.headline.drift + 1);
  const md = renderMarkdown(r);
  assert.match(md, /\| renamed \| ClusterNetworkPolicy \| `\(cluster\)\/shared-telemetry-essentials` \| applied under the name an earlier flowmatrix export gave it; the recommended shared-telemetry-essentials-5ae67b5d replaces it: apply that one, then delete this one \|/);
  assert.match(md, /, 1 renamed\./, 'counted in the section\'s sentence');
});

test('an applied policy an operator owns is listed as owned, never extra, with where to turn it off, and not counted as drift to act on', () => {
  // recommender/drift.ts `ownedByOperator`: deleting it fights the operator, which recreates it (the demo's NetObserv and Kyma Telemetry policies).
  const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
  const labelled = { ...NP, namespace: 'netobserv', name: 'netobserv', managedBy: 'netobserv-operator' };
  const controlled = { ...NP, namespace: 'netobserv', name: 'by-controller', owner: { apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster' } };
  const r = buildReport({ ...input, drift: { ...input.drift, summary: { ...input.drift.summary, ownedByOperator: 2 }, ownedByOperator: [controlled, labelled] } });
  assert.deepEqual(r.attention.drift.ownedByOperator, [controlled, labelled]);
  assert.equal(r.headline.drift, report.headline.drift, 'not counted as drift to act on');
  const md = renderMarkdown(r);
  assert.match(md, /\| owned \| NetworkPolicy \| `netobserv\/netobserv` \| managed by netobserv-operator: turn it off in netobserv-operator, not by deleting it \|/);
  assert.match(md, /\| owned \| NetworkPolicy \| `netobserv\/by-controller` \| managed by FlowCollector cluster \(its controller\): turn it off in FlowCollector cluster, not by deleting it \|/);
  assert.match(md, /, 2 owned by an operator\./);
});

test('an applied Calico policy of a tier flowmatrix does not write is listed as in another tier, never extra, naming the tier, and not counted as drift to act on', () => {
  // recommender/drift.ts `inOtherTiers`: flowmatrix writes the default tier only (docs/engines.md); a platform tier's policies are their owner's (Calico "Tier").
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const platform = { ...GNP, name: 'platform.default-deny', tier: 'platform' };
  const r = buildReport({ ...input, drift: { ...input.drift, summary: { ...input.drift.summary, inOtherTiers: 1 }, inOtherTiers: [platform] } });
  assert.deepEqual(r.attention.drift.inOtherTiers, [platform]);
  assert.equal(r.headline.drift, report.headline.drift, 'not counted as drift to act on');
  const md = renderMarkdown(r);
  assert.match(md, /\| other tier \| GlobalNetworkPolicy \| `\(cluster\)\/platform\.default-deny` \| applied in tier platform, not written by flowmatrix \(it writes the default tier only\): that tier's owner's, not this drift's to delete \|/);
  assert.match(md, /, 1 in other Calico tiers\./);
});

test('an applied Admin-tier ClusterNetworkPolicy is listed as in another tier, saying flowmatrix writes the Baseline tier only, never extra', () => {
  // recommender/drift.ts tierNotWritten: the Admin tier "set[s] cluster-wide security rules that cannot be overridden" (network-policy-api v1alpha2 Tier): the cluster admin's.
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const admin = { ...CNP, name: 'quarantine', tier: 'Admin' };
  const r = buildReport({ ...input, drift: { ...input.drift, engine: 'clusternetworkpolicy', summary: { ...input.drift.summary, inOtherTiers: 1 }, inOtherTiers: [admin] } });
  assert.equal(r.headline.drift, report.headline.drift, 'not counted as drift to act on');
  const md = renderMarkdown(r);
  assert.match(md, /\| other tier \| ClusterNetworkPolicy \| `\(cluster\)\/quarantine` \| applied in tier Admin, not written by flowmatrix \(it writes the Baseline tier only\): that tier's owner's, not this drift's to delete \|/);
  assert.match(md, /, 1 in other ClusterNetworkPolicy tiers\./);
});

test('a differing policy whose applied one an operator owns says applying it is overwritten by the operator, and the section counts it', () => {
  // recommender/drift.ts `differing[].ownedByOperator`: applying it replaces the operator's object, which the operator reverts.
  const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
  const changes = [{ path: 'spec.ingress[0].ports[0].port', applied: 80, recommended: 8080 }];
  const owner = { apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster' };
  const controlled = { ...NP, namespace: 'netobserv', name: 'by-controller', changes, ownedByOperator: { owner } };
  const labelled = { ...NP, namespace: 'netobserv', name: 'netobserv', changes, ownedByOperator: { managedBy: 'netobserv-operator' } };
  const mine = { ...NP, namespace: 'netobserv', name: 'mine', changes };
  const summary = { ...input.drift.summary, differing: 3, differingOwnedByOperator: 2 };
  const r = buildReport({ ...input, drift: { ...input.drift, summary, differing: [controlled, mine, labelled] } });
  const paths = ['spec.ingress[0].ports[0].port'];
  assert.deepEqual(r.attention.drift.differing, [
    { ...NP, namespace: 'netobserv', name: 'by-controller', paths, ownedByOperator: { owner } },
    { ...NP, namespace: 'netobserv', name: 'mine', paths },
    { ...NP, namespace: 'netobserv', name: 'netobserv', paths, ownedByOperator: { managedBy: 'netobserv-operator' } },
  ]);
  assert.equal(r.attention.drift.summary.differingOwnedByOperator, 2);
  assert.equal(r.headline.drift, report.headline.drift + 3, 'differing: drift to act on, in the operator');
  const md = renderMarkdown(r);
  assert.match(md, /\| differing \| NetworkPolicy \| `netobserv\/netobserv` \| spec\.ingress\S*\.port; managed by netobserv-operator: applying this is overwritten by netobserv-operator — turn it off in netobserv-operator or apply under another name \|/);
  assert.match(md, /\| differing \| NetworkPolicy \| `netobserv\/by-controller` \| spec\.ingress\S*\.port; managed by FlowCollector cluster \(its controller\): applying this is overwritten by FlowCollector cluster — turn it off in FlowCollector cluster or apply under another name \|/);
  assert.match(md, /\| differing \| NetworkPolicy \| `netobserv\/mine` \| spec\.ingress\S*\.port \|/);
  assert.match(md, /, 3 differing \(2 of them overwritten by an operator\)/);
  assert.match(renderHtml(r), /managed by netobserv-operator: applying this is overwritten by netobserv-operator — turn it off in netobserv-operator or apply under another name/);
});
