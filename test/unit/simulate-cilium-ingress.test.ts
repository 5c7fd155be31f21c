/**
 * Cilium's Ingress / Gateway API proxy as each simulator reads it. Cilium gives it the reserved
 * identity `ingress`, which the `ingress`, `cluster` and `all` entities select and no endpoint
 * selector or CIDR selector does (cilium/cilium pkg/policy/api/entity.go EntitySelectorMapping,
 * InitEntities; Documentation/network/servicemesh/ingress-reference.rst: traffic must be allowed
 * "from ingress to identities in the cluster"). It is no pod and has no address a NetworkPolicy,
 * Calico or ClusterNetworkPolicy rule names: there only a rule open to any source allows it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

const api: SimPod = { namespace: 'shop', name: 'api', labels: { app: 'api' }, ips: ['10.244.2.20'], node: 'node-2', hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] };
const cluster: SimCluster = {
  namespaces: [{ name: 'shop', labels: {} }],
  nodes: [{ name: 'node-2', labels: {}, ips: ['10.0.0.12'] }],
  pods: [api],
  services: [],
  apiserver: [],
  podCIDRs: ['10.244.2.0/24'],
};
const PROXY: SimEndpoint = { kind: 'cilium-ingress' };
const flow: SimFlow = { client: PROXY, server: { kind: 'pod', pod: api }, port: 8080, protocol: 'TCP' };
const SUBJECT = { matchLabels: { app: 'api' } };
const TCP_8080 = [{ ports: [{ port: '8080', protocol: 'TCP' }] }];

function cnp(ingress: unknown[]): unknown {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { endpointSelector: SUBJECT, ingress } };
}
function np(ingress: unknown[]): unknown {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: SUBJECT, policyTypes: ['Ingress'], ingress } };
}
const allowed = (engine: keyof typeof SIMULATORS, policies: unknown[]): boolean => SIMULATORS[engine](policies, cluster).evaluate(flow).verdict === 'allow';

test('cilium: the ingress entity (and cluster, all) allows the proxy; endpoint selectors, its address as a CIDR, and the host entity do not', () => {
  for (const entity of ['ingress', 'cluster', 'all']) assert.equal(allowed('cilium', [cnp([{ fromEntities: [entity], toPorts: TCP_8080 }])]), true, entity);
  assert.equal(allowed('cilium', [cnp([{ fromEntities: ['world', 'host', 'remote-node'], toPorts: TCP_8080 }])]), false);
  assert.equal(allowed('cilium', [cnp([{ fromEndpoints: [{}], toPorts: TCP_8080 }])]), false);
  assert.equal(allowed('cilium', [cnp([{ fromCIDR: ['10.244.2.0/24'], toPorts: TCP_8080 }])]), false);
  assert.equal(allowed('cilium', [cnp([{ toPorts: TCP_8080 }])]), true, 'no L3 peer: every peer on the ports');
});

test('kubernetes: only a rule without peers allows the proxy; a pod selector or an ipBlock holding its address does not', () => {
  assert.equal(allowed('kubernetes', [np([{ ports: [{ port: 8080, protocol: 'TCP' }] }])]), true);
  assert.equal(allowed('kubernetes', [np([{ from: [{ namespaceSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] }])]), false);
  assert.equal(allowed('kubernetes', [np([{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8080, protocol: 'TCP' }] }])]), false);
});

test('calico: only a rule without source selector or nets allows the proxy', () => {
  const policy = (source: Record<string, unknown>): unknown => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source, destination: { ports: [8080] } }] },
  });
  assert.equal(allowed('calico', [policy({})]), true);
  assert.equal(allowed('calico', [policy({ selector: 'all()' })]), false);
  assert.equal(allowed('calico', [policy({ nets: ['0.0.0.0/0'] })]), false);
});
