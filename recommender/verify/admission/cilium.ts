/**
 * What the Cilium agent refuses when it imports a CiliumNetworkPolicy or
 * CiliumClusterwideNetworkPolicy, beyond the CRD schema: cilium/cilium
 * pkg/policy/api/rule_validation.go (Rule.Validate and what it calls), fqdn.go, selector.go
 * (EndpointSelector.Validate → k8s ValidateLabelSelector), entity.go (EntitySelectorMapping).
 * A rule the agent refuses is not enforced at all, so the pod it was meant to protect stays
 * open: every refusal is an error here. Each message ends with the function it mirrors. Agent
 * options are taken at their defaults (L7 proxy and ICMP rules on, node selector labels off), but
 * ICMP rules off where the cluster's cilium-config says `enable-icmp-rules: "false"`.
 */
import { isIP } from 'node:net';
import { pointerToken } from '../json-pointer.ts';
import type { VerifyError } from '../types.ts';
import { SharedChecks } from './shared-objects.ts';
import { CILIUM_API_VERSION, CCNP_KIND, CNP_KIND } from '../../engines/wire/cilium.ts';
import { isServiceName, parsePortNumber } from '../../simulate/cilium/ports.ts';
import { splitKey } from '../../simulate/cilium/labels.ts';
import { icmpTypeNumber } from '../../simulate/cilium/icmp.ts';
import { isPlainObject, itemsOf } from '../../../domain/plain-object.ts';
import { hostRange, parseLenientIp, rangeCovers, type LenientRange } from '../../../domain/ip.ts';
import { ciliumIcmpRulesOff, type CiliumPolicySettings } from '../../../domain/inventory.ts';

type Obj = Record<string, unknown>;
const len = (x: unknown): number => itemsOf(x).length;

const SRC = 'cilium/cilium pkg/policy/api';
const MAX_PORTS = 40;
const MAX_ICMP_FIELDS = 40;
/** entity.go EntitySelectorMapping (world-ipv4/-ipv6 validate although the CRD enum omits them). */
const ENTITIES = new Set(['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver']);
/** l4.go ParseL4Proto. */
const PROTOCOLS = new Set(['', 'ANY', 'TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPV6', 'VRRP', 'IGMP']);

/** The peer fields one rule may not combine, in field order (IngressCommonRule.Validate / EgressRule.l3Members). */
const INGRESS_L3: [string, string][] = [
  ['fromEndpoints', 'FromEndpoints'],
  ['fromCIDR', 'FromCIDR'],
  ['fromCIDRSet', 'FromCIDRSet'],
  ['fromEntities', 'FromEntities'],
  ['fromNodes', 'FromNodes'],
  ['fromGroups', 'FromGroups'],
];
const EGRESS_L3: [string, string][] = [
  ['toCIDR', 'ToCIDR'],
  ['toCIDRSet', 'ToCIDRSet'],
  ['toEndpoints', 'ToEndpoints'],
  ['toEntities', 'ToEntities'],
  ['toServices', 'ToServices'],
  ['toGroups', 'ToGroups'],
  ['toNodes', 'ToNodes'],
];
/** An allow rule's peers also take toFQDNs (EgressRule.l3Members); a deny rule's do not. */
const EGRESS_ALLOW_L3: [string, string][] = [...EGRESS_L3, ['toFQDNs', 'ToFQDNs']];

class Errors {
  readonly list: VerifyError[] = [];
  add(path: string, message: string, mirrors: string, base = SRC): void {
    this.list.push({ path, message: `${message} (${base}/${mirrors})` });
  }
}

// ---- label selectors (k8s.io/apimachinery ValidateLabelSelector, as selector.go calls it) ----

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Cilium validates the extended key `source.key` (EndpointSelector.UnmarshalJSON → GetExtendedKeyFrom). */
function qualifiedNameError(rawKey: string): string | undefined {
  const { source, key } = splitKey(rawKey);
  const extended = `${source}.${key}`;
  const parts = extended.split('/');
  if (parts.length > 2) return 'a qualified name must consist of alphanumeric characters, "-", "_" or ".", with an optional DNS subdomain prefix and "/"';
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2 && (parts[0]!.length > 253 || !DNS_SUBDOMAIN.test(parts[0]!))) return 'prefix part must be a lowercase RFC 1123 subdomain';
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return 'name part must be at most 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  return undefined;
}

function checkSelector(e: Errors, path: string, sel: unknown): void {
  if (!isPlainObject(sel)) return;
  const where = 'selector.go EndpointSelector.Validate';
  if (isPlainObject(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      const ke = qualifiedNameError(k);
      const badValue = typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v);
      if (!ke && !badValue) continue;
      const p = `${path}/matchLabels/${pointerToken(k)}`;
      if (ke) e.add(p, `invalid label selector: key ${JSON.stringify(k)}: ${ke}`, where);
      if (badValue) e.add(p, `invalid label selector: value ${JSON.stringify(v)} is not a valid label value`, where);
    }
  }
  itemsOf(sel.matchExpressions).forEach((x, i) => {
    if (!isPlainObject(x)) return;
    const p = `${path}/matchExpressions/${i}`;
    const key = String(x.key ?? '');
    const ke = qualifiedNameError(key);
    if (ke) e.add(`${p}/key`, `invalid label selector: key ${JSON.stringify(key)}: ${ke}`, where);
    const values = itemsOf(x.values);
    switch (x.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) e.add(`${p}/values`, 'invalid label selector: values must be non-empty when operator is In or NotIn', where);
        values.forEach((v, j) => {
          if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) e.add(`${p}/values/${j}`, `invalid label selector: value ${JSON.stringify(v)} is not a valid label value`, where);
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) e.add(`${p}/values`, 'invalid label selector: values may not be specified when operator is Exists or DoesNotExist', where);
        break;
      default:
        e.add(`${p}/operator`, `invalid label selector: operator ${JSON.stringify(x.operator)} is not a valid selector operator`, where);
    }
  });
}

/** Peer selectors are shared objects (one per peer of a recommendation): each is checked once. */
const sharedSelectors = new SharedChecks();

function selectorErrors(sel: unknown, path: string): VerifyError[] {
  const e = new Errors();
  checkSelector(e, path, sel);
  return e.list;
}

function checkSharedSelector(e: Errors, path: string, sel: unknown): void {
  for (const x of sharedSelectors.at(sel, path, selectorErrors)) e.list.push(x);
}

// ---- CIDRs (CIDR.Validate, CIDRRule.Validate) ----

function prefix(text: string): LenientRange | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m || isIP(m[1]!) === 0 || (m[2]!.length > 1 && m[2]!.startsWith('0'))) return undefined;
  const bits = Number(m[2]);
  const addr = parseLenientIp(m[1]!);
  if (addr === undefined || bits > (addr.kind() === 'ipv4' ? 32 : 128)) return undefined;
  return [addr, bits];
}

function checkCidr(e: Errors, path: string, c: unknown): void {
  const s = typeof c === 'string' ? c : '';
  if (s === '') return e.add(path, 'IP must be specified', 'rule_validation.go CIDR.Validate');
  if (!prefix(s) && isIP(s) === 0) e.add(path, `unable to parse CIDR: ${JSON.stringify(c)}`, 'rule_validation.go CIDR.Validate');
}

function checkCidrRule(e: Errors, path: string, r: unknown): void {
  if (!isPlainObject(r)) return;
  const where = 'rule_validation.go CIDRRule.Validate';
  const set = [r.cidr, r.cidrGroupRef, r.cidrGroupSelector].filter((x) => x !== undefined && x !== '').length;
  if (set === 0) return e.add(path, 'one of cidr, cidrGroupRef, or cidrGroupSelector is required', where);
  if (set > 1) return e.add(path, 'more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set', where);
  if (r.cidrGroupSelector !== undefined) checkSelector(e, `${path}/cidrGroupSelector`, r.cidrGroupSelector);
  if (r.cidr === undefined || r.cidr === '') return;
  const outer = prefix(String(r.cidr));
  if (!outer) return e.add(`${path}/cidr`, `unable to parse CIDRRule ${JSON.stringify(r.cidr)}`, where);
  itemsOf(r.except).forEach((x, k) => {
    const inner = prefix(String(x));
    if (!inner) return e.add(`${path}/except/${k}`, `unable to parse except CIDR ${JSON.stringify(x)}`, where);
    if (!rangeCovers(outer, inner)) e.add(`${path}/except/${k}`, `allow CIDR prefix ${String(r.cidr)} does not contain exclude CIDR prefix ${String(x)}${widerExcept(outer, inner) ? WIDER_EXCEPT : ''}`, where);
  });
}

/**
 * Holds the prefix's base address but is wider: up to Cilium 1.19 CIDRRule.Validate checked only
 * `prefix.Contains(except.Addr())` and accepted it (the rule then selects none of the prefix);
 * cilium/cilium#44637 (fixing #44614) added `prefix.Bits() > except.Bits()`, and the check here
 * refuses it as the current agent does.
 */
function widerExcept(outer: LenientRange, inner: LenientRange): boolean {
  return inner[1] < outer[1] && rangeCovers(outer, hostRange(inner[0]));
}

const WIDER_EXCEPT = ': the except is wider than the prefix (refused since cilium/cilium#44637; an older agent accepts it and selects none of the prefix)';

// ---- FQDN selectors (fqdn.go FQDNSelector, PortRuleDNS; matchpattern.Validate) ----

const MATCH_NAME = /^[-a-zA-Z0-9_.]+$/;
const MATCH_PATTERN = /^[-a-zA-Z0-9_.*]+$/;

function checkFqdn(e: Errors, path: string, f: unknown, where: string, bothAllowed: boolean): void {
  if (!isPlainObject(f)) return;
  const name = typeof f.matchName === 'string' ? f.matchName : '';
  const pattern = typeof f.matchPattern === 'string' ? f.matchPattern : '';
  if (!bothAllowed && name !== '' && pattern !== '') e.add(path, 'only one of MatchName or MatchPattern is allowed in an FQDNSelector', where);
  if (name === '' && pattern === '' && !bothAllowed) e.add(path, 'one of matchName or matchPattern is required', where);
  if (name !== '' && (!MATCH_NAME.test(name) || name.length > 255)) e.add(`${path}/matchName`, `Invalid characters in MatchName: ${JSON.stringify(name)}. Only 0-9, a-z, A-Z and . and - characters are allowed`, where);
  if (pattern !== '') {
    if (!MATCH_PATTERN.test(pattern) || pattern.trim().length > 255) e.add(`${path}/matchPattern`, `Invalid characters in MatchPattern: ${JSON.stringify(pattern)}. Only 0-9, a-z, A-Z and ., -, _ and * characters are allowed`, where);
  }
}

// ---- ports (PortRule.Validate, PortDenyRule.Validate, PortProtocol.Validate, L7Rules.Validate) ----

function isEmptyL7(rules: unknown): boolean {
  return !isPlainObject(rules) || (rules.http === undefined && rules.kafka === undefined && rules.dns === undefined && rules.l7 === undefined);
}

/** Returns whether the port is "0". */
function checkPortProtocol(e: Errors, path: string, p: unknown, hasDns: boolean): boolean {
  if (!isPlainObject(p)) return false;
  const where = 'rule_validation.go PortProtocol.Validate';
  const port = typeof p.port === 'string' ? p.port : p.port === undefined ? '' : String(p.port);
  let zero = false;
  if (port === '') e.add(`${path}/port`, 'port must be specified', where);
  else if (!isServiceName(port)) {
    const n = parsePortNumber(port);
    if (n === undefined) e.add(`${path}/port`, `unable to parse port: ${JSON.stringify(port)}`, where);
    else {
      zero = n === 0;
      if (hasDns && typeof p.endPort === 'number' && p.endPort > n) e.add(`${path}/endPort`, 'DNS rules do not support port ranges', where);
    }
  }
  const proto = p.protocol === undefined ? '' : String(p.protocol).toUpperCase();
  if (!PROTOCOLS.has(proto)) e.add(`${path}/protocol`, `invalid protocol ${JSON.stringify(p.protocol)}`, 'l4.go ParseL4Proto');
  return zero;
}

function checkPortRule(e: Errors, path: string, pr: unknown, ingress: boolean): void {
  if (!isPlainObject(pr)) return;
  const where = 'rule_validation.go PortRule.Validate';
  const rules = isPlainObject(pr.rules) ? pr.rules : undefined;
  const hasDns = len(rules?.dns) > 0;
  if (ingress && hasDns) e.add(`${path}/rules/dns`, 'DNS rules are not allowed on ingress', where);
  const l7 = !isEmptyL7(pr.rules);
  if (len(pr.serverNames) > 0 && l7 && pr.terminatingTLS === undefined) e.add(`${path}/serverNames`, 'ServerNames are not allowed with L7 rules without TLS termination', where);
  itemsOf(pr.serverNames).forEach((s, i) => {
    if (s === '') e.add(`${path}/serverNames/${i}`, 'empty server name is not allowed', where);
  });
  const ports = itemsOf(pr.ports);
  if (ports.length > MAX_PORTS) e.add(`${path}/ports`, `too many ports, the max is ${MAX_PORTS}`, where);
  let zero = false;
  ports.forEach((p, i) => {
    if (checkPortProtocol(e, `${path}/ports/${i}`, p, hasDns)) zero = true;
    const proto = isPlainObject(p) && p.protocol !== undefined ? String(p.protocol).toUpperCase() : '';
    if (l7 && !hasDns && proto !== 'TCP') e.add(`${path}/ports/${i}/protocol`, `L7 rules can only apply to TCP (not ${proto || 'ANY'}) except for DNS rules`, where);
  });
  if (isPlainObject(pr.listener)) {
    if (ingress) e.add(`${path}/listener`, `Listener is not allowed on ingress (${String(pr.listener.name)})`, where);
    if (l7) e.add(`${path}/listener`, `Listener is not allowed with L7 rules (${String(pr.listener.name)})`, where);
  }
  if (!l7 || !rules) return;
  if (zero) e.add(`${path}/rules`, 'L7 rules can not be used when a port is 0', where);
  const l7where = 'rule_validation.go L7Rules.Validate';
  let kinds = 0;
  if (rules.http !== undefined) kinds++;
  if (rules.kafka !== undefined) kinds++;
  if (rules.dns !== undefined) {
    if (ports.length === 0) e.add(`${path}/rules/dns`, 'port 53 must be specified for DNS rules', l7where);
    kinds++;
    itemsOf(rules.dns).forEach((d, i) => checkFqdn(e, `${path}/rules/dns/${i}`, d, 'fqdn.go PortRuleDNS.Validate', true));
  }
  if (rules.l7 !== undefined && (rules.l7proto === undefined || rules.l7proto === '')) e.add(`${path}/rules/l7`, "'l7' may only be specified when a 'l7proto' is also specified", l7where);
  if (rules.l7proto !== undefined && rules.l7proto !== '') kinds++;
  if (kinds > 1) e.add(`${path}/rules`, 'multiple L7 protocol rule types specified in single rule', l7where);
}

function checkPortDenyRule(e: Errors, path: string, pr: unknown): void {
  if (!isPlainObject(pr)) return;
  const ports = itemsOf(pr.ports);
  if (ports.length > MAX_PORTS) e.add(`${path}/ports`, `too many ports, the max is ${MAX_PORTS}`, 'rule_validation.go PortDenyRule.Validate');
  ports.forEach((p, i) => checkPortProtocol(e, `${path}/ports/${i}`, p, false));
}

/**
 * A rule's toPorts list is a shared object (one per set of ports of a recommendation, met in
 * thousands of rules): its port rules are checked once per list and kind of rule, since
 * PortRule.Validate depends on the direction and PortDenyRule.Validate is another check.
 */
type ToPortsKind = 'ingress' | 'egress' | 'deny';
const sharedToPorts: Record<ToPortsKind, SharedChecks> = { ingress: new SharedChecks(), egress: new SharedChecks(), deny: new SharedChecks() };

function checkToPorts(e: Errors, rulePath: string, toPorts: unknown, kind: ToPortsKind): void {
  if (toPorts === undefined) return;
  for (const x of sharedToPorts[kind].at(toPorts, `${rulePath}/toPorts`, (list, path) => portRulesErrors(list, path, kind))) e.list.push(x);
}

function portRulesErrors(toPorts: unknown, path: string, kind: ToPortsKind): VerifyError[] {
  const e = new Errors();
  itemsOf(toPorts).forEach((pr, i) => (kind === 'deny' ? checkPortDenyRule(e, `${path}/${i}`, pr) : checkPortRule(e, `${path}/${i}`, pr, kind === 'ingress')));
  return e.list;
}

function checkIcmps(e: Errors, path: string, rule: Obj): void {
  if (len(rule.icmps) > 0 && len(rule.toPorts) > 0) e.add(`${path}/icmps`, 'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts', 'rule_validation.go errUnsupportedICMPWithToPorts');
  itemsOf(rule.icmps).forEach((icmp, i) => {
    if (!isPlainObject(icmp)) return;
    const fields = itemsOf(icmp.fields);
    if (fields.length > MAX_ICMP_FIELDS) e.add(`${path}/icmps/${i}/fields`, `too many types, the max is ${MAX_ICMP_FIELDS}`, 'rule_validation.go ICMPRule.Validate');
    fields.forEach((f, j) => {
      if (isPlainObject(f) && f.family !== undefined && f.family !== '' && f.family !== 'IPv4' && f.family !== 'IPv6') e.add(`${path}/icmps/${i}/fields/${j}/family`, `wrong family: ${String(f.family)}`, 'rule_validation.go ICMPRule.Validate');
      // A type name of the other family's table (`PacketTooBig` for IPv4) fails to unmarshal: the agent refuses the policy.
      else if (isPlainObject(f) && typeof f.type === 'string' && icmpTypeNumber(f.type, f.family) === undefined) {
        e.add(`${path}/icmps/${i}/fields/${j}/type`, `ICMP type ${f.type} not found in ${f.family === 'IPv6' ? 'IPv6' : 'IPv4'}`, 'icmp.go ICMPField.UnmarshalJSON');
      }
    });
  });
}

// ---- peers (IngressCommonRule.Validate, EgressCommonRule.Validate, EgressRule.Validate) ----

function checkCombination(e: Errors, path: string, rule: Obj, members: [string, string][], where: string): void {
  const first = members.findIndex(([field]) => len(rule[field]) > 0);
  if (first < 0) return;
  const second = members.findIndex(([field], i) => i > first && len(rule[field]) > 0);
  if (second >= 0) e.add(path, `combining ${members[first]![1]} and ${members[second]![1]} is not supported yet`, where);
}

function checkEntities(e: Errors, path: string, entities: unknown, where: string): void {
  itemsOf(entities).forEach((x, i) => {
    if (!ENTITIES.has(String(x))) e.add(`${path}/${i}`, `unsupported entity: ${String(x)}`, where);
  });
}

function checkIngress(e: Errors, path: string, rule: unknown, deny: boolean, hostPolicy: boolean): void {
  if (!isPlainObject(rule)) return;
  const common = 'rule_validation.go IngressCommonRule.Validate';
  checkCombination(e, path, rule, INGRESS_L3, common);
  if (len(rule.fromNodes) > 0) e.add(`${path}/fromNodes`, 'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set', 'rule_validation.go ErrFromToNodesRequiresNodeSelectorOption');
  itemsOf(rule.fromEndpoints).forEach((s, i) => checkSharedSelector(e, `${path}/fromEndpoints/${i}`, s));
  itemsOf(rule.fromRequires).forEach((s, i) => checkSharedSelector(e, `${path}/fromRequires/${i}`, s));
  itemsOf(rule.fromNodes).forEach((s, i) => checkSelector(e, `${path}/fromNodes/${i}`, s));
  itemsOf(rule.fromCIDR).forEach((c, i) => checkCidr(e, `${path}/fromCIDR/${i}`, c));
  itemsOf(rule.fromCIDRSet).forEach((c, i) => checkCidrRule(e, `${path}/fromCIDRSet/${i}`, c));
  checkEntities(e, `${path}/fromEntities`, rule.fromEntities, common);
  checkIcmps(e, path, rule);
  if (deny) return checkToPorts(e, path, rule.toPorts, 'deny');
  if (hostPolicy && itemsOf(rule.toPorts).some((pr) => isPlainObject(pr) && !isEmptyL7(pr.rules))) e.add(`${path}/toPorts`, 'L7 policy is not supported on host ingress yet', 'rule_validation.go IngressRule.Validate');
  checkToPorts(e, path, rule.toPorts, 'ingress');
}

function checkEgress(e: Errors, path: string, rule: unknown, deny: boolean, hostPolicy: boolean): void {
  if (!isPlainObject(rule)) return;
  checkCombination(e, path, rule, deny ? EGRESS_L3 : EGRESS_ALLOW_L3, deny ? 'rule_validation.go EgressCommonRule.Validate' : 'rule_validation.go EgressRule.Validate');
  // language.rst "Services based › Limitations": "toServices statements must not be combined with toPorts
  // statements in the same rule" (l3DependentL4Support ToServices=false before Cilium 1.18).
  if (len(rule.toServices) > 0 && len(rule.toPorts) > 0) e.add(`${path}/toPorts`, 'combining ToServices and ToPorts is not supported yet', 'rule_validation.go EgressRule.Validate (l3DependentL4Support)');
  if (len(rule.toNodes) > 0) e.add(`${path}/toNodes`, 'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set', 'rule_validation.go ErrFromToNodesRequiresNodeSelectorOption');
  itemsOf(rule.toEndpoints).forEach((s, i) => checkSharedSelector(e, `${path}/toEndpoints/${i}`, s));
  itemsOf(rule.toRequires).forEach((s, i) => checkSharedSelector(e, `${path}/toRequires/${i}`, s));
  itemsOf(rule.toNodes).forEach((s, i) => checkSelector(e, `${path}/toNodes/${i}`, s));
  itemsOf(rule.toCIDR).forEach((c, i) => checkCidr(e, `${path}/toCIDR/${i}`, c));
  itemsOf(rule.toCIDRSet).forEach((c, i) => checkCidrRule(e, `${path}/toCIDRSet/${i}`, c));
  checkEntities(e, `${path}/toEntities`, rule.toEntities, 'rule_validation.go EgressCommonRule.Validate');
  checkIcmps(e, path, rule);
  if (deny) return checkToPorts(e, path, rule.toPorts, 'deny');
  if (hostPolicy) {
    itemsOf(rule.toPorts).forEach((pr, i) => {
      const r = isPlainObject(pr) && isPlainObject(pr.rules) ? pr.rules : undefined;
      if (r && (len(r.http) > 0 || len(r.kafka) > 0)) e.add(`${path}/toPorts/${i}/rules`, `L7 protocol ${len(r.http) > 0 ? 'HTTP' : 'Kafka'} is not supported on host egress yet`, 'rule_validation.go EgressRule.Validate');
    });
  }
  checkToPorts(e, path, rule.toPorts, 'egress');
  itemsOf(rule.toFQDNs).forEach((f, i) => checkFqdn(e, `${path}/toFQDNs/${i}`, f, 'fqdn.go FQDNSelector.Validate', false));
}

function checkRule(e: Errors, path: string, rule: unknown): void {
  if (!isPlainObject(rule)) return;
  const where = 'rule_validation.go Rule.Validate';
  if (len(rule.ingress) + len(rule.ingressDeny) + len(rule.egress) + len(rule.egressDeny) === 0) {
    e.add(path, 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny', where);
  }
  const hasEndpoint = rule.endpointSelector !== undefined && rule.endpointSelector !== null;
  const hasNode = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
  if (!hasEndpoint && !hasNode) e.add(path, 'rule must have one of EndpointSelector or NodeSelector', where);
  if (hasEndpoint && hasNode) e.add(path, 'rule cannot have both EndpointSelector and NodeSelector', where);
  if (hasEndpoint) checkSelector(e, `${path}/endpointSelector`, rule.endpointSelector);
  if (hasNode) checkSelector(e, `${path}/nodeSelector`, rule.nodeSelector);
  itemsOf(rule.ingress).forEach((r, i) => checkIngress(e, `${path}/ingress/${i}`, r, false, hasNode));
  itemsOf(rule.ingressDeny).forEach((r, i) => checkIngress(e, `${path}/ingressDeny/${i}`, r, true, hasNode));
  itemsOf(rule.egress).forEach((r, i) => checkEgress(e, `${path}/egress/${i}`, r, false, hasNode));
  itemsOf(rule.egressDeny).forEach((r, i) => checkEgress(e, `${path}/egressDeny/${i}`, r, true, hasNode));
}

/**
 * Each manifest is checked once: the verification asks (admission) and then the simulator asks
 * again (it leaves refused policies out, as the agent does). Manifests are treated as frozen.
 */
const checked = new WeakMap<object, VerifyError[]>();

/**
 * The agent's refusals for one manifest (empty for other kinds). Paths are JSON pointers into
 * the manifest; messages end with the upstream function they mirror. The list is shared between
 * callers: do not change it.
 */
export function admissionErrorsCilium(manifest: unknown, cilium?: CiliumPolicySettings): VerifyError[] {
  if (!isPlainObject(manifest) || manifest.apiVersion !== CILIUM_API_VERSION || (manifest.kind !== CNP_KIND && manifest.kind !== CCNP_KIND)) return [];
  let errors = checked.get(manifest);
  if (errors === undefined) checked.set(manifest, (errors = manifestErrors(manifest)));
  return ciliumIcmpRulesOff(cilium) ? [...errors, ...icmpRulesOffErrors(manifest)] : errors;
}

/**
 * Under `enable-icmp-rules` off, every rule with `icmps` — allow or deny, either direction — is
 * refused: IngressRule/EgressRule (and, on current agents, IngressDenyRule/EgressDenyRule) Validate
 * `if len(i.ICMPs) > 0 && !option.Config.EnableICMPRules`.
 */
function icmpRulesOffErrors(manifest: Obj): VerifyError[] {
  const e = new Errors();
  const rules: [string, unknown][] = [['/spec', manifest.spec], ...itemsOf(manifest.specs).map((r, i): [string, unknown] => [`/specs/${i}`, r])];
  for (const [path, rule] of rules) {
    if (!isPlainObject(rule)) continue;
    for (const field of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      itemsOf(rule[field]).forEach((r, i) => {
        if (isPlainObject(r) && len(r.icmps) > 0) e.add(`${path}/${field}/${i}/icmps`, 'ICMP rules can only be applied when the "enable-icmp-rules" flag is set (the cilium-config sets enable-icmp-rules: "false")', 'rule_validation.go IngressRule/EgressRule Validate');
      });
    }
  }
  return e.list;
}

function manifestErrors(manifest: Obj): VerifyError[] {
  const e = new Errors();
  if (manifest.spec === undefined && manifest.specs === undefined) e.add('', `empty ${String(manifest.kind)} is not allowed`, 'cnp_types.go CiliumNetworkPolicy.Parse (ErrEmptyCNP)', 'cilium/cilium pkg/k8s/apis/cilium.io/v2');
  if (manifest.spec !== undefined) checkRule(e, '/spec', manifest.spec);
  itemsOf(manifest.specs).forEach((r, i) => checkRule(e, `/specs/${i}`, r));
  return e.list;
}
