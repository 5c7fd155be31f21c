/**
 * An export for GitOps changes where a rule changes, not with every ingest: more flows on edges
 * the store already holds (tomorrow's traffic) leave every engine's manifests byte-identical —
 * no flow count or date in an annotation or a Calico rule's metadata (docs/recommend.md).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';

const dbPath = await demoDb();
const DAY = 86_400_000;

test('the same traffic a day later: every engine exports the same bytes', async () => {
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(dbPath, db);
  const exports = async () => {
    const out: string[] = [];
    for (const engine of ENGINE_NAMES) {
      const r = await runCli(['export', '--engine', engine, '--db', db]);
      assert.equal(r.code, 0, `${engine}: ${r.err}`);
      out.push(r.out);
    }
    return out;
  };
  const edgeKeys = async () => {
    const r = await runCli(['edges', '-o', 'json', '--db', db]);
    return new Set((JSON.parse(r.out) as { client: string; server: string; port: number; protocol: string }[]).map((e) => `${e.client}|${e.server}|${e.port}|${e.protocol}`));
  };
  const before = await exports();
  const edgesBefore = await edgeKeys();
  // The demo's NetObserv records, each a day later: more flows and a later last seen on the same edges.
  const records = readFileSync(new URL('../../demo/data/netobserv.ndjson', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const later = records.map((r) => ({ ...r, TimeFlowStartMs: r.TimeFlowStartMs! + DAY, TimeFlowEndMs: r.TimeFlowEndMs! + DAY, ...(r.TimeReceived !== undefined ? { TimeReceived: r.TimeReceived + DAY / 1000 } : {}) }));
  writeFileSync(join(dir, 'later.ndjson'), later.map((r) => JSON.stringify(r)).join('\n') + '\n');
  assert.equal((await runCli(['ingest', join(dir, 'later.ndjson'), '--db', db])).code, 0);
  const after = await exports();
  // A day later the demo's reused pod IPs fall in other holders' times: a few edges are new. Only
  // the workloads at either end of a new edge may change; every other document stays as it was.
  const touched = new Set<string>();
  for (const k of await edgeKeys()) {
    if (edgesBefore.has(k)) continue;
    for (const peer of k.split('|').slice(0, 2)) {
      const m = /^(?:workload|dns):([^/]+)\/([^/]+)\/(.+)$/.exec(peer);
      if (m) touched.add(`${m[1]}/${m[2]!.toLowerCase()}/${m[3]}`);
    }
  }
  ENGINE_NAMES.forEach((engine, i) => {
    assert.ok(!/flow\(s\)|last seen/.test(after[i]!), `${engine}: no flow count or date in the manifests`);
    const was = new Set(before[i]!.split('\n---\n'));
    const docs = after[i]!.split('\n---\n');
    const changed = [...new Set(docs.filter((doc) => !was.has(doc)).map((doc) => /flowmatrix\.io\/intent: (\S+)/.exec(doc)?.[1] ?? doc.slice(0, 80)))];
    assert.deepEqual(changed.filter((intent) => ![...touched].some((w) => intent === w || intent.startsWith(`${w}/`))), [], `${engine}: documents changed though none of their edges did`);
    assert.ok(changed.length < docs.length / 4, `${engine}: ${changed.length} of ${docs.length} documents changed`);
  });
});
