/**
 * Cilium admission checks: manifest → expected refusal (or none), each case citing the upstream
 * rule in cilium/cilium (pkg/policy/api/rule_validation.go and its test file
 * rule_validation_test.go, fqdn.go, entity.go, selector.go).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';

const cnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });
const sel = { matchLabels: { app: 'web' } };

function messages(m: unknown): string[] {
  return admissionErrorsCilium(m).map((e) => `${e.path}: ${e.message}`);
}
function assertRefused(m: unknown, path: string, text: string, source: string): void {
  const errs = admissionErrorsCilium(m);
  const hit = errs.find((e) => e.path === path && e.message.includes(text));
  assert.ok(hit, `expected "${text}" at ${path}, got ${JSON.stringify(errs)}`);
  assert.ok(hit.message.includes(source), `the message cites ${source}: ${hit.message}`);
}

test('a well-formed policy of every peer kind is accepted (rule_validation_test.go: valid rules Sanitize without error)', () => {
  const ok = cnp({
    endpointSelector: sel,
    ingress: [{ fromEndpoints: [sel], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }, { port: 'http' }] }] }, { fromEntities: ['host', 'remote-node'] }, { fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }],
    egress: [
      { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '**.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] },
      { toCIDR: ['192.0.2.1', '2001:db8::/32'] },
    ],
    egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '25', protocol: 'TCP' }] }] }],
  });
  assert.deepEqual(messages(ok), []);
  assert.deepEqual(messages({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: {} }), [], 'other kinds are not ours');
});

test('one rule may not combine peer kinds: "Combining FromEndpoints and FromEntities is not supported yet" (IngressCommonRule.Validate)', () => {
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [sel], fromEntities: ['kube-apiserver'] }] }), '/spec/ingress/0', 'combining FromEndpoints and FromEntities is not supported yet', 'IngressCommonRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEntities: ['world'], fromCIDRSet: [{ cidr: '10.0.0.0/8' }] }] }), '/spec/ingress/0', 'combining FromCIDRSet and FromEntities', 'IngressCommonRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingressDeny: [{ fromEndpoints: [sel], fromCIDR: ['10.0.0.0/8'] }] }), '/spec/ingressDeny/0', 'combining FromEndpoints and FromCIDR', 'IngressCommonRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [sel], toEntities: ['world'] }] }), '/spec/egress/0', 'combining ToEndpoints and ToEntities', 'EgressRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egressDeny: [{ toCIDRSet: [{ cidr: '10.0.0.0/8' }], toEntities: ['world'] }] }), '/spec/egressDeny/0', 'combining ToCIDRSet and ToEntities', 'EgressCommonRule.Validate');
});

test('toFQDNs: alone among the L3 peers, one of matchName/matchPattern, DNS characters only (language.rst "DNS based"; EgressRule.l3Members; fqdn.go)', () => {
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toFQDNs: [{ matchName: 'a.example.com' }], toCIDR: ['192.0.2.1/32'] }] }), '/spec/egress/0', 'combining ToCIDR and ToFQDNs', 'EgressRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toFQDNs: [{ matchName: 'a.example.com', matchPattern: '*.example.com' }] }] }), '/spec/egress/0/toFQDNs/0', 'only one of MatchName or MatchPattern', 'fqdn.go');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toFQDNs: [{ matchName: 'a b.com' }] }] }), '/spec/egress/0/toFQDNs/0/matchName', 'Invalid characters in MatchName', 'fqdn.go');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toFQDNs: [{ matchPattern: 'a?.com' }] }] }), '/spec/egress/0/toFQDNs/0/matchPattern', 'Invalid characters in MatchPattern', 'fqdn.go');
});

test('ports: at most 40 per port rule, a parseable port, a known protocol (PortRule.Validate maxPorts; PortProtocol.Validate; l4.go ParseL4Proto)', () => {
  const ports = Array.from({ length: 41 }, (_, i) => ({ port: String(1000 + i), protocol: 'TCP' }));
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ toPorts: [{ ports }] }] }), '/spec/ingress/0/toPorts/0/ports', 'too many ports, the max is 40', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingressDeny: [{ toPorts: [{ ports }] }] }), '/spec/ingressDeny/0/toPorts/0/ports', 'too many ports, the max is 40', 'PortDenyRule.Validate');
  assert.deepEqual(messages(cnp({ endpointSelector: sel, ingress: [{ toPorts: [{ ports: ports.slice(0, 40) }] }] })), []);
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ toPorts: [{ ports: [{ port: '70000' }] }] }] }), '/spec/ingress/0/toPorts/0/ports/0/port', 'unable to parse port', 'PortProtocol.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ toPorts: [{ ports: [{ port: '' }] }] }] }), '/spec/ingress/0/toPorts/0/ports/0/port', 'port must be specified', 'PortProtocol.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'QUIC' }] }] }] }), '/spec/ingress/0/toPorts/0/ports/0/protocol', 'invalid protocol', 'ParseL4Proto');
});

test('L7: TCP only except DNS, never on port 0, DNS needs ports and no ranges, DNS not on ingress, one kind per rule (rule_validation_test.go TestL7RulesWithNonTCPProtocols, TestL7RuleRejectsEmptyPort)', () => {
  const http = { http: [{ method: 'GET', path: '/' }] };
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }], rules: http }] }] }), '/spec/ingress/0/toPorts/0/ports/0/protocol', 'L7 rules can only apply to TCP (not UDP) except for DNS rules', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80' }], rules: http }] }] }), '/spec/ingress/0/toPorts/0/ports/0/protocol', 'L7 rules can only apply to TCP (not ANY)', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: http }] }] }), '/spec/ingress/0/toPorts/0/rules', 'L7 rules can not be used when a port is 0', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ rules: { dns: [{ matchName: 'domain.com' }] } }] }] }), '/spec/egress/0/toPorts/0/rules/dns', 'port 53 must be specified for DNS rules', 'L7Rules.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', endPort: 60, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }), '/spec/egress/0/toPorts/0/ports/0/endPort', 'DNS rules do not support port ranges', 'PortProtocol.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'domain.com' }] } }] }] }), '/spec/ingress/0/toPorts/0/rules/dns', 'DNS rules are not allowed on ingress', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { ...http, kafka: [{}] } }] }] }), '/spec/egress/0/toPorts/0/rules', 'multiple L7 protocol rule types specified in single rule', 'L7Rules.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: [''] }] }] }), '/spec/egress/0/toPorts/0/serverNames/0', 'empty server name is not allowed', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['a.com'], rules: http }] }] }), '/spec/egress/0/toPorts/0/serverNames', 'ServerNames are not allowed with L7 rules without TLS termination', 'PortRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], listener: { name: 'l', envoyConfig: { name: 'c' } } }] }] }), '/spec/ingress/0/toPorts/0/listener', 'Listener is not allowed on ingress (l)', 'PortRule.Validate');
  assert.deepEqual(messages(cnp({ endpointSelector: sel, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: 'domain.com' }] } }] }] })), [], 'DNS rules may use UDP');
});

test('entities must be known (IngressCommonRule.Validate / EgressCommonRule.Validate: EntitySelectorMapping)', () => {
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEntities: ['apiserver'] }] }), '/spec/ingress/0/fromEntities/0', 'unsupported entity: apiserver', 'IngressCommonRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toEntities: ['everything'] }] }), '/spec/egress/0/toEntities/0', 'unsupported entity: everything', 'EgressCommonRule.Validate');
});

// An except wider than its prefix (10.0.0.0/8 in 10.0.0.0/16) holds the prefix's base address, which
// is all CIDRRule.Validate checked up to Cilium 1.19 (`!prefix.Contains(except.Addr())`); since
// cilium/cilium#44637 (fixing #44614, "exception CIDR can be bigger than the main CIDR and still
// pass validation") it also refuses `prefix.Bits() > except.Bits()`. Refused as the current agent
// does, the message says older agents accept it.
test('CIDRs: an except wider than its prefix is refused as Cilium does since cilium/cilium#44637, the message saying older agents accept it (rule_validation.go CIDRRule.Validate)', () => {
  const wider = cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }] }] });
  assertRefused(wider, '/spec/egress/0/toCIDRSet/0/except/0', 'the except is wider than the prefix', 'CIDRRule.Validate');
  assertRefused(wider, '/spec/egress/0/toCIDRSet/0/except/0', 'cilium/cilium#44637', 'CIDRRule.Validate');
  // An except outside the prefix was refused by every version: its message names no version.
  const outside = admissionErrorsCilium(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }] }] }));
  assert.doesNotMatch(outside[0]!.message, /44637/);
});

test('CIDRs: parseable, except inside the allowed prefix and of the same family (rule_validation_test.go TestCIDRsanitize; CIDRRule.Validate)', () => {
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/254.0.0.255' }] }] }), '/spec/egress/0/toCIDRSet/0/cidr', 'unable to parse CIDRRule', 'CIDRRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }] }] }), '/spec/egress/0/toCIDRSet/0/except/0', 'does not contain exclude CIDR prefix 10.1.0.0/24', 'CIDRRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }] }] }), '/spec/egress/0/toCIDRSet/0/except/0', 'does not contain', 'CIDRRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['::/0'] }] }] }), '/spec/egress/0/toCIDRSet/0/except/0', 'does not contain', 'CIDRRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', cidrGroupRef: 'g' }] }] }), '/spec/egress/0/toCIDRSet/0', 'more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set', 'CIDRRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toCIDR: ['not-an-ip'] }] }), '/spec/egress/0/toCIDR/0', 'unable to parse CIDR', 'CIDR.Validate');
});

test('rule shape: one of endpointSelector/nodeSelector, at least one direction, valid selectors (Rule.Validate; selector.go EndpointSelector.Validate)', () => {
  assertRefused(cnp({ ingress: [{}] }), '/spec', 'rule must have one of EndpointSelector or NodeSelector', 'Rule.Validate');
  assertRefused(cnp({ endpointSelector: sel, nodeSelector: {}, ingress: [{}] }), '/spec', 'rule cannot have both EndpointSelector and NodeSelector', 'Rule.Validate');
  assertRefused(cnp({ endpointSelector: sel }), '/spec', 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny', 'Rule.Validate');
  assertRefused(cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, ingress: [{}] }), '/spec/endpointSelector/matchExpressions/0/values', 'values must be non-empty', 'EndpointSelector.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }] }] }), '/spec/ingress/0/fromEndpoints/0/matchExpressions/0/values', 'values may not be specified', 'EndpointSelector.Validate');
  assertRefused({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' } }, '', 'empty CiliumClusterwideNetworkPolicy is not allowed', 'CiliumNetworkPolicy.Parse');
  assertRefused({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, specs: [{ endpointSelector: sel, egress: [{ toEntities: ['bogus'] }] }] }, '/specs/0/egress/0/toEntities/0', 'unsupported entity', 'EgressCommonRule.Validate');
});

test('host policies (nodeSelector) refuse L7; fromNodes/toNodes need enable-node-selector-labels; ICMPs not with toPorts (IngressRule.Validate, EgressRule.Validate, errUnsupportedICMPWithToPorts)', () => {
  assertRefused(cnp({ nodeSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }), '/spec/ingress/0/toPorts', 'L7 policy is not supported on host ingress yet', 'IngressRule.Validate');
  assertRefused(cnp({ nodeSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }), '/spec/egress/0/toPorts/0/rules', 'L7 protocol HTTP is not supported on host egress yet', 'EgressRule.Validate');
  assertRefused(cnp({ endpointSelector: sel, ingress: [{ fromNodes: [{}] }] }), '/spec/ingress/0/fromNodes', 'enable-node-selector-labels', 'ErrFromToNodesRequiresNodeSelectorOption');
  assertRefused(cnp({ endpointSelector: sel, egress: [{ icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '80' }] }] }] }), '/spec/egress/0/icmps', 'the ICMPs block may only be present without ToPorts', 'errUnsupportedICMPWithToPorts');
});

test('toServices with toPorts is refused (rule_validation_test.go TestToServicesSanitize; language.rst "Services based › Limitations")', () => {
  assertRefused(cnp({ endpointSelector: sel, egress: [{ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }), '/spec/egress/0/toPorts', 'combining ToServices and ToPorts is not supported yet', 'EgressRule.Validate');
});

test('an ICMP type name must be in its family\'s table: the agent refuses the policy otherwise (icmp.go ICMPField.UnmarshalJSON "ICMP type %s not found in %s")', () => {
  const icmp = (fields: unknown[]) => cnp({ endpointSelector: sel, ingress: [{ fromEndpoints: [sel], icmps: [{ fields }] }] });
  assert.deepEqual(messages(icmp([{ type: 'EchoRequest' }, { type: 'Echo' }, { type: 'EchoRequest', family: 'IPv6' }, { type: 'PacketTooBig', family: 'IPv6' }, { type: 8 }, { type: '128', family: 'IPv6' }])), []);
  assertRefused(icmp([{ type: 'PacketTooBig' }]), '/spec/ingress/0/icmps/0/fields/0/type', 'ICMP type PacketTooBig not found in IPv4', 'ICMPField.UnmarshalJSON');
  assertRefused(icmp([{ type: 8 }, { type: 'Echo', family: 'IPv6' }]), '/spec/ingress/0/icmps/0/fields/1/type', 'ICMP type Echo not found in IPv6', 'ICMPField.UnmarshalJSON');
});

test('a toPorts list shared by rules is judged for each kind of rule and reported at each rule (PortRule.Validate: DNS rules are refused on ingress only)', () => {
  // Emitted policies share one toPorts list among the rules with the same ports; the checks run once per list.
  const dnsPorts = [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }];
  const m = cnp({ endpointSelector: sel, egress: [{ toEndpoints: [sel], toPorts: dnsPorts }], ingress: [{ fromEndpoints: [sel], toPorts: dnsPorts }, { fromEntities: ['host'], toPorts: dnsPorts }], ingressDeny: [{ fromEntities: ['world'], toPorts: dnsPorts }] });
  assert.deepEqual(
    admissionErrorsCilium(m).map((e) => e.path),
    ['/spec/ingress/0/toPorts/0/rules/dns', '/spec/ingress/1/toPorts/0/rules/dns'],
  );
});

test('with the agent\'s enable-icmp-rules off (cilium-config enable-icmp-rules: "false") every rule with icmps is refused, allow and deny, naming the setting: "ICMP rules can only be applied when the \\"enable-icmp-rules\\" flag is set" (rule_validation.go IngressRule/EgressRule/IngressDenyRule/EgressDenyRule Validate); on, or not known, they are taken', () => {
  const m = cnp({
    endpointSelector: sel,
    ingress: [{ fromEndpoints: [sel], icmps: [{ fields: [{ type: 8 }] }] }, { fromEndpoints: [sel], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    egressDeny: [{ toEntities: ['world'], icmps: [{ fields: [{ type: 8 }] }] }],
  });
  const off = admissionErrorsCilium(m, { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableIcmpRules: false });
  assert.deepEqual(off.map((e) => e.path), ['/spec/ingress/0/icmps', '/spec/egressDeny/0/icmps']);
  for (const e of off) {
    assert.match(e.message, /^ICMP rules can only be applied when the "enable-icmp-rules" flag is set \(the cilium-config sets enable-icmp-rules: "false"\)/);
    assert.match(e.message, /rule_validation\.go/);
  }
  assert.deepEqual(admissionErrorsCilium(m, { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enableIcmpRules: true }), []);
  assert.deepEqual(admissionErrorsCilium(m), [], 'not known: the agent\'s default, on');
});
