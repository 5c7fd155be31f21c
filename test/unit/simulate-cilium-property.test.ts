/**
 * Property: on generated clusters, the `cilium` engine's output (CiliumNetworkPolicy, and
 * CiliumClusterwideNetworkPolicy under `shared`) passes the agent's admission checks and,
 * simulated, allows exactly the included edges — read both as if the agent accepted every rule
 * and as it enforces them (refused policies left out) — under every option set of
 * test/helpers/option-matrix.ts (mode × shared × defaultDeny, egress, includeMay, include and
 * staleDays pairwise); the property itself is test/helpers/engine-property.ts.
 */
import { test } from 'node:test';
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import { checkEngineProperty, type EngineProperty } from '../helpers/engine-property.ts';
import { generatedClusterArb, generatedClusterWithNodesArb } from '../helpers/generated-cluster.ts';
import { describeOptions, OPTION_SETS } from '../helpers/option-matrix.ts';

const CILIUM: EngineProperty = {
  engine: 'cilium',
  simulators: (m, c) => [ciliumSimulator(m, c.sim, { enforceAdmission: false }), ciliumSimulator(m, c.sim, { enforceAdmission: true })],
};

for (const [i, options] of OPTION_SETS.entries()) {
  test(`pods and outside addresses (${describeOptions(options)})`, () => checkEngineProperty(CILIUM, generatedClusterArb, options, { numRuns: 15, seed: 1212 + i }));
  test(`with a node and the apiserver (${describeOptions(options)})`, () => checkEngineProperty(CILIUM, generatedClusterWithNodesArb, options, { numRuns: 10, seed: 2424 + i }));
}
