/**
 * `kubernetes`: networking.k8s.io/v1 NetworkPolicy. The apiserver is the /32 of each endpoint
 * IP on the endpoint port (never a namespace/pod selector: it is not a pod). As a source
 * (admission webhooks) it is not narrowed at all: its source address is not the endpoint IP on
 * every control plane (konnectivity, managed clusters), and a webhook cut off with
 * failurePolicy Fail blocks API writes, so the port stays open and TLS guards it; host-network
 * peers are node IP blocks; FQDNs fall back to their resolved IPs, else no rule and a warning.
 * `world` (everything, pods included) is a rule without peers on the rule's ports.
 * A rule whose peers all turn out inexpressible is dropped, never emitted with an empty peer
 * list (which would mean "from/to anywhere").
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { compareCidrs, hostCidr } from '../../domain/ip.ts';
import type { Direction, DirectionPolicy, OwnNodeIngress, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec } from '../policy/ir.ts';
import { allExcept } from '../policy/build.ts';
import { policyName } from '../policy/names.ts';
import { JsonIds } from './json-ids.ts';
import { annotatedMetadata, directionLines, explainedIntent, withoutEcho, intentRulesAnnotation, ruleLine, rulesAnnotation, sortManifests, Warnings } from './metadata.ts';
import type { EmitOptions, Emitted, Engine, EmitResult } from './types.ts';
import { NamedPortsAsNumbers } from './named-ports-as-numbers.ts';
import {
  NETWORK_POLICY_API_VERSION,
  NETWORK_POLICY_KIND,
  type NetworkPolicy,
  type NetworkPolicyEgressRule,
  type NetworkPolicyIngressRule,
  type NetworkPolicyPeer as NpPeer,
  type NetworkPolicyPort as NpPort,
  type NetworkPolicySpec,
  type NetworkPolicyType,
} from './wire/kubernetes.ts';

export const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

/** A NetworkPolicy rule before sorting: peers in rendering order, each with its id (one per JSON text: JsonIds). */
interface NpRule {
  peers: NpPeer[];
  ids: number[];
  ports: NpPort[];
  /** No peer restriction: the ports are open to every source (ingress) or destination (egress). */
  anySource: boolean;
}

/** What one IR peer renders to: peers of the rule, and (apiserver egress) rules of its own. */
interface RenderedPeer {
  peers: NpPeer[];
  ids: number[];
  extra: NpRule[];
}

/** A rule's peers sorted and de-duplicated by their JSON text (first occurrence wins). */
function sortedPeers(rule: NpRule, ids: JsonIds): NpPeer[] {
  return ids.sortedPositions(rule.ids).map((i) => rule.peers[i]!);
}

/**
 * Renderings shared within one emit: IR peers and ports are shared objects (the PolicySet
 * builder checks each once) and render the same in every intent; only their warnings depend
 * on the intent, so those are added per occurrence. Rendered arrays may be shared by several
 * rules and manifests: nothing modifies them once built.
 */
class Renderer {
  readonly ids = new JsonIds();
  private readonly peers = new Map<PolicyPeer, RenderedPeer>();
  private readonly ports = new Map<PortSpec, NpPort>();
  private readonly portLists = new Map<readonly PortSpec[], NpPort[]>();
  private readonly portJson = new Map<NpPort, string>();

  /** Set on a cluster that runs Cilium: egress port names as the numbers Cilium can resolve (EmitOptions.networkPoliciesOnCilium). */
  private readonly ciliumEgress: NamedPortsAsNumbers | undefined;

  constructor(
    readonly w: Warnings,
    options: EmitOptions = {},
  ) {
    this.ciliumEgress = options.networkPoliciesOnCilium === true ? new NamedPortsAsNumbers() : undefined;
  }

  /** A rule's ports in `direction`, as the plugin can resolve them. */
  rulePorts(direction: Direction, ports: readonly PortSpec[]): NpPort[] {
    return this.portList(direction === 'egress' && this.ciliumEgress !== undefined ? this.ciliumEgress.of(ports) : ports);
  }

  port(p: PortSpec): NpPort {
    let np = this.ports.get(p);
    if (np === undefined) this.ports.set(p, (np = npPort(p)));
    return np;
  }

  /** A rule's ports, rendered once per IR list (the PolicySet shares lists between rules on the same ports). */
  portList(ports: readonly PortSpec[]): NpPort[] {
    let l = this.portLists.get(ports);
    if (l === undefined) {
      l = new Array<NpPort>(ports.length);
      for (let i = 0; i < ports.length; i++) l[i] = this.port(ports[i]!);
      this.portLists.set(ports, l);
    }
    return l;
  }

  peer(p: PolicyPeer): RenderedPeer {
    let r = this.peers.get(p);
    if (r === undefined) {
      const extra: NpRule[] = [];
      const rendered = renderPeer(p, extra, this.ids).map((np) => this.ids.canonical(np));
      r = { peers: rendered.map((c) => c.value), ids: rendered.map((c) => c.id), extra };
      this.peers.set(p, r);
    }
    return r;
  }

  /** Same JSON text: same peer ids (one per text), same port texts, same anySource. */
  sameRule(a: NpRule, b: NpRule): boolean {
    if (a.anySource !== b.anySource || a.ids.length !== b.ids.length || a.ports.length !== b.ports.length) return false;
    for (let i = 0; i < a.ids.length; i++) if (a.ids[i] !== b.ids[i]) return false;
    for (let i = 0; i < a.ports.length; i++) if (a.ports[i] !== b.ports[i] && this.portText(a.ports[i]!) !== this.portText(b.ports[i]!)) return false;
    return true;
  }

  private portText(np: NpPort): string {
    let text = this.portJson.get(np);
    if (text === undefined) this.portJson.set(np, (text = JSON.stringify(np)));
    return text;
  }
}

export function npPort(p: PortSpec): NpPort {
  switch (p.kind) {
    case 'number':
      return { protocol: p.protocol, port: p.port };
    case 'named':
      return { protocol: p.protocol, port: p.name };
    case 'range':
      return { protocol: p.protocol, port: p.start, endPort: p.end };
    case 'all':
      return { protocol: p.protocol };
  }
}

function nsSelector(ns: string): LabelSelector {
  return { matchLabels: { [NAMESPACE_LABEL]: ns } };
}

function ipBlocks(cidrs: string[]): NpPeer[] {
  return [...new Set(cidrs)].sort(compareCidrs).map((cidr) => ({ ipBlock: { cidr } }));
}

/** Never pushed to: a rule's ids are copied before a second peer joins. */
const NO_IDS: number[] = [];

/** Renders one IR rule as one or more NetworkPolicy rules (the apiserver needs its own ports). */
function renderRule(intent: PolicyIntent, direction: Direction, rule: PolicyRule, r: Renderer, out: NpRule[]): void {
  const ports = r.rulePorts(direction, rule.ports);
  // `world` is everything, pods included: only a rule without peers says that on every CNI
  // (an ipBlock 0.0.0.0/0 does not match pods on Cilium, for one). The webhook source is
  // left open on its port (see the module comment), and so is Cilium's Ingress proxy, which no
  // NetworkPolicy peer selects: it is no pod, and Cilium's CIDR selectors never select an
  // identity Cilium manages (metadata.ts CILIUM_INGRESS_NOTE).
  const unresolved = unresolvedFqdns(rule);
  if (unresolved.length > 0) r.w.add('fqdn-unresolved', intent, unresolvedFqdnMessage('NetworkPolicy', unresolved), { direction, rule: rule.explanation.id });
  if (hasKind(rule, 'world') || (direction === 'ingress' && hasKind(rule, 'apiserver')) || hasKind(rule, 'cilium-ingress') || unresolved.length > 0) {
    out.push({ peers: [], ids: [], ports, anySource: true });
    return;
  }
  // The first IR peer's rendering is used as is (most rules have one), copied once a second one joins it.
  let peers: NpPeer[] | undefined;
  let ids = NO_IDS;
  let copied = false;
  let extra: NpRule[] | undefined;
  for (const p of rule.peers) {
    warnPeer(intent, direction, rule, p, r.w);
    const rendered = r.peer(p);
    if (rendered.extra.length > 0) extra = extra === undefined ? rendered.extra : extra.concat(rendered.extra);
    if (rendered.peers.length === 0) continue;
    if (peers === undefined) {
      peers = rendered.peers;
      ids = rendered.ids;
      continue;
    }
    if (!copied) {
      peers = peers.slice();
      ids = ids.slice();
      copied = true;
    }
    for (let i = 0; i < rendered.peers.length; i++) {
      peers.push(rendered.peers[i]!);
      ids.push(rendered.ids[i]!);
    }
  }
  // Lists grown by pushes are copied exact in size: the manifests keep them.
  if (peers !== undefined) out.push(copied ? { peers: peers.slice(), ids, ports, anySource: false } : { peers, ids, ports, anySource: false });
  if (extra !== undefined) for (const e of extra) out.push(e);
}

export function hasKind(rule: PolicyRule, kind: PolicyPeer['kind']): boolean {
  for (const p of rule.peers) if (p.kind === kind) return true;
  return false;
}

/**
 * The names of a rule's FQDN peers with no known address, on an engine that has no FQDN rule.
 * Rendering nothing for them would cut what the rule allows (a documented must rule, at that);
 * such a rule allows any destination on its ports instead — looser than intended, never
 * cutting required traffic — and says so (`fqdn-unresolved`).
 */
export function unresolvedFqdns(rule: PolicyRule): string[] {
  const names: string[] = [];
  for (const p of rule.peers) if (p.kind === 'fqdn' && p.ips.length === 0) names.push(p.name);
  return names;
}

/** The `fqdn-unresolved` warning of an engine without FQDN rules (`engine`: how the message names it). */
export function unresolvedFqdnMessage(engine: string, names: readonly string[]): string {
  const wildcards = names.filter((n) => n.startsWith('*.'));
  const others = names.filter((n) => !n.startsWith('*.'));
  const unknown = others.length > 0 ? `no address is known for ${others.join(', ')}` : '';
  let why = unknown;
  if (wildcards.length > 0) {
    const list = wildcards.join(', ');
    why =
      wildcards.length === 1
        ? `a wildcard name (${list}) stands for names not seen yet, so it is never rendered as the addresses seen`
        : `wildcard names (${list}) stand for names not seen yet, so they are never rendered as the addresses seen`;
    if (unknown !== '') why += `, and ${unknown}`;
  }
  return `${engine} has no FQDN rule and ${why}: the rule allows any destination on its ports instead (looser than intended; the cilium engine renders toFQDNs)`;
}

/** What the engine cannot say about a peer, at each rule it appears in. */
function warnPeer(intent: PolicyIntent, direction: Direction, rule: PolicyRule, p: PolicyPeer, w: Warnings): void {
  if (p.kind !== 'apiserver' && p.kind !== 'nodes' && p.kind !== 'fqdn') return;
  const where = { direction, rule: rule.explanation.id };
  switch (p.kind) {
    case 'apiserver':
      if (p.endpoints.length === 0) w.add('apiserver-no-endpoints', intent, 'no endpoint of default/kubernetes is known: import the inventory (EndpointSlices) to allow the apiserver by IP', where);
      return;
    case 'nodes':
      if (p.ips.length === 0) w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node IP blocks on this engine', where);
      return;
    case 'fqdn':
      if (p.ips.length > 0) w.add('fqdn-as-ips', intent, `NetworkPolicy has no FQDN rule: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where);
      return;
  }
}

function renderPeer(p: PolicyPeer, extra: NpRule[], ids: JsonIds): NpPeer[] {
  switch (p.kind) {
    case 'pods':
      return [p.namespace === undefined ? { podSelector: p.selector } : { namespaceSelector: nsSelector(p.namespace), podSelector: p.selector }];
    case 'namespace':
      return [p.namespace === undefined ? { podSelector: {} } : { namespaceSelector: nsSelector(p.namespace) }];
    case 'dns':
      return [{ namespaceSelector: nsSelector(p.namespace), podSelector: p.selector }];
    case 'apiserver': {
      // Egress: one rule per endpoint port, on the endpoint IPs (post-DNAT address and port).
      const byPort = new Map<string, { port: NpPort; ips: string[] }>();
      for (const e of p.endpoints) {
        const k = `${e.protocol}/${e.port}`;
        const entry = byPort.get(k) ?? { port: { protocol: e.protocol, port: e.port }, ips: [] };
        entry.ips.push(hostCidr(e.ip));
        byPort.set(k, entry);
      }
      for (const { port, ips } of byPort.values()) {
        const peers = ipBlocks(ips);
        extra.push({ peers, ids: peers.map((np) => ids.id(np)), ports: [port], anySource: false });
      }
      return [];
    }
    case 'nodes':
      return ipBlocks(p.ips.map(hostCidr));
    case 'cidr': {
      const except = allExcept(p);
      return [{ ipBlock: except.length > 0 ? { cidr: p.cidr, except } : { cidr: p.cidr } }];
    }
    case 'fqdn':
      return ipBlocks(p.ips.map(hostCidr));
    case 'selected-namespaces':
      // An empty namespaceSelector selects every namespace, an absent podSelector every pod of them (NetworkPolicyPeer API).
      return [Object.keys(p.selector).length === 0 ? { namespaceSelector: p.namespaceSelector } : { namespaceSelector: p.namespaceSelector, podSelector: p.selector }];
    case 'world':
    case 'cilium-ingress':
      throw new Error(`a rule with a ${p.kind} peer is rendered without peers (renderRule)`);
  }
}

/**
 * Identical rendered rules (e.g. two IR rules that fell back to the same IPs) collapse; the
 * order stays the IR's canonical rule order. A rule is only compared in full with the others
 * when one before it began with the same peer, which is rare: IR rules of a direction never
 * share a peer.
 */
function uniqueRules(rules: NpRule[], r: Renderer): NpRule[] {
  const firsts = new Set<number>();
  const out: NpRule[] = [];
  for (const rule of rules) {
    const first = rule.ids.length > 0 ? rule.ids[0]! : -1;
    if (!firsts.has(first)) firsts.add(first);
    else if (out.some((kept) => r.sameRule(kept, rule))) continue;
    out.push(rule);
  }
  return out;
}

/** A direction's rules, before they are named `from` (ingress) or `to` (egress). */
function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, r: Renderer): NpRule[] {
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return [];
    case 'allow-all':
      return [{ peers: [], ids: [], ports: d.ports.map(npPort), anySource: true }];
    case 'rules': {
      const rules: NpRule[] = [];
      for (const rule of d.rules) renderRule(intent, direction, rule, r, rules);
      return uniqueRules(rules, r);
    }
  }
}

function ingressRule(rule: NpRule, ids: JsonIds): NetworkPolicyIngressRule {
  const out: NetworkPolicyIngressRule = {};
  if (!rule.anySource) out.from = sortedPeers(rule, ids);
  if (rule.ports.length > 0) out.ports = rule.ports;
  return out;
}

function egressRule(rule: NpRule, ids: JsonIds): NetworkPolicyEgressRule {
  const out: NetworkPolicyEgressRule = {};
  if (!rule.anySource) out.to = sortedPeers(rule, ids);
  if (rule.ports.length > 0) out.ports = rule.ports;
  return out;
}

export function subjectSelector(intent: PolicyIntent): LabelSelector {
  switch (intent.subject.kind) {
    case 'workload':
      return intent.subject.selector;
    case 'namespace':
      return {};
    case 'namespaces':
      return intent.subject.selector;
  }
}

/** Host-network pods share the node's network namespace: a pod policy would not apply. */
export function hostNetworkSkipped(intent: PolicyIntent, w: Warnings, engine: string): boolean {
  if (intent.subject.kind !== 'workload' || !intent.subject.hostNetwork) return false;
  w.add(
    'host-network-subject',
    intent,
    `the workload runs in the host network: ${engine} cannot isolate it, so no policy is emitted (restrict it on the node instead)`,
  );
  return true;
}

function emitIntent(given: PolicyIntent, r: Renderer, options: EmitOptions): Emitted<NetworkPolicy>[] {
  const explained = explainedIntent(given);
  if (hostNetworkSkipped(explained, r.w, 'NetworkPolicy')) return [];
  const intent = withoutEcho(explained, r.w, { kind: 'NetworkPolicy' });
  const namespaces = intent.subject.kind === 'namespaces' ? intent.subject.namespaces : [intent.namespace!];
  const policyTypes: NetworkPolicyType[] = [];
  if (intent.ingress.mode !== 'none') policyTypes.push('Ingress');
  if (intent.egress.mode !== 'none') policyTypes.push('Egress');
  const rendered = renderDirection(intent, 'ingress', intent.ingress, r);
  const ownNode = ownNodeRule(intent, rendered, r, options);
  const ingress = (ownNode === undefined ? rendered : [...rendered, ownNode]).map((rule) => ingressRule(rule, r.ids));
  const egress = renderDirection(intent, 'egress', intent.egress, r).map((rule) => egressRule(rule, r.ids));
  const rules = ownNode === undefined ? intentRulesAnnotation(intent) : rulesAnnotation([ownNodeLine(intent.ownNode!), ...directionLines('ingress', intent.ingress), ...directionLines('egress', intent.egress)]);
  const name = policyName(intent.key);
  return namespaces.map((ns) => {
    const spec: NetworkPolicySpec = { podSelector: subjectSelector(intent), policyTypes };
    // A restricted direction whose rules all proved inexpressible stays isolated (no rules).
    if (ingress.length > 0) spec.ingress = ingress;
    if (egress.length > 0) spec.egress = egress;
    return { apiVersion: NETWORK_POLICY_API_VERSION, kind: NETWORK_POLICY_KIND, metadata: annotatedMetadata(intent, name, ns, rules), spec };
  });
}

/**
 * The rule letting the pods' own node in on the ports it reached them on (PolicyIntent.ownNode),
 * where Cilium polices the local host and matches a node's address against it; undefined
 * elsewhere, where the ingress is open, or where a rule already lets every source in on every
 * port. Under `allow-localhost: policy` the agent lets the local host into a pod only where a rule
 * allows it (cilium/cilium pkg/policy mapstate.go determineAllowLocalhostIngress: only when
 * `AlwaysAllowLocalhost()`), so an isolating NetworkPolicy cuts the kubelet's probes; a
 * NetworkPolicy cannot name the host, but with `policy-cidr-match-mode: nodes` the agent gives the
 * local host identity the CIDR labels of its node's addresses (pkg/node/manager.go
 * nodeIdentityLabels, pkg/ipcache metadata.go resolveIdentity), which an ipBlock of them selects.
 * Every node's: the pods may run on any; a remote node matches it too, on these ports only.
 */
function ownNodeRule(intent: PolicyIntent, rendered: readonly NpRule[], r: Renderer, options: EmitOptions): NpRule | undefined {
  const own = intent.ownNode;
  if (own === undefined || !options.ciliumLocalHostUnderPolicy || !options.ciliumCidrMatchesNodes) return undefined;
  if (intent.ingress.mode === 'none' || rendered.some((x) => x.anySource && x.ports.length === 0)) return undefined;
  const peer = r.peer(own.nodes);
  return { peers: peer.peers, ids: peer.ids, ports: r.portList(own.ports), anySource: false };
}

/** The rules annotation's line of the own-node rule, first (as the cilium engine's local-host line). */
function ownNodeLine(own: OwnNodeIngress): string {
  return `${ruleLine('ingress', own.explanation)}: from every node's addresses, as Cilium lets the local host into a pod only by a rule under allow-localhost: policy, and matches a node's address against it under policy-cidr-match-mode: nodes (cilium-config)`;
}

export const kubernetesEngine: Engine<'kubernetes'> = {
  name: 'kubernetes',
  renders: 'networking.k8s.io/v1 NetworkPolicy',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult<'kubernetes'> {
    const r = new Renderer(new Warnings('kubernetes'), options);
    const manifests: Emitted<NetworkPolicy>[] = [];
    for (const intent of set.intents) for (const m of emitIntent(intent, r, options)) manifests.push(m);
    return { engine: 'kubernetes', manifests: sortManifests(manifests), warnings: r.w.sorted() };
  },
};
