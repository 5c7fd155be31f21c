/**
 * Cilium's agent option `allow-localhost` (kube-system/cilium-config; `auto`, the default, is
 * `always` under Kubernetes): with `policy` the local host — the kubelet's probes, host-network
 * pods on the node — is subject to policy like any other peer (cilium/cilium pkg/option config.go
 * AllowLocalhost, "policy"; pkg/policy mapstate.go determineAllowLocalhostIngress adds the local
 * host's allow only when AlwaysAllowLocalhost()), and the Cilium docs tell users to allow the
 * `host` entity ("the local host ... also includes all containers running in host networking mode
 * on the local host", policy language "Entities"). Input: web probed by the kubelet of its node
 * and reached by nothing else; expected: with `policy` the cilium recommendation's ingress allows
 * `fromEntities: [host]` and verifies, and the same manifests without that rule cut the probe —
 * the verification says so, judging the probe at the pod; the kubernetes recommendation's
 * NetworkPolicy, which Cilium enforces and which cannot name the local host, cuts it: blocked —
 * unless `policy-cidr-match-mode: nodes` lets an ipBlock of the node addresses name it, which the
 * kubernetes engine then writes; the clusternetworkpolicy and calico outputs cut nothing there;
 * with `auto` nothing changes.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { EmitResult } from '../../recommender/engines/types.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { readInventory } from '../../store/inventory.ts';
import { localHostCluster, T } from '../helpers/local-host-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();

/** The kubelet of worker-1 probing web (a Hubble TCP SYN from the host identity). */
const PROBE = JSON.stringify({
  time: new Date(NOW - 120_000).toISOString(),
  verdict: 'FORWARDED',
  IP: { source: '172.18.0.3', destination: '10.244.1.10', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
  source: { identity: 1, labels: ['reserved:host'] },
  destination: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
  node_name: 'worker-1',
  traffic_direction: 'INGRESS',
});

const list = (items: readonly unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const KUBELET = JSON.stringify([{ client: 'kubelet:worker-1', server: 'workload:shop/DaemonSet/web', port: 8080, protocol: 'TCP' }]);

async function store(config: string, extra = '') {
  const { db } = tmpDb();
  importInventory(db, { text: localHostCluster(config, extra), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${PROBE}\n`]) }], { format: 'hubble' });
  return db;
}

type Cnp = { spec: { ingress?: { fromEntities?: string[] }[] }; metadata: { annotations: Record<string, string> } };
const hostRules = (m: Cnp) => (m.spec.ingress ?? []).filter((r) => r.fromEntities?.includes('host'));

test('allow-localhost is imported with the cilium-config (auto when absent); a value other than auto, always or policy is refused naming the field', async () => {
  assert.equal(readInventory(await store(', allow-localhost: policy')).ciliumPolicy?.allowLocalhost, 'policy');
  assert.equal(readInventory(await store('')).ciliumPolicy?.allowLocalhost, 'auto');
  assert.throws(
    () => importInventory(tmpDb().db, { text: localHostCluster(', allow-localhost: never'), takenAt: NOW, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && /cilium-config: data\.allow-localhost: expected "auto", "always" or "policy", got the string "never"/.test(e.message),
  );
});

test('with allow-localhost: policy the cilium recommendation allows the host entity into every pod whose ingress it isolates, says why, and verifies; without the rule the kubelet probe is cut', async () => {
  const db = await store(', allow-localhost: policy');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const isolating = (emitted.manifests as unknown as Cnp[]).filter((m) => m.spec.ingress !== undefined);
  assert.ok(isolating.length > 0);
  for (const m of isolating) {
    assert.deepEqual(hostRules(m), [{ fromEntities: ['host'] }]);
    assert.match(Object.values(m.metadata.annotations).join('\n'), /allow-localhost: policy/);
  }
  // Without the host rule (an empty rule keeps the ingress isolated, as the engine's deny-all does).
  const cut = (ingress: Cnp['spec']['ingress'] & object) => ingress.map((r) => (r.fromEntities?.includes('host') ? {} : r));
  const withoutHost = (emitted.manifests as unknown as Cnp[]).map((m) => ({ ...m, spec: { ...m.spec, ...(m.spec.ingress ? { ingress: cut(m.spec.ingress) } : {}) } }));
  const [probe] = simulateFlows(db, { engine: 'cilium', policies: list(withoutHost), flows: KUBELET, format: 'edges' }).decisions;
  assert.equal(probe!.verdict, 'deny', JSON.stringify(probe));
  const [kept] = simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: KUBELET, format: 'edges' }).decisions;
  assert.equal(kept!.verdict, 'allow', JSON.stringify(kept));
});

test('with allow-localhost auto or always the recommendation has no host rule and the local host still reaches its pods', async () => {
  for (const config of ['', ', allow-localhost: always']) {
    const db = await store(config);
    const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
    assert.equal(verification.ok, true);
    for (const m of emitted.manifests as unknown as Cnp[]) assert.deepEqual(hostRules(m), []);
    const [probe] = simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: KUBELET, format: 'edges' }).decisions;
    assert.equal(probe!.verdict, 'allow');
  }
});

const PROBE_EDGE = 'kubelet:worker-1|workload:shop/DaemonSet/web|8080|TCP';
const NEVER_RULES = 'kubelet probes from the pod’s own node are never policy rules';

// Cilium enforces a NetworkPolicy as rules of its own repository (simulate/decide.ts verifyingEngine),
// and under allow-localhost: policy adds no local-host allow beside them (mapstate.go
// determineAllowLocalhostIngress: only `if option.Config.AlwaysAllowLocalhost()`); a NetworkPolicy
// peer is pods, namespaces or an ipBlock, and Cilium matches no ipBlock against a node without
// policy-cidr-match-mode: nodes (policy language, "Selecting nodes with CIDR / ipBlock").
test('with allow-localhost: policy the kubernetes recommendation isolating a probed pod cuts the kubelet probe: the verification is blocked there and says the ways out', async () => {
  const db = await store(', allow-localhost: policy');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, false);
  assert.deepEqual(verification.blocked.map((b) => [b.edge, b.direction]), [[PROBE_EDGE, 'ingress']]);
  const [reason] = verification.blocked.map((b) => b.reason);
  assert.match(reason!, /NetworkPolicy\/shop\/shop-daemonset-web/);
  assert.match(reason!, /allow-localhost: policy/);
  assert.match(reason!, /use the cilium engine/);
  assert.match(reason!, /policy-cidr-match-mode: nodes/);
  assert.match(reason!, /allow-localhost: always/);
  assert.equal(verification.skipped[NEVER_RULES], undefined, 'judged, not skipped');
  // What the verification says is what `simulate --engine cilium` decides of the same manifests.
  const [probe] = simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: KUBELET, format: 'edges' }).decisions;
  assert.equal(probe!.verdict, 'deny', JSON.stringify(probe));
});

test('with allow-localhost: policy the verification judges the kubelet probe at the pod under the cilium engine too: without the host rule it is blocked', async () => {
  const db = await store(', allow-localhost: policy');
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const { emitted } = runRecommendation(input, 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  const edge = input.edges.find((e) => e.client.kind === 'kubelet')!;
  const sides: VerifiedSides = { workload: 'shop/DaemonSet/web', edges: { ingress: [edge], egress: [] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: true, egress: false } };
  const cut = (ingress: Cnp['spec']['ingress'] & object) => ingress.map((r) => (r.fromEntities?.includes('host') ? {} : r));
  const withoutHost = (emitted.manifests as unknown as Cnp[]).map((m) => ({ ...m, spec: { ...m.spec, ...(m.spec.ingress ? { ingress: cut(m.spec.ingress) } : {}) } }));
  const verify = (manifests: readonly unknown[]) =>
    verifyRecommendation({ engine: 'cilium', emitted: { engine: 'cilium', manifests, warnings: [] } as unknown as EmitResult, model, applied: [], sides: [sides], simulator: SIMULATORS.cilium, tightness: false });
  const blocked = verify(withoutHost);
  assert.equal(blocked.ok, false);
  assert.deepEqual(blocked.blocked.map((b) => [b.edge, b.direction]), [[PROBE_EDGE, 'ingress']]);
  assert.match(blocked.blocked[0]!.reason, /fromEntities: host/);
  const kept = verify(emitted.manifests);
  assert.equal(kept.ok, true, JSON.stringify(kept.blocked));
  assert.equal(kept.skipped[NEVER_RULES], undefined, 'judged, not skipped');
});

test('with allow-localhost auto or always a probe from the pod’s own node is never a rule: it is judged at its pod, which Cilium lets the local host into, and the kubernetes recommendation verifies as before', async () => {
  for (const config of ['', ', allow-localhost: always']) {
    const db = await store(config);
    const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
    assert.equal(verification.skipped[NEVER_RULES], undefined, 'judged, not skipped');
    for (const m of emitted.manifests as unknown as Np[]) assert.deepEqual(nodeRules(m), []);
  }
});

test('with allow-localhost: policy the probe is judged beside the applied policies too: an applied NetworkPolicy isolating a direction the recommendation leaves open, or an applied deny rule, cuts it (blockedByApplied)', async () => {
  const db = await store(', allow-localhost: policy');
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const edge = input.edges.find((e) => e.client.kind === 'kubelet')!;
  const sides = (restricted: boolean): VerifiedSides => ({ workload: 'shop/DaemonSet/web', edges: { ingress: [edge], egress: [] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: restricted, egress: false } });
  const applied = (kind: string, apiVersion: string, spec: unknown) => ({ apiVersion, kind, namespace: 'shop', name: 'legacy', manifest: { apiVersion, kind, metadata: { name: 'legacy', namespace: 'shop' }, spec } });
  const verify = (engine: 'kubernetes' | 'cilium', manifests: readonly unknown[], restricted: boolean, legacy: ReturnType<typeof applied>) =>
    verifyRecommendation({ engine, emitted: { engine, manifests, warnings: [] } as unknown as EmitResult, model, applied: [legacy], sides: [sides(restricted)], simulator: SIMULATORS.cilium, tightness: false });

  // Ingress left open by the recommendation (a direction no matrix speaks of in mode documented): the applied NetworkPolicy decides it.
  const open = verify('kubernetes', [], false, applied('NetworkPolicy', 'networking.k8s.io/v1', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }));
  assert.equal(open.ok, true, 'the applied policy is the cluster’s state, not the output’s doing');
  assert.deepEqual(open.blockedByApplied.map((b) => [b.edge, b.direction]), [[PROBE_EDGE, 'ingress']]);
  assert.match(open.blockedByApplied[0]!.reason, /isolated for ingress by NetworkPolicy\/shop\/legacy.*leaves this direction open.*allow-localhost: policy/);

  // The cilium recommendation lets the host in; an applied deny rule wins over it ("Deny policies take precedence", policy language).
  const { emitted } = runRecommendation(input, 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  const denied = verify('cilium', emitted.manifests, true, applied('CiliumNetworkPolicy', 'cilium.io/v2', { endpointSelector: { matchLabels: { app: 'web' } }, ingressDeny: [{ fromEntities: ['host'] }] }));
  assert.equal(denied.ok, true);
  assert.deepEqual(denied.blockedByApplied.map((b) => [b.edge, b.direction, b.by?.policy]), [[PROBE_EDGE, 'ingress', 'CiliumNetworkPolicy/shop/legacy']]);
  assert.match(denied.blockedByApplied[0]!.reason, /ingressDeny rule matches node worker-1 \(host\).*allow-localhost: policy/);
});

type Np = { metadata: { name: string; annotations: Record<string, string> }; spec: { ingress?: { from?: { ipBlock?: { cidr: string } }[]; ports?: { port: number | string; protocol: string }[] }[] } };
const nodeRules = (m: Np) => (m.spec.ingress ?? []).filter((r) => r.from?.some((p) => p.ipBlock !== undefined));

// With policy-cidr-match-mode: nodes the agent gives its local host identity the CIDR labels of its
// node's addresses (cilium/cilium pkg/node/manager.go nodeIdentityLabels: `if n.IsLocal()` …
// `if PolicyCIDRMatchesNodes()` merge GetCIDRLabels; pkg/ipcache metadata.go resolveIdentity
// "Associate any new labels with the host identity"), so an ipBlock of those addresses selects it.
test('with allow-localhost: policy and policy-cidr-match-mode: nodes the kubernetes recommendation lets the node addresses in on the probed port and verifies; Cilium then allows the probe', async () => {
  const db = await store(', allow-localhost: policy, policy-cidr-match-mode: nodes');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  assert.equal(verification.skipped[NEVER_RULES], undefined, 'judged, not skipped');
  const [web] = emitted.manifests as unknown as Np[];
  assert.deepEqual(nodeRules(web!), [{ from: [{ ipBlock: { cidr: '172.18.0.3/32' } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  const [first] = web!.metadata.annotations['flowmatrix.io/rules']!.split('\n');
  assert.match(first!, /^ingress implied shop\/daemonset\/web#own-node: .*observed from worker-1.*allow-localhost: policy.*policy-cidr-match-mode: nodes/);
  const [probe] = simulateFlows(db, { engine: 'cilium', policies: list(emitted.manifests), flows: KUBELET, format: 'edges' }).decisions;
  assert.equal(probe!.verdict, 'allow', JSON.stringify(probe));
  // The cilium engine keeps the host entity, on every port, and names no node address.
  const cilium = runRecommendation(readRecommendationInput(db, {}), 'cilium', recommendOptions({ namespace: 'shop' }), { tightness: false });
  for (const m of cilium.emitted.manifests as unknown as Cnp[]) if (m.spec.ingress !== undefined) assert.deepEqual(hostRules(m), [{ fromEntities: ['host'] }]);
  assert.doesNotMatch(JSON.stringify(cilium.emitted.manifests), /172\.18\.0\.3/);
});

test('the kubernetes recommendation names no node for the probes where Cilium lets the local host in anyway (policy-cidr-match-mode: nodes alone)', async () => {
  const db = await store(', policy-cidr-match-mode: nodes');
  const { verification, emitted } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.equal(verification.ok, true);
  for (const m of emitted.manifests as unknown as Np[]) assert.deepEqual(nodeRules(m), []);
});

/** Cilium's agent at 1.20, the first build to enforce ClusterNetworkPolicies in its tiers (domain/cilium-release.ts). */
const AGENT_1_20 = `  - { apiVersion: v1, kind: Pod, metadata: { name: cilium-x, namespace: kube-system, labels: { k8s-app: cilium }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, hostNetwork: true, containers: [{ name: cilium-agent, image: "quay.io/cilium/cilium:v1.20.1" }] }, status: { phase: Running, startTime: "${T}", podIP: 172.18.0.3 } }
`;

// Cilium converts a ClusterNetworkPolicy into rules that never deny by default (pkg/policy/k8s
// ParseClusterNetworkPolicy: `r.DefaultDeny = false` on each, where ParseNetworkPolicy sets `true`),
// so only a Deny rule matching the local host would cut its probe, and the engine's isolation
// denies `namespaces: {}`, which Cilium reads as "a namespace label exists" (pkg/k8s
// parseNetworkPolicyPeer, allowAllNamespacesRequirement): pods only, never the host. Calico's
// kinds Cilium does not enforce at all, and Calico's felix does not police host → endpoint.
test('with allow-localhost: policy the clusternetworkpolicy and calico recommendations cut no probe on Cilium 1.20 with ClusterNetworkPolicies on; the NetworkPolicies do', async () => {
  const db = await store(', allow-localhost: policy, enable-k8s-cluster-network-policy: "true"', AGENT_1_20);
  const input = () => readRecommendationInput(db, {});
  const probeUnder = (manifests: readonly unknown[]) => simulateFlows(db, { engine: 'cilium', policies: list(manifests), flows: KUBELET, format: 'edges' }).decisions[0]!;
  for (const engine of ['clusternetworkpolicy', 'calico'] as const) {
    const { verification, emitted } = runRecommendation(input(), engine, recommendOptions({ namespace: 'shop' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    assert.ok(emitted.manifests.length > 0, engine);
    const probe = probeUnder(emitted.manifests);
    assert.equal(probe.verdict, 'allow', `${engine}: ${JSON.stringify(probe)}`);
    // Judged in Cilium's tiers: the Baseline Deny of `namespaces: {}` does not match the host.
    if (engine === 'clusternetworkpolicy') assert.match(probe.ingress!.reason, /no rule of any tier matches/);
  }
  const kubernetes = runRecommendation(input(), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
  assert.deepEqual(kubernetes.verification.blocked.map((b) => b.edge), [PROBE_EDGE]);
  assert.equal(probeUnder(kubernetes.emitted.manifests).verdict, 'deny');
});

// Under allow-localhost auto (always under Kubernetes) or always the agent adds the local host's
// allow beneath the deny rules: it is inserted deny-preferred (cilium/cilium pkg/policy mapstate.go
// determineAllowLocalhostIngress: DenyPreferredInsert in older releases, in current ones
// insertWithChanges of a priority-0 allow, which a deny of the same priority outranks,
// types.NewMapStateEntry adding PrecedenceDeny), and "Deny policies take precedence over allow policies, regardless of whether
// they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes
// Network Policy" (docs.cilium.io security/policy/deny). So an ingressDeny matching the local host —
// the `host` entity, `cluster` (which holds host) or `all`, a CIDR of its node's addresses under
// policy-cidr-match-mode: nodes — cuts the kubelet's probe; `remote-node` is every node but the
// local host, and a CIDR matches no node without that mode.
test('with allow-localhost auto or always an ingressDeny matching the local host wins over its allow: the probe is judged at the pod, blockedByApplied under an applied deny and blocked under a recommended one', async () => {
  const cnp = (spec: { ingressDeny: unknown[] }, kind = 'CiliumNetworkPolicy') => ({
    apiVersion: 'cilium.io/v2',
    kind,
    metadata: kind === 'CiliumNetworkPolicy' ? { name: 'legacy', namespace: 'shop' } : { name: 'legacy' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ...spec },
  });
  const applied = (m: ReturnType<typeof cnp>): AppliedPolicy => ({ apiVersion: m.apiVersion, kind: m.kind, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}), name: m.metadata.name, manifest: m });
  const cases: { config: string; deny: ReturnType<typeof cnp>; cuts: boolean }[] = [
    { config: '', deny: cnp({ ingressDeny: [{ fromEntities: ['host'] }] }), cuts: true },
    { config: ', allow-localhost: always', deny: cnp({ ingressDeny: [{ fromEntities: ['cluster'] }] }, 'CiliumClusterwideNetworkPolicy'), cuts: true },
    { config: '', deny: cnp({ ingressDeny: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }), cuts: true },
    { config: ', policy-cidr-match-mode: nodes', deny: cnp({ ingressDeny: [{ fromCIDR: ['172.18.0.0/24'] }] }), cuts: true },
    // Not the local host: another port, remote-node, a CIDR without the nodes mode.
    { config: '', deny: cnp({ ingressDeny: [{ fromEntities: ['host'], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }] }), cuts: false },
    { config: '', deny: cnp({ ingressDeny: [{ fromEntities: ['remote-node'] }] }), cuts: false },
    { config: '', deny: cnp({ ingressDeny: [{ fromCIDR: ['172.18.0.0/24'] }] }), cuts: false },
  ];
  for (const { config, deny, cuts } of cases) {
    const label = `${config || 'auto'}: ${JSON.stringify(deny.spec.ingressDeny)}`;
    const db = await store(config);
    const input = readRecommendationInput(db, {});
    const model = clusterModel(input.inventory, input.externalNames);
    const edge = input.edges.find((e) => e.client.kind === 'kubelet')!;
    const sides: VerifiedSides = { workload: 'shop/DaemonSet/web', edges: { ingress: [edge], egress: [] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: true, egress: false } };
    const verify = (engine: 'kubernetes' | 'cilium', manifests: readonly unknown[], beside: readonly AppliedPolicy[]) =>
      verifyRecommendation({ engine, emitted: { engine, manifests, warnings: [] } as unknown as EmitResult, model, applied: beside, sides: [sides], simulator: SIMULATORS.cilium, tightness: false });
    // What `simulate --engine cilium` decides of the deny beside nothing else is what the verification must agree with.
    const [alone] = simulateFlows(db, { engine: 'cilium', policies: list([deny]), flows: KUBELET, format: 'edges' }).decisions;
    assert.equal(alone!.verdict, cuts ? 'deny' : 'allow', `${label}: ${JSON.stringify(alone)}`);
    for (const engine of ['cilium', 'kubernetes'] as const) {
      const { emitted } = runRecommendation(input, engine, recommendOptions({ namespace: 'shop' }), { tightness: false });
      const beside = verify(engine, emitted.manifests, [applied(deny)]);
      assert.equal(beside.ok, true, `${label} ${engine}: the applied policy is the cluster's state`);
      assert.deepEqual(beside.blockedByApplied.map((b) => [b.edge, b.direction, b.by?.policy]), cuts ? [[PROBE_EDGE, 'ingress', `${deny.kind}/${deny.metadata.namespace ? 'shop/' : ''}legacy`]] : [], `${label} ${engine}`);
      if (cuts) assert.match(beside.blockedByApplied[0]!.reason, /ingressDeny rule matches node worker-1 \(host\).*kubelet's probe.*deny rule wins over the local host's allow/, label);
      assert.equal(beside.skipped[NEVER_RULES], undefined, `${label} ${engine}: judged, not skipped`);
    }
    const ours = verify('cilium', [deny], []);
    assert.equal(ours.ok, !cuts, label);
    assert.deepEqual(ours.blocked.map((b) => [b.edge, b.direction]), cuts ? [[PROBE_EDGE, 'ingress']] : [], label);
    if (cuts) assert.match(ours.blocked[0]!.reason, /deny rule wins over the local host's allow.*narrow the deny rule/, label);
  }
});

// The probe edge's evidence says what the manifests do with it: under allow-localhost: policy the
// engines write rules that let the local host in (the cilium engine's host entity; the kubernetes
// engine's ipBlock of every node's addresses on the probed ports under policy-cidr-match-mode:
// nodes, rule #own-node), so "never a rule" would contradict the manifest; elsewhere no engine
// writes one.
test('the probe edge is no rule of its own, and its reason names what lets it in where an engine writes a rule for it (allow-localhost: policy), never a rule elsewhere', async () => {
  type Observed = { key: string; reason?: string };
  const reasonOf = async (config: string) => {
    const db = await store(config);
    const { rec } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ namespace: 'shop' }), { tightness: false });
    const observed = rec.workloads.flatMap((w) => (w.observed ?? []) as Observed[]);
    return observed.find((o) => o.key === PROBE_EDGE)?.reason ?? '';
  };
  const nodes = await reasonOf(', allow-localhost: policy, policy-cidr-match-mode: nodes');
  assert.doesNotMatch(nodes, /never a rule/);
  assert.match(nodes, /^traffic with the pod's own node worker-1 \(kubelet probes, node-local agents\) is no rule of its own: .*allow-localhost: policy.*the cilium engine lets the host entity in.*the kubernetes engine every node's addresses on the ports it reached .*shop\/daemonset\/web#own-node.*policy-cidr-match-mode: nodes/);
  const policy = await reasonOf(', allow-localhost: policy');
  assert.doesNotMatch(policy, /never a rule/);
  assert.match(policy, /is no rule of its own: .*the cilium engine lets the host entity in.*a NetworkPolicy cannot name the local host/);
  for (const config of ['', ', allow-localhost: always', ', policy-cidr-match-mode: nodes']) {
    assert.equal(await reasonOf(config), "traffic with the pod's own node worker-1 (kubelet probes, node-local agents) is never a rule", config);
  }
});

// `simulate --engine kubernetes` decides NetworkPolicies by the Kubernetes rule ("traffic to and
// from the node where a Pod is running is always allowed"), which Cilium does not follow under
// allow-localhost: policy (determineAllowLocalhostIngress adds no local-host allow): the verdict
// stays the kubernetes one, and a warning says Cilium's differs and how to get it, as for
// enable-policy: "always" (simulate/cilium/enforcement-mode.ts alwaysNotSimulated).
test('simulate --engine kubernetes on Cilium under allow-localhost: policy allows the probe by NetworkPolicy semantics and warns that Cilium cuts it: simulate with engine cilium', async () => {
  const isolating = list([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } }]);
  const localHost = (warnings: readonly string[] | undefined) => (warnings ?? []).filter((w) => /allow-localhost/.test(w));
  const db = await store(', allow-localhost: policy');
  const k = simulateFlows(db, { engine: 'kubernetes', policies: isolating, flows: KUBELET, format: 'edges' });
  assert.equal(k.decisions[0]!.verdict, 'allow');
  const said = localHost(k.warnings);
  assert.equal(said.length, 1, JSON.stringify(k.warnings));
  assert.match(said[0]!, /the cilium-config sets allow-localhost: policy.*which the kubernetes simulation does not read: .*from the pod's own node.*simulate with engine cilium/);
  assert.equal(simulateFlows(db, { engine: 'cilium', policies: isolating, flows: KUBELET, format: 'edges' }).decisions[0]!.verdict, 'deny');
  assert.deepEqual(localHost(simulateFlows(await store(''), { engine: 'kubernetes', policies: isolating, flows: KUBELET, format: 'edges' }).warnings), []);
});
