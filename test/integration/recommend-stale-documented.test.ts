/**
 * A documented rule whose edges are all stale is documented and not observed now: it becomes a
 * rule exactly as an unobserved one would (`must` by default, `may` with --include-may), keeping
 * its status `stale` (docs/recommend.md, "Statuses"). A `must` rule seen months ago is no less
 * required than one never seen; cutting it would be the policy that breaks required traffic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCliJson } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';

const dbPath = await demoDb();

interface Documented {
  id: string;
  level: string;
  status: string;
}
interface Out {
  workloads: { summary: string; documented: Documented[]; rules: { status: string; evidence: { matrixRules: { id: string }[] } }[] }[];
  manifests: { spec: { ingress?: unknown[]; egress?: unknown[] } }[];
  verification: { ok: boolean };
}

// The demo's flows are of 2026-11-20: half a year later every edge is stale.
const LATER = '2027-06-01T00:00:00Z';
const FLOWLOGS = ['-n', 'netobserv', '--workload', 'deploy/flowlogs-pipeline', '--db', dbPath, '-o', 'json'];

test('documented must rules whose edges are all stale still become rules (netobserv flowlogs-pipeline: Loki, the eBPF agents, Prometheus)', async () => {
  const now = await runCliJson<Out>(['recommend', '--engine', 'kubernetes', ...FLOWLOGS]);
  const later = await runCliJson<Out>(['recommend', '--engine', 'kubernetes', '--now', LATER, ...FLOWLOGS]);
  const status = (o: Out) => new Map(o.workloads[0]!.documented.map((d) => [d.id, d.status]));
  const musts = ['netobserv/flowlogs-pipeline/egress/loki', 'netobserv/flowlogs-pipeline/ingress/ebpf-agent-service', 'netobserv/flowlogs-pipeline/ingress/prometheus-9401'];
  for (const id of musts) {
    // Observed now (Prometheus' scrapes are blocked by the applied netobserv policy, docs/demo.md).
    assert.ok(['confirmed', 'blocked'].includes(status(now).get(id) ?? ''), id);
    assert.equal(status(later).get(id), 'stale', id);
  }
  // Not cut off: both directions keep rules, one for each must rule at least.
  assert.doesNotMatch(later.workloads[0]!.summary, /deny-all/);
  const ruleOf = (o: Out, id: string) => o.workloads[0]!.rules.find((r) => r.evidence.matrixRules.some((m) => m.id === id));
  for (const id of musts) assert.equal(ruleOf(later, id)?.status, 'stale', `${id} is a rule, marked stale`);
  assert.equal(later.verification.ok, true);
});

test('a stale documented may rule is left out, as an unobserved one is, unless --include-may', async () => {
  // NetObserv's console plugin: Prometheus scraping it is a `may` rule, observed in the demo.
  const args = ['recommend', '--engine', 'kubernetes', '-n', 'netobserv', '--workload', 'deploy/netobserv-plugin', '--now', LATER, '--db', dbPath, '-o', 'json'];
  const id = 'netobserv/console-plugin/ingress/prometheus-9002';
  const plain = await runCliJson<Out>(args);
  assert.equal(plain.workloads[0]!.documented.find((d) => d.id === id)?.status, 'stale');
  assert.equal(plain.workloads[0]!.rules.some((r) => r.evidence.matrixRules.some((m) => m.id === id)), false);
  const withMay = await runCliJson<Out>([...args, '--include-may']);
  assert.equal(withMay.workloads[0]!.rules.some((r) => r.evidence.matrixRules.some((m) => m.id === id)), true);
});
