import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fnv1a } from '../../recommender/compare/edge-digest.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { policySet } from '../../recommender/policy/build.ts';
import { recommend, type RecommendInput } from '../../recommender/recommend.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { MAX_OBSERVED_ID } from '../../recommender/synthesize/rule-ids.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

const dbPath = await demoDb();
const input: RecommendInput = demoRecommendInput(dbPath);

const OPTIONS = MODES.flatMap((mode) => [true, false].flatMap((egress) => [false, true].flatMap((defaultDeny) => [false, true].map((shared) => ({ mode, egress, defaultDeny, shared })))));

test('a recommended PolicySet is a fixed point of the validator (demo data, all modes and options)', () => {
  let rules = 0;
  for (const o of OPTIONS) {
    const rec = recommend(input, o);
    // Validating the built set again changes nothing: synthesis hands over canonical peers and ports.
    const checked = policySet(rec.policySet.intents);
    assert.deepEqual(checked, rec.policySet, JSON.stringify(o));
    for (const i of rec.policySet.intents) for (const d of [i.ingress, i.egress]) if (d.mode === 'rules') rules += d.rules.length;
  }
  assert.ok(rules > 1000, `only ${rules} rules checked`);
});

test('observed rule ids: short, unique within a policy direction, and their digest is that of the evidence keys', () => {
  let observed = 0;
  let single = 0;
  for (const o of [{}, { mode: 'observed' as const }, { defaultDeny: true, shared: true }]) {
    const rec = recommend(input, o);
    for (const i of rec.policySet.intents) {
      for (const d of [i.ingress, i.egress]) {
        if (d.mode !== 'rules') continue;
        // Matrix ids name a documented rule, which may span several port groups: only observed ids must be unique.
        const ids = d.rules.map((r) => r.explanation.id).filter((id) => /^(observed|edge):/.test(id));
        assert.equal(new Set(ids).size, ids.length, `${i.key}: duplicate rule ids ${ids.join(', ')}`);
      }
    }
    for (const w of rec.workloads) {
      for (const r of w.rules) {
        const m = /^observed:(ingress|egress):([^:]+):(\d+)-edges?:([0-9a-f]{8})$/.exec(r.id);
        if (r.id.startsWith('edge:')) {
          single++;
          assert.ok(r.id.length <= MAX_OBSERVED_ID, r.id);
          assert.equal(r.evidence.edges.length, 1, r.id);
          assert.equal(r.id.replace(/^edge:/, ''), r.evidence.edges[0]!.key.replace(/\|0*/g, '|'));
          continue;
        }
        if (!m) continue;
        observed++;
        assert.ok(r.id.length <= MAX_OBSERVED_ID, r.id);
        assert.equal(m[1], r.direction);
        assert.equal(Number(m[3]), r.evidence.edges.length, r.id);
        let sum = 0;
        for (const e of r.evidence.edges) sum = (sum + fnv1a(e.key)) >>> 0;
        assert.equal(m[4], sum.toString(16).padStart(8, '0'), r.id);
      }
    }
    // ClusterNetworkPolicy rule names `<status> <id>` of observed rules fit the 100-character limit.
    for (const mf of getEngine('clusternetworkpolicy').emit(rec.policySet).manifests) {
      for (const d of ['ingress', 'egress'] as const) {
        for (const rule of (mf.spec[d] ?? []) as { name: string }[]) {
          if (/ (observed|edge):/.test(rule.name)) assert.ok(!rule.name.includes('…') && rule.name.length <= 100, rule.name);
        }
      }
    }
  }
  assert.ok(observed > 20 && single > 20, `observed ${observed}, single-edge ${single}`);
});

test('modes: documented rules make rules in modes documented and union only; observed edges in observed and union only (docs/recommend.md "Options")', () => {
  const rulesOf = (mode: (typeof MODES)[number]) => recommend(input, { mode }).workloads.flatMap((w) => w.rules);
  const documented = rulesOf('documented');
  const observed = rulesOf('observed');
  const union = rulesOf('union');
  assert.ok(documented.some((r) => r.evidence.matrixRules.length > 0), 'mode documented: rules from the matrices');
  // Only where a `partial` exception says the document lists a direction in part (docs/matrices.md "Exceptions"): there the observed traffic is kept, at both ends.
  const undocumented = documented.filter((r) => r.status === 'undocumented');
  assert.ok(undocumented.every((r) => r.text.includes('the document lists only some of')), 'mode documented: no undocumented edge becomes a rule, but where the document lists the direction in part');
  assert.ok(undocumented.length > 0, 'the premise: the demo has StackLight pods whose egress the document lists in part (seed 000 line 88)');
  assert.ok(!observed.some((r) => r.status === 'documented-unobserved'), 'mode observed: nothing documented but unobserved becomes a rule');
  assert.ok(observed.some((r) => r.status === 'undocumented'), 'mode observed: undocumented edges become rules');
  assert.ok(union.some((r) => r.status === 'documented-unobserved') && union.some((r) => r.status === 'undocumented'), 'mode union: both');
});
