/**
 * Every manifest the `kubernetes` and `clusternetworkpolicy` engines emit for the demo data,
 * for every option set (every mode × egress × defaultDeny × shared; includeMay, include and
 * staleDays pairwise: test/helpers/option-matrix.ts), passes the engine's admission checks (what
 * the apiserver would refuse beyond the schema).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend, type RecommendInput } from '../../recommender/recommend.ts';
import { admissionErrorsClusterNetworkPolicy } from '../../recommender/verify/admission/clusternetworkpolicy.ts';
import { admissionErrorsKubernetes } from '../../recommender/verify/admission/kubernetes.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';
import { ALL_OPTION_SETS, describeOptions } from '../helpers/option-matrix.ts';

const input: RecommendInput = demoRecommendInput(await demoDb());

const CHECKS = { kubernetes: admissionErrorsKubernetes, clusternetworkpolicy: admissionErrorsClusterNetworkPolicy } as const;

for (const engine of ['kubernetes', 'clusternetworkpolicy'] as const) {
  test(`every ${engine} manifest for the demo data passes the admission checks, all options`, () => {
    let count = 0;
    const failures: string[] = [];
    for (const options of ALL_OPTION_SETS) {
      const { manifests } = getEngine(engine).emit(recommend(input, options).policySet);
      for (const m of manifests) {
        count++;
        for (const e of CHECKS[engine](m)) failures.push(`${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name} ${e.path}: ${e.message} (${describeOptions(options)})`);
      }
    }
    assert.ok(count > 200, `only ${count} manifests checked`);
    assert.deepEqual([...new Set(failures)].slice(0, 20), []);
  });
}
