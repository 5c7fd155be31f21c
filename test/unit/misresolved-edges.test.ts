import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warnMisresolvedEdges } from '../../app/misresolved-edges.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { Recommendation } from '../../recommender/recommend.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';

const inventory: InventorySnapshot = {
  takenAt: 0,
  namespaces: [],
  nodes: [],
  workloads: [],
  services: [],
  endpointSlices: [],
  policies: [],
  podAddresses: [{ ip: '10.244.1.24', namespace: 'shop', pod: 'db-0', workload: { namespace: 'shop', kind: 'StatefulSet', name: 'db' }, hostNetwork: false }],
  apiserver: [],
};
const edge = (client: string): EdgeTraffic =>
  ({ client: { kind: 'workload', workload: { namespace: client, kind: 'Deployment', name: 'app' } }, server: { kind: 'external', ip: '10.244.1.24' }, port: 5432, protocol: 'TCP', lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 }) as EdgeTraffic;
const side = (ns: string, outside?: true): VerifiedSides => ({
  workload: `${ns}/Deployment/app`,
  edges: { ingress: [], egress: [edge(ns)] },
  excluded: { ingress: new Map(), egress: new Map() },
  restricted: { ingress: true, egress: true },
  ...(outside ? { outside } : {}),
});
const warnings = (sides: VerifiedSides[]): string[] => {
  const rec = { sides, warnings: [] as string[] } as unknown as Recommendation;
  warnMisresolvedEdges(rec, inventory);
  return rec.warnings;
};

// A scoped run reads the edges of workloads outside it that its policies restrict, for the
// verification only (VerifiedSides.outside): the run does not advise deleting their edges.
test('edges naming an in-cluster address as external are warned of for the run\'s own sides only, not for those read from outside a scoped run', () => {
  assert.equal(warnings([side('shop')]).length, 1);
  assert.match(warnings([side('shop')])[0]!, /^1 edge\(s\) name addresses the inventory knows inside the cluster as external \(10\.244\.1\.24\)/);
  assert.deepEqual(warnings([side('other', true)]), []);
});
