/**
 * The flows that stand for an exposed workload's clients (recommender/synthesize/exposure-flows.ts):
 * per exposed target port one from an address outside the cluster, and one from a node where a
 * NodePort or LoadBalancer Service exposes it (externalTrafficPolicy Cluster: "packets sent to
 * Services with Type=NodePort are source NAT'd by default", Kubernetes "Using Source IP"). An
 * Ingress backend's clients come through the controller, not a node port: the outside address only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import { exposureFlows, forwardingNode } from '../../recommender/synthesize/exposure-flows.ts';

const web = (exposure: Workload['exposure']): Workload => ({ namespace: 'shop', kind: 'Deployment', name: 'web', labels: { app: 'web' }, selector: { matchLabels: { app: 'web' } }, hostNetwork: false, ports: [], services: ['shop/web'], exposure });
const described = (w: Workload, node: string | undefined) => exposureFlows(w, node).map((f) => `${peerKey(f.edge.client)} → ${f.edge.port}/${f.edge.protocol}: ${f.rule}`);

test('a LoadBalancer and an Ingress on one target port: one client from the world naming both, and a node for the LoadBalancer; an Ingress alone: the world only', () => {
  const w = web([
    { via: 'Ingress', object: 'shop/web', port: 8080, protocol: 'TCP' },
    { via: 'LoadBalancer', object: 'shop/web', port: 8080, protocol: 'TCP' },
    { via: 'Ingress', object: 'shop/admin', port: 9000, protocol: 'TCP' },
  ]);
  assert.deepEqual(described(w, 'node-a'), [
    'external:198.51.100.1 → 8080/TCP: exposed by Ingress shop/web, Service shop/web type LoadBalancer',
    'node:node-a → 8080/TCP: exposed by Ingress shop/web, Service shop/web type LoadBalancer',
    'external:198.51.100.1 → 9000/TCP: exposed by Ingress shop/admin',
  ]);
  assert.ok(exposureFlows(w, 'node-a').every((f) => f.exposed === true));
});

test('no node with an address: the world only; the node that stands for the others is the first by name with an address', () => {
  assert.deepEqual(described(web([{ via: 'NodePort', object: 'shop/web', port: 30000, protocol: 'TCP' }]), undefined), ['external:198.51.100.1 → 30000/TCP: exposed by Service shop/web type NodePort']);
  assert.equal(forwardingNode([{ name: 'b', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], podCIDRs: [] }, { name: 'a', labels: {}, addresses: [], podCIDRs: [] }]), 'b');
  assert.equal(forwardingNode([]), undefined);
});
