/**
 * The one property every engine's output must have: on generated
 * clusters (generated-cluster.ts), under an option set, the recommendation emitted for the
 * engine passes the engine's admission checks and, simulated under the engine's semantics,
 * allows exactly the edges the recommendation includes — computed here from the options, not
 * read back from the recommendation:
 *
 * - the generated clusters document nothing (no matrix), so every fresh edge is `undocumented`
 *   and every edge last seen more than `staleDays` before the latest one is `stale`
 *   (compare/compare.ts); an edge is included when its status is in `include`, and a fresh edge
 *   to the apiserver whatever `include` says ("seen using the apiserver: never cut off", an
 *   implied rule of a restricted egress: synthesize/workload.ts);
 * - mode `documented` gives no workload a policy (none is documented, docs/recommend.md), and no
 *   namespace a default-deny layer: everything stays allowed;
 * - with `egress: false` a pod's egress is open: a connection to anything but a pod is allowed,
 *   one to a pod as its server's ingress says (the recommendation's records list the egress side
 *   of every edge as left out: the direction is not restricted);
 * - `includeMay` changes nothing without matrices (kept in the matrix all the same: it must not
 *   change the output either).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { peerKey } from '../../domain/peer.ts';
import { DAY_MS } from '../../recommender/compare/status.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import type { EngineName, Manifest } from '../../recommender/engines/types.ts';
import { recommend, type RecommendOptions } from '../../recommender/recommend.ts';
import type { Simulator } from '../../recommender/simulate/types.ts';
import { defaultOptions } from '../../recommender/synthesize/options.ts';
import { engineAdmissionErrors } from '../../recommender/verify/admission/index.ts';
import { manifestId } from '../../recommender/verify/index.ts';
import { assertAllowsExactly, edgeKey, type Ep, type Expected, type GeneratedCluster } from './generated-cluster.ts';

/** The edges (keys) the options include, by the rules above. */
export function includedKeys(c: GeneratedCluster, options: Partial<RecommendOptions>): Set<string> {
  const o = defaultOptions(options);
  if (o.mode === 'documented') return new Set();
  const now = Math.max(...c.edges.map((e) => e.lastSeen));
  return new Set(
    c.edges
      .filter((e) => {
        const stale = e.lastSeen < now - o.staleDays * DAY_MS;
        return o.include.includes(stale ? 'stale' : 'undocumented') || (!stale && o.egress && e.server.kind === 'apiserver');
      })
      .map((e) => edgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol)),
  );
}

/** What the engine's output must allow under `options` (see the header). */
export function expectedUnder(c: GeneratedCluster, options: Partial<RecommendOptions>): Expected {
  const o = defaultOptions(options);
  if (o.mode === 'documented') return () => true;
  const included = includedKeys(c, options);
  return (a, b, port, protocol) => included.has(edgeKey(a.key, b.key, port, protocol)) || (!o.egress && b.ep.kind !== 'pod');
}

export interface EngineProperty {
  /** The emitter whose output is simulated. */
  engine: EngineName;
  /** The simulators that must allow exactly the expected connections (one engine may be read several ways). */
  simulators: (manifests: readonly Manifest[], c: GeneratedCluster) => Simulator[];
  /** Connections the engine cannot restrict at all: allowed whatever the edges. */
  alwaysAllowed?: (client: Ep, server: Ep) => boolean;
}

/**
 * Runs the property on `arb` under `options`: the recommendation includes exactly the edges
 * `includedKeys` says (its own `observed` records agree), every manifest passes the admission
 * checks, and every simulator allows exactly the expected connections.
 */
export function checkEngineProperty(p: EngineProperty, arb: fc.Arbitrary<GeneratedCluster>, options: Partial<RecommendOptions>, params: { numRuns: number; seed: number }): void {
  fc.assert(
    fc.property(arb, (c) => {
      const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, options);
      // The model above is the recommendation's own reading of the options (else the property below proves nothing).
      const want = includedKeys(c, options);
      const o = defaultOptions(options);
      for (const w of rec.workloads) for (const e of w.observed) if (o.egress || e.direction === 'ingress') assert.equal(e.included, want.has(e.key), `${w.workload.name} ${e.direction} ${e.key} (${e.status}): included=${e.included}`);
      const manifests = getEngine(p.engine).emit(rec.policySet).manifests;
      assert.deepEqual(manifests.flatMap((m) => engineAdmissionErrors(m).map((e) => `${manifestId(m)} ${e.path}: ${e.message}`)), []);
      const expected = expectedUnder(c, options);
      const always = p.alwaysAllowed;
      for (const sim of p.simulators(manifests, c)) assertAllowsExactly(c, sim, always ? (a, b, port, protocol) => always(a, b) || expected(a, b, port, protocol) : expected);
    }),
    params,
  );
}
