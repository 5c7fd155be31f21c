/**
 * Every CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy emitted for the bundled demo
 * cluster, for every mode and option set, passes the Cilium agent's admission checks
 * (recommender/verify/admission/cilium.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

test('every cilium manifest for the demo data passes the admission checks, for all modes and options', async () => {
  const input = demoRecommendInput(await demoDb());
  const failures: string[] = [];
  let count = 0;
  for (const mode of MODES) {
    for (const egress of [true, false]) {
      for (const defaultDeny of [false, true]) {
        for (const shared of [false, true]) {
          const { manifests } = getEngine('cilium').emit(recommend(input, { mode, egress, defaultDeny, shared }).policySet);
          for (const m of manifests) {
            count++;
            for (const e of admissionErrorsCilium(m)) failures.push(`${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}${e.path} [mode=${mode} egress=${egress} defaultDeny=${defaultDeny} shared=${shared}]: ${e.message}`);
          }
        }
      }
    }
  }
  assert.ok(count > 1000, `only ${count} manifests checked`);
  assert.deepEqual(failures, []);
});
