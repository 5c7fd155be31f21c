/**
 * Property: on generated clusters, the `clusternetworkpolicy` engine's output (Baseline tier),
 * simulated, allows exactly the included (observed) edges — except connections from outside
 * addresses to pods: ClusterNetworkPolicy ingress peers are namespaces and pods only (API:
 * ClusterNetworkPolicyIngressPeer), so nothing in this engine can deny them; those must be
 * allowed whether included or not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { peerKey } from '../../domain/peer.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import { edgeKey, generatedClusterArb, PORTS } from '../helpers/generated-cluster.ts';

for (const defaultDeny of [false, true]) {
  for (const shared of [false, true]) {
    test(`clusternetworkpolicy output (defaultDeny=${defaultDeny}, shared=${shared}), simulated, allows exactly the included edges`, () => {
      fc.assert(
        fc.property(generatedClusterArb, (c) => {
          const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { mode: 'observed', defaultDeny, shared });
          const sim = createClusterNetworkPolicySimulator(getEngine('clusternetworkpolicy').emit(rec.policySet).manifests, c.sim);
          const included = new Set(c.edges.map((e) => edgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol)));
          for (const a of c.endpoints) {
            for (const b of c.endpoints) {
              if (a.ep.kind === 'external' && b.ep.kind === 'external') continue;
              for (const port of [...PORTS, 53]) {
                for (const protocol of ['TCP', 'UDP'] as const) {
                  const v = sim.evaluate({ client: a.ep, server: b.ep, port, protocol });
                  const want = a.ep.kind === 'external' ? true : included.has(edgeKey(a.key, b.key, port, protocol));
                  if ((v.verdict === 'allow') !== want) assert.fail(`${a.key} → ${b.key} ${port}/${protocol}: simulator says ${v.verdict} (${v.egress.reason}; ${v.ingress.reason}), edges say ${want ? 'allow' : 'deny'}`);
                }
              }
            }
          }
        }),
        { numRuns: 40, seed: 1212 },
      );
    });
  }
}
