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

/** The CLI on the database file `db`, failing the test on a non-zero exit. */
function cliOn(db: string) {
  return async (args: string[]) => {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 0, r.err);
    return r;
  };
}

const T1 = Date.parse('2025-03-02T12:00:00Z');
const T2 = Date.parse('2025-03-02T13:00:00Z');
/** web (10.244.0.10) → address:6443, a SYN at `t`. */
const flow = (address: string, t: number) => JSON.stringify({ SrcAddr: '10.244.0.10', DstAddr: address, SrcPort: 40000, DstPort: 6443, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t });

test('a flow that arrives after the apiserver endpoints changed, to an address the apiserver had at the flow\'s time, is the apiserver; the same address after the change is not', async () => {
  const dir = tmpDir();
  const run = cliOn(join(dir, 'f.db'));
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

/** cluster.json with control-plane nodes (`name` → address) whose addresses are the apiserver's endpoints on 6443. */
function withControlPlane(nodes: Record<string, string>): string {
  const cluster = JSON.parse(withApiserver(Object.values(nodes))) as { items: Record<string, unknown>[] };
  const template = cluster.items.find((o) => o.kind === 'Node') as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };
  for (const [name, address] of Object.entries(nodes)) {
    cluster.items.push({ ...template, metadata: { ...template.metadata, name, uid: `uid-${name}` }, spec: {}, status: { ...template.status, addresses: [{ address, type: 'InternalIP' }] } });
  }
  return JSON.stringify(cluster);
}

test('traffic seen from a control-plane node replaced since (a rolling control-plane upgrade) is opened from today\'s control-plane nodes: an aggregated API or webhook is called by whichever apiserver serves the request', async () => {
  const dir = tmpDir();
  const run = cliOn(join(dir, 'f.db'));
  writeFileSync(join(dir, 'before.json'), withControlPlane({ 'cp-1': '192.168.22.31', 'cp-2': '192.168.22.32' }));
  writeFileSync(join(dir, 'after.json'), withControlPlane({ 'cp-1': '192.168.22.31', 'cp-3': '192.168.22.33' }));
  await run(['inventory', 'import', join(dir, 'before.json'), '--taken-at', new Date(T1).toISOString()]);
  // cp-2 (an apiserver) calls web's port 9090 (not exposed), then is replaced by cp-3.
  const call = JSON.stringify({ SrcAddr: '192.168.22.32', DstAddr: '10.244.0.10', SrcPort: 50003, DstPort: 9090, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: T1 + 60_000, TimeFlowEndMs: T1 + 60_000 });
  writeFileSync(join(dir, 'call.ndjson'), `${call}\n`);
  await run(['ingest', join(dir, 'call.ndjson')]);
  await run(['inventory', 'import', join(dir, 'after.json'), '--taken-at', new Date(T2).toISOString()]);
  const out = JSON.parse((await run(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/web', '-o', 'json'])).out) as {
    workloads: { rules: { direction: string; peers: { kind: string; ips?: string[] }[]; ports: { port: number }[] }[]; observed: { client: string; included: boolean; reason?: string }[] }[];
  };
  const rec = out.workloads[0]!;
  assert.deepEqual(rec.observed.filter((e) => e.client === 'node:cp-2').map((e) => [e.included, e.reason]), [[true, undefined]], 'the edge from cp-2 is not left out');
  const ingress = rec.rules.filter((r) => r.direction === 'ingress' && r.ports.some((p) => p.port === 9090));
  assert.deepEqual(ingress.flatMap((r) => r.peers), [{ kind: 'nodes', ips: ['192.168.22.31', '192.168.22.33'] }]);
});

test('a managed apiserver\'s endpoints change: a webhook call from its former endpoint at that time is the apiserver\'s; its new endpoint, a pod\'s address before, is that pod\'s for flows before the last import that showed the pod there, and the pod\'s and the apiserver\'s between that import and the one that listed the endpoint (README "IP history": a flow resolves through what held the address at its time, never through today\'s owner; when the address changed hands no import saw)', async () => {
  const dir = tmpDir();
  const run = cliOn(join(dir, 'f.db'));
  // EKS-like: the control plane's addresses come from the subnets pods use; shop/debug held 10.244.1.20 until T2.
  const after = JSON.parse(withApiserver(['10.244.1.20'])) as { items: Record<string, unknown>[] };
  after.items = after.items.filter((o) => !(o.kind === 'Pod' && (o.metadata as { name?: string }).name === 'debug'));
  writeFileSync(join(dir, 'before.json'), withApiserver(['192.168.22.31']));
  writeFileSync(join(dir, 'after.json'), JSON.stringify(after));
  await run(['inventory', 'import', join(dir, 'before.json'), '--taken-at', new Date(T1).toISOString()]);
  await run(['inventory', 'import', join(dir, 'after.json'), '--taken-at', new Date(T2).toISOString()]);
  const record = (src: string, dst: string, port: number, t: number) =>
    JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 40000, DstPort: port, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t });
  const flows = [
    record('192.168.22.31', '10.244.0.10', 8080, T1 + 60_000), // the apiserver calls web's webhook, from the endpoint it had then
    record('10.244.0.10', '10.244.1.20', 6443, T1 - 60_000), // web → debug, before the T1 import showed debug there
    record('10.244.0.10', '10.244.1.20', 6443, T1 + 60_000), // web → debug or the apiserver: the address passed to it between T1 and T2
  ];
  writeFileSync(join(dir, 'late.ndjson'), `${flows.join('\n')}\n`);
  await run(['ingest', join(dir, 'late.ndjson')]);
  const edges = (JSON.parse((await run(['edges', '-o', 'json'])).out) as { client: string; server: string; port: number; flows: number }[]).map((e) => `${e.client} -> ${e.server}:${e.port} x${e.flows}`);
  assert.deepEqual(edges.sort(), ['apiserver -> workload:shop/Deployment/web:8080 x1', 'workload:shop/Deployment/web -> apiserver:6443 x1', 'workload:shop/Deployment/web -> workload:shop/Pod/debug:6443 x2']);
});
