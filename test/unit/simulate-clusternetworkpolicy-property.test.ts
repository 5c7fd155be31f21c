/**
 * Property: on generated clusters, the `clusternetworkpolicy` engine's output (Baseline tier;
 * the cluster-scoped shared layers under `shared`) passes the CRD's admission checks and,
 * simulated, allows exactly the included edges — except connections to pods from outside the
 * pod network (outside addresses, nodes): ClusterNetworkPolicy ingress peers are namespaces and
 * pods only (API: ClusterNetworkPolicyIngressPeer), so nothing in this engine can deny them;
 * those must be allowed whether included or not. Under every option set of
 * test/helpers/option-matrix.ts (mode × shared × defaultDeny, egress, includeMay, include and
 * staleDays pairwise); the property itself (and that `allows`, the verification's shortcut,
 * answers as `evaluate` does) is test/helpers/engine-property.ts.
 */
import { test } from 'node:test';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import { checkEngineProperty, type EngineProperty } from '../helpers/engine-property.ts';
import { generatedClusterArb, generatedClusterWithNodesArb } from '../helpers/generated-cluster.ts';
import { describeOptions, OPTION_SETS } from '../helpers/option-matrix.ts';

const CNP: EngineProperty = {
  engine: 'clusternetworkpolicy',
  simulators: (m, c) => [createClusterNetworkPolicySimulator(m, c.sim)],
  alwaysAllowed: (client) => client.ep.kind !== 'pod',
};

for (const [i, options] of OPTION_SETS.entries()) {
  test(`pods and outside addresses (${describeOptions(options)})`, () => checkEngineProperty(CNP, generatedClusterArb, options, { numRuns: 15, seed: 1212 + i }));
  test(`with a node and the apiserver (${describeOptions(options)})`, () => checkEngineProperty(CNP, generatedClusterWithNodesArb, options, { numRuns: 10, seed: 2424 + i }));
}
