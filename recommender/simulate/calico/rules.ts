/**
 * Calico rule matching, compiled once per rule. A rule matches when every field it sets
 * matches (docs: reference/resources/networkpolicy "Rule" and "EntityRule"); the
 * source entity is checked against the client, the destination entity against the server,
 * whatever the direction. Selector scoping follows libcalico-go
 * lib/backend/syncersv1/updateprocessors/rules.go getEndpointSelector: in a namespaced policy,
 * as soon as selector, notSelector or serviceAccounts is set the peer must be in the policy's
 * namespace unless namespaceSelector is given; `nets` alone are not scoped.
 *
 * Not modelled: source ports (the client's ephemeral port is unknown: `source.ports` never
 * matches, `source.notPorts` always does); `http` (application layer policy needs Dikastes:
 * its L3/L4 part is matched); ICMP type/code (flows are TCP/UDP/SCTP).
 */
import type { CalicoAction, CalicoEntityRule, CalicoPort, CalicoProtocol, CalicoRule } from '../../engines/wire/calico.ts';
import { cidrContains, hostCidr, parseCidr, type Cidr } from '../../../domain/ip.ts';
import type { SimFlow, SimProtocol } from '../types.ts';
import type { EndpointView } from './endpoints.ts';
import { parseSelector } from './selector.ts';
import type { ServiceIndex } from './services.ts';

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
  match: Match;
  /**
   * A necessary condition of `match` on the flow's protocol and destination port alone (what a
   * named port resolves to is not known here: it can match); absent: any port can match. Lets
   * the simulator scan only the rules that can match a flow's port (../rules-by-port.ts).
   */
  canMatchPort?: (protocol: SimProtocol, port: number) => boolean;
}

/** The port of a numorstring.Port that needs no endpoint to be known: undefined for a named port. */
function numericPortTest(p: CalicoPort): ((port: number) => boolean) | undefined {
  if (typeof p === 'number') return (port) => port === p;
  const range = /^(\d+):(\d+)$/.exec(p);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    return (port) => port >= lo && port <= hi;
  }
  if (/^\d+$/.test(p)) {
    const n = Number(p);
    return (port) => port === n;
  }
  return undefined;
}

export const PROTOCOL_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, udplite: 136 };
const FLOW_PROTOCOL: Record<SimProtocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };

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

type PortTest = (port: number, protocol: SimProtocol, server: EndpointView) => boolean;

/** numorstring.Port: a number, "a:b" (inclusive), or a named port of the destination endpoint. */
export function portTest(p: CalicoPort): PortTest {
  const numeric = numericPortTest(p);
  if (numeric) return numeric;
  // A named port matches the destination workload's container port of that name and protocol.
  return (port, protocol, server) => server.workload && (server.pod?.ports ?? []).some((cp) => cp.name === p && cp.protocol === protocol && cp.port === port);
}

function anyPort(ports: readonly CalicoPort[]): PortTest {
  const tests = ports.map(portTest);
  return (port, protocol, server) => tests.some((t) => t(port, protocol, server));
}

export interface RuleScope {
  /** The policy's namespace; undefined for GlobalNetworkPolicy. */
  namespace?: string;
  services: ServiceIndex;
}

/** The checks of one entity (source or destination), appended to `checks`. */
function entityChecks(e: CalicoEntityRule, side: 'source' | 'destination', scope: RuleScope, checks: Match[]): void {
  const peer = side === 'source' ? (c: MatchContext) => c.client : (c: MatchContext) => c.server;

  if (e.ports && e.ports.length > 0) {
    if (side === 'source') checks.push(() => false);
    else {
      const t = anyPort(e.ports);
      checks.push((c) => t(c.flow.port, c.flow.protocol, c.server));
    }
  }
  if (e.notPorts && e.notPorts.length > 0 && side === 'destination') {
    const t = anyPort(e.notPorts);
    checks.push((c) => !t(c.flow.port, c.flow.protocol, c.server));
  }
  if (e.nets && e.nets.length > 0) {
    const nets = e.nets.map(parseNet).filter((n): n is Cidr => n !== undefined);
    checks.push((c) => inNets(nets, ipOf(peer(c), c.family)));
  }
  if (e.notNets && e.notNets.length > 0) {
    const nets = e.notNets.map(parseNet).filter((n): n is Cidr => n !== undefined);
    checks.push((c) => !inNets(nets, ipOf(peer(c), c.family)));
  }

  // rules.go getEndpointSelector: the positive selector (namespace ∧ service accounts ∧ selector).
  const nsSel = e.namespaceSelector ? parseSelector(e.namespaceSelector) : undefined;
  const sel = e.selector ? parseSelector(e.selector) : undefined;
  const saNames = e.serviceAccounts?.names && e.serviceAccounts.names.length > 0 ? new Set(e.serviceAccounts.names) : undefined;
  const saSel = e.serviceAccounts?.selector ? parseSelector(e.serviceAccounts.selector) : undefined;
  const hasSelector = sel !== undefined || saNames !== undefined || saSel !== undefined;
  const scopedNs = nsSel === undefined && scope.namespace !== undefined && (hasSelector || e.notSelector !== undefined && e.notSelector !== '') ? scope.namespace : undefined;
  if (hasSelector || nsSel || scopedNs !== undefined) {
    checks.push((c) => {
      const p = peer(c);
      // Selectors compile to IP sets of Calico endpoints: anything else is in none of them.
      if (!p.workload) return false;
      if (nsSel && !nsSel.matchesNamespace(p.nsLabels, true)) return false;
      if (scopedNs !== undefined && p.namespace !== scopedNs) return false;
      if (saNames && !saNames.has(p.serviceAccount ?? '')) return false;
      if (saSel && !saSel.matches(p.saLabels)) return false;
      return sel ? sel.matches(p.labels) : true;
    });
  }
  if (e.notSelector) {
    const not = parseSelector(e.notSelector);
    checks.push((c) => {
      const p = peer(c);
      return !(p.workload && not.matches(p.labels));
    });
  }

  if (e.services) {
    const svc = { namespace: e.services.namespace ?? scope.namespace ?? '', name: e.services.name };
    const services = scope.services;
    if (side === 'destination') checks.push((c) => services.isEndpoint(svc, c.server.ips, c.flow.port, c.flow.protocol));
    else checks.push((c) => services.isEndpointAddress(svc, c.client.ips));
  }
}

/** Compiles one rule; throws SelectorSyntaxError when a selector does not parse. */
export function compileRule(r: CalicoRule, pointer: string, scope: RuleScope): CompiledRule {
  const checks: Match[] = [];
  if (r.protocol !== undefined) {
    const n = protocolNumber(r.protocol);
    checks.push((c) => FLOW_PROTOCOL[c.flow.protocol] === n);
  }
  if (r.notProtocol !== undefined) {
    const n = protocolNumber(r.notProtocol);
    checks.push((c) => FLOW_PROTOCOL[c.flow.protocol] !== n);
  }
  if (r.ipVersion !== undefined) {
    const v = r.ipVersion;
    checks.push((c) => c.family === v);
  }
  // An ICMP match needs protocol ICMP/ICMPv6, which no TCP/UDP/SCTP flow has.
  if (r.icmp !== undefined) checks.push(() => false);
  if (r.source) entityChecks(r.source, 'source', scope, checks);
  if (r.destination) entityChecks(r.destination, 'destination', scope, checks);
  const rule: CompiledRule = { action: r.action, pointer, match: allOf(checks) };
  const canMatchPort = portPrecondition(r);
  if (canMatchPort) rule.canMatchPort = canMatchPort;
  return rule;
}

/**
 * One match of every check. Built here rather than written inline in the rule's object literal:
 * the tsx loader names every function written as a property value (an Object.defineProperty per
 * rule, a tenth of the simulator's build time).
 */
function allOf(checks: readonly Match[]): Match {
  return (c) => checks.every((f) => f(c));
}

/** The protocol, destination.ports and destination.notPorts checks of `compileRule`, on the flow's protocol and port only. */
function portPrecondition(r: CalicoRule): CompiledRule['canMatchPort'] {
  const tests: ((protocol: SimProtocol, port: number) => boolean)[] = [];
  if (r.protocol !== undefined) {
    const n = protocolNumber(r.protocol);
    tests.push((protocol) => FLOW_PROTOCOL[protocol] === n);
  }
  if (r.notProtocol !== undefined) {
    const n = protocolNumber(r.notProtocol);
    tests.push((protocol) => FLOW_PROTOCOL[protocol] !== n);
  }
  const ports = r.destination?.ports ?? [];
  if (ports.length > 0) {
    const numeric = ports.map(numericPortTest);
    // A named port may resolve to any port of the destination: then any port can match.
    if (numeric.every((t) => t !== undefined)) tests.push((_protocol, port) => numeric.some((t) => t!(port)));
  }
  const notPorts = (r.destination?.notPorts ?? []).flatMap((p) => numericPortTest(p) ?? []);
  if (notPorts.length > 0) tests.push((_protocol, port) => !notPorts.some((t) => t(port)));
  return tests.length === 0 ? undefined : (protocol, port) => tests.every((t) => t(protocol, port));
}
