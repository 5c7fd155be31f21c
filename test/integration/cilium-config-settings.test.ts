/**
 * kube-system/cilium-config says how the agent enforces policy: `policy-cidr-match-mode`
 * (Cilium >= 1.15; the Helm chart writes `policyCIDRMatchMode` joined by spaces) and
 * `enable-sctp` (Helm `sctp.enabled`). By default Cilium gives node addresses, and an apiserver on
 * a node, the host / remote-node / kube-apiserver identities, which no CIDR selector or ipBlock
 * selects; with `nodes` they carry CIDR labels too (pkg/ipcache metadata.go resolveIdentity: "It
 * is not allowed for nodes to have CIDR labels, unless policy-cidr-match-mode includes nodes";
 * Documentation/security/policy/language.rst "Selecting nodes with CIDR / ipBlock"). An apiserver
 * off the nodes is given CIDR labels either way (resolveIdentity: no remote-node label; cilium/cilium#25241).
 * Cilium enforces NetworkPolicies by converting them to its own rules, so a `kubernetes`
 * recommendation on a cluster running Cilium is judged as Cilium judges it (a tester's cluster,
 * reduced to what shows it): web's egress to the apiserver on cp-1 and to a
 * host-network agent is cut without `nodes` (exit 2), allowed with it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation, verificationFailures } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { readInventory } from '../../store/inventory.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ciliumEnforcesClusterNetworkPolicies } from '../../domain/inventory.ts';
import { openDb } from '../../store/db.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';
/** A DaemonSet and its pod (one node is enough here). */
const daemonSet = (ns: string, name: string, ip: string, node: string, ports: string, host: boolean) => `
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: ${name}, namespace: ${ns}, uid: u-${name} }, spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { hostNetwork: ${host}, containers: [{ name: c, image: i, ports: [${ports}] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}-x, namespace: ${ns}, labels: { app: ${name} }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: ${name}, uid: u-${name}, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: ${node}, hostNetwork: ${host}, containers: [{ name: c, image: i, ports: [${ports}] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const node = (name: string, ip: string) => `
  - { apiVersion: v1, kind: Node, metadata: { name: ${name}, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.${ip.split('.')[3]}.0/24 }, status: { addresses: [{ type: InternalIP, address: ${ip} }] } }`;
const namespace = (name: string) => `
  - { apiVersion: v1, kind: Namespace, metadata: { name: ${name}, labels: { kubernetes.io/metadata.name: ${name} } } }`;

/**
 * The tester's cluster: three nodes, the apiserver on cp-1, the Cilium agent (unless `agent` is
 * false: an import that does not hold kube-system's pods), web, a host-network agent; `config` the
 * cilium-config data ('' = none).
 */
const inventory = (config: string, agent = true) => `apiVersion: v1
kind: List
items:${['kube-system', 'default', 'shop', 'edge'].map(namespace).join('')}${node('cp-1', '172.18.0.2')}${node('worker-1', '172.18.0.3')}${node('worker-2', '172.18.0.4')}
${agent ? `  - { apiVersion: v1, kind: Pod, metadata: { name: cilium-x, namespace: kube-system, labels: { k8s-app: cilium }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, hostNetwork: true, containers: [{ name: c, image: i }] }, status: { phase: Running, startTime: "${T}", podIP: 172.18.0.3, podIPs: [{ ip: 172.18.0.3 }] } }\n` : ''}${daemonSet('shop', 'web', '10.244.1.10', 'worker-1', '{ name: http, containerPort: 8080 }', false)}
${daemonSet('edge', 'agent', '172.18.0.4', 'worker-2', '{ name: metrics, containerPort: 9100 }', true)}
  - { apiVersion: v1, kind: Service, metadata: { name: kubernetes, namespace: default }, spec: { clusterIP: 10.96.0.1, clusterIPs: [10.96.0.1], ports: [{ name: https, port: 443, protocol: TCP, targetPort: 6443 }] } }
  - { apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: { name: kubernetes, namespace: default, labels: { kubernetes.io/service-name: kubernetes } }, addressType: IPv4, endpoints: [{ addresses: [172.18.0.2], conditions: { ready: true } }], ports: [{ name: https, port: 6443, protocol: TCP }] }
${config === '' ? '' : `  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }\n`}`;

/** A Hubble TCP SYN from web (flows.py's `apiserver` and `hostnet` records). */
const fromWeb = (i: number, ip: string, port: number, destination: Record<string, unknown>) =>
  JSON.stringify({
    time: new Date(NOW - 120_000 + i * 1000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.244.1.10', destination: ip, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000 + i, destination_port: port, flags: { SYN: true } } },
    source: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
    destination,
    node_name: 'worker-1',
    traffic_direction: 'EGRESS',
  });
const FLOWS = [
  fromWeb(1, '172.18.0.2', 6443, { identity: 7, labels: ['reserved:kube-apiserver'] }),
  fromWeb(2, '172.18.0.4', 9100, { identity: 6, labels: ['reserved:remote-node'] }),
].join('\n');

/** Manifests as the text `simulate --policies` reads. */
const list = (items: readonly unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

async function store(config: string, agent = true) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config, agent), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOWS}\n`]) }], { format: 'hubble' });
  return db;
}

test('policy-cidr-match-mode and enable-sctp are imported with the cilium-config, kept while later imports carry none, Cilium\'s defaults when absent, not known from an older import; a non-boolean enable-sctp is refused naming the field', async () => {
  const db = await store(', policy-cidr-match-mode: "nodes", enable-sctp: "true"');
  assert.deepEqual(readInventory(db).ciliumPolicy, { policyCidrMatchMode: ['nodes'], enableSctp: true, allowLocalhost: 'auto', enableHostFirewall: false, enablePolicy: 'default', policyAuditMode: false, enableIcmpRules: true, enableK8sClusterNetworkPolicy: false });
  importInventory(db, { text: inventory(''), takenAt: NOW - 3_000_000, source: 'second', now: NOW });
  assert.deepEqual(readInventory(db).ciliumPolicy, { policyCidrMatchMode: ['nodes'], enableSctp: true, allowLocalhost: 'auto', enableHostFirewall: false, enablePolicy: 'default', policyAuditMode: false, enableIcmpRules: true, enableK8sClusterNetworkPolicy: false }, 'a later import without the ConfigMap keeps them');
  importInventory(db, { text: inventory(', policy-cidr-match-mode: ""'), takenAt: NOW - 2_400_000, source: 'third', now: NOW });
  assert.deepEqual(readInventory(db).ciliumPolicy, { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableHostFirewall: false, enablePolicy: 'default', policyAuditMode: false, enableIcmpRules: true, enableK8sClusterNetworkPolicy: false });
  // An import stored by a release that read only cluster-name (migration 0018 leaves its columns NULL).
  db.prepare('UPDATE inventory_imports SET cilium_policy_cidr_match_mode = NULL, cilium_enable_sctp = NULL').run();
  const older = readInventory(db);
  assert.equal(older.ciliumPolicy, undefined);
  assert.equal(older.ciliumClusterName, 'c1');
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(', enable-sctp: "yes"'), takenAt: NOW - 3_600_000, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /ConfigMap kube-system\/cilium-config: data\.enable-sctp: expected "true" or "false", got the string "yes"/.test(e.message),
  );
});

test('enable-icmp-rules is imported with the cilium-config (absent: on, the agent\'s default, as the Helm chart never writes the key); a non-boolean value is refused naming the field', async () => {
  // pkg/defaults EnableICMPRules = true, read by pkg/option/config.go viper.GetBool(EnableICMPRules);
  // install/kubernetes/cilium/templates/cilium-configmap.yaml writes no enable-icmp-rules (extraConfig only).
  assert.equal(readInventory(await store(', enable-icmp-rules: "false"')).ciliumPolicy?.enableIcmpRules, false);
  assert.equal(readInventory(await store(', enable-icmp-rules: "True"')).ciliumPolicy?.enableIcmpRules, true);
  assert.equal(readInventory(await store(', enable-icmp-rules: "0"')).ciliumPolicy?.enableIcmpRules, false);
  assert.equal(readInventory(await store(', enable-sctp: "false"')).ciliumPolicy?.enableIcmpRules, true, 'a cilium-config without the key');
  // An import stored by a release that did not read the key (before migration 0044): not known.
  const older = await store(', enable-icmp-rules: "false"');
  older.prepare('UPDATE inventory_imports SET cilium_enable_icmp_rules = NULL').run();
  assert.equal(readInventory(older).ciliumPolicy?.enableIcmpRules, undefined);
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(', enable-icmp-rules: "off"'), takenAt: NOW - 3_600_000, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /ConfigMap kube-system\/cilium-config: data\.enable-icmp-rules: expected "true" or "false", got the string "off"/.test(e.message),
  );
});

test('enable-k8s-cluster-network-policy is imported with the cilium-config (absent: off, the agent\'s default); a store made before migration 0050 opens and reads it as not known (off); a non-boolean value is refused naming the field', async () => {
  // cilium/cilium pkg/policy/k8s/conformance/conformance_test.go preflightCheck: cm.Data["enable-k8s-cluster-network-policy"] != "true" is "missing".
  assert.equal(readInventory(await store(', enable-k8s-cluster-network-policy: "true"')).ciliumPolicy?.enableK8sClusterNetworkPolicy, true);
  assert.equal(readInventory(await store(', enable-k8s-cluster-network-policy: "false"')).ciliumPolicy?.enableK8sClusterNetworkPolicy, false);
  assert.equal(readInventory(await store(', enable-sctp: "false"')).ciliumPolicy?.enableK8sClusterNetworkPolicy, false, 'a cilium-config without the key');
  // A store whose schema predates the column (migration 0049): its import opens with the upgrade, the key not known.
  const path = join(tmpDir(), 'before-0050.db');
  const old = new Database(path);
  migrate(old, loadMigrations(), 49);
  old.prepare("INSERT INTO inventory_imports (taken_at, source, counts, cilium_cluster_name, cilium_policy_cidr_match_mode, cilium_enable_sctp, cilium_allow_localhost) VALUES (?, 'old', '{}', 'c1', '', 0, 'auto')").run(NOW);
  old.close();
  const upgraded = openDb(path);
  try {
    const policy = readInventory(upgraded).ciliumPolicy;
    assert.deepEqual(policy, { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto' });
    assert.equal(ciliumEnforcesClusterNetworkPolicies(policy), false);
  } finally {
    upgraded.close();
  }
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(', enable-k8s-cluster-network-policy: "on"'), takenAt: NOW - 3_600_000, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /ConfigMap kube-system\/cilium-config: data\.enable-k8s-cluster-network-policy: expected "true" or "false", got the string "on"/.test(e.message),
  );
});

test('the Cilium agent image (its kube-system cilium DaemonSet\'s cilium-agent container, else its pods\' where they agree) is stored with the import and read back from the latest import that showed one; none shown: not known', () => {
  const agentDaemonSet = (image: string) =>
    `apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: cilium, namespace: kube-system, uid: u-cilium }, spec: { selector: { matchLabels: { k8s-app: cilium } }, template: { metadata: { labels: { k8s-app: cilium } }, spec: { hostNetwork: true, containers: [{ name: cilium-agent, image: "${image}" }, { name: other, image: x }] } } } }\n`;
  const agentPod = (name: string, image: string) => `  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: kube-system, labels: { k8s-app: cilium }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, hostNetwork: true, containers: [{ name: cilium-agent, image: "${image}" }] }, status: { phase: Running, startTime: "${T}", podIP: 172.18.0.3, podIPs: [{ ip: 172.18.0.3 }] } }\n`;
  const { db } = tmpDb();
  assert.equal(readInventory(db).ciliumAgentImage, undefined);
  importInventory(db, { text: agentDaemonSet('quay.io/cilium/cilium:v1.20.1@sha256:00'), takenAt: NOW - 7_200_000, source: 'a', now: NOW });
  assert.equal(readInventory(db).ciliumAgentImage, 'quay.io/cilium/cilium:v1.20.1@sha256:00');
  importInventory(db, { text: inventory(''), takenAt: NOW - 3_600_000, source: 'b', now: NOW });
  assert.equal(readInventory(db).ciliumAgentImage, 'quay.io/cilium/cilium:v1.20.1@sha256:00', 'a later import whose agent pod runs no cilium-agent container keeps it');
  const pods = (a: string, b: string) => `apiVersion: v1\nkind: List\nitems:\n${agentPod('cilium-a', a)}${agentPod('cilium-b', b)}`;
  importInventory(db, { text: pods('quay.io/cilium/cilium:v1.21.0', 'quay.io/cilium/cilium:v1.21.0'), takenAt: NOW - 1_800_000, source: 'c', now: NOW });
  assert.equal(readInventory(db).ciliumAgentImage, 'quay.io/cilium/cilium:v1.21.0', 'pods that agree, without their DaemonSet');
  const { db: rolling } = tmpDb();
  importInventory(rolling, { text: pods('quay.io/cilium/cilium:v1.20.1', 'quay.io/cilium/cilium:v1.21.0'), takenAt: NOW - 1_800_000, source: 'd', now: NOW });
  assert.equal(readInventory(rolling).ciliumAgentImage, undefined, 'pods mid-rollout, two versions: not known');
});

test('a kubernetes recommendation on a Cilium cluster without policy-cidr-match-mode: nodes is judged as Cilium enforces it: its ipBlocks on the apiserver and a node are blocked (exit 2), saying to set the mode or use the cilium engine', async () => {
  const db = await store('');
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, false);
  assert.deepEqual(
    verification.blocked.map((b) => b.edge),
    ['workload:shop/DaemonSet/web|apiserver|6443|TCP', 'workload:shop/DaemonSet/web|workload:edge/DaemonSet/agent|9100|TCP'],
  );
  for (const b of verification.blocked) {
    assert.match(b.reason, /only with policy-cidr-match-mode: nodes/);
    assert.match(b.reason, /the inventory has no kube-system\/cilium-config/);
    assert.match(b.reason, /set policy-cidr-match-mode: nodes, or use the cilium engine/);
  }
  assert.equal(verificationFailures(verification).length, 2);
  // The warning says the same as the verdict (what the config shows), not that it may hold.
  const ipBlock = verification.warnings.filter((w) => /ipBlock/.test(w));
  assert.equal(ipBlock.length, 1);
  // The agent is a DaemonSet: its rule names every node.
  assert.match(ipBlock[0]!, /NetworkPolicy\/shop\/.*172\.18\.0\.2, 172\.18\.0\.3, 172\.18\.0\.4.*the inventory has no kube-system\/cilium-config/);
});

test('with policy-cidr-match-mode: nodes the same recommendation passes, with no ipBlock warning, and `simulate --engine cilium` allows what it denied', async () => {
  const db = await store(', policy-cidr-match-mode: "nodes"');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.deepEqual(verification.blocked, []);
  assert.equal(verification.ok, true);
  assert.deepEqual(verification.warnings.filter((w) => /ipBlock/.test(w)), []);
  const verdicts = (d: { verdict: string }[]) => d.map((x) => x.verdict);
  assert.deepEqual(verdicts(simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: FLOWS }).decisions), ['allow', 'allow']);
  const without = await store(', policy-cidr-match-mode: ""');
  assert.deepEqual(verdicts(simulateFlows(without, { engine: 'cilium', policies: list(emitted.manifests), flows: FLOWS }).decisions), ['deny', 'deny']);
  // A CiliumNetworkPolicy's CIDR rule follows the mode too (the simulator's cidrMatchesNodes).
  const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'to-agent', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDR: ['172.18.0.4/32'] }] } };
  assert.deepEqual(verdicts(simulateFlows(db, { engine: 'cilium', policies: list([cnp]), flows: FLOWS }).decisions), ['deny', 'allow']);
  assert.deepEqual(verdicts(simulateFlows(without, { engine: 'cilium', policies: list([cnp]), flows: FLOWS }).decisions), ['deny', 'deny']);
});

test('simulate names the entity a toEntities rule matched: kube-apiserver for the apiserver on a node', async () => {
  const db = await store('');
  const { emitted } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  const [apiserver] = simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: FLOWS }).decisions;
  assert.equal(apiserver!.verdict, 'allow');
  assert.match(apiserver!.egress!.reason, /toEntities kube-apiserver/);
});

// The cilium-config alone shows Cilium (docs/inventory.md: Cilium users import it): an import
// that holds no agent pod (a namespaced import, RBAC hiding kube-system's pods, a pods filter)
// is still Cilium's cluster, and its NetworkPolicies are read as Cilium reads them — an ipBlock
// selects node and apiserver addresses only with policy-cidr-match-mode: nodes (Cilium docs,
// policy language "Selecting nodes with CIDR / ipBlock"). Before, the plain kubernetes
// simulator judged it, and the recommendation was verified while Cilium cut both edges.
test('with the cilium-config but no Cilium agent in the inventory, a kubernetes recommendation is still judged as Cilium enforces it: blocked without policy-cidr-match-mode: nodes, verified with it', async () => {
  const db = await store(', policy-cidr-match-mode: ""', false);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, false);
  assert.deepEqual(
    verification.blocked.map((b) => b.edge),
    ['workload:shop/DaemonSet/web|apiserver|6443|TCP', 'workload:shop/DaemonSet/web|workload:edge/DaemonSet/agent|9100|TCP'],
  );
  for (const b of verification.blocked) assert.match(b.reason, /only with policy-cidr-match-mode: nodes, and the cilium-config sets no policy-cidr-match-mode; set policy-cidr-match-mode: nodes, or use the cilium engine/);
  assert.equal(verificationFailures(verification).length, 2);
  assert.deepEqual(verification.warnings.filter((w) => /does not show the network plugin/.test(w)), []);

  const nodes = await store(', policy-cidr-match-mode: "nodes"', false);
  const passing = runRecommendation(readRecommendationInput(nodes, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false }).verification;
  assert.deepEqual(passing.blocked, []);
  assert.equal(passing.ok, true);
  assert.deepEqual(passing.warnings.filter((w) => /ipBlock/.test(w)), []);
});
