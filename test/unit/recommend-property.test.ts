/**
 * Property: the recommendation is deterministic — shuffled inputs give byte-identical output for
 * every engine and the JSON. (That each engine's output allows exactly the included edges is the
 * simulate-<engine>-property tests' claim, on the same generated clusters.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ENGINE_NAMES, getEngine, toMultiDocYaml } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { generatedClusterArb } from '../helpers/generated-cluster.ts';

test('determinism: shuffled inputs give byte-identical output for every engine and the JSON', () => {
  fc.assert(
    fc.property(generatedClusterArb, fc.integer(), (c, seed) => {
      const shuffle = <T>(xs: readonly T[]): T[] => {
        const out = [...xs];
        let s = seed >>> 0;
        for (let i = out.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
        return out;
      };
      const a = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { shared: true, defaultDeny: true });
      const b = recommend({ inventory: { ...c.inventory, workloads: shuffle(c.inventory.workloads), namespaces: shuffle(c.inventory.namespaces) }, edges: shuffle(c.edges), matrices: [] }, { shared: true, defaultDeny: true });
      assert.equal(JSON.stringify(b), JSON.stringify(a));
      for (const engine of ENGINE_NAMES) assert.equal(toMultiDocYaml(getEngine(engine).emit(b.policySet).manifests), toMultiDocYaml(getEngine(engine).emit(a.policySet).manifests));
    }),
    { numRuns: 40, seed: 7 },
  );
});
