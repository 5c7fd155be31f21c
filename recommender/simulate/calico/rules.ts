/**
 * Calico rule matching, compiled once per rule. A rule matches when every field it sets
 * matches (docs: reference/resources/networkpolicy "Rule" and "EntityRule"); the
 * source entity is checked against the client, the destination entity against the server,
 * whatever the direction. An entity's selector, namespaceSelector and serviceAccounts are the one
 * selector felix evaluates (calico/v1-selectors.ts entityRuleSelector, built once per peer by
 * calico/entity-selectors.ts: in a namespaced policy, as soon as selector, notSelector or
 * serviceAccounts is set the peer must be in the policy's namespace unless namespaceSelector is
 * given; `nets` alone are not scoped); it and `notSelector`
 * match an end by the labels of the endpoints and network sets at its address (selectedAt).
 *
 * Source ports are matched against the client's port when the flow says it (a flow record's);
 * an aggregated edge does not keep it, and then a rule conditioned on it is decided the safe way:
 * a Deny matches, any other action does not. ICMP (an echo request: IcmpFlow) is protocol 1 or 58
 * and has no port: `icmp` and `notICMP` match its type and code (a field left out matches any),
 * a rule with ports never matches it (ports need TCP, UDP or SCTP: libcalico-go validateRule,
 * protocolPortsMsg), nor `destination.services` (the Service's endpoint ports), and a rule with no
 * protocol matches it like any protocol. Not modelled: `http` (felix enforces the L3/L4 part,
 * matched here, Dikastes the rest: calico/http-match.ts says so); `notICMP` on a packet that is not
 * ICMP (it is left out there; calico/not-icmp.ts says so).
 */
import type { CalicoAction, CalicoEntityRule, CalicoIcmpFields, CalicoPort, CalicoProtocol, CalicoRule } from '../../engines/wire/calico.ts';
import { cidrContains, hostCidr, parseCidr, type Cidr } from '../../../domain/ip.ts';
import type { IcmpFlow, PortFlow, SideVerdict, SimFlow, SimProtocol } from '../types.ts';
import type { PortSpan } from '../port-buckets.ts';
import type { EndpointView } from './endpoints.ts';
import { parseSelector, type Selector } from './selector.ts';
import type { ServiceIndex } from './services.ts';
import { memoByText } from '../../text-memo.ts';
import type { EntitySelectors } from './entity-selectors.ts';

export interface MatchContext {
  flow: SimFlow;
  family: 4 | 6;
  client: EndpointView;
  server: EndpointView;
}

export type Match = (c: MatchContext) => boolean;

export interface CompiledRule {
  action: CalicoAction;
  /** JSON pointer of the rule in its manifest. */
  pointer: string;
  match(c: MatchContext): boolean;
  /**
   * The (protocol, destination port) spans outside which `match` never holds; undefined when any
   * port can match (no destination.ports, a named port, which the destination endpoint resolves).
   * Lets the simulator scan only the rules that can match a flow's port (../port-buckets.ts).
   */
  portSpans?(): PortSpan[] | undefined;
  /** The verdict of an Allow or Deny rule, made by the simulator the first time the rule decides (it is the same every time). */
  verdict?: SideVerdict;
}

/** A port of numorstring.Port: a number or an inclusive range, or a named port of the destination endpoint. */
type PortSpec = { lo: number; hi: number; name?: undefined } | { name: string };

/** The port of a numorstring.Port that needs no endpoint to be known; undefined for a named port. */
function numericPort(p: CalicoPort): { lo: number; hi: number } | undefined {
  if (typeof p === 'number') return { lo: p, hi: p };
  const range = /^(\d+):(\d+)$/.exec(p);
  if (range) return { lo: Number(range[1]), hi: Number(range[2]) };
  if (/^\d+$/.test(p)) {
    const n = Number(p);
    return { lo: n, hi: n };
  }
  return undefined;
}

function portSpec(p: CalicoPort): PortSpec {
  return numericPort(p) ?? { name: p as string };
}

/** Whether `port` (of `protocol`, on `server`) is one of `ports`; a named port matches that workload's container port of that name and protocol. */
function anyPortMatches(ports: readonly PortSpec[], port: number, protocol: SimProtocol, server: EndpointView): boolean {
  for (const p of ports) {
    if (p.name === undefined) {
      if (port >= p.lo && port <= p.hi) return true;
    } else if (server.workload && (server.pod?.ports ?? []).some((cp) => cp.name === p.name && cp.protocol === protocol && cp.port === port)) return true;
  }
  return false;
}

export const PROTOCOL_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, udplite: 136 };
const FLOW_PROTOCOL: Record<SimFlow['protocol'], number> = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58 };

/** Protocol names as written (`TCP`, `tcp`, …) → number: every rule names one, and there are few. */
const protocolByName = new Map<string, number | undefined>();

/** numorstring.Protocol as a number (names case-insensitively), undefined when not a protocol. */
export function protocolNumber(p: CalicoProtocol): number | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 1 && p <= 255 ? p : undefined;
  if (protocolByName.has(p)) return protocolByName.get(p);
  const n = /^\d+$/.test(p) ? protocolNumber(Number(p)) : PROTOCOL_NUMBERS[p.toLowerCase()];
  if (protocolByName.size < 1000) protocolByName.set(p, n);
  return n;
}

/** A net of a rule: CIDR or single address (rules.go ConvertStringsToNets uses ParseCIDROrIP). */
export function parseNet(text: string): Cidr | undefined {
  if (text.includes('/')) return parseCidr(text);
  try {
    return parseCidr(hostCidr(text));
  } catch {
    return undefined;
  }
}

function ipOf(e: EndpointView, family: 4 | 6): Cidr | undefined {
  return family === 4 ? e.v4 : e.v6;
}

function inNets(nets: readonly Cidr[], ip: Cidr | undefined): boolean {
  if (!ip) return false;
  for (const n of nets) if (cidrContains(n, ip)) return true;
  return false;
}

/**
 * Whether a nets or notNets list holds a CIDR of the family. Felix renders a rule per IP version
 * with each list cut to that version's CIDRs, and not at all for a version that leaves a list it
 * was given empty (felix rules/rule_defs FilterRuleToIPVersion, filterNets: filteredAll → nil):
 * `notNets: [10.99.0.0/16]` matches no IPv6 packet. For `nets` the address test already says so.
 */
function ofFamily(nets: readonly Cidr[], family: 4 | 6): boolean {
  for (const n of nets) if (n.family === family) return true;
  return false;
}

/**
 * Some address of `ip` is in one of `nets`: for one address, the same as `inNets`; a block (a
 * folded edge's peer) that a notNet cuts into is not wholly matched by the rule.
 */
function touchesNets(nets: readonly Cidr[], ip: Cidr | undefined): boolean {
  if (!ip) return false;
  for (const n of nets) if (cidrContains(n, ip) || cidrContains(ip, n)) return true;
  return false;
}

export interface RuleScope {
  /** The policy's namespace; undefined for GlobalNetworkPolicy. */
  namespace?: string;
  services: ServiceIndex;
  /** The entities' positive selectors, shared by every policy compiled together. */
  selectors: EntitySelectors;
}

/**
 * One entity (source or destination) of a rule as plain data: each field set in the manifest is
 * a condition; an absent one (undefined) is none. Data rather than a closure per condition: the
 * simulator compiles every rule of every recommendation, and a closure each (with the loader's
 * naming of each) cost more than the matching. Every field is always assigned, in this order,
 * so that all entities share one object shape and `entityMatches` reads them at one cost.
 */
class EntityMatch {
  constructor(
    /** `source.ports` / `source.notPorts`: matched against the flow's client port. */
    readonly clientPorts: PortSpec[] | undefined,
    readonly clientNotPorts: PortSpec[] | undefined,
    /** What a client-port condition answers when the flow does not say the port: true for a Deny rule (fail closed). */
    readonly unknownClientPortMatches: boolean,
    /** destination.ports / notPorts. */
    readonly ports: PortSpec[] | undefined,
    readonly notPorts: PortSpec[] | undefined,
    /** nets / notNets as given (invalid ones dropped: an entity whose nets are all invalid matches nothing). */
    readonly nets: Cidr[] | undefined,
    readonly notNets: Cidr[] | undefined,
    /**
     * A block of addresses (a folded edge's peer) stands for some of them: a Deny or Pass rule
     * matches it where part of it is in `nets` and out of `notNets` (what it passes on is judged
     * in the next tier), an Allow rule only where all of it is.
     */
    readonly partOfBlock: boolean,
    /** rules.go getEndpointSelector: the positive selector (namespace ∧ service accounts ∧ selector), when any part is set. */
    readonly positive: Selector | undefined,
    /** rules.go RuleAPIV2ToBackend NotSrcSelector/NotDstSelector: the notSelector as written, never scoped. */
    readonly notSel: Selector | undefined,
    readonly service: { namespace: string; name: string } | undefined,
  ) {}
}

/** Parsed nets by text, for the whole process: rules repeat the same addresses. Cidr values are never changed. */
const cachedNet = memoByText(parseNet, 100_000);

function netList(nets: readonly string[] | undefined): Cidr[] | undefined {
  if (!nets || nets.length === 0) return undefined;
  const out: Cidr[] = [];
  for (const n of nets) {
    const c = cachedNet(n);
    if (c !== undefined) out.push(c);
  }
  return out;
}

function compileEntity(e: CalicoEntityRule, side: 'source' | 'destination', scope: RuleScope, action: CalicoAction): EntityMatch {
  const destination = side === 'destination';
  // Throws for a selector that does not parse, before anything else: the policy is refused.
  const positive = scope.selectors.positive(e, scope.namespace);
  return new EntityMatch(
    !destination && e.ports && e.ports.length > 0 ? e.ports.map(portSpec) : undefined,
    !destination && e.notPorts && e.notPorts.length > 0 ? e.notPorts.map(portSpec) : undefined,
    action === 'Deny',
    destination && e.ports && e.ports.length > 0 ? e.ports.map(portSpec) : undefined,
    destination && e.notPorts && e.notPorts.length > 0 ? e.notPorts.map(portSpec) : undefined,
    netList(e.nets),
    netList(e.notNets),
    action === 'Deny' || action === 'Pass',
    positive,
    e.notSelector ? parseSelector(e.notSelector) : undefined,
    e.services ? { namespace: e.services.namespace ?? scope.namespace ?? '', name: e.services.name } : undefined,
  );
}

/** Whether every condition of the entity holds for `peer` (the client for a source, the server for a destination). */
/** The entity's port conditions (source and destination) on a flow that has ports. */
function portsMatch(m: EntityMatch, flow: PortFlow, c: MatchContext): boolean {
  if (m.clientPorts || m.clientNotPorts) {
    const port = flow.clientPort;
    if (port === undefined) {
      if (!m.unknownClientPortMatches) return false;
    } else {
      // A named source port is the client workload's own container port of that name.
      if (m.clientPorts && !anyPortMatches(m.clientPorts, port, flow.protocol, c.client)) return false;
      if (m.clientNotPorts && anyPortMatches(m.clientNotPorts, port, flow.protocol, c.client)) return false;
    }
  }
  if (m.ports && !anyPortMatches(m.ports, flow.port, flow.protocol, c.server)) return false;
  if (m.notPorts && anyPortMatches(m.notPorts, flow.port, flow.protocol, c.server)) return false;
  return true;
}

function entityMatches(m: EntityMatch, destination: boolean, peer: EndpointView, c: MatchContext, services: ServiceIndex): boolean {
  const flow = c.flow;
  if (m.clientPorts || m.clientNotPorts || m.ports || m.notPorts) {
    if (flow.icmp !== undefined || !portsMatch(m, flow, c)) return false;
  }
  if (m.nets && !(m.partOfBlock ? touchesNets : inNets)(m.nets, ipOf(peer, c.family))) return false;
  if (m.notNets && (!ofFamily(m.notNets, c.family) || (m.partOfBlock ? inNets : touchesNets)(m.notNets, ipOf(peer, c.family)))) return false;
  // A block (a folded edge's peer) as for nets: an Allow rule's selector must hold all of it, a Deny's or Pass's some of it; the other way round for notSelector.
  if (m.positive && !selectedAt(m.positive, peer, c.family, !m.partOfBlock)) return false;
  if (m.notSel && selectedAt(m.notSel, peer, c.family, m.partOfBlock)) return false;
  if (m.service) {
    if (destination ? flow.icmp !== undefined || !services.isEndpoint(m.service, c.server.ips, flow.port, flow.protocol) : !services.isEndpointAddress(m.service, c.client.ips)) return false;
  }
  return true;
}

/**
 * Whether a rule's selector matches an end: felix compiles it to the IP set of the endpoints and
 * network sets it selects (felix labelindex SelectorAndNamedPortIndex: a workload endpoint's
 * addresses, a host endpoint's expectedIPs, a network set's nets), so it matches a workload by its
 * labels and any end by those of the host endpoints expecting its address (host-endpoints overview:
 * labels "in the same namespace as those of workload endpoints") and of the network sets holding it
 * — `wholly` all of a block, else some of it. Anything else is in none of them.
 */
function selectedAt(sel: Selector, peer: EndpointView, family: 4 | 6, wholly: boolean): boolean {
  if (peer.workload && sel.matches(peer.labels)) return true;
  for (const l of peer.hostLabels) if (sel.matches(l)) return true;
  const sets = peer.networkSets?.[family];
  if (sets !== undefined) for (const l of wholly ? sets.holding : sets.touching) if (sel.matches(l)) return true;
  return false;
}

/** A numorstring.Protocol condition: `protocol` is the flow's (or, for notProtocol, is not); undefined when the field is absent. */
type ProtocolCondition = { number: number | undefined } | undefined;

/** `icmp` / `notICMP` (ICMPFields): an ICMP message of this type and, when given, code; a field left out matches any. */
function icmpMatches(f: CalicoIcmpFields, flow: IcmpFlow): boolean {
  return (f.type === undefined || f.type === flow.icmp.type) && (f.code === undefined || f.code === flow.icmp.code);
}

/** One Calico rule, compiled to data and matched by `match`; see `compileRule`. */
class CalicoRuleMatch implements CompiledRule {
  verdict?: SideVerdict;

  constructor(
    readonly action: CalicoAction,
    readonly pointer: string,
    private readonly protocol: ProtocolCondition,
    private readonly notProtocol: ProtocolCondition,
    private readonly ipVersion: number | undefined,
    /** Only ICMP messages it names match (the validator requires protocol ICMP/ICMPv6 with it). */
    private readonly icmp: CalicoIcmpFields | undefined,
    private readonly notIcmp: CalicoIcmpFields | undefined,
    private readonly source: EntityMatch | undefined,
    private readonly destination: EntityMatch | undefined,
    private readonly services: ServiceIndex,
  ) {}

  match(c: MatchContext): boolean {
    if (this.protocol && FLOW_PROTOCOL[c.flow.protocol] !== this.protocol.number) return false;
    if (this.notProtocol && FLOW_PROTOCOL[c.flow.protocol] === this.notProtocol.number) return false;
    if (this.ipVersion !== undefined && c.family !== this.ipVersion) return false;
    const flow = c.flow;
    if (this.icmp && (flow.icmp === undefined || !icmpMatches(this.icmp, flow))) return false;
    if (this.notIcmp && flow.icmp !== undefined && icmpMatches(this.notIcmp, flow)) return false;
    if (this.source && !entityMatches(this.source, false, c.client, c, this.services)) return false;
    if (this.destination && !entityMatches(this.destination, true, c.server, c, this.services)) return false;
    return true;
  }

  portSpans(): PortSpan[] | undefined {
    const ports = this.destination?.ports;
    if (!ports) return undefined;
    const spans: PortSpan[] = [];
    for (const protocol of PROTOCOLS) {
      if (this.protocol && FLOW_PROTOCOL[protocol] !== this.protocol.number) continue;
      for (const p of ports) {
        if (p.name !== undefined) return undefined;
        spans.push({ protocol, start: p.lo, end: p.hi });
      }
    }
    return spans;
  }
}

const PROTOCOLS: readonly SimProtocol[] = ['TCP', 'UDP', 'SCTP'];

/** Compiles one rule; throws SelectorSyntaxError when a selector does not parse. */
export function compileRule(r: CalicoRule, pointer: string, scope: RuleScope): CompiledRule {
  return new CalicoRuleMatch(
    r.action,
    pointer,
    r.protocol !== undefined ? { number: protocolNumber(r.protocol) } : undefined,
    r.notProtocol !== undefined ? { number: protocolNumber(r.notProtocol) } : undefined,
    r.ipVersion,
    r.icmp,
    r.notICMP,
    r.source ? compileEntity(r.source, 'source', scope, r.action) : undefined,
    r.destination ? compileEntity(r.destination, 'destination', scope, r.action) : undefined,
    scope.services,
  );
}
