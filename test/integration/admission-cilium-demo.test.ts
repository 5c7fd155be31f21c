/**
 * Every CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy emitted for the bundled demo
 * cluster, for every option set (every mode × egress × defaultDeny × shared; includeMay, include
 * and staleDays pairwise: test/helpers/option-matrix.ts), passes the Cilium agent's admission checks
 * (recommender/verify/admission/cilium.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';
import { ALL_OPTION_SETS, describeOptions } from '../helpers/option-matrix.ts';

test('every cilium manifest for the demo data passes the admission checks, for all modes and options', async () => {
  const input = demoRecommendInput(await demoDb());
  const failures: string[] = [];
  let count = 0;
  for (const options of ALL_OPTION_SETS) {
    const { manifests } = getEngine('cilium').emit(recommend(input, options).policySet);
    for (const m of manifests) {
      count++;
      for (const e of admissionErrorsCilium(m)) failures.push(`${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}${e.path} [${describeOptions(options)}]: ${e.message}`);
    }
  }
  assert.ok(count > 1000, `only ${count} manifests checked`);
  assert.deepEqual(failures, []);
});
