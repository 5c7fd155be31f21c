/**
 * Calico HostEndpoints and the FelixConfiguration `default` are kept by the inventory import (with
 * the applied policies), checked at the door as Calico's validator would (libcalico-go
 * lib/apis/v3/hostendpoint.go HostEndpointSpec, lib/validator/v3 validateHostEndpointSpec), and
 * reach the calico simulator from the store: a tester's cluster whose auto host endpoints
 * (kube-controllers generateHostendpointFromNode) and GlobalNetworkPolicy host-protect were
 * imported had its nodes judged as unpoliced ("ignored: {HostEndpoint.projectcalico.org: 3}").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../app/errors.ts';
import { importInventory } from '../../app/inventory.ts';
import { readInventory } from '../../store/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation, verifyRecommendationInChunks, recommendWithWarnings } from '../../app/recommendation.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2025-03-01T08:00:00Z';
const takenAt = Date.parse(T);

const node = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `n-${name}`, creationTimestamp: T, labels: { 'kubernetes.io/hostname': name } },
  spec: { podCIDR: '10.244.1.0/24' },
  status: { addresses: [{ address: ip, type: 'InternalIP' }] },
});
const hep = (spec: Record<string, unknown>, name = 'w1-auto-hep') => ({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name, labels: { 'kubernetes.io/hostname': 'w1' } }, spec });
const autoHep = hep({ node: 'w1', interfaceName: '*', expectedIPs: ['10.0.0.11'], profiles: ['projectcalico-default-allow'] });
const hostProtect = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'host-protect' },
  spec: { selector: 'has(kubernetes.io/hostname)', types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: 'has(node-role.kubernetes.io/control-plane)' } }] },
};
const felix = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22 }] } };
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

test('HostEndpoints and the FelixConfiguration are kept, and the calico simulator polices the node as its host endpoint', () => {
  const { db } = tmpDb();
  const summary = importInventory(db, { text: list(node('w1', '10.0.0.11'), autoHep, hostProtect, felix), takenAt, source: 'test' });
  assert.deepEqual(summary.ignored, {});
  const inventory = readInventory(db);
  assert.deepEqual(inventory.policies.map((p) => `${p.kind} ${p.name}`).sort(), ['FelixConfiguration default', 'GlobalNetworkPolicy host-protect', 'HostEndpoint w1-auto-hep']);
  const model = clusterModel(inventory);
  // `simulate --policies` gives the policies alone: the host endpoint comes from the store.
  const sim = calicoSimulator([hostProtect], model.cluster);
  const w1 = model.nodeOf('w1')!;
  const v = sim.evaluate({ client: { kind: 'external', ip: '192.0.2.7' }, server: { kind: 'node', node: w1, ip: '10.0.0.11' }, port: 10250, protocol: 'TCP' });
  assert.equal(v.verdict, 'deny');
  assert.match(v.ingress.reason, /host endpoint w1-auto-hep/);
  // felix reads the FelixConfiguration default's failsafe list instead of its own defaults.
  const ssh = sim.evaluate({ client: { kind: 'external', ip: '192.0.2.7' }, server: { kind: 'node', node: w1, ip: '10.0.0.11' }, port: 22, protocol: 'TCP' });
  assert.match(ssh.ingress.reason, /FelixConfiguration default/);
});

test('a HostEndpoint Calico would refuse is refused at the door, naming the field', () => {
  const refused = (spec: Record<string, unknown>, pattern: RegExp) => {
    const { db } = tmpDb();
    assert.throws(
      () => importInventory(db, { text: list(hep(spec)), takenAt, source: 'test' }),
      (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && pattern.test(e.message),
    );
  };
  refused({ node: 'w1', interfaceName: '*', expectedIPs: ['10.0.0.300'] }, /HostEndpoint w1-auto-hep: spec\.expectedIPs\[0\]: expected an IPv4 or IPv6 address, got the string "10\.0\.0\.300"/);
  refused({ node: 'w1', interfaceName: 'a-much-too-long-interface' }, /spec\.interfaceName: expected "\*" or an interface name/);
  refused({ node: 'w1' }, /spec\.interfaceName: expected an interface name, or addresses in spec\.expectedIPs/);
  refused({ interfaceName: 'eth0' }, /spec\.node: expected a non-empty string/);
  refused({ node: 'w1', interfaceName: 'eth0', profiles: ['Not_A_Name'] }, /spec\.profiles\[0\]: expected a profile name/);
});

test('where host endpoints police nodes, the calico verification judges their side (calico-host-endpoint-sides.test.ts) and no longer warns that it does not (whole and in chunks)', () => {
  const { db } = tmpDb();
  const web = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'app', uid: 'p-web', creationTimestamp: T, labels: { app: 'web' } },
    spec: { nodeName: 'w1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: 'Running', hostIP: '10.0.0.11', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }] },
  };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } } };
  importInventory(db, { text: list(ns, node('w1', '10.0.0.11'), web, autoHep, hostProtect), takenAt, source: 'test' });
  const input = readRecommendationInput(db, {});
  const notJudged = /host endpoint/i;
  const whole = runRecommendation(input, 'calico', recommendOptions({ namespace: 'app' }), { tightness: false }).verification;
  assert.ok(!whole.warnings.some((w) => notJudged.test(w)), whole.warnings.join('\n'));
  const rec = recommendWithWarnings(input, recommendOptions({ namespace: 'app' }), {});
  const chunked = verifyRecommendationInChunks(input, rec, 'calico', { tightness: false }).verification;
  assert.ok(!chunked.warnings.some((w) => notJudged.test(w)), chunked.warnings.join('\n'));
});

test('a failsafe net is an address or a CIDR (felix rules/static.go cnet.ParseCIDROrIP; libcalico-go validateProtoPort checks only the protocol), and node.<name> is kept beside default', () => {
  const { db } = tmpDb();
  const felixAt = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name }, spec });
  const fromW2 = felixAt('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22, net: '10.0.0.12' }, { protocol: 'TCP', port: 6443, net: 'fd00::/64' }] });
  const closedOnW1 = felixAt('node.w1', { failsafeOutboundHostPorts: [] });
  const summary = importInventory(db, { text: list(node('w1', '10.0.0.11'), node('w2', '10.0.0.12'), autoHep, hostProtect, fromW2, closedOnW1), takenAt, source: 'test' });
  assert.deepEqual(summary.ignored, {});
  const model = clusterModel(readInventory(db));
  const sim = calicoSimulator([hostProtect], model.cluster);
  const w1 = model.nodeOf('w1')!;
  const to22 = (ip: string) => sim.evaluate({ client: { kind: 'external', ip }, server: { kind: 'node', node: w1, ip: '10.0.0.11' }, port: 22, protocol: 'TCP' }).ingress;
  assert.match(to22('10.0.0.12').reason, /failsafe tcp:22 from 10\.0\.0\.12 \(FelixConfiguration default/);
  assert.equal(to22('192.0.2.7').allowed, false);
  // node.w1 closes w1's outbound failsafes: its DNS to an outside resolver is no failsafe (the profile allows it).
  const dns = sim.evaluate({ client: { kind: 'node', node: w1, ip: '10.0.0.11' }, server: { kind: 'external', ip: '192.0.2.53' }, port: 53, protocol: 'UDP' }).egress;
  assert.doesNotMatch(dns.reason, /failsafe/);

  const { db: db2 } = tmpDb();
  assert.throws(
    () => importInventory(db2, { text: list(felixAt('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22, net: '10.0.0.300' }] })), takenAt, source: 'test' }),
    (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && /FelixConfiguration default: spec\.failsafeInboundHostPorts\[0\]\.net: expected an IP address or a CIDR/.test(e.message),
  );
});
