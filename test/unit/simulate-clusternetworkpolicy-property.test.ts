/**
 * Property: on generated clusters, the `clusternetworkpolicy` engine's output (Baseline tier),
 * simulated, allows exactly the included (observed) edges — except connections to pods from
 * outside the pod network (outside addresses, nodes): ClusterNetworkPolicy ingress peers are
 * namespaces and pods only (API: ClusterNetworkPolicyIngressPeer), so nothing in this engine
 * can deny them; those must be allowed whether included or not.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import type { Simulator } from '../../recommender/simulate/types.ts';
import { assertAllowsExactlyTheEdges, generatedClusterArb, generatedClusterWithNodesArb, type GeneratedCluster } from '../helpers/generated-cluster.ts';

function property(arb: fc.Arbitrary<GeneratedCluster>, defaultDeny: boolean, shared: boolean): void {
  fc.assert(
    fc.property(arb, (c) => {
      const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { mode: 'observed', defaultDeny, shared });
      const sim = createClusterNetworkPolicySimulator(getEngine('clusternetworkpolicy').emit(rec.policySet).manifests, c.sim);
      // Every flow also asked of allows(), the verification's shortcut: the same answer as the words.
      const checked: Simulator = {
        ...sim,
        evaluate: (flow) => {
          const v = sim.evaluate(flow);
          for (const d of ['egress', 'ingress'] as const) if (sim.allows?.(flow, d) !== v[d].allowed) throw new Error(`allows(${d}) disagrees with evaluate: ${v[d].reason}`);
          return v;
        },
      };
      assertAllowsExactlyTheEdges(c, checked, (client) => client.ep.kind !== 'pod');
    }),
    { numRuns: 40, seed: 1212 },
  );
}

for (const defaultDeny of [false, true]) {
  for (const shared of [false, true]) {
    test(`pods and outside addresses (defaultDeny=${defaultDeny}, shared=${shared})`, () => property(generatedClusterArb, defaultDeny, shared));
  }
}

test('with a node and the apiserver', () => property(generatedClusterWithNodesArb, true, true));
