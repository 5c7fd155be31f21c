/**
 * The report says all a verification says: every engine's verification warnings (what it could
 * not judge, what the cluster may do otherwise) and the emitter's, per engine, each once, with the
 * workload it concerns where it has one; and the report engine's tightness per workload side
 * (docs/recommend.md "Verification", 3 and 4). A reader of the report alone learns what makes a
 * "verified" recommendation weaker.
 *
 * The demo cluster with one applied ClusterNetworkPolicy (a Baseline policy for a namespace with no
 * pods, which decides nothing): the cilium simulation does not evaluate that kind, so the cilium
 * engine's verification names it as left out (recommender/verify/engine-warnings.ts
 * appliedNotSimulated; test/unit/verify-applied-not-simulated.test.ts), the calico one evaluates it
 * (Calico enforces the ClusterNetworkPolicy API's kinds in tiers of its own) and says nothing of it.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import type { Report } from '../../reports/model.ts';
import { renderHtml, renderJson, renderMarkdown } from '../../reports/render/index.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const APPLIED_CNP = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: baseline-nothing-here
spec:
  tier: Baseline
  priority: 10
  subject:
    namespaces:
      matchLabels: { kubernetes.io/metadata.name: nothing-here }
  ingress:
  - { action: Deny, name: deny all, from: [{ namespaces: {} }] }
`;

const dbPath = await demoDb();

function withAppliedCnp(): string {
  const path = join(tmpDir('flowmatrix-cnp-'), 'cnp.db');
  copyFileSync(dbPath, path);
  const db = openDb(path);
  try {
    importInventory(db, { text: APPLIED_CNP, takenAt: Date.UTC(2026, 10, 20, 13, 0, 0), source: 'applied.yaml' });
  } finally {
    db.close();
  }
  return path;
}

function report(path: string): Report {
  const db = openDb(path);
  try {
    return buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'schedule', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) }));
  } finally {
    db.close();
  }
}

const r = report(withAppliedCnp());
const NOT_EVALUATED = /applied policies of kinds the cilium simulation does not evaluate were left out of the verification beside applied policies: ClusterNetworkPolicy\.policy\.networking\.k8s\.io ×1 \(baseline-nothing-here\)/;

test('an applied kind an engine\'s simulation does not evaluate: that engine\'s verification warning is in the report (JSON, Markdown, HTML), under that engine only', () => {
  const cilium = r.verification?.cilium?.warnings ?? [];
  assert.ok(cilium.some((w) => NOT_EVALUATED.test(w.message)), `cilium's verification warnings: ${JSON.stringify(cilium)}`);
  for (const engine of ['calico', 'kubernetes'] as const) {
    assert.ok(!(r.verification?.[engine]?.warnings ?? []).some((w) => /does not evaluate/.test(w.message)), `${engine} evaluates the ClusterNetworkPolicy: nothing left out`);
  }
  const json = JSON.parse(renderJson(r)) as Report;
  assert.ok((json.verification?.cilium?.warnings ?? []).some((w) => NOT_EVALUATED.test(w.message)));
  const md = renderMarkdown(r);
  assert.match(md, /## Verification warnings/);
  assert.equal(md.split('applied policies of kinds the cilium simulation does not evaluate').length - 1, 1, 'said once in the Markdown');
  assert.match(renderHtml(r), /applied policies of kinds the cilium simulation does not evaluate/);
});

test('each engine\'s warnings: the emitter\'s with their code and intent, sorted and each once; one said by several engines is one row naming them', () => {
  for (const [engine, v] of Object.entries(r.verification ?? {})) {
    const ws = v.warnings ?? [];
    const keys = ws.map((w) => JSON.stringify([w.workload ?? '', w.code ?? '', w.message]));
    assert.deepEqual(keys, [...new Set(keys)].sort(), `${engine}: sorted, each once`);
  }
  // The kubernetes emitter has no FQDN rule: its addresses stand for the name (engines/kubernetes.ts).
  const fqdn = (r.verification?.kubernetes?.warnings ?? []).find((w) => w.code === 'fqdn-as-ips');
  assert.ok(fqdn !== undefined && fqdn.workload !== undefined, 'an emitter warning keeps the intent it concerns');
  // Said of the report engine in the verification section, not again among the workloads' warnings.
  assert.ok(!r.warnings.some((w) => w.includes('fqdn-as-ips')), 'the emitter warnings moved to the verification');
  const md = renderMarkdown(r);
  const section = md.slice(md.indexOf('## Verification warnings'), md.indexOf('\n## ', md.indexOf('## Verification warnings') + 3));
  assert.match(section, /\| engines \|/);
  assert.equal(section.split(fqdn.message.slice(0, 40)).length - 1, 1, 'one row per warning and workload, whatever engines say it');
});

test('the report engine\'s tightness per workload side: the least tight first, the ratio to 2 decimals, unbounded said', () => {
  const tightness = r.tightness ?? [];
  assert.ok(tightness.length > 0, 'the report measures the report engine\'s tightness');
  const rank = (x: (typeof tightness)[number]): number => (x.unbounded ? Infinity : (x.ratio ?? 0));
  for (let i = 1; i < tightness.length; i++) assert.ok(rank(tightness[i - 1]!) >= rank(tightness[i]!), 'least tight first');
  const md = renderMarkdown(r);
  assert.match(md, /### Tightness \(kubernetes\)/);
  assert.match(md, /\| workload \| side \| observed pairs \| allowed pairs \| tightness \| note \|/);
  const first = tightness[0]!;
  const shown = first.unbounded ? 'unbounded' : first.ratio === null ? '—' : first.ratio.toFixed(2);
  assert.ok(md.includes(`| \`${first.workload}\` | ${first.direction} | ${first.observed} | ${first.allowed} | ${shown} |`), `the first row: ${JSON.stringify(first)}`);
});
