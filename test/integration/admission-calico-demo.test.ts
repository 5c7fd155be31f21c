/**
 * Every Calico manifest flowmatrix emits for the demo data, under every option set (every mode ×
 * egress × defaultDeny × shared; includeMay, include and staleDays pairwise:
 * test/helpers/option-matrix.ts), passes
 * Calico's admission checks (recommender/verify/admission/calico.ts) and is read by the calico
 * simulator (every selector parses with libcalico-go's grammar).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend, type RecommendInput } from '../../recommender/recommend.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import { admissionErrorsCalico } from '../../recommender/verify/admission/calico.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';
import { ALL_OPTION_SETS, describeOptions } from '../helpers/option-matrix.ts';

/** `option set: Kind/namespace/name path: message` for every refusal. */
function refusals(input: RecommendInput): { checked: number; problems: string[] } {
  let checked = 0;
  const problems: string[] = [];
  for (const options of ALL_OPTION_SETS) {
    for (const m of getEngine('calico').emit(recommend(input, options).policySet).manifests) {
      checked++;
      for (const e of admissionErrorsCalico(m)) problems.push(`${describeOptions(options)} ${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name} ${e.path}: ${e.message}`);
    }
  }
  return { checked, problems };
}

test('every calico manifest for the demo data, all options, passes the Calico admission checks', async () => {
  const { checked, problems } = refusals(demoRecommendInput(await demoDb()));
  assert.ok(checked > 100, `only ${checked} manifests checked`);
  assert.deepEqual(problems, []);
});

test('the calico simulator reads every calico manifest of the demo data, all options: every selector parses, nothing is ignored', async () => {
  const input = demoRecommendInput(await demoDb());
  const cluster = { namespaces: input.inventory.namespaces, nodes: [], pods: [], services: [], apiserver: input.inventory.apiserver, podCIDRs: [] };
  let policies = 0;
  for (const mode of MODES) {
    for (const shared of [false, true]) {
      const manifests = getEngine('calico').emit(recommend(input, { mode, shared, defaultDeny: true }).policySet).manifests;
      const sim = calicoSimulator(manifests, cluster);
      assert.deepEqual(sim.ignored, [], `mode=${mode} shared=${shared}`);
      policies += manifests.length;
    }
  }
  assert.ok(policies > 100, `only ${policies} manifests read`);
});
