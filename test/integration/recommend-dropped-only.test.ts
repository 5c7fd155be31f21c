/**
 * Traffic the applied policies only ever dropped, and no active matrix rule documents, is denied
 * today and required by nothing: a recommendation that allowed it would open what is closed. It is
 * left out with its reason (docs/recommend.md, "What becomes a rule"). The demo's
 * analytics/report-builder → shop/postgres 5432 (another team's database, docs/demo.md) is such
 * traffic: 12 flows, all dropped by the applied `shop/postgres` policy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCliJson } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';

const dbPath = await demoDb();
const KEY = 'workload:analytics/Deployment/report-builder|workload:shop/StatefulSet/postgres|5432|TCP';

interface Observed {
  key: string;
  direction: string;
  status: string;
  forwarded: number;
  dropped: number;
  included: boolean;
  reason?: string;
}
interface Out {
  workloads: { workload: { namespace: string; name: string }; observed: Observed[] }[];
  manifests: unknown[];
}

for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']) {
  test(`${engine}: an undocumented edge that was only ever dropped is no rule on either side`, async () => {
    const out = await runCliJson<Out>(['recommend', '--engine', engine, '--db', dbPath, '-o', 'json']);
    const sides = out.workloads.flatMap((w) => w.observed.filter((o) => o.key === KEY));
    assert.deepEqual(sides.map((s) => [s.direction, s.status, s.forwarded, s.dropped, s.included]).sort(), [
      ['egress', 'undocumented', 0, 12, false],
      ['ingress', 'undocumented', 0, 12, false],
    ]);
    for (const s of sides) assert.match(s.reason ?? '', /only ever dropped/);
    // postgres's policies never name report-builder; report-builder's never allow 5432.
    const named = (part: string) => out.manifests.filter((m) => JSON.stringify((m as { metadata: unknown }).metadata).includes(part)).map((m) => JSON.stringify(m));
    assert.ok(named('postgres').length > 0 && named('report-builder').length > 0);
    for (const m of named('postgres')) assert.doesNotMatch(m, /report-builder/);
    for (const m of named('report-builder')) assert.doesNotMatch(m, /5432/);
  });
}
