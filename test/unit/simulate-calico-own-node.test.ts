/**
 * The `calico` simulator on a connection from a pod's own host (its node, a host-network pod
 * there) to the pod, under a Calico policy isolating the pod's ingress. Input → expected verdict:
 *   STATIC = projectcalico/calico felix/rules/static.go filterOutputChain: a packet the host sends
 *            out of a workload interface RETURNs before any policy chain ("We don't currently police
 *            host -> endpoint according to the endpoint's ingress policy … However, we do apply
 *            policy to workload ingress traffic if it belongs to an IPVS connection"); the
 *            endpoint's ingress chain (cali-tw-*) is reached only from the FORWARD chain's
 *            to-workload dispatch (StaticFilterForwardChains).
 *   K8S    = Kubernetes "Network Policies": "traffic to and from the node where a Pod is running is always allowed".
 * The same peers from another node are forwarded, so the pod's ingress policy decides them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimNode, SimPod } from '../../recommender/simulate/types.ts';

const w1: SimNode = { name: 'w1', labels: { 'kubernetes.io/hostname': 'w1' }, ips: ['10.0.0.11'] };
const w2: SimNode = { name: 'w2', labels: { 'kubernetes.io/hostname': 'w2' }, ips: ['10.0.0.12'] };
const pod = (name: string, ip: string, node: string, hostNetwork: boolean): SimPod => ({ namespace: 'app', name, labels: { app: name }, ips: [ip], node, hostNetwork, ports: [] });
const web = pod('web', '10.244.1.5', 'w1', false);
const agentW1 = pod('agent-w1', '10.0.0.11', 'w1', true);
const agentW2 = pod('agent-w2', '10.0.0.12', 'w2', true);
const neighbour = pod('neighbour', '10.244.1.6', 'w1', false);
const cluster: SimCluster = { namespaces: [{ name: 'app', labels: {} }], nodes: [w1, w2], pods: [web, agentW1, agentW2, neighbour], services: [], apiserver: [], podCIDRs: ['10.244.0.0/16'] };

/** Isolates web's ingress and allows nothing in (and isolates its egress, which stays policed). */
const isolate = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name: 'isolate', namespace: 'app' },
  spec: { selector: "app == 'web'", types: ['Ingress', 'Egress'], ingress: [], egress: [] },
};
const node = (n: SimNode): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const flow = (client: SimEndpoint, server: SimEndpoint): SimFlow => ({ client, server, port: 8080, protocol: 'TCP', family: 4 });

test('calico: the pod’s own host reaches it under an ingress-isolating policy; other nodes and pods do not', () => {
  const sim = calicoSimulator([isolate], cluster);
  // STATIC + K8S: node w1 (the kubelet's probe) → pod on w1: not policed.
  const probe = sim.evaluate(flow(node(w1), P(web)));
  assert.equal(probe.verdict, 'allow');
  assert.match(probe.ingress.reason, /own node w1.*filterOutputChain/);
  // STATIC: a host-network pod on w1 sends from w1's host network namespace: the same OUTPUT path.
  assert.equal(sim.evaluate(flow(P(agentW1), P(web))).verdict, 'allow');
  // STATIC (StaticFilterForwardChains): from another node the packet is forwarded to cali-tw-*: the policy denies.
  assert.equal(sim.evaluate(flow(node(w2), P(web))).verdict, 'deny');
  assert.equal(sim.evaluate(flow(P(agentW2), P(web))).verdict, 'deny');
  // A pod on the same node is a workload endpoint, forwarded too: denied.
  assert.equal(sim.evaluate(flow(P(neighbour), P(web))).verdict, 'deny');
  // The pod's egress to its own host goes through cali-wl-to-host, which applies its egress policy: denied.
  assert.equal(sim.evaluate(flow(P(web), node(w1))).verdict, 'deny');
});
