/**
 * A workload behind a Service of type LoadBalancer or NodePort is reached by clients flowmatrix may
 * never observe: anyone who can reach the load balancer or a node port. The recommendation opens the
 * exposed target ports to any source (the `<workload>/exposed` policy, docs/recommend.md), and the
 * verification must require it: an output that closes them cuts the Service's clients, whatever was
 * observed. Two clients stand for them (docs/recommend.md, "Verification"):
 * - an address outside the cluster (198.51.100.1, the tightness probes' world address), on each
 *   exposed target port: the client as the pod sees it where the source is kept (externalTrafficPolicy
 *   Local; an Ingress controller's load balancer sending to pod addresses);
 * - a node, on each target port of a NodePort or LoadBalancer Service: with externalTrafficPolicy
 *   Cluster, the default, "packets sent to Services with Type=NodePort are source NAT'd by default"
 *   and so are a LoadBalancer's (Kubernetes "Using Source IP", Type=NodePort and Type=LoadBalancer):
 *   the pod sees the node's address. Cilium gives that hop the `remote-node` identity (or `host` on
 *   the pod's own node), never `world` (docs.cilium.io "Layer 3 Policies", Entities Based).
 *
 * The Service's targetPort is a name that two ReplicaSets give 8080 and 9090
 * (test/fixtures/named-ports/service-rollout-inventory.json): both numbers are exposed. No flow was
 * observed, so no observed edge requires either opening: the exposure alone does.
 *
 * Before: every engine's verification said ok with the exposure policy removed (Calico and
 * NetworkPolicy then deny every outside client), and Cilium's with the exposure rendered as
 * `fromEntities: [world]` (which cuts the NodePort hop).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { emitOptions, readRecommendationInput, recommendOptions, recommendWithWarnings, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES, getEngine, type EngineName, type Manifest } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { recommend } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const TAKEN_AT = Date.parse('2025-03-02T12:00:00Z');
const NOW = TAKEN_AT + 3_600_000;
const WEB = 'shop/Deployment/web';

type Exposed = 'LoadBalancer' | 'NodePort';

/** What a test sets on web's Service spec. */
interface ServiceSpec {
  type: Exposed | 'ClusterIP';
  externalIPs?: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
}

/**
 * The fixture with web's Service of `type`, and a second node: on its own node a pod is reached by
 * the local host, which Cilium always lets in (`allow-localhost`); from node-b a forwarded client
 * is `remote-node`, which only a rule naming it lets in.
 */
function inventoryText(type: Exposed | ServiceSpec): string {
  type Item = { kind: string; metadata: { name: string }; spec: { type?: string; podCIDR?: string }; status?: { addresses: { type: string; address: string }[] } };
  const list = JSON.parse(readFileSync(new URL('../fixtures/named-ports/service-rollout-inventory.json', import.meta.url), 'utf8')) as { items: Item[] };
  const service = list.items.find((i) => i.kind === 'Service' && i.metadata.name === 'web')!;
  Object.assign(service.spec, typeof type === 'string' ? { type } : type);
  const nodeB = structuredClone(list.items.find((i) => i.kind === 'Node')!);
  nodeB.metadata = { ...nodeB.metadata, name: 'node-b' };
  nodeB.spec.podCIDR = '10.244.1.0/24';
  nodeB.status = { addresses: [{ type: 'InternalIP', address: '192.168.1.11' }] };
  list.items.push(nodeB);
  return JSON.stringify(list);
}

/** The inventory with web behind a Service of `type` (or that spec), and no flow. */
function stored(type: Exposed | ServiceSpec) {
  const { db } = tmpDb();
  importInventory(db, { text: inventoryText(type), takenAt: TAKEN_AT, source: 'service-rollout-inventory.json', now: TAKEN_AT });
  return readRecommendationInput(db, {});
}

/** The recommendation's manifests for `engine`, changed by `edit`, verified as runRecommendation verifies them: the blocked sides as `client → port`. */
function verifiedAfter(input: ReturnType<typeof stored>, engine: EngineName, edit: (manifests: Manifest[]) => Manifest[]): { ok: boolean; blocked: string[]; reasons: string[] } {
  const rec = recommendWithWarnings(input, recommendOptions({ now: NOW }), { details: false });
  const emitted = getEngine(engine).emit(rec.policySet, emitOptions(input));
  const model = clusterModel(input.inventory, input.externalNames);
  const v = verifyRecommendation({ engine, emitted: { ...emitted, manifests: edit(emitted.manifests) }, model, applied: [], sides: rec.sides, simulator: SIMULATORS[engine], tightness: false });
  const blocked = v.blocked.filter((b) => b.workload === WEB && b.direction === 'ingress');
  return { ok: v.ok, blocked: blocked.map((b) => b.edge.split('|')).map(([client, , port]) => `${client} → ${port}`), reasons: blocked.map((b) => b.reason) };
}

const isExposurePolicy = (m: Manifest): boolean => m.metadata.name.endsWith('-exposed');
const withoutExposure = (ms: Manifest[]): Manifest[] => ms.filter((m) => !isExposurePolicy(m));

/** What must be open to any client: the world on each number, and for a NodePort or LoadBalancer Service (externalTrafficPolicy Cluster) node-a on each. */
const EXPOSED_CLIENTS = ['external:198.51.100.1 → 8080', 'external:198.51.100.1 → 9090', 'node:node-a → 8080', 'node:node-a → 9090'];

for (const type of ['LoadBalancer', 'NodePort'] as const) {
  test(`a ${type} Service on a named targetPort: the recommendation opens 8080 and 9090 to any client and is verified on every engine`, async () => {
    const input = stored(type);
    assert.deepEqual(input.inventory.workloads.find((w) => w.name === 'web')?.exposure.map((e) => `${e.via} ${e.port}`), [`${type} 8080`, `${type} 9090`]);
    for (const engine of ENGINE_NAMES) {
      const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
      assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
      assert.ok(emitted.manifests.some(isExposurePolicy), `${engine}: an exposure policy`);
      assert.deepEqual(verifiedAfter(input, engine, (ms) => ms).blocked, [], engine);
    }
  });

  for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
    test(`${engine}, a ${type} Service: an output without the exposure policy cuts the Service's clients, and the verification fails naming the Service`, async () => {
      const input = stored(type);
      const v = verifiedAfter(input, engine, withoutExposure);
      assert.equal(v.ok, false);
      assert.deepEqual(v.blocked, EXPOSED_CLIENTS);
      for (const reason of v.reasons) assert.match(reason, new RegExp(`exposed by Service shop/web type ${type}`));
    });
  }

  test(`clusternetworkpolicy, a ${type} Service: without the exposure policy nothing denies the outside client or the node (the ingress isolation denies pods only), and the verification says ok`, async () => {
    // network-policy-api ClusterNetworkPolicyIngressPeer: namespaces and pods only; traffic from
    // elsewhere matches no ingress rule and passes the tier (engines/clusternetworkpolicy.ts).
    const input = stored(type);
    const v = verifiedAfter(input, 'clusternetworkpolicy', withoutExposure);
    assert.deepEqual(v.blocked, []);
    assert.equal(v.ok, true);
  });
}

/** Cilium's exposure policy with its entities narrowed to `world`. */
const worldOnly = (ms: Manifest[]): Manifest[] =>
  ms.map((m) => {
    if (!isExposurePolicy(m)) return m;
    const copy = structuredClone(m) as { spec: { ingress: { fromEntities?: string[] }[] } };
    for (const rule of copy.spec.ingress) if (rule.fromEntities) rule.fromEntities = ['world'];
    return copy as unknown as Manifest;
  });

test('cilium, a NodePort Service: the exposure rendered as fromEntities world cuts the node hop after kube-proxy\'s SNAT (remote-node), and the verification fails on it alone', async () => {
  const input = stored('NodePort');
  const v = verifiedAfter(input, 'cilium', worldOnly);
  assert.equal(v.ok, false);
  assert.deepEqual(v.blocked, ['node:node-a → 8080', 'node:node-a → 9090']);
});

test('mode documented under --default-deny: an exposed workload no matrix documents (the demo\'s shop/frontend behind Ingress shop/shop) keeps its exposed port open above the namespace layer on every engine; without the layer, no policy', async () => {
  const { db } = tmpDb();
  await loadDemo(db);
  // NetObserv's alertmanager role bound to shop's cart: cart gets the rules required at its end, so shop gets a layer.
  const input = readRecommendationInput(db, { bindings: { roles: { alertmanager: { namespace: 'shop', selector: { matchLabels: { app: 'cart' } } } } } });
  const layered = recommend(input, recommendOptions({ mode: 'documented', defaultDeny: true }));
  assert.ok(layered.policySet.intents.some((i) => i.key === 'shop/default-deny'), 'the shop namespace gets the default-deny layer');
  const frontend = layered.workloads.find((w) => w.workload.namespace === 'shop' && w.workload.name === 'frontend')!;
  assert.deepEqual(layered.policySet.intents.filter((i) => i.key.startsWith('shop/deployment/frontend')).map((i) => i.key), ['shop/deployment/frontend/exposed']);
  assert.match(frontend.summary, /the namespace default-deny isolates it, but for its exposed port\(s\), which stay open to any client/);
  assert.match(frontend.warnings.join('\n'), /frontend is exposed and no matrix documents it: mode documented keeps its exposed port\(s\) open to any client above --default-deny/);
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = model.podOf('shop/Deployment/frontend')!;
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
    assert.deepEqual(verification.blocked.filter((b) => b.workload === 'shop/Deployment/frontend'), [], engine);
    const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate({ client: { kind: 'external', ip: '198.51.100.9' }, server: { kind: 'pod', pod }, port: 8080, protocol: 'TCP' });
    assert.equal(v.ingress.allowed, true, `${engine}: ${v.ingress.reason}`);
  }
  const open = recommend(input, recommendOptions({ mode: 'documented' }));
  assert.equal(open.policySet.intents.some((i) => i.key.startsWith('shop/deployment/frontend')), false, 'no layer, nothing to hold open');
});

test("an Ingress's clients are its controller's pods where observed: the demo's applied NetObserv policy, which lets ingress-nginx reach netobserv-plugin's 9001, is not said to block an outside client (clusternetworkpolicy, beside the applied policies)", async () => {
  // kubernetes.io "Ingress": "An Ingress controller is responsible for fulfilling the Ingress"; the
  // demo's ingress-nginx-controller (behind a LoadBalancer Service) is observed reaching the backend
  // of Ingress netobserv/netobserv-console. Before: `external:198.51.100.1 → netobserv-plugin 9001/TCP`
  // was blockedByApplied ("a client outside the cluster may reach 9001/TCP"), a client that never reaches the pod.
  const { db } = await demoDb();
  const input = readRecommendationInput(db, {});
  const { verification } = runRecommendation(input, 'clusternetworkpolicy', recommendOptions({}), { tightness: false });
  const plugin = verification.blockedByApplied.filter((b) => b.workload === 'netobserv/Deployment/netobserv-plugin' && b.direction === 'ingress' && b.edge.endsWith('|9001|TCP'));
  assert.deepEqual(plugin.map((b) => b.edge), []);
  assert.equal(verification.blockedByApplied.some((b) => /exposed by Ingress/.test(b.reason)), false);
});

test("mode documented under --default-deny, the demo's shop/frontend behind Ingress shop/shop: an output without the exposure policy cuts the observed edge from the Ingress controller's pods, and the verification fails on it (no outside address stands in beside it)", async () => {
  const { db } = await demoDb();
  const input = readRecommendationInput(db, { bindings: { roles: { alertmanager: { namespace: 'shop', selector: { matchLabels: { app: 'cart' } } } } } });
  const rec = recommendWithWarnings(input, recommendOptions({ mode: 'documented', defaultDeny: true }), { details: false });
  const model = clusterModel(input.inventory, input.externalNames);
  for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
    const emitted = getEngine(engine).emit(rec.policySet, emitOptions(input));
    const v = verifyRecommendation({ engine, emitted: { ...emitted, manifests: withoutExposure(emitted.manifests) }, model, applied: [], sides: rec.sides, simulator: SIMULATORS[engine], tightness: false });
    const frontend = v.blocked.filter((b) => b.workload === 'shop/Deployment/frontend' && b.direction === 'ingress');
    assert.equal(v.ok, false, engine);
    assert.deepEqual(frontend.map((b) => b.edge), ['workload:ingress-nginx/Deployment/ingress-nginx-controller|workload:shop/Deployment/frontend|8080|TCP'], engine);
  }
});

async function demoDb() {
  const t = tmpDb();
  await loadDemo(t.db);
  return t;
}

/**
 * A ClusterIP Service with `spec.externalIPs` is reached from outside on those addresses: "Traffic
 * that ingresses into the cluster with the external IP (as destination IP), on the Service port,
 * will be routed to one of the Service endpoints" (kubernetes.io "Service", External IPs). It is
 * externally accessible, so its externalTrafficPolicy applies to those addresses too (the Service
 * API reference: how nodes distribute traffic "they receive on one of the Service's
 * 'externally-facing' addresses (NodePorts, ExternalIPs, and LoadBalancer IPs)"), Cluster by
 * default: the node hop stands beside the outside client, as for a LoadBalancer.
 * Before: no exposure, no exposure policy, and an output cutting every outside client verified ok.
 */
const EXTERNAL_IPS: ServiceSpec = { type: 'ClusterIP', externalIPs: ['203.0.113.10'], externalTrafficPolicy: 'Cluster' };

test('a ClusterIP Service with externalIPs is exposed (via externalIPs, naming the address): the recommendation opens 8080 and 9090 to any client and is verified on every engine', async () => {
  const input = stored(EXTERNAL_IPS);
  assert.deepEqual(
    input.inventory.workloads.find((w) => w.name === 'web')?.exposure.map((e) => `${e.via} ${e.port} ${(e.addresses ?? []).join(',')}`),
    ['externalIPs 8080 203.0.113.10', 'externalIPs 9090 203.0.113.10'],
  );
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    assert.ok(emitted.manifests.some(isExposurePolicy), `${engine}: an exposure policy`);
  }
});

for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
  test(`${engine}, a ClusterIP Service with externalIPs: an output without the exposure policy cuts its outside clients and the node hop (externalTrafficPolicy Cluster), and the verification fails naming the addresses`, async () => {
    const v = verifiedAfter(stored(EXTERNAL_IPS), engine, withoutExposure);
    assert.equal(v.ok, false);
    assert.deepEqual(v.blocked, EXPOSED_CLIENTS);
    for (const reason of v.reasons) assert.match(reason, /exposed by Service shop\/web externalIPs 203\.0\.113\.10 \(externalTrafficPolicy Cluster\)/);
  });
}

/**
 * externalTrafficPolicy Local: "kube-proxy only proxies proxy requests to local endpoints, and does
 * not forward traffic to other nodes. This approach preserves the original source IP address"
 * (kubernetes.io "Using Source IP", Type=NodePort; "Create an External Load Balancer", Preserving the
 * client source IP): the pod sees the client, never a node that forwarded it. Only the outside
 * client stands for the Service's clients; on Cilium (kube-proxy replacement, Local) that source is
 * `world`, so an exposure opening `world` alone keeps them.
 */
for (const type of ['LoadBalancer', 'NodePort'] as const) {
  const local: ServiceSpec = { type, externalTrafficPolicy: 'Local' };

  for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
    test(`${engine}, a ${type} Service with externalTrafficPolicy Local: without the exposure policy the outside client is cut, not a node (the client address is kept), and the reason says the policy`, async () => {
      const v = verifiedAfter(stored(local), engine, withoutExposure);
      assert.equal(v.ok, false);
      assert.deepEqual(v.blocked, ['external:198.51.100.1 → 8080', 'external:198.51.100.1 → 9090']);
      for (const reason of v.reasons) assert.match(reason, new RegExp(`exposed by Service shop/web type ${type} \\(externalTrafficPolicy Local\\)`));
    });
  }

  test(`cilium, a ${type} Service with externalTrafficPolicy Local: the exposure rendered as fromEntities world keeps every client (no SNAT to a node), and the verification says ok`, async () => {
    const v = verifiedAfter(stored(local), 'cilium', worldOnly);
    assert.deepEqual(v.blocked, []);
    assert.equal(v.ok, true);
  });
}
