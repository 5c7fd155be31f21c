/**
 * Roles bound from observation, documented-when-configured rules and host-network evidence
 * (recommender/compare/observe.ts), on a small cluster written out here: input → expected binding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import type { Peer } from '../../domain/peer.ts';
import { indexCluster } from '../../recommender/compare/context.ts';
import { observeMatrices } from '../../recommender/compare/observe.ts';
import { DISCOVERY, servedPorts } from '../../recommender/matrix/bindings.ts';
import { parseMatrix } from '../../recommender/matrix/load.ts';
import { resolveMatrix } from '../../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';

const MATRIX = `
apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shipper, title: Shipper }
documents: { doc: { title: Shipper doc } }
parameters:
  store.configured: { type: boolean, default: false, description: a store is configured }
roles:
  backends: { description: external backends (e.g. CLS), scope: external }
  store: { description: the object store, scope: external }
  brokers: { description: the brokers, scope: in-cluster }
  archive: { description: the archive, scope: external }
components:
  agent:
    namespace: ship
    selector: { matchLabels: { app: agent } }
    egress:
      - { peer: { role: backends }, ports: [{ port: 443 }], level: must, purpose: ship to the backends, source: { document: doc, line: 1 } }
      - { peer: { role: brokers }, level: must, purpose: to the brokers, source: { document: doc, line: 2 } }
      - { peer: { role: store }, level: must, when: { store.configured: true }, purpose: to the store, source: { document: doc, line: 3 } }
      - { peer: { role: archive }, ports: [{ port: 873 }], level: may, purpose: to the archive, source: { document: doc, line: 4 } }
      - { id: sidecar, peer: { component: sidecar }, ports: [{ port: 9000 }], level: must, purpose: to its sidecar, source: { document: doc, line: 5 } }
  sidecar:
    namespace: ship
    selector: { matchLabels: { app: sidecar } }
    hostNetwork: true
    egress:
      - { peer: { role: brokers }, ports: [{ port: 9092 }], level: must, purpose: to the brokers, source: { document: doc, line: 6 } }
`;

const workload = (namespace: string, name: string, labels: Record<string, string>, extra: Partial<Workload> = {}): Workload => ({
  namespace,
  kind: 'Deployment',
  name,
  labels,
  selector: { matchLabels: labels },
  hostNetwork: false,
  ports: [],
  services: [],
  exposure: [],
  ...extra,
});

const inventory: InventorySnapshot = {
  takenAt: 0,
  namespaces: ['ship', 'kafka', 'other'].map((name) => ({ name, labels: {} })),
  nodes: [{ name: 'n1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], podCIDRs: [] }],
  workloads: [
    workload('ship', 'agent', { app: 'agent' }),
    workload('ship', 'sidecar', { app: 'sidecar' }, { hostNetwork: true }),
    workload('kafka', 'broker', { app: 'broker' }, { ports: [{ name: 'clients', port: 9092, protocol: 'TCP' }], services: ['kafka/bootstrap'] }),
    workload('other', 'misc', { app: 'misc' }),
  ],
  services: [{ namespace: 'kafka', name: 'bootstrap', type: 'ClusterIP', clusterIPs: ['10.96.0.50'], ports: [{ port: 9092, targetPort: 'clients', protocol: 'TCP' }], selector: { app: 'broker' } }],
  endpointSlices: [],
  policies: [],
  podAddresses: [],
  apiserver: [],
};

const w = (namespace: string, name: string): Peer => ({ kind: 'workload', workload: { namespace, kind: 'Deployment', name } });
const edge = (client: Peer, server: Peer, port: number): EdgeTraffic => ({ client, server, port, protocol: 'TCP', lastSeen: Date.UTC(2026, 10, 20), flows: 3, forwarded: 3, dropped: 0 });
const agent = w('ship', 'agent');
const names = new Map([['203.0.113.5', ['ingest.cls.example.com']]]);

function observed(edges: EdgeTraffic[], config: MatricesConfigT = {}): ResolvedMatrix {
  const m = resolveMatrix({ matrix: parseMatrix(MATRIX, 'test').matrix, origin: 'applied', overridesBuiltIn: false }, inventory, config);
  return observeMatrices([m], { inventory, edges, ix: indexCluster(inventory, names) })[0]!;
}
const role = (m: ResolvedMatrix, r: string) => m.roles.find((x) => x.role === r)!;
const rule = (m: ResolvedMatrix, id: string) => m.components.flatMap((c) => c.rules).find((r) => r.id === id)!;

test('an external role is bound from the external addresses the component was seen reaching on the rule\'s port: by the DNS names seen for the address (an address of a name rotates: docs/recommend.md, an external address is "its DNS names (FQDN) when they were seen"; seed 003 lines 29 and 50-55: toFQDNs for the bucket), with the observed port, the rule active and marked inferred', () => {
  const m = observed([edge(agent, { kind: 'external', ip: '203.0.113.5' }, 443), edge(agent, { kind: 'external', ip: '203.0.113.9' }, 8443)]);
  const r = role(m, 'backends');
  assert.equal(r.origin, 'inferred');
  assert.deepEqual(r.bindings, [{ fqdns: ['ingest.cls.example.com'], ports: [{ port: 443 }] }], '8443 is not the rule\'s port: no candidate');
  assert.deepEqual(r.candidates?.map((c) => [c.peer, c.names, c.ports, c.components, c.flows]), [['external:203.0.113.5', ['ingest.cls.example.com'], ['443/TCP'], ['shipper/agent'], 3]]);
  const x = rule(m, 'shipper/agent/egress/backends-443');
  assert.deepEqual([x.active, x.unresolved, x.inferred?.role, x.inferred?.candidates, x.peers], [true, [], 'backends', ['external:203.0.113.5'], [{ kind: 'fqdn', fqdns: ['ingest.cls.example.com'] }]]);
  assert.equal(x.inferred?.pin, 'matrices:\n  bindings:\n    roles:\n      backends:\n        - fqdns:\n            - ingest.cls.example.com\n          ports:\n            - port: 443\n');
  assert.ok(m.findings.some((f) => f.kind === 'role-inferred' && f.subject === 'backends'));
  assert.ok(!m.findings.some((f) => f.kind === 'role-unbound' && f.subject === 'backends'));
});

test('an in-cluster role is bound to workloads only (the workload\'s own selector, the observed port); an external address never makes it', () => {
  const m = observed([edge(agent, w('kafka', 'broker'), 9092), edge(agent, { kind: 'external', ip: '203.0.113.7' }, 9092)]);
  const r = role(m, 'brokers');
  assert.equal(r.origin, 'inferred');
  assert.deepEqual(r.bindings, [{ namespace: 'kafka', selector: { matchLabels: { app: 'broker' } }, ports: [{ port: 9092 }] }]);
  assert.deepEqual(rule(m, 'shipper/agent/egress/brokers').ports, [{ protocol: 'TCP', port: 9092 }], 'a rule that names no port takes the observed one');
});

test('a rule that names the port wins over rules of any port; two readings of the same specificity bind neither, and both list the peer as ambiguous', () => {
  // 443 is the backends rule's port: it beats the store rule (any port, documented when configured).
  assert.equal(observed([edge(agent, { kind: 'external', ip: '198.51.100.3' }, 443)]).roles.find((r) => r.role === 'backends')?.origin, 'inferred');
  // 873 fits the archive rule (its port) and the store rule (any port): the archive rule is specific, so it is bound.
  assert.equal(role(observed([edge(agent, { kind: 'external', ip: '198.51.100.3' }, 873)]), 'archive').origin, 'inferred');
  // 8443 fits no waiting rule, only the store rule (documented when set): its role is the one
  // reading, so the store is bound from observation, and the rule stays inactive by its condition.
  const m = observed([edge(agent, { kind: 'external', ip: '198.51.100.3' }, 8443)]);
  for (const r of ['backends', 'archive']) assert.equal(role(m, r).origin, 'unbound', r);
  assert.deepEqual(role(m, 'store').bindings, [{ cidrs: ['198.51.100.3/32'], ports: [{ port: 8443 }] }]);
  assert.deepEqual([rule(m, 'shipper/agent/egress/store').active, rule(m, 'shipper/agent/egress/store').inferred?.role], [false, 'store']);
});

test('two unbound roles of the same specificity for one peer: neither is bound, both list it as ambiguous', () => {
  const matrix = MATRIX.replace('ports: [{ port: 443 }], level: must, purpose: ship to the backends', 'ports: [{ port: 873 }], level: must, purpose: ship to the backends');
  const m0 = resolveMatrix({ matrix: parseMatrix(matrix, 'test').matrix, origin: 'applied', overridesBuiltIn: false }, inventory, {});
  const m = observeMatrices([m0], { inventory, edges: [edge(agent, { kind: 'external', ip: '198.51.100.3' }, 873)], ix: indexCluster(inventory, names) })[0]!;
  assert.equal(role(m, 'backends').origin, 'unbound');
  assert.equal(role(m, 'archive').origin, 'unbound');
  assert.deepEqual(role(m, 'archive').ambiguous, [
    { peer: 'external:198.51.100.3', roles: ['role archive', 'role backends', 'shipper/agent/egress/store when store.configured=true'], edges: ['workload:ship/Deployment/agent|external:198.51.100.3|873|TCP'] },
  ]);
  assert.ok(m.findings.some((f) => f.kind === 'role-ambiguous' && f.subject === 'archive'));
  assert.ok(m.findings.some((f) => f.kind === 'role-ambiguous' && f.subject === 'backends'));
});

test('a rule inactive only by a defaulted condition is documented when configured; once the parameter is set in config it is not (it is active, or its role is bound)', () => {
  const e = edge(agent, { kind: 'external', ip: '198.51.100.3' }, 8443);
  const m = observed([e]);
  assert.deepEqual(rule(m, 'shipper/agent/egress/store').whenConfigured, {
    set: 'store.configured=true',
    config: ['matrices.systems.shipper.parameters: {store.configured: true}', 'matrices.bindings.roles.store: [{"cidrs":["198.51.100.3/32"],"ports":[{"port":8443}]}] (bound from observation: pin it)'],
    edges: ['workload:ship/Deployment/agent|external:198.51.100.3|8443|TCP'],
  });
  const set = observed([e], { systems: { shipper: { parameters: { 'store.configured': false } } } });
  assert.equal(rule(set, 'shipper/agent/egress/store').whenConfigured, undefined, 'set to false in config: a decision, not a default');
});

test('documented when set, for a rule to a role the config (or discovery, or a default) already binds: what to set is the parameter alone — no bare path of the binding, which has nothing to add (docs/matrices.md, "Documented when set")', () => {
  const e = edge(agent, { kind: 'external', ip: '198.51.100.3' }, 8443);
  const m = observed([e], { bindings: { roles: { store: { cidrs: ['198.51.100.0/24'] } } } });
  assert.deepEqual(rule(m, 'shipper/agent/egress/store').whenConfigured, {
    set: 'store.configured=true',
    config: ['matrices.systems.shipper.parameters: {store.configured: true}'],
    edges: ['workload:ship/Deployment/agent|external:198.51.100.3|8443|TCP'],
  });
});

test('a role is never bound to a component of its own matrix, nor to traffic an active rule already documents', () => {
  const m = observed([edge(agent, w('ship', 'sidecar'), 9000), edge(agent, w('ship', 'sidecar'), 7000)]);
  assert.equal(role(m, 'brokers').origin, 'unbound');
});

test('a host-network component\'s rule is confirmed by the flows of the node addresses (seed 002 line 28: host-network agents)', () => {
  const fromNode = edge({ kind: 'node', node: 'n1' }, w('kafka', 'broker'), 9092);
  const m = observed([fromNode, edge(agent, w('kafka', 'broker'), 9092)]);
  assert.deepEqual(rule(m, 'shipper/sidecar/egress/brokers-9092').observedFromNodes, ['node:n1|workload:kafka/Deployment/broker|9092|TCP']);
});

test('observation is deterministic: the edges in any order give the same bytes', () => {
  const edges = [edge(agent, { kind: 'external', ip: '203.0.113.5' }, 443), edge(agent, w('kafka', 'broker'), 9092), edge(agent, { kind: 'external', ip: '203.0.113.6' }, 443)];
  assert.equal(JSON.stringify(observed(edges)), JSON.stringify(observed([...edges].reverse())));
});

test('"port depends on your setup" (seed 002 lines 36, 53): a discovered role\'s egress rules take the target ports of the Services selecting its pods, resolved by name', () => {
  const peers = [{ kind: 'pods' as const, namespace: 'kafka', selector: { matchLabels: { app: 'broker' } }, namespaces: ['kafka'], workloads: [{ namespace: 'kafka', kind: 'Deployment' as const, name: 'broker' }] }];
  assert.deepEqual(servedPorts(peers, inventory), [{ protocol: 'TCP', port: 9092 }]);
});

test('AlertManager discovery (seed 002 line 63) knows the labels of prometheus-operator today and before, and of the older Helm chart StackLight uses', () => {
  assert.deepEqual(DISCOVERY.alertmanager?.selectors, [{ 'app.kubernetes.io/name': 'alertmanager' }, { app: 'alertmanager' }, { app: 'prometheus', component: 'alertmanager' }]);
});

test('a role bound by default to every pod of every namespace stands for no one in particular: a scraper outside the matrix is still bound to the unbound scraper role (seed 001 lines 14 and 38: RMA scrapes the metrics ports; Kyma\'s otlp-clients and scrape-targets default to every pod)', () => {
  const matrix = `
apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: gw, title: Gateway }
documents: { doc: { title: Gateway doc } }
roles:
  scraper: { description: the Prometheus that scrapes the gateway, scope: any }
  clients: { description: every workload sending OTLP, scope: in-cluster, default: { namespaceSelector: {}, selector: {} } }
components:
  gateway:
    namespace: ship
    selector: { matchLabels: { app: agent } }
    ingress:
      - { peer: { role: scraper }, ports: [{ port: 8888 }], level: must, purpose: metrics scraping, source: { document: doc, line: 1 } }
      - { peer: { role: clients }, ports: [{ port: 4317 }], level: must, purpose: OTLP, source: { document: doc, line: 2 } }
`;
  const m = resolveMatrix({ matrix: parseMatrix(matrix, 'test').matrix, origin: 'applied', overridesBuiltIn: false }, inventory, {});
  const scraper = w('other', 'misc');
  const [o] = observeMatrices([m], { inventory, edges: [edge(scraper, agent, 8888)], ix: indexCluster(inventory, names) });
  const r = role(o!, 'scraper');
  assert.equal(r.origin, 'inferred');
  assert.deepEqual(r.bindings, [{ namespace: 'other', selector: { matchLabels: { app: 'misc' } }, ports: [{ port: 8888 }] }]);
});

test('a candidate no binding can be made of says why (notBound): a workload the inventory does not hold, one without labels — not listed as bound beside the others', () => {
  const m = observed([edge(agent, w('kafka', 'broker'), 9092), edge(agent, w('kafka', 'ghost'), 9092)]);
  const r = role(m, 'brokers');
  assert.equal(r.origin, 'inferred');
  assert.deepEqual(r.bindings?.map((b) => b.namespace), ['kafka'], 'the broker only');
  const ghost = r.candidates?.find((c) => c.peer === 'workload:kafka/Deployment/ghost');
  assert.match(ghost?.notBound ?? '', /^a workload the inventory does not hold \(only flow records name it\)/);
  assert.equal(r.candidates?.find((c) => c.peer === 'workload:kafka/Deployment/broker')?.notBound, undefined);
});

test('a role a component receives traffic from is bound by address even when DNS names were seen for it: names identify destinations, not sources (the validator and the config check refuse a DNS-name binding for such a role: config.ts configProblemsFor), and an FQDN peer in an ingress rule is refused when the policy is built', () => {
  const scraped = MATRIX.replace(
    "      - { peer: { role: brokers }, ports: [{ port: 9092 }], level: must, purpose: to the brokers, source: { document: doc, line: 6 } }",
    "      - { peer: { role: brokers }, ports: [{ port: 9092 }], level: must, purpose: to the brokers, source: { document: doc, line: 6 } }\n    ingress:\n      - { peer: { role: backends }, ports: [{ port: 9100 }], level: may, purpose: scraped by the backends, source: { document: doc, line: 7 } }",
  );
  assert.notEqual(scraped, MATRIX);
  const m = resolveMatrix({ matrix: parseMatrix(scraped, 'test').matrix, origin: 'applied', overridesBuiltIn: false }, inventory, {});
  const sidecar = w('ship', 'sidecar');
  const [o] = observeMatrices([m], { inventory, edges: [edge({ kind: 'external', ip: '203.0.113.5' }, sidecar, 9100), edge(agent, { kind: 'external', ip: '203.0.113.5' }, 443)], ix: indexCluster(inventory, names) });
  assert.deepEqual(role(o!, 'backends').bindings, [{ cidrs: ['203.0.113.5/32'], ports: [{ port: 443 }, { port: 9100 }] }]);
});
