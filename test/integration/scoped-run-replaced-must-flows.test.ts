/**
 * A scoped run's manifest replaces the applied object of the same kind, namespace and name
 * (`kubectl apply`), and that object may select workloads outside the run's scope: a pod may do
 * what the union of the policies selecting it allows (NetworkPolicySpec), so the replaced rules
 * are gone for them too. Their observed edges were judged before and after the replacement; a
 * flow their documented `must` rule requires that nothing observed yet was not, and applying the
 * output cut it while the verification said ok. Case (test/helpers/replaced-must-cluster.ts):
 * `--workload web` replaces the applied `ns-a-pod-web`, which selects agent too and allows its
 * egress on 4317 beside a namespace `default-deny-egress`; agent's matrix says it must reach
 * collector on 4317, never observed → expected: blocked at agent's egress, `replaced` naming the
 * applied policy, the reason naming the must rule; the export withheld.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifiedExport } from '../../app/export.ts';
import { recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { AGENT, AGENT_TO_COLLECTOR, MUST_RULE, REPLACED, storeReplacedMustCase } from '../helpers/replaced-must-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
const read = await storeReplacedMustCase(db);
const scoped = { ...recommendOptions({}), workload: 'web' };

test("--workload web replaces the applied ns-a-pod-web, which selects agent outside the scope: agent's must flow to collector 4317, not observed yet, that it allowed is blocked, naming it and the rule", () => {
  const { verification: v } = runRecommendation(read(), 'kubernetes', scoped, { details: false });
  assert.equal(v.ok, false, JSON.stringify(v.blocked));
  const cut = v.blocked.filter((b) => b.workload === AGENT);
  assert.deepEqual(
    cut.map((b) => [b.direction, b.edge, b.replaced]),
    [['egress', AGENT_TO_COLLECTOR, [REPLACED]]],
  );
  assert.match(cut[0]!.reason, new RegExp(`once the recommendation replaces the applied ${REPLACED} .*which selects this workload outside the run's scope and allows it now; ${MUST_RULE} \\(must\\) requires it, not observed yet: applying this cuts required traffic; rename the applied policy first`));
  assert.equal(verifiedExport(read(), 'kubernetes', scoped).verification.ok, false, 'the export is withheld');
});

test('the unscoped run gives agent a policy of its own: its must flow is allowed, nothing blocked', () => {
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(read(), engine, recommendOptions({}), { details: false });
    assert.deepEqual(v.blocked, [], engine);
  }
});
