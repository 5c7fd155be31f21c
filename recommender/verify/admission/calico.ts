/**
 * What Calico's API server (libcalico-go validator, run by calico-apiserver and calicoctl) refuses
 * in projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy and Tier manifests (and the network
 * sets, which have no schema here: all their checks), beyond what the
 * JSON schema checks. Each check names the function of
 * projectcalico/calico libcalico-go/lib/validator/v3/validator.go it mirrors (some have moved to
 * the CRD's CEL rules in recent releases — api/config/crd/projectcalico.org_*.yaml
 * x-kubernetes-validations: services/selector/nets/namespaceSelector exclusivity, ports with
 * services, ICMP protocol and ipVersion, HTTP — the refusal is the same); the message is
 * upstream's reason, followed by that function's name.
 */
import { CALICO_API_VERSION, CALICO_LABEL_NAMESPACE, type CalicoEntityRule, type CalicoPort } from '../../engines/wire/calico.ts';
import { parseCidr, parseCidrOrIp, parseIp } from '../../../domain/ip.ts';
import { dns1123SubdomainError, labelKeyError, labelValueError } from '../../../domain/k8s-names.ts';
import { pointerToken } from '../json-pointer.ts';
import { isOnlyGlobal, selectorSyntaxError } from '../../simulate/calico/selector.ts';
import type { VerifyError } from '../types.ts';
import type { Direction } from '../../../domain/direction.ts';
import { isPlainObject, itemsOf } from '../../../domain/plain-object.ts';

type Obj = Record<string, unknown>;

// validator.go: nameLabelFmt, networkPolicyNameRegex, globalNetworkPolicyNameRegex, tierNameRegex.
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const NP_NAME = new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`);
const GNP_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);
const TIER_NAME = new RegExp(`^${LABEL}$`);
// validator.go protocolRegex (validateProtocol).
const PROTOCOL_NAME = /^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$/;
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 };
const ACTIONS = ['Allow', 'Deny', 'Log', 'Pass'];

class Errors {
  readonly list: VerifyError[] = [];
  add(path: string, reason: string, upstream: string): void {
    this.list.push({ path, message: `${reason} (Calico ${upstream})` });
  }
}

/** validateSelector (the `selector` field tag): the parser must accept it. `field` of the object at `at` (the path is built only for an error). */
function checkSelector(e: Errors, at: string, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    e.add(`${at}/${field}`, 'selector must be a string', 'validateSelector');
    return;
  }
  const err = selectorSyntaxError(value);
  if (err) e.add(`${at}/${field}`, `invalid selector: ${err.reason} at offset ${err.position}`, 'validateSelector');
}

/** numorstring.Protocol: 1-255 or a protocol name; undefined when invalid. */
function protocolNumber(p: unknown): number | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 1 && p <= 255 ? p : undefined;
  if (typeof p !== 'string') return undefined;
  if (/^\d+$/.test(p)) return protocolNumber(Number(p));
  return PROTOCOL_NAME.test(p) ? PROTOCOL_NUMBERS[p] : undefined;
}

/** validateProtocol. */
function checkProtocol(e: Errors, path: string, p: unknown): void {
  if (p === undefined) return;
  if (protocolNumber(p) === undefined) e.add(path, typeof p === 'number' || /^\d+$/.test(String(p)) ? 'protocol number invalid' : 'protocol name invalid', 'validateProtocol');
}

/** k8s.io/apimachinery validation IsValidPortName (validatePortName). */
function isValidPortName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-z0-9-]+$/.test(s) && /[a-z]/.test(s) && !s.startsWith('-') && !s.endsWith('-') && !s.includes('--');
}

type PortKind = 'number' | 'range' | 'named' | 'invalid';

function inRange(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** validatePort (numorstring.Port): 1-65535, `min:max` with min ≤ max, or a valid port name. */
function checkPort(e: Errors, path: string, p: CalicoPort | unknown): PortKind {
  if (typeof p === 'number') {
    if (!inRange(p)) e.add(path, 'port range invalid, port number must be between 1 and 65535', 'validatePort');
    return inRange(p) ? 'number' : 'invalid';
  }
  if (typeof p !== 'string') {
    e.add(path, 'port must be a number or a string', 'validatePort');
    return 'invalid';
  }
  if (/^\d+$/.test(p)) return checkPort(e, path, Number(p)) === 'number' ? 'number' : 'invalid';
  const range = /^(\d+):(\d+)$/.exec(p);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (!inRange(lo) || !inRange(hi)) e.add(path, 'port range invalid, port number must be between 1 and 65535', 'validatePort');
    else if (lo > hi) e.add(path, 'port range invalid', 'validatePort');
    else return 'range';
    return 'invalid';
  }
  if (!isValidPortName(p)) {
    e.add(path, `invalid port name ${JSON.stringify(p)}`, 'validatePortName');
    return 'invalid';
  }
  return 'named';
}

/** ICMP fields: type 0-254, code 0-255 (field tags), code only with a type (validateICMPFields). */
function checkIcmp(e: Errors, path: string, icmp: unknown): void {
  if (!isPlainObject(icmp)) return;
  if (icmp.type !== undefined && !(Number.isInteger(icmp.type) && (icmp.type as number) >= 0 && (icmp.type as number) <= 254)) e.add(`${path}/type`, 'ICMP type must be between 0 and 254', 'ICMPFields validation');
  if (icmp.code !== undefined && !(Number.isInteger(icmp.code) && (icmp.code as number) >= 0 && (icmp.code as number) <= 255)) e.add(`${path}/code`, 'ICMP code must be between 0 and 255', 'ICMPFields validation');
  if (icmp.code !== undefined && icmp.type === undefined) e.add(`${path}/code`, 'ICMP code specified without an ICMP type', 'validateICMPFields');
}

type Entity = CalicoEntityRule & Obj;

/** validateEntityRule, plus the field validators of EntityRule (selectors, ports). */
function checkEntity(e: Errors, path: string, entity: Entity): void {
  checkSelector(e, path, 'selector', entity.selector);
  checkSelector(e, path, 'notSelector', entity.notSelector);
  checkSelector(e, path, 'namespaceSelector', entity.namespaceSelector);
  if (isPlainObject(entity.serviceAccounts)) checkSelector(e, `${path}/serviceAccounts`, 'selector', entity.serviceAccounts.selector);
  if (typeof entity.selector === 'string' && entity.selector.includes('global(')) e.add(`${path}/selector`, 'global() can only be used in an EntityRule namespaceSelector', 'validateEntityRule');
  if (typeof entity.namespaceSelector === 'string' && entity.namespaceSelector.includes('global(') && entity.namespaceSelector !== 'global()' && !isOnlyGlobal(entity.namespaceSelector)) {
    e.add(`${path}/namespaceSelector`, 'global() cannot be combined with other selectors', 'validateEntityRule');
  }
  if (entity.services !== undefined) {
    const s: Obj = isPlainObject(entity.services) ? entity.services : {};
    if (typeof s.name !== 'string' || s.name === '') e.add(`${path}/services`, 'must specify a service name', 'validateEntityRule');
    if (entity.selector || entity.notSelector) e.add(`${path}/services`, 'cannot specify Selector/NotSelector and Services on the same rule', 'validateEntityRule');
    if (itemsOf(entity.nets).length > 0 || itemsOf(entity.notNets).length > 0) e.add(`${path}/services`, 'cannot specify Nets/NotNets and Services on the same rule', 'validateEntityRule');
    if (entity.namespaceSelector) e.add(`${path}/services`, 'cannot specify NamespaceSelector and Services on the same rule', 'validateEntityRule');
    if (entity.serviceAccounts !== undefined) e.add(`${path}/services`, 'cannot specify ServiceAccounts and Services on the same rule', 'validateEntityRule');
  }
}

const SIDES = ['source', 'destination'] as const;
const PORT_FIELDS = ['ports', 'notPorts'] as const;
const NET_FIELDS = ['nets', 'notNets'] as const;

/** validateRule: protocol/port combinations, ICMP, HTTP, address families and CIDRs. */
function checkRule(e: Errors, path: string, rule: Obj, direction: Direction, global: boolean): void {
  if (!ACTIONS.includes(String(rule.action))) e.add(`${path}/action`, `action must be one of ${ACTIONS.join(', ')}`, 'Rule.Action validation');
  checkProtocol(e, `${path}/protocol`, rule.protocol);
  checkProtocol(e, `${path}/notProtocol`, rule.notProtocol);
  if (rule.ipVersion !== undefined && rule.ipVersion !== 4 && rule.ipVersion !== 6) e.add(`${path}/ipVersion`, 'ipVersion must be 4 or 6', 'Rule.IPVersion validation');
  const sides = {
    source: isPlainObject(rule.source) ? (rule.source as Entity) : undefined,
    destination: isPlainObject(rule.destination) ? (rule.destination as Entity) : undefined,
  };
  const proto = rule.protocol === undefined ? undefined : protocolNumber(rule.protocol);
  for (const side of SIDES) {
    const entity = sides[side];
    if (!entity) continue;
    checkEntity(e, `${path}/${side}`, entity);
    checkEntityPorts(e, `${path}/${side}`, entity, rule, proto);
  }
  checkRuleIcmp(e, path, rule);
  checkRuleHttp(e, path, rule, direction);
  checkRuleNets(e, path, rule, sides);
  checkRuleServices(e, path, sides, direction, global);
}

/** The ports of one side: each valid, and a protocol that has ports (a numeric port needs TCP, UDP or SCTP). */
function checkEntityPorts(e: Errors, path: string, entity: Entity, rule: Obj, proto: number | undefined): void {
  const supportsPorts = proto === 6 || proto === 17 || proto === 132;
  for (const field of PORT_FIELDS) {
    const ports = itemsOf(entity[field]);
    if (ports.length === 0) continue;
    // A valid port number (the common case) needs no path built for it.
    const kinds = ports.map((p, k) => (typeof p === 'number' && inRange(p) ? 'number' : checkPort(e, `${path}/${field}/${k}`, p)));
    if (rule.protocol === undefined) {
      if (kinds.some((k) => k === 'number' || k === 'range')) e.add(`${path}/${field}`, 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP', 'validateRule');
      // Current releases accept named ports without protocol (AllPortsAreNamed); earlier ones
      // refused any port without protocol (protocolPortsMsg). Safe to apply means both.
      else if (kinds.includes('named')) e.add(`${path}/${field}`, 'rules that specify ports must set protocol to TCP or UDP or SCTP (refused by Calico releases before named ports without protocol were allowed)', 'validateRule');
    } else if (proto !== undefined && !supportsPorts) {
      e.add(`${path}/${field}`, 'rules that specify ports must set protocol to TCP or UDP or SCTP', 'validateRule');
    }
  }
}

/**
 * How a protocol as written compares with a protocol name. validateRule compares the Protocol
 * struct with numorstring.ProtocolFromString(name): only that name, as a string, is equal (1 and
 * "1" both unmarshal to Num(1), Uint8OrString.UnmarshalJSON). The CRD's CEL rules, which took
 * these checks over in current releases, compare the JSON value with the name and its number
 * (`self.protocol == 'ICMP' || self.protocol == 1`): the string "1" is neither.
 */
type ProtocolReading = 'name' | 'number' | 'other';

function protocolReading(p: unknown, name: keyof typeof PROTOCOL_NUMBERS): ProtocolReading {
  if (p === name) return 'name';
  return p === PROTOCOL_NUMBERS[name] ? 'number' : 'other';
}

/** Refused by validateRule (the name only) and accepted by the current CEL rule (its number too). */
const BEFORE_CEL = ' (refused by Calico releases before the CRD validation rules accepted protocol numbers)';

/** ICMP fields need protocol ICMP/ICMPv6, whose address family fixes ipVersion. */
function checkRuleIcmp(e: Errors, path: string, rule: Obj): void {
  if (rule.icmp !== undefined) {
    checkIcmp(e, `${path}/icmp`, rule.icmp);
    const readings = [protocolReading(rule.protocol, 'ICMP'), protocolReading(rule.protocol, 'ICMPv6')];
    if (!readings.includes('name')) e.add(`${path}/icmp`, `rules that specify ICMP fields must set protocol to ICMP${readings.includes('number') ? BEFORE_CEL : ''}`, 'validateRule');
  }
  if (rule.notICMP !== undefined) checkIcmp(e, `${path}/notICMP`, rule.notICMP);
  if (rule.ipVersion === undefined) return;
  if (rule.ipVersion !== 4 && namesProtocol(rule, 'ICMP')) e.add(`${path}/ipVersion`, "must set ipversion to '4' with protocol icmp", 'validateRule');
  if (rule.ipVersion !== 6 && namesProtocol(rule, 'ICMPv6')) e.add(`${path}/ipVersion`, "must set ipversion to '6' with protocol icmpv6", 'validateRule');
}

/** Whether the rule's protocol or notProtocol is `name`, as its name or its number: validateRule reads the name, the CEL rule both, and either refuses the other family. */
function namesProtocol(rule: Obj, name: 'ICMP' | 'ICMPv6'): boolean {
  return protocolReading(rule.protocol, name) !== 'other' || protocolReading(rule.notProtocol, name) !== 'other';
}

/** validateHTTPRule (validateHTTPMethods, validateHTTPPaths; the CRD schema checks neither). */
function checkHttpMatch(e: Errors, path: string, http: unknown): void {
  if (!isPlainObject(http)) return;
  const methods = itemsOf(http.methods);
  if (new Set(methods).size !== methods.length) e.add(`${path}/methods`, `Invalid methods (duplicates): [${methods.join(' ')}]`, 'validateHTTPRule');
  itemsOf(http.paths).forEach((p, k) => {
    const m: Obj = isPlainObject(p) ? p : {};
    const exact = typeof m.exact === 'string' ? m.exact : '';
    const prefix = typeof m.prefix === 'string' ? m.prefix : '';
    const value = exact || prefix;
    if (exact !== '' && prefix !== '') e.add(`${path}/paths/${k}`, "Invalid path match. Both 'exact' and 'prefix' are set", 'validateHTTPRule');
    else if (value === '') e.add(`${path}/paths/${k}`, "Invalid path match. Either 'exact' or 'prefix' must be set", 'validateHTTPRule');
    // RFC 3986 section 3.3, as upstream checks it: an absolute path, no query or fragment.
    else if (!value.startsWith('/') || /[? #]/.test(value)) e.add(`${path}/paths/${k}`, `Invalid path ${value}. (must start with \`/\` and not contain \`?\` or \`#\``, 'validateHTTPRule');
  });
}

function checkRuleHttp(e: Errors, path: string, rule: Obj, direction: Direction): void {
  if (rule.http === undefined) return;
  checkHttpMatch(e, `${path}/http`, rule.http);
  const tcp = protocolReading(rule.protocol, 'TCP');
  if (rule.protocol !== undefined && tcp !== 'name') e.add(`${path}/protocol`, `rules that specify HTTP fields must set protocol to TCP or empty${tcp === 'number' ? BEFORE_CEL : ''}`, 'validateRule');
  if (rule.action !== 'Allow') e.add(`${path}/http`, 'only valid for Allow rules', 'validateRule');
  if (direction === 'egress') e.add(`${path}/http`, 'not allowed in egress rule', 'validateNetworkPolicySpec (ruleUsesAppLayerPolicy)');
}

/** scanNets: every net a CIDR, strictly masked (the `net` field tag), one address family per rule, matching ipVersion. */
function checkRuleNets(e: Errors, path: string, rule: Obj, sides: Record<(typeof SIDES)[number], Entity | undefined>): void {
  let seen4 = false;
  let seen6 = false;
  for (const side of SIDES) {
    for (const field of NET_FIELDS) {
      const nets = itemsOf(sides[side]?.[field]);
      if (nets.length === 0) continue;
      const { v4, v6 } = checkNets(e, `${path}/${side}/${field}`, nets);
      if (rule.ipVersion !== undefined && ((v4 && rule.ipVersion !== 4) || (v6 && rule.ipVersion !== 6))) e.add(`${path}/${side}/${field}`, "rule IP version doesn't match CIDR version", 'validateRule');
      if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) e.add(`${path}/${side}/${field}`, 'rule contains both IPv4 and IPv6 CIDRs', 'validateRule');
      seen4 ||= v4;
      seen6 ||= v6;
    }
  }
}

/**
 * One nets or notNets list: each a strictly masked CIDR; which address families it holds. A
 * catch-all in notNets (`0.0.0.0/0`, `::/0`) is accepted: no release's validateRule nor the CRD's
 * CEL rules refuse it — the rule then matches nothing, as the simulator reads it.
 */
function checkNets(e: Errors, path: string, nets: readonly unknown[]): { v4: boolean; v6: boolean } {
  let v4 = false;
  let v6 = false;
  nets.forEach((n, k) => {
    const p = `${path}/${k}`;
    // cnet.ParseCIDR: a prefix length is required (a bare address is no CIDR here).
    const slash = typeof n === 'string' ? n.indexOf('/') : -1;
    const c = slash < 0 ? undefined : parseCidr(n as string);
    if (!c) {
      e.add(p, 'invalid CIDR', 'validateRule');
      return;
    }
    // Host bits set: the address as written is not the network's.
    if (parseIp((n as string).slice(0, slash))?.value !== c.base) e.add(p, `${n as string} is not a strictly masked network (host bits set)`, 'validateIPNetwork (the `net` tag of EntityRule.Nets)');
    if (c.family === 4) v4 = true;
    else v6 = true;
  });
  return { v4, v6 };
}

/** Destination service rules use the endpoints' ports; services only on the remote side, with a namespace in a global policy. */
function checkRuleServices(e: Errors, path: string, { source, destination }: Record<(typeof SIDES)[number], Entity | undefined>, direction: Direction, global: boolean): void {
  if (destination?.services !== undefined) {
    if (itemsOf(destination.ports).length > 0) e.add(`${path}/destination/ports`, 'cannot specify ports with a service selector', 'validateRule');
    if (itemsOf(destination.notPorts).length > 0) e.add(`${path}/destination/notPorts`, 'cannot specify notports with a service selector', 'validateRule');
  }
  // validateNetworkPolicySpec / validateGlobalNetworkPolicySpec.
  if (direction === 'egress' && source?.services !== undefined) e.add(`${path}/source/services`, 'not allowed in egress rule source', 'validateNetworkPolicySpec');
  if (direction === 'ingress' && destination?.services !== undefined) e.add(`${path}/destination/services`, 'not allowed in ingress rule destination', 'validateNetworkPolicySpec');
  if (global) {
    const svc = direction === 'egress' ? destination?.services : source?.services;
    if (isPlainObject(svc) && !svc.namespace) e.add(`${path}/${direction === 'egress' ? 'destination' : 'source'}/services/namespace`, 'must specify a namespace', 'validateGlobalNetworkPolicySpec');
  }
}

function checkPolicy(e: Errors, m: Obj, global: boolean): void {
  const md = isPlainObject(m.metadata) ? m.metadata : {};
  const name = typeof md.name === 'string' ? md.name : '';
  const fn = global ? 'validateGlobalNetworkPolicy' : 'validateNetworkPolicy';
  if (name.length > 253) e.add('/metadata/name', `name is too long by ${name.length - 253} bytes`, fn);
  if (!(global ? GNP_NAME : NP_NAME).test(name)) e.add('/metadata/name', "name must consist of lower case alphanumeric characters or '-'", fn);

  const spec = isPlainObject(m.spec) ? m.spec : {};
  checkSelector(e, '/spec', 'selector', spec.selector);
  checkSelector(e, '/spec', 'serviceAccountSelector', spec.serviceAccountSelector);
  if (global) checkSelector(e, '/spec', 'namespaceSelector', spec.namespaceSelector);
  // validateGlobalNetworkPolicy checks a GlobalNetworkPolicy's own namespaceSelector too (recent releases: the CRD's CEL rules).
  for (const f of global ? (['selector', 'serviceAccountSelector', 'namespaceSelector'] as const) : (['selector', 'serviceAccountSelector'] as const)) {
    if (typeof spec[f] === 'string' && (spec[f] as string).includes('global(')) e.add(`/spec/${f}`, 'global() can only be used in an EntityRule namespaceSelector', fn);
  }
  if (spec.order !== undefined && !(typeof spec.order === 'number' && Number.isFinite(spec.order))) e.add('/spec/order', 'order must be a number', 'PolicySpec.Order (float64)');
  // A blank tier is the default tier (lib/names TierOrDefault), as an absent one.
  if (spec.tier !== undefined && spec.tier !== '' && !(typeof spec.tier === 'string' && TIER_NAME.test(spec.tier))) e.add('/spec/tier', "tier must consist of lower case alphanumeric characters or '-'", 'validateTier (tierNameRegex)');
  const types = itemsOf(spec.types);
  const seen = new Set<unknown>();
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') e.add(`/spec/types/${i}`, 'type must be Ingress or Egress', 'PolicyType validation');
    if (seen.has(t)) e.add('/spec/types', `'${String(t)}' type specified more than once`, fn);
    seen.add(t);
  });
  if (global) {
    if (spec.doNotTrack && spec.preDNAT) e.add('/spec/preDNAT', 'PreDNAT and DoNotTrack cannot both be true, for a given PolicySpec', fn);
    if (spec.preDNAT && itemsOf(spec.egress).length > 0) e.add('/spec/egress', 'PreDNAT PolicySpec cannot have any Egress rules', fn);
    if (spec.preDNAT && types.includes('Egress')) e.add('/spec/types', "PreDNAT PolicySpec cannot have 'egress' Type", fn);
    if (!spec.applyOnForward && (spec.doNotTrack || spec.preDNAT)) e.add('/spec/applyOnForward', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec', fn);
  }
  for (const direction of ['ingress', 'egress'] as const) {
    itemsOf(spec[direction]).forEach((rule, i) => {
      if (isPlainObject(rule)) checkRule(e, `/spec/${direction}/${i}`, rule, direction, global);
    });
  }
}

function checkTier(e: Errors, m: Obj): void {
  const md = isPlainObject(m.metadata) ? m.metadata : {};
  const name = typeof md.name === 'string' ? md.name : '';
  if (name.length > 63) e.add('/metadata/name', `name is too long by ${name.length - 63} bytes`, 'validateTier');
  if (!TIER_NAME.test(name)) e.add('/metadata/name', "name must consist of lower case alphanumeric characters or '-'", 'validateTier');
  const spec = isPlainObject(m.spec) ? m.spec : {};
  if (spec.order !== undefined && !(typeof spec.order === 'number' && Number.isFinite(spec.order))) e.add('/spec/order', 'order must be a number', 'TierSpec.Order (float64)');
  if (spec.defaultAction !== undefined && spec.defaultAction !== 'Deny' && spec.defaultAction !== 'Pass') e.add('/spec/defaultAction', 'defaultAction must be Deny or Pass', 'TierSpec.DefaultAction validation');
  // projectcalico.org_tiers.yaml CEL rules: the built-in tiers keep their order and default action.
  const builtIn: Record<string, [number, 'Deny' | 'Pass']> = { default: [1_000_000, 'Deny'], 'kube-admin': [1000, 'Pass'], 'kube-baseline': [10_000_000, 'Pass'] };
  const fixed = Object.hasOwn(builtIn, name) ? builtIn[name] : undefined;
  if (fixed) {
    // The API server fills in the CRD's defaults before the CEL rules run: defaultAction is `+kubebuilder:default=Deny` (api tier.go).
    const defaultAction = spec.defaultAction ?? 'Deny';
    if (spec.order !== fixed[0]) e.add('/spec/order', `${name} tier order must be ${fixed[0]}`, 'Tier CRD x-kubernetes-validations');
    if (defaultAction !== fixed[1]) e.add('/spec/defaultAction', `The '${name}' tier must have default action '${fixed[1]}'`, 'Tier CRD x-kubernetes-validations');
  }
}

/**
 * validateGlobalNetworkSet / validateNetworkSet and the fields' tags: the name a DNS subdomain and
 * the labels Kubernetes labels (validateObjectMeta), not `projectcalico.org/namespace`, which only
 * felix's data model gives a set; `spec.nets` each a CIDR or an address, not strictly masked (the
 * `cidr` tag: validateCIDR, cnet.ParseCIDROrIP).
 */
function checkNetworkSet(e: Errors, m: Obj, kind: string): void {
  const fn = `validate${kind}`;
  const md = isPlainObject(m.metadata) ? m.metadata : {};
  const name = typeof md.name === 'string' ? md.name : '';
  const nameError = dns1123SubdomainError(name);
  if (nameError !== undefined) e.add('/metadata/name', `name ${nameError}`, 'validateObjectMeta');
  const labels = isPlainObject(md.labels) ? md.labels : {};
  for (const [k, v] of Object.entries(labels)) {
    const problem = labelKeyError(k) ?? (typeof v === 'string' ? labelValueError(v) : 'a label value must be a string');
    if (problem !== undefined) e.add(`/metadata/labels/${pointerToken(k)}`, problem, 'validateObjectMetaLabels');
    else if (k === CALICO_LABEL_NAMESPACE) e.add(`/metadata/labels/${pointerToken(k)}`, `${CALICO_LABEL_NAMESPACE} is not a valid label name`, fn);
  }
  const spec = isPlainObject(m.spec) ? m.spec : {};
  if (spec.nets !== undefined && spec.nets !== null && !Array.isArray(spec.nets)) e.add('/spec/nets', 'nets must be a list of CIDRs', `${kind}Spec.Nets ([]string)`);
  itemsOf(spec.nets).forEach((n, i) => {
    if (typeof n !== 'string' || parseCidrOrIp(n) === undefined) e.add(`/spec/nets/${i}`, 'invalid CIDR or IP address', `${kind}Spec.Nets (the cidr tag)`);
  });
}

/** The Calico admission errors of one manifest ([] for other kinds). */
export function admissionErrorsCalico(manifest: unknown): VerifyError[] {
  if (!isPlainObject(manifest) || manifest.apiVersion !== CALICO_API_VERSION) return [];
  const e = new Errors();
  switch (manifest.kind) {
    case 'NetworkPolicy':
      checkPolicy(e, manifest, false);
      break;
    case 'GlobalNetworkPolicy':
      checkPolicy(e, manifest, true);
      break;
    case 'Tier':
      checkTier(e, manifest);
      break;
    case 'GlobalNetworkSet':
    case 'NetworkSet':
      checkNetworkSet(e, manifest, manifest.kind);
      break;
  }
  return e.list;
}
