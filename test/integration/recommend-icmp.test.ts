/**
 * ICMP has no port. Cilium (`icmps`) and Calico (`protocol: ICMP`) render the observed echo as a
 * rule (test/integration/recommend-icmp-echo-rules.test.ts); a NetworkPolicy or
 * ClusterNetworkPolicy cannot express ICMP alone, so there a restricted direction denies it, and
 * the echo that the output will cut is said on stderr, never cut silently.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const FIXTURES = new URL('../fixtures/inventory/', import.meta.url).pathname;
const T = Date.parse('2025-03-02T12:00:00Z');

// web (10.244.0.10) pings db-0 (10.244.1.15) and talks to it on 5432 (NetObserv records; Flags 2 = SYN, 18 = SYN+ACK).
const record = (o: Record<string, unknown>) => JSON.stringify({ Etype: 2048, Packets: 1, Bytes: 84, TimeFlowEndMs: T + 60_000, ...o });
const FLOWS = [
  record({ SrcAddr: '10.244.0.10', DstAddr: '10.244.1.15', SrcPort: 40000, DstPort: 5432, Proto: 6, Flags: 2 }),
  record({ SrcAddr: '10.244.1.15', DstAddr: '10.244.0.10', SrcPort: 5432, DstPort: 40000, Proto: 6, Flags: 18 }),
  record({ SrcAddr: '10.244.0.10', DstAddr: '10.244.1.15', Proto: 1, IcmpType: 8, IcmpCode: 0 }),
  record({ SrcAddr: '10.244.1.15', DstAddr: '10.244.0.10', Proto: 1, IcmpType: 0, IcmpCode: 0 }),
  // An echo whose reply was not captured (sampling): delivery unknown, not dropped.
  record({ SrcAddr: '10.244.0.10', DstAddr: '8.8.8.8', Proto: 1, IcmpType: 8, IcmpCode: 0 }),
].join('\n');

/** The inventory fixture and FLOWS in a fresh store, as the CLI loads them. */
async function storeWithFlows(): Promise<string> {
  const dir = tmpDir();
  const db = join(dir, 'fm.db');
  const flows = join(dir, 'flows.ndjson');
  writeFileSync(flows, `${FLOWS}\n`);
  assert.equal((await runCli(['inventory', 'import', join(FIXTURES, 'cluster.json'), '--taken-at', new Date(T).toISOString(), '--db', db])).code, 0);
  assert.equal((await runCli(['ingest', flows, '--db', db])).code, 0);
  return db;
}

test('observed ICMP echo that a NetworkPolicy or ClusterNetworkPolicy will deny is a warning naming the peer and the engine', async () => {
  const db = await storeWithFlows();
  for (const [engine, kind] of [['kubernetes', 'NetworkPolicy'], ['clusternetworkpolicy', 'ClusterNetworkPolicy']] as const) {
    const r = await runCli(['export', '--engine', engine, '-n', 'shop', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`warning: shop/statefulset/db: icmp-not-expressible: ingress: ICMP observed from workload:shop/Deployment/web ICMP will be denied: a ${kind} names TCP, UDP or SCTP ports only`), `${engine}: ${r.err}`);
    assert.match(r.err, /warning: shop\/deployment\/web: icmp-not-expressible: egress: ICMP observed to external:8\.8\.8\.8 ICMP, workload:shop\/StatefulSet\/db ICMP will be denied/, `${engine}: ${r.err}`);
  }
});

test('cilium and calico render the observed echo: no warning that it will be denied', async () => {
  const db = await storeWithFlows();
  for (const engine of ['cilium', 'calico']) {
    const r = await runCli(['export', '--engine', engine, '-n', 'shop', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /ICMP observed/, `${engine}: ${r.err}`);
    assert.match(r.out, engine === 'cilium' ? /icmps:/ : /protocol: ICMP/, engine);
  }
});

test('the verification judges the ICMP edges the engine renders (cilium, calico) and leaves the others to skipped, never a finding', async () => {
  const db = await storeWithFlows();
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']) {
    const r = await runCli(['recommend', '--engine', engine, '-n', 'shop', '-o', 'json', '--db', db]);
    assert.equal(r.code, 0, r.err);
    const verification = (JSON.parse(r.out) as { verification: { skipped: Record<string, number>; denied: { edge: string }[]; blocked: { edge: string }[] } }).verification;
    const skipped = verification.skipped[`ICMP echo: the ${engine} engine has no ICMP rule (a restricted direction denies it, warned)`] ?? 0;
    if (engine === 'cilium' || engine === 'calico') assert.equal(skipped, 0, `${engine}: ${JSON.stringify(verification.skipped)}`);
    else assert.ok(skipped > 0, `${engine}: ${JSON.stringify(verification.skipped)}`);
    assert.deepEqual(verification.blocked.filter((f) => f.edge.endsWith('|ICMP')), [], engine);
    assert.deepEqual(verification.denied.filter((f) => f.edge.endsWith('|ICMP')), [], engine);
  }
});
