/**
 * Seed 003's controller: "an external 443 is ambiguous (S3, a remote apiserver, http-action)"
 * (lines 79-83). Observation binds the S3, OTLP and remote-apiserver roles only on evidence that
 * tells them apart - the role's `recognize` in matrices/progressive-delivery.yaml: OTLP's own ports,
 * the object stores' and managed control planes' DNS names - and lists every other such peer under
 * each role it could be, with the ambiguity said. Input (the built-in matrix, one observed edge) →
 * expected binding and status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from '../../app/catalog.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { Peer } from '../../domain/peer.ts';
import { compareWorkload } from '../../recommender/compare/compare.ts';
import { indexCluster } from '../../recommender/compare/context.ts';
import { documentedWarnings } from '../../recommender/compare/documented-notes.ts';
import { observeMatrices } from '../../recommender/compare/observe.ts';
import { MatrixError, parseMatrix } from '../../recommender/matrix/load.ts';
import { resolveMatrix } from '../../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { namePatternMatches, namePatternProblem } from '../../recommender/matrix/syntax.ts';

const CONTROLLER = { namespace: 'progressive-delivery', kind: 'Deployment' as const, name: 'stage-controller' };
const labels = { 'app.kubernetes.io/name': 'stage-controller' };
const inventory: InventorySnapshot = {
  takenAt: 0,
  namespaces: [{ name: 'progressive-delivery', labels: {} }],
  nodes: [],
  workloads: [{ ...CONTROLLER, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [], services: [], exposure: [] }],
  services: [],
  endpointSlices: [],
  policies: [],
  podAddresses: [],
  apiserver: [],
};

const ctl: Peer = { kind: 'workload', workload: CONTROLLER };
const NOW = Date.UTC(2026, 10, 20);
const out = (ip: string, port: number): EdgeTraffic => ({ client: ctl, server: { kind: 'external', ip }, port, protocol: 'TCP', lastSeen: NOW, flows: 4, forwarded: 4, dropped: 0 });
const keyOf = (e: EdgeTraffic) => `workload:progressive-delivery/Deployment/stage-controller|external:${(e.server as { ip: string }).ip}|${e.port}|TCP`;

function observe(edges: EdgeTraffic[], names: Record<string, string[]> = {}, config: MatricesConfigT = {}): ResolvedMatrix {
  const entry = loadCatalog().find((c) => c.matrix.metadata.name === 'progressive-delivery')!;
  const m = resolveMatrix({ matrix: entry.matrix, origin: 'built-in', overridesBuiltIn: false }, inventory, config);
  return observeMatrices([m], { inventory, edges, ix: indexCluster(inventory, new Map(Object.entries(names))) })[0]!;
}
const role = (m: ResolvedMatrix, r: string) => m.roles.find((x) => x.role === r)!;
const rule = (m: ResolvedMatrix, slug: string) => m.components[0]!.rules.find((r) => r.id === `progressive-delivery/controller/egress/${slug}`)!;

test('seed 003 line 81 + the S3 endpoint names (s3.<region>.amazonaws.com, virtual-hosted <bucket>.s3…): an external 443 named as an S3 endpoint binds s3, and only s3', () => {
  const e = out('198.51.100.7', 443);
  const m = observe([e], { '198.51.100.7': ['rollback.s3.eu-central-1.amazonaws.com'] });
  assert.deepEqual([role(m, 's3').origin, role(m, 's3').bindings], ['inferred', [{ fqdns: ['rollback.s3.eu-central-1.amazonaws.com'], ports: [{ port: 443 }] }]]);
  for (const r of ['remote-apiservers', 'http-action-targets', 'otlp-collector']) assert.deepEqual([role(m, r).origin, role(m, r).ambiguous], ['unbound', undefined], r);
  assert.deepEqual(rule(m, 's3').whenConfigured?.edges, [keyOf(e)]);
  assert.equal(rule(m, 'otlp-collector').whenConfigured, undefined, 'the S3 name rules OTLP out');
  assert.ok(m.findings.some((f) => f.kind === 'role-inferred' && f.subject === 's3' && f.message.includes('rollback.s3.eu-central-1.amazonaws.com')));
});

test('the other object stores\' endpoint names are S3 too (Google Cloud Storage, Azure Blob Storage); a look-alike is not', () => {
  for (const name of ['s3.amazonaws.com', 'b.s3.amazonaws.com', 's3-eu-west-1.amazonaws.com', 's3.dualstack.us-east-2.amazonaws.com', 'b.s3.cn-north-1.amazonaws.com.cn', 'storage.googleapis.com', 'b.storage.googleapis.com', 'acct.blob.core.windows.net']) {
    assert.equal(role(observe([out('198.51.100.7', 443)], { '198.51.100.7': [name] }), 's3').origin, 'inferred', name);
  }
  for (const name of ['s3.example.com', 'evil-s3.amazonaws.com.example.net', 'blob.core.windows.net.example.org']) {
    assert.equal(role(observe([out('198.51.100.7', 443)], { '198.51.100.7': [name] }), 's3').origin, 'unbound', name);
  }
});

test('seed 003 line 82 + OTLP\'s ports (4317 gRPC, 4318 HTTP, the OpenTelemetry defaults; line 171\'s collector on 4317): binds otlp-collector', () => {
  for (const port of [4317, 4318]) {
    const m = observe([out('203.0.113.10', port)]);
    assert.deepEqual([role(m, 'otlp-collector').origin, role(m, 'otlp-collector').bindings], ['inferred', [{ cidrs: ['203.0.113.10/32'], ports: [{ port }] }]], String(port));
    assert.equal(role(m, 's3').origin, 'unbound');
  }
});

test('seed 003 line 79: a managed control plane\'s API endpoint name (EKS, AKS) binds remote-apiservers; its rule is active and confirms the edge', () => {
  const e = out('192.0.2.40', 443);
  const m = observe([e], { '192.0.2.40': ['abc123.gr7.eu-west-1.eks.amazonaws.com'] });
  assert.equal(role(m, 'remote-apiservers').origin, 'inferred');
  assert.equal(rule(m, 'remote-apiservers').active, true);
  // The role is bound by the name (docs/matrices.md): the edge is compared with the names seen for its address.
  const names = new Map([['192.0.2.40', ['abc123.gr7.eu-west-1.eks.amazonaws.com']]]);
  const c = compareWorkload(inventory.workloads[0]!, [{ matrix: m.name, component: m.components[0]! }], { ingress: [], egress: [e] }, indexCluster(inventory, names), { now: NOW, staleDays: 30 });
  assert.equal(c.egress.status[0], 'confirmed');
});

test('seed 003 lines 79-83: an unnamed external 443 could be any of four roles - none is bound, each lists it as ambiguous with every reading, and the edge is documented when set (allowed, never a violation)', () => {
  const e = out('192.0.2.9', 443);
  const m = observe([e]);
  const readings = [
    'progressive-delivery/controller/egress/otlp-collector when otlp.configured=true',
    'progressive-delivery/controller/egress/s3 when s3.configured=true',
    'role http-action-targets',
    'role remote-apiservers',
  ];
  for (const r of ['s3', 'otlp-collector', 'remote-apiservers', 'http-action-targets']) {
    assert.deepEqual([role(m, r).origin, role(m, r).ambiguous], ['unbound', [{ peer: 'external:192.0.2.9', roles: readings, edges: [keyOf(e)] }]], r);
  }
  assert.deepEqual(rule(m, 'remote-apiservers').whenConfigured, { set: 'role remote-apiservers is bound', config: ['matrices.bindings.roles.remote-apiservers (unbound: bind it)'], edges: [keyOf(e)], ambiguous: [keyOf(e)] });
  assert.deepEqual(rule(m, 's3').whenConfigured, {
    set: 's3.configured=true',
    config: ['matrices.systems.progressive-delivery.parameters: {s3.configured: true}', 'matrices.bindings.roles.s3 (unbound: bind it)'],
    edges: [keyOf(e)],
    ambiguous: [keyOf(e)],
  });

  // Even with egress opted in (line 124: the egress table is then the whole list) it is no violation.
  const on = observe([e], {}, { systems: { 'progressive-delivery': { parameters: { 'egress.enabled': true } } } });
  const c = compareWorkload(inventory.workloads[0]!, [{ matrix: on.name, component: on.components[0]! }], { ingress: [], egress: [e] }, indexCluster(inventory), { now: NOW, staleDays: 30 });
  assert.equal(c.egress.status[0], 'documented-when-set');
  assert.deepEqual(c.egress.assessment(0).documentedWhen, [
    'progressive-delivery/controller/egress/http-action-targets when role http-action-targets is bound',
    'progressive-delivery/controller/egress/otlp-collector when otlp.configured=true',
    'progressive-delivery/controller/egress/remote-apiservers when role remote-apiservers is bound',
    'progressive-delivery/controller/egress/s3 when s3.configured=true',
  ]);
  const s3 = c.rules.find((r) => r.rule.id === 'progressive-delivery/controller/egress/s3')!;
  assert.deepEqual([s3.status, s3.edges], ['documented-when-set', [e]]);
  const warning = documentedWarnings(c.rules, { ingress: true, egress: true }, { ingress: true, egress: true }).find((w) => w.startsWith('progressive-delivery/controller/egress/s3 '));
  assert.equal(
    warning,
    'progressive-delivery/controller/egress/s3 is documented when set (must: the S3-compatible bucket backing the rollback store): 1 observed edge(s) fit it, 1 of them also fit other readings (pin the right one) and are allowed; set s3.configured=true in the cluster config (matrices.systems.progressive-delivery.parameters: {s3.configured: true}; matrices.bindings.roles.s3 (unbound: bind it)) to document them',
  );
});

test('a stale edge stays stale: what is not seen any more is no evidence of a configuration', () => {
  const e = { ...out('198.51.100.7', 443), lastSeen: NOW - 40 * 24 * 3600 * 1000 };
  const m = observe([e], { '198.51.100.7': ['b.s3.amazonaws.com'] });
  const c = compareWorkload(inventory.workloads[0]!, [{ matrix: m.name, component: m.components[0]! }], { ingress: [], egress: [e] }, indexCluster(inventory), { now: NOW, staleDays: 30 });
  assert.equal(c.egress.status[0], 'stale');
  assert.equal(c.rules.find((r) => r.rule.id.endsWith('/s3'))!.status, 'inactive');
});

test('with s3.configured set and the role pinned, the S3 rule is active: the edge is confirmed, no longer documented when set', () => {
  const e = out('198.51.100.7', 443);
  const m = observe([e], {}, { bindings: { roles: { s3: { cidrs: ['198.51.100.7/32'] } } }, systems: { 'progressive-delivery': { parameters: { 's3.configured': true } } } });
  assert.equal(rule(m, 's3').whenConfigured, undefined);
  // The role is bound by the name (docs/matrices.md): the edge is compared with the names seen for its address.
  const names = new Map([['192.0.2.40', ['abc123.gr7.eu-west-1.eks.amazonaws.com']]]);
  const c = compareWorkload(inventory.workloads[0]!, [{ matrix: m.name, component: m.components[0]! }], { ingress: [], egress: [e] }, indexCluster(inventory, names), { now: NOW, staleDays: 30 });
  assert.equal(c.egress.status[0], 'confirmed');
});

test('recognize name patterns: `*` stands for one or more characters, dots included; a malformed pattern is a validation error with its path', () => {
  assert.equal(namePatternMatches('*.s3.*.amazonaws.com', 'a.b.s3.eu-west-1.amazonaws.com.'), true);
  assert.equal(namePatternMatches('*.s3.*.amazonaws.com', 's3.eu-west-1.amazonaws.com'), false);
  assert.equal(namePatternMatches('s3.amazonaws.com', 'S3.AMAZONAWS.COM'), true);
  assert.equal(namePatternProblem('*.S3.amazonaws.com'), 'pattern must be lowercase alphanumerics, "-", "." and "*"');
  assert.equal(namePatternProblem('*..amazonaws.com'), 'pattern must not hold an empty label');
  const bad = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: x, title: X }
documents: { d: { title: D } }
roles:
  store: { description: a store, recognize: { names: ['*.S3.example.com'], ports: [{ port: 70000 }] } }
components: {}
`;
  assert.throws(() => parseMatrix(bad, 'bad.yaml'), (err: unknown) => {
    assert.ok(err instanceof MatrixError);
    const paths = err.problems.map((p) => p.path);
    assert.ok(paths.includes('roles.store.recognize.names[0]'), paths.join(', '));
    assert.ok(paths.some((p) => p.startsWith('roles.store.recognize.ports[0].port')), paths.join(', '));
    return true;
  });
});
