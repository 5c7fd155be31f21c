import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildReport, type ReportInput } from '../../reports/build.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import type { Report } from '../../reports/model.ts';
import { renderReport, REPORT_FORMATS, renderHtml, renderMarkdown } from '../../reports/render/index.ts';
import { MAX_ROWS } from '../../reports/render/view.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';

const GOLDEN = fileURLToPath(new URL('../golden/reports/', import.meta.url));
const EXT = { markdown: 'md', html: 'html', json: 'json' } as const;

const dbPath = await demoDb();
const input: ReportInput = (() => {
  const db = openDb(dbPath);
  try {
    return gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'schedule', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) });
  } finally {
    db.close();
  }
})();
// Ingest runs carry the wall-clock time the demo was loaded: pin them so the golden files hold.
input.ingest.recent = input.ingest.recent.map((r) => ({ ...r, startedAt: Date.UTC(2026, 10, 21, 1, 0, r.id), finishedAt: Date.UTC(2026, 10, 21, 1, 1, r.id) }));
const report = buildReport(input);

test('golden markdown, html and json of the demo cluster (review the diff, then UPDATE_GOLDEN=1)', () => {
  const update = process.env.UPDATE_GOLDEN === '1';
  for (const format of REPORT_FORMATS) {
    const file = join(GOLDEN, `demo.${EXT[format]}`);
    const text = renderReport(report, format);
    if (update) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
    assert.equal(text, readFileSync(file, 'utf8'), `${format}: run with UPDATE_GOLDEN=1 and review the diff`);
  }
});

test('markdown: the sections in reading order, with the evidence of an item', () => {
  const md = renderMarkdown(report);
  const order = ['## At a glance', '### Blocked', '### Violations', '### Dropped by the applied policies', '### Undocumented traffic', '### Documented must rules', '### Stale', '### Host-network', '### Unresolved matrix findings', '### Drift', '## Namespaces', '## Systems', '## Ingest health', '## Warnings'];
  const positions = order.map((h) => md.indexOf(h));
  assert.ok(positions.every((p) => p >= 0), `missing heading: ${order[positions.indexOf(-1)]}`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  assert.ok(
    md.includes(
      '| `netobserv/Deployment/netobserv-plugin` | `stacklight/StatefulSet/prometheus-server` | 9090/TCP | 13 | 0 / 6 | 2026-11-20 00:59:08Z | 2026-11-20 23:32:47Z | netobserv, hubble | egress of netobserv/Deployment/netobserv-plugin: blocked; ingress of stacklight/StatefulSet/prometheus-server: blocked | `netobserv/console-plugin/egress/prometheus, stacklight/prometheus-server/ingress/allow-all` |',
    ),
  );
  assert.match(md, /\| `netobserv\/console-plugin\/egress\/alertmanager` \| netobserv\/Deployment\/netobserv-plugin \| egress role alertmanager \| both ends \| must \| .* \| NetObserv network policy communication matrix, line 63 \(also 64\) \|/);
});

function hostile(): Report {
  const r = structuredClone(report);
  r.warnings = ['<script>alert(1)</script> | pipe * star _under_ [link](http://x)', 'line\nbreak'];
  r.attention.hostNetwork[0]!.summary = '<img src=x onerror=alert(1)> & "quotes"';
  return r;
}

test('html: self-contained and escaped', () => {
  const html = renderHtml(hostile());
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.equal(/<script|<img|<link|@import|url\(/i.test(html), false, 'no scripts, images, stylesheets or fetched resources');
  assert.equal(/(src|href)="(https?:)?\/\//i.test(html), false, 'no external assets');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; | pipe'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'));
  assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'"`));
  assert.ok(html.includes('<h3>Dropped by the applied policies<span class="count hot">1</span></h3>'));
});

test('markdown: cell text cannot break tables or inject HTML', () => {
  const md = renderMarkdown(hostile());
  assert.ok(md.includes('- &lt;script&gt;alert(1)&lt;/script&gt; \\| pipe \\* star \\_under\\_ \\[link\\](http\\://x)'));
  assert.ok(md.includes('- line break'));
  // A lone carriage return ends a line in CommonMark too: it could split a table row.
  const cr = structuredClone(report);
  cr.warnings = ['carriage\rreturn'];
  assert.ok(renderMarkdown(cr).includes('- carriage return'));
  assert.ok(md.includes('&lt;img src=x onerror=alert(1)&gt; &amp; "quotes"'));
  assert.equal(md.includes('<script>'), false);
});

test('long tables are cut in Markdown and HTML, counting what the model left out too; the JSON keeps its items', () => {
  const r = structuredClone(report);
  const base = r.attention.undocumented[0]!;
  r.attention.undocumented = Array.from({ length: MAX_ROWS + 7 }, (_, i) => ({ ...base, key: `${base.key}-${String(i).padStart(4, '0')}` }));
  r.attention.omitted = { undocumented: 100 };
  const note = '… and 107 more (the JSON report, /api/v1/edges and /api/v1/recommendations have them).';
  assert.ok(renderMarkdown(r).includes(note));
  assert.ok(renderMarkdown(r).includes(`### Undocumented traffic to review (${MAX_ROWS + 107})`));
  assert.ok(renderHtml(r).includes(`<p class="more">${note}</p>`));
  assert.equal((JSON.parse(renderReport(r, 'json')) as Report).attention.undocumented.length, MAX_ROWS + 7);
});

test('each engine\'s verification is said at a glance: verified, or FAILS with what fails', () => {
  assert.deepEqual(Object.keys(report.verification ?? {}), ['calico', 'cilium', 'clusternetworkpolicy', 'kubernetes']);
  const failing: Report = { ...report, verification: { ...report.verification, calico: { ok: false, admissionErrors: 2, blocked: 1, blockedByApplied: 0 } } };
  const md = renderMarkdown(failing);
  assert.match(md, /calico FAILS verification \(2 admission error\(s\), 1 required edge\(s\) blocked\), cilium verified/);
  assert.match(renderHtml(failing), /calico FAILS verification \(2 admission error\(s\), 1 required edge\(s\) blocked\)/);
  // Manifests of one name are no admission error (the API server accepts each; the one applied last replaces the others): said apart.
  const sameName: Report = { ...report, verification: { ...report.verification, calico: { ok: false, admissionErrors: 1, duplicateNames: 2, blocked: 0, blockedByApplied: 0 } } };
  assert.match(renderMarkdown(sameName), /calico FAILS verification \(1 admission error\(s\), 2 manifest\(s\) one object with another \(the one applied last replaces the others\)\), cilium verified/);
  // What depends on the network plugin's reading of ipBlocks, and what applied policies keep open, is said.
  const beside: Report = { ...report, verification: { ...report.verification, calico: { ok: true, admissionErrors: 0, blocked: 0, blockedByApplied: 3, blockedByAppliedOnOneReading: 2, stillAllowedByApplied: 1 } } };
  assert.match(renderMarkdown(beside), /calico verified \(3 edge\(s\) blocked by applied policies beside it, 2 of them only where the network plugin does not match ipBlocks against pod addresses, 1 edge side\(s\) left out that applied policies beside it still allow\)/);
  // A report stored before the verification was reported renders without it.
  const { verification: _, ...stored } = report;
  assert.doesNotMatch(renderMarkdown(stored), /admission would/);
});

test('markdown: an entity written in the text shows as written, as in the HTML (& is escaped)', () => {
  const r = structuredClone(report);
  r.warnings = ['&lt;b&gt; stays text'];
  assert.ok(renderMarkdown(r).includes('- &amp;lt;b&amp;gt; stays text'));
  assert.ok(renderHtml(r).includes('&amp;lt;b&amp;gt; stays text'));
});

test('documented must rules not observed: in mode observed the report says the recommendation does not allow them (it makes rules from edges only); otherwise still allowed', () => {
  const db = openDb(dbPath);
  let observed: Report;
  try {
    observed = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'observed', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) }));
  } finally {
    db.close();
  }
  assert.ok(observed.attention.documentedUnobserved.length > 0, 'the premise: the demo has unobserved must rules');
  assert.match(renderMarkdown(observed), /Required by a matrix but never seen: mode observed makes rules from observed edges only, so the recommendation does NOT allow them/);
  assert.doesNotMatch(renderMarkdown(observed), /still allowed by the recommendation/);
  assert.match(renderMarkdown(report), /Required by a matrix but never seen: still allowed by the recommendation, at the ends the "allowed at" column says\./);
  assert.doesNotMatch(renderMarkdown(observed), /\| allowed at \|/, 'mode observed allows none of them: no such column');
});

test('documented must rules not observed say at which end the recommendation allows them: both ends where the peer names workloads, the rule\'s end only where it names none (a role bound to every pod, the world)', () => {
  // docs/recommend.md, Verification: a must rule whose peer names no workload is verified by a
  // representative flow "at the rule's end only". The verification's own stand-in for
  // kyma-telemetry/log-gateway/ingress/otlp-clients-4317 (otlp-clients: every pod of every
  // namespace, matrices/kyma-telemetry.yaml) is analytics/report-builder → telemetry-log-gateway
  // 4317, which `simulate --engine kubernetes` on the exported policies denies at report-builder's
  // egress (isolated by its own policy, no rule allows it): not "allowed at both ends".
  const md = renderMarkdown(report);
  assert.doesNotMatch(md, /still allowed by the recommendation, at both ends/);
  const row = (id: string): string => md.split('\n').find((l) => l.startsWith(`| \`${id}\``))!;
  assert.match(row('kyma-telemetry/log-gateway/ingress/otlp-clients-4317'), /\| this rule's end only \|/);
  assert.match(row('stacklight/patroni/egress/allow-all'), /\| this rule's end only \|/);
  assert.match(row('netobserv/console-plugin/egress/alertmanager'), /\| both ends \|/);
  assert.deepEqual(
    report.attention.documentedUnobserved.map((r) => [r.id, r.allowedAt]),
    [
      ['kyma-telemetry/log-gateway/ingress/otlp-clients-4317', 'rule-end'],
      ['kyma-telemetry/metric-agent/egress/metric-backends', 'rule-end'],
      // The metric agent's push is no customer workload's OTLP (seed 001 line 18): nothing observed shows this rule.
      ['kyma-telemetry/metric-gateway/ingress/otlp-clients-4317', 'rule-end'],
      ['netobserv/console-plugin/egress/alertmanager', 'both-ends'],
      ['stacklight/patroni/egress/allow-all', 'rule-end'],
    ],
  );
});

test('a namespace\'s report counts that namespace\'s edges, over their time, and the systems deployed there with their findings only', () => {
  const db = openDb(dbPath);
  let shop: Report;
  let netobserv: Report;
  try {
    const gather = (namespace: string) => buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', namespace, generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) }));
    shop = gather('shop');
    netobserv = gather('netobserv');
  } finally {
    db.close();
  }
  const sideIn = (ns: string) => input.edges.filter((e) => [e.client, e.server].some((p) => (p.kind === 'workload' || p.kind === 'dns') && p.workload.namespace === ns));
  assert.equal(shop.data.edges, sideIn('shop').length);
  assert.ok(shop.data.edges < report.data.edges, 'fewer than the whole store');
  assert.equal(shop.data.lastSeen, new Date(Math.max(...sideIn('shop').map((e) => e.lastSeen))).toISOString());
  // No seed system runs in shop: no system, no finding of theirs.
  assert.deepEqual(shop.systems, []);
  assert.equal(shop.headline.findings, 0);
  assert.deepEqual(netobserv.systems.map((s) => s.matrix), ['netobserv']);
  assert.ok(netobserv.attention.findings.every((f) => f.matrix === 'netobserv'));
});

test('the drift table names a Calico policy\'s kind as the rest of the product does (NetworkPolicy.projectcalico.org), never as a Kubernetes NetworkPolicy; the JSON keeps apiVersion and kind', () => {
  const db = openDb(dbPath);
  let calico: Report;
  try {
    calico = buildReport(gatherReportInput(db, { engine: 'calico', mode: 'observed', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', namespace: 'netobserv', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) }));
  } finally {
    db.close();
  }
  const listed = [...calico.attention.drift.missing, ...calico.attention.drift.differing, ...calico.attention.drift.extra];
  const policy = listed.find((p) => p.apiVersion === 'projectcalico.org/v3' && p.kind === 'NetworkPolicy');
  assert.ok(policy, 'the premise: the calico drift lists a Calico NetworkPolicy');
  const row = `NetworkPolicy.projectcalico.org | \`${policy.namespace}/${policy.name}\``;
  assert.ok(renderMarkdown(calico).includes(row), `markdown has ${row}`);
  assert.doesNotMatch(renderMarkdown(calico), /\| NetworkPolicy \|/);
  assert.match(renderHtml(calico), /<td>NetworkPolicy\.projectcalico\.org<\/td>/);
  const json = JSON.parse(renderReport(calico, 'json')) as Report;
  assert.ok(json.attention.drift.missing.concat(json.attention.drift.differing).some((p) => p.apiVersion === 'projectcalico.org/v3' && p.kind === 'NetworkPolicy'));
  // A Kubernetes NetworkPolicy keeps its bare kind.
  assert.match(renderMarkdown(report), /\| missing \| NetworkPolicy \|/);
});
