/**
 * Property: on generated clusters, the recommender's `calico` output (NetworkPolicy, and
 * GlobalNetworkPolicy under `shared`) passes Calico's admission checks and, simulated by the
 * Calico simulator (every selector read, nothing ignored), allows exactly the included edges;
 * so does its `kubernetes` output, which Calico enforces too (converted into its default tier,
 * ipBlocks matched against node and apiserver addresses: felix matches `nets` against the
 * packet's addresses). Under every option set of test/helpers/option-matrix.ts (mode × shared ×
 * defaultDeny, egress, includeMay, include and staleDays pairwise); the property itself is
 * test/helpers/engine-property.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineName } from '../../recommender/engines/types.ts';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import { checkEngineProperty, type EngineProperty } from '../helpers/engine-property.ts';
import { generatedClusterArb, generatedClusterWithNodesArb } from '../helpers/generated-cluster.ts';
import { describeOptions, OPTION_SETS } from '../helpers/option-matrix.ts';

const onCalico = (engine: EngineName): EngineProperty => ({
  engine,
  simulators: (m, c) => {
    const sim = calicoSimulator(m, c.sim);
    assert.deepEqual(sim.ignored, []);
    return [sim];
  },
});

for (const engine of ['calico', 'kubernetes'] as const) {
  for (const [i, options] of OPTION_SETS.entries()) {
    test(`${engine} output on calico, pods and outside addresses (${describeOptions(options)})`, () => checkEngineProperty(onCalico(engine), generatedClusterArb, options, { numRuns: 15, seed: 1212 + i }));
    test(`${engine} output on calico, with a node and the apiserver (${describeOptions(options)})`, () => checkEngineProperty(onCalico(engine), generatedClusterWithNodesArb, options, { numRuns: 10, seed: 2424 + i }));
  }
}
