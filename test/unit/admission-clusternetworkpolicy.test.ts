/**
 * admissionErrorsClusterNetworkPolicy against the CRD test data of kubernetes-sigs/network-policy-api
 * (pkg/crdtest/testdata/{valid,invalid}/*.yaml, each named below) and the CEL rules of the
 * v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy types (apis/v1alpha1/*_types.go).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { admissionErrorsClusterNetworkPolicy } from '../../recommender/verify/admission/clusternetworkpolicy.ts';
import { verifyManifest } from '../../recommender/verify/index.ts';
import { loadObjects } from '../helpers/reference-cluster.ts';

const cnp = (spec: Record<string, unknown>): unknown => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'x' }, spec: { tier: 'Admin', priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'sensitive-ns' } } }, ...spec } });
const egress = (rule: Record<string, unknown>) => cnp({ egress: [{ action: 'Accept', ...rule }] });
const anp = (kind: string, name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind, metadata: { name }, spec: { subject: { namespaces: {} }, ...spec } });

test('valid CRD test data passes: cidr-valid, deny-with-ports, cluster-wide-deny, user stories', () => {
  const examples = loadObjects([fileURLToPath(new URL('../fixtures/reference/network-policy-api/examples/', import.meta.url))]);
  assert.equal(examples.length, 4);
  for (const m of examples) assert.deepEqual(admissionErrorsClusterNetworkPolicy(m), []);
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(egress({ to: [{ networks: ['10.0.0.0/24', '2001:db8::/32'] }] })), [], 'testdata/valid/cidr-valid.yaml');
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(egress({ to: [{ pods: { namespaceSelector: {}, podSelector: {} } }], protocols: [{ destinationNamedPort: 'http' }] })), [], 'testdata/valid/deny-with-named-ports.experimental.yaml: named ports with pod peers');
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(egress({ to: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { range: { start: 80, end: 81 } } } }] })), [], 'testdata/valid/port-range-valid.yaml');
  assert.deepEqual(admissionErrorsClusterNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }), []);
});

test('invalid CRD test data is refused with the CRD message', () => {
  const cases: [string, unknown, string, string][] = [
    ['testdata/invalid/cidr-invalid.yaml', egress({ to: [{ networks: ['10.0.0.300/24'] }] }), '/spec/egress/0/to/0/networks/0', 'Invalid CIDR format provided'],
    ['testdata/invalid/port-range-invalid-equal.yaml', egress({ to: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { range: { start: 80, end: 80 } } } }] }), '/spec/egress/0/protocols/0/tcp/destinationPort/range', 'Start port must be less than End port'],
    ['testdata/invalid/port-range-invalid-greater.yaml', cnp({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }], protocols: [{ udp: { destinationPort: { range: { start: 90, end: 80 } } } }] }] }), '/spec/ingress/0/protocols/0/udp/destinationPort/range', 'Start port must be less than End port'],
  ];
  for (const [name, m, path, message] of cases) assert.deepEqual(admissionErrorsClusterNetworkPolicy(m), [{ path, message }], name);
  // The experimental channel's CRD only (clusternetworkpolicy_types.go: <network-policy-api:experimental:validation>): said so.
  const experimental: [string, unknown][] = [
    ['testdata/invalid/egress-peer-namedport-conflict.experimental.yaml', egress({ to: [{ networks: ['10.0.0.0/24'] }], protocols: [{ destinationNamedPort: 'http' }] })],
    ['named port with a nodes peer', egress({ to: [{ pods: { podSelector: {} } }, { nodes: {} }], protocols: [{ destinationNamedPort: 'http' }] })],
    ['named port with a domainNames peer', egress({ to: [{ domainNames: ['example.com'] }], protocols: [{ destinationNamedPort: 'https' }] })],
  ];
  for (const [name, m] of experimental) {
    assert.deepEqual(admissionErrorsClusterNetworkPolicy(m), [{ path: '/spec/egress/0', message: 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames', crdChannel: 'experimental' }], name);
  }
});

test('the standard channel\'s CRD has no field of the experimental channel — v1alpha2 destinationNamedPort since kubernetes-sigs/network-policy-api#392 ("Make NamedPort experimental again", merged 2026-07-14: `<network-policy-api:experimental>` restored on ClusterNetworkPolicyProtocol.DestinationNamedPort, as ClusterNetworkPolicyPort.NamedPort had it before the port rework 3a7295a), egress nodes and domainNames; v1alpha1 namedPort — so verifyManifest says each is refused there (crdChannel: standard)', () => {
  const only = (field: string) => `${field} is a field of the network-policy-api experimental channel only (<network-policy-api:experimental>), unknown to the standard channel's CRD`;
  const named = cnp({ ingress: [{ action: 'Accept', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 80 } } }, { destinationNamedPort: 'http' }] }] });
  assert.deepEqual(verifyManifest(named), [{ path: '/spec/ingress/0/protocols/1/destinationNamedPort', message: only('destinationNamedPort'), crdChannel: 'standard' }]);
  const peers = egress({ to: [{ namespaces: {} }, { nodes: {} }, { domainNames: ['example.com'] }] });
  assert.deepEqual(verifyManifest(peers), [
    { path: '/spec/egress/0/to/1/nodes', message: only('nodes'), crdChannel: 'standard' },
    { path: '/spec/egress/0/to/2/domainNames', message: only('domainNames'), crdChannel: 'standard' },
  ]);
  const v1alpha1 = anp('AdminNetworkPolicy', 'n', { priority: 10, ingress: [{ action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] }] });
  assert.deepEqual(verifyManifest(v1alpha1), [{ path: '/spec/ingress/0/ports/0/namedPort', message: only('namedPort'), crdChannel: 'standard' }]);
  // Port numbers are the standard channel's.
  assert.deepEqual(verifyManifest(cnp({ ingress: [{ action: 'Accept', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }] })), []);
});

test('priority 0–1000 (kubebuilder Minimum/Maximum on spec.priority), for ClusterNetworkPolicy and AdminNetworkPolicy', () => {
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(cnp({ priority: 1000 })), []);
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(cnp({ priority: 1001 })), [{ path: '/spec/priority', message: '1001: must be an integer from 0 to 1000' }]);
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(cnp({ priority: -1 })), [{ path: '/spec/priority', message: '-1: must be an integer from 0 to 1000' }]);
  assert.equal(admissionErrorsClusterNetworkPolicy(anp('AdminNetworkPolicy', 'a', { priority: 2.5 })).length, 1);
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(anp('BaselineAdminNetworkPolicy', 'default', {})), [], 'a BANP has no priority');
});

test('v1alpha1: BANP must be named default; networks isCIDR; no namedPort with networks/nodes; portRange start == end passes (v0.1.7 PortRange says "must be less than End" in prose only: its CRD, recommender/schemas/v0.1.7-standard-adminnetworkpolicy_…json, has no rule on it)', () => {
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(anp('BaselineAdminNetworkPolicy', 'default', {})), []);
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(anp('BaselineAdminNetworkPolicy', 'baseline', {})), [{ path: '/metadata/name', message: 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster' }]);
  const bad = anp('AdminNetworkPolicy', 'a', {
    priority: 1,
    ingress: [{ action: 'Allow', from: [{ namespaces: {} }], ports: [{ portRange: { protocol: 'TCP', start: 100, end: 100 } }] }],
    egress: [{ action: 'Deny', to: [{ networks: ['1.2.3.0/33'] }], ports: [{ namedPort: 'http' }] }],
  });
  assert.deepEqual(admissionErrorsClusterNetworkPolicy(bad), [
    { path: '/spec/egress/0/to/0/networks/0', message: 'Invalid CIDR format provided' },
    { path: '/spec/egress/0', message: 'networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes' },
  ]);
});

test('v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy are checked against their CRD schema (network-policy-api v0.1.7 standard): action enums, one field per peer, port numbers, priority — after the CRD defaults, as the API server does', () => {
  const errors = (m: unknown) => verifyManifest(m).map((e) => `${e.path}: ${e.message}`);
  const anpRule = (rule: Record<string, unknown>) => anp('AdminNetworkPolicy', 'a', { priority: 10, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ...rule }] });
  // AdminNetworkPolicyRuleAction: enum Allow, Deny, Pass.
  assert.ok(errors(anpRule({ action: 'Frob' })).some((e) => e.startsWith('/spec/ingress/0/action: must be equal to one of the allowed values')), errors(anpRule({ action: 'Frob' })).join('\n'));
  assert.ok(errors(anpRule({ action: 'Accept' })).some((e) => e.startsWith('/spec/ingress/0/action:')), 'Accept is v1alpha2\'s word, not v1alpha1\'s');
  // AdminNetworkPolicyIngressPeer: maxProperties=1, minProperties=1.
  assert.ok(errors(anpRule({ from: [{}] })).some((e) => e.startsWith('/spec/ingress/0/from/0: must NOT have fewer than 1 properties')));
  // AdminNetworkPolicyPort portNumber.port: Minimum=1.
  assert.ok(errors(anpRule({ ports: [{ portNumber: { port: 0, protocol: 'TCP' } }] })).some((e) => e.startsWith('/spec/ingress/0/ports/0/portNumber/port: must be >= 1')));
  // `protocol` is required, with default TCP: left out, the API server fills it in before validating.
  assert.deepEqual(errors(anpRule({ ports: [{ portNumber: { port: 80 } }] })), []);
  // spec.priority: required, Minimum=0, Maximum=1000.
  assert.ok(errors(anp('AdminNetworkPolicy', 'a', { ingress: [] })).some((e) => e === "/spec: must have required property 'priority'"));
  // BaselineAdminNetworkPolicyRuleAction: enum Allow, Deny (no Pass in the last tier); the name must be `default`.
  const banp = (name: string, action: string) => anp('BaselineAdminNetworkPolicy', name, { ingress: [{ action, from: [{ namespaces: {} }] }] });
  assert.ok(errors(banp('default', 'Pass')).some((e) => e.startsWith('/spec/ingress/0/action: must be equal to one of the allowed values')));
  assert.ok(errors(banp('other', 'Deny')).some((e) => /default/.test(e)), errors(banp('other', 'Deny')).join('\n'));
  assert.deepEqual(errors(banp('default', 'Deny')), []);
});

test('an unknown field is refused (kubectl --validate=strict, the default since 1.27; without it the API server prunes it, and it has no effect): an ingress `networks` peer in an AdminNetworkPolicy v1alpha1 (only egress peers have one), a typo in a NetworkPolicy', () => {
  const errors = (m: unknown) => verifyManifest(m).map((e) => `${e.path}: ${e.message}`);
  const inNets = anp('AdminNetworkPolicy', 'in-nets', { priority: 10, ingress: [{ action: 'Deny', from: [{ networks: ['10.244.0.0/16'] }] }] });
  assert.ok(errors(inNets).includes('/spec/ingress/0/from/0: must NOT have additional properties (networks)'), errors(inNets).join('\n'));
  const egressNets = anp('AdminNetworkPolicy', 'out-nets', { priority: 10, egress: [{ action: 'Deny', to: [{ networks: ['10.244.0.0/16'] }] }] });
  assert.deepEqual(errors(egressNets), []);
  // The experimental channel adds egress peers (nodes, domainNames) that a cluster with its CRDs accepts: not refused as unknown.
  const nodes = egress({ name: 'to-nodes', to: [{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }] });
  assert.ok(!errors(nodes).some((e) => /additional properties/.test(e)), errors(nodes).join('\n'));
  // A typo in a ClusterNetworkPolicy (`ingres`) is no rule at all: refused, as the API server refuses it.
  const cnpTypo = cnp({ ingres: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  assert.ok(errors(cnpTypo).includes('/spec: must NOT have additional properties (ingres)'), errors(cnpTypo).join('\n'));
  const anpRuleTypo = anp('AdminNetworkPolicy', 'r', { priority: 10, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], typo: 1 }] });
  assert.ok(errors(anpRuleTypo).includes('/spec/ingress/0: must NOT have additional properties (typo)'), errors(anpRuleTypo).join('\n'));
  // v1alpha1's experimental namedPort (AdminNetworkPolicyPort.NamedPort) is no unknown field either.
  const named = anp('AdminNetworkPolicy', 'n', { priority: 10, ingress: [{ action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] }] });
  assert.ok(!errors(named).some((e) => /additional properties/.test(e)), errors(named).join('\n'));
  const typo = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { podSelectr: {}, policyTypes: ['Ingress'] } };
  assert.ok(errors(typo).includes('/spec: must NOT have additional properties (podSelectr)'), errors(typo).join('\n'));
});

test('the experimental egress peers are checked by the experimental CRD schema (config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml): domainNames by the DomainName pattern, 1–25 items, a set; nodes a LabelSelector', () => {
  // What the experimental channel refuses of them; the standard channel refuses the fields themselves (crdChannel: standard, above).
  const errors = (m: unknown) => verifyManifest(m).filter((e) => e.crdChannel !== 'standard').map((e) => `${e.path}: ${e.message}`);
  // '*' only as a whole first label; no space; no partial wildcard.
  const bad = egress({ name: 'bad wildcard', to: [{ domainNames: ['*.*.example.com', 'exa mple.com', '*example.com'] }] });
  for (const i of [0, 1, 2]) assert.ok(errors(bad).some((e) => e.startsWith(`/spec/egress/0/to/0/domainNames/${i}: must match pattern`)), errors(bad).join('\n'));
  const good = egress({ name: 'ok', to: [{ domainNames: ['*.kubernetes.io', 'blog.kubernetes.io', 'example.com.'] }] });
  assert.deepEqual(errors(good), []);
  assert.ok(errors(egress({ to: [{ domainNames: [] }] })).some((e) => e.startsWith('/spec/egress/0/to/0/domainNames: must NOT have fewer than 1 items')));
  const many = Array.from({ length: 26 }, (_, i) => `h${i}.example.com`);
  assert.ok(errors(egress({ to: [{ domainNames: many }] })).some((e) => e.startsWith('/spec/egress/0/to/0/domainNames: must NOT have more than 25 items')));
  // A LabelSelector has matchLabels and matchExpressions only.
  const nodes = egress({ action: 'Deny', to: [{ nodes: { matchExpressions: [{ key: 'a', operator: 'Exists' }], extra: 1 } }] });
  assert.ok(errors(nodes).includes('/spec/egress/0/to/0/nodes: must NOT have additional properties (extra)'), errors(nodes).join('\n'));
});

test('a list of x-kubernetes-list-type set or map holds no item (map: no key) twice, as the API server refuses (apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go, field.Duplicate), read from the bundled CRD schemas', () => {
  const errors = (m: unknown) => verifyManifest(m).map((e) => `${e.path}: ${e.message}`);
  // `networks` is a set.
  const dup = egress({ action: 'Deny', to: [{ networks: ['10.244.1.10/32', '10.244.1.10/32'] }] });
  assert.deepEqual(errors(dup), ['/spec/egress/0/to/0/networks/1: Duplicate value: "10.244.1.10/32" (a list of x-kubernetes-list-type set)']);
  // Reported once, at its second appearance, as upstream does.
  const thrice = egress({ action: 'Deny', to: [{ networks: ['10.0.0.0/8', '10.0.0.0/8', '10.0.0.0/8'] }] });
  assert.deepEqual(errors(thrice), ['/spec/egress/0/to/0/networks/1: Duplicate value: "10.0.0.0/8" (a list of x-kubernetes-list-type set)']);
  const dn = egress({ to: [{ domainNames: ['example.com', 'example.com'] }] });
  assert.deepEqual(
    verifyManifest(dn).filter((e) => e.crdChannel !== 'standard').map((e) => `${e.path}: ${e.message}`),
    ['/spec/egress/0/to/0/domainNames/1: Duplicate value: "example.com" (a list of x-kubernetes-list-type set)'],
    'the experimental channel, which has domainNames',
  );
  // Calico (projectcalico.org_networkpolicies.yaml: nets, types are sets) and Cilium (serverNames).
  const calico = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { selector: 'all()', types: ['Ingress', 'Ingress'], ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/8', '10.0.0.0/8'] } }] } };
  const c = errors(calico);
  assert.ok(c.includes('/spec/types/1: Duplicate value: "Ingress" (a list of x-kubernetes-list-type set)'), c.join('\n'));
  assert.ok(c.includes('/spec/ingress/0/source/nets/1: Duplicate value: "10.0.0.0/8" (a list of x-kubernetes-list-type set)'), c.join('\n'));
  const cilium = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['example.com', 'example.com'] }] }] } };
  assert.ok(errors(cilium).includes('/spec/egress/0/toPorts/0/serverNames/1: Duplicate value: "example.com" (a list of x-kubernetes-list-type set)'), errors(cilium).join('\n'));
  // A set's distinct items, and lists of type atomic, pass.
  assert.deepEqual(errors(egress({ action: 'Deny', to: [{ networks: ['10.244.1.10/32', '10.244.1.11/32'] }, { networks: ['10.244.1.10/32'] }] })), []);
});

test('a rule name of 100 characters but more UTF-16 units is accepted, one of 101 characters refused: maxLength counts characters (the quick schema check counts units, and the full one decides)', () => {
  const named = (name: string) => egress({ name, to: [{ namespaces: {} }] });
  const ok = `${'a'.repeat(60)}${'😀'.repeat(40)}`;
  assert.equal([...ok].length, 100);
  assert.ok(ok.length > 100);
  assert.deepEqual(verifyManifest(named(ok)), []);
  assert.deepEqual(verifyManifest(named(`${ok}b`)), [{ path: '/spec/egress/0/name', message: 'must NOT have more than 100 characters' }]);
});
