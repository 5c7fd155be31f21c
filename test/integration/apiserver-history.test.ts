/**
 * The apiserver's addresses change (control-plane nodes replaced in an upgrade) and flows arrive
 * late (a backlog, Prometheus' delay, Hubble's `since`). A flow resolves through what held the
 * address at the flow's time, as pod IPs do (README, "IP history"): a flow to an address the
 * apiserver had then is the apiserver's, not an external address's — which would become an
 * "undocumented" egress rule to an address nobody owns any more. Real SQLite file, the CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLUSTER = JSON.parse(readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8')) as { items: Record<string, unknown>[] };
/** cluster.json with the `default/kubernetes` EndpointSlice listing `addresses` on 6443 (192.168.22.31 in the fixture). */
function withApiserver(addresses: string[]): string {
  const items = CLUSTER.items.map((o) => {
    const md = o.metadata as { namespace?: string; name?: string };
    if (o.kind !== 'EndpointSlice' || md.namespace !== 'default' || md.name !== 'kubernetes') return o;
    return { ...o, endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })) };
  });
  return JSON.stringify({ ...CLUSTER, items });
}

const T1 = Date.parse('2025-03-02T12:00:00Z');
const T2 = Date.parse('2025-03-02T13:00:00Z');
/** web (10.244.0.10) → address:6443, a SYN at `t`. */
const flow = (address: string, t: number) => JSON.stringify({ SrcAddr: '10.244.0.10', DstAddr: address, SrcPort: 40000, DstPort: 6443, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t });

test('a flow that arrives after the apiserver endpoints changed, to an address the apiserver had at the flow\'s time, is the apiserver; the same address after the change is not', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const run = async (args: string[]) => {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 0, r.err);
    return r;
  };
  writeFileSync(join(dir, 'before.json'), withApiserver(['192.168.22.31']));
  writeFileSync(join(dir, 'after.json'), withApiserver(['192.168.22.41', '192.168.22.42']));
  await run(['inventory', 'import', join(dir, 'before.json'), '--taken-at', new Date(T1).toISOString()]);
  await run(['inventory', 'import', join(dir, 'after.json'), '--taken-at', new Date(T2).toISOString()]);
  // Late: dated while .31 was the apiserver (between the two snapshots), ingested after the change; then the same address later on.
  writeFileSync(join(dir, 'late.ndjson'), `${flow('192.168.22.31', T1 + 60_000)}\n${flow('192.168.22.41', T2 + 60_000)}\n`);
  await run(['ingest', join(dir, 'late.ndjson')]);
  writeFileSync(join(dir, 'after.ndjson'), `${flow('192.168.22.31', T2 + 120_000)}\n`);
  await run(['ingest', join(dir, 'after.ndjson')]);
  const edges = JSON.parse((await run(['edges', '-o', 'json'])).out) as { client: string; server: string; port: number; flows: number }[];
  const to = (server: string) => edges.filter((e) => e.client === 'workload:shop/Deployment/web' && e.server === server).map((e) => [e.port, e.flows]);
  assert.deepEqual(to('apiserver'), [[6443, 2]], JSON.stringify(edges));
  // After the change the address is no longer the apiserver's (it may be anyone's now).
  assert.deepEqual(to('external:192.168.22.31'), [[6443, 1]], JSON.stringify(edges));
});

test('an edge to the apiserver on a port its endpoints no longer serve (6443 then, 443 now) is verified as the apiserver reached now: every engine\'s recommendation passes', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const run = async (args: string[]) => runCli([...args, '--db', db]);
  writeFileSync(join(dir, 'before.json'), withApiserver(['192.168.22.31']));
  const after = JSON.parse(withApiserver(['192.168.22.51'])) as { items: Record<string, unknown>[] };
  for (const o of after.items) if (o.kind === 'EndpointSlice' && (o.metadata as { name?: string }).name === 'kubernetes') o.ports = [{ name: 'https', port: 443, protocol: 'TCP' }];
  writeFileSync(join(dir, 'after.json'), JSON.stringify(after));
  assert.equal((await run(['inventory', 'import', join(dir, 'before.json'), '--taken-at', new Date(T1).toISOString()])).code, 0);
  assert.equal((await run(['inventory', 'import', join(dir, 'after.json'), '--taken-at', new Date(T2).toISOString()])).code, 0);
  writeFileSync(join(dir, 'late.ndjson'), `${flow('192.168.22.31', T1 + 60_000)}\n`);
  assert.equal((await run(['ingest', join(dir, 'late.ndjson')])).code, 0);
  assert.match((await run(['edges', '-o', 'json'])).out, /"server": "apiserver",\n\s*"port": 6443,/);
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']) {
    const r = await run(['export', '--engine', engine, '-n', 'shop']);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
  }
});
