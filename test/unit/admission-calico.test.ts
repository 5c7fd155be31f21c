/**
 * Calico admission checks: manifest → expected refusal (or none). Cases marked VT are entries of
 * projectcalico/calico libcalico-go/lib/validator/v3/validator_test.go ("(API) Rule",
 * "(API) ICMPFields"), put into a manifest unchanged; the function named after each check is the
 * one of libcalico-go/lib/validator/v3/validator.go that refuses it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admissionErrorsCalico } from '../../recommender/verify/admission/calico.ts';

const np = (spec: Record<string, unknown>, name = 'p') => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { selector: "app == 'api'", ...spec } });
const gnp = (spec: Record<string, unknown>, name = 'g') => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector: 'all()', ...spec } });
const ingress = (rule: Record<string, unknown>) => np({ ingress: [{ action: 'Allow', ...rule }] });
const egress = (rule: Record<string, unknown>) => np({ types: ['Egress'], egress: [{ action: 'Allow', ...rule }] });
const messages = (m: unknown) => admissionErrorsCalico(m).map((e) => `${e.path}: ${e.message}`);

test('a valid policy passes; other kinds are not Calico’s business', () => {
  assert.deepEqual(messages(ingress({ protocol: 'TCP', source: { selector: "app == 'web'", namespaceSelector: "projectcalico.org/name == 'web'" }, destination: { ports: [8080, '9000:9100', 'http'] } })), []);
  assert.deepEqual(messages(egress({ destination: { services: { name: 'kubernetes', namespace: 'default' } } })), []);
  assert.deepEqual(messages({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'Bad_Name' }, spec: {} }), []);
});

test('validateRule: one address family per rule (libcalico-go refuses the whole policy: "rule contains both IPv4 and IPv6 CIDRs")', () => {
  // VT "should reject rule mixed IPv4 (src) and IPv6 (dest)".
  assert.deepEqual(messages(ingress({ protocol: 'TCP', source: { nets: ['192.168.0.0/16'] }, destination: { nets: ['fd00::/64'] } })), ['/spec/ingress/0/destination/nets: rule contains both IPv4 and IPv6 CIDRs (Calico validateRule)']);
  // The emitter's old `world` rendering: both families in one nets list.
  assert.deepEqual(messages(egress({ destination: { nets: ['0.0.0.0/0', '::/0'] } })), ['/spec/egress/0/destination/nets: rule contains both IPv4 and IPv6 CIDRs (Calico validateRule)']);
  // VT "should reject rule mixed IPVersion and Source Net IP version".
  assert.deepEqual(messages(ingress({ protocol: 'TCP', ipVersion: 6, source: { nets: ['10.0.0.0/8'] } })), ["/spec/ingress/0/source/nets: rule IP version doesn't match CIDR version (Calico validateRule)"]);
  // One family in two rules is fine.
  assert.deepEqual(messages(np({ types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }, { action: 'Allow', destination: { nets: ['::/0'] } }] })), []);
});

test('validateRule scanNets: invalid and non-strictly-masked CIDRs', () => {
  assert.deepEqual(messages(ingress({ source: { nets: ['10.0.0.300/32'] } })), ['/spec/ingress/0/source/nets/0: invalid CIDR (Calico validateRule)']);
  assert.deepEqual(messages(ingress({ source: { nets: ['10.0.0.1'] } })), ['/spec/ingress/0/source/nets/0: invalid CIDR (Calico validateRule)']);
  assert.match(messages(ingress({ source: { nets: ['10.0.0.1/24'] } }))[0]!, /not a strictly masked network/);
});

test('a catch-all CIDR in notNets is accepted: validateRule scanNets checks only that each is a CIDR and the families agree, and the CRD has no CEL rule on notNets (libcalico-go lib/validator/v3/validator.go; api/pkg/apis/projectcalico/v3/policy_common.go EntityRule)', () => {
  assert.deepEqual(messages(ingress({ source: { notNets: ['0.0.0.0/0'] } })), []);
  assert.deepEqual(messages(egress({ destination: { notNets: ['::/0'] } })), []);
  // The families must still agree across the rule.
  assert.deepEqual(messages(egress({ destination: { nets: ['10.0.0.0/8'], notNets: ['::/0'] } })), ['/spec/egress/0/destination/notNets: rule contains both IPv4 and IPv6 CIDRs (Calico validateRule)']);
});

test('validateRule: numeric ports need protocol TCP/UDP/SCTP; named ports do not; other protocols take no ports', () => {
  // VT "should reject Rule with dest ports and no protocol".
  assert.deepEqual(messages(ingress({ destination: { ports: [1] } })), ['/spec/ingress/0/destination/ports: rules with numeric port or port range must set protocol to TCP or UDP or SCTP (Calico validateRule)']);
  // Named ports without protocol: accepted by current validateRule (AllPortsAreNamed), refused by
  // earlier releases (protocolPortsMsg for any port): flagged, so the output applies on both.
  assert.match(messages(ingress({ destination: { ports: ['http'] } }))[0]!, /must set protocol to TCP or UDP or SCTP \(refused by Calico releases before/);
  // VT "should accept Rule with source ports and protocol type 6", "... named ports and protocol type udp".
  assert.deepEqual(messages(ingress({ protocol: 6, source: { ports: [1] } })), []);
  assert.deepEqual(messages(ingress({ protocol: 'UDP', source: { ports: ['foo'] } })), []);
  // VT "should reject Rule with source ports and protocol type 7", "... source !ports and protocol type 100".
  assert.deepEqual(messages(ingress({ protocol: 7, source: { ports: [1] } })), ['/spec/ingress/0/source/ports: rules that specify ports must set protocol to TCP or UDP or SCTP (Calico validateRule)']);
  assert.deepEqual(messages(ingress({ protocol: 100, source: { notPorts: [1] } })), ['/spec/ingress/0/source/notPorts: rules that specify ports must set protocol to TCP or UDP or SCTP (Calico validateRule)']);
  // VT "should reject named port Rule with invalid protocol".
  assert.deepEqual(messages(ingress({ protocol: 'unknown', destination: { notPorts: ['foo'] } })), ['/spec/ingress/0/protocol: protocol name invalid (Calico validateProtocol)']);
});

test('validatePort: ranges in order, ports 1-65535, valid port names', () => {
  // VT "should reject Rule with invalid dest ports and protocol type tcp" (200:100), "... (port 0)", "... (MinPort 0)".
  assert.deepEqual(messages(ingress({ protocol: 'TCP', destination: { ports: ['200:100'] } })), ['/spec/ingress/0/destination/ports/0: port range invalid (Calico validatePort)']);
  assert.match(messages(ingress({ protocol: 'TCP', destination: { notPorts: [0] } }))[0]!, /between 1 and 65535/);
  assert.match(messages(ingress({ protocol: 'TCP', destination: { notPorts: ['0:100'] } }))[0]!, /between 1 and 65535/);
  assert.deepEqual(messages(ingress({ protocol: 'TCP', destination: { ports: ['100:100'] } })), []);
  assert.match(messages(ingress({ protocol: 'TCP', destination: { ports: ['Not_A_Port'] } }))[0]!, /invalid port name .* validatePortName/);
});

test('ICMP: fields need protocol ICMP/ICMPv6, code needs a type, ranges, ipVersion per protocol (validateRule, validateICMPFields)', () => {
  // VT "should reject Rule with icmp fields and no protocol".
  assert.deepEqual(messages(ingress({ ipVersion: 4, icmp: { type: 0 } })), ['/spec/ingress/0/icmp: rules that specify ICMP fields must set protocol to ICMP (Calico validateRule)']);
  // VT "should not reject Rule with icmp fields and no ipversion", "should allow Rule with correct ipversion for icmpv6".
  assert.deepEqual(messages(ingress({ protocol: 'ICMP', icmp: { type: 0 } })), []);
  assert.deepEqual(messages(ingress({ protocol: 'ICMPv6', ipVersion: 6, icmp: { type: 0 } })), []);
  // VT "should reject Rule with mismatched ipversion for icmp" / "for icmpv6".
  assert.deepEqual(messages(ingress({ protocol: 'ICMP', ipVersion: 6 })), ["/spec/ingress/0/ipVersion: must set ipversion to '4' with protocol icmp (Calico validateRule)"]);
  assert.deepEqual(messages(ingress({ protocol: 'ICMPv6', ipVersion: 4 })), ["/spec/ingress/0/ipVersion: must set ipversion to '6' with protocol icmpv6 (Calico validateRule)"]);
  // VT "(API) ICMPFields": code without type; type 255; code 256.
  assert.deepEqual(messages(ingress({ protocol: 'ICMP', icmp: { code: 0 } })), ['/spec/ingress/0/icmp/code: ICMP code specified without an ICMP type (Calico validateICMPFields)']);
  assert.equal(messages(ingress({ protocol: 'ICMP', icmp: { type: 255 } })).length, 1);
  assert.equal(messages(ingress({ protocol: 'ICMP', icmp: { type: 128, code: 256 } })).length, 1);
  assert.deepEqual(messages(ingress({ protocol: 'ICMP', icmp: { type: 254, code: 255 } })), []);
});

test('protocol as written: validateRule compares the Protocol struct with ProtocolFromString("ICMP"/"ICMPv6"/"TCP"), the CRD CEL rules the JSON value', () => {
  // numorstring Uint8OrString.UnmarshalJSON: 1 and "1" both become Num(1), never equal to the
  // String("ICMP") of ProtocolFromString — so libcalico-go validateRule (every release before
  // the check moved to the CRD) refuses ICMP fields beside a numeric protocol (protocolIcmpMsg);
  // the current CRD's CEL rule accepts the numbers 1 and 58 (self.protocol == 1 || == 58), not
  // the strings "1"/"58". A finder's policy: protocol 1, icmp {type: 8}.
  const olderReleases = /must set protocol to ICMP \(refused by Calico releases before/;
  assert.match(messages(ingress({ protocol: 1, icmp: { type: 8 } }))[0]!, olderReleases);
  assert.match(messages(ingress({ protocol: 58, icmp: { type: 128 } }))[0]!, olderReleases);
  assert.deepEqual(messages(ingress({ protocol: '1', icmp: { type: 8 } })), ['/spec/ingress/0/icmp: rules that specify ICMP fields must set protocol to ICMP (Calico validateRule)']);
  // HTTP alike: validateRule compares with String("TCP"); CEL accepts 'TCP' or the number 6.
  assert.match(messages(ingress({ protocol: 6, http: { methods: ['GET'] } }))[0]!, /must set protocol to TCP or empty \(refused by Calico releases before/);
  assert.deepEqual(messages(ingress({ protocol: '6', http: { methods: ['GET'] } })), ['/spec/ingress/0/protocol: rules that specify HTTP fields must set protocol to TCP or empty (Calico validateRule)']);
  assert.deepEqual(messages(ingress({ protocol: 'TCP', http: { methods: ['GET'] } })), []);
  // ipVersion: validateRule checks it for String("ICMP"/"ICMPv6") only, CEL for 'ICMP' or the
  // number 1 (58): the string "1" with ipVersion 6 is refused by neither.
  assert.deepEqual(messages(ingress({ protocol: 1, ipVersion: 6 })), ["/spec/ingress/0/ipVersion: must set ipversion to '4' with protocol icmp (Calico validateRule)"]);
  assert.deepEqual(messages(ingress({ notProtocol: 58, ipVersion: 4 })), ["/spec/ingress/0/ipVersion: must set ipversion to '6' with protocol icmpv6 (Calico validateRule)"]);
  assert.deepEqual(messages(ingress({ protocol: '1', ipVersion: 6 })), []);
  assert.deepEqual(messages(ingress({ notProtocol: '58', ipVersion: 4 })), []);
});

test('HTTP clauses: Allow only, TCP or no protocol, never on egress (validateRule, validateNetworkPolicySpec)', () => {
  // VT "should reject Deny rule with HTTP clause", "should reject non-TCP protocol with HTTP clause", "should accept missing protocol with HTTP clause".
  assert.deepEqual(messages(np({ ingress: [{ action: 'Deny', http: { methods: ['GET'] } }] })), ['/spec/ingress/0/http: only valid for Allow rules (Calico validateRule)']);
  assert.deepEqual(messages(ingress({ protocol: 'UDP', http: { methods: ['GET'] } })), ['/spec/ingress/0/protocol: rules that specify HTTP fields must set protocol to TCP or empty (Calico validateRule)']);
  assert.deepEqual(messages(ingress({ http: { methods: ['GET'] } })), []);
  assert.match(messages(egress({ http: { methods: ['GET'] } }))[0]!, /not allowed in egress rule/);
});

test('HTTP match: methods without duplicates, each path exact or prefix, starting with / and free of ? # and space (validateHTTPRule)', () => {
  // libcalico-go validator.go validateHTTPMethods / validateHTTPPaths (the same in every release;
  // the CRD schema checks neither). VT "(API) HTTPMatch".
  assert.deepEqual(messages(ingress({ http: { methods: ['GET', 'POST'], paths: [{ exact: '/a' }, { prefix: '/b/' }] } })), []);
  assert.deepEqual(messages(ingress({ http: { methods: ['GET', 'GET'] } })), ['/spec/ingress/0/http/methods: Invalid methods (duplicates): [GET GET] (Calico validateHTTPRule)']);
  assert.deepEqual(messages(ingress({ http: { paths: [{ exact: '/a', prefix: '/a' }] } })), ["/spec/ingress/0/http/paths/0: Invalid path match. Both 'exact' and 'prefix' are set (Calico validateHTTPRule)"]);
  assert.deepEqual(messages(ingress({ http: { paths: [{}] } })), ["/spec/ingress/0/http/paths/0: Invalid path match. Either 'exact' or 'prefix' must be set (Calico validateHTTPRule)"]);
  assert.deepEqual(messages(ingress({ http: { paths: [{ prefix: 'api' }] } })), ['/spec/ingress/0/http/paths/0: Invalid path api. (must start with `/` and not contain `?` or `#` (Calico validateHTTPRule)']);
  assert.equal(messages(ingress({ http: { paths: [{ exact: '/a?b=1' }, { exact: '/a#x' }, { exact: '/a b' }] } })).length, 3);
});

test('services (validateEntityRule, validateRule, validateNetworkPolicySpec, validateGlobalNetworkPolicySpec)', () => {
  assert.deepEqual(messages(egress({ protocol: 'TCP', destination: { services: { name: 'kubernetes', namespace: 'default' }, ports: [443] } })), ['/spec/egress/0/destination/ports: cannot specify ports with a service selector (Calico validateRule)']);
  assert.deepEqual(messages(egress({ destination: { services: { name: 'api' }, selector: "app == 'x'" } })), ['/spec/egress/0/destination/services: cannot specify Selector/NotSelector and Services on the same rule (Calico validateEntityRule)']);
  assert.deepEqual(messages(egress({ destination: { services: { name: 'api' }, nets: ['10.0.0.0/8'] } })), ['/spec/egress/0/destination/services: cannot specify Nets/NotNets and Services on the same rule (Calico validateEntityRule)']);
  assert.deepEqual(messages(egress({ destination: { services: { name: '' } } })), ['/spec/egress/0/destination/services: must specify a service name (Calico validateEntityRule)']);
  assert.deepEqual(messages(egress({ source: { services: { name: 'api' } } })), ['/spec/egress/0/source/services: not allowed in egress rule source (Calico validateNetworkPolicySpec)']);
  assert.deepEqual(messages(ingress({ destination: { services: { name: 'api' } } })), ['/spec/ingress/0/destination/services: not allowed in ingress rule destination (Calico validateNetworkPolicySpec)']);
  assert.deepEqual(messages(gnp({ types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'api' } } }] })), ['/spec/egress/0/destination/services/namespace: must specify a namespace (Calico validateGlobalNetworkPolicySpec)']);
});

test('selectors: syntax errors with their offset, global() only alone in a rule namespaceSelector (validateSelector, validateEntityRule)', () => {
  assert.deepEqual(messages(np({ selector: "app = 'api'" })), ['/spec/selector: invalid selector: expected == at offset 4 (Calico validateSelector)']);
  assert.deepEqual(messages(ingress({ source: { selector: "app == 'web' &&" } })), ['/spec/ingress/0/source/selector: invalid selector: unexpected end of selector at offset 15 (Calico validateSelector)']);
  assert.deepEqual(messages(ingress({ source: { selector: 'global()' } })), ['/spec/ingress/0/source/selector: global() can only be used in an EntityRule namespaceSelector (Calico validateEntityRule)']);
  assert.deepEqual(messages(ingress({ source: { namespaceSelector: 'global()' } })), []);
  assert.deepEqual(messages(ingress({ source: { namespaceSelector: "global() || a == 'b'" } })), ['/spec/ingress/0/source/namespaceSelector: global() cannot be combined with other selectors (Calico validateEntityRule)']);
  assert.deepEqual(messages(np({ selector: 'global()' })), ['/spec/selector: global() can only be used in an EntityRule namespaceSelector (Calico validateNetworkPolicy)']);
});

test("a GlobalNetworkPolicy's own namespaceSelector may not hold global(): only a rule's may (validator.go validateGlobalNetworkPolicy: strings.Contains(spec.NamespaceSelector, globalSelector) → globalSelectorEntRule)", () => {
  assert.deepEqual(messages(gnp({ namespaceSelector: 'global()' })), ['/spec/namespaceSelector: global() can only be used in an EntityRule namespaceSelector (Calico validateGlobalNetworkPolicy)']);
  assert.deepEqual(messages(gnp({ namespaceSelector: "global() || team == 'a'" })), ['/spec/namespaceSelector: global() can only be used in an EntityRule namespaceSelector (Calico validateGlobalNetworkPolicy)']);
  assert.deepEqual(messages(gnp({ namespaceSelector: "projectcalico.org/name != 'kube-system'" })), []);
});

test('policy fields: action, protocol, ipVersion, types, names, GlobalNetworkPolicy host-endpoint flags', () => {
  assert.match(messages(np({ ingress: [{ action: 'allow' }] }))[0]!, /action must be one of Allow, Deny, Log, Pass/);
  assert.deepEqual(messages(ingress({ protocol: 0 })), ['/spec/ingress/0/protocol: protocol number invalid (Calico validateProtocol)']);
  assert.match(messages(ingress({ ipVersion: 5 }))[0]!, /ipVersion must be 4 or 6/);
  assert.deepEqual(messages(np({ types: ['Ingress', 'Ingress'] })), ["/spec/types: 'Ingress' type specified more than once (Calico validateNetworkPolicy)"]);
  assert.match(messages(np({}, 'Upper'))[0]!, /^\/metadata\/name: name must consist of lower case/);
  assert.deepEqual(messages(np({}, 'a.b')), []);
  assert.equal(messages(np({}, 'a.b.c')).length, 1);
  assert.deepEqual(messages(np({}, 'knp.default.a.b.c')), []);
  assert.deepEqual(messages(gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true })), ['/spec/preDNAT: PreDNAT and DoNotTrack cannot both be true, for a given PolicySpec (Calico validateGlobalNetworkPolicy)']);
  assert.deepEqual(messages(gnp({ preDNAT: true })), ['/spec/applyOnForward: ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec (Calico validateGlobalNetworkPolicy)']);
});

test('Tier: name, order, defaultAction (validateTier)', () => {
  const t = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec });
  assert.deepEqual(messages(t('security', { order: 100, defaultAction: 'Pass' })), []);
  assert.equal(messages(t('sec.urity', {})).length, 1);
  assert.equal(messages(t('security', { defaultAction: 'Allow' })).length, 1);
  // projectcalico.org_tiers.yaml CEL: the default tier keeps order 1000000 and action Deny.
  assert.deepEqual(messages(t('default', { order: 1000000, defaultAction: 'Deny' })), []);
  assert.deepEqual(messages(t('default', { order: 5, defaultAction: 'Deny' })), ['/spec/order: default tier order must be 1000000 (Calico Tier CRD x-kubernetes-validations)']);
});

test('a blank tier is the default tier, as an absent one (libcalico-go lib/names TierOrDefault); a malformed one is refused', () => {
  assert.deepEqual(messages(np({ tier: '' })), []);
  assert.deepEqual(messages(np({ tier: 'Security' })), ["/spec/tier: tier must consist of lower case alphanumeric characters or '-' (Calico validateTier (tierNameRegex))"]);
});

test('network sets: validateObjectMeta (name, labels), validateGlobalNetworkSet / validateNetworkSet (no projectcalico.org/namespace label), the cidr tag of spec.nets (cnet.ParseCIDROrIP: an address or a CIDR, host bits allowed)', () => {
  const set = (kind: string, metadata: Record<string, unknown>, nets: unknown[]) => ({ apiVersion: 'projectcalico.org/v3', kind, metadata, spec: { nets } });
  assert.deepEqual(messages(set('GlobalNetworkSet', { name: 'blocklist', labels: { blocklist: 'true' } }, ['203.0.113.0/24', '198.51.100.7', '10.0.0.1/8', 'fd00::/64'])), []);
  assert.deepEqual(messages(set('NetworkSet', { name: 'db', namespace: 'app' }, ['10.0.0.300/8', 42])), [
    '/spec/nets/0: invalid CIDR or IP address (Calico NetworkSetSpec.Nets (the cidr tag))',
    '/spec/nets/1: invalid CIDR or IP address (Calico NetworkSetSpec.Nets (the cidr tag))',
  ]);
  assert.deepEqual(messages(set('GlobalNetworkSet', { name: 'x', labels: { 'projectcalico.org/namespace': 'app' } }, [])), ['/metadata/labels/projectcalico.org~1namespace: projectcalico.org/namespace is not a valid label name (Calico validateGlobalNetworkSet)']);
  assert.match(messages(set('GlobalNetworkSet', { name: 'Bad_Name' }, []))[0]!, /^\/metadata\/name: name must be a DNS-1123 subdomain/);
  assert.match(messages(set('GlobalNetworkSet', { name: 'x', labels: { a: 'not ok!' } }, []))[0]!, /^\/metadata\/labels\/a: must be a label value/);
  assert.deepEqual(messages({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'x' }, spec: { nets: '10.0.0.0/8' } }), ['/spec/nets: nets must be a list of CIDRs (Calico GlobalNetworkSetSpec.Nets ([]string))']);
});
