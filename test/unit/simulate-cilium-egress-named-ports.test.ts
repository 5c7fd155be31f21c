/**
 * How the Cilium agent resolves a port name in an egress rule, by its release (input → expected
 * verdict). Code paths are cilium/cilium's.
 *
 * - Up to 1.19: over the named ports of every pod on the pod network, the one number they all give
 *   the name, none where they disagree (pkg/policy/types NamedPortMultiMap.GetNamedPort:
 *   ErrDuplicateNamedPorts; PR #44429: "Previously, egress policies using named ports would
 *   consider all named port definitions across the cluster"); that number then opens to every
 *   peer the rule selects.
 * - From 1.20: per destination identity (PR #44429 "Resolve named ports for egress policies based
 *   on destination identities", then PR #45760 "Named ports identity label": an endpoint's named
 *   ports join its identity as `gen:io.cilium.k8s.named-ports`, and egress policy map entries are
 *   made per destination identity with its own number, `GetNamedPorts`; "Wildcard egress
 *   destination policies with named ports are expanded to per-identity policies without adding a
 *   wildcard identity policy"): the number the destination pod itself gives the name; an address
 *   that is no pod (world, a node, a host-network pod) has none.
 * - A build the inventory shows no release of: a side is allowed only where both readings allow it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { egressNamedPortReadings } from '../../domain/cilium-release.ts';
import type { CiliumPolicySettings } from '../../domain/inventory.ts';
import { namesEgressPortOnCilium } from '../../recommender/simulate/cilium/egress-port-names.ts';
import { ciliumEgressNamedPortReadingWarning } from '../../recommender/simulate/decide.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, labels: Record<string, string>, ip: string, ports: SimPod['ports'] = []): SimPod => ({ namespace, name: Object.values(labels)[0]!, labels, ips: [ip], node: 'node-a', hostNetwork: false, ports });
const web = pod('shop', { app: 'web' }, '10.1.0.1');
// http: 8080 on api, 9091 on prom; admin: 8443 on api alone.
const api = pod('shop', { app: 'api' }, '10.1.0.2', [
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'admin', port: 8443, protocol: 'TCP' },
]);
const prom = pod('shop', { app: 'prom' }, '10.1.0.3', [{ name: 'http', port: 9091, protocol: 'TCP' }]);

const V1_19 = 'quay.io/cilium/cilium:v1.19.3';
const V1_20 = 'quay.io/cilium/cilium:v1.20.1';
const SETTINGS: CiliumPolicySettings = { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enablePolicy: 'default', enableK8sClusterNetworkPolicy: true };
const cluster = (image: string | undefined): SimCluster => ({
  namespaces: [
    { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } },
    { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  ],
  nodes: [{ name: 'node-a', labels: {}, ips: ['10.0.0.1'] }],
  pods: [web, api, prom],
  services: [],
  apiserver: [],
  podCIDRs: ['10.1.0.0/16'],
  ciliumClusterName: 'default',
  ciliumPolicy: SETTINGS,
  ...(image !== undefined ? { ciliumAgentImage: image } : {}),
});
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const EXT = (ip: string): SimEndpoint => ({ kind: 'external', ip });

const cnp = (egress: unknown[]) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web-out', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress } });
const toPort = (name: string, peer: Record<string, unknown> = { toEndpoints: [{}] }) => cnp([{ ...peer, toPorts: [{ ports: [{ port: name, protocol: 'TCP' }] }] }]);

function egress(policies: unknown[], image: string | undefined, server: SimEndpoint, port: number) {
  const sim = SIMULATORS.cilium(policies, cluster(image));
  const flow: SimFlow = { client: P(web), server, port, protocol: 'TCP' };
  const v = sim.side!(flow, 'egress');
  assert.equal(sim.allows!(flow, 'egress'), v.allowed, 'allows() agrees with side()');
  return v;
}

test('Cilium 1.20 resolves an egress port name on each destination (PR #44429, #45760): http is 8080 to api and 9091 to prom, though the pods disagree', () => {
  const http = [toPort('http')];
  assert.equal(egress(http, V1_20, P(api), 8080).allowed, true);
  assert.equal(egress(http, V1_20, P(prom), 9091).allowed, true);
  assert.equal(egress(http, V1_20, P(api), 9091).allowed, false, 'prom\'s number is not api\'s');
});

test('Cilium 1.20 opens a name only to a destination that declares it: admin (8443 on api alone) is not 8443 to prom, nor to an outside address', () => {
  assert.equal(egress([toPort('admin')], V1_20, P(api), 8443).allowed, true);
  assert.equal(egress([toPort('admin')], V1_20, P(prom), 8443).allowed, false);
  assert.equal(egress([toPort('admin', { toEntities: ['world'] })], V1_20, EXT('198.51.100.7'), 8443).allowed, false);
});

test('Cilium 1.19 resolves it over every pod (GetNamedPort before PR #44429): http has two numbers and opens none; admin is 8443 to every peer the rule selects', () => {
  assert.equal(egress([toPort('http')], V1_19, P(api), 8080).allowed, false);
  assert.equal(egress([toPort('http')], V1_19, P(prom), 9091).allowed, false);
  const toProm = egress([toPort('admin')], V1_19, P(prom), 8443);
  assert.equal(toProm.allowed, true, toProm.reason);
  const world = egress([toPort('admin', { toEntities: ['world'] })], V1_19, EXT('198.51.100.7'), 8443);
  assert.equal(world.allowed, true, world.reason);
});

test('a build of no known release: a side is allowed only where both readings allow it', () => {
  const http = egress([toPort('http')], undefined, P(api), 8080);
  assert.equal(http.allowed, false, 'the older reading opens none');
  assert.match(http.reason, /denied as Cilium up to 1\.19 resolves egress port names .*; 1\.20 and later allow it/);
  const admin = egress([toPort('admin')], undefined, P(prom), 8443);
  assert.equal(admin.allowed, false, '1.20 opens it to api only');
  assert.match(admin.reason, /denied as Cilium 1\.20 and later resolve egress port names .*; releases up to 1\.19 allow it/);
  assert.equal(egress([toPort('admin')], 'quay.io/cilium/cilium:latest', P(api), 8443).allowed, true, 'both open it to api');
});

test('a NetworkPolicy egress port name on Cilium 1.20 resolves on the destination too (pkg/k8s/network_policy.go parsePorts keeps the name)', () => {
  const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-out', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] } };
  assert.equal(egress([np], V1_20, P(api), 8080).allowed, true);
  assert.equal(egress([np], V1_20, P(prom), 9091).allowed, true);
  const on119 = egress([np], V1_19, P(api), 8080);
  assert.equal(on119.allowed, false);
  assert.match(on119.reason, /names port http, which Cilium resolves over the named ports of every pod: they give it 8080 and 9091, so it opens none/);
});

// ParseClusterNetworkPolicy converts `destinationNamedPort: http` into a Cilium port rule
// `{Port: "http", Protocol: ANY}` (pkg/k8s cluster_network_policy_test.go "ingress rule with named
// port"), which the agent resolves as any port name of its own rules: on egress by its release.
test('a ClusterNetworkPolicy destinationNamedPort on Cilium is resolved as Cilium resolves egress port names: over every pod before 1.20, on the destination from 1.20', () => {
  const accept = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'web-admin' }, spec: { tier: 'Admin', priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, egress: [{ name: 'admin', action: 'Accept', to: [{ namespaces: {} }], protocols: [{ destinationNamedPort: 'admin' }] }] } };
  // web's own egress isolated by a Cilium policy that allows nothing on these ports.
  const isolated = cnp([{ toEndpoints: [{ matchLabels: { app: 'none' } }] }]);
  assert.equal(egress([accept, isolated], V1_19, P(prom), 8443).allowed, true, 'before 1.20: admin is 8443 everywhere');
  assert.equal(egress([accept, isolated], V1_20, P(prom), 8443).allowed, false, '1.20: prom declares no admin');
  assert.equal(egress([accept, isolated], V1_20, P(api), 8443).allowed, true);
});

test('egressNamedPortReadings: one reading for a release (up to 1.19 over the pod network, from 1.20 on the destination), both for a build of no release', () => {
  assert.deepEqual(egressNamedPortReadings(V1_19), ['pod-network']);
  assert.deepEqual(egressNamedPortReadings('quay.io/cilium/cilium:v1.18.6'), ['pod-network']);
  assert.deepEqual(egressNamedPortReadings(V1_20), ['destination']);
  assert.deepEqual(egressNamedPortReadings('quay.io/cilium/cilium:v1.21.0'), ['destination']);
  for (const image of [undefined, 'quay.io/cilium/cilium:v1.20.0-pre.3', 'quay.io/cilium/cilium:latest', 'quay.io/cilium/cilium@sha256:0000000000000000000000000000000000000000000000000000000000000000']) {
    assert.deepEqual(egressNamedPortReadings(image), ['pod-network', 'destination'], String(image));
  }
});

test('the warning where both readings judged: only for a build of no release, and not where nothing is enforced', () => {
  const c = (image: string | undefined, enablePolicy: CiliumPolicySettings['enablePolicy'] = 'default') => ({ ciliumPolicy: { ...SETTINGS, enablePolicy }, ...(image !== undefined ? { ciliumAgentImage: image } : {}) });
  assert.match(ciliumEgressNamedPortReadingWarning('CiliumNetworkPolicy/shop/web-out', c(undefined)) ?? '', /^CiliumNetworkPolicy\/shop\/web-out: egress port names judged under both readings .*import the kube-system cilium DaemonSet.* a side is allowed only where both allow it/);
  assert.match(ciliumEgressNamedPortReadingWarning('x', c('quay.io/cilium/cilium:latest')) ?? '', /tag latest is no release/);
  assert.equal(ciliumEgressNamedPortReadingWarning('x', c(V1_19)), undefined);
  assert.equal(ciliumEgressNamedPortReadingWarning('x', c(V1_20)), undefined);
  assert.equal(ciliumEgressNamedPortReadingWarning('x', c(undefined, 'never')), undefined);
  // Which policies it names: those with an egress port name, of any kind Cilium enforces.
  assert.equal(namesEgressPortOnCilium(toPort('http')), true);
  assert.equal(namesEgressPortOnCilium(toPort('8080')), false);
  assert.equal(namesEgressPortOnCilium(cnp([{ toEndpoints: [{}] }])), false);
});
