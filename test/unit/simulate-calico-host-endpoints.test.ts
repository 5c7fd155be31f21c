/**
 * The `calico` simulator with HostEndpoints: a node (its host-network pods, an apiserver at its
 * address) that has a host endpoint is that endpoint. Input → expected verdict, each citing where
 * it comes from. Doc pages are under https://docs.tigera.io/calico/latest/ :
 *   HEP      = reference/resources/hostendpoint ("Default behavior of external traffic to/from host")
 *   OVERVIEW = reference/host-endpoints/overview (labels "in the same namespace as those of workload endpoints")
 *   FAILSAFE = reference/host-endpoints/failsafe
 * and upstream code in projectcalico/calico:
 *   PARAMS = felix/config/config_params.go (FailsafeInboundHostPorts, FailsafeOutboundHostPorts defaults)
 *   STATIC = felix/rules/static.go (filterInputChain: workload traffic goes to cali-wl-to-host, not
 *            to the host endpoint's chain; filterOutputChain: host → local endpoint is not policed)
 *   AUTO   = kube-controllers pkg/controllers/node (generateHostendpointFromNode: `<node>-auto-hep`,
 *            interfaceName "*", the node's labels, its addresses as expectedIPs, profile projectcalico-default-allow)
 *
 * The cluster is a tester's reproduction: control plane cp1, workers w1 and w2, every node with its
 * auto host endpoint, and GlobalNetworkPolicy host-protect (has(kubernetes.io/hostname), Ingress,
 * Allow from has(node-role.kubernetes.io/control-plane)).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimNode, SimPod } from '../../recommender/simulate/types.ts';

const nodeOf = (name: string, ip: string, extra: Record<string, string> = {}): SimNode => ({ name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...extra }, ips: [ip] });
const cp1 = nodeOf('cp1', '10.0.0.10', { 'node-role.kubernetes.io/control-plane': '' });
const w1 = nodeOf('w1', '10.0.0.11');
const w2 = nodeOf('w2', '10.0.0.12');

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, node: string, hostNetwork = false): SimPod => ({ namespace, name, labels, ips: [ip], node, hostNetwork, ports: [] });
const web = pod('app', 'web', { app: 'web' }, '10.244.1.5', 'w1');
const client = pod('app', 'client', { app: 'client' }, '10.244.2.7', 'w2');
const prometheus = pod('monitoring', 'prometheus', { app: 'prometheus' }, '10.244.2.6', 'w2');
const metricsServer = pod('monitoring', 'metrics-server', { app: 'metrics-server' }, '10.244.2.5', 'w2');
const nodeExporter = pod('monitoring', 'node-exporter-w1', { app: 'node-exporter' }, '10.0.0.11', 'w1', true);

/** AUTO: what kube-controllers makes of a node. */
const autoHep = (n: SimNode) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'HostEndpoint',
  metadata: { name: `${n.name}-auto-hep`, labels: { ...n.labels, 'projectcalico.org/created-by': 'calico-kube-controllers' } },
  spec: { node: n.name, interfaceName: '*', expectedIPs: n.ips, profiles: ['projectcalico-default-allow'] },
});

const cluster = (hostObjects: unknown[]): SimCluster => ({
  namespaces: [
    { name: 'app', labels: {} },
    { name: 'monitoring', labels: {} },
  ],
  nodes: [cp1, w1, w2],
  pods: [web, client, prometheus, metricsServer, nodeExporter],
  services: [],
  apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.244.0.0/16'],
  calicoHostObjects: hostObjects,
});
const withAutoHeps = cluster([cp1, w1, w2].map(autoHep));

const hostProtect = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'host-protect' },
  spec: { order: 10, selector: 'has(kubernetes.io/hostname)', types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: 'has(node-role.kubernetes.io/control-plane)' } }] },
};

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const N = (n: SimNode): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const flow = (c: SimEndpoint, s: SimEndpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): SimFlow => ({ client: c, server: s, port, protocol, family: 4 });

test('host-protect on auto host endpoints: the six flows of the reproduction', () => {
  const sim = calicoSimulator([hostProtect], withAutoHeps);
  // HEP + OVERVIEW: host-protect applies to w1-auto-hep (its labels hold kubernetes.io/hostname); metrics-server is no control-plane endpoint: end of tier default.
  const kubelet = sim.evaluate(flow(P(metricsServer), N(w1), 10250));
  assert.equal(kubelet.verdict, 'deny');
  assert.match(kubelet.ingress.reason, /end of tier default.*host endpoint w1-auto-hep/);
  // A host-network pod is its node (HEP: "traffic that is entering or leaving the host's default network namespace"): the same cut.
  const exporter = sim.evaluate(flow(P(prometheus), P(nodeExporter), 9100));
  assert.equal(exporter.verdict, 'deny');
  assert.match(exporter.ingress.reason, /host endpoint w1-auto-hep/);
  // FAILSAFE + PARAMS: tcp:6443 and tcp:22 are in FailsafeInboundHostPorts' default: allowed whatever the policy.
  const apiserver = sim.evaluate(flow(P(web), { kind: 'apiserver', ip: '10.0.0.10' }, 6443));
  assert.equal(apiserver.verdict, 'allow');
  assert.match(apiserver.ingress.reason, /failsafe.*tcp:6443.*felix default/);
  const ssh = sim.evaluate(flow(P(client), N(w1), 22));
  assert.equal(ssh.verdict, 'allow');
  assert.match(ssh.ingress.reason, /failsafe.*tcp:22/);
  // STATIC: host → local pod is not policed; the node's egress is its host endpoint's: no Egress policy applies, profile projectcalico-default-allow allows (HEP).
  const probe = sim.evaluate(flow(N(w1), P(web), 8080));
  assert.equal(probe.verdict, 'allow');
  const fromW2 = sim.evaluate(flow(N(w2), P(web), 8080));
  assert.equal(fromW2.verdict, 'allow');
  assert.match(fromW2.egress.reason, /projectcalico-default-allow/);
});

test('a source selector matches a host endpoint by its labels and expectedIPs (OVERVIEW: rules "refer to the other type")', () => {
  const fromNodes = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'app-from-nodes' },
    spec: { namespaceSelector: "projectcalico.org/name == 'app'", selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: 'has(kubernetes.io/hostname)' }, destination: { ports: [8080] } }] },
  };
  const sim = calicoSimulator([fromNodes], withAutoHeps);
  const v = sim.evaluate(flow(N(w2), P(web), 8080));
  assert.equal(v.verdict, 'allow', v.ingress.reason);
  assert.equal(v.ingress.by?.policy, 'GlobalNetworkPolicy/app-from-nodes');
  // A pod is no host endpoint: the same rule does not admit it.
  assert.equal(sim.evaluate(flow(P(client), P(web), 8080)).verdict, 'deny');
});

test('a named-interface host endpoint with no policy and no profile denies all but the failsafe ports (HEP: "the Calico default is to deny")', () => {
  const eth0 = { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'w1-eth0', labels: { role: 'worker' } }, spec: { node: 'w1', interfaceName: 'eth0', expectedIPs: ['10.0.0.11'] } };
  // From the policies given, as `simulate --policies` reads them: the inventory holds none.
  const sim = calicoSimulator([eth0], cluster([]));
  const kubelet = sim.evaluate(flow(P(metricsServer), N(w1), 10250));
  assert.equal(kubelet.verdict, 'deny');
  assert.match(kubelet.ingress.reason, /host endpoint w1-eth0.*no profile allows/);
  assert.equal(sim.evaluate(flow(P(client), N(w1), 22)).verdict, 'allow');
  // Its egress too (HEP "to/from that endpoint"), but for the outbound failsafe ports (PARAMS: udp:53 among them).
  assert.equal(sim.evaluate(flow(N(w1), P(prometheus), 9090)).verdict, 'deny');
  // w2 has no host endpoint: nothing polices it.
  assert.equal(sim.evaluate(flow(P(metricsServer), N(w2), 10250)).verdict, 'allow');
});

test('failsafe 22 and 6443 stay open under a deny-all GlobalNetworkPolicy; a FelixConfiguration default replaces the ports (FAILSAFE, PARAMS)', () => {
  const denyAll = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()', types: ['Ingress', 'Egress'] } };
  const sim = calicoSimulator([denyAll], withAutoHeps);
  assert.equal(sim.evaluate(flow(P(client), N(w1), 22)).ingress.allowed, true);
  assert.equal(sim.evaluate(flow(P(client), N(cp1), 6443)).ingress.allowed, true);
  assert.equal(sim.evaluate(flow(P(client), N(w1), 10250)).ingress.allowed, false);
  const felix = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 10250 }] } };
  const configured = calicoSimulator([denyAll], cluster([...[cp1, w1, w2].map(autoHep), felix]));
  const kubelet = configured.evaluate(flow(P(client), N(w1), 10250)).ingress;
  assert.equal(kubelet.allowed, true);
  assert.match(kubelet.reason, /FelixConfiguration default/);
  assert.equal(configured.evaluate(flow(P(client), N(w1), 22)).ingress.allowed, false);
});

/*
 * Per-node failsafe lists. Upstream:
 *   SOURCES = felix/config/config_params.go (`Default`, `DatastoreGlobal`, `DatastorePerHost`, …:
 *             "Values from higher-numbered sources override those from lower-numbered sources";
 *             UpdateFrom: a value "none" forces the zero value, here the empty list)
 *   FELIXCFG = docs.tigera.io reference/resources/felixconfig ("node.<nodename>" holds "the
 *             node-specific overrides")
 *   CONVERT = libcalico-go updateprocessors/felixconfigprocessor.go protoPortSliceToString (an
 *             empty failsafe list is sent to felix as "none"), configurationprocessor.go (a field
 *             left unset deletes the key: the lower source holds)
 */
const felixConfig = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name }, spec });
const denyAll = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()', types: ['Ingress', 'Egress'] } };

test('FelixConfiguration node.w1 overrides default on w1 only, field by field; an empty list closes every failsafe (SOURCES, FELIXCFG, CONVERT)', () => {
  const closedOnW1 = felixConfig('node.w1', { failsafeInboundHostPorts: [] });
  const sim = calicoSimulator([denyAll], cluster([...[cp1, w1, w2].map(autoHep), closedOnW1]));
  // The reviewer's case: Calico drops tcp:22 to w1 (its per-host list is empty), not to w2.
  const sshW1 = sim.evaluate(flow(P(client), N(w1), 22)).ingress;
  assert.equal(sshW1.allowed, false, sshW1.reason);
  const sshW2 = sim.evaluate(flow(P(web), N(w2), 22)).ingress;
  assert.equal(sshW2.allowed, true);
  assert.match(sshW2.reason, /felix default FailsafeInboundHostPorts/);
  // node.w1 leaves the outbound list unset: w1's egress keeps felix's defaults (udp:53).
  const dns = sim.evaluate(flow(N(w1), P(prometheus), 53, 'UDP')).egress;
  assert.equal(dns.allowed, true, dns.reason);
  assert.match(dns.reason, /felix default FailsafeOutboundHostPorts/);

  // node.w1 over default over felix's defaults, and the reason names the object the list came from.
  const layered = calicoSimulator([denyAll], cluster([...[cp1, w1, w2].map(autoHep), felixConfig('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 10250 }], failsafeOutboundHostPorts: [{ protocol: 'UDP', port: 5353 }] }), felixConfig('node.w1', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 9100 }] })]));
  const exporter = layered.evaluate(flow(P(client), N(w1), 9100)).ingress;
  assert.equal(exporter.allowed, true);
  assert.match(exporter.reason, /FelixConfiguration node\.w1 spec\.failsafeInboundHostPorts/);
  assert.equal(layered.evaluate(flow(P(client), N(w1), 10250)).ingress.allowed, false);
  const kubeletW2 = layered.evaluate(flow(P(web), N(w2), 10250)).ingress;
  assert.equal(kubeletW2.allowed, true);
  assert.match(kubeletW2.reason, /FelixConfiguration default spec\.failsafeInboundHostPorts/);
  const mdns = layered.evaluate(flow(N(w1), P(prometheus), 5353, 'UDP')).egress;
  assert.equal(mdns.allowed, true);
  assert.match(mdns.reason, /FelixConfiguration default spec\.failsafeOutboundHostPorts/);
});

test('a failsafe net given as a plain address is that one address (felix rules/static.go: cnet.ParseCIDROrIP(protoPort.Net))', () => {
  const fromW2 = felixConfig('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22, net: '10.0.0.12' }] });
  const sim = calicoSimulator([denyAll], cluster([...[cp1, w1, w2].map(autoHep), fromW2]));
  const ssh = sim.evaluate(flow(N(w2), N(w1), 22)).ingress;
  assert.equal(ssh.allowed, true, ssh.reason);
  assert.match(ssh.reason, /failsafe tcp:22 from 10\.0\.0\.12 \(FelixConfiguration default/);
  assert.equal(sim.evaluate(flow(N(cp1), N(w1), 22)).ingress.allowed, false);
  // Outbound, the net is the destination's.
  const toCp1 = calicoSimulator([denyAll], cluster([...[cp1, w1, w2].map(autoHep), felixConfig('default', { failsafeOutboundHostPorts: [{ protocol: 'UDP', port: 53, net: '10.0.0.10' }] })]));
  assert.match(toCp1.evaluate(flow(N(w1), N(cp1), 53, 'UDP')).egress.reason, /failsafe udp:53 to 10\.0\.0\.10 \(FelixConfiguration default spec\.failsafeOutboundHostPorts\)/);
  assert.equal(toCp1.evaluate(flow(N(w1), N(w2), 53, 'UDP')).egress.allowed, false);
});

test('a FelixConfiguration given replaces the stored one of its name wholly, as applying it would (a list it leaves out is felix\'s default again)', () => {
  const stored = felixConfig('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 10250 }] });
  const given = felixConfig('default', { failsafeOutboundHostPorts: [{ protocol: 'UDP', port: 53 }] });
  const sim = calicoSimulator([denyAll, given], cluster([...[cp1, w1, w2].map(autoHep), stored]));
  assert.equal(sim.evaluate(flow(P(client), N(w1), 10250)).ingress.allowed, false);
  const ssh = sim.evaluate(flow(P(client), N(w1), 22)).ingress;
  assert.equal(ssh.allowed, true);
  assert.match(ssh.reason, /felix default FailsafeInboundHostPorts/);
});
