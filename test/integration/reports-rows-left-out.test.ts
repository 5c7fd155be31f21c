/**
 * A report built without stored edge rows the read could not use (store/row-check.ts: written
 * before the checks or by hand) says so where it says "verified": At a glance, in Markdown and
 * HTML, and each engine's `verification` in JSON (`edgeRowsLeftOut`). Before, only its last
 * section (Warnings) listed them while At a glance said each engine "verified": a reader acting on
 * the summary applied manifests that allow none of that traffic and that no verification judged.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import type { Report } from '../../reports/model.ts';
import { renderHtml, renderJson, renderMarkdown } from '../../reports/render/index.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dbPath = await demoDb();
const T = Date.UTC(2026, 10, 20, 10);

function report(badRows: number): Report {
  const path = join(tmpDir('flowmatrix-rows-left-out-'), 'store.db');
  copyFileSync(dbPath, path);
  const db = openDb(path);
  try {
    const insert = db.prepare('INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources) VALUES (?, ?, 80, ?, ?, ?, 1, 1, 1, 1, 0, 1)');
    // A protocol no edge has: the row breaks the store's checks (edgeValuesProblem).
    for (let i = 0; i < badRows; i++) insert.run('workload:shop/Deployment/web', `external:10.9.9.${i + 1}`, 'XYZ', T, T);
    return buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'schedule', generatedAt: Date.UTC(2026, 10, 21, 2, 0, 0) }));
  } finally {
    db.close();
  }
}

/** The At a glance section of a Markdown report. */
const glance = (md: string): string => md.slice(md.indexOf('## At a glance'), md.indexOf('\n## ', md.indexOf('## At a glance') + 3));

test('stored edge rows left out: At a glance says so beside each engine\'s "verified" (Markdown, HTML) and the JSON verification counts them', () => {
  const r = report(2);
  const engines = Object.keys(r.verification ?? {});
  assert.ok(engines.length > 1, 'every engine is verified in the report');
  const json = JSON.parse(renderJson(r)) as Report;
  for (const e of engines) assert.equal(json.verification?.[e]?.edgeRowsLeftOut, 2, `${e}: counted in the JSON`);
  const md = glance(renderMarkdown(r));
  for (const e of engines) assert.match(md, new RegExp(`${e} (verified|FAILS verification) \\(2 stored edge row\\(s\\) left out`), `${e}: ${md}`);
  const html = renderHtml(r);
  for (const e of engines) assert.match(html, new RegExp(`${e} (verified|FAILS verification) \\(2 stored edge row\\(s\\) left out`), `${e} in the HTML`);
  // And still listed with their ids where they were.
  assert.ok(r.warnings.some((w) => /^2 stored row\(s\) could not be read and were left out/.test(w)), JSON.stringify(r.warnings));
});

test('no row left out: the verification says nothing of it and the JSON has no count', () => {
  const r = report(0);
  for (const [e, v] of Object.entries(r.verification ?? {})) assert.equal(v.edgeRowsLeftOut, undefined, e);
  assert.doesNotMatch(renderMarkdown(r), /stored edge row\(s\) left out/);
});
