/**
 * The flows that stand for an exposed workload's clients (recommender/synthesize/exposure-flows.ts):
 * per exposed target port one from an address outside the cluster, and one from a node where a
 * NodePort or LoadBalancer Service exposes it (externalTrafficPolicy Cluster: "packets sent to
 * Services with Type=NodePort are source NAT'd by default", Kubernetes "Using Source IP"). An
 * Ingress backend's clients come through the controller, not a node port: its pods where observed
 * edges show them (kubernetes.io "Ingress": "An Ingress controller is responsible for fulfilling the
 * Ingress, usually with a load balancer"), else the outside address only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey, workloadKey } from '../../domain/peer.ts';
import { edgeProxies, exposureClients, forwardingNode } from '../../recommender/synthesize/exposure-flows.ts';

const workload = (namespace: string, name: string, exposure: Workload['exposure'], hostNetwork = false): Workload => ({ namespace, kind: 'Deployment', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork, ports: [], services: [`${namespace}/${name}`], exposure });
const web = (exposure: Workload['exposure']): Workload => workload('shop', 'web', exposure);
const clients = (w: Workload, node: string | undefined, observed: readonly EdgeTraffic[] = [], proxies: ReadonlySet<string> = new Set()) => exposureClients(w, node, observed, proxies);
const described = (w: Workload, node: string | undefined, observed: readonly EdgeTraffic[] = [], proxies: ReadonlySet<string> = new Set()) =>
  clients(w, node, observed, proxies).flows.map((f) => `${peerKey(f.edge.client)} → ${f.edge.port}/${f.edge.protocol}: ${f.rule}`);

/** An observed edge from `client` to shop/web on `port`/TCP. */
const observedEdge = (client: Workload, port: number): EdgeTraffic => ({
  client: { kind: 'workload', workload: { namespace: client.namespace, kind: client.kind, name: client.name } },
  server: { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'web' } },
  port,
  protocol: 'TCP',
  lastSeen: 1,
  flows: 1,
  forwarded: 1,
  dropped: 0,
});

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
  assert.ok(clients(w, 'node-a').flows.every((f) => f.exposed === true));
});

test('no node with an address: the world only; the node that stands for the others is the first by name with an address', () => {
  assert.deepEqual(described(web([{ via: 'NodePort', object: 'shop/web', port: 30000, protocol: 'TCP' }]), undefined), ['external:198.51.100.1 → 30000/TCP: exposed by Service shop/web type NodePort']);
  assert.equal(forwardingNode([{ name: 'b', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], podCIDRs: [] }, { name: 'a', labels: {}, addresses: [], podCIDRs: [] }]), 'b');
  assert.equal(forwardingNode([]), undefined);
});

test("an Ingress alone, its controller's pods observed on the port: they stand for its clients (their edge is required), no outside address; a port a LoadBalancer exposes too keeps the world and the node", () => {
  // kubernetes.io "Ingress": the controller fulfils the Ingress, "usually with a load balancer": its
  // proxy (ingress-nginx-controller, itself behind a LoadBalancer Service) is what reaches the backend.
  const controller = workload('ingress-nginx', 'ingress-nginx-controller', [{ via: 'LoadBalancer', object: 'ingress-nginx/ingress-nginx-controller', port: 443, protocol: 'TCP' }]);
  const cart = workload('shop', 'cart', []);
  const w = web([
    { via: 'Ingress', object: 'shop/web', port: 8080, protocol: 'TCP' },
    { via: 'Ingress', object: 'shop/web', port: 9000, protocol: 'TCP' },
    { via: 'LoadBalancer', object: 'shop/web', port: 9000, protocol: 'TCP' },
    { via: 'Ingress', object: 'shop/admin', port: 9100, protocol: 'TCP' },
  ]);
  const fromController = observedEdge(controller, 8080);
  // cart is reached from nowhere outside: an in-cluster client of the port, not the Ingress's controller.
  const observed = [fromController, observedEdge(controller, 9000), observedEdge(cart, 9100)];
  const proxies = edgeProxies([controller, cart, w]);
  // web is behind a LoadBalancer itself (9000): reached from outside, as a controller is.
  assert.deepEqual([...proxies], [workloadKey(controller), workloadKey(w)]);
  assert.deepEqual(described(w, 'node-a', observed, proxies), [
    'external:198.51.100.1 → 9000/TCP: exposed by Ingress shop/web, Service shop/web type LoadBalancer',
    'node:node-a → 9000/TCP: exposed by Ingress shop/web, Service shop/web type LoadBalancer',
    'external:198.51.100.1 → 9100/TCP: exposed by Ingress shop/admin',
  ]);
  assert.deepEqual([...clients(w, 'node-a', observed, proxies).observed], [[fromController, { rule: 'exposed by Ingress shop/web', otherEnd: false, exposed: true }]]);
  // A controller on the host network is reached at its nodes' ports: a proxy too.
  assert.deepEqual([...edgeProxies([workload('kube-system', 'router', [], true)])], ['kube-system/Deployment/router']);
});

test("externalTrafficPolicy Local keeps the client's address: the world alone stands for a Service's clients; external IPs are a Service's outside addresses like a LoadBalancer's, named in the rule", () => {
  // kubernetes.io "Using Source IP": with Local "kube-proxy only proxies proxy requests to local
  // endpoints, and does not forward traffic to other nodes. This approach preserves the original
  // source IP address"; kubernetes.io "Service", External IPs: traffic to the external IP on the
  // Service port is routed to the Service's endpoints.
  const w = web([
    { via: 'LoadBalancer', object: 'shop/web', port: 8080, protocol: 'TCP', externalTrafficPolicy: 'Local' },
    { via: 'externalIPs', object: 'shop/admin', port: 9000, protocol: 'TCP', addresses: ['203.0.113.10', '203.0.113.11'], externalTrafficPolicy: 'Cluster' },
    { via: 'externalIPs', object: 'shop/batch', port: 9100, protocol: 'TCP', addresses: ['203.0.113.12'], externalTrafficPolicy: 'Local' },
  ]);
  assert.deepEqual(described(w, 'node-a'), [
    'external:198.51.100.1 → 8080/TCP: exposed by Service shop/web type LoadBalancer (externalTrafficPolicy Local)',
    'external:198.51.100.1 → 9000/TCP: exposed by Service shop/admin externalIPs 203.0.113.10, 203.0.113.11 (externalTrafficPolicy Cluster)',
    'node:node-a → 9000/TCP: exposed by Service shop/admin externalIPs 203.0.113.10, 203.0.113.11 (externalTrafficPolicy Cluster)',
    'external:198.51.100.1 → 9100/TCP: exposed by Service shop/batch externalIPs 203.0.113.12 (externalTrafficPolicy Local)',
  ]);
  // A Service reached on its external IPs is reached from outside itself: it may be an Ingress controller's proxy.
  const onExternalIps = workload('ingress', 'proxy', [{ via: 'externalIPs', object: 'ingress/proxy', port: 443, protocol: 'TCP', addresses: ['203.0.113.20'] }]);
  assert.deepEqual([...edgeProxies([onExternalIps])], ['ingress/Deployment/proxy']);
});
