/**
 * Each emitter's manifests are values of its engine's wire type (recommender/engines/wire/*),
 * the type its simulator and admission checks read. At compile time: the assignments below
 * stop `npm run typecheck` when an emitter's output and the wire type part. At run time: the
 * guards the simulators filter policies with accept every emitted manifest, so none is
 * silently skipped by the simulator.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINES } from '../../recommender/engines/index.ts';
import { CALICO_API_VERSION, type CalicoPolicy } from '../../recommender/engines/wire/calico.ts';
import { isCiliumPolicy, type CiliumPolicy } from '../../recommender/engines/wire/cilium.ts';
import { isClusterNetworkPolicy, type ClusterNetworkPolicy } from '../../recommender/engines/wire/clusternetworkpolicy.ts';
import { isNetworkPolicy, type NetworkPolicy } from '../../recommender/engines/wire/kubernetes.ts';
import { policySet } from '../../recommender/policy/build.ts';
import { richIntents } from '../golden/engines/rich-ir.ts';

const set = policySet(richIntents());

// Compile-time: what each emitter returns is its wire type.
const kubernetes: NetworkPolicy[] = ENGINES.kubernetes.emit(set).manifests;
const cilium: CiliumPolicy[] = ENGINES.cilium.emit(set).manifests;
const calico: CalicoPolicy[] = ENGINES.calico.emit(set).manifests;
const cnp: ClusterNetworkPolicy[] = ENGINES.clusternetworkpolicy.emit(set).manifests;

const isCalicoPolicy = (m: CalicoPolicy): boolean => m.apiVersion === CALICO_API_VERSION && (m.kind === 'NetworkPolicy' || m.kind === 'GlobalNetworkPolicy');

test('every emitted manifest passes the wire guard its engine simulator filters policies with', () => {
  for (const [engine, manifests, guard] of [
    ['kubernetes', kubernetes, isNetworkPolicy],
    ['cilium', cilium, isCiliumPolicy],
    ['calico', calico, isCalicoPolicy],
    ['clusternetworkpolicy', cnp, isClusterNetworkPolicy],
  ] as const) {
    assert.ok(manifests.length > 0, `${engine}: the rich policy set emits manifests`);
    const refused = (manifests as readonly unknown[]).filter((m) => !(guard as (x: unknown) => boolean)(m));
    assert.deepEqual(refused, [], `${engine}: manifests the simulator would skip`);
  }
});

test('a Cilium manifest carries its one rule in spec, never specs (EngineManifests.cilium)', () => {
  for (const m of cilium) {
    assert.ok(m.spec !== undefined, m.metadata.name);
    assert.equal(m.specs, undefined, m.metadata.name);
  }
});
