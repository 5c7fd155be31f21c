/**
 * An applied Cilium host policy — a CiliumClusterwideNetworkPolicy with `nodeSelector: {}` that lets
 * the cluster into every node on 10250 and 22 only — cuts Prometheus' scrape of a host-network
 * node-exporter on 9100 where the agent runs the host firewall: host policies "apply only to the
 * host namespace, including host-networking pods" of the nodes they select
 * (cilium/cilium Documentation/security/policy/host.rst), and a direction with rules is then default
 * deny (Documentation/security/policy/intro.rst, "default" mode). Without the host firewall they do
 * nothing (host.rst: installing host policies requires `hostFirewall.enabled=true`).
 * A finder's reproduction, reduced: with cilium-config `enable-host-firewall: "true"` the cilium
 * recommendation's verification beside the applied policies lists the scrape in blockedByApplied
 * naming host-fw, and `simulate` denies it; where the cilium-config does not say, both say once
 * that host policies were not evaluated.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { buildReport } from '../../reports/build.ts';
import { renderMarkdown } from '../../reports/render/index.ts';
import { readInventory } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';
/** The applied host policy: every node, from the cluster on the kubelet's port and ssh only. */
const HOST_FW = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'host-fw' },
  spec: { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }, { port: '22', protocol: 'TCP' }] }] }] },
};
const POLICIES = JSON.stringify(HOST_FW);

const inventory = (config: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: stacklight, labels: { kubernetes.io/metadata.name: stacklight } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-2, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.2.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.4 }] } }
  - { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: prometheus-server, namespace: stacklight, uid: u-prom }, spec: { selector: { matchLabels: { app: prometheus-server } }, template: { metadata: { labels: { app: prometheus-server } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 9090 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: prometheus-server-0, namespace: stacklight, labels: { app: prometheus-server }, ownerReferences: [{ apiVersion: apps/v1, kind: StatefulSet, name: prometheus-server, uid: u-prom, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 9090 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.20, podIPs: [{ ip: 10.244.1.20 }] } }
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: prometheus-node-exporter, namespace: stacklight, uid: u-ne }, spec: { selector: { matchLabels: { app: node-exporter } }, template: { metadata: { labels: { app: node-exporter } }, spec: { hostNetwork: true, containers: [{ name: c, image: i, ports: [{ name: metrics, containerPort: 9100 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: prometheus-node-exporter-x, namespace: stacklight, labels: { app: node-exporter }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: prometheus-node-exporter, uid: u-ne, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-2, hostNetwork: true, containers: [{ name: c, image: i, ports: [{ name: metrics, containerPort: 9100 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 172.18.0.4, podIPs: [{ ip: 172.18.0.4 }] } }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
  - ${POLICIES}
`;

/** Prometheus scraping the node-exporter on worker-2 (a Hubble TCP SYN). */
const SCRAPE = JSON.stringify({
  time: new Date(NOW - 120_000).toISOString(),
  verdict: 'FORWARDED',
  IP: { source: '10.244.1.20', destination: '172.18.0.4', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 9100, flags: { SYN: true } } },
  source: { namespace: 'stacklight', pod_name: 'prometheus-server-0', labels: ['k8s:app=prometheus-server'] },
  destination: { identity: 6, labels: ['reserved:remote-node'] },
  node_name: 'worker-1',
  traffic_direction: 'EGRESS',
});
const EDGE = 'workload:stacklight/StatefulSet/prometheus-server|workload:stacklight/DaemonSet/prometheus-node-exporter|9100|TCP';
const EDGES = JSON.stringify([{ client: 'workload:stacklight/StatefulSet/prometheus-server', server: 'workload:stacklight/DaemonSet/prometheus-node-exporter', port: 9100, protocol: 'TCP' }]);

async function store(config: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${SCRAPE}\n`]) }], { format: 'hubble' });
  return db;
}

const recommend = (db: Awaited<ReturnType<typeof store>>) => runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'stacklight' }), { tightness: false }).verification;
const hostWarnings = (warnings: readonly string[]) => warnings.filter((w) => /host policies/.test(w));

/**
 * A store whose cilium-config was imported before migration 0041, which added the column: it does
 * not know the key (NULL).
 */
async function storeBefore0041() {
  const db = await store('');
  db.prepare('UPDATE inventory_imports SET cilium_enable_host_firewall = NULL').run();
  return db;
}

test('enable-host-firewall is imported with the cilium-config (absent: off, as the Helm chart writes it only when on); a non-boolean value is refused naming the field', async () => {
  assert.equal(readInventory(await store(', enable-host-firewall: "true"')).ciliumPolicy?.enableHostFirewall, true);
  assert.equal(readInventory(await store(', enable-host-firewall: "false"')).ciliumPolicy?.enableHostFirewall, false);
  // install/kubernetes/cilium/templates/cilium-configmap.yaml: `{{- if and .Values.hostFirewall .Values.hostFirewall.enabled }}`
  // is the only place the key is written, and the agent's enable-host-firewall flag defaults to off.
  assert.equal(readInventory(await store('')).ciliumPolicy?.enableHostFirewall, false);
  assert.equal(readInventory(await storeBefore0041()).ciliumPolicy?.enableHostFirewall, undefined);
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(', enable-host-firewall: "on"'), takenAt: NOW, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /cilium-config: data\.enable-host-firewall: expected "true" or "false", got the string "on"/.test(e.message),
  );
});

test('with the host firewall on, the applied host policy cuts the 9100 scrape: blockedByApplied names host-fw, and simulate denies it at the node-exporter', async () => {
  const db = await store(', enable-host-firewall: "true"');
  const verification = recommend(db);
  const cut = verification.blockedByApplied.filter((f) => f.edge === EDGE);
  assert.ok(cut.length > 0, JSON.stringify(verification.blockedByApplied));
  for (const f of cut) assert.match(f.reason, /selecting the host endpoint of node worker-2 \(CiliumClusterwideNetworkPolicy\/host-fw\) allows pod stacklight\/prometheus-server on 9100\/TCP \(default deny\)/);
  assert.deepEqual(hostWarnings(verification.warnings), []);
  const [d] = simulateFlows(db, { engine: 'cilium', policies: POLICIES, flows: EDGES, format: 'edges' }).decisions;
  assert.equal(d!.verdict, 'deny', JSON.stringify(d));
  assert.match(d!.ingress!.reason, /host endpoint of node worker-2/);
});

test('the host-network node-exporter gets no policy, and its advice lists what a host policy selecting its node must allow — its observed ingress 9100/TCP from Prometheus — not only the host policies applied (host.rst: host policies "apply only to the host namespace, including host-networking pods")', async () => {
  const db = await store(', enable-host-firewall: "true"');
  const { rec } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'stacklight' }), { tightness: false });
  const exporter = rec.workloads.find((w) => w.workload.name === 'prometheus-node-exporter')!;
  assert.deepEqual(exporter.policies, []);
  assert.match(
    exporter.summary,
    /restrict it in the host policies applied \(CiliumClusterwideNetworkPolicy\/host-fw\); a host policy selecting its node worker-2 must allow what it requires: ingress 9100\/TCP from stacklight\/StatefulSet\/prometheus-server\./,
  );
});

test('where the store predates the key (cilium-config imported before migration 0041), host policies are not evaluated and both the verification and simulate say so once, asking for a new import', async () => {
  const db = await storeBefore0041();
  const verification = recommend(db);
  assert.deepEqual(verification.blockedByApplied.filter((f) => f.edge === EDGE), []);
  const said = hostWarnings(verification.warnings);
  assert.equal(said.length, 1, JSON.stringify(verification.warnings));
  assert.match(said[0]!, /^applied CiliumClusterwideNetworkPolicy\/host-fw: host policies .* only where Cilium's host firewall is on .* the cilium-config was imported by a release that did not read enable-host-firewall: import it again/);
  const sim = simulateFlows(db, { engine: 'cilium', policies: POLICIES, flows: EDGES, format: 'edges' });
  assert.equal(sim.decisions[0]!.verdict, 'allow');
  assert.equal(hostWarnings(sim.warnings).length, 1, JSON.stringify(sim.warnings));
});

test('with the host firewall off — said, or the key absent from an imported cilium-config — host policies do nothing and nothing is said', async () => {
  for (const config of [', enable-host-firewall: "false"', '']) {
    const off = await store(config);
    assert.deepEqual(recommend(off).blockedByApplied.filter((f) => f.edge === EDGE), [], config);
    assert.deepEqual(hostWarnings(recommend(off).warnings), [], config);
    const sim = simulateFlows(off, { engine: 'cilium', policies: POLICIES, flows: EDGES, format: 'edges' });
    assert.equal(sim.decisions[0]!.verdict, 'allow', config);
    assert.deepEqual(hostWarnings(sim.warnings), [], config);
  }
});

/**
 * s31j: a host-network DaemonSet the inventory shows no pod of runs on every node once it runs, each
 * pod in its node's host namespace, so each node's host policies judge it there (host.rst). An egress
 * host policy selecting only worker-2 (node-access=ssh) and allowing the apiserver alone drops its
 * connection to Prometheus on worker-2, though on cp-1 no host policy selects it: the edge is cut.
 */
const PODLESS_INVENTORY = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: stacklight, labels: { kubernetes.io/metadata.name: stacklight } } }
  - { apiVersion: v1, kind: Node, metadata: { name: cp-1, creationTimestamp: "${T}", labels: { node-role.kubernetes.io/control-plane: "" } }, spec: { podCIDR: 10.244.0.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.2 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-2, creationTimestamp: "${T}", labels: { node-access: ssh } }, spec: { podCIDR: 10.244.2.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.4 }] } }
  - { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: prometheus-server, namespace: stacklight, uid: u-prom }, spec: { selector: { matchLabels: { app: prometheus-server } }, template: { metadata: { labels: { app: prometheus-server } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 9090 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: prometheus-server-0, namespace: stacklight, labels: { app: prometheus-server }, ownerReferences: [{ apiVersion: apps/v1, kind: StatefulSet, name: prometheus-server, uid: u-prom, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 9090 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.20, podIPs: [{ ip: 10.244.1.20 }] } }
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: agent, namespace: stacklight, uid: u-agent }, spec: { selector: { matchLabels: { app: agent } }, template: { metadata: { labels: { app: agent } }, spec: { hostNetwork: true, containers: [{ name: c, image: i }] } } } }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1, enable-host-firewall: "true" } }
`;
const hostEgress = (matchLabels: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host-eg' }, spec: { nodeSelector: { matchLabels }, egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] } });
const PODLESS_EDGE = JSON.stringify([{ client: 'workload:stacklight/DaemonSet/agent', server: 'workload:stacklight/StatefulSet/prometheus-server', port: 9090, protocol: 'TCP' }]);

test('a podless host-network DaemonSet is judged at every node whose host policies differ: an egress host policy on worker-2 alone cuts it, though the node it is placed at (cp-1) is not selected', () => {
  const { db } = tmpDb();
  importInventory(db, { text: PODLESS_INVENTORY, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const [d] = simulateFlows(db, { engine: 'cilium', policies: hostEgress({ 'node-access': 'ssh' }), flows: PODLESS_EDGE, format: 'edges' }).decisions;
  assert.equal(d!.verdict, 'deny', JSON.stringify(d));
  assert.match(d!.egress!.reason, /no egress rule .* selecting the host endpoint of node worker-2 \(CiliumClusterwideNetworkPolicy\/host-eg\) allows pod stacklight\/prometheus-server on 9090\/TCP \(default deny\)/);
  const [none] = simulateFlows(db, { engine: 'cilium', policies: hostEgress({ 'node-access': 'none' }), flows: PODLESS_EDGE, format: 'edges' }).decisions;
  assert.equal(none!.verdict, 'allow', 'no node is selected');
  assert.match(none!.egress!.reason, /no CiliumClusterwideNetworkPolicy with a nodeSelector selects the host endpoint of node cp-1 with egress rules/);
});

/**
 * s32h: the far end of an edge that is a node's host endpoint — a node, or the apiserver at a
 * control-plane node's address — has a side of its own, which that node's host policies judge where
 * the host firewall is on (host.rst: host policies "apply only to the host namespace, including
 * host-networking pods"; host-firewall.rst warns they must not break "communication with
 * kube-apiserver"). An applied host policy on cp-1 that lets in the other nodes only
 * (`fromEntities: [remote-node]`) and lets out nothing but the apiserver drops web's connection to
 * the apiserver on cp-1 (cp-1's ingress) and cp-1's own connection to web's webhook on 8443 (cp-1's
 * egress), though web's own sides allow both: both are in blockedByApplied, naming the policy. With
 * the host firewall off the policy does nothing, and nothing is blocked.
 */
const LOCKDOWN = JSON.stringify({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'host-lockdown' },
  spec: { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }, ingress: [{ fromEntities: ['remote-node'] }], egress: [{ toEntities: ['kube-apiserver'] }] },
});
const APISERVER_INVENTORY = (config: string, policy = LOCKDOWN, apiservers = ['172.18.0.2']) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: default, labels: { kubernetes.io/metadata.name: default } } }
  - { apiVersion: v1, kind: Node, metadata: { name: cp-1, creationTimestamp: "${T}", labels: { node-role.kubernetes.io/control-plane: "" } }, spec: { podCIDR: 10.244.0.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.2 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: cp-2, creationTimestamp: "${T}", labels: { node-role.kubernetes.io/control-plane: "", zone: b } }, spec: { podCIDR: 10.244.2.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.5 }] } }
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: web, namespace: shop, uid: u-web }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: i, ports: [{ name: webhook, containerPort: 8443 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web-x, namespace: shop, labels: { app: web }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: web, uid: u-web, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ name: webhook, containerPort: 8443 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.10, podIPs: [{ ip: 10.244.1.10 }] } }
  - { apiVersion: v1, kind: Service, metadata: { name: kubernetes, namespace: default }, spec: { clusterIP: 10.96.0.1, clusterIPs: [10.96.0.1], ports: [{ name: https, port: 443, protocol: TCP, targetPort: 6443 }] } }
  - { apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: { name: kubernetes, namespace: default, labels: { kubernetes.io/service-name: kubernetes } }, addressType: IPv4, endpoints: [${apiservers.map((ip) => `{ addresses: [${ip}], conditions: { ready: true } }`).join(', ')}], ports: [{ name: https, port: 6443, protocol: TCP }] }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1, enable-host-firewall: "${config}" } }
  - ${policy}
`;
/** Hubble TCP SYNs: web → the apiserver on cp-1, and cp-1 → web's webhook port. */
const WEB_FLOWS = [
  JSON.stringify({
    time: new Date(NOW - 120_000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.244.1.10', destination: '172.18.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 6443, flags: { SYN: true } } },
    source: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
    destination: { identity: 7, labels: ['reserved:kube-apiserver'] },
    node_name: 'worker-1',
    traffic_direction: 'EGRESS',
  }),
  JSON.stringify({
    time: new Date(NOW - 110_000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '172.18.0.2', destination: '10.244.1.10', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40002, destination_port: 8443, flags: { SYN: true } } },
    source: { identity: 6, labels: ['reserved:remote-node'] },
    destination: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
    node_name: 'worker-1',
    traffic_direction: 'INGRESS',
  }),
].join('\n');
const TO_APISERVER = 'workload:shop/DaemonSet/web|apiserver|6443|TCP';
const FROM_CP = 'node:cp-1|workload:shop/DaemonSet/web|8443|TCP';

async function apiserverStore(firewall: 'true' | 'false', policy?: string, apiservers?: string[], flows = WEB_FLOWS) {
  const { db } = tmpDb();
  importInventory(db, { text: APISERVER_INVENTORY(firewall, policy, apiservers), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows}\n`]) }], { format: 'hubble' });
  return db;
}

test('with the host firewall on, an applied host policy on the control-plane node cuts what its host endpoint receives (the apiserver on 6443) and sends (to a webhook): blockedByApplied names host-lockdown', async () => {
  const db = await apiserverStore('true');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  const manifests = JSON.stringify(emitted.manifests);
  assert.match(manifests, /"toEntities":\["kube-apiserver"\]/, 'the recommendation includes the apiserver edge');
  assert.match(manifests, /"8443"/, 'and the webhook edge');
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const byEdge = new Map(verification.blockedByApplied.map((f) => [f.edge, f]));
  assert.deepEqual([...byEdge.keys()].sort(), [FROM_CP, TO_APISERVER], JSON.stringify(verification.blockedByApplied));
  const toApiserver = byEdge.get(TO_APISERVER)!;
  assert.equal(toApiserver.workload, 'shop/DaemonSet/web');
  assert.equal(toApiserver.direction, 'egress');
  assert.equal(toApiserver.hostEndpoint, 'ingress');
  assert.match(toApiserver.reason, /no ingress rule .* selecting the host endpoint of node cp-1 \(CiliumClusterwideNetworkPolicy\/host-lockdown\) allows pod shop\/web.* on 6443\/TCP \(default deny\)/);
  const fromCp = byEdge.get(FROM_CP)!;
  assert.equal(fromCp.direction, 'ingress');
  assert.equal(fromCp.hostEndpoint, 'egress');
  assert.match(fromCp.reason, /no egress rule .* selecting the host endpoint of node cp-1 \(CiliumClusterwideNetworkPolicy\/host-lockdown\) allows pod shop\/web.* on 8443\/TCP \(default deny\)/);
  // simulate says the same of the two edges.
  const edgesJson = JSON.stringify([TO_APISERVER, FROM_CP].map((e) => { const [client, server, port, protocol] = e.split('|'); return { client, server, port: Number(port), protocol }; }));
  const sim = simulateFlows(db, { engine: 'cilium', policies: LOCKDOWN, flows: edgesJson, format: 'edges' }).decisions;
  assert.deepEqual(sim.map((d) => d.verdict), ['deny', 'deny']);
});

test('with the host firewall off, the same host policy does nothing: no host endpoint side is blocked', async () => {
  const db = await apiserverStore('false');
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true);
  assert.deepEqual(verification.blockedByApplied, []);
});

/**
 * An apiserver of two endpoints, on cp-1 and cp-2: a connection to it may be either's (kube-proxy
 * picks one per connection, kubernetes.io "Virtual IPs and Service Proxies"), so a host policy
 * selecting cp-2 alone that lets in ssh only cuts it there, though on cp-1 nothing selects the host
 * endpoint. Neither that policy nor the recommendation (web's egress to the apiserver alone: no
 * webhook flow) names a node entity or an address, so nothing else tells the endpoints apart.
 */
test('an apiserver of several endpoints is judged at each: a host policy on one control-plane node cuts the edge at that endpoint', async () => {
  const sshOnB = JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'ssh-b' }, spec: { nodeSelector: { matchLabels: { zone: 'b' } }, ingress: [{ toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] } });
  const db = await apiserverStore('true', sshOnB, ['172.18.0.2', '172.18.0.5'], WEB_FLOWS.split('\n')[0]);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  const cut = verification.blockedByApplied.filter((f) => f.edge === TO_APISERVER);
  assert.equal(cut.length, 1, JSON.stringify(verification.blockedByApplied));
  assert.equal(cut[0]!.hostEndpoint, 'ingress');
  assert.match(cut[0]!.reason, /selecting the host endpoint of node cp-2 \(CiliumClusterwideNetworkPolicy\/ssh-b\) allows pod shop\/web.* on 6443\/TCP \(default deny\) \(at the apiserver endpoint 172\.18\.0\.5\)/);
});

/**
 * s32n: the kubelet's probes of the pods on its node leave through that node's host endpoint, where
 * host policies are enforced as for any peer (cilium/cilium#15217: host policies are enforced on
 * the paths "hostns<->local pods" as on those to remote peers; `simulate` denies such probes). No
 * rule is written for them (docs/recommend.md, kubelet probes), so the recommendation's sides never
 * judged them: an applied host policy on worker-1 whose egress lets out only the other nodes and the
 * apiserver cuts the kubelet's probe of web there, and the pods are restarted (liveness) or never
 * ready. Expected: that probe in blockedByApplied naming host-eg, as the host endpoint's egress; the
 * probe of db on worker-2, which no host policy selects, not; with the host firewall off, nothing.
 */
const PROBED_INVENTORY = (firewall: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}", labels: { node-access: locked } }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-2, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.2.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.4 }] } }
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: web, namespace: shop, uid: u-web }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web-1-x, namespace: shop, labels: { app: web }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: web, uid: u-web, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.10, podIPs: [{ ip: 10.244.1.10 }] } }
  - { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: db, namespace: shop, uid: u-db }, spec: { selector: { matchLabels: { app: db } }, template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: c, image: i, ports: [{ name: pg, containerPort: 5432 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: db-0, namespace: shop, labels: { app: db }, ownerReferences: [{ apiVersion: apps/v1, kind: StatefulSet, name: db, uid: u-db, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-2, containers: [{ name: c, image: i, ports: [{ name: pg, containerPort: 5432 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.2.10, podIPs: [{ ip: 10.244.2.10 }] } }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1, enable-host-firewall: "${firewall}" } }
  - ${JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host-eg' }, spec: { nodeSelector: { matchLabels: { 'node-access': 'locked' } }, egress: [{ toEntities: ['remote-node', 'kube-apiserver'] }] } })}
`;
/** The kubelet of each node probing its pod (a Hubble TCP SYN from the host identity). */
const probe = (nodeIp: string, node: string, podIp: string, pod: string, app: string, port: number, i: number) =>
  JSON.stringify({
    time: new Date(NOW - 120_000 + i * 1000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: nodeIp, destination: podIp, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001 + i, destination_port: port, flags: { SYN: true } } },
    source: { identity: 1, labels: ['reserved:host'] },
    destination: { namespace: 'shop', pod_name: pod, labels: [`k8s:app=${app}`] },
    node_name: node,
    traffic_direction: 'INGRESS',
  });
const PROBES = [probe('172.18.0.3', 'worker-1', '10.244.1.10', 'web-1-x', 'web', 8080, 0), probe('172.18.0.4', 'worker-2', '10.244.2.10', 'db-0', 'db', 5432, 1)].join('\n');
const WEB_PROBE = 'kubelet:worker-1|workload:shop/DaemonSet/web|8080|TCP';

async function probedStore(firewall: 'true' | 'false') {
  const { db } = tmpDb();
  importInventory(db, { text: PROBED_INVENTORY(firewall), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${PROBES}\n`]) }], { format: 'hubble' });
  return db;
}

test('with the host firewall on, an applied host policy whose egress lets out only remote-node and kube-apiserver cuts the kubelet probes of the pods on its node: blockedByApplied, as the host endpoint egress', async () => {
  const db = await probedStore('true');
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  assert.deepEqual(verification.blockedByApplied.map((f) => f.edge), [WEB_PROBE], JSON.stringify(verification.blockedByApplied, null, 1));
  const [cut] = verification.blockedByApplied;
  assert.equal(cut!.workload, 'shop/DaemonSet/web');
  assert.equal(cut!.direction, 'ingress');
  assert.equal(cut!.hostEndpoint, 'egress');
  assert.match(cut!.reason, /no egress rule .* selecting the host endpoint of node worker-1 \(CiliumClusterwideNetworkPolicy\/host-eg\) allows pod shop\/web.* on 8080\/TCP \(default deny\).*the kubelet's probe/);
  // simulate says the same of the probe.
  const [d] = simulateFlows(db, { engine: 'cilium', policies: JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host-eg' }, spec: { nodeSelector: { matchLabels: { 'node-access': 'locked' } }, egress: [{ toEntities: ['remote-node', 'kube-apiserver'] }] } }), flows: JSON.stringify([{ client: 'kubelet:worker-1', server: 'workload:shop/DaemonSet/web', port: 8080, protocol: 'TCP' }]), format: 'edges' }).decisions;
  assert.equal(d!.verdict, 'deny', JSON.stringify(d));
});

test('the report names what cuts the probe — the host endpoint of node worker-1, no applied pod policy — and what to allow there, not "change or delete it" (host-firewall.rst: host policies apply to the host endpoint)', async () => {
  const db = await probedStore('true');
  const report = buildReport(gatherReportInput(db, { engine: 'cilium', mode: 'union', egress: true, staleDays: 30, namespace: 'shop', matrices: {}, trigger: 'manual', generatedAt: NOW }));
  const [row] = report.verification!.cilium!.blockedByAppliedEdges!;
  assert.equal(row!.policy, undefined);
  assert.equal(row!.deniedBy, 'host endpoint of node worker-1');
  const md = renderMarkdown(report);
  assert.match(md, /\| host endpoint of node worker-1: allow egress to shop\/DaemonSet\/web on 8080\/TCP in a host policy selecting that node \|/);
});

test('with the host firewall off, the same host policy does nothing: no kubelet probe is blocked', async () => {
  const db = await probedStore('false');
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true);
  assert.deepEqual(verification.blockedByApplied, []);
});
