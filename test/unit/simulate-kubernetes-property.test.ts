/**
 * Property: on generated clusters, the `kubernetes` engine's output, simulated, allows exactly
 * the included (observed) edges — for every option set that restricts egress.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { createKubernetesSimulator, type KubernetesSimOptions } from '../../recommender/simulate/kubernetes.ts';
import { assertAllowsExactlyTheEdges, generatedClusterArb, generatedClusterWithNodesArb, type GeneratedCluster } from '../helpers/generated-cluster.ts';

function property(arb: fc.Arbitrary<GeneratedCluster>, options: KubernetesSimOptions, defaultDeny: boolean, shared: boolean): void {
  fc.assert(
    fc.property(arb, (c) => {
      const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { mode: 'observed', defaultDeny, shared });
      assertAllowsExactlyTheEdges(c, createKubernetesSimulator(getEngine('kubernetes').emit(rec.policySet).manifests, c.sim, options));
    }),
    { numRuns: 40, seed: 1212 },
  );
}

for (const defaultDeny of [false, true]) {
  for (const shared of [false, true]) {
    test(`pods and outside addresses (defaultDeny=${defaultDeny}, shared=${shared}), strict ipBlock reading`, () => property(generatedClusterArb, {}, defaultDeny, shared));
  }
}

test('with a node and the apiserver, on a plugin whose ipBlocks select node and apiserver addresses (Calico, Cilium with policy-cidr-match-mode: nodes)', () =>
  property(generatedClusterWithNodesArb, { ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true }, true, true));

// Fails today; minimal counterexample from fast-check (seed 1212): one observed edge node-1 → alpha/w0 80/TCP.
test(
  'with a node and the apiserver, strict ipBlock reading (Cilium default)',
  {
    skip:
      'emitter defect: node-1 (192.168.0.10) → alpha/w0 80/TCP is emitted as ingress from ipBlock 192.168.0.10/32, which selects no node when ipBlocks do not match node addresses (Cilium default policy-cidr-match-mode); likewise egress to the apiserver /32 on 6443. NetworkPolicy has no other way to select nodes: the engine must warn (issue 12)',
  },
  () => property(generatedClusterWithNodesArb, {}, true, true),
);
