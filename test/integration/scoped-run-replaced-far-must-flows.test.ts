/**
 * A scoped run's manifest replaces the applied object of the same kind, namespace and name
 * (`kubectl apply`), and that object may select workloads outside the run's scope: a pod may do
 * what the union of the policies selecting it allows (NetworkPolicySpec), so the replaced rules
 * are gone for them too. The flows a `must` rule requires at such a workload are not only its own
 * rules' ones: another workload's rule naming it requires its far side too (mirrored-rules.ts; an
 * unscoped run puts them there, recommend.ts withDocumentedFlows).
 *
 * Case (test/helpers/replaced-must-cluster.ts, the far-end variant): `--workload web` replaces the
 * applied `ns-a-pod-web`, which selects web and agent for Ingress beside a namespace
 * `default-deny-ingress` and allows 4317; a matrix says (a) collector, outside the run, or (b) web,
 * the run's own workload, must reach agent on 4317, never observed. Applying the output leaves
 * agent's ingress on 4317 to default-deny-ingress (allowed before, denied after) → expected:
 * blocked at agent's ingress, `replaced` naming the applied policy, the reason naming the must
 * rule; the export withheld.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifiedExport } from '../../app/export.ts';
import { recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { AGENT, farMustEdge, farMustRule, REPLACED, storeReplacedFarMustCase } from '../helpers/replaced-must-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const scoped = { ...recommendOptions({}), workload: 'web' };

for (const requirer of ['collector', 'web'] as const) {
  test(`--workload web replaces the applied ns-a-pod-web, which selects agent for Ingress: ${requirer}'s must flow to agent 4317, not observed yet, is cut at agent's ingress — blocked, naming the policy and the rule`, async () => {
    const read = await storeReplacedFarMustCase(tmpDb().db, requirer);
    const { verification: v } = runRecommendation(read(), 'kubernetes', scoped, { details: false });
    assert.equal(v.ok, false, JSON.stringify(v.blocked));
    const cut = v.blocked.filter((b) => b.workload === AGENT);
    assert.deepEqual(
      cut.map((b) => [b.direction, b.edge, b.replaced]),
      [['ingress', farMustEdge(requirer), [REPLACED]]],
    );
    assert.match(cut[0]!.reason, new RegExp(`once the recommendation replaces the applied ${REPLACED} .*which selects this workload outside the run's scope and allows it now; ${farMustRule(requirer)} \\(must\\) requires it, not observed yet: applying this cuts required traffic`));
    assert.equal(verifiedExport(read(), 'kubernetes', scoped).verification.ok, false, 'the export is withheld');
  });

  test(`${requirer} must reach agent on 4317: the unscoped run gives agent a policy of its own that allows it, nothing blocked`, async () => {
    const read = await storeReplacedFarMustCase(tmpDb().db, requirer);
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(read(), engine, recommendOptions({}), { details: false });
      assert.deepEqual(v.blocked, [], engine);
    }
  });
}
