/**
 * Never silently empty: `recommend`, `export` and `edges` on an empty store, or for a
 * namespace or workload that does not exist, say what is missing and how to get it and exit
 * non-zero; kubectl-style `--workload deployment/name` with any case of the kind selects.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sinceTime } from '../../cli/commands/edges.ts';
import { workloadArg } from '../../cli/selection.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;

/** shop/web (10.244.0.10) opens a connection to shop/db-0 (10.244.1.15) on 5432: a SYN, then data. */
function flows(dir: string): string {
  const rec = (flags: number, t: number) => JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: 41000, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Flags: flags, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t, TimeReceived: t / 1000 });
  const file = join(dir, 'flows.ndjson');
  writeFileSync(file, `${rec(2, Date.parse('2025-11-01T10:00:00Z'))}\n${rec(16, Date.parse('2025-11-01T10:00:01Z'))}\n`);
  return file;
}

test('workloadArg: name alone, Kind/name in any case, kubectl plural and short names', () => {
  assert.equal(workloadArg('web'), 'web');
  assert.equal(workloadArg('deployment/web'), 'Deployment/web');
  assert.equal(workloadArg('Deployment/web'), 'Deployment/web');
  assert.equal(workloadArg('DEPLOYMENTS/web'), 'Deployment/web');
  assert.equal(workloadArg('deploy/web'), 'Deployment/web');
  assert.equal(workloadArg('sts/db'), 'StatefulSet/db');
  assert.equal(workloadArg('statefulset/db'), 'StatefulSet/db');
  assert.throws(() => workloadArg('service/web'), /"service" is not a workload kind/);
});

test('an empty store: recommend, export and edges say what is missing, with the command that fills it, and exit 1', async () => {
  const db = join(tmpDir(), 'empty.db');
  for (const argv of [['recommend', '--engine', 'kubernetes'], ['export', '--engine', 'cilium'], ['recommend', '--engine', 'kubernetes', '-n', 'shop']]) {
    const r = await runCli([...argv, '--db', db]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.out, '');
    assert.match(r.err, /no inventory: run `flowmatrix inventory import FILE`.* or `flowmatrix collect kubernetes`/);
    assert.match(r.err, /no flows: run `flowmatrix ingest FILE…`/);
  }
  const e = await runCli(['edges', '--db', db]);
  assert.equal(e.code, 1);
  assert.equal(e.out, '');
  assert.match(e.err, /no flows: run `flowmatrix ingest FILE…`/);
});

test('a namespace or workload that does not exist: exit 1, naming what exists; one that exists selects (kubectl-style kind)', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  // Inventory, no flows: recommend works from the inventory alone; edges says there are no flows.
  const noFlows = await runCli(['edges', '--db', db]);
  assert.equal(noFlows.code, 1);
  assert.match(noFlows.err, /no flows/);
  assert.equal((await runCli(['ingest', flows(dir), '--db', db])).code, 0);

  const badNs = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shopp', '--db', db]);
  assert.equal(badNs.code, 1);
  assert.equal(badNs.out, '');
  assert.match(badNs.err, /no namespace "shopp" in the inventory or the edges \(namespaces: batch-jobs, default, kube-system, monitoring, shop\)/);

  const badWl = await runCli(['export', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/webb', '--db', db]);
  assert.equal(badWl.code, 1);
  assert.equal(badWl.out, '');
  assert.match(badWl.err, /no workload "Deployment\/webb" in namespace "shop" in the inventory or the edges \(there: deployment\/checkout, deployment\/web, pod\/debug, statefulset\/db\)/);

  const good = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'DEPLOYMENT/web', '-o', 'json', '--db', db]);
  assert.equal(good.code, 0, good.err);
  assert.deepEqual((JSON.parse(good.out) as { workloads: { workload: unknown }[] }).workloads.map((w) => w.workload), [{ namespace: 'shop', kind: 'Deployment', name: 'web' }]);

  const edgesBad = await runCli(['edges', '-n', 'nope', '--db', db]);
  assert.equal(edgesBad.code, 1);
  assert.match(edgesBad.err, /no namespace "nope" in the inventory or the edges/);
  const edgesWl = await runCli(['edges', '--workload', 'sts/db', '-o', 'json', '--db', db]);
  assert.equal(edgesWl.code, 0, edgesWl.err);
  assert.deepEqual((JSON.parse(edgesWl.out) as { client: string; server: string }[]).map((e) => `${e.client} ${e.server}`), ['workload:shop/Deployment/web workload:shop/StatefulSet/db']);
  // Exists, nothing observed: an empty answer, said on stderr (kubectl's "No resources found"), exit 0.
  const quiet = await runCli(['edges', '-n', 'batch-jobs', '-o', 'json', '--db', db]);
  assert.equal(quiet.code, 0, quiet.err);
  assert.equal(quiet.out, '[]\n');
  assert.equal(quiet.err, 'no edges for namespace "batch-jobs"\n');

  // --since: the edge was last seen at 10:00:01.
  const recent = await runCli(['edges', '--since', '2025-11-01T10:00:00Z', '-o', 'json', '--db', db]);
  assert.equal((JSON.parse(recent.out) as unknown[]).length, 1);
  const later = await runCli(['edges', '--since', '2025-11-01T11:00:00Z', '-o', 'json', '--db', db]);
  assert.equal(later.code, 0);
  assert.equal(later.out, '[]\n');
  assert.equal(later.err, 'no edges since 2025-11-01T11:00:00.000Z\n');
  const bad = await runCli(['edges', '--since', 'yesterday', '--db', db]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--since: "yesterday" is neither a duration/);
});

test('sinceTime: kubectl durations back from now, or an RFC 3339 time with its zone', () => {
  const now = Date.parse('2025-11-02T00:00:00Z');
  assert.equal(sinceTime('90s', now), now - 90_000);
  assert.equal(sinceTime('1h30m', now), now - 5_400_000);
  assert.equal(sinceTime('7d', now), Date.parse('2025-10-26T00:00:00Z'));
  assert.equal(sinceTime('2025-11-01T10:00:00Z', now), Date.parse('2025-11-01T10:00:00Z'));
  assert.throws(() => sinceTime('5 minutes', now), /--since/);
  // No zone (read by the host's), a day the month does not have (rolled over): refused.
  assert.throws(() => sinceTime('2025-11-01T10:00:00', now), /--since: "2025-11-01T10:00:00" is neither a duration .* nor an RFC 3339 time with its zone/);
  assert.throws(() => sinceTime('2025-11-31T00:00:00Z', now), /--since/);
  assert.equal(sinceTime('2025-11-01T11:00:00+01:00', now), Date.parse('2025-11-01T10:00:00Z'));
});
