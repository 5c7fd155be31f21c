/**
 * admissionErrorsKubernetes against the cases of kubernetes/kubernetes
 * pkg/apis/networking/validation/validation_test.go (TestValidateNetworkPolicy: its success
 * and failure tables, named below as upstream names them) and k8s.io/apimachinery's syntax
 * rules (pkg/util/validation, pkg/api/validation/ip.go).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admissionErrorsKubernetes } from '../../recommender/verify/admission/kubernetes.ts';
import { cidrErrors, celIsCidr, isQualifiedName, isValidPortName } from '../../recommender/verify/admission/k8s-syntax.ts';

const np = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'bar', namespace: 'foo' }): unknown => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: { podSelector: { matchLabels: { a: 'b' } }, ...spec } });
const ingress = (rule: Record<string, unknown>) => np({ ingress: [rule] });
const paths = (m: unknown): string[] => admissionErrorsKubernetes(m).map((e) => e.path);

test('TestValidateNetworkPolicy success cases pass', () => {
  const ok = [
    np({}),
    ingress({ from: [{ podSelector: { matchLabels: { c: 'd' } } }], ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP', port: 7777 }] }),
    ingress({ from: [{ namespaceSelector: { matchLabels: { c: 'd' } }, podSelector: { matchLabels: { e: 'f' } } }] }),
    ingress({ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.3.0/24', '192.168.4.0/24'] } }] }),
    ingress({ from: [{ ipBlock: { cidr: 'fd00:192:168::/48', except: ['fd00:192:168:3::/64', 'fd00:192:168:4::/64'] } }] }),
    np({ egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }, { port: 443, endPort: 443 }] }], policyTypes: ['Ingress', 'Egress'] }),
    ingress({ from: [{ podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['x', 'y'] }, { key: 'k', operator: 'DoesNotExist' }] } }] }),
    np({}, { name: 'a.b-c', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'flowmatrix', empty: '' } }),
  ];
  for (const m of ok) assert.deepEqual(admissionErrorsKubernetes(m), [], JSON.stringify(m));
  assert.deepEqual(admissionErrorsKubernetes({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }), [], 'other kinds are not checked here');
});

test('TestValidateNetworkPolicy failure cases: each refused at the path upstream names', () => {
  const cases: [string, unknown, string][] = [
    ['missing from and to type', ingress({ from: [{}] }), '/spec/ingress/0/from/0'],
    ['invalid spec.podSelector', np({ podSelector: { matchLabels: { 'bad key!': 'b' } } }), '/spec/podSelector/matchLabels/bad key!'],
    ['invalid ingress.ports.protocol', ingress({ ports: [{ protocol: 'ICMP', port: 80 }] }), '/spec/ingress/0/ports/0/protocol'],
    ['invalid ingress.ports.port (int)', ingress({ ports: [{ protocol: 'TCP', port: 123456789 }] }), '/spec/ingress/0/ports/0/port'],
    ['invalid ingress.ports.port (str)', ingress({ ports: [{ protocol: 'TCP', port: '!@#$' }] }), '/spec/ingress/0/ports/0/port'],
    ['invalid ingress.from.podSelector', ingress({ from: [{ podSelector: { matchLabels: { c: 'd', 'e/f/g': 'h' } } }] }), '/spec/ingress/0/from/0/podSelector/matchLabels/e~1f~1g'],
    ['invalid egress.to.podSelector', np({ egress: [{ to: [{ podSelector: { matchLabels: { c: 'value with spaces' } } }] }] }), '/spec/egress/0/to/0/podSelector/matchLabels/c'],
    ['invalid egress.ports.protocol', np({ egress: [{ ports: [{ protocol: 'ICMP', port: 80 }] }] }), '/spec/egress/0/ports/0/protocol'],
    ['invalid ingress.from.namespaceSelector', ingress({ from: [{ namespaceSelector: { matchExpressions: [{ key: 'c', operator: 'In' }] } }] }), '/spec/ingress/0/from/0/namespaceSelector/matchExpressions/0/values'],
    ['Exists with values', ingress({ from: [{ namespaceSelector: { matchExpressions: [{ key: 'c', operator: 'Exists', values: ['x'] }] } }] }), '/spec/ingress/0/from/0/namespaceSelector/matchExpressions/0/values'],
    ['unknown operator', ingress({ from: [{ podSelector: { matchExpressions: [{ key: 'c', operator: 'Equals', values: ['x'] }] } }] }), '/spec/ingress/0/from/0/podSelector/matchExpressions/0/operator'],
    ['missing cidr field', ingress({ from: [{ ipBlock: { except: ['192.168.8.0/24'] } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['invalid cidr format', ingress({ from: [{ ipBlock: { cidr: '192.168.5.6' } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['invalid ipv6 cidr format', ingress({ from: [{ ipBlock: { cidr: 'fd00:192:168::' } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['except field is an empty string', ingress({ from: [{ ipBlock: { cidr: '192.168.8.0/24', except: [''] } }] }), '/spec/ingress/0/from/0/ipBlock/except/0'],
    ['except IP is outside of CIDR range', ingress({ from: [{ ipBlock: { cidr: '192.168.8.0/24', except: ['192.168.9.1/32'] } }] }), '/spec/ingress/0/from/0/ipBlock/except/0'],
    ['except IP is not strictly within CIDR range', ingress({ from: [{ ipBlock: { cidr: '192.168.0.0/24', except: ['192.168.0.0/24'] } }] }), '/spec/ingress/0/from/0/ipBlock/except/0'],
    ['except IPv6 is outside of CIDR range', ingress({ from: [{ ipBlock: { cidr: 'fd00:192:168:1::/64', except: ['fd00:192:168:2::/64'] } }] }), '/spec/ingress/0/from/0/ipBlock/except/0'],
    ['invalid policyTypes', np({ policyTypes: ['foo'] }), '/spec/policyTypes/0'],
    ['too many policyTypes', np({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }), '/spec/policyTypes'],
    ['endPort defined with named/string port', np({ egress: [{ ports: [{ protocol: 'TCP', port: 'dns', endPort: 200 }] }] }), '/spec/egress/0/ports/0/endPort'],
    ['endPort defined without port defined', np({ egress: [{ ports: [{ protocol: 'TCP', endPort: 200 }] }] }), '/spec/egress/0/ports/0/endPort'],
    ['port is greater than endPort', np({ egress: [{ ports: [{ protocol: 'SCTP', port: 35000, endPort: 32000 }] }] }), '/spec/egress/0/ports/0/endPort'],
    ['invalid endport range defined', np({ egress: [{ ports: [{ protocol: 'TCP', port: 30000, endPort: 65537 }] }] }), '/spec/egress/0/ports/0/endPort'],
    ['both ipBlock and a selector (ValidateNetworkPolicyPeer)', ingress({ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }), '/spec/ingress/0/from/0'],
    ['CIDR with host bits set (StrictIPCIDRValidation)', ingress({ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['CIDR with leading zeros (StrictIPCIDRValidation)', ingress({ from: [{ ipBlock: { cidr: '010.0.0.0/8' } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['IPv4-mapped IPv6 CIDR (StrictIPCIDRValidation)', ingress({ from: [{ ipBlock: { cidr: '::ffff:10.0.0.0/104' } }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['name not a DNS subdomain (ValidateNetworkPolicyName)', np({}, { name: 'Bad_Name', namespace: 'foo' }), '/metadata/name'],
    ['namespace not a DNS label', np({}, { name: 'ok', namespace: 'a.b' }), '/metadata/namespace'],
    ['label value too long', np({}, { name: 'ok', namespace: 'foo', labels: { k: 'x'.repeat(64) } }), '/metadata/labels/k'],
  ];
  for (const [name, manifest, path] of cases) assert.ok(paths(manifest).includes(path), `${name}: expected an error at ${path}, got ${JSON.stringify(admissionErrorsKubernetes(manifest))}`);
});

test('every strict CIDR check depends on the StrictIPCIDRValidation gate (pkg/api/validation/ip.go parseCIDR: host bits, leading zeros and IPv4-mapped addresses are refused only with strictValidation; without it the legacy field is stored with a warning, GetWarningsForCIDR; gate alpha off in 1.33, beta on from 1.36, KEP-4858)', () => {
  const gateOf = (cidr: string): (string | undefined)[] => admissionErrorsKubernetes(ingress({ from: [{ ipBlock: { cidr, except: [] } }] })).map((e) => e.featureGate);
  assert.deepEqual(gateOf('10.0.0.1/8'), ['StrictIPCIDRValidation']);
  assert.deepEqual(gateOf('010.0.0.0/8'), ['StrictIPCIDRValidation']);
  assert.deepEqual(gateOf('::ffff:10.0.0.0/104'), ['StrictIPCIDRValidation']);
  assert.deepEqual(gateOf('10.0.0.256/8'), [undefined], 'what ParseCIDRSloppy refuses stays refused');
});

test('an except written with leading zeros is inside its cidr as ParseCIDRSloppy reads both (decimal): no strict-subset error', () => {
  const errors = admissionErrorsKubernetes(ingress({ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.010.0.0/16'] } }] }));
  assert.deepEqual(errors.map((e) => e.featureGate), ['StrictIPCIDRValidation'], JSON.stringify(errors));
});

test('apimachinery syntax: qualified names, IANA port names, strict CIDRs', () => {
  assert.deepEqual(isQualifiedName('kubernetes.io/metadata.name'), []);
  assert.notDeepEqual(isQualifiedName('/name'), []);
  assert.notDeepEqual(isQualifiedName(`${'a'.repeat(64)}`), []);
  assert.deepEqual(isValidPortName('http-metrics'), []);
  for (const bad of ['HTTP', '8080', 'a--b', '-http', 'abcdefghijklmnop', 'a_b']) assert.notDeepEqual(isValidPortName(bad), [], bad);
  assert.deepEqual(cidrErrors('10.0.0.0/8'), []);
  assert.deepEqual(cidrErrors('2001:db8::/32'), []);
  assert.deepEqual(cidrErrors('192.168.1.7/32'), []);
  assert.deepEqual(cidrErrors('10.0.0.1/8'), ['must not have bits set beyond the prefix length']);
  assert.deepEqual(cidrErrors('10.0.0.0/08'), ['must not have leading 0s in IP or prefix length']);
  assert.notDeepEqual(cidrErrors('10.0.0.300/24'), []);
  assert.notDeepEqual(cidrErrors('10.0.0.0/33'), []);
  // CEL isCIDR allows host bits but not the rest (k8s.io/apiserver/pkg/cel/library/cidr.go).
  assert.equal(celIsCidr('10.0.0.1/24'), true);
  assert.equal(celIsCidr('10.0.0.300/24'), false);
  assert.equal(celIsCidr('::ffff:1.2.3.0/120'), false);
});

test('an IPv6 CIDR whose embedded IPv4 has a leading zero is refused for its leading zero under the strict gate, before IPv4-mapped is asked (pkg/api/validation/ip.go parseCIDR: netip.ParsePrefix fails first, then Is4In6, then host bits; Go net/netip parseIPv6 reads an embedded IPv4 with parseIPv4, which refuses "IPv4 field has octet with leading zero")', () => {
  const LEADING = 'must not have leading 0s in IP or prefix length';
  assert.deepEqual(cidrErrors('::010.0.0.0/104'), [LEADING]);
  assert.deepEqual(cidrErrors('::ffff:010.0.0.0/104'), [LEADING]);
  assert.deepEqual(cidrErrors('64:ff9b::192.0.02.0/120'), [LEADING]);
  assert.deepEqual(cidrErrors('::10.0.0.0/104'), [], 'without the leading zero netip takes it (an IPv4-compatible address, not IPv4-mapped)');
  assert.deepEqual(cidrErrors('::ffff:10.0.0.0/104'), ['must not have an IPv4-mapped IPv6 address']);
  // CEL isCIDR is netip.ParsePrefix too (k8s.io/apiserver/pkg/cel/library/cidr.go).
  assert.equal(celIsCidr('::010.0.0.0/104'), false);
  const errors = admissionErrorsKubernetes(ingress({ from: [{ ipBlock: { cidr: '::010.0.0.0/104' } }] }));
  assert.deepEqual(errors.map((e) => [e.path, e.featureGate]), [['/spec/ingress/0/from/0/ipBlock/cidr', 'StrictIPCIDRValidation']], JSON.stringify(errors));
  assert.match(errors[0]!.message, /must not have leading 0s in IP or prefix length; read as ::a00:0\/104/);
});
