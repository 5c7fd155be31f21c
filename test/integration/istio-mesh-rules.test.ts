/**
 * What Istio's data planes need from a network policy, on every engine, from the inventory
 * (test/helpers/istio-cluster.ts) and NetObserv flows as the wire shows them:
 *
 * - kubelet probes of an ambient pod arrive SNATed from 169.254.7.127 (istio.io "Ambient and
 *   Kubernetes NetworkPolicy", health probes: a default-deny must allow 169.254.7.127/32; "Platform-
 *   Specific Prerequisites", Cilium: its own exemption covers node-level probes only, so
 *   `fromCIDR: 169.254.7.127/32`). They confirm a documented health check from the nodes (Kyma's
 *   metric gateway, 13133), are never a violation, and are allowed by a /32 rule that says why;
 * - a pod with an Istio proxy gets its config and certificates from istiod on 15012/TCP ("Ports
 *   used by Istio": "XDS and CA services (TLS and mTLS …)"), whatever its matrix documents: an
 *   implied egress rule to istiod, and istiod's ingress from it;
 * - HBONE between mesh workloads is 15008/TCP on the wire ("Ambient and Kubernetes
 *   NetworkPolicy"): the rule says so.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { IP, meshInventory, synRecord } from '../helpers/istio-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const ENGINES = ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const;
const T = Date.parse('2026-11-20T10:00:00Z');
const PROBE = '169.254.7.127';

interface Rule {
  direction: string;
  status: string;
  text: string;
  peers: { kind: string; cidr?: string; namespace?: string; selector?: unknown }[];
  ports: { port?: number; protocol: string }[];
}
interface Recommendation {
  workloads: {
    workload: { name: string };
    violations: string[];
    warnings: string[];
    rules: Rule[];
    documented: { id: string; status: string }[];
    observed: { key: string; included: boolean; reason?: string }[];
  }[];
  verification: { ok: boolean; blocked: unknown[] };
}

const dir = tmpDir();
/** Kyma's roles bound as a cluster would bind them, so that no unbound role opens a direction to everything. */
const config = join(dir, 'cfg.yaml');
writeFileSync(config, 'matrices:\n  bindings:\n    roles:\n      log-backends: { cidrs: [203.0.113.0/24], ports: [{ port: 443 }] }\n      metric-backends: { cidrs: [203.0.113.0/24], ports: [{ port: 443 }] }\n      trace-backends: { cidrs: [203.0.113.0/24], ports: [{ port: 443 }] }\n      rma: { namespace: monitoring, selector: { matchLabels: { app: prometheus } } }\n');

async function cluster(name: string, inventory: string, flows: string[]): Promise<string> {
  const db = join(dir, `${name}.db`);
  writeFileSync(join(dir, `${name}.json`), inventory);
  writeFileSync(join(dir, `${name}.ndjson`), `${flows.join('\n')}\n`);
  assert.equal((await runCli(['inventory', 'import', join(dir, `${name}.json`), '--db', db])).code, 0);
  const r = await runCli(['ingest', join(dir, `${name}.ndjson`), '--db', db]);
  assert.equal(r.code, 0, r.err);
  return db;
}

const mesh = await cluster('mesh', meshInventory(), [
  synRecord(PROBE, IP.metricGateway, 13133, T),
  synRecord(PROBE, IP.api, 9090, T),
  // A sidecar pod is not captured by ambient: nothing SNATs its probes, so this address is no probe of it.
  synRecord(PROBE, IP.logGateway, 13133, T),
  synRecord(IP.logGateway, IP.istiod, 15012, T),
  synRecord(IP.web, IP.api, 15008, T),
  synRecord(IP.web, IP.coredns, 53, T),
]);

async function recommend(db: string, engine: string, ns: string, workload: string): Promise<{ rec: Recommendation; w: Recommendation['workloads'][number] }> {
  const r = await runCli(['recommend', '--engine', engine, '-n', ns, '--workload', workload, '--config', config, '-o', 'json', '--db', db]);
  assert.ok(r.code === 0 || r.code === 2, r.err);
  const rec = JSON.parse(r.out) as Recommendation;
  return { rec, w: rec.workloads[0]! };
}

/** `simulate` of one flow under the exported manifests: the verdicts of both sides. */
async function simulate(db: string, engine: string, ns: string, flow: string): Promise<string[]> {
  const exported = await runCli(['export', '--engine', engine, '-n', ns, '--config', config, '--db', db]);
  assert.equal(exported.code, 0, exported.err);
  const policies = join(dir, `${engine}-${ns}.yaml`);
  const flows = join(dir, `${engine}-${ns}-flow.ndjson`);
  writeFileSync(policies, exported.out);
  writeFileSync(flows, `${flow}\n`);
  const r = await runCli(['simulate', '--engine', engine, '--policies', policies, '--flows', flows, '--db', db]);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { verdict: string }[]).map((d) => d.verdict);
}

const probeRule = (w: Recommendation['workloads'][number], port: number): Rule | undefined =>
  w.rules.find((r) => r.direction === 'ingress' && r.peers.some((p) => p.cidr === `${PROBE}/32`) && r.ports.some((p) => p.port === port));

for (const engine of ENGINES) {
  test(`${engine}: the kubelet probe of an ambient pod (from ${PROBE}) confirms Kyma's health check, is no violation, and is allowed by a /32 rule that says why`, async () => {
    const { rec, w } = await recommend(mesh, engine, 'kyma-system', 'deployment/telemetry-metric-gateway');
    assert.deepEqual(w.violations, [], 'never a violation under the authoritative ingress');
    const edge = w.observed.find((o) => o.key.startsWith(`external:${PROBE}|`));
    assert.equal(edge?.included, true, JSON.stringify(edge));
    assert.equal(w.documented.find((d) => d.id === 'kyma-telemetry/metric-gateway/ingress/health-checks')?.status, 'confirmed');
    const rule = probeRule(w, 13133);
    assert.ok(rule, JSON.stringify(w.rules));
    assert.equal(rule.status, 'confirmed');
    assert.match(rule.text, /kubelet probe/);
    assert.match(rule.text, /ambient/);
    assert.equal(rec.verification.ok, true, JSON.stringify(rec.verification.blocked));
    if (engine !== 'clusternetworkpolicy') {
      // ClusterNetworkPolicy ingress names pods and namespaces only: the emitter warns of it.
      assert.deepEqual(await simulate(mesh, engine, 'kyma-system', synRecord(PROBE, IP.metricGateway, 13133, T)), ['allow']);
    }
  });
}

test('an undocumented ambient workload: its kubelet probes get an implied /32 rule on the probed port', async () => {
  const { w } = await recommend(mesh, 'kubernetes', 'amb', 'deployment/api');
  const rule = probeRule(w, 9090);
  assert.ok(rule, JSON.stringify(w.rules));
  assert.equal(rule.status, 'implied');
  assert.match(rule.text, /169\.254\.7\.127/);
});

test('169.254.7.127 to a pod with a sidecar is no ambient probe: under the authoritative ingress it stays a violation', async () => {
  const { w } = await recommend(mesh, 'kubernetes', 'kyma-system', 'deployment/telemetry-log-gateway');
  assert.ok(w.violations.some((v) => v.startsWith(`external:${PROBE}|`)), JSON.stringify(w.violations));
});

for (const engine of ENGINES) {
  test(`${engine}: a sidecar's xDS to istiod on 15012 is an implied rule, also under Kyma's authoritative egress, and no violation`, async () => {
    const { rec, w } = await recommend(mesh, engine, 'kyma-system', 'deployment/telemetry-log-gateway');
    assert.ok(!w.violations.some((v) => v.includes('istiod')), JSON.stringify(w.violations));
    assert.equal(w.observed.find((o) => o.key.includes('istiod'))?.included, true);
    const rule = w.rules.find((r) => r.direction === 'egress' && r.ports.some((p) => p.port === 15012));
    assert.ok(rule, JSON.stringify(w.rules));
    assert.equal(rule.status, 'implied');
    assert.match(rule.text, /istiod/);
    assert.ok(rule.peers.some((p) => p.namespace === 'istio-system'), JSON.stringify(rule.peers));
    assert.equal(rec.verification.ok, true, JSON.stringify(rec.verification.blocked));
  });
}

for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
  test(`${engine}: a native sidecar never seen talking to istiod still reaches it on 15012: both ends allow it`, async () => {
    const { w } = await recommend(mesh, engine, 'shop', 'deployment/cart');
    assert.ok(w.rules.some((r) => r.direction === 'egress' && r.ports.some((p) => p.port === 15012)), JSON.stringify(w.rules));
    // istiod's own policy (restricted by what it was seen doing) opens 15012 to the proxies the inventory shows.
    const istiod = await recommend(mesh, engine, 'istio-system', 'deployment/istiod');
    assert.ok(istiod.w.rules.some((r) => r.direction === 'ingress' && r.ports.some((p) => p.port === 15012) && r.peers.some((p) => p.namespace === 'shop')), JSON.stringify(istiod.w.rules));
    assert.deepEqual(await simulate(mesh, engine, 'shop', synRecord(IP.cart, IP.istiod, 15012, T)), ['allow']);
    assert.deepEqual(await simulate(mesh, engine, 'istio-system', synRecord(IP.cart, IP.istiod, 15012, T)), ['allow']);
  });
}

test('sidecars but no istiod in the inventory: a warning says what to allow', async () => {
  const db = await cluster('no-istiod', meshInventory({ withoutIstiod: true }), [synRecord(IP.cart, IP.coredns, 53, T)]);
  const { w } = await recommend(db, 'kubernetes', 'shop', 'deployment/cart');
  assert.ok(w.warnings.some((x) => /istiod/.test(x) && /15012/.test(x)), JSON.stringify(w.warnings));
});

test('HBONE between ambient pods is allowed on 15008 and the rule says why', async () => {
  const { w } = await recommend(mesh, 'kubernetes', 'amb', 'deployment/api');
  const rule = w.rules.find((r) => r.direction === 'ingress' && r.ports.some((p) => p.port === 15008));
  assert.ok(rule, JSON.stringify(w.rules));
  assert.match(rule.text, /HBONE/);
});
