import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { loadCatalog } from '../../app/catalog.ts';
import { configProblemsFor, parseMatricesConfig } from '../../recommender/matrix/config.ts';
import { MatrixError, parseMatrix } from '../../recommender/matrix/load.ts';
import { resolveMatrix, type MatrixEntry } from '../../recommender/matrix/resolve.ts';
import type { ExpectedRule, ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';

const inventory = JSON.parse(readFileSync(new URL('../fixtures/matrices/inventory-snapshot.json', import.meta.url), 'utf8')) as InventorySnapshot;
const catalog = new Map(loadCatalog().map((c): [string, MatrixEntry] => [c.matrix.metadata.name, { matrix: c.matrix, origin: 'built-in', overridesBuiltIn: false }]));
const resolve = (name: string, config: MatricesConfigT = {}, inv = inventory): ResolvedMatrix => resolveMatrix(catalog.get(name)!, inv, config);
const rule = (m: ResolvedMatrix, id: string): ExpectedRule => {
  const r = m.components.flatMap((c) => c.rules).find((x) => x.id === id);
  assert.ok(r, `rule ${id} exists`);
  return r;
};

test('NetObserv with defaults: components select their workloads, the Service model is active, Kafka is not', () => {
  const m = resolve('netobserv');
  assert.equal(m.detected, true);
  const agent = m.components.find((c) => c.name === 'ebpf-agent')!;
  assert.equal(agent.namespace, 'netobserv-privileged');
  assert.deepEqual(agent.workloads, [{ namespace: 'netobserv-privileged', kind: 'DaemonSet', name: 'netobserv-ebpf-agent' }]);
  assert.equal(agent.hostNetwork, true);
  assert.equal(agent.isolatable, false);
  const svc = rule(m, 'netobserv/ebpf-agent/egress/flowlogs-pipeline-service');
  assert.equal(svc.active, true);
  assert.deepEqual(svc.ports, [{ protocol: 'TCP', port: 2055 }]);
  assert.equal(svc.peers[0]?.kind, 'pods');
  assert.deepEqual(svc.peers[0]?.kind === 'pods' && svc.peers[0].workloads, [{ namespace: 'netobserv', kind: 'Deployment', name: 'flowlogs-pipeline' }]);
  const kafka = rule(m, 'netobserv/ebpf-agent/egress/kafka');
  assert.equal(kafka.active, false);
  assert.deepEqual(kafka.condition, { when: { deploymentModel: 'Kafka' }, text: 'deploymentModel=Kafka', holds: false });
  const loki = m.roles.find((r) => r.role === 'loki')!;
  assert.equal(loki.origin, 'discovered');
  assert.equal(loki.via, 'pods labelled app.kubernetes.io/name=loki');
  const prom = m.roles.find((r) => r.role === 'prometheus')!;
  assert.equal(prom.origin, 'discovered');
  assert.deepEqual(prom.peers[0]?.kind === 'pods' && prom.peers[0].workloads, [{ namespace: 'monitoring', kind: 'StatefulSet', name: 'prometheus' }]);
  // Seed 002 line 63: the console plugin "Must allow traffic to Prometheus and AlertManager" - found
  // by the labels real installs use (here StackLight's older-chart app=prometheus, component=alertmanager).
  const am = m.roles.find((r) => r.role === 'alertmanager')!;
  assert.equal(am.origin, 'discovered');
  assert.equal(am.via, 'pods labelled app=prometheus,component=alertmanager');
  assert.ok(!m.findings.some((f) => f.kind === 'role-unbound' && f.subject === 'alertmanager'));
  assert.ok(!m.findings.some((f) => f.subject === 'kafka'), 'kafka is not needed in the Service model');
});

test('config parameters and bindings change the resolution and say where they came from', () => {
  const config = parseMatricesConfig(
    `matrices:
  bindings:
    roles:
      kafka: { cidrs: [192.0.2.0/24], ports: [{ port: 9092 }] }
      prometheus: { namespace: stacklight, selector: { matchLabels: { app: prometheus, component: server } } }
  systems:
    netobserv:
      parameters: { deploymentModel: Kafka, loki.enabled: false, processor.advanced.port: 2056 }
`,
    'cfg.yaml',
  );
  const m = resolve('netobserv', config);
  const kafka = rule(m, 'netobserv/ebpf-agent/egress/kafka');
  assert.equal(kafka.active, true);
  assert.deepEqual(kafka.peers, [{ kind: 'cidr', cidrs: ['192.0.2.0/24'], except: [] }]);
  assert.deepEqual(kafka.ports, [{ protocol: 'TCP', port: 9092 }], 'a rule without ports takes the role binding ports');
  assert.equal(rule(m, 'netobserv/ebpf-agent/egress/flowlogs-pipeline-service').active, false);
  assert.equal(rule(m, 'netobserv/flowlogs-pipeline/egress/loki').active, false);
  assert.equal(m.roles.find((r) => r.role === 'prometheus')?.origin, 'config');
  assert.equal(m.roles.find((r) => r.role === 'prometheus')?.via, 'matrices.bindings.roles.prometheus');
  assert.deepEqual(m.parameters.find((p) => p.name === 'deploymentModel'), {
    name: 'deploymentModel', type: 'string', description: 'FlowCollector spec.deploymentModel.', origin: 'config', value: 'Kafka', allowed: ['Service', 'Kafka', 'Direct'],
  });
  const direct = resolve('netobserv', { systems: { netobserv: { parameters: { deploymentModel: 'Direct', 'processor.advanced.port': 2056 } } } });
  assert.deepEqual(rule(direct, 'netobserv/ebpf-agent/egress/flowlogs-pipeline-direct').ports, [{ protocol: 'TCP', port: 2056 }]);
  assert.equal(direct.components.find((c) => c.name === 'flowlogs-pipeline')?.hostNetwork, true);
});

test('seed 002 "Must allow traffic to Kafka, TCP, port depends on your Kafka setup" (lines 36, 51; Loki 53, 66; Prometheus and AlertManager 63): a binding without ports opens every TCP port, not every protocol; a binding\'s ports are taken as they are', () => {
  const bound = (kafka: string) => resolve('netobserv', parseMatricesConfig(`matrices:\n  bindings:\n    roles:\n      kafka: ${kafka}\n  systems:\n    netobserv: { parameters: { deploymentModel: Kafka } }\n`, 'cfg.yaml'));
  const ALL_TCP = [{ protocol: 'TCP', port: 1, endPort: 65535 }];
  for (const id of ['netobserv/ebpf-agent/egress/kafka', 'netobserv/flowlogs-pipeline/egress/kafka']) {
    assert.deepEqual(rule(bound('{ cidrs: [192.0.2.0/24] }'), id).ports, ALL_TCP, id);
    assert.deepEqual(rule(bound('{ cidrs: [192.0.2.0/24], ports: [{ port: 9092 }] }'), id).ports, [{ protocol: 'TCP', port: 9092 }], id);
  }
  const loki = resolve('netobserv', parseMatricesConfig('matrices:\n  bindings:\n    roles:\n      loki: { cidrs: [192.0.2.9/32] }\n', 'cfg.yaml'));
  assert.deepEqual(rule(loki, 'netobserv/flowlogs-pipeline/egress/loki').ports, ALL_TCP);
  // Bound to pods by discovery, the rule takes the ports they serve — its protocols' only (Loki's memberlist gossip is UDP).
  const gossip: InventorySnapshot = {
    ...inventory,
    workloads: inventory.workloads.map((w) => (w.name === 'loki' ? { ...w, ports: [...w.ports, { name: 'gossip', port: 7946, protocol: 'UDP' }] } : w)),
  };
  assert.deepEqual(rule(resolve('netobserv', {}, gossip), 'netobserv/flowlogs-pipeline/egress/loki').ports, [{ protocol: 'TCP', port: 3100 }]);
  // Exporters (line 55, "refer to the exporter configuration") may be IPFIX over UDP: every protocol stays.
  const exporters = m0().components.flatMap((c) => c.rules).filter((r) => r.role === 'exporters');
  assert.ok(exporters.length > 0 && exporters.every((r) => r.ports.length === 0));
});

function m0(): ResolvedMatrix {
  return resolve('netobserv', parseMatricesConfig('matrices:\n  bindings:\n    roles:\n      exporters: { cidrs: [192.0.2.10/32] }\n', 'cfg.yaml'));
}

test('a namespace parameter moves the components; absent components are findings, not errors', () => {
  const m = resolve('netobserv', { systems: { netobserv: { parameters: { namespace: 'observability', operatorNamespace: 'observability' } } } });
  assert.equal(m.detected, false);
  assert.deepEqual(
    m.findings.filter((f) => f.kind === 'component-absent').map((f) => f.message),
    [
      'no workload in namespace observability matches app=netobserv-plugin',
      'no workload in namespace observability-privileged matches app=netobserv-ebpf-agent',
      'no workload in namespace observability matches app in (flowlogs-pipeline,flowlogs-pipeline-transformer)',
      'no workload in namespace observability matches app=netobserv-operator',
    ],
  );
  assert.ok(m.components.every((c) => c.rules.every((r) => !r.active)));
});

test('apiserver and DNS come from the inventory; shared rules apply to every component with one id', () => {
  const m = resolve('kyma-telemetry');
  assert.deepEqual(m.cluster.apiserver.endpoints, [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }]);
  assert.equal(m.cluster.dns.origin, 'discovered');
  assert.deepEqual(m.cluster.dns.workloads, [{ namespace: 'kube-system', kind: 'Deployment', name: 'coredns' }]);
  const withShared = m.components.filter((c) => c.rules.some((r) => r.id === 'kyma-telemetry/essentials/egress/dns-53' && r.shared === 'essentials'));
  assert.equal(withShared.length, 8);
  assert.equal(m.components.every((c) => c.present), true);
  assert.equal(m.components.find((c) => c.name === 'fluent-bit')?.authoritative.egress.authoritative, true);
  const current = resolve('kyma-telemetry', { systems: { 'kyma-telemetry': { parameters: { model: 'current' } } } });
  const any = rule(current, 'kyma-telemetry/log-gateway/ingress/current-any-ip');
  assert.equal(any.active, true);
  assert.deepEqual(any.peers, [{ kind: 'world' }]);
  assert.deepEqual(any.ports.map((p) => p.port), [4317, 4318, 8888, 13133]);
  assert.equal(rule(current, 'kyma-telemetry/essentials/egress/apiserver').active, false);
  const noDns = resolve('kyma-telemetry', {}, { ...inventory, workloads: inventory.workloads.filter((w) => w.namespace !== 'kube-system'), apiserver: [] });
  assert.deepEqual(noDns.findings.filter((f) => f.kind === 'dns-unknown' || f.kind === 'apiserver-unknown').map((f) => f.kind), ['apiserver-unknown', 'dns-unknown']);
});

test('a role bound to two backends on the same port: the rule to it names the port once (the JSON\'s rule ports equal the manifest\'s)', () => {
  const m = resolve('kyma-telemetry', { bindings: { roles: { 'log-backends': [{ cidrs: ['198.51.100.7/32'], ports: [{ port: 443 }] }, { cidrs: ['203.0.113.9/32'], ports: [{ port: 443 }] }] } } });
  const role = m.roles.find((r) => r.role === 'log-backends')!;
  assert.deepEqual(role.ports, [{ protocol: 'TCP', port: 443 }]);
  const rules = m.components.flatMap((c) => c.rules).filter((r) => r.role === 'log-backends');
  assert.ok(rules.length > 0);
  for (const r of rules) assert.deepEqual(r.ports, [{ protocol: 'TCP', port: 443 }], r.id);
});

test('matrix role defaults apply when neither config nor discovery binds the role', () => {
  const m = resolve('stacklight');
  const lb = m.roles.find((r) => r.role === 'load-balancer-clients')!;
  assert.equal(lb.origin, 'default');
  assert.deepEqual(lb.peers, [{ kind: 'world' }]);
  const server = m.components.find((c) => c.name === 'prometheus-server')!;
  assert.deepEqual(server.exceptions.map((e) => e.type), ['dynamic-peers']);
  const curator = m.components.find((c) => c.name === 'elasticsearch-curator')!;
  assert.equal(curator.authoritative.ingress.authoritative, true);
  assert.equal(curator.authoritative.ingress.source?.line, 18);
  assert.deepEqual(curator.rules.map((r) => r.id), ['stacklight/elasticsearch-curator/egress/dns-53']);
});

test('a parameter value that makes a namespace or a label value the cluster would refuse is refused where the config sets it (docs/matrices.md: "a value that is not allowed"): with namespace Flux_System the controller matched nothing and its matrix stopped applying without a word', () => {
  const entries = [...catalog.values()];
  const problems = configProblemsFor({ systems: { 'progressive-delivery': { parameters: { namespace: 'Flux_System', name: 'stage controller' } } } }, entries);
  assert.deepEqual(
    problems.map((p) => [p.path, p.value]),
    [
      ['matrices.systems.progressive-delivery.parameters["name"]', 'stage controller'],
      ['matrices.systems.progressive-delivery.parameters["namespace"]', 'Flux_System'],
    ],
  );
  assert.match(problems[0]!.message, /^makes components\.controller\.selector\.matchLabels\["app\.kubernetes\.io\/name"\] "stage controller": label value must be /);
  assert.match(problems[1]!.message, /^makes components\.controller\.namespace "Flux_System": namespace must be a DNS-1123 label/);
  assert.deepEqual(configProblemsFor({ systems: { 'progressive-delivery': { parameters: { namespace: 'flux-system', name: 'stage-controller' } } } }, entries), []);
});

test('a config value that makes a port range end below its start is refused where the config sets it (as matrix validation refuses the defaults that do)', () => {
  const { matrix } = parseMatrix(
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: doc } }
parameters:
  first: { type: port, default: 8000, description: the first port }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    ingress:
      - { peer: { namespace: x }, ports: [{ port: "\${first}", endPort: 8100 }], level: must, purpose: x, source: { document: doc, line: 1 } }
`,
    'shop.yaml',
  );
  const entries: MatrixEntry[] = [{ matrix, origin: 'applied', overridesBuiltIn: false }];
  assert.deepEqual(configProblemsFor({ systems: { shop: { parameters: { first: 8100 } } } }, entries), []);
  assert.deepEqual(configProblemsFor({ systems: { shop: { parameters: { first: 9000 } } } }, entries), [
    {
      code: 'parameter',
      path: 'matrices.systems.shop.parameters["first"]',
      message: 'makes components.web.ingress[0].ports[0] 9000-8100: port range end must be >= its start',
      value: 9000,
    },
  ]);
});

test('a config value that makes a shared rule\'s peer namespace a name the cluster would refuse is refused where the config sets it, as for a component\'s own rule', () => {
  const { matrix } = parseMatrix(
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: doc } }
parameters:
  peerNamespace: { type: string, default: payments, description: the peers' namespace }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
shared:
  - name: common
    components: '*'
    egress:
      - { peer: { namespace: "\${peerNamespace}" }, ports: [{ port: 9999 }], level: must, purpose: x, source: { document: doc, line: 1 } }
`,
    'shop.yaml',
  );
  const entries: MatrixEntry[] = [{ matrix, origin: 'applied', overridesBuiltIn: false }];
  const problems = configProblemsFor({ systems: { shop: { parameters: { peerNamespace: 'Bad_NS' } } } }, entries);
  assert.deepEqual(problems, [
    {
      code: 'parameter',
      path: 'matrices.systems.shop.parameters["peerNamespace"]',
      message: 'makes shared[0].egress[0].peer.namespace "Bad_NS": namespace must be a DNS-1123 label',
      value: 'Bad_NS',
    },
  ]);
  assert.deepEqual(configProblemsFor({ systems: { shop: { parameters: { peerNamespace: 'billing' } } } }, entries), []);
});

test('config naming unknown systems or parameters, or disallowed values, is refused with paths', () => {
  const entries = [...catalog.values()];
  const problems = configProblemsFor({ systems: { netobsrv: {}, netobserv: { parameters: { deploymentModel: 'Mesh', lokiEnabled: true } } } }, entries);
  assert.deepEqual(
    problems.map((p) => p.path),
    ['matrices.systems.netobserv.parameters["deploymentModel"]', 'matrices.systems.netobserv.parameters["lokiEnabled"]', 'matrices.systems.netobsrv'],
  );
  assert.match(problems[0]!.message, /must be one of "Service", "Kafka", "Direct"/);
  // A binding of a role no matrix declares (a typo of `prometheus`) would bind nothing, silently.
  const typo = configProblemsFor({ bindings: { roles: { promethus: { namespace: 'monitoring' } } } }, entries);
  assert.deepEqual(typo.map((p) => p.path), ['matrices.bindings.roles.promethus']);
  assert.match(typo[0]!.message, /^no matrix declares a role "promethus" \(roles: .*\)$/);
  // A DNS name identifies a destination: bound to a role a rule receives traffic from, the
  // ingress rule could not be rendered (recommend failed with an internal error before).
  const fromDns = configProblemsFor({ bindings: { roles: { rma: [{ cidrs: ['192.0.2.0/24'] }, { fqdns: ['rma.example.com'] }] } } }, entries);
  assert.deepEqual(fromDns.map((p) => p.path), ['matrices.bindings.roles.rma[1]']);
  assert.match(fromDns[0]!.message, /^role "rma" is bound to DNS names, which identify destinations, not sources, but kyma-telemetry\/fluent-bit\/ingress\/istio-metrics receives traffic from it \(and \d+ more ingress rules\): bind it with cidrs, pods or world$/);
  assert.deepEqual(configProblemsFor({ bindings: { roles: { 'log-backends': { fqdns: ['logs.example.com'] } } } }, entries), [], 'an egress-only role may be DNS names');
  assert.throws(
    () => parseMatricesConfig('matrices:\n  bindingz: {}\n', 'c5.yaml'),
    (e: unknown) => e instanceof MatrixError && /^c5\.yaml: invalid config \(1 problem\)\n {2}matrices\.bindingz \(line 2\): unknown field/.test(e.message),
    'a config file is said to be a config, not a matrix',
  );
  assert.deepEqual(configProblemsFor({ bindings: { roles: Object.fromEntries(entries.flatMap((e) => Object.keys(e.matrix.roles ?? {})).map((r) => [r, { namespace: 'x' }])) } }, entries), [], 'every declared role binds');
  assert.throws(
    () => parseMatricesConfig('matrices:\n  bindings:\n    roles:\n      kafka: { cidrs: [nope], namespace: x }\n', 'c.yaml'),
    (e: unknown) => e instanceof MatrixError && /matrices\.bindings\.roles\.kafka \(line 4\): a binding takes one of/.test(e.message) && /cidrs\[0\] \(line 4\): malformed CIDR/.test(e.message),
  );
});

test('resolution is deterministic regardless of inventory order', () => {
  const shuffled = { ...inventory, workloads: [...inventory.workloads].reverse(), namespaces: [...inventory.namespaces].reverse() };
  for (const name of catalog.keys()) assert.equal(JSON.stringify(resolve(name, {}, shuffled)), JSON.stringify(resolve(name)));
});

test('a role named like an Object.prototype member (constructor) is looked up as the matrix and config say, never found on the prototype (parameters, documents and systems are looked up the same way)', () => {
  // `constructor` is a valid DNS label; `{}.constructor` is Object. Before, the unbound role crashed every
  // resolution (no config) or got a phantom binding to every namespace (a config binding another role).
  const { matrix } = parseMatrix(
    [
      'apiVersion: flowmatrix.io/v1alpha1',
      'kind: CommunicationMatrix',
      'metadata: { name: ctor, title: role named constructor }',
      'documents:',
      '  d: { title: x, file: y }',
      'roles:',
      '  constructor: { description: x, scope: any }',
      'components:',
      '  web:',
      '    description: c',
      '    namespace: shop',
      '    selector: { matchLabels: { app: web } }',
      '    ingress:',
      '      - peer: { role: constructor }',
      '        ports: [{ port: 8080 }]',
      '        level: must',
      '        purpose: p',
      '        source: { document: d, line: 1 }',
    ].join('\n'),
    'ctor.yaml',
  );
  const entry: MatrixEntry = { matrix, origin: 'applied', overridesBuiltIn: false };
  for (const config of [{}, { bindings: { roles: { other: [{ namespace: 'shop' }] } } }] as MatricesConfigT[]) {
    const m = resolveMatrix(entry, inventory, config);
    const role = m.roles.find((r) => r.role === 'constructor')!;
    assert.notEqual(role.origin, 'config', JSON.stringify(role));
    assert.deepEqual(role.bindings, []);
    assert.equal(m.components[0]!.rules[0]!.peers.length, 0, 'an unbound role gives no peer, never every namespace');
  }
});

test('a component\'s when is part of each of its rules\' conditions and of its authoritative stance (docs/matrices.md: "the component exists only when it holds"); a rule whose own condition allows no value the component\'s does is never in force', () => {
  const { matrix } = parseMatrix(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: sso, title: SSO }
documents: { doc: { title: sso doc, file: sso.txt } }
parameters:
  sso.enabled: { type: boolean, default: false, description: the SSO part }
  site: { type: string, enum: [eu, us], default: eu, description: site }
components:
  sso:
    namespace: shop
    when: { sso.enabled: true, site: [eu, us] }
    selector: { matchLabels: { app: api } }
    authoritative: { ingress: true, egress: { when: { site: us }, purpose: listed } }
    egress:
      - { id: eu, peer: apiserver, level: must, when: { site: eu }, purpose: storage, source: { document: doc, line: 1 } }
      - { id: never, peer: dns, level: must, when: { sso.enabled: false }, purpose: lookups, source: { document: doc, line: 2 } }
`, 'sso.yaml');
  const entry: MatrixEntry = { matrix, origin: 'applied', overridesBuiltIn: false };
  const off = resolveMatrix(entry, inventory, {});
  const c = off.components[0]!;
  assert.equal(c.enabled, false);
  assert.deepEqual(c.authoritative.ingress, { authoritative: false, condition: { when: { 'sso.enabled': true, site: ['eu', 'us'] }, text: 'site in (eu|us), sso.enabled=true', holds: false } });
  assert.deepEqual(c.authoritative.egress.condition?.when, { 'sso.enabled': true, site: 'us' });
  assert.deepEqual(rule(off, 'sso/sso/egress/eu').condition, { when: { 'sso.enabled': true, site: 'eu' }, text: 'site=eu, sso.enabled=true', holds: false });
  const on = resolveMatrix(entry, inventory, { systems: { sso: { parameters: { 'sso.enabled': true } } } });
  assert.equal(on.components[0]!.authoritative.ingress.authoritative, true);
  assert.equal(on.components[0]!.authoritative.egress.authoritative, false);
  assert.equal(rule(on, 'sso/sso/egress/eu').condition?.holds, true);
  const never = rule(on, 'sso/sso/egress/never');
  assert.equal(never.active, false);
  assert.deepEqual(never.unresolved, ['condition parameter "sso.enabled" allows no value its component\'s condition allows']);
});

/**
 * A role bound to a Service's DNS name resolves as a rule naming it does (matrix/service-names.ts):
 * the Service's pods on its target port. Before, the binding stayed an outside DNS name, which
 * Cilium's toFQDNs never matches on a pod ("selects remote, non-cluster, peers": docs.cilium.io
 * "Layer 3 Policies", DNS based).
 */
test('a role bound to an in-cluster Service\'s DNS name is the Service\'s pods on its target port, as a rule\'s own fqdns peer', () => {
  const { matrix } = parseMatrix(
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: doc } }
roles:
  cart: { description: the cart, default: { fqdns: [cart.shop.svc.cluster.local] } }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
      - { peer: { role: cart }, ports: [{ port: 80 }], level: must, purpose: x, source: { document: doc, line: 1 } }
`,
    'shop.yaml',
  );
  const labels = { app: 'cart' };
  const inv: InventorySnapshot = {
    ...inventory,
    workloads: [...inventory.workloads, { namespace: 'shop', kind: 'Deployment', name: 'cart', labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: ['shop/cart'], exposure: [] }],
    services: [...inventory.services, { namespace: 'shop', name: 'cart', type: 'ClusterIP', clusterIPs: ['10.96.0.9'], selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }],
  };
  const rule = resolveMatrix({ matrix, origin: 'applied', overridesBuiltIn: false }, inv).components[0]!.rules[0]!;
  assert.deepEqual(rule.unresolved, []);
  assert.deepEqual(rule.peers.map((p) => [p.kind, p.kind === 'pods' ? p.workloads : undefined]), [['pods', [{ namespace: 'shop', kind: 'Deployment', name: 'cart' }]]]);
  assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: 8080 }]);
});

test('a rule to `peer: dns` on 53 names every number the DNS pods give the Service\'s target port name (a rollout: 53 and 5353), not the first pod\'s', () => {
  // The Service's port 53 targets the name `dns`; mid-rollout the old CoreDNS pods give it 53, the new ones 5353 (domain/cluster-dns.ts dnsTargetPorts).
  const inv = structuredClone(inventory);
  const coredns = inv.workloads.find((w) => w.namespace === 'kube-system' && w.name === 'coredns')!;
  coredns.ports = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns', port: 5353, protocol: 'UDP' }];
  coredns.services = ['kube-system/kube-dns'];
  inv.services.push({ namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }], selector: { 'k8s-app': 'kube-dns' } });
  const { matrix } = parseMatrix(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: lookups, title: Lookups }
documents: { doc: { title: lookups doc, file: lookups.txt } }
components:
  api:
    namespace: shop
    selector: { matchLabels: { app: api } }
    egress:
      - { id: dns, peer: dns, ports: [{ port: 53, protocol: UDP }], level: must, purpose: lookups, source: { document: doc, line: 1 } }
`, 'lookups.yaml');
  const m = resolveMatrix({ matrix, origin: 'applied', overridesBuiltIn: false }, inv, {});
  assert.deepEqual(rule(m, 'lookups/api/egress/dns').ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'UDP', port: 5353 }]);
});

/** The fixture with the FlowCollector's pods moved from netobserv(-privileged) to `main`(-privileged), and the operator to `operatorNs`. */
function netobservMoved(main: string, operatorNs: string): InventorySnapshot {
  const moved = (w: InventorySnapshot['workloads'][number]) => {
    if (w.name === 'netobserv-controller-manager') return { ...w, namespace: operatorNs };
    if (w.namespace === 'netobserv' && w.name !== 'loki') return { ...w, namespace: main };
    if (w.namespace === 'netobserv-privileged') return { ...w, namespace: `${main}-privileged` };
    return w;
  };
  const extra = [main, `${main}-privileged`, operatorNs].filter((n) => !inventory.namespaces.some((x) => x.name === n)).map((name) => ({ name, labels: {} }));
  return { ...inventory, namespaces: [...inventory.namespaces, ...extra], workloads: inventory.workloads.map(moved) };
}

test('NetObserv: the operator has its own namespace, not FlowCollector spec.namespace (seed 002 lines 12-13: spec.namespace holds "all pods managed by NetObserv"; line 22 gives the operator its own default, netobserv; OpenShift installs it in openshift-netobserv-operator while the FlowCollector pods run in netobserv, docs.openshift.com "Network Observability Operator in OpenShift Container Platform", oc get pods -n netobserv lists flowlogs-pipeline and netobserv-plugin only): its must rules stay in force', () => {
  // spec.namespace moved, the operator left where the chart installed it (netobserv, line 22).
  const moved = resolve('netobserv', { systems: { netobserv: { parameters: { namespace: 'observability' } } } }, netobservMoved('observability', 'netobserv'));
  const operator = moved.components.find((c) => c.name === 'operator')!;
  assert.equal(operator.namespace, 'netobserv');
  assert.deepEqual(operator.workloads, [{ namespace: 'netobserv', kind: 'Deployment', name: 'netobserv-controller-manager' }]);
  assert.equal(rule(moved, 'netobserv/operator/ingress/apiserver-9443').active, true, 'Kube API Server to the webhooks (line 24)');
  assert.equal(rule(moved, 'netobserv/operator/egress/apiserver-6443').active, true, 'to the Kube API Server (line 27)');
  assert.deepEqual(moved.components.find((c) => c.name === 'flowlogs-pipeline')?.workloads, [{ namespace: 'observability', kind: 'Deployment', name: 'flowlogs-pipeline' }]);
  // OpenShift: the operator in openshift-netobserv-operator, the FlowCollector at its default.
  const openshift = resolve('netobserv', { systems: { netobserv: { parameters: { operatorNamespace: 'openshift-netobserv-operator' } } } }, netobservMoved('netobserv', 'openshift-netobserv-operator'));
  assert.deepEqual(openshift.components.find((c) => c.name === 'operator')?.workloads, [{ namespace: 'openshift-netobserv-operator', kind: 'Deployment', name: 'netobserv-controller-manager' }]);
  assert.equal(rule(openshift, 'netobserv/operator/ingress/apiserver-9443').active, true);
  assert.deepEqual(openshift.parameters.find((p) => p.name === 'operatorNamespace')?.origin, 'config');
  assert.ok(!openshift.findings.some((f) => f.kind === 'component-absent'), 'every component found');
});
