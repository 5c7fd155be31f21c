/**
 * Cilium's policy enforcement mode and audit mode, read from kube-system/cilium-config:
 * `enable-policy` (Helm `policyEnforcementMode`, written lower-cased: `enable-policy: "{{ lower
 * .Values.policyEnforcementMode }}"`; the agent lower-cases it too and refuses to start on any value
 * but default, always and never) and `policy-audit-mode` (Helm `policyAuditMode`). Both keys are
 * written only when the Helm value is set (install/kubernetes/cilium/templates/cilium-configmap.yaml
 * `hasKey`); absent, the agent's defaults hold: `default`, audit off.
 * cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes": under `always`
 * "policy enforcement is enabled on all endpoints even if no rules select specific endpoints"; under
 * `never` it "is disabled on all endpoints, even if rules do select specific endpoints".
 * Documentation/gettingstarted/policy-creation.rst: "Policy Audit Mode configures Cilium to allow all
 * traffic while logging all connections that would otherwise be dropped by policy".
 * A cluster reduced to what shows it: web calls api on 8080 in namespace shop.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { readInventory } from '../../store/inventory.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';
const deployment = (name: string, ip: string, port: number) => `
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: ${name}, namespace: shop, uid: u-${name} }, spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}-x, namespace: shop, labels: { app: ${name} }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: ${name}, uid: u-${name}, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;

/** `config`: the cilium-config's data beyond cluster-name. */
const inventory = (config: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
${deployment('web', '10.244.1.10', 8000)}
${deployment('api', '10.244.1.11', 8080)}
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
`;

const CALL = JSON.stringify({
  time: new Date(NOW - 120_000).toISOString(),
  verdict: 'FORWARDED',
  IP: { source: '10.244.1.10', destination: '10.244.1.11', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
  source: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
  destination: { namespace: 'shop', pod_name: 'api-x', labels: ['k8s:app=api'] },
  node_name: 'worker-1',
  traffic_direction: 'EGRESS',
});
/** A policy that selects neither end (`simulate` needs one). */
const ELSEWHERE = JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'elsewhere', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'other' } }, ingress: [{}] } });
const EDGES = JSON.stringify([{ client: 'workload:shop/DaemonSet/web', server: 'workload:shop/DaemonSet/api', port: 8080, protocol: 'TCP' }]);

async function store(config: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${CALL}\n`]) }], { format: 'hubble' });
  return db;
}
const recommend = (db: Awaited<ReturnType<typeof store>>, engine: EngineName = 'cilium', egress = true) =>
  runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ namespace: 'shop', egress }), { tightness: false }).verification;
const modeWarnings = (warnings: readonly string[]) => warnings.filter((w) => /enable-policy|policy-audit-mode/.test(w));
const refused = (config: string, message: RegExp) =>
  assert.throws(
    () => importInventory(tmpDb().db, { text: inventory(config), takenAt: NOW, source: 'bad', now: NOW }),
    (e: unknown) => e instanceof AppError && message.test(e.message),
  );

test('enable-policy and policy-audit-mode are imported with the cilium-config (absent: default and off; the agent lower-cases the mode); a value the agent refuses is refused naming the field', async () => {
  const read = async (config: string) => {
    const p = readInventory(await store(config)).ciliumPolicy;
    return { enablePolicy: p?.enablePolicy, policyAuditMode: p?.policyAuditMode };
  };
  assert.deepEqual(await read(''), { enablePolicy: 'default', policyAuditMode: false });
  assert.deepEqual(await read(', enable-policy: "always", policy-audit-mode: "true"'), { enablePolicy: 'always', policyAuditMode: true });
  assert.deepEqual(await read(', enable-policy: "Never", policy-audit-mode: "false"'), { enablePolicy: 'never', policyAuditMode: false });
  refused(', enable-policy: "sometimes"', /ConfigMap kube-system\/cilium-config: data\.enable-policy: expected "default", "always" or "never", got the string "sometimes"/);
  refused(', policy-audit-mode: "yes"', /ConfigMap kube-system\/cilium-config: data\.policy-audit-mode: expected "true" or "false", got the string "yes"/);
  // A store whose cilium-config was imported before migration 0042 does not know them.
  const older = await store(', enable-policy: "always"');
  older.prepare('UPDATE inventory_imports SET cilium_enable_policy = NULL, cilium_policy_audit_mode = NULL').run();
  assert.deepEqual({ enablePolicy: readInventory(older).ciliumPolicy?.enablePolicy, policyAuditMode: readInventory(older).ciliumPolicy?.policyAuditMode }, { enablePolicy: undefined, policyAuditMode: undefined });
});

test('simulate: a pod no policy selects, a flow to it — enable-policy "always" denies, "default" allows', async () => {
  assert.equal(simulateFlows(await store(', enable-policy: "always"'), { engine: 'cilium', policies: ELSEWHERE, flows: EDGES, format: 'edges' }).decisions[0]!.verdict, 'deny');
  assert.equal(simulateFlows(await store(', enable-policy: "default"'), { engine: 'cilium', policies: ELSEWHERE, flows: EDGES, format: 'edges' }).decisions[0]!.verdict, 'allow');
});

test('under "never" the recommendation is ineffective: verified as allowed, with a warning saying Cilium enforces nothing, for cilium and for kubernetes (Cilium enforces NetworkPolicies too)', async () => {
  const db = await store(', enable-policy: "never"');
  for (const engine of ['cilium', 'kubernetes'] as const) {
    const v = recommend(db, engine);
    assert.equal(v.ok, true, engine);
    const said = modeWarnings(v.warnings);
    assert.equal(said.length, 1, JSON.stringify(v.warnings));
    assert.match(said[0]!, /the cilium-config sets enable-policy: "never": Cilium enforces no policy on any endpoint \(intro\.rst "Policy Enforcement Modes"\), so these manifests, like the applied policies, have no effect until it is "default" or "always"/);
  }
  const sim = simulateFlows(db, { engine: 'cilium', policies: ELSEWHERE, flows: EDGES, format: 'edges' });
  assert.equal(modeWarnings(sim.warnings).length, 1, JSON.stringify(sim.warnings));
});

test('under policy-audit-mode the recommendation is not enforced: a warning; the verification still computes the verdicts', async () => {
  const db = await store(', policy-audit-mode: "true"');
  const v = recommend(db);
  assert.equal(v.ok, true);
  const said = modeWarnings(v.warnings);
  assert.equal(said.length, 1, JSON.stringify(v.warnings));
  assert.match(said[0]!, /the cilium-config sets policy-audit-mode: "true": Cilium drops nothing — flows policy would deny pass, shown as AUDIT .* the verdicts here are those it would enforce with audit mode off/);
  assert.deepEqual(modeWarnings(recommend(await store('')).warnings), []);
});

test('under "always" the verification says what it judges, and a direction the recommendation leaves open (--no-egress) is opened by an allow-all rule, judged as the recommendation\'s own: nothing in blockedByApplied (intro.rst: "always" enforces on endpoints no rule selects)', async () => {
  const db = await store(', enable-policy: "always"');
  const v = recommend(db, 'cilium', false);
  const said = modeWarnings(v.warnings);
  assert.equal(said.length, 1, JSON.stringify(v.warnings));
  assert.match(said[0]!, /the cilium-config sets enable-policy: "always": every endpoint denies in both directions what no rule allows, selected or not .* a direction the recommendation leaves open is open by an allow-all rule \(enable-policy: always\), judged as the recommendation's own/);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(v.blockedByApplied, []);
  // With egress restricted, the recommendation allows both sides itself.
  const both = recommend(db);
  assert.equal(both.ok, true, JSON.stringify(both.blocked));
  assert.deepEqual(both.blockedByApplied, []);
  // Under "default" the open direction stays allowed and nothing is said.
  const byDefault = recommend(await store(''), 'cilium', false);
  assert.deepEqual(byDefault.blockedByApplied, []);
  assert.deepEqual(modeWarnings(byDefault.warnings), []);
});

/** A NetworkPolicy that selects neither end. */
const ELSEWHERE_NP = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'elsewhere', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress'] } });

test('simulate --engine kubernetes on a Cilium cluster (the cilium-config in the inventory): the agent enforces the NetworkPolicies, so its enforcement settings are warned of as for cilium — under "always" that the kubernetes verdict "allow" for a pod no policy selects is a deny on Cilium', async () => {
  const simulate = async (config: string) => simulateFlows(await store(config), { engine: 'kubernetes', policies: ELSEWHERE_NP, flows: EDGES, format: 'edges' });
  const always = await simulate(', enable-policy: "always"');
  assert.equal(always.decisions[0]!.verdict, 'allow', 'NetworkPolicy semantics: no policy selects api');
  const said = modeWarnings(always.warnings);
  assert.equal(said.length, 1, JSON.stringify(always.warnings));
  assert.match(said[0]!, /the cilium-config sets enable-policy: "always": every endpoint denies in both directions what no rule allows, selected or not .*which the kubernetes simulation does not read: .*Cilium denies it.*simulate with engine cilium/);
  const never = modeWarnings((await simulate(', enable-policy: "never"')).warnings);
  assert.equal(never.length, 1, JSON.stringify(never));
  assert.match(never[0]!, /enable-policy: "never": Cilium enforces no policy on any endpoint/);
  assert.equal(modeWarnings((await simulate(', policy-audit-mode: "true"')).warnings).length, 1);
  assert.deepEqual(modeWarnings((await simulate('')).warnings), []);
});
