/**
 * Constructors for the policy IR. They reject what no engine could render (with the place and
 * the value in the message) and normalise what they accept: selectors canonical, peers, ports
 * and rules sorted and de-duplicated, so emitters can render in order.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { isLabelSelectorOperator } from '../../domain/label-selector.ts';
import type { WorkloadRef } from '../../domain/peer.ts';
import { cidrContains, formatCidr, hostCidr, isIpAddress, parseCidr } from '../../domain/ip.ts';
import { isIcmp, type IcmpProtocol } from '../../domain/flow.ts';
import {
  ECHO_PEER_KINDS,
  PORT_PROTOCOLS,
  POLICY_RULE_STATUSES,
  type ApiserverAddress,
  type Direction,
  type DirectionPolicy,
  type DnsResolver,
  type EchoRule,
  type Layer,
  type OwnNodeIngress,
  type PolicyIntent,
  type PolicyPeer,
  type PolicyRule,
  type PolicySet,
  type PolicySubject,
  type PortProtocol,
  type PortSpec,
  type RuleExplanation,
} from './ir.ts';
import { policyName } from './names.ts';
import { canonicalSelector, compareStrings, policyPeerKey, portKey, selectorIsEmpty, uniqueSortedBy } from './order.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';

/** An IR value that cannot be built; `path` says where (`intent monitoring/grafana: egress.rules[2].peers[0]`). */
export class PolicyError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PolicyError';
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FQDN = /^(\*\.)?([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\.?$/;

function checkNamespace(path: string, ns: string): string {
  if (!DNS1123_LABEL.test(ns) || ns.length > 63) {
    throw new PolicyError(path, `namespace "${ns}" is not a DNS-1123 label (lowercase alphanumerics and '-', ≤ 63 chars)`);
  }
  return ns;
}

function checkLabelKey(path: string, key: string): void {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  if (!LABEL_NAME.test(name) || name.length > 63 || (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix)))) {
    throw new PolicyError(path, `label key "${key}" is not a valid Kubernetes label key`);
  }
}

function checkLabelValue(path: string, value: string): void {
  if (!LABEL_VALUE.test(value) || value.length > 63) {
    throw new PolicyError(path, `label value "${value}" is not a valid Kubernetes label value`);
  }
}

export function selector(path: string, s: LabelSelector | undefined): LabelSelector {
  const c = canonicalSelector(s);
  for (const [k, v] of Object.entries(c.matchLabels ?? {})) {
    checkLabelKey(`${path}.matchLabels`, k);
    checkLabelValue(`${path}.matchLabels["${k}"]`, v);
  }
  (c.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    checkLabelKey(p, e.key);
    if (!isLabelSelectorOperator(e.operator)) {
      throw new PolicyError(p, `operator "${e.operator}" is not In, NotIn, Exists or DoesNotExist`);
    }
    if ((e.operator === 'In' || e.operator === 'NotIn') && (e.values ?? []).length === 0) {
      throw new PolicyError(p, `operator ${e.operator} needs at least one value`);
    }
    (e.values ?? []).forEach((v) => checkLabelValue(p, v));
  });
  return c;
}

// ---------------------------------------------------------------------------------------------
// Ports

function checkProtocol(path: string, protocol: string): PortProtocol {
  if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new PolicyError(path, `protocol "${protocol}" is not one of ${PORT_PROTOCOLS.join(', ')}`);
  }
  return protocol as PortProtocol;
}

function checkPortNumber(path: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new PolicyError(path, `port ${n} is not an integer in 1..65535`);
  return n;
}

export function port(protocol: PortProtocol, n: number): PortSpec {
  return { kind: 'number', protocol: checkProtocol('port', protocol), port: checkPortNumber('port', n) };
}
export const tcp = (n: number): PortSpec => port('TCP', n);
export const udp = (n: number): PortSpec => port('UDP', n);

/** A container port name as Kubernetes validates it (IANA_SVC_NAME): what a policy port may name. */
export function isPortName(name: string): boolean {
  return PORT_NAME.test(name) && name.length <= 15 && /[a-z]/.test(name);
}

export function namedPort(protocol: PortProtocol, name: string, numbers?: readonly number[]): PortSpec {
  if (!isPortName(name)) {
    throw new PolicyError('port', `named port "${name}" is not an IANA_SVC_NAME (≤ 15 lowercase alphanumerics and '-', one letter at least)`);
  }
  const spec: PortSpec = { kind: 'named', protocol: checkProtocol('port', protocol), name };
  if (numbers !== undefined && numbers.length > 0) spec.numbers = [...new Set(numbers.map((n) => checkPortNumber('named port number', n)))].sort((a, b) => a - b);
  return spec;
}

export function portRange(protocol: PortProtocol, start: number, end: number): PortSpec {
  checkPortNumber('port range start', start);
  checkPortNumber('port range end', end);
  if (start >= end) throw new PolicyError('port range', `start ${start} must be less than end ${end} (use a single port when equal)`);
  return { kind: 'range', protocol: checkProtocol('port', protocol), start, end };
}

export function allPorts(protocol: PortProtocol): PortSpec {
  return { kind: 'all', protocol: checkProtocol('port', protocol) };
}

/** What the cluster DNS listens on: UDP and TCP 53. */
export function dnsPorts(): PortSpec[] {
  return [udp(53), tcp(53)];
}

function checkPort(path: string, p: PortSpec): PortSpec {
  try {
    switch (p.kind) {
      case 'number':
        return port(p.protocol, p.port);
      case 'named':
        return namedPort(p.protocol, p.name, p.numbers);
      case 'range':
        return portRange(p.protocol, p.start, p.end);
      case 'all':
        return allPorts(p.protocol);
      default:
        throw new PolicyError('port', `unknown port kind "${(p as { kind: string }).kind}"`);
    }
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(`${path}: ${e.path}`, e.message.slice(e.path.length + 2));
    throw e;
  }
}

/**
 * What one `policySet` call has already checked: synthesis shares peer and port objects between
 * rules and workloads, and a value checks (and normalises) the same wherever it appears. Keyed
 * by input object within one call only, so a caller mutating its inputs between calls is safe.
 * A value that fails is never cached: its first occurrence throws, with that occurrence's path.
 */
interface Checked<T> {
  value: T;
  key: string;
}
interface CheckCache {
  peers: Map<PolicyPeer, Checked<PolicyPeer>>;
  /** One-peer lists by their peer object (see `checkedPeerList`). */
  peerLists: Map<PolicyPeer, CheckedPeers>;
  ports: Map<PortSpec, Checked<PortSpec>>;
  /** Port lists by their array (synthesis shares equal lists), one-port lists by their port object, longer lists by their key (see `checkedPortList`). */
  portArrays: Map<readonly PortSpec[], CheckedPorts>;
  portLists: Map<PortSpec, CheckedPorts>;
  portSets: Map<string, CheckedPorts>;
}

function newCache(): CheckCache {
  return { peers: new Map(), peerLists: new Map(), ports: new Map(), portArrays: new Map(), portLists: new Map(), portSets: new Map() };
}

function checkedPort(cache: CheckCache, path: string, i: number, p: PortSpec): Checked<PortSpec> {
  let c = cache.ports.get(p);
  if (c === undefined) {
    const value = checkPort(`${path}[${i}]`, p);
    cache.ports.set(p, (c = { value, key: portKey(value) }));
  }
  return c;
}

/** Sorted and de-duplicated; a protocol's `all` absorbs that protocol's other ports. */
export function normalizePorts(path: string, ports: readonly PortSpec[]): PortSpec[] {
  return normalizeChecked(newCache(), path, ports).map((c) => c.value);
}

function normalizeChecked(cache: CheckCache, path: string, ports: readonly PortSpec[]): Checked<PortSpec>[] {
  if (ports.length === 0) return [];
  if (ports.length === 1) return [checkedPort(cache, path, 0, ports[0]!)];
  const checked = ports.map((p, i) => checkedPort(cache, path, i, p));
  let allOf: Set<string> | undefined;
  for (const c of checked) if (c.value.kind === 'all') (allOf ??= new Set()).add(c.value.protocol);
  return uniqueSortedBy(
    allOf ? checked.filter((c) => c.value.kind === 'all' || !allOf.has(c.value.protocol)) : checked,
    (c) => c.key,
  );
}

/** A rule's ports checked and normalised, and their part of the rule's sort key. */
interface CheckedPorts {
  values: PortSpec[];
  key: string;
}

/**
 * `normalizeChecked` for a rule, once per list array: synthesis hands equal port sets over as
 * one shared array (synthesize/port-sets.ts). Most rules have one port: such a list is one array
 * per port object, shared by every rule on that port (IR values are never modified once built),
 * instead of two more arrays per rule that live as long as the PolicySet.
 */
function checkedPortList(cache: CheckCache, path: string, ports: readonly PortSpec[]): CheckedPorts {
  let l = cache.portArrays.get(ports);
  if (l === undefined) cache.portArrays.set(ports, (l = portListOf(cache, path, ports)));
  return l;
}

function portListOf(cache: CheckCache, path: string, ports: readonly PortSpec[]): CheckedPorts {
  if (ports.length === 1) {
    const p = ports[0]!;
    let l = cache.portLists.get(p);
    if (l === undefined) {
      const c = checkedPort(cache, path, 0, p);
      cache.portLists.set(p, (l = { values: [c.value], key: c.key }));
    }
    return l;
  }
  const checked = normalizeChecked(cache, path, ports);
  const key = checked.map((c) => c.key).join(';');
  // Equal lists share one array, as one-port lists do: engines render each list once.
  let l = cache.portSets.get(key);
  if (l === undefined) cache.portSets.set(key, (l = { values: checked.map((c) => c.value), key }));
  return l;
}

// ---------------------------------------------------------------------------------------------
// Peers

export function podsPeer(sel: LabelSelector, namespace?: string): PolicyPeer {
  return namespace === undefined ? { kind: 'pods', selector: sel } : { kind: 'pods', namespace, selector: sel };
}

/** Every pod of `namespace` (undefined: the subject's own namespace). */
export function namespacePeer(namespace?: string): PolicyPeer {
  return namespace === undefined ? { kind: 'namespace' } : { kind: 'namespace', namespace };
}

/** Pods matching `sel` in every namespace matching `namespaceSelector` ({} = all, today's and future ones). */
export function selectedNamespacesPeer(namespaceSelector: LabelSelector, sel: LabelSelector = {}): PolicyPeer {
  return { kind: 'selected-namespaces', namespaceSelector, selector: sel };
}

export const DEFAULT_DNS = { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } } } as const;

export function dnsPeer(namespace: string = DEFAULT_DNS.namespace, sel: LabelSelector = DEFAULT_DNS.selector, ports: readonly PortSpec[] = dnsPorts()): PolicyPeer {
  return { kind: 'dns', namespace, selector: sel, ports: [...ports] };
}

export function apiserverPeer(endpoints: readonly ApiserverAddress[]): PolicyPeer {
  return { kind: 'apiserver', endpoints: [...endpoints] };
}

export function nodesPeer(ips: readonly string[]): PolicyPeer {
  return { kind: 'nodes', ips: [...ips] };
}

export function cidrPeer(cidr: string, except: readonly string[] = [], podExcept: readonly string[] = []): PolicyPeer {
  return podExcept.length > 0 ? { kind: 'cidr', cidr, except: [...except], podExcept: [...podExcept] } : { kind: 'cidr', cidr, except: [...except] };
}

/** Every hole of a cidr peer, for an engine that matches pod addresses by block (PolicyPeer `podExcept`). */
export function allExcept(p: PolicyPeer & { kind: 'cidr' }): string[] {
  return p.podExcept === undefined ? p.except : [...new Set([...p.except, ...p.podExcept])].sort(compareStrings);
}

export function fqdnPeer(name: string, ips: readonly string[] = []): PolicyPeer {
  return { kind: 'fqdn', name, ips: [...ips] };
}

export function worldPeer(): PolicyPeer {
  return { kind: 'world' };
}

export function ciliumIngressPeer(): PolicyPeer {
  return { kind: 'cilium-ingress' };
}

function checkIps(path: string, ips: readonly string[]): string[] {
  ips.forEach((ip, i) => {
    if (!isIpAddress(ip)) throw new PolicyError(`${path}[${i}]`, `"${ip}" is not an IP address`);
  });
  return [...new Set(ips.map((ip) => hostCidr(ip).split('/')[0]!))].sort(compareStrings);
}

/** The peer checked and normalised as every rule's peers are (addresses canonical, lists sorted); throws a `PolicyError`. */
export function canonicalPeer(p: PolicyPeer): PolicyPeer {
  return checkPeer('peer', p);
}

function checkPeer(path: string, p: PolicyPeer): PolicyPeer {
  switch (p.kind) {
    case 'pods':
      return podsPeer(selector(`${path}.selector`, p.selector), p.namespace === undefined ? undefined : checkNamespace(`${path}.namespace`, p.namespace));
    case 'namespace':
      return namespacePeer(p.namespace === undefined ? undefined : checkNamespace(`${path}.namespace`, p.namespace));
    case 'dns':
      return dnsPeer(checkNamespace(`${path}.namespace`, p.namespace), selector(`${path}.selector`, p.selector), p.ports.map((x, i) => checkPort(`${path}.ports[${i}]`, x)));
    case 'apiserver': {
      const eps = p.endpoints.map((e, i) => {
        const ep = `${path}.endpoints[${i}]`;
        if (!isIpAddress(e.ip)) throw new PolicyError(ep, `"${e.ip}" is not an IP address`);
        return { ip: hostCidr(e.ip).split('/')[0]!, port: checkPortNumber(`${ep}.port`, e.port), protocol: checkProtocol(`${ep}.protocol`, e.protocol) };
      });
      return apiserverPeer(uniqueSortedBy(eps, (e) => `${e.ip}|${String(e.port).padStart(5, '0')}|${e.protocol}`));
    }
    case 'nodes':
      return nodesPeer(checkIps(`${path}.ips`, p.ips));
    case 'cidr': {
      const outer = parseCidr(p.cidr);
      if (!outer) throw new PolicyError(`${path}.cidr`, `"${p.cidr}" is not a CIDR (a.b.c.d/n or x::/n)`);
      const holes = (field: 'except' | 'podExcept', list: readonly string[]): string[] => {
        const checked = list.map((e, i) => {
          const c = parseCidr(e);
          if (!c) throw new PolicyError(`${path}.${field}[${i}]`, `"${e}" is not a CIDR`);
          if (!cidrContains(outer, c) || c.prefix === outer.prefix) {
            throw new PolicyError(`${path}.${field}[${i}]`, `"${e}" is not strictly inside ${p.cidr}`);
          }
          return formatCidr(c);
        });
        return [...new Set(checked)].sort(compareStrings);
      };
      return cidrPeer(formatCidr(outer), holes('except', p.except), holes('podExcept', p.podExcept ?? []));
    }
    case 'fqdn': {
      const name = canonicalDnsName(p.name);
      if (!FQDN.test(name) || name.length > 253) throw new PolicyError(`${path}.name`, `"${p.name}" is not a DNS name (a leading "*." is allowed)`);
      return fqdnPeer(name, checkIps(`${path}.ips`, p.ips));
    }
    case 'world':
      return worldPeer();
    case 'cilium-ingress':
      return ciliumIngressPeer();
    case 'selected-namespaces':
      return selectedNamespacesPeer(selector(`${path}.namespaceSelector`, p.namespaceSelector), selector(`${path}.selector`, p.selector));
    default:
      throw new PolicyError(path, `unknown peer kind "${(p as { kind: string }).kind}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Rules, directions, intents

export function explanation(id: string, status: RuleExplanation['status'], text: string): RuleExplanation {
  return { id, status, text };
}

function checkExplanation(path: string, e: RuleExplanation | undefined): RuleExplanation {
  if (!e || !e.id) throw new PolicyError(path, 'every rule needs an explanation with a non-empty id (matrix rule or edge ids)');
  if (!(POLICY_RULE_STATUSES as readonly string[]).includes(e.status)) {
    throw new PolicyError(`${path}.status`, `"${e.status}" is not one of ${POLICY_RULE_STATUSES.join(', ')}`);
  }
  return { id: e.id, status: e.status, text: normalizedText(e.text) };
}

/** Whitespace runs as one space, none at the ends. Most texts are so already: testing is cheaper than rebuilding them. */
function normalizedText(text: string): string {
  return /[^\S ]| {2}|^ | $/.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

export interface RuleInput {
  peers: readonly PolicyPeer[];
  ports?: readonly PortSpec[];
  explanation: RuleExplanation;
}

/** An ICMP echo rule (ir.ts EchoRule) as synthesis makes it. */
export interface EchoRuleInput {
  protocol: IcmpProtocol;
  peers: readonly PolicyPeer[];
  seen: readonly string[];
  explanation: RuleExplanation;
}

export type DirectionInput =
  | { mode: 'none' }
  | { mode: 'deny-all'; explanation: RuleExplanation }
  | { mode: 'allow-all'; ports?: readonly PortSpec[]; explanation: RuleExplanation }
  | { mode: 'rules'; rules: readonly RuleInput[]; echo?: readonly EchoRuleInput[] };

export interface IntentInput {
  key: string;
  namespace?: string;
  layer: Layer;
  subject: PolicySubject;
  ingress?: DirectionInput;
  egress?: DirectionInput;
  explanation: string;
  dnsResolver?: DnsResolver;
  ownNode?: OwnNodeIngress;
}

function checkedPeer(cache: CheckCache, path: string, i: number, p: PolicyPeer): Checked<PolicyPeer> {
  let c = cache.peers.get(p);
  if (c === undefined) {
    const value = checkPeer(`${path}.peers[${i}]`, p);
    cache.peers.set(p, (c = { value, key: policyPeerKey(value) }));
  }
  return c;
}

/** A rule's peers checked, sorted and de-duplicated, and their part of the rule's sort key. */
interface CheckedPeers {
  values: PolicyPeer[];
  key: string;
}

/**
 * A rule's peers checked, sorted and de-duplicated. A rule of one peer (most of them) gets one
 * array per peer object, shared by every rule of that peer alone, as one-port lists are.
 */
function checkedPeerList(cache: CheckCache, path: string, peers: readonly PolicyPeer[]): CheckedPeers {
  if (peers.length === 1) {
    const p = peers[0]!;
    let l = cache.peerLists.get(p);
    if (l === undefined) {
      const c = checkedPeer(cache, path, 0, p);
      cache.peerLists.set(p, (l = { values: [c.value], key: c.key }));
    }
    return l;
  }
  // Sorted stably by key, the first of equal keys kept.
  const checked = peers.map((p, i) => checkedPeer(cache, path, i, p)).sort((a, b) => compareStrings(a.key, b.key));
  const values: PolicyPeer[] = [];
  let key = '';
  for (let i = 0; i < checked.length; i++) {
    if (i > 0 && checked[i]!.key === checked[i - 1]!.key) continue;
    values.push(checked[i]!.value);
    key = values.length === 1 ? checked[i]!.key : `${key};${checked[i]!.key}`;
  }
  return { values, key };
}

function checkRule(cache: CheckCache, path: string, direction: Direction, clusterWide: boolean, r: RuleInput): KeyedRule {
  if (r.peers.length === 0) {
    throw new PolicyError(`${path}.peers`, 'a rule needs at least one peer (use allow-all for "from/to anywhere")');
  }
  const peers = checkedPeerList(cache, path, r.peers);
  const ports = checkedPortList(cache, `${path}.ports`, r.ports ?? []);
  checkPlacement(path, direction, clusterWide, peers.values, ports.values);
  const e = checkExplanation(`${path}.explanation`, r.explanation);
  return { value: { peers: peers.values, ports: ports.values, explanation: e }, key: [peers.key, ports.key, e.id, e.status, e.text].join('#') };
}

/** What a rule's direction and its intent's scope allow of its (checked) peers and ports. */
function checkPlacement(path: string, direction: Direction, clusterWide: boolean, peers: readonly PolicyPeer[], ports: readonly PortSpec[]): void {
  for (let i = 0; i < peers.length; i++) {
    const p = peers[i]!;
    if (p.kind === 'fqdn' && direction === 'ingress') throw new PolicyError(`${path}.peers[${i}]`, `FQDN peer "${p.name}" is only meaningful in egress rules`);
    if (clusterWide && (p.kind === 'pods' || p.kind === 'namespace') && p.namespace === undefined) {
      throw new PolicyError(`${path}.peers[${i}]`, 'a cluster-wide intent has no "own namespace": name the peer\'s namespace');
    }
    if (p.kind === 'apiserver' && direction === 'egress') {
      if (peers.length > 1) throw new PolicyError(`${path}.peers[${i}]`, 'put the apiserver in an egress rule of its own: it is rendered on its endpoint ports, not the rule ports');
      if (ports.length > 0) {
        throw new PolicyError(`${path}.ports`, 'an egress rule to the apiserver takes no ports: it is reached on its endpoint ports (e.g. 6443), not the Service port 443');
      }
    }
  }
}

/** An echo rule's protocol and peers checked (peers of the kinds an echo rule can name), sorted and de-duplicated. */
function checkEchoRule(cache: CheckCache, path: string, direction: Direction, clusterWide: boolean, r: EchoRuleInput): { value: EchoRule; key: string } {
  if (!isIcmp(r.protocol)) throw new PolicyError(`${path}.protocol`, `"${String(r.protocol)}" is not ICMP or ICMPv6`);
  if (r.peers.length === 0) throw new PolicyError(`${path}.peers`, 'an echo rule needs at least one peer');
  const peers = checkedPeerList(cache, path, r.peers);
  checkPlacement(path, direction, clusterWide, peers.values, []);
  peers.values.forEach((p, i) => {
    if (!ECHO_PEER_KINDS.has(p.kind)) throw new PolicyError(`${path}.peers[${i}]`, `an echo rule cannot name a peer of kind ${p.kind}`);
  });
  const e = checkExplanation(`${path}.explanation`, r.explanation);
  const seen = [...new Set(r.seen)].sort(compareStrings);
  return { value: { protocol: r.protocol, peers: peers.values, seen, explanation: e }, key: [r.protocol, peers.key, e.id, e.status, e.text].join('#') };
}

/**
 * A checked rule with its sort key `ruleKey(value)` (policy/order.ts), put together from the
 * peer and port keys already computed.
 */
interface KeyedRule {
  value: PolicyRule;
  key: string;
}

/** Sorted by key (stably) and de-duplicated, the first of equal keys kept. */
function sortRules<R>(rules: { value: R; key: string }[]): R[] {
  rules.sort((a, b) => compareStrings(a.key, b.key));
  const out: R[] = [];
  for (let i = 0; i < rules.length; i++) if (i === 0 || rules[i]!.key !== rules[i - 1]!.key) out.push(rules[i]!.value);
  return out;
}

function checkDirection(cache: CheckCache, path: string, direction: Direction, clusterWide: boolean, d: DirectionInput | undefined): DirectionPolicy {
  if (!d || d.mode === 'none') return { mode: 'none' };
  switch (d.mode) {
    case 'deny-all':
      return { mode: 'deny-all', explanation: checkExplanation(`${path}.explanation`, d.explanation) };
    case 'allow-all':
      return { mode: 'allow-all', ports: normalizeChecked(cache, `${path}.ports`, d.ports ?? []).map((c) => c.value), explanation: checkExplanation(`${path}.explanation`, d.explanation) };
    case 'rules': {
      const echo = d.echo ?? [];
      if (d.rules.length === 0 && echo.length === 0) throw new PolicyError(`${path}.rules`, 'no rules: say deny-all explicitly when nothing is allowed');
      const rules = sortRules(d.rules.map((r, i) => checkRule(cache, `${path}.rules[${i}]`, direction, clusterWide, r)));
      if (echo.length === 0) return { mode: 'rules', rules };
      return { mode: 'rules', rules, echo: sortRules(echo.map((r, i) => checkEchoRule(cache, `${path}.echo[${i}]`, direction, clusterWide, r))) };
    }
    default:
      throw new PolicyError(path, `unknown mode "${(d as { mode: string }).mode}" (none, deny-all, allow-all, rules)`);
  }
}

function checkSubject(path: string, s: PolicySubject): PolicySubject {
  switch (s.kind) {
    case 'workload': {
      const sel = selector(`${path}.selector`, s.selector);
      if (selectorIsEmpty(sel)) throw new PolicyError(`${path}.selector`, 'a workload subject needs a non-empty selector (use a namespace subject for all pods)');
      const out: PolicySubject = { kind: 'workload', selector: sel, hostNetwork: s.hostNetwork };
      if (s.workload) out.workload = { ...s.workload } as WorkloadRef;
      return out;
    }
    case 'namespace':
      return { kind: 'namespace' };
    case 'namespaces': {
      if (s.namespaces.length === 0) throw new PolicyError(`${path}.namespaces`, 'a cluster-wide subject needs at least one namespace');
      s.namespaces.forEach((n, i) => checkNamespace(`${path}.namespaces[${i}]`, n));
      return { kind: 'namespaces', namespaces: [...new Set(s.namespaces)].sort(compareStrings), selector: selector(`${path}.selector`, s.selector) };
    }
    default:
      throw new PolicyError(path, `unknown subject kind "${(s as { kind: string }).kind}"`);
  }
}

export function intent(input: IntentInput): PolicyIntent {
  return buildIntent(newCache(), input);
}

function buildIntent(cache: CheckCache, input: IntentInput): PolicyIntent {
  const path = `intent ${input.key || '(no key)'}`;
  if (!input.key || input.key.trim() !== input.key) throw new PolicyError(path, 'key must be non-empty without surrounding spaces');
  const subject = checkSubject(`${path}: subject`, input.subject);
  const clusterWide = subject.kind === 'namespaces';
  if (clusterWide && input.namespace !== undefined) {
    throw new PolicyError(`${path}: namespace`, 'a cluster-wide (namespaces) subject takes no namespace');
  }
  if (!clusterWide && input.namespace === undefined) {
    throw new PolicyError(`${path}: namespace`, `a ${subject.kind} subject needs the intent's namespace`);
  }
  const ingress = checkDirection(cache, `${path}: ingress`, 'ingress', clusterWide, input.ingress);
  const egress = checkDirection(cache, `${path}: egress`, 'egress', clusterWide, input.egress);
  if (ingress.mode === 'none' && egress.mode === 'none') {
    throw new PolicyError(path, 'restricts neither ingress nor egress: an intent must say something about one direction');
  }
  if (input.layer === 'default-deny') {
    if (subject.kind === 'workload') throw new PolicyError(`${path}: subject`, 'the default-deny layer applies to a namespace, not a workload');
    for (const [dir, d] of [['ingress', ingress], ['egress', egress]] as const) {
      if (d.mode !== 'none' && d.mode !== 'deny-all') throw new PolicyError(`${path}: ${dir}`, `the default-deny layer only denies (got ${d.mode})`);
    }
  }
  if (input.layer === 'allowlist' && subject.kind === 'namespaces') {
    throw new PolicyError(`${path}: subject`, 'an allowlist is for one workload or namespace; cluster-wide rules belong in the shared layer');
  }
  const out: PolicyIntent = {
    key: input.key,
    layer: input.layer,
    subject,
    ingress,
    egress,
    explanation: input.explanation.replace(/\s+/g, ' ').trim(),
  };
  if (input.namespace !== undefined) out.namespace = checkNamespace(`${path}: namespace`, input.namespace);
  if (input.dnsResolver !== undefined) out.dnsResolver = checkResolver(`${path}: dnsResolver`, input.dnsResolver);
  if (input.ownNode !== undefined) out.ownNode = checkOwnNode(`${path}: ownNode`, input.ownNode, subject);
  return out;
}

function checkOwnNode(path: string, o: OwnNodeIngress, subject: PolicySubject): OwnNodeIngress {
  if (subject.kind !== 'workload') throw new PolicyError(path, `what reached a workload's pods from their own node (got a ${subject.kind} subject)`);
  const nodes = checkPeer(`${path}.nodes`, o.nodes);
  if (nodes.kind !== 'nodes') throw new PolicyError(`${path}.nodes`, `a nodes peer (got ${nodes.kind})`);
  if (o.ports.length === 0) throw new PolicyError(`${path}.ports`, 'at least one port');
  return { nodes, ports: normalizePorts(`${path}.ports`, o.ports), explanation: checkExplanation(`${path}.explanation`, o.explanation) };
}

function checkResolver(path: string, r: DnsResolver): DnsResolver {
  if (r.peers.length === 0) throw new PolicyError(`${path}.peers`, 'the cluster DNS is at least one peer');
  const peers = r.peers.map((p, i) => {
    const peer = checkPeer(`${path}.peers[${i}]`, p);
    if (peer.kind !== 'dns' && peer.kind !== 'nodes') throw new PolicyError(`${path}.peers[${i}]`, `the cluster DNS is a dns or nodes peer (got ${peer.kind})`);
    return peer;
  });
  if (r.ports.length === 0) throw new PolicyError(`${path}.ports`, 'the cluster DNS answers on at least one port');
  return { peers, ports: r.ports.map((x, i) => checkPort(`${path}.ports[${i}]`, x)) };
}

/** Validates every intent, rejects duplicate keys and name clashes, sorts by key. */
export function policySet(intents: readonly (IntentInput | PolicyIntent)[]): PolicySet {
  const cache = newCache();
  const built = intents.map((i) => buildIntent(cache, i));
  const byKey = new Map<string, PolicyIntent>();
  const byName = new Map<string, string>();
  for (const i of built) {
    if (byKey.has(i.key)) throw new PolicyError(`intent ${i.key}`, 'duplicate key');
    byKey.set(i.key, i);
    const scoped = `${i.namespace ?? ''}/${policyName(i.key)}`;
    const other = byName.get(scoped);
    if (other !== undefined) throw new PolicyError(`intent ${i.key}`, `its name "${policyName(i.key)}" clashes with intent ${other}: make the keys differ in letters or digits`);
    byName.set(scoped, i.key);
  }
  return { intents: [...byKey.values()].sort((a, b) => compareStrings(a.key, b.key)) };
}
