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

/** A Hubble record of the proxy (10.244.2.250, in node-2's pod CIDR) opening a connection to shop/api on 8080. */
const PROXY_TO_API = {
  flow: {
    time: '2026-12-05T11:30:00Z',
    verdict: 'FORWARDED',
    IP: { source: '10.244.2.250', destination: '10.244.2.20', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40005, destination_port: 8080, flags: { SYN: true } } },
    source: { identity: 8, labels: ['reserved:ingress'] },
    destination: { ID: 22, identity: 30002, namespace: 'shop', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'api-abc123-bbbbb', workloads: [{ name: 'api', kind: 'Deployment' }] },
    Type: 'L3_L4',
    node_name: 'node-2',
    traffic_direction: 'INGRESS',
    trace_observation_point: 'TO_ENDPOINT',
    is_reply: false,
  },
  node_name: 'node-2',
  time: '2026-12-05T11:30:00Z',
};

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
