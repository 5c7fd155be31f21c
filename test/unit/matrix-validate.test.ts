import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MatrixError, parseMatrix, type MatrixProblem } from '../../recommender/matrix/load.ts';
import { loadCatalog } from '../../app/catalog.ts';
import { parseMatricesConfig } from '../../recommender/matrix/config.ts';
import { mergeAndCheck } from '../../recommender/matrix/registry.ts';

const FIXTURE = new URL('../fixtures/matrices/invalid.yaml', import.meta.url).pathname;

function problemsOf(text: string): MatrixProblem[] {
  try {
    parseMatrix(text, 'test.yaml');
  } catch (e) {
    assert.ok(e instanceof MatrixError);
    return e.problems;
  }
  assert.fail('expected the matrix to be rejected');
}

const find = (ps: MatrixProblem[], path: string, re: RegExp) => ps.find((p) => p.path === path && re.test(p.message));

test('an invalid matrix reports every error at once, each with path, value and line', () => {
  const ps = problemsOf(readFileSync(FIXTURE, 'utf8'));
  const expect = (path: string, re: RegExp, value: unknown, line: number) => {
    const p = find(ps, path, re);
    assert.ok(p, `expected ${re} at ${path}; got:\n${ps.map((x) => `${x.path}: ${x.message}`).join('\n')}`);
    assert.deepEqual(p.value, value);
    assert.equal(p.line, line, `line of ${path}`);
  };
  expect('components.ebpf-agent.egress[0].peer.component', /dangling reference/, 'flowlogs-pipeline', 17);
  expect('components.ebpf-agent.egress[1].peer.role', /unknown role/, 'kafka', 21);
  expect('components.ebpf-agent.egress[1].ports[0].port', /out of range/, 70000, 22);
  expect('components.ebpf-agent.egress[1].when.deployModel', /condition over unknown parameter "deployModel"/, 'Kafka', 24);
  expect('components.ebpf-agent.egress[2].peer.cidrs[0]', /malformed CIDR.*0-32/, '10.0.0.0/33', 27);
  expect('components.ebpf-agent.egress[2].peer.cidrs[1]', /malformed CIDR.*not an IPv4/, '300.1.2.3/8', 27);
  expect('components.ebpf-agent.egress[2].ports[0].endPort', /range end/, 8000, 28);
  expect('components.ebpf-agent.egress[2].ports[1].port', /unknown parameter "nope"/, '${nope}', 28);
  expect('components.ebpf-agent.egress[2].source.document', /unknown document/, 'missing', 31);
  expect('components.ebpf-agent.egress[3].peer.fqdns[0]', /malformed FQDN/, 'Not_A.Host', 32);
  expect('components.ebpf-agent.egress[3].level', /one of: "must", "may"/, 'sometimes', 33);
  expect('components.ebpf-agent.namespace', /unknown parameter "namespce"/, '${namespce}', 14);
  expect('components.ebpf-agent.selector.matchLabels["bad key!"]', /malformed selector/, 'bad key!', 15);
  expect('parameters.deploymentModel.default', /default must be one of "Service", "Kafka"/, 'Direct', 9);
  assert.ok(find(ps, "components.ebpf-agent.egress[2].source", /needs a line or a row/));
  assert.equal(ps.length, 15, ps.map((p) => `${p.path}: ${p.message}`).join('\n'));
});

test('the error message lists every problem with its path', () => {
  try {
    parseMatrix(readFileSync(FIXTURE, 'utf8'), 'invalid.yaml');
    assert.fail('expected a MatrixError');
  } catch (e) {
    assert.ok(e instanceof MatrixError);
    assert.match(e.message, /^invalid\.yaml: invalid matrix \(15 problems\)/);
    assert.match(e.message, /components\.ebpf-agent\.egress\[1\]\.ports\[0\]\.port \(line 22\): out of range: must be <= 65535; got 70000/);
  }
});

const base = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { d: { title: D } }
components:
  a:
    namespace: ns
    selector: { matchLabels: { app: a } }
`;

test('selector expressions, port names, duplicate ids and unknown fields are checked', () => {
  const ps = problemsOf(`${base}    selector2: 1
    ingress:
      - peer: { namespace: other, selector: { matchExpressions: [{ key: tier, operator: In }] } }
        ports: [{ port: not_a_name }]
        level: may
        purpose: p
        source: { document: d, line: 1 }
      - peer: { namespace: other, selector: { matchLabels: { x: y } } }
        level: may
        purpose: p
        source: { document: d }
      - peer: { namespace: other, selector: { matchLabels: { x: z } } }
        level: may
        purpose: p
        source: { document: d, line: 2 }
`);
  assert.ok(find(ps, 'components.a.selector2', /unknown field/));
  assert.ok(find(ps, 'components.a.ingress[0].peer.selector.matchExpressions[0]', /In needs values/));
  assert.ok(find(ps, 'components.a.ingress[0].ports[0].port', /IANA service name/));
  assert.ok(find(ps, 'components.a.ingress[1].source', /needs a line or a row/));
  assert.ok(find(ps, 'components.a.ingress[2]', /duplicate rule id "t\/a\/ingress\/other-pods"/));
  assert.equal(ps.length, 5);
});

test('"${parameter}" in a matchExpressions value is refused as not rendered there (docs/matrices.md: matchLabels values may use it, matchExpressions values may not), not as a malformed label value', () => {
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { d: { title: D } }
parameters:
  namespace: { type: string, default: ns, description: ns }
components:
  a:
    namespace: \${namespace}
    selector: { matchLabels: { app: a }, matchExpressions: [{ key: tier, operator: In, values: ["\${namespace}", web] }] }
`);
  const p = find(ps, 'components.a.selector.matchExpressions[0].values[0]', /"\$\{parameter\}" is not rendered in matchExpressions values: write the value itself, or use matchLabels/);
  assert.ok(p, JSON.stringify(ps));
  assert.ok(!ps.some((x) => /label value must be/.test(x.message)), JSON.stringify(ps));
  assert.equal(ps.length, 1);
});

/** The problems of a matrix whose component `a` has one must egress rule to `peer` (YAML flow text). */
const egressPeerProblems = (peer: string) =>
  problemsOf(`${base}    egress:
      - peer: ${peer}
        level: must
        purpose: p
        source: { document: d, line: 1 }
`);

test('an except outside every cidr of its peer excludes nothing: refused (Kubernetes ValidateIPBlock: "must be a strict subset of cidr")', () => {
  const ps = egressPeerProblems('{ cidrs: [10.0.0.0/8, 2001:db8::/32], except: [10.1.0.0/16, 192.168.0.0/24, 10.0.0.0/8, 2001:db8:1::/48] }');
  assert.deepEqual(
    ps.map((p) => [p.path, p.value]),
    [
      ['components.a.egress[0].peer.except[1]', '192.168.0.0/24'],
      ['components.a.egress[0].peer.except[2]', '10.0.0.0/8'],
    ],
  );
  assert.match(ps[0]!.message, /inside one of the cidrs/);
});

test('an IPv4-mapped IPv6 block is refused, naming the IPv4 block to write: Kubernetes refuses it in an ipBlock (k8s.io/utils/net strict parsing) and flows are stored with the IPv4 address, which an IPv6 block never matches', () => {
  const ps = egressPeerProblems('{ cidrs: ["::ffff:10.60.0.0/112", "::FFFF:10.60.1.7/128", "2001:db8::/32", "::/0"] }');
  assert.deepEqual(
    ps.map((p) => [p.path, p.value]),
    [
      ['components.a.egress[0].peer.cidrs[0]', '::ffff:10.60.0.0/112'],
      ['components.a.egress[0].peer.cidrs[1]', '::FFFF:10.60.1.7/128'],
    ],
  );
  assert.match(ps[0]!.message, /IPv4-mapped IPv6 block: write the IPv4 block \(10\.60\.0\.0\/16\)/);
  assert.match(ps[1]!.message, /\(10\.60\.1\.7\/32\)/);
});

test('DNS names only name destinations: an ingress rule from FQDNs, or from a role whose default binding is FQDNs, is refused (every engine: Cilium toFQDNs is egress-only, docs.cilium.io "DNS based")', () => {
  const ps = problemsOf(`${base}    ingress:
      - peer: { fqdns: [client.example.com] }
        level: must
        purpose: p
        source: { document: d, line: 1 }
      - peer: { role: saas }
        level: must
        purpose: p
        source: { document: d, line: 2 }
    egress:
      - peer: { role: saas }
        level: must
        purpose: p
        source: { document: d, line: 3 }
roles:
  saas: { description: s, scope: external, default: [{ cidrs: [192.0.2.0/24] }, { fqdns: [api.example.com] }] }
`);
  assert.deepEqual(ps.map((p) => [p.path, p.line]), [
    ['components.a.ingress[0].peer.fqdns', 10],
    ['components.a.ingress[1].peer.role', 14],
  ]);
  assert.match(ps[0]!.message, /a DNS name identifies a destination, not a source: an ingress rule cannot allow traffic from FQDNs \(use cidrs\)/);
  assert.match(ps[1]!.message, /role "saas" has a default binding of DNS names \(roles\.saas\.default\[1\]\), which identify destinations, not sources: an ingress rule cannot use it/);
});

test('a peer of no known form names the forms allowed; one a misspelt field evidently means is read as that form', () => {
  const ps = problemsOf(`${base}    egress:
      - peer: { kind: pods }
        level: must
        purpose: p
        source: { document: d, line: 1 }
`);
  assert.equal(ps.length, 1);
  assert.equal(ps[0]?.path, 'components.a.egress[0].peer');
  assert.match(ps[0]?.message ?? '', /must be one of: "apiserver", .*\{cidrs, except\?\}/);
  assert.deepEqual(ps[0]?.value, { kind: 'pods' });
  const cidr = problemsOf(`${base}    egress:
      - peer: { cidr: 10.0.0.0/8 }
        level: must
        purpose: p
        source: { document: d, line: 1 }
`);
  assert.ok(cidr.some((p) => p.path === 'components.a.egress[0].peer.cidr' && p.message === 'unknown field "cidr" (did you mean "cidrs"?)'), JSON.stringify(cidr));
});

test('YAML syntax errors are reported with their line', () => {
  const ps = problemsOf('apiVersion: x\nkind: [unclosed\n');
  assert.ok(ps.length >= 1);
  assert.match(ps[0]?.message ?? '', /^YAML: /);
  // Where the parser finds the bracket missing: the end of the input (the yaml library's own answer).
  assert.equal(ps[0]?.line, 3);
  const dup = problemsOf('apiVersion: x\nkind: y\nmetadata:\n  name: a\n  name: b\n');
  assert.deepEqual(dup.map((p) => [p.message, p.line]), [['YAML: Map keys must be unique', 5]]);
});

test('a config file\'s YAML syntax errors name the file and the line', () => {
  assert.throws(
    () => parseMatricesConfig('matrices:\n  bindings: {}\n  bindings: {}\n', 'cluster.yaml'),
    (e: unknown) => e instanceof MatrixError && /^cluster\.yaml: invalid config/.test(e.message) && e.problems[0]?.line === 3,
  );
});

test('every catalog matrix is valid', () => {
  const names = loadCatalog().map((c) => c.matrix.metadata.name);
  assert.deepEqual(names, ['kyma-telemetry', 'netobserv', 'progressive-delivery', 'stacklight']);
});

test('a duplicate rule id names both places with their lines and the fix that applies; an empty condition is refused', () => {
  const ps = problemsOf(`${base}    ingress:
      - id: same
        peer: { namespace: other }
        level: must
        purpose: p
        source: { document: d, line: 1 }
      - id: same
        peer: { namespace: other2 }
        level: must
        purpose: p
        source: { document: d, line: 2 }
      - peer: { namespace: other3 }
        level: must
        purpose: p
        when: {}
        source: { document: d, line: 3 }
`);
  const dup = ps.find((p) => /duplicate rule id/.test(p.message))!;
  assert.equal(dup.path, 'components.a.ingress[1]');
  assert.match(dup.message, /^duplicate rule id "t\/a\/ingress\/same": make the ids differ \(also at components\.a\.ingress\[0\], line \d+\)$/);
  assert.ok(find(ps, 'components.a.ingress[2].when', /fewer than 1|must NOT have fewer than 1 properties|at least/), JSON.stringify(ps));
});

test('protocols belongs to a rule without ports: with ports it is refused, naming the fix', () => {
  const ps = problemsOf(`${base}    egress:
      - peer: world
        ports: [{ port: 9092 }]
        protocols: [TCP]
        level: must
        purpose: p
        source: { document: d, line: 1 }
`);
  assert.deepEqual(ps.map((p) => [p.path, p.value]), [['components.a.egress[0].protocols', ['TCP']]]);
  assert.match(ps[0]!.message, /give each port its protocol instead/);
  assert.equal(problemsOf(`${base}    egress:\n      - peer: world\n        protocols: [TCP, TCP]\n        level: must\n        purpose: p\n        source: { document: d, line: 1 }\n`).length, 1, 'each protocol once');
});

test('a misspelt role, component, parameter or field names the one evidently meant; a name close to none lists the declared ones', () => {
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { d: { title: D } }
parameters:
  ports.webhook: { type: port, default: 9443, description: webhook port }
roles:
  prometheus: { description: scraper, scope: in-cluster }
components:
  ctl:
    namespace: ns
    selector: { matchLabels: { app: ctl } }
    ingress:
      - peer: { role: promethues }
        ports: [{ port: "\${ports.webhok}" }]
        level: must
        purpose: p
        source: { document: d, line: 1 }
      - peer: { namespace: flagger-system, podSelector: { matchLabels: { app: flagger } } }
        level: must
        purpose: p
        source: { document: d, line: 1 }
      - peer: { component: ctrl }
        when: { port.webhook: 1 }
        level: must
        purpose: p
        source: { document: d, line: 1 }
      - peer: { role: grafana }
        level: must
        purpose: p
        source: { document: d, line: 1 }
`);
  assert.deepEqual(
    ps.map((p) => [p.path, p.message]),
    [
      ['components.ctl.ingress[0].peer.role', 'unknown role: declare it under roles (did you mean "prometheus"?)'],
      ['components.ctl.ingress[0].ports[0].port', 'reference to unknown parameter "ports.webhok" (did you mean "ports.webhook"?)'],
      // A Kubernetes NetworkPolicy's spelling, as a matrix spells it.
      ['components.ctl.ingress[1].peer.podSelector', 'unknown field "podSelector" (did you mean "selector"?)'],
      ['components.ctl.ingress[2].peer.component', 'dangling reference: no such component in this matrix (did you mean "ctl"?)'],
      ['components.ctl.ingress[2].when["port.webhook"]', 'condition over unknown parameter "port.webhook" (did you mean "ports.webhook"?)'],
      ['components.ctl.ingress[3].peer.role', 'unknown role: declare it under roles (declared: prometheus)'],
    ],
  );
});

test('a parameter default that makes a namespace or a label value the cluster would refuse is refused where the template is (the literal is checked the same way)', () => {
  const text = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
parameters:
  namespace: { type: string, default: Flux_System, description: the namespace }
  app: { type: string, default: "stage controller", description: the app label }
components:
  c:
    namespace: \${namespace}
    selector: { matchLabels: { app: "\${app}" } }
    ingress:
      - { peer: { namespace: "\${namespace}-peers" }, ports: [{ port: 80 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`;
  const ps = problemsOf(text);
  assert.ok(find(ps, 'components.c.namespace', /^renders as "Flux_System" with the parameters' defaults: namespace must be a DNS-1123 label/), JSON.stringify(ps));
  assert.ok(find(ps, 'components.c.selector.matchLabels.app', /^renders as "stage controller" with the parameters' defaults: label value must be/), JSON.stringify(ps));
  assert.ok(find(ps, 'components.c.ingress[0].peer.namespace', /^renders as "Flux_System-peers"/), JSON.stringify(ps));
});

test('a port range whose start or end is a ${parameter} is checked as its defaults render it: `port: ${p}` (8080) with `endPort: 10` is refused at the rule, with its line, as the literal 8080-10 is', () => {
  const text = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
parameters:
  p: { type: port, default: 8080, description: the start }
  q: { type: port, default: 80, description: the end }
  unset: { type: port, description: no default }
components:
  c:
    namespace: t
    selector: { matchLabels: { app: c } }
    ingress:
      - { peer: { namespace: x }, ports: [{ port: "\${p}", endPort: 10 }], level: must, purpose: p, source: { document: doc, line: 1 } }
      - { peer: { namespace: x }, ports: [{ port: 9000, endPort: "\${q}" }], level: must, purpose: p, source: { document: doc, line: 1 } }
      - { peer: { namespace: x }, ports: [{ port: "\${p}", endPort: 9000 }, { port: "\${unset}", endPort: 10 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`;
  const ps = problemsOf(text);
  assert.deepEqual(
    ps.map((p) => [p.path, p.message, p.value, p.line]),
    [
      ['components.c.ingress[0].ports[0].endPort', "renders as 8080-10 with the parameters' defaults: port range end must be >= its start", { port: '${p}', endPort: 10 }, 14],
      ['components.c.ingress[1].ports[0].endPort', "renders as 9000-80 with the parameters' defaults: port range end must be >= its start", { port: 9000, endPort: '${q}' }, 15],
    ],
  );
});

test('a peer written with a Kubernetes spelling alone (`{podSelector: …}`): the error says how the matrix spells it (docs/matrices.md, Validation)', () => {
  const text = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
components:
  c:
    namespace: shop
    selector: { matchLabels: { app: c } }
    ingress:
      - { peer: { podSelector: { matchLabels: { app: prometheus } } }, ports: [{ port: 80 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`;
  const ps = problemsOf(text);
  // Two forms take a selector ({namespace, selector}, {namespaceSelector, selector}): the forms are listed, with the spelling.
  assert.ok(find(ps, 'components.c.ingress[0].peer', /^must be one of: .*\{namespace, selector\?\}.*; "podSelector" is spelt "selector" here$/), JSON.stringify(ps));
});

test('two rules whose peers are of no known form are no duplicate rule ids: each peer\'s own error is said, nothing more', () => {
  const rule = (peer: string, line: number) => `      - { peer: ${peer}, ports: [{ port: 443 }], level: must, purpose: p, source: { document: doc, line: ${line} } }\n`;
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
${rule('{ cidr: [10.0.0.0/8] }', 1)}${rule('{ fqdn: [example.com] }', 2)}`);
  assert.ok(!ps.some((p) => /duplicate rule id/.test(p.message)), JSON.stringify(ps));
  assert.ok(ps.some((p) => /did you mean "cidrs"/.test(p.message)), JSON.stringify(ps));
});

test('a parameter default that makes a shared rule\'s peer namespace or label value a name the cluster would refuse is refused there, as in a component\'s own rule (stored, it made every request for the namespace answer 422)', () => {
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
parameters:
  peerNamespace: { type: string, default: Bad_NS, description: the peers' namespace }
  app: { type: string, default: "stage controller", description: the peers' app label }
components:
  c:
    namespace: shop
    selector: { matchLabels: { app: c } }
shared:
  - name: common
    components: '*'
    egress:
      - { peer: { namespace: "\${peerNamespace}" }, ports: [{ port: 9999 }], level: must, purpose: x, source: { document: doc, line: 1 } }
      - { peer: { namespaceSelector: { matchLabels: { name: "\${peerNamespace}" } }, selector: { matchLabels: { app: "\${app}" } } }, ports: [{ port: 9998 }], level: must, purpose: x, source: { document: doc, line: 2 } }
`);
  assert.deepEqual(
    ps.map((p) => [p.path, p.message, p.value]),
    [
      ['shared[0].egress[0].peer.namespace', 'renders as "Bad_NS" with the parameters\' defaults: namespace must be a DNS-1123 label', '${peerNamespace}'],
      ['shared[0].egress[1].peer.selector.matchLabels.app', ps[1]!.message, '${app}'],
    ],
  );
  assert.match(ps[1]!.message, /^renders as "stage controller" with the parameters' defaults: label value must be/);
});

test('a "${parameter}" in a role binding (the matrix default or the config\'s) is refused: a binding is taken as written, so the label value "${app}" reached the policies', () => {
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
parameters:
  app: { type: string, default: grafana, description: the app label }
  ns: { type: string, default: monitoring, description: the namespace }
roles:
  dashboards: { description: d, default: { namespace: "\${ns}", selector: { matchLabels: { app: "\${app}" } } } }
components:
  c:
    namespace: shop
    selector: { matchLabels: { app: c } }
    ingress:
      - { peer: { role: dashboards }, ports: [{ port: 80 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`);
  const notRendered = 'a role binding is taken as written: "${parameter}" is not rendered here (write the name itself)';
  assert.deepEqual(
    ps.map((p) => [p.path, p.message, p.value]),
    [
      ['roles.dashboards.default.namespace', notRendered, '${ns}'],
      ['roles.dashboards.default.selector.matchLabels.app', notRendered, '${app}'],
    ],
  );
  assert.throws(
    () => parseMatricesConfig('matrices:\n  bindings:\n    roles:\n      dashboards: { namespaceSelector: { matchLabels: { team: "${team}" } } }\n', 'cluster.yaml'),
    (e: unknown) =>
      e instanceof MatrixError && e.problems.length === 1 && e.problems[0]!.path === 'matrices.bindings.roles.dashboards.namespaceSelector.matchLabels.team' && e.problems[0]!.message === notRendered,
  );
});

test('two rules to a role or a component named "peer" on the same port have the same generated id: a duplicate, as for any other name', () => {
  const rule = (peer: string, line: number) => `      - { peer: ${peer}, ports: [{ port: 80 }], level: must, purpose: p, source: { document: doc, line: ${line} } }\n`;
  const ps = problemsOf(`apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: T }
documents: { doc: { title: doc } }
roles:
  peer: { description: the other side }
components:
  peer:
    namespace: shop
    selector: { matchLabels: { app: peer } }
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
${rule('{ role: peer }', 1)}${rule('{ role: peer }', 2)}    ingress:
${rule('{ component: peer }', 3)}${rule('{ component: peer }', 4)}`);
  assert.deepEqual(
    ps.map((p) => [p.path, p.message.replace(/ \(also at .*\)$/, '')]),
    [
      ['components.web.egress[1]', 'duplicate rule id "t/web/egress/peer-80": give one of them an explicit id'],
      ['components.web.ingress[1]', 'duplicate rule id "t/web/ingress/peer-80": give one of them an explicit id'],
    ],
  );
});

test('a "*." FQDN pattern over a domain of more than 251 characters is refused: a name under it passes the 253-character DNS limit, and the policy a rule renders refuses it (export failed on an accepted matrix)', () => {
  const domain = (n: number) => `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'b'.repeat(n - 3 * 64 - 4)}.com`;
  assert.equal(domain(251).length, 251);
  const ps = egressPeerProblems(`{ fqdns: ["*.${domain(251)}", "${domain(252)}", "*.${domain(252)}"] }`);
  assert.deepEqual(ps.map((p) => [p.path, p.value]), [['components.a.egress[0].peer.fqdns[2]', `*.${domain(252)}`]]);
  assert.match(ps[0]!.message, /at most 253 characters/);
});

/**
 * `*.shop.svc.cluster.local` is every Service of namespace shop (kubernetes.io "DNS for Services and
 * Pods"): in-cluster names, which no engine's DNS peer selects (Cilium's toFQDNs "selects remote,
 * non-cluster, peers": docs.cilium.io "Layer 3 Policies", DNS based), and no one Service's pods to
 * resolve it to (a Service added later would be in the wildcard, not in the selectors). Refused,
 * naming the peer to write instead; in a rule and in a role's binding alike. Outside wildcards stay.
 */
test('a wildcard over the cluster domain is refused with the peer to write instead', () => {
  const ps = problemsOf(`${base}    egress:
      - { id: svcs, peer: { fqdns: ["*.shop.svc.cluster.local", "*.example.com"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 1 } }
      - { id: all, peer: { fqdns: ["*.svc.cluster.local", "*.cluster.local", "*.db.shop.svc"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 2 } }
      - { id: r, peer: { role: backend }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 3 } }
roles:
  backend: { description: b, default: { fqdns: ["*.shop.svc"] } }
`);
  const wildcard = ps.filter((p) => /inside the cluster/.test(p.message));
  assert.deepEqual(wildcard.map((p) => [p.path, p.value]).sort(), [
    ['components.a.egress[0].peer.fqdns[0]', '*.shop.svc.cluster.local'],
    ['components.a.egress[1].peer.fqdns[0]', '*.svc.cluster.local'],
    ['components.a.egress[1].peer.fqdns[1]', '*.cluster.local'],
    ['components.a.egress[1].peer.fqdns[2]', '*.db.shop.svc'],
    ['roles.backend.default.fqdns[0]', '*.shop.svc'],
  ], ps.map((p) => `${p.path}: ${p.message}`).join('\n'));
  assert.match(wildcard[0]!.message, /"\*\.shop\.svc\.cluster\.local" names every Service of namespace shop, inside the cluster.*write \{namespace: shop\}/);
  assert.match(wildcard.find((p) => p.value === '*.db.shop.svc')!.message, /pods of the headless Service shop\/db.*write the Service's name db\.shop\.svc\.cluster\.local/);
  assert.equal(ps.length, wildcard.length, ps.map((p) => `${p.path}: ${p.message}`).join('\n'));
});

test('a direction cannot be both authoritative (its rules are the complete list) and partial (they are not): refused at the exception, naming the stance (docs/matrices.md, "Exceptions")', () => {
  const partial = (direction: string) => `    exceptions:
      - { type: partial, ${direction}reason: names its other peers only in kind, source: { document: d, line: 2 } }
`;
  const ps = problemsOf(`${base}    authoritative: { egress: true }
${partial('direction: egress, ')}`);
  const p = find(ps, 'components.a.exceptions[0]', /egress is declared authoritative \(components\.a\.authoritative\.egress\): its rules are the complete list, so it cannot also be partial; drop one of the two/);
  assert.ok(p, JSON.stringify(ps));
  assert.equal(ps.length, 1, JSON.stringify(ps));
  // `authoritative: true` covers both directions, as does an exception with no direction.
  assert.ok(find(problemsOf(`${base}    authoritative: true\n${partial('direction: ingress, ')}`), 'components.a.exceptions[0]', /ingress is declared authoritative \(components\.a\.authoritative\)/));
  assert.ok(find(problemsOf(`${base}    authoritative: { ingress: { purpose: deny all } }\n${partial('')}`), 'components.a.exceptions[0]', /ingress is declared authoritative/));
  // Authoritative for the other direction, or `false`: accepted.
  parseMatrix(`${base}    authoritative: { ingress: true, egress: false }\n${partial('direction: egress, ')}`, 'ok.yaml');
});

/**
 * The same wildcards under the configured cluster domain (`matrices.clusterDomain`, the kubelets'
 * `clusterDomain`: kubernetes/dns docs/specification.md 2.1, `<zone>` the "configured cluster
 * domain"): `*.shop.svc.corp.example` is every Service of namespace shop in a cluster whose domain is
 * corp.example. Before, only `cluster.local` was known, so it was accepted as an outside pattern
 * (toFQDNs on Cilium, which never selects a pod). Where the config is known it is refused the same
 * way; without it (the domain unknown) it is taken as written, as before.
 */
const CORP_WILDCARDS = `${base}    egress:
      - { id: svcs, peer: { fqdns: ["*.shop.svc.corp.example", "*.example.com"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 1 } }
      - { id: all, peer: { fqdns: ["*.corp.example", "*.db.shop.svc.corp.example"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 2 } }
      - { id: r, peer: { role: backend }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 3 } }
roles:
  backend: { description: b, default: { fqdns: ["*.svc.corp.example"] } }
`;

test('a wildcard over the configured cluster domain is refused where the config is known, naming the rule and the peer to write', () => {
  let ps: MatrixProblem[] = [];
  try {
    parseMatrix(CORP_WILDCARDS, 'test.yaml', undefined, { clusterDomain: 'corp.example' });
    assert.fail('expected the matrix to be rejected under clusterDomain corp.example');
  } catch (e) {
    assert.ok(e instanceof MatrixError, String(e));
    ps = e.problems;
  }
  assert.deepEqual(ps.map((p) => [p.path, p.value, p.line]), [
    ['components.a.egress[0].peer.fqdns[0]', '*.shop.svc.corp.example', 10],
    ['components.a.egress[1].peer.fqdns[0]', '*.corp.example', 11],
    ['components.a.egress[1].peer.fqdns[1]', '*.db.shop.svc.corp.example', 11],
    ['roles.backend.default.fqdns[0]', '*.svc.corp.example', 14],
  ], ps.map((p) => `${p.path}: ${p.message}`).join('\n'));
  assert.match(ps[0]!.message, /"\*\.shop\.svc\.corp\.example" names every Service of namespace shop, inside the cluster.*write \{namespace: shop\}/);
  assert.match(ps[2]!.message, /pods of the headless Service shop\/db.*write the Service's name db\.shop\.svc\.corp\.example/);
  // The domain unknown: taken as written, as before.
  parseMatrix(CORP_WILDCARDS, 'test.yaml');
});

test('a config binding a role to a wildcard over its own cluster domain is refused with the file, line and value', () => {
  assert.throws(
    () => parseMatricesConfig('matrices:\n  clusterDomain: corp.example\n  bindings:\n    roles:\n      backend: { fqdns: ["*.shop.svc.corp.example"] }\n', 'cluster.yaml'),
    (e: unknown) =>
      e instanceof MatrixError &&
      /^cluster\.yaml: invalid config/.test(e.message) &&
      e.problems.length === 1 &&
      e.problems[0]!.path === 'matrices.bindings.roles.backend.fqdns[0]' &&
      e.problems[0]!.line === 5 &&
      /names every Service of namespace shop, inside the cluster/.test(e.problems[0]!.message),
  );
  parseMatricesConfig('matrices:\n  bindings:\n    roles:\n      backend: { fqdns: ["*.shop.svc.corp.example"] }\n', 'cluster.yaml');
});

test('a stored matrix with a wildcard over the configured cluster domain is not in force under that config, saying why', () => {
  const merged = mergeAndCheck([], [{ name: 't', source: CORP_WILDCARDS, origin: 'corp.yaml' }], { clusterDomain: 'corp.example' });
  assert.deepEqual(merged.entries, []);
  assert.deepEqual(merged.broken.map((b) => b.name), ['t']);
  assert.match(merged.broken[0]!.problems[0]!.message, /"\*\.shop\.svc\.corp\.example" names every Service of namespace shop/);
  assert.deepEqual(mergeAndCheck([], [{ name: 't', source: CORP_WILDCARDS, origin: 'corp.yaml' }], {}).broken, []);
});

/** A DNS name (RFC 1123 labels, as the kubelet's clusterDomain): said in words, not as the schema's regular expression. */
test('a bad clusterDomain says what a DNS name is, with the file, line and value', () => {
  for (const bad of ['Corp.Example', 'corp.example.', 'corp..example', '-corp.example', 'corp_example']) {
    assert.throws(
      () => parseMatricesConfig(`matrices:\n  systems: {}\n  clusterDomain: "${bad}"\n`, 'cluster.yaml'),
      (e: unknown) => {
        assert.ok(e instanceof MatrixError);
        assert.deepEqual(e.problems.map((p) => [p.path, p.line, p.value]), [['matrices.clusterDomain', 3, bad]], e.message);
        assert.match(e.message, /^cluster\.yaml: invalid config/);
        assert.match(e.problems[0]!.message, /must be a DNS name: lowercase labels of a-z, 0-9 and '-'.*dots between.*no trailing dot/);
        assert.doesNotMatch(e.problems[0]!.message, /pattern|\^\[/);
        return true;
      },
      bad,
    );
  }
  assert.equal(parseMatricesConfig('matrices:\n  clusterDomain: corp.example\n', 'cluster.yaml').clusterDomain, 'corp.example');
});

/**
 * Pod A records are in-cluster names too: `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` answers with the pod's
 * own address (kubernetes/dns docs/specification.md 2.6, "deprecated but ... required to satisfy
 * this specification"; CoreDNS serves them with its `pods` option), which no engine's DNS peer
 * selects (Cilium's toFQDNs "selects remote, non-cluster, peers"). Before, `*.shop.pod.cluster.local`
 * was accepted as an outside pattern. A wildcard over a parent of the cluster domain
 * (`*.corp.example` over k8s.corp.example) may mean outside names as well: it is accepted (and
 * warned of where policies are made: cluster-domain-observed.test.ts). (`*.local` over cluster.local
 * is refused already: a wildcard's domain needs two labels, syntax.ts fqdnProblem.)
 */
test('a wildcard over pod records is refused like one over Services; one over a parent of the cluster domain is accepted', () => {
  const ps = problemsOf(`${base}    egress:
      - { id: pods, peer: { fqdns: ["*.shop.pod.cluster.local", "*.pod.cluster.local", "*.shop.pod", "*.example.com"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 1 } }
`);
  assert.deepEqual(ps.map((p) => [p.path, p.value]), [
    ['components.a.egress[0].peer.fqdns[0]', '*.shop.pod.cluster.local'],
    ['components.a.egress[0].peer.fqdns[1]', '*.pod.cluster.local'],
    ['components.a.egress[0].peer.fqdns[2]', '*.shop.pod'],
  ], ps.map((p) => `${p.path}: ${p.message}`).join('\n'));
  assert.match(ps[0]!.message, /"\*\.shop\.pod\.cluster\.local" names every pod of namespace shop by its address record, inside the cluster.*write \{namespace: shop\}/);
  assert.match(ps[1]!.message, /"\*\.pod\.cluster\.local" names every pod of the cluster by its address record, inside the cluster.*write \{namespaceSelector: \{\}\}/);
  const corp = `${base}    egress:
      - { id: corp, peer: { fqdns: ["*.corp.example", "*.shop.pod.k8s.corp.example"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 1 } }
`;
  assert.throws(
    () => parseMatrix(corp, 'test.yaml', undefined, { clusterDomain: 'k8s.corp.example' }),
    (e: unknown) => e instanceof MatrixError && e.problems.length === 1 && e.problems[0]!.value === '*.shop.pod.k8s.corp.example',
  );
});

test('a wildcard over cluster.local under another configured domain is refused, the message saying which domain the config sets', () => {
  const text = `${base}    egress:
      - { id: local, peer: { fqdns: ["*.shop.svc.cluster.local", "*.example.com"] }, ports: [{ port: 80 }], level: may, purpose: p, source: { document: d, line: 1 } }
`;
  let ps: MatrixProblem[] = [];
  try {
    parseMatrix(text, 'test.yaml', undefined, { clusterDomain: 'k8s.corp.example' });
    assert.fail('expected *.shop.svc.cluster.local to be refused');
  } catch (e) {
    assert.ok(e instanceof MatrixError, String(e));
    ps = e.problems;
  }
  assert.deepEqual(ps.map((p) => p.value), ['*.shop.svc.cluster.local']);
  assert.match(ps[0]!.message, /names every Service of namespace shop, inside the cluster.* — "\*\.shop\.svc\.cluster\.local" is under cluster\.local, the default cluster domain \(the config sets k8s\.corp\.example\)$/);
  // Without a config, or with cluster.local configured, the message names no other domain.
  assert.doesNotMatch(problemsOf(text)[0]!.message, /the config sets/);
});

test('a CIDR with host bits set (10.0.0.5/8, 2001:db8::5/32) is refused, naming the block it would mean and the host block: Calico refuses it in nets (libcalico-go validateIPNetwork), Kubernetes under StrictIPCIDRValidation (KEP-4858), and the other engines would silently widen it to the network', () => {
  const ps = egressPeerProblems('{ cidrs: [10.0.0.5/8, "2001:db8::5/32", 10.0.0.0/8, "2001:db8::/32", 192.0.2.7/32], except: [10.1.2.3/16] }');
  assert.deepEqual(
    ps.map((p) => [p.path, p.value, p.message]),
    [
      ['components.a.egress[0].peer.cidrs[0]', '10.0.0.5/8', 'malformed CIDR: host bits set: 10.0.0.5/8 is the block 10.0.0.0/8; write 10.0.0.0/8 for the block, or 10.0.0.5/32 for the one address'],
      ['components.a.egress[0].peer.cidrs[1]', '2001:db8::5/32', 'malformed CIDR: host bits set: 2001:db8::5/32 is the block 2001:db8::/32; write 2001:db8::/32 for the block, or 2001:db8::5/128 for the one address'],
      ['components.a.egress[0].peer.except[0]', '10.1.2.3/16', 'malformed CIDR: host bits set: 10.1.2.3/16 is the block 10.1.0.0/16; write 10.1.0.0/16 for the block, or 10.1.2.3/32 for the one address'],
    ],
  );
});

test('a role bound in the cluster config to a CIDR with host bits set is refused the same way, naming the binding (matrices.bindings.roles)', async () => {
  const { bindingIssues } = await import('../../recommender/matrix/validate.ts');
  const issues = bindingIssues({ kafka: { cidrs: ['192.0.2.10/24'] }, s3: [{ cidrs: ['198.51.100.0/24'] }] }, ['matrices', 'bindings', 'roles']);
  assert.deepEqual(
    issues.map((i) => [i.path.join('.'), i.value, i.message]),
    [['matrices.bindings.roles.kafka.cidrs.0', '192.0.2.10/24', 'malformed CIDR: host bits set: 192.0.2.10/24 is the block 192.0.2.0/24; write 192.0.2.0/24 for the block, or 192.0.2.10/32 for the one address']],
  );
});
