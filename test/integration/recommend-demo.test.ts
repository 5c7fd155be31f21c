import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { resolveMatrices } from '../../app/matrices.ts';
import { ENGINE_NAMES, getEngine, toMultiDocYaml } from '../../recommender/engines/index.ts';
import { isStoredEdge, type EdgeTraffic } from '../../domain/edge.ts';
import { recommend, RecommendError, type RecommendInput } from '../../recommender/recommend.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { verifyManifests } from '../../recommender/verify/index.ts';
import type { NetworkPolicySpec } from '../../recommender/engines/wire/kubernetes.ts';
import { openDb } from '../../store/db.ts';
import { readAllEdges, readRecommendData, TRAFFIC_QUERY } from '../../store/recommend-read.ts';
import { edgeKey } from '../../recommender/compare/compare.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { runCli } from '../helpers/cli.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

const GOLDEN = fileURLToPath(new URL('../golden/recommend/', import.meta.url));
/** The namespaces each seed system is deployed to in the demo cluster. */
const SYSTEMS: Record<string, string[]> = {
  stacklight: ['stacklight'],
  'kyma-telemetry': ['kyma-system'],
  netobserv: ['netobserv', 'netobserv-privileged'],
  'progressive-delivery': ['progressive-delivery'],
};

// Built at the top level: a temporary directory made inside a before() hook is removed when the hook ends.
const dbPath = await demoDb();
const input: RecommendInput = demoRecommendInput(dbPath);

test('every manifest for the demo data validates, for all engines and all options', () => {
  let count = 0;
  for (const mode of MODES) {
    for (const egress of [true, false]) {
      for (const defaultDeny of [false, true]) {
        for (const shared of [false, true]) {
          const rec = recommend(input, { mode, egress, defaultDeny, shared });
          for (const engine of ENGINE_NAMES) {
            const { manifests } = getEngine(engine).emit(rec.policySet);
            assert.ok(manifests.length > 0, `${engine} ${mode} emitted nothing`);
            const errors = verifyManifests(manifests);
            assert.deepEqual(errors, [], `${engine} mode=${mode} egress=${egress} defaultDeny=${defaultDeny} shared=${shared}`);
            count += manifests.length;
          }
        }
      }
    }
  }
  assert.ok(count > 1000, `only ${count} manifests checked`);
});

/** What `flowmatrix export --engine E --namespace NS` prints, for each namespace of the system. */
function golden(system: string, engine: string): string {
  return SYSTEMS[system]!.map((namespace) => toMultiDocYaml(getEngine(engine).emit(recommend(input, { namespace }).policySet).manifests)).join('');
}

// One test per seed system and engine, each failing on its own (UPDATE_GOLDEN=1 rewrites them).
for (const system of Object.keys(SYSTEMS)) {
  for (const engine of ENGINE_NAMES) {
    test(`golden ${system}/${engine}.yaml (reviewed against the seed documents)`, () => {
      const file = join(GOLDEN, system, `${engine}.yaml`);
      const text = golden(system, engine);
      assert.ok(text.includes(`kind: `), `${system}/${engine}: nothing emitted`);
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(join(GOLDEN, system), { recursive: true });
        writeFileSync(file, text);
      }
      assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(text, readFileSync(file, 'utf8'), `${system}/${engine}: run with UPDATE_GOLDEN=1 and review the diff`);
    });
  }
}

test('the golden folder holds exactly the seed systems × engines', () => {
  assert.deepEqual(readdirSync(GOLDEN).sort(), Object.keys(SYSTEMS).sort());
  for (const system of Object.keys(SYSTEMS)) assert.deepEqual(readdirSync(join(GOLDEN, system)).sort(), ENGINE_NAMES.map((e) => `${e}.yaml`).sort());
});

test('Flux controller (seed 003), egress on: DNS to kube-system, apiserver /32 on 6443, source-controller in flux-system', () => {
  const rec = recommend(input, { namespace: 'progressive-delivery' });
  const np = getEngine('kubernetes').emit(rec.policySet).manifests.find((m) => m.metadata.name === 'progressive-delivery-deployment-stage-controller');
  assert.ok(np);
  const egress = np.spec.egress as { to: Record<string, unknown>[]; ports?: { port: number; protocol: string }[] }[];
  const dns = egress.find((r) => JSON.stringify(r.to).includes('kube-dns'));
  assert.deepEqual(dns, {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
  });
  assert.ok(egress.some((r) => isDeepStrictEqual(r, { ports: [{ port: 6443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.0.10/32' } }] })));
  assert.ok(egress.some((r) => isDeepStrictEqual(r.to, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'flux-system' } }, podSelector: { matchLabels: { app: 'source-controller' } } }])));
  // Ingress exactly the chart's three rules: gate from Flagger, metrics from Prometheus, webhook from the apiserver.
  const ingress = np.spec.ingress as { ports: { port: number }[] }[];
  assert.deepEqual(ingress.map((r) => r.ports.map((p) => p.port)).sort(), [[8080], [8082], [9443]]);
  const w = rec.workloads.find((x) => x.workload.name === 'stage-controller')!;
  const statuses = Object.fromEntries(w.documented.map((d) => [d.id, d.status]));
  assert.equal(statuses['progressive-delivery/controller/egress/apiserver'], 'confirmed');
  // Seed 003 line 81, "when configured": s3.configured is unset, and the S3 bucket was observed.
  assert.equal(statuses['progressive-delivery/controller/egress/s3'], 'documented-when-set');
});

test('NetObserv with deploymentModel Kafka: agent → Kafka documented, flowlogs-pipeline ingress without 2055 from the agents', async () => {
  const db = openDb(dbPath);
  const config = { systems: { netobserv: { parameters: { deploymentModel: 'Kafka' } } } } as Parameters<typeof resolveMatrices>[1];
  const { matrices } = resolveMatrices(db, config);
  db.close();
  const rec = recommend({ ...input, matrices }, { mode: 'documented' });
  // The demo also runs a second install in netobserv-kafka(-privileged): this is the one of the default namespace.
  const agent = rec.workloads.find((w) => w.workload.name === 'netobserv-ebpf-agent' && w.workload.namespace === 'netobserv-privileged');
  assert.equal(agent?.hostNetwork, true);
  assert.ok(agent, 'the demo has the eBPF agent');
  const kafka = agent.documented.find((d) => d.peer === 'role kafka');
  const flp = agent.documented.find((d) => d.id.endsWith('flowlogs-pipeline-service'));
  assert.ok(kafka && flp, JSON.stringify(agent.documented.map((d) => [d.id, d.peer])));
  assert.equal(flp.status, 'inactive');
  assert.notEqual(kafka.condition, undefined);
  const np = getEngine('kubernetes').emit(rec.policySet).manifests.find((m) => m.metadata.name === 'netobserv-deployment-flowlogs-pipeline');
  assert.ok(np);
  assert.ok(!JSON.stringify(np.spec.ingress ?? []).includes('2055'), 'no ingress on 2055 in the Kafka model');
});

test('CLI: recommend json carries statuses and evidence; yaml and export are byte-identical across runs; unknown engine lists the four', async () => {
  const a = await runCli(['recommend', '--db', dbPath, '--engine', 'cilium', '--namespace', 'shop', '--output', 'json']);
  assert.equal(a.code, 0, a.err);
  const json = JSON.parse(a.out) as { engine: string; workloads: { rules: { status: string; evidence: { edges: { flows: number; firstSeen: string }[] } }[] }[]; manifests: unknown[] };
  assert.equal(json.engine, 'cilium');
  const rules = json.workloads.flatMap((w) => w.rules);
  assert.ok(rules.some((r) => r.evidence.edges.length > 0 && r.evidence.edges[0]!.flows > 0 && /^\d{4}-/.test(r.evidence.edges[0]!.firstSeen)));
  const y1 = await runCli(['recommend', '--db', dbPath, '--engine', 'calico']);
  const y2 = await runCli(['export', '--db', dbPath, '--engine', 'calico']);
  assert.equal(y1.code, 0, y1.err);
  assert.equal(y1.out, y2.out);
  assert.ok(parseAllDocuments(y1.out).length > 10);
  const bad = await runCli(['recommend', '--db', dbPath, '--engine', 'iptables']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown engine "iptables": expected one of kubernetes, cilium, calico, clusternetworkpolicy/);
  const dir = tmpDir();
  const ex = await runCli(['export', '--db', dbPath, '--engine', 'kubernetes', '--namespace', 'shop', '--out', dir]);
  assert.equal(ex.code, 0, ex.err);
  const files = readdirSync(join(dir, 'shop')).sort();
  assert.ok(files.length > 0 && files.every((f) => f.startsWith('networkpolicy-shop-')), files.join(','));
});

/** The kubernetes NetworkPolicies recommended for kube-system/coredns. */
function corednsPolicies(input: RecommendInput): { name: string; spec: NetworkPolicySpec }[] {
  const { manifests } = getEngine('kubernetes').emit(recommend(input, { namespace: 'kube-system', workload: 'coredns' }).policySet);
  return manifests.map((m) => ({ name: m.metadata.name, spec: m.spec }));
}

const DNS_OPEN = { ingress: [{ ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }], podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, policyTypes: ['Ingress'] };

test('the cluster DNS is never isolated from observation alone: 53 stays open to all, egress open until an upstream is seen', () => {
  // With the demo's flows: clients seen are a sample, so 53 is open to every source; no upstream resolver was seen.
  const seen = corednsPolicies(input);
  assert.deepEqual(seen.find((p) => p.name === 'kube-system-deployment-coredns-dns')?.spec, DNS_OPEN);
  const allowlist = seen.find((p) => p.name === 'kube-system-deployment-coredns');
  assert.deepEqual(allowlist?.spec.policyTypes, ['Ingress'], 'egress left open');
  // With no flows at all it is the same: no deny-all for the DNS of the whole cluster.
  const none = corednsPolicies({ ...input, edges: [] });
  assert.deepEqual(none.find((p) => p.name === 'kube-system-deployment-coredns-dns')?.spec, DNS_OPEN);
  assert.deepEqual(none.find((p) => p.name === 'kube-system-deployment-coredns')?.spec.policyTypes, ['Ingress']);
  // Once an upstream resolver is observed, egress is restricted to what was seen (plus the apiserver it uses), on 53/UDP and 53/TCP both.
  const coredns = { kind: 'dns', workload: { namespace: 'kube-system', kind: 'Deployment', name: 'coredns' } } as const;
  const last = Math.max(...input.edges.map((e) => e.lastSeen));
  const upstream = { id: 999_999, client: coredns, server: { kind: 'external', ip: '192.0.2.53' } as const, port: 53, protocol: 'UDP' as const, firstSeen: last - 1000, lastSeen: last, flows: 3, packets: 6, bytes: 600, forwarded: 3, dropped: 0, sources: ['netobserv' as const] };
  const restricted = corednsPolicies({ ...input, edges: [...input.edges, upstream] });
  const egress = restricted.find((p) => p.name === 'kube-system-deployment-coredns')?.spec.egress as { to: unknown[]; ports: unknown[] }[];
  const toUpstream = egress.find((r) => r.to.some((peer) => isDeepStrictEqual(peer, { ipBlock: { cidr: '192.0.2.53/32' } })));
  assert.deepEqual(toUpstream?.ports, [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
});

test('a workload without labels gets no policy and a warning; the rest of the cluster is unaffected', () => {
  const bare = { ...input.inventory.workloads.find((w) => w.namespace === 'tools')!, selector: {}, labels: {} };
  const others = input.inventory.workloads.filter((w) => w !== input.inventory.workloads.find((x) => x.namespace === 'tools'));
  const rec = recommend({ ...input, inventory: { ...input.inventory, workloads: [...others, bare] } }, {});
  const netshoot = rec.workloads.find((w) => w.workload.namespace === 'tools');
  assert.ok(netshoot?.warnings.some((w) => /tools\/netshoot: no labels, no policy/.test(w)), netshoot?.warnings.join('\n'));
  assert.match(netshoot!.summary, /no labels to select it by/);
  assert.equal(rec.policySet.intents.some((i) => i.namespace === 'tools'), false);
  assert.ok(rec.policySet.intents.length > 50);
});

test('kubelet probes are excluded before anything else: never a rule, never a violation of an authoritative matrix', () => {
  // Kyma Telemetry is authoritative for ingress (seed 001), and documents "health checks" (line 14
  // etc.) as rules from the nodes: the probes confirm those rules, and still never become rules.
  const rec = recommend(input, { namespace: 'kyma-system' });
  const probed = rec.workloads.filter((x) => x.observed.some((o) => o.key.startsWith('kubelet:')));
  assert.ok(probed.length > 0, 'the demo probes Kyma Telemetry components');
  for (const w of probed) {
    for (const probe of w.observed.filter((o) => o.key.startsWith('kubelet:'))) {
      assert.equal(probe.included, false, probe.key);
      assert.match(probe.reason ?? '', /kubelet probes, node-local agents(: [^)]*)?\) is never a rule/);
    }
    assert.equal(w.violations.filter((v) => JSON.stringify(v).includes('kubelet:')).length, 0);
    const health = w.documented.filter((d) => d.id.endsWith('/ingress/health-checks') && d.edges.some((e) => e.startsWith('kubelet:')));
    for (const d of health) assert.equal(d.status, 'confirmed', d.id);
    const nodeRules = w.rules.filter((r) => r.evidence.matrixRules.some((m) => m.id.endsWith('/ingress/health-checks')));
    assert.deepEqual(nodeRules.map((r) => r.id), [], `${w.workload.name}: a health check confirmed by kubelet probes renders no rule`);
  }
});

test('recommend JSON lists each policy direction\'s rules in the order the manifests render them (the PolicySet order)', () => {
  for (const options of [{}, { mode: 'observed' as const }, { shared: true, defaultDeny: true }]) {
    const rec = recommend(input, options);
    const irIds = new Map<string, string[]>();
    for (const i of rec.policySet.intents) {
      for (const d of ['ingress', 'egress'] as const) {
        const p = i[d];
        if (p.mode === 'rules') irIds.set(`${i.key}|${d}`, p.rules.map((r) => r.explanation.id));
      }
    }
    const jsonIds = new Map<string, string[]>();
    for (const w of rec.workloads) {
      for (const r of w.rules) {
        const k = `${r.intent}|${r.direction}`;
        jsonIds.set(k, [...(jsonIds.get(k) ?? []), r.id]);
      }
    }
    assert.ok(jsonIds.size > 50, `${jsonIds.size} policy directions with rules`);
    for (const [k, ids] of jsonIds) assert.deepEqual(ids, irIds.get(k), k);
  }
});

test('manifests from the edges\' traffic alone (the export read) equal those from the stored edges; details refuse traffic-only edges', () => {
  const db = openDb(dbPath);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${TRAFFIC_QUERY}`).all() as { detail: string }[];
  assert.deepEqual(plan.map((p) => p.detail), ['SCAN edges USING COVERING INDEX edges_traffic'], 'one index scan, no table lookups, no sort');
  const traffic = { ...readRecommendData(db, { details: false }), matrices: input.matrices };
  const stored = readAllEdges(db);
  db.close();
  assert.equal(traffic.edges.length, stored.length);
  assert.ok(traffic.edges.every((e) => !isStoredEdge(e)), 'the traffic read carries no evidence columns');
  // The same traffic, in edge-key order (the covering index's) rather than storage order.
  const fields = (e: EdgeTraffic) => [edgeKey(e), e.client, e.server, e.port, e.protocol, e.lastSeen, e.flows, e.forwarded, e.dropped] as const;
  const keyed = traffic.edges.map(fields);
  assert.deepEqual(keyed.map((f) => f[0]), keyed.map((f) => f[0]).sort(), 'in edge-key order');
  assert.deepEqual(keyed, stored.map(fields).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  for (const options of [{}, { mode: 'observed' as const, defaultDeny: true }, { shared: true, egress: false }]) {
    const full = recommend(input, options, { details: false });
    const slim = recommend(traffic, options, { details: false });
    assert.deepEqual(slim.workloads, full.workloads);
    for (const engine of ENGINE_NAMES) {
      assert.equal(toMultiDocYaml(getEngine(engine).emit(slim.policySet).manifests), toMultiDocYaml(getEngine(engine).emit(full.policySet).manifests), `${engine} ${JSON.stringify(options)}`);
    }
  }
  assert.throws(() => recommend(traffic, {}, { details: true }), (e: unknown) => e instanceof RecommendError && /stored edges/.test(e.message));
});

test('--shared: a cluster-wide layer\'s rules name each namespace\'s own evidence, and the manifests are the same with details (-o json) and without (-o yaml)', () => {
  const yaml = recommend(input, { shared: true }, { details: false });
  const json = recommend(input, { shared: true });
  // Without details a namespace's shared rule lost "observed in the flows" (its edges were let go
  // before the shared layers were made): -o yaml and -o json printed different annotations.
  assert.deepEqual(yaml.policySet, json.policySet);
  // flux-system's DNS egress is only observed; Kyma Telemetry's matrix documents kyma-system's.
  const layer = json.policySet.intents.find((i) => i.key.startsWith('cluster/shared/flux-system+kyma-system'))!;
  assert.ok(layer.egress.mode === 'rules');
  const dns = layer.egress.rules.find((r) => r.explanation.id.includes('/dns-53'))!;
  assert.equal(
    dns.explanation.text,
    'shared by every workload of namespaces flux-system, kyma-system: flux-system (observed in the flows); kyma-system (documented: every Telemetry component resolves names through the cluster DNS (defined once for all components). observed in the flows). DNS is always allowed when egress is restricted',
  );
});
