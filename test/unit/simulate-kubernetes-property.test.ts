/**
 * Property: on generated clusters, the `kubernetes` engine's output for every option set that
 * restricts egress, simulated under the strict ipBlock reading (no pod or node IPs), allows
 * exactly the included (observed) edges.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { createKubernetesSimulator } from '../../recommender/simulate/kubernetes.ts';
import { edgeKey, generatedClusterArb, PORTS } from '../helpers/generated-cluster.ts';
import { peerKey } from '../../domain/peer.ts';

for (const defaultDeny of [false, true]) {
  for (const shared of [false, true]) {
    test(`kubernetes output (defaultDeny=${defaultDeny}, shared=${shared}), simulated, allows exactly the included edges`, () => {
      fc.assert(
        fc.property(generatedClusterArb, (c) => {
          const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { mode: 'observed', defaultDeny, shared });
          const sim = createKubernetesSimulator(getEngine('kubernetes').emit(rec.policySet).manifests, c.sim);
          const included = new Set(c.edges.map((e) => edgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol)));
          for (const a of c.endpoints) {
            for (const b of c.endpoints) {
              if (a.ep.kind === 'external' && b.ep.kind === 'external') continue;
              for (const port of [...PORTS, 53]) {
                for (const protocol of ['TCP', 'UDP'] as const) {
                  const v = sim.evaluate({ client: a.ep, server: b.ep, port, protocol });
                  const want = included.has(edgeKey(a.key, b.key, port, protocol));
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
