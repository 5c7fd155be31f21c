/**
 * ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
 * (v1alpha1) compiled into one form: a tier, a priority, a subject and ordered rules whose
 * action is Accept, Deny or Pass (v1alpha1's Allow is v1alpha2's Accept).
 */
import type { LabelSelector } from '../../../domain/inventory.ts';
import {
  isAdminNetworkPolicy,
  isBaselineAdminNetworkPolicy,
  isClusterNetworkPolicy,
  type AnpPort,
  type CnpAction,
  type CnpProtocol,
  type CnpSubject,
  type CnpTier,
} from '../../engines/wire/clusternetworkpolicy.ts';
import { compileCidr, type CompiledCidr } from '../kubernetes/cidr-match.ts';
import { policyRef } from '../kubernetes/cluster-view.ts';
import type { Direction } from '../../../domain/direction.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';
import { canonicalDnsName } from '../../../domain/dns-name.ts';

export type { Direction };

export type CompiledSubject = { namespaces: LabelSelector } | { namespaceSelector: LabelSelector; podSelector: LabelSelector } | { none: true };

export type CompiledPeer =
  | { kind: 'namespaces'; selector: LabelSelector }
  | { kind: 'pods'; namespaceSelector: LabelSelector; podSelector: LabelSelector }
  | { kind: 'nodes'; selector: LabelSelector }
  /** `everyAddress`: the networks hold every IPv4 and every IPv6 address (0.0.0.0/0 and ::/0). */
  | { kind: 'networks'; cidrs: CompiledCidr[]; everyAddress: boolean }
  | { kind: 'domainNames'; names: string[] }
  /** No field this simulator knows: the API says "fail closed". */
  | { kind: 'unknown' };

export type CompiledPort = { kind: 'range'; protocol: string; start: number; end: number } | { kind: 'named'; name: string; protocol?: string } | { kind: 'unknown' };

export interface CompiledRule {
  pointer: string;
  name?: string;
  action: CnpAction;
  peers: CompiledPeer[];
  /** undefined = every port and protocol. */
  ports?: CompiledPort[];
}

export interface TierPolicy {
  ref: string;
  /** The wire kind (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) and metadata.name. */
  kind: string;
  name: string;
  tier: CnpTier;
  /** Lower first. The BaselineAdminNetworkPolicy, which has none, comes after every Baseline ClusterNetworkPolicy. */
  priority: number;
  subject: CompiledSubject;
  rules: Record<Direction, CompiledRule[]>;
}

type Obj = Record<string, unknown>;
const asSelector = (x: unknown): LabelSelector => (isPlainObject(x) ? (x as LabelSelector) : {});

function compileSubject(s: CnpSubject | undefined): CompiledSubject {
  if (s?.namespaces) return { namespaces: asSelector(s.namespaces) };
  if (s?.pods) return { namespaceSelector: asSelector(s.pods.namespaceSelector), podSelector: asSelector(s.pods.podSelector) };
  return { none: true };
}

/**
 * A peer. Besides the v1alpha1 GA / v1alpha2 shapes, reads the pre-GA v1alpha1
 * `namespaces: {namespaceSelector: …}` (still in the policy-assistant demos); its
 * sameLabels / notSameLabels / notSelf are not modelled and fail closed.
 */
function compilePeer(p: unknown): CompiledPeer {
  if (!isPlainObject(p)) return { kind: 'unknown' };
  if (p.namespaces !== undefined) {
    const ns = asSelector(p.namespaces) as Obj;
    if ('namespaceSelector' in ns) return { kind: 'namespaces', selector: asSelector(ns.namespaceSelector) };
    if ('sameLabels' in ns || 'notSameLabels' in ns || 'notSelf' in ns) return { kind: 'unknown' };
    return { kind: 'namespaces', selector: ns as LabelSelector };
  }
  if (isPlainObject(p.pods)) return { kind: 'pods', namespaceSelector: asSelector(p.pods.namespaceSelector), podSelector: asSelector(p.pods.podSelector) };
  if (p.nodes !== undefined) return { kind: 'nodes', selector: asSelector(p.nodes) };
  if (Array.isArray(p.networks)) {
    const cidrs = p.networks.map((c) => compileCidr(String(c)));
    const whole = (kind: 'ipv4' | 'ipv6'): boolean => cidrs.some((c) => c.range !== undefined && c.range[1] === 0 && c.range[0].kind() === kind);
    return { kind: 'networks', cidrs, everyAddress: whole('ipv4') && whole('ipv6') };
  }
  if (Array.isArray(p.domainNames)) return { kind: 'domainNames', names: p.domainNames.map((d) => canonicalDnsName(String(d))) };
  return { kind: 'unknown' };
}

const UNKNOWN_PORT: CompiledPort = { kind: 'unknown' };

function compileCnpProtocol(p: CnpProtocol): CompiledPort {
  if (p.destinationNamedPort !== undefined) return { kind: 'named', name: p.destinationNamedPort };
  for (const [key, protocol] of [['tcp', 'TCP'], ['udp', 'UDP'], ['sctp', 'SCTP']] as const) {
    const l4 = p[key];
    if (!isPlainObject(l4)) continue;
    const dp = isPlainObject(l4.destinationPort) ? (l4.destinationPort as { number?: number; range?: { start: number; end: number } }) : undefined;
    if (dp?.number !== undefined) return { kind: 'range', protocol, start: dp.number, end: dp.number };
    if (dp?.range) return { kind: 'range', protocol, start: dp.range.start, end: dp.range.end };
    return { kind: 'range', protocol, start: 1, end: 65535 };
  }
  return { kind: 'unknown' };
}

function compileAnpPort(p: AnpPort): CompiledPort {
  if (p.portNumber) return { kind: 'range', protocol: p.portNumber.protocol ?? 'TCP', start: p.portNumber.port, end: p.portNumber.port };
  if (p.portRange) return { kind: 'range', protocol: p.portRange.protocol ?? 'TCP', start: p.portRange.start, end: p.portRange.end };
  if (p.namedPort !== undefined) return { kind: 'named', name: p.namedPort };
  return { kind: 'unknown' };
}

/**
 * Compiled peers and ports by the wire object they come from. Why: emitters share one object
 * for a peer (or port) that many rules name (each workload a policy allows, in every rule
 * allowing it); compiled once, the rules share the compiled object too, and what is built from
 * it later (rules.ts interns peers) is built once. Compiled objects are never changed.
 */
interface CompileMemo {
  peers: Map<unknown, CompiledPeer>;
  ports: Map<unknown, CompiledPort>;
  anpPorts: Map<unknown, CompiledPort>;
}

function memoized<T>(memo: Map<unknown, T>, wire: unknown, compile: (w: unknown) => T): T {
  let c = memo.get(wire);
  if (c === undefined) memo.set(wire, (c = compile(wire)));
  return c;
}

function compileRules(spec: Obj, direction: Direction, v1alpha1: boolean, memo: CompileMemo): CompiledRule[] {
  const list = Array.isArray(spec[direction]) ? (spec[direction] as unknown[]) : [];
  const compilePort = (p: unknown): CompiledPort => (!isPlainObject(p) ? UNKNOWN_PORT : v1alpha1 ? compileAnpPort(p as AnpPort) : compileCnpProtocol(p as CnpProtocol));
  return list.map((entry, i) => {
    const r: Obj = isPlainObject(entry) ? entry : {};
    const peers = (direction === 'ingress' ? r.from : r.to) as unknown[] | undefined;
    const action = r.action === 'Allow' ? 'Accept' : (r.action as CnpAction);
    const out: CompiledRule = { pointer: `/spec/${direction}/${i}`, action, peers: (Array.isArray(peers) ? peers : []).map((p) => memoized(memo.peers, p, compilePeer)) };
    if (typeof r.name === 'string') out.name = r.name;
    const portList = v1alpha1 ? r.ports : r.protocols;
    // v1alpha1 and v1alpha2 ports differ: a wire object is compiled by its own version's rules only.
    const ports = Array.isArray(portList) ? portList.map((p) => (isPlainObject(p) ? memoized(v1alpha1 ? memo.anpPorts : memo.ports, p, compilePort) : UNKNOWN_PORT)) : undefined;
    if (ports && ports.length > 0) out.ports = ports;
    return out;
  });
}

/** The cluster-scoped policies among `policies`, compiled; other kinds (and objects the apiserver would refuse for want of a tier) are ignored. */
export function compileTierPolicies(policies: readonly unknown[]): TierPolicy[] {
  const out: TierPolicy[] = [];
  const memo: CompileMemo = { peers: new Map(), ports: new Map(), anpPorts: new Map() };
  const add = (kind: string, m: { metadata?: { name?: string }; spec?: unknown }, tier: unknown, priority: number, v1alpha1: boolean): void => {
    if (tier !== 'Admin' && tier !== 'Baseline') return;
    const spec = isPlainObject(m.spec) ? m.spec : {};
    const name = m.metadata?.name ?? '';
    out.push({
      ref: policyRef(kind, name),
      kind,
      name,
      tier,
      priority,
      subject: compileSubject(isPlainObject(spec.subject) ? (spec.subject as CnpSubject) : undefined),
      rules: { ingress: compileRules(spec, 'ingress', v1alpha1, memo), egress: compileRules(spec, 'egress', v1alpha1, memo) },
    });
  };
  const priorityOf = (m: { spec?: { priority?: unknown } }): number => (typeof m.spec?.priority === 'number' ? m.spec.priority : 0);
  for (const m of policies) {
    if (isClusterNetworkPolicy(m)) add('ClusterNetworkPolicy', m, m.spec?.tier, priorityOf(m), false);
    else if (isAdminNetworkPolicy(m)) add('AdminNetworkPolicy', m, 'Admin', priorityOf(m), true);
    else if (isBaselineAdminNetworkPolicy(m)) add('BaselineAdminNetworkPolicy', m, 'Baseline', 1001, true);
  }
  // Equal priorities are the implementation's choice (API: "can apply any of the matching
  // policies"); the name decides here, so the verdict is the same whatever the input order.
  return out.sort((a, b) => a.priority - b.priority || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

/**
 * The policies with `f` applied to each label selector of their subjects and peers, for an
 * engine that reads some selectors otherwise than as written. A policy or peer whose selectors
 * `f` returns unchanged stays the same object, and a peer object rules share (CompileMemo) maps to
 * one shared object.
 */
export function mapSelectors(policies: readonly TierPolicy[], f: (s: LabelSelector) => LabelSelector): TierPolicy[] {
  const peers = new Map<unknown, CompiledPeer>();
  const mapRule = (r: CompiledRule): CompiledRule => {
    const mapped = r.peers.map((peer) => memoized(peers, peer, () => peerWithSelectors(peer, f)));
    return sameItems(mapped, r.peers) ? r : { ...r, peers: mapped };
  };
  return policies.map((p) => {
    const subject = subjectWithSelectors(p.subject, f);
    const ingress = p.rules.ingress.map(mapRule);
    const egress = p.rules.egress.map(mapRule);
    const same = subject === p.subject && sameItems(ingress, p.rules.ingress) && sameItems(egress, p.rules.egress);
    return same ? p : { ...p, subject, rules: { ingress, egress } };
  });
}

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean => a.every((x, i) => x === b[i]);

function subjectWithSelectors(s: CompiledSubject, f: (s: LabelSelector) => LabelSelector): CompiledSubject {
  if ('namespaces' in s) {
    const namespaces = f(s.namespaces);
    return namespaces === s.namespaces ? s : { namespaces };
  }
  if (!('podSelector' in s)) return s;
  const namespaceSelector = f(s.namespaceSelector);
  const podSelector = f(s.podSelector);
  return namespaceSelector === s.namespaceSelector && podSelector === s.podSelector ? s : { namespaceSelector, podSelector };
}

function peerWithSelectors(p: CompiledPeer, f: (s: LabelSelector) => LabelSelector): CompiledPeer {
  if (p.kind === 'namespaces' || p.kind === 'nodes') {
    const selector = f(p.selector);
    return selector === p.selector ? p : { ...p, selector };
  }
  if (p.kind !== 'pods') return p;
  const namespaceSelector = f(p.namespaceSelector);
  const podSelector = f(p.podSelector);
  return namespaceSelector === p.namespaceSelector && podSelector === p.podSelector ? p : { ...p, namespaceSelector, podSelector };
}
