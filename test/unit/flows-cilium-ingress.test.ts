/**
 * Traffic that Cilium's Ingress / Gateway API proxy sends to a backend comes from the per-node
 * Envoy with Cilium's reserved identity 8, `reserved:ingress` (cilium/cilium pkg/identity reserved
 * identities; Documentation/network/servicemesh/ingress-reference.rst "Cilium's ingress config and
 * CiliumNetworkPolicy": traffic arriving at Envoy for Ingress or Gateway API "is assigned the
 * special ingress identity"). Its address is taken from the node's pod CIDR, yet it is no pod: it
 * resolves to the Cilium Ingress proxy, never to an unknown in-cluster address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHubbleDecoder } from '../../collectors/flows/hubble.ts';
import { EMPTY_RESOLUTION, ResolutionIndex } from '../../collectors/flows/resolve.ts';
import type { FlowObservation } from '../../domain/flow.ts';
import { parsePeerKey, peerKey } from '../../domain/peer.ts';
import { PROXY_TO_API } from '../helpers/cilium-ingress-flow.ts';

function decoded(line: unknown): FlowObservation {
  const d = createHubbleDecoder().decode(line);
  assert.equal(d.kind, 'flow', JSON.stringify(d));
  return (d as { flow: FlowObservation }).flow;
}

test('reserved:ingress resolves to the Cilium Ingress proxy, not to an unknown in-cluster address', () => {
  const f = decoded(PROXY_TO_API);
  assert.deepEqual(f.src.meta, { kind: 'reserved', identities: ['ingress'] });
  const index = new ResolutionIndex(EMPTY_RESOLUTION);
  assert.deepEqual(index.resolve(f.src, f.time, { observedOn: f.observedOn }).map((s) => s.key), ['cilium-ingress']);
  // The identity number alone (a record without labels) says the same (flow.proto: identity 8).
  const numbered = decoded({ ...PROXY_TO_API, flow: { ...PROXY_TO_API.flow, source: { identity: 8 } } });
  assert.deepEqual(index.resolve(numbered.src, numbered.time).map((s) => s.key), ['cilium-ingress']);
});

test('the Cilium Ingress proxy peer round-trips through its key', () => {
  assert.equal(peerKey({ kind: 'cilium-ingress' }), 'cilium-ingress');
  assert.deepEqual(parsePeerKey('cilium-ingress'), { kind: 'cilium-ingress' });
});
