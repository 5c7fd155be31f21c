/**
 * On the demo cluster: what observation adds to the matrices, end to end. The Kyma
 * backends (external HTTPS), the NetObserv install in Kafka mode and the controller's S3/OTLP
 * flows are each allowed by the recommendation on all four engines - decided by the engines'
 * simulators (recommender/simulate) on the emitted manifests - and neighbours of those flows
 * that were never observed (another port, another address, another client) are not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, runRecommendation } from '../../app/recommendation.ts';
import { resolveMatrices } from '../../app/matrices.ts';
import type { Peer, WorkloadKind } from '../../domain/peer.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { RecommendInput } from '../../recommender/recommend.ts';
import { clusterModel, connectionFlow } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { openDb } from '../../store/db.ts';
import request from 'supertest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testApp } from '../helpers/service.ts';

const dbPath = await demoDb();

function inputWith(config: MatricesConfigT): RecommendInput {
  const db = openDb(dbPath);
  try {
    return readRecommendationInput(db, config);
  } finally {
    db.close();
  }
}

const wl = (namespace: string, kind: WorkloadKind, name: string): Peer => ({ kind: 'workload', workload: { namespace, kind, name } });
const ext = (ip: string): Peer => ({ kind: 'external', ip });
const node = (name: string): Peer => ({ kind: 'node', node: name });

interface Probe {
  client: Peer;
  server: Peer;
  port: number;
}

/** Per engine: the verdict of each probe under the recommendation's manifests. */
function verdicts(input: RecommendInput, probes: readonly Probe[]): Record<EngineName, ('allow' | 'deny')[]> {
  const model = clusterModel(input.inventory, input.externalNames);
  const out = {} as Record<EngineName, ('allow' | 'deny')[]>;
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification } = runRecommendation(input, engine, {}, { details: false });
    assert.equal(verification.ok, true, `${engine}: the verification passes (${JSON.stringify(verification.blocked.slice(0, 3))})`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    out[engine] = probes.map((p) => {
      const conn = connectionFlow(model, p.client, p.server, p.port, 'TCP');
      assert.ok(conn.ok, JSON.stringify(p));
      return sim.evaluate(conn.flow).verdict;
    });
  }
  return out;
}

function assertEveryEngine(input: RecommendInput, allowed: readonly Probe[], denied: readonly Probe[]): void {
  const v = verdicts(input, [...allowed, ...denied]);
  for (const engine of ENGINE_NAMES) {
    const got = v[engine];
    allowed.forEach((p, i) => assert.equal(got[i], 'allow', `${engine} allows ${JSON.stringify(p)}`));
    denied.forEach((p, i) => assert.equal(got[allowed.length + i], 'deny', `${engine} denies ${JSON.stringify(p)}`));
  }
}

const kyma = (kind: WorkloadKind, name: string): Peer => wl('kyma-system', kind, name);
const CLS = '198.51.100.20';
const DYNATRACE = '198.51.100.30';

test('Kyma backends (seed 001 line 15: "external logging services (e.g., CLS)"; lines 19, 23: "external telemetry backends (e.g. CLS, Dynatrace)"): one role per signal, each bound from its own pipeline\'s observed peers, and the pipelines reach their own backends on every engine, not each other\'s', () => {
  const input = inputWith({});
  const m = input.matrices.find((x) => x.name === 'kyma-telemetry')!;
  assert.equal(m.roles.find((r) => r.role === 'telemetry-backends'), undefined, 'no role for every backend of every pipeline');
  // Each Log/Metric/TracePipeline has its own configured output (kyma-project/telemetry-manager
  // README: the collector "forwards the received traces to a configurable OTLP backend"): the
  // demo's log components reach CLS, its metric and trace gateways Dynatrace.
  const expected: Record<string, { peer: string; names: string[]; components: string[] }> = {
    'log-backends': { peer: CLS, names: ['ingest.cls.example.com'], components: ['fluent-bit', 'log-agent', 'log-gateway'] },
    'metric-backends': { peer: DYNATRACE, names: ['tenant.live.dynatrace.example.com'], components: ['metric-gateway'] },
    'trace-backends': { peer: DYNATRACE, names: ['tenant.live.dynatrace.example.com'], components: ['trace-gateway'] },
  };
  for (const [name, want] of Object.entries(expected)) {
    const role = m.roles.find((r) => r.role === name)!;
    assert.equal(role.origin, 'inferred', name);
    assert.deepEqual(role.candidates?.map((c) => [c.peer, c.names, c.ports, c.components]), [[`external:${want.peer}`, want.names, ['443/TCP'], want.components.map((c) => `kyma-telemetry/${c}`)]], name);
    // By the names seen for the addresses: a SaaS endpoint's addresses rotate (docs/recommend.md: an external address is its DNS names when they were seen).
    assert.deepEqual(role.bindings, [{ fqdns: want.names, ports: [{ port: 443 }] }], name);
    assert.match(role.pin ?? '', new RegExp(`matrices:\\n {2}bindings:\\n {4}roles:\\n {6}${name}:\\n`), name);
    assert.ok(m.findings.some((f) => f.kind === 'role-inferred' && f.subject === name && f.message.includes(`matrices.bindings.roles.${name}`)), name);
  }
  // Rules to a role are confirmed, marked inferred, and their edges are never violations.
  const rule = (component: string, role: string) => m.components.find((c) => c.name === component)!.rules.find((r) => r.id === `kyma-telemetry/${component}/egress/${role}`)!;
  const logPin = m.roles.find((r) => r.role === 'log-backends')!.pin;
  assert.equal(rule('fluent-bit', 'log-backends').active, true);
  assert.deepEqual(rule('fluent-bit', 'log-backends').inferred, { role: 'log-backends', candidates: [`external:${CLS}`], pin: logPin });
  assert.deepEqual(rule('trace-gateway', 'trace-backends').inferred?.candidates, [`external:${DYNATRACE}`]);
  // Line 23: the metric agent ships to the metric pipelines' backend, the one the metric gateway is seen reaching.
  assert.deepEqual(rule('metric-agent', 'metric-backends').inferred?.candidates, [`external:${DYNATRACE}`]);
  const { rec } = runRecommendation(input, 'kubernetes', { namespace: 'kyma-system' });
  for (const w of rec.workloads) assert.equal(w.violations.filter((v) => v.includes('external:')).length, 0, w.workload.name);
  const fb = rec.workloads.find((w) => w.workload.name === 'telemetry-fluent-bit')!;
  const doc = fb.documented.find((d) => d.id === 'kyma-telemetry/fluent-bit/egress/log-backends')!;
  assert.equal(doc.status, 'confirmed');
  assert.equal(doc.inferred?.role, 'log-backends');
  assert.equal(doc.inferred?.pin, logPin, 'recommend --output json says how to pin the binding');

  const backend = (kind: WorkloadKind, name: string, ip: string): Probe => ({ client: kyma(kind, name), server: ext(ip), port: 443 });
  assertEveryEngine(
    input,
    [
      backend('DaemonSet', 'telemetry-fluent-bit', CLS),
      backend('DaemonSet', 'telemetry-log-agent', CLS),
      backend('Deployment', 'telemetry-log-gateway', CLS),
      backend('Deployment', 'telemetry-metric-gateway', DYNATRACE),
      backend('Deployment', 'telemetry-trace-gateway', DYNATRACE),
      backend('DaemonSet', 'telemetry-metric-agent', DYNATRACE),
    ],
    [
      { client: kyma('DaemonSet', 'telemetry-fluent-bit'), server: ext(CLS), port: 8443 }, // another port of a backend
      backend('DaemonSet', 'telemetry-fluent-bit', '198.51.100.99'), // an address never observed
      backend('Deployment', 'telemetry-self-monitor', CLS), // a component whose rules name no backend
      // Another signal's backend: the log pipelines' output is not the metric and trace pipelines'.
      backend('DaemonSet', 'telemetry-fluent-bit', DYNATRACE),
      backend('DaemonSet', 'telemetry-log-agent', DYNATRACE),
      backend('Deployment', 'telemetry-log-gateway', DYNATRACE),
      backend('Deployment', 'telemetry-metric-gateway', CLS),
      backend('Deployment', 'telemetry-trace-gateway', CLS),
      backend('DaemonSet', 'telemetry-metric-agent', CLS),
    ],
  );
});

const KAFKA_INSTALL: MatricesConfigT = { systems: { netobserv: { parameters: { namespace: 'netobserv-kafka', deploymentModel: 'Kafka', 'loki.enabled': false } } } };
const kafkaBroker = wl('kafka', 'StatefulSet', 'kafka-cluster-kafka');
const kafkaFlp = wl('netobserv-kafka', 'Deployment', 'flowlogs-pipeline');

test('NetObserv in Kafka mode (seed 002 lines 35-36 and 50-51, "TCP, port depends on your Kafka setup"): the discovered brokers on their Service port, agents and flowlogs-pipeline confirmed and allowed on every engine', () => {
  const input = inputWith(KAFKA_INSTALL);
  const m = input.matrices.find((x) => x.name === 'netobserv')!;
  const kafka = m.roles.find((r) => r.role === 'kafka')!;
  assert.equal(kafka.origin, 'discovered');
  assert.deepEqual(kafka.servicePorts, [{ protocol: 'TCP', port: 9092 }], 'the bootstrap Service target port, never every port');
  const rule = (component: string, id: string) => m.components.find((c) => c.name === component)!.rules.find((r) => r.id === id)!;
  assert.deepEqual(rule('flowlogs-pipeline', 'netobserv/flowlogs-pipeline/egress/kafka').ports, [{ protocol: 'TCP', port: 9092 }]);
  // The agents are host-network pods (line 28): their flows come from the node addresses, and confirm the rule.
  assert.ok((rule('ebpf-agent', 'netobserv/ebpf-agent/egress/kafka').observedFromNodes ?? []).some((k) => k.startsWith('node:') && k.includes('|workload:kafka/StatefulSet/kafka-cluster-kafka|9092|TCP')));
  const { rec } = runRecommendation(input, 'kubernetes', {});
  const agent = rec.workloads.find((w) => w.workload.namespace === 'netobserv-kafka-privileged')!;
  assert.equal(agent.documented.find((d) => d.id === 'netobserv/ebpf-agent/egress/kafka')?.status, 'confirmed');
  const flp = rec.workloads.find((w) => w.workload.namespace === 'netobserv-kafka' && w.workload.name === 'flowlogs-pipeline')!;
  assert.equal(flp.documented.find((d) => d.id === 'netobserv/flowlogs-pipeline/egress/kafka')?.status, 'confirmed');

  const workers = ['demo-worker-1', 'demo-worker-2', 'demo-worker-3'];
  assertEveryEngine(
    input,
    [...workers.map((n) => ({ client: node(n), server: kafkaBroker, port: 9092 })), { client: kafkaFlp, server: kafkaBroker, port: 9092 }],
    [
      { client: kafkaFlp, server: kafkaBroker, port: 9091 }, // the replication port: brokers only
      { client: wl('shop', 'Deployment', 'frontend'), server: kafkaBroker, port: 9092 }, // a client never observed
      { client: kafkaFlp, server: wl('netobserv', 'StatefulSet', 'loki'), port: 3100 }, // Loki is off in this install
    ],
  );
});

const ctl = wl('progressive-delivery', 'Deployment', 'stage-controller');
const S3 = '198.51.100.7';
const OTLP = '203.0.113.10';

test('the controller\'s S3 and OTLP flows (seed 003 lines 81-82) are allowed on every engine; with s3.configured and otlp.configured unset they are documented when set, and their roles are bound from observation', () => {
  const input = inputWith({});
  const m = input.matrices.find((x) => x.name === 'progressive-delivery')!;
  const rules = m.components.find((c) => c.name === 'controller')!.rules;
  const s3 = rules.find((r) => r.id === 'progressive-delivery/controller/egress/s3')!;
  const s3Key = `workload:progressive-delivery/Deployment/stage-controller|external:${S3}|443|TCP`;
  const otlpKey = `workload:progressive-delivery/Deployment/stage-controller|external:${OTLP}|4317|TCP`;
  assert.equal(s3.active, false, 'line 81: "when configured", and s3.configured is unset');
  assert.deepEqual(s3.whenConfigured, {
    set: 's3.configured=true',
    config: ['matrices.systems.progressive-delivery.parameters: {s3.configured: true}', 'matrices.bindings.roles.s3: [{"fqdns":["stage-rollback.s3.eu-central-1.amazonaws.com"],"ports":[{"port":443}]}] (bound from observation: pin it)'],
    edges: [s3Key],
  });
  // The address's DNS name is an S3 endpoint (s3.<region>.amazonaws.com): S3, not a remote
  // apiserver or an http-action target (lines 79-83), so the s3 role is bound; 4317 is OTLP's own port.
  const role = (r: string) => m.roles.find((x) => x.role === r)!;
  // By the bucket's name, not today's address of it (seed 003 lines 50-55: toFQDNs for the bucket).
  assert.deepEqual([role('s3').origin, role('s3').bindings], ['inferred', [{ fqdns: ['stage-rollback.s3.eu-central-1.amazonaws.com'], ports: [{ port: 443 }] }]]);
  assert.deepEqual(role('s3').candidates?.map((c) => c.names), [['stage-rollback.s3.eu-central-1.amazonaws.com']]);
  assert.deepEqual([role('otlp-collector').origin, role('otlp-collector').bindings], ['inferred', [{ fqdns: ['otlp.example.com'], ports: [{ port: 4317 }] }]]);
  for (const r of ['remote-apiservers', 'http-action-targets']) assert.deepEqual([role(r).origin, role(r).ambiguous], ['unbound', undefined], r);

  const { rec } = runRecommendation(input, 'kubernetes', { namespace: 'progressive-delivery' });
  const w = rec.workloads.find((x) => x.workload.name === 'stage-controller')!;
  assert.ok(
    w.warnings.includes(
      'progressive-delivery/controller/egress/s3 is documented when set (must: the S3-compatible bucket backing the rollback store): 1 observed edge(s) fit it and are allowed; set s3.configured=true in the cluster config (matrices.systems.progressive-delivery.parameters: {s3.configured: true}; matrices.bindings.roles.s3: [{"fqdns":["stage-rollback.s3.eu-central-1.amazonaws.com"],"ports":[{"port":443}]}] (bound from observation: pin it)) to document them',
    ),
    w.warnings.join('\n'),
  );
  assert.ok(w.warnings.some((x) => x.startsWith('progressive-delivery/controller/egress/otlp-collector is documented when set') && x.includes('set otlp.configured=true in the cluster config (matrices.systems.progressive-delivery.parameters: {otlp.configured: true}')));
  const doc = (id: string) => w.documented.find((d) => d.id === id)!;
  assert.deepEqual([doc('progressive-delivery/controller/egress/s3').status, doc('progressive-delivery/controller/egress/s3').edges], ['documented-when-set', [s3Key]]);
  assert.deepEqual([doc('progressive-delivery/controller/egress/otlp-collector').status, doc('progressive-delivery/controller/egress/otlp-collector').edges], ['documented-when-set', [otlpKey]]);
  // The edges say so too: each documented by one rule once its parameter is set, and allowed.
  const edge = (k: string) => w.observed.find((o) => o.key === k)!;
  assert.deepEqual([edge(s3Key).status, edge(s3Key).documentedWhen, edge(s3Key).included], ['documented-when-set', ['progressive-delivery/controller/egress/s3 when s3.configured=true'], true]);
  assert.deepEqual([edge(otlpKey).status, edge(otlpKey).documentedWhen, edge(otlpKey).included], ['documented-when-set', ['progressive-delivery/controller/egress/otlp-collector when otlp.configured=true'], true]);
  // Line 124: "Egress is off by default" - without egress.enabled the controller's egress is not authoritative: no violation.
  assert.deepEqual(w.violations, []);
  // Mode documented keeps them too (docs/matrices.md, "Documented when set"): the document allows them under a condition the cluster evidently meets.
  const documented = runRecommendation(input, 'kubernetes', { namespace: 'progressive-delivery', mode: 'documented' }).rec.workloads.find((x) => x.workload.name === 'stage-controller')!;
  assert.deepEqual([s3Key, otlpKey].map((k) => documented.observed.find((o) => o.key === k)?.included), [true, true]);
  // The policy rules that allow them carry the status.
  const statuses = new Set(w.rules.filter((r) => r.evidence.edges.some((e) => e.key === s3Key || e.key === otlpKey)).map((r) => r.status));
  assert.deepEqual([...statuses], ['documented-when-set']);

  assertEveryEngine(
    input,
    [
      { client: ctl, server: ext(S3), port: 443 },
      { client: ctl, server: ext(OTLP), port: 4317 },
    ],
    [
      { client: ctl, server: ext(S3), port: 80 },
      { client: ctl, server: ext('203.0.113.11'), port: 4317 },
      { client: ctl, server: ext('198.51.100.99'), port: 443 },
    ],
  );
});

test('seed 003 line 124: with egress.enabled the egress table is the whole list; S3 and OTLP pinned and configured are confirmed, nothing else is allowed out', () => {
  const config: MatricesConfigT = {
    bindings: { roles: { s3: { cidrs: [`${S3}/32`], ports: [{ port: 443 }] }, 'otlp-collector': { cidrs: [`${OTLP}/32`], ports: [{ port: 4317 }] } } },
    systems: { 'progressive-delivery': { parameters: { 'egress.enabled': true, 's3.configured': true, 'otlp.configured': true } } },
  };
  const input = inputWith(config);
  const { rec } = runRecommendation(input, 'kubernetes', { namespace: 'progressive-delivery' });
  const w = rec.workloads.find((x) => x.workload.name === 'stage-controller')!;
  for (const id of ['progressive-delivery/controller/egress/s3', 'progressive-delivery/controller/egress/otlp-collector']) {
    assert.equal(w.documented.find((d) => d.id === id)?.status, 'confirmed', id);
  }
  assert.deepEqual(w.violations, []);
  assertEveryEngine(input, [{ client: ctl, server: ext(S3), port: 443 }, { client: ctl, server: ext(OTLP), port: 4317 }], [{ client: ctl, server: ext(OTLP), port: 443 }]);

  // The same with egress on but S3 and OTLP not configured: the egress table is authoritative,
  // yet the S3 and OTLP flows are documented when set - most likely required, so allowed on every
  // engine, never violations - and the warnings say which parameter documents them, and where.
  const unset = inputWith({ systems: { 'progressive-delivery': { parameters: { 'egress.enabled': true } } } });
  const r2 = runRecommendation(unset, 'kubernetes', { namespace: 'progressive-delivery' }).rec.workloads.find((x) => x.workload.name === 'stage-controller')!;
  assert.deepEqual(r2.violations, []);
  assert.ok(r2.warnings.some((x) => x.includes('set s3.configured=true in the cluster config (matrices.systems.progressive-delivery.parameters: {s3.configured: true}')));
  assertEveryEngine(unset, [{ client: ctl, server: ext(S3), port: 443 }, { client: ctl, server: ext(OTLP), port: 4317 }], [{ client: ctl, server: ext(OTLP), port: 443 }, { client: ctl, server: ext(S3), port: 4317 }]);
});

test('unbound and unobserved: RMA is reported ("bind `rma` ...") and the must rules waiting for it are allowed from any source on their ports until it is bound, with a warning', () => {
  const db = openDb(dbPath);
  let matrices;
  try {
    matrices = resolveMatrices(db, {}).matrices;
  } finally {
    db.close();
  }
  const m = matrices.find((x) => x.name === 'kyma-telemetry')!;
  const rma = m.roles.find((r) => r.role === 'rma')!;
  assert.equal(rma.origin, 'unbound', 'the self-monitor scraping the manager is the matrix\'s own component, never RMA');
  assert.ok(m.findings.some((f) => f.kind === 'role-unbound' && f.message.startsWith('bind `rma` (The RMA')));
  const { rec } = runRecommendation(inputWith({}), 'kubernetes', { namespace: 'kyma-system' });
  const manager = rec.workloads.find((w) => w.workload.name === 'telemetry-manager')!;
  assert.ok(manager.warnings.some((x) => x.startsWith('kyma-telemetry/telemetry-manager/ingress/rma-8080 (must') && x.includes('this recommendation allows that ingress flow from any source')));
  // With egress left open, a must egress rule waiting for a role blocks nothing: no such warning.
  const open = runRecommendation(inputWith({ systems: { 'progressive-delivery': { parameters: {} } } }), 'kubernetes', { namespace: 'progressive-delivery', egress: false }).rec;
  assert.ok(open.workloads.every((w) => !w.warnings.some((x) => x.includes('that egress flow gets no rule'))));
});

test('seed 001 line 30: the self-monitor scraping the manager is a violation; its alertmanager webhook on 9443 is not', () => {
  const { rec } = runRecommendation(inputWith({}), 'kubernetes', { namespace: 'kyma-system' });
  const manager = rec.workloads.find((w) => w.workload.name === 'telemetry-manager')!;
  // An edge key as every output writes it (docs/recommend.md): the one of the observed edge.
  assert.deepEqual(manager.violations, ['workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/Deployment/telemetry-manager|8080|TCP']);
  assert.ok(manager.observed.some((o) => o.key === manager.violations[0]));
  const self = rec.workloads.find((w) => w.workload.name === 'telemetry-self-monitor')!;
  assert.equal(self.documented.find((d) => d.id === 'kyma-telemetry/self-monitor/egress/alertmanager-webhook')?.status, 'confirmed');
});

test('"any namespace" stays open-ended and `world` means everything (docs/matrices.md, Peers): a pod of a namespace created after the recommendation reaches the Kyma gateways\' OTLP port and StackLight\'s load-balanced UIs on every engine, and so does any outside address', () => {
  const input = inputWith({});
  // Tomorrow's cluster: one more namespace with one pod, which no manifest can have listed.
  const tomorrow = structuredClone(input.inventory);
  tomorrow.namespaces.push({ name: 'team-tomorrow', labels: { 'kubernetes.io/metadata.name': 'team-tomorrow' } });
  tomorrow.workloads.push({ namespace: 'team-tomorrow', kind: 'Deployment', name: 'app', labels: { app: 'app' }, selector: { matchLabels: { app: 'app' } }, hostNetwork: false, ports: [], services: [], exposure: [] });
  tomorrow.podAddresses.push({ ip: '10.244.2.250', namespace: 'team-tomorrow', pod: 'app-0', workload: { namespace: 'team-tomorrow', kind: 'Deployment', name: 'app' }, node: 'demo-worker-2', hostNetwork: false });
  const model = clusterModel(tomorrow, input.externalNames);
  const app = wl('team-tomorrow', 'Deployment', 'app');
  const probes: Probe[] = [
    // Seed 001 line 18, role otlp-clients = { namespaceSelector: {}, selector: {} }: every pod of every namespace.
    { client: app, server: kyma('Deployment', 'telemetry-trace-gateway'), port: 4318 },
    // Seed 000 line 36-46, role load-balancer-clients = world: any client, any port.
    { client: app, server: wl('stacklight', 'Deployment', 'alerta'), port: 12345 },
    { client: ext('203.0.113.77'), server: wl('stacklight', 'Deployment', 'alerta'), port: 12345 },
  ];
  for (const engine of ENGINE_NAMES) {
    const { emitted } = runRecommendation(input, engine, {}, { details: false });
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const p of probes) {
      const conn = connectionFlow(model, p.client, p.server, p.port, 'TCP');
      assert.ok(conn.ok, JSON.stringify(p));
      assert.equal(sim.evaluate(conn.flow).verdict, 'allow', `${engine}: ${JSON.stringify(p)}`);
    }
    // The gateway is still restricted: the same new pod on another port is denied (8888, the
    // metrics port, is open to any source while RMA, which scrapes it, is unbound: docs/matrices.md).
    const other = connectionFlow(model, app, kyma('Deployment', 'telemetry-trace-gateway'), 9999, 'TCP');
    assert.ok(other.ok);
    assert.equal(sim.evaluate(other.flow).verdict, 'deny', `${engine}: 9999 is no port of the gateway's rules`);
  }
});

test('matrix show and GET /api/v1/matrices/{name} say which roles are inferred, from what, and how to pin them', async () => {
  const cli = await runCli(['matrix', 'show', 'kyma-telemetry', '--db', dbPath]);
  assert.equal(cli.code, 0, cli.err);
  const shown = parse(cli.out) as { roles: { role: string; origin: string; pin?: string; candidates?: { peer: string }[] }[] };
  const role = shown.roles.find((r) => r.role === 'log-backends')!;
  assert.equal(role.origin, 'inferred');
  assert.deepEqual(role.candidates?.map((c) => c.peer), [`external:${CLS}`]);
  // The pin is a cluster config that binds the role: fed back, the role is bound by config.
  const pinned = parse(role.pin!) as { matrices: MatricesConfigT };
  const again = inputWith(pinned.matrices).matrices.find((m) => m.name === 'kyma-telemetry')!.roles.find((r) => r.role === 'log-backends')!;
  assert.deepEqual([again.origin, again.bindings], ['config', [{ fqdns: ['ingest.cls.example.com'], ports: [{ port: 443 }] }]]);

  const db = openDb(dbPath);
  try {
    const res = await request(testApp(db, dbPath)).get('/api/v1/matrices/kyma-telemetry').expect(200);
    const api = res.body as { roles: { role: string; origin: string; pin?: string }[]; findings: { kind: string; subject: string }[] };
    assert.equal(api.roles.find((r) => r.role === 'log-backends')?.origin, 'inferred');
    assert.equal(api.roles.find((r) => r.role === 'log-backends')?.pin, role.pin);
    assert.ok(api.findings.some((f) => f.kind === 'role-inferred' && f.subject === 'log-backends'));
    // Seed 003 lines 81-82: the controller's S3 rule is documented when set, with what to set and where.
    const pd = (await request(testApp(db, dbPath)).get('/api/v1/matrices/progressive-delivery').expect(200)).body as {
      roles: { role: string; origin: string }[];
      components: { rules: { id: string; whenConfigured?: { set: string; config: string[] } }[] }[];
    };
    assert.deepEqual(pd.roles.filter((r) => r.origin === 'inferred').map((r) => r.role), ['otlp-collector', 's3']);
    const s3 = pd.components[0]!.rules.find((r) => r.id === 'progressive-delivery/controller/egress/s3')!;
    assert.deepEqual([s3.whenConfigured?.set, s3.whenConfigured?.config[0]], ['s3.configured=true', 'matrices.systems.progressive-delivery.parameters: {s3.configured: true}']);
  } finally {
    db.close();
  }
  const shownPd = parse((await runCli(['matrix', 'show', 'progressive-delivery', '--db', dbPath])).out) as { components: { rules: { id: string; whenConfigured?: { set: string } }[] }[] };
  assert.equal(shownPd.components[0]!.rules.find((r) => r.id === 'progressive-delivery/controller/egress/otlp-collector')?.whenConfigured?.set, 'otlp.configured=true');
});

test('seed 002 lines 28 and 33-34: the host-network agents\' flows to flowlogs-pipeline 2055, seen from the node addresses, confirm the must rule at both ends instead of being undocumented and unobserved at once', () => {
  const { rec } = runRecommendation(inputWith({}), 'kubernetes', { namespace: 'netobserv' });
  const flp = rec.workloads.find((w) => w.workload.namespace === 'netobserv' && w.workload.name === 'flowlogs-pipeline')!;
  const fromNodes = flp.observed.filter((o) => o.direction === 'ingress' && o.port === 2055 && /^(node|kubelet):/.test(o.client));
  assert.ok(fromNodes.length > 0);
  for (const o of fromNodes) assert.deepEqual([o.status, o.rules], ['confirmed', ['netobserv/flowlogs-pipeline/ingress/ebpf-agent-service']], o.key);
  const all = runRecommendation(inputWith({}), 'kubernetes', {}).rec;
  const agent = all.workloads.find((w) => w.workload.namespace === 'netobserv-privileged')!;
  assert.equal(agent.documented.find((d) => d.id === 'netobserv/ebpf-agent/egress/flowlogs-pipeline-service')?.status, 'confirmed');
});

test('a workload a bound role stands for is no candidate for another, unbound role of the matrix: with loki.enabled false, flowlogs-pipeline → Loki is undocumented, not documented when set as an exporter (docs/matrices.md: a peer that fits two readings binds neither)', () => {
  const input = inputWith({ systems: { netobserv: { parameters: { 'loki.enabled': false } } } });
  const netobserv = input.matrices.find((m) => m.name === 'netobserv')!;
  const exporters = netobserv.roles.find((r) => r.role === 'exporters')!;
  assert.equal(exporters.origin, 'unbound', JSON.stringify(exporters.candidates ?? []));
  const rule = netobserv.components.flatMap((c) => c.rules).find((r) => r.id === 'netobserv/flowlogs-pipeline/egress/exporters')!;
  assert.deepEqual(rule.whenConfigured?.edges ?? [], [], 'no observed edge fits it as an exporter');
});
