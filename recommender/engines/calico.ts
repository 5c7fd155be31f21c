/**
 * `calico`: projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy for cluster-wide subjects.
 * Selectors become Calico expressions (`app == 'x' && has(y)`), namespaces are selected by
 * `projectcalico.org/name`, addresses by `nets`/`notNets`, the apiserver egress by
 * `destination.services: {name: kubernetes, namespace: default}` (no ports there: the CRD
 * forbids ports with services on egress, and the service match already pins the endpoint
 * port). Deny-all is a policy type with no rule: Calico denies at the end of the tier for an
 * endpoint that a policy applies to, the NetworkPolicy semantics. `order` keeps the
 * default-deny layer after the allowlists (2000, the chart's default, vs 1000).
 * OSS Calico has no FQDN rule: resolved IPs are used when known, else a warning. Addresses
 * get rules of their own, one per address family (libcalico-go refuses mixed families);
 * `world` is a rule without source / destination selector or nets.
 *
 * Lists the CRD bounds are split, never cut (projectcalico/calico@87c15906 api/config/crd/
 * projectcalico.org_{networkpolicies,globalnetworkpolicies}.yaml, the schemas bundled in
 * recommender/schemas): `ports` over rules, `nets`/`notNets` over entities and so rules, a
 * selector's `in` set over entities or policies (calico-selectors.ts), and rules over policies.
 * Every rule is an Allow, so a rule split in several allows the same, and so do several policies
 * of one tier and order for one endpoint: each is evaluated ("Policies with identical order will
 * be applied in alphanumerical order based on the Policy Name within the tier", api/pkg/apis/
 * projectcalico/v3 networkpolicy.go `Order`), and the end-of-tier deny applies as before, each
 * piece carrying the intent's `types`.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { chunks } from './chunks.ts';
import { compareCidrs, hostCidr } from '../../domain/ip.ts';
import { holedBlockGroups } from '../../domain/holed-blocks.ts';
import type { Direction, DirectionPolicy, EchoRule, Layer, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortProtocol, PortSpec, RuleExplanation } from '../policy/ir.ts';
import { ECHO_TYPES } from '../../domain/flow.ts';
import { allExcept } from '../policy/build.ts';
import { chunkName, policyName } from '../policy/names.ts';
import { compareStrings } from '../policy/order.ts';
import { DEFAULT_CALICO_ORDER } from './calico-orders.ts';
import { fittingCalicoSelectors, fittingNamespaceSelectors, namespaceSelector } from './calico-selectors.ts';
import { JsonIds } from './json-ids.ts';
import { hasKind, hostNetworkSkipped, subjectSelector, unresolvedFqdnMessage, unresolvedFqdns } from './kubernetes.ts';
import { annotatedMetadata, ANNOTATION_EXPLANATION, directionLines, distinctLines, explainedIntent, intentRulesAnnotation, ruleLine, rulesAnnotation, sortManifests, Warnings } from './metadata.ts';
import type { EmitOptions, Engine, EmitResult, EngineManifests } from './types.ts';
import {
  CALICO_API_VERSION,
  type CalicoEntityRule,
  type CalicoGlobalNetworkPolicySpec,
  type CalicoNetworkPolicySpec,
  type CalicoPolicySpecCommon,
  type CalicoPolicyType,
  type CalicoPort,
  type CalicoRule,
} from './wire/calico.ts';

type Entity = CalicoEntityRule;

/** At most this many ports in one entity's `ports` (the projectcalico.org/v3 CRD: EntityRule.ports `maxItems: 50`). */
const MAX_CALICO_PORTS = 50;
/** At most this many blocks in one entity's `nets`, and in its `notNets` (EntityRule.nets, notNets `maxItems: 256`). */
export const MAX_CALICO_NETS = 256;
/** At most this many rules in one policy's `ingress`, and in its `egress` (the policy spec's `maxItems: 1024`). */
export const MAX_CALICO_RULES = 1024;

/** Ports grouped by protocol (Calico rules match one protocol each), at most MAX_CALICO_PORTS a group. */
function protocolGroups(ports: readonly PortSpec[]): { protocol?: PortProtocol; ports: CalicoPort[] }[] {
  if (ports.length === 0) return [{ ports: [] }];
  const by = new Map<PortProtocol, CalicoPort[]>();
  for (const p of ports) {
    const list = by.get(p.protocol) ?? [];
    if (p.kind === 'number') list.push(p.port);
    else if (p.kind === 'range') list.push(`${p.start}:${p.end}`);
    else if (p.kind === 'named') list.push(p.name);
    by.set(p.protocol, list);
  }
  // `all` normalises away the protocol's other ports (build.normalizePorts), leaving an empty list.
  const out: { protocol?: PortProtocol; ports: CalicoPort[] }[] = [];
  for (const [protocol, list] of [...by.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    for (const part of list.length === 0 ? [list] : chunks(list, MAX_CALICO_PORTS)) out.push({ protocol, ports: part });
  }
  return out;
}

/** A rendered source/destination entity; equal ids ⇔ equal JSON texts. */
interface Rendered {
  entity: Entity;
  id: number;
  /** `{}`: no source restriction. */
  empty: boolean;
  /** The apiserver service: one rule, without ports. */
  service: boolean;
}

/** One protocolGroups() entry with the id of its JSON text. */
interface ProtocolGroup {
  protocol?: PortProtocol;
  ports: CalicoPort[];
  id: number;
}

/**
 * Rendered rules with the ids of their entity and protocol group (-1: the apiserver service).
 * A rule's JSON text is a function of the direction, these ids and its explanation line, and
 * each is recoverable from the text: so rules of equal lines are equal exactly when these ids
 * are. Distinct lines (the usual case) are compared with the rules of the same IR rule only;
 * else `seen` holds the keys of all rules so far.
 */
interface KeyedRules {
  rules: CalicoRule[];
  entityIds: number[];
  groupIds: number[];
  seen: Set<string> | undefined;
}

/**
 * Renderings shared within one emit: IR peers and ports are shared objects and render the
 * same in every intent (see the kubernetes engine); warnings are added per occurrence.
 * Nothing modifies a rendering once built.
 */
class Renderer {
  readonly ids = new JsonIds();
  private readonly entities = new Map<PolicyPeer, Rendered[]>();
  private readonly hostCidrs = new Map<PolicyPeer, string[]>();
  private readonly portIds = new Map<PortSpec, number>();
  private readonly groups = new Map<string, ProtocolGroup[]>();
  readonly apiService: Rendered;
  readonly anySource: Rendered;
  /** Scratch lists of the rule being rendered. */
  readonly ruleEntities: Rendered[] = [];
  readonly ruleNets: string[] = [];

  constructor(readonly w: Warnings) {
    this.apiService = this.rendered({ services: { name: 'kubernetes', namespace: 'default' } }, true);
    this.anySource = this.rendered({}, false);
  }

  /** The entities of a pods, namespace, dns peer or of a cidr peer with exceptions: one, unless a list or selector is past its bound. */
  entity(p: PolicyPeer): Rendered[] {
    let r = this.entities.get(p);
    if (r === undefined) this.entities.set(p, (r = peerEntities(p).map((e) => this.rendered(e, false))));
    return r;
  }

  rendered(entity: Entity, service: boolean): Rendered {
    const c = this.ids.canonical(entity);
    return { entity: c.value, id: c.id, empty: Object.keys(entity).length === 0, service };
  }

  /** The host CIDRs of a nodes or fqdn peer's IPs. */
  cidrs(p: PolicyPeer & { ips: string[] }): string[] {
    let cidrs = this.hostCidrs.get(p);
    if (cidrs === undefined) this.hostCidrs.set(p, (cidrs = p.ips.map(hostCidr)));
    return cidrs;
  }

  /** protocolGroups(ports), shared by every port list of the same JSON text. */
  protocolGroups(ports: readonly PortSpec[]): ProtocolGroup[] {
    let key = '';
    for (const p of ports) key += `${this.portId(p)},`;
    let groups = this.groups.get(key);
    if (groups === undefined) {
      groups = protocolGroups(ports).map((g) => ({ ...g, id: this.ids.id(g) }));
      this.groups.set(key, groups);
    }
    return groups;
  }

  private portId(p: PortSpec): number {
    let id = this.portIds.get(p);
    if (id === undefined) this.portIds.set(p, (id = this.ids.id(p)));
    return id;
  }
}

function peerEntities(p: PolicyPeer): Entity[] {
  switch (p.kind) {
    case 'pods':
      if (p.namespace === undefined) return fittingCalicoSelectors(p.selector).map((selector) => ({ selector }));
      return inNamespace(p.namespace, p.selector);
    case 'namespace':
      return [p.namespace === undefined ? { selector: 'all()' } : { namespaceSelector: namespaceSelector([p.namespace]) }];
    case 'dns':
      return inNamespace(p.namespace, p.selector);
    case 'selected-namespaces':
      // `all()` as namespaceSelector: every namespace, including those created later.
      return fittingCalicoSelectors(p.namespaceSelector).flatMap((namespaceSelector) => fittingCalicoSelectors(p.selector).map((selector) => ({ namespaceSelector, selector })));
    case 'cidr':
      // A block with more holes than one entity holds is halved until the holes fit (holed-blocks.ts).
      return holedBlockGroups(p.cidr, allExcept(p), MAX_CALICO_NETS).map((g) => (g.notNets.length > 0 ? { nets: g.nets, notNets: g.notNets } : { nets: g.nets }));
    default:
      throw new Error(`a ${p.kind} peer renders to no entity of its own`);
  }
}

function inNamespace(namespace: string, selector: LabelSelector): Entity[] {
  const ns = namespaceSelector([namespace]);
  return fittingCalicoSelectors(selector).map((s) => ({ namespaceSelector: ns, selector: s }));
}

function where(direction: Direction, rule: PolicyRule): { direction: Direction; rule: string } {
  return { direction, rule: rule.explanation.id };
}

/** The rule's entities, into r.ruleEntities (addresses last, as one `nets` entity). */
function entities(intent: PolicyIntent, direction: Direction, rule: PolicyRule, r: Renderer): Rendered[] {
  const w = r.w;
  const out = r.ruleEntities;
  const nets = r.ruleNets;
  out.length = nets.length = 0;
  // `world` is everything: a rule without a source / destination selector or nets (then every
  // address matches, pods and hosts included). It covers the rule's other peers.
  const unresolved = unresolvedFqdns(rule);
  if (unresolved.length > 0) w.add('fqdn-unresolved', intent, unresolvedFqdnMessage('OSS Calico', unresolved), where(direction, rule));
  if (hasKind(rule, 'world') || unresolved.length > 0) {
    out.push(r.anySource);
    return out;
  }
  for (const p of rule.peers as PolicyPeer[]) {
    switch (p.kind) {
      case 'pods':
      case 'namespace':
      case 'selected-namespaces':
      case 'dns':
        out.push(...r.entity(p));
        break;
      case 'apiserver':
        // As a source (admission webhooks) it is not narrowed: see the kubernetes engine.
        out.push(direction === 'egress' ? r.apiService : r.anySource);
        break;
      case 'nodes':
        if (p.ips.length === 0) w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node addresses on this engine', where(direction, rule));
        for (const cidr of r.cidrs(p)) nets.push(cidr);
        break;
      case 'cidr':
        // The holes go in the same rule as its nets, so one address family each (the holes lie inside the block).
        if (allExcept(p).length > 0) out.push(...r.entity(p));
        else nets.push(p.cidr);
        break;
      case 'fqdn':
        w.add('fqdn-as-ips', intent, `OSS Calico has no FQDN rule: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where(direction, rule));
        for (const cidr of r.cidrs(p)) nets.push(cidr);
        break;
      case 'cilium-ingress':
        // No Calico selector names Cilium's Ingress proxy (metadata.ts CILIUM_INGRESS_NOTE).
        out.push(r.anySource);
        break;
      case 'world':
        throw new Error('a rule with a world peer has no entity (see above)');
    }
  }
  // Addresses are an entity of their own (a selector and nets in one entity must BOTH match),
  // one per address family: libcalico-go refuses the whole policy when a rule "contains both
  // IPv4 and IPv6 CIDRs" (lib/validator/v3/validator.go, validateRule); and one per
  // MAX_CALICO_NETS of them.
  if (nets.length > 0) {
    const sorted = [...new Set(nets)].sort(compareCidrs);
    const v4 = sorted.filter((c) => !c.includes(':'));
    const v6 = sorted.filter((c) => c.includes(':'));
    for (const part of chunks(v4, MAX_CALICO_NETS)) out.push(r.rendered({ nets: part }, false));
    for (const part of chunks(v6, MAX_CALICO_NETS)) out.push(r.rendered({ nets: part }, false));
  }
  return out;
}

function ruleMetadata(direction: Direction, e: RuleExplanation): CalicoRule['metadata'] {
  return { annotations: { [ANNOTATION_EXPLANATION]: ruleLine(direction, e) } };
}

/** Appends the rules of one IR rule that are not there yet. */
function renderRules(intent: PolicyIntent, direction: Direction, rule: PolicyRule, r: Renderer, out: KeyedRules): void {
  const list = entities(intent, direction, rule, r);
  if (list.length === 0) return;
  const line = ruleLine(direction, rule.explanation);
  const metadata = { annotations: { [ANNOTATION_EXPLANATION]: line } };
  const first = out.rules.length;
  for (const e of list) {
    if (e.service) {
      if (!isDuplicate(out, first, e.id, -1, line)) push(out, { action: 'Allow', destination: e.entity, metadata }, e.id, -1);
      continue;
    }
    for (const g of r.protocolGroups(rule.ports)) {
      if (isDuplicate(out, first, e.id, g.id, line)) continue;
      const rr: CalicoRule = { action: 'Allow' };
      if (g.protocol) rr.protocol = g.protocol;
      if (direction === 'ingress' && !e.empty) rr.source = e.entity;
      if (direction === 'egress' ? !e.empty || g.ports.length > 0 : g.ports.length > 0) {
        const dest: Entity = direction === 'egress' ? { ...e.entity } : {};
        if (g.ports.length > 0) dest.ports = g.ports;
        rr.destination = dest;
      }
      rr.metadata = metadata;
      push(out, rr, e.id, g.id);
    }
  }
}

/**
 * An echo rule → Calico rules of its own, one per entity: `protocol: ICMP` (or `ICMPv6`) by name
 * with `icmp: {type: 8}` (128), and the `ipVersion` the protocol fixes — libcalico-go validateRule
 * refuses ICMP fields without the protocol named ICMP/ICMPv6, and "must set ipversion to '4' with
 * protocol icmp" ('6' with icmpv6); the Rule reference: `icmp` "should only be specified if the
 * Protocol field is set to ICMP or ICMPv6", type 8 "refers to ICMP Echo Request (i.e. pings)". An
 * address entity of the other family is left out: a rule holds one family (validateRule).
 */
function renderEcho(intent: PolicyIntent, direction: Direction, echo: EchoRule, r: Renderer, out: KeyedRules): void {
  const list = entities(intent, direction, { peers: echo.peers, ports: [], explanation: echo.explanation }, r);
  const v6 = echo.protocol === 'ICMPv6';
  const line = ruleLine(direction, echo.explanation);
  const metadata = { annotations: { [ANNOTATION_EXPLANATION]: line } };
  const icmp = { type: ECHO_TYPES[echo.protocol].request };
  const groupId = r.ids.id({ protocol: echo.protocol, icmp });
  const first = out.rules.length;
  for (const e of list) {
    if (e.service || !netsOfFamily(e.entity, v6) || isDuplicate(out, first, e.id, groupId, line)) continue;
    const rule: CalicoRule = { action: 'Allow', protocol: echo.protocol, ipVersion: v6 ? 6 : 4, icmp };
    if (!e.empty) rule[direction === 'ingress' ? 'source' : 'destination'] = e.entity;
    rule.metadata = metadata;
    push(out, rule, e.id, groupId);
  }
}

/** Whether the entity's addresses (if any) are all of the family. */
const netsOfFamily = (e: Entity, v6: boolean): boolean => [...(e.nets ?? []), ...(e.notNets ?? [])].every((n) => n.includes(':') === v6);

/** Whether a rule of this entity, group and line is in `out` already (see KeyedRules). */
function isDuplicate(out: KeyedRules, first: number, entityId: number, groupId: number, line: string): boolean {
  if (out.seen !== undefined) {
    const key = `${entityId}|${groupId}|${line}`;
    if (out.seen.has(key)) return true;
    out.seen.add(key);
    return false;
  }
  for (let i = first; i < out.rules.length; i++) if (out.entityIds[i] === entityId && out.groupIds[i] === groupId) return true;
  return false;
}

function push(out: KeyedRules, rule: CalicoRule, entityId: number, groupId: number): void {
  out.rules.push(rule);
  out.entityIds.push(entityId);
  out.groupIds.push(groupId);
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, r: Renderer): CalicoRule[] | undefined {
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return undefined;
    case 'allow-all':
      return protocolGroups(d.ports).map((g) => {
        const rule: CalicoRule = { action: 'Allow' };
        if (g.protocol) rule.protocol = g.protocol;
        if (g.ports.length > 0) rule.destination = { ports: g.ports };
        rule.metadata = ruleMetadata(direction, d.explanation);
        return rule;
      });
    case 'rules': {
      const out: KeyedRules = { rules: [], entityIds: [], groupIds: [], seen: distinctLines(d) ? undefined : new Set() };
      for (const rule of d.rules) renderRules(intent, direction, rule, r, out);
      for (const echo of d.echo ?? []) renderEcho(intent, direction, echo, r, out);
      return out.rules;
    }
  }
}

function emitIntent(given: PolicyIntent, r: Renderer, order: Record<Layer, number>): EngineManifests['calico'][] {
  const intent = explainedIntent(given);
  if (hostNetworkSkipped(intent, r.w, 'a Calico workload policy')) return [];
  const types: CalicoPolicyType[] = [];
  if (intent.ingress.mode !== 'none') types.push('Ingress');
  if (intent.egress.mode !== 'none') types.push('Egress');
  const ingress = renderDirection(intent, 'ingress', intent.ingress, r) ?? [];
  const egress = renderDirection(intent, 'egress', intent.egress, r) ?? [];
  const inChunks = ingress.length > MAX_CALICO_RULES ? chunks(ingress, MAX_CALICO_RULES) : [ingress];
  const egChunks = egress.length > MAX_CALICO_RULES ? chunks(egress, MAX_CALICO_RULES) : [egress];
  const pieces = Math.max(inChunks.length, egChunks.length);
  const rules = pieces === 1 ? [intentRulesAnnotation(intent)] : Array.from({ length: pieces }, (_, i) => pieceRulesAnnotation(intent, inChunks[i] ?? [], egChunks[i] ?? []));
  const selectors = fittingCalicoSelectors(subjectSelector(intent));
  const subjects: { selector: string; namespaceSelector?: string }[] =
    intent.subject.kind === 'namespaces' ? fittingNamespaceSelectors(intent.subject.namespaces).flatMap((namespaceSelector) => selectors.map((selector) => ({ selector, namespaceSelector }))) : selectors.map((selector) => ({ selector }));
  const name = policyName(intent.key);
  const count = subjects.length * pieces;
  const out: EngineManifests['calico'][] = [];
  subjects.forEach((subject, s) => {
    for (let i = 0; i < pieces; i++) {
      const n = count === 1 ? name : chunkName(name, s * pieces + i);
      const head = { order: order[intent.layer], selector: subject.selector, types };
      const [ic, ec] = [inChunks[i] ?? [], egChunks[i] ?? []];
      const withRules = <S extends CalicoPolicySpecCommon>(spec: S): S => {
        if (ic.length > 0) spec.ingress = ic;
        if (ec.length > 0) spec.egress = ec;
        return spec;
      };
      if (subject.namespaceSelector !== undefined) {
        const spec: CalicoGlobalNetworkPolicySpec = { ...head, namespaceSelector: subject.namespaceSelector };
        out.push({ apiVersion: CALICO_API_VERSION, kind: 'GlobalNetworkPolicy', metadata: annotatedMetadata(intent, n, undefined, rules[i]), spec: withRules(spec) });
      } else {
        const spec: CalicoNetworkPolicySpec = { ...head };
        out.push({ apiVersion: CALICO_API_VERSION, kind: 'NetworkPolicy', metadata: annotatedMetadata(intent, n, intent.namespace, rules[i]), spec: withRules(spec) });
      }
    }
  });
  return out;
}

/**
 * The rules annotation of one piece of a policy split over several: the lines of the rules it
 * holds, and of a direction it denies whole (every piece carries that type).
 */
function pieceRulesAnnotation(intent: PolicyIntent, ingress: readonly CalicoRule[], egress: readonly CalicoRule[]): string | undefined {
  const lines = (direction: Direction, d: DirectionPolicy, rules: readonly CalicoRule[]): string[] =>
    d.mode === 'deny-all' ? directionLines(direction, d) : rules.flatMap((rule) => rule.metadata?.annotations?.[ANNOTATION_EXPLANATION] ?? []);
  const all = [...lines('ingress', intent.ingress, ingress), ...lines('egress', intent.egress, egress)];
  return all.length > 0 ? rulesAnnotation(all) : undefined;
}

export const calicoEngine: Engine<'calico'> = {
  name: 'calico',
  renders: 'projectcalico.org/v3 NetworkPolicy (GlobalNetworkPolicy for cluster-wide layers)',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult<'calico'> {
    const w = new Warnings('calico');
    const o = options.calicoOrder ?? {};
    const order: Record<Layer, number> = {
      shared: o.shared ?? DEFAULT_CALICO_ORDER.shared,
      allowlist: o.allowlist ?? DEFAULT_CALICO_ORDER.allowlist,
      'default-deny': o.defaultDeny ?? DEFAULT_CALICO_ORDER['default-deny'],
    };
    const r = new Renderer(w);
    const manifests: EngineManifests['calico'][] = [];
    for (const intent of set.intents) for (const m of emitIntent(intent, r, order)) manifests.push(m);
    return { engine: 'calico', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
