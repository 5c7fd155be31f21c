/**
 * Flows ingested before the inventory that knows their addresses: the store keeps edges, not
 * flows, so an in-cluster address resolved then as `external` stays so. The demo reuses a pod
 * address (10.244.1.24: the catalog pod's, then tools/netshoot's): read in this order, edges name
 * it as external. Expected: no role is bound to it from observation (a /32 of a pod's address
 * follows whichever pod holds it next; the candidate says why), and the recommendation warns
 * about the edges and says how to mend them. The demo's files in a real SQLite file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const DEMO = new URL('../../demo/data/', import.meta.url).pathname;

test('an in-cluster address resolved as external before the inventory came is never bound to a role, and the recommendation says how to mend its edges', async () => {
  const db = join(tmpDir(), 'late-inventory.db');
  const run = async (args: string[]) => {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 0, r.err);
    return r;
  };
  await run(['ingest', join(DEMO, 'netobserv.ndjson')]);
  await run(['inventory', 'import', join(DEMO, 'inventory.json'), '--taken-at', '2026-11-20T00:00:00Z']);
  await run(['inventory', 'import', join(DEMO, 'inventory-later.json'), '--taken-at', '2026-11-20T12:00:00Z']);
  assert.match((await run(['edges', '-o', 'json'])).out, /"external:10\.244\.1\.24"/, 'the premise: the edges name the pod address as external');

  type Role = { role: string; bindings: { cidrs?: string[] }[]; candidates?: { peer: string; notBound?: string }[] };
  const shown = JSON.parse((await run(['matrix', 'show', 'kyma-telemetry', '-o', 'json'])).out) as { roles: Role[] };
  // The metric agent's flow to a pod address, external before the inventory came, is a candidate of its signal's role.
  const backends = shown.roles.find((r) => r.role === 'metric-backends')!;
  assert.ok(!backends.bindings.some((b) => b.cidrs?.includes('10.244.1.24/32')), JSON.stringify(backends.bindings));
  assert.ok(backends.bindings.length > 0, 'the outside backends are still bound');
  assert.match(backends.candidates!.find((c) => c.peer === 'external:10.244.1.24')!.notBound!, /^an address the inventory knows inside the cluster/);

  const exported = await run(['export', '--engine', 'kubernetes']);
  assert.match(exported.err, /warning: \d+ edge\(s\) name addresses the inventory knows inside the cluster as external \(10\.244\.1\.24\): .*ingest the flows again/);
});

test('a managed apiserver\'s address, external on purpose off its endpoint port, is no edge resolved too early: no warning to ingest again', async () => {
  // test/fixtures/inventory/cluster.json: the apiserver 192.168.22.31:6443 is no node's address.
  const db = join(tmpDir(), 'managed.db');
  const flows = join(tmpDir(), 'flows.ndjson');
  const t = Date.parse('2025-03-02T12:01:00Z');
  writeFileSync(flows, `${JSON.stringify({ SrcAddr: '10.244.0.10', DstAddr: '192.168.22.31', SrcPort: 40000, DstPort: 22, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowEndMs: t })}\n`);
  const run = async (args: string[]) => {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 0, r.err);
    return r;
  };
  await run(['inventory', 'import', new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname, '--taken-at', '2025-03-02T12:00:00Z']);
  await run(['ingest', flows]);
  assert.match((await run(['edges', '-o', 'json'])).out, /"external:192\.168\.22\.31"/, 'the premise: port 22 of the apiserver address is an external server');
  const exported = await run(['export', '--engine', 'kubernetes', '-n', 'shop']);
  assert.doesNotMatch(exported.err, /inside the cluster as external/);
});
