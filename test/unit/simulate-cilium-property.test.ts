/**
 * Property: on generated clusters (test/helpers/generated-cluster.ts), the `cilium` engine's
 * output for the recommendation, run through the Cilium simulator, allows exactly the included
 * edges, and the agent accepts every manifest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';
import { assertAllowsExactlyTheEdges, generatedClusterArb, type GeneratedCluster } from '../helpers/generated-cluster.ts';

const emit = (g: GeneratedCluster) => getEngine('cilium').emit(recommend({ inventory: g.inventory, edges: g.edges, matrices: [] }, { mode: 'observed' }).policySet).manifests;

test('the recommendation for cilium, simulated as if the agent accepted every rule, allows exactly the included edges', () => {
  fc.assert(
    fc.property(generatedClusterArb, (g) => assertAllowsExactlyTheEdges(g, ciliumSimulator(emit(g), g.sim, { enforceAdmission: false }))),
    { numRuns: 60, seed: 4242 },
  );
});

test('the agent accepts every cilium manifest of the recommendation (admission checks)', () => {
  fc.assert(
    fc.property(generatedClusterArb, (g) => {
      for (const m of emit(g)) assert.deepEqual(admissionErrorsCilium(m), [], m.metadata.name);
    }),
    { numRuns: 60, seed: 4242 },
  );
});

test('the recommendation for cilium, simulated as the agent enforces it (refused policies left out), allows exactly the included edges', () => {
  fc.assert(
    fc.property(generatedClusterArb, (g) => assertAllowsExactlyTheEdges(g, ciliumSimulator(emit(g), g.sim, { enforceAdmission: true }))),
    { numRuns: 60, seed: 4242 },
  );
});
