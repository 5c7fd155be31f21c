/**
 * A matrix authoritative for a workload's egress lists all of it: the recommendation's "never cut a
 * workload off the apiserver it was seen using" does not reopen what the matrix closes. StackLight
 * (seed 000 lines 28-30): "Deny all egress for Pods not expecting outgoing traffic • cAdvisor" — a
 * cAdvisor pod seen calling the apiserver is a violation to review, and its egress stays deny-all.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dbPath = await demoDb();

test('StackLight cAdvisor seen calling the apiserver: egress stays deny-all on every engine, the edge a violation, not an implied rule', async () => {
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(dbPath, db);
  const t = Date.parse('2026-11-20T10:00:00Z');
  const call = { SrcAddr: '10.244.0.6', SrcPort: 45000, DstAddr: '10.0.0.10', DstPort: 6443, Proto: 6, Flags: ['SYN'], FlowDirection: 1, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t, SrcK8S_Namespace: 'stacklight', SrcK8S_Name: 'cadvisor-dpf5v', SrcK8S_OwnerName: 'cadvisor', SrcK8S_OwnerType: 'DaemonSet', SrcK8S_Type: 'Pod' };
  writeFileSync(join(dir, 'call.ndjson'), `${JSON.stringify(call)}\n`);
  assert.equal((await runCli(['ingest', join(dir, 'call.ndjson'), '--db', db])).code, 0);
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']) {
    const r = await runCli(['recommend', '--engine', engine, '-n', 'stacklight', '--workload', 'daemonset/cadvisor', '-o', 'json', '--db', db]);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
    const [w] = (JSON.parse(r.out) as { workloads: { summary: string; violations: string[]; rules: { direction: string }[] }[] }).workloads;
    assert.match(w!.summary, /egress deny-all/, engine);
    assert.deepEqual(w!.rules.filter((x) => x.direction === 'egress'), [], engine);
    assert.ok(w!.violations.some((v) => v.includes('apiserver')), `${engine}: ${JSON.stringify(w!.violations)}`);
  }
});
