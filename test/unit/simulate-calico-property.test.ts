/**
 * Property: on generated clusters (test/helpers/generated-cluster.ts), the recommender's
 * `calico` output, simulated by the Calico simulator, allows exactly the included edges and
 * Calico admits it; so does its `kubernetes` output, which Calico enforces too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import { admissionErrorsCalico } from '../../recommender/verify/admission/calico.ts';
import { assertAllowsExactlyTheEdges, generatedClusterArb } from '../helpers/generated-cluster.ts';

// The `kubernetes` output too: Calico enforces Kubernetes NetworkPolicies (converted into its default tier).
const CASES = [
  { engine: 'calico' as const, options: { mode: 'observed' as const } },
  { engine: 'calico' as const, options: { mode: 'observed' as const, defaultDeny: true, shared: true } },
  { engine: 'kubernetes' as const, options: { mode: 'observed' as const } },
];

for (const { engine, options } of CASES) {
  test(`${engine} output (${JSON.stringify(options)}), simulated by the calico simulator, allows every included edge and nothing else; Calico admits it`, () => {
    fc.assert(
      fc.property(generatedClusterArb, (g) => {
        const rec = recommend({ inventory: g.inventory, edges: g.edges, matrices: [] }, options);
        const manifests = getEngine(engine).emit(rec.policySet).manifests;
        for (const m of manifests) assert.deepEqual(admissionErrorsCalico(m), [], `${m.kind}/${m.metadata.name}`);
        const sim = calicoSimulator(manifests, g.sim);
        assert.deepEqual(sim.ignored, []);
        assertAllowsExactlyTheEdges(g, sim);
      }),
      { numRuns: 60, seed: 4242 },
    );
  });
}
