/**
 * `clusternetworkpolicy`: policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (standard
 * channel), everything in the Baseline tier, as the Flux controller chart does: a developer's
 * own NetworkPolicy still takes precedence, and flowmatrix never overrides it from Admin.
 *
 * A ClusterNetworkPolicy does not isolate what it selects, so the NetworkPolicy semantics of
 * the IR are rebuilt with priorities (lower = first): Accept policies for the allowlists and
 * shared rules, then an isolation policy per restricted subject that Denies the rest, then the
 * namespace default-deny. Limits are enforced by deterministic splitting: ≤ 25 rules per
 * direction (more → `name--1`, `name--2`, … at the same priority, all Accept so order is moot),
 * ≤ 25 peers and ≤ 25 protocols per rule (more → several rules), ≤ 25 networks per peer.
 * Ingress peers can only be pods and namespaces: `world` and the apiserver (webhooks) as
 * sources are every pod (`namespaces: {}`), which is exact since the ingress isolation denies
 * pods only; nodes and CIDRs are reported as not expressible — nodes are not denied either, but
 * the pods an address block holds are (the isolation denies every pod). An
 * egress rule lost for want of an address turns the egress isolation into a Pass: the output
 * may be looser than intended, never cutting required traffic.
 */
import type { AppliedPolicy, LabelSelector } from '../../domain/inventory.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { chunks } from './chunks.ts';
import { compareCidrs, hostCidr, subtractCidrs } from '../../domain/ip.ts';
import type { Direction, DirectionPolicy, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec, RuleExplanation } from '../policy/ir.ts';
import { allExcept } from '../policy/build.ts';
import { chunkName, clusterPolicyName, clusterWideName, formerClusterWideName, shortHash } from '../policy/names.ts';
import { JsonIds } from './json-ids.ts';
import { NamedPortsAsNumbers } from './named-ports-as-numbers.ts';
import { hasKind, hostNetworkSkipped, NAMESPACE_LABEL, unresolvedFqdnMessage, unresolvedFqdns } from './kubernetes.ts';
import { explainedIntent, withoutEcho, managedByFlowmatrix, metadata, ruleLine, sortManifests, Warnings } from './metadata.ts';
import type { EmitOptions, Engine, EmitResult, EngineManifests } from './types.ts';
import {
  CNP_API_VERSION,
  CNP_KIND,
  isClusterNetworkPolicy,
  type ClusterNetworkPolicy,
  type CnpAction,
  type CnpEgressPeer,
  type CnpEgressRule,
  type CnpIngressRule,
  type CnpPort,
  type CnpProtocol,
  type CnpSubject,
} from './wire/clusternetworkpolicy.ts';

export const CNP_MAX_RULES = 25;
export const CNP_MAX_PEERS = 25;
export const CNP_MAX_PROTOCOLS = 25;
export const CNP_MAX_NETWORKS = 25;
const MAX_RULE_NAME = 100;

export interface CnpPriorities {
  shared: number;
  allowlist: number;
  isolation: number;
  defaultDeny: number;
}
export const DEFAULT_CNP_PRIORITY: CnpPriorities = { shared: 100, allowlist: 200, isolation: 500, defaultDeny: 1000 };

/**
 * A rule's peer. Egress peers are a superset of ingress ones (pods, namespaces): ingress rules
 * only ever get pods and namespaces (networks and nodes are not expressible there, renderRule).
 */
type Peer = CnpEgressPeer;
/** A rule before it is named for its direction (`from` on ingress, `to` on egress). */
interface CnpRule {
  name: string;
  action: CnpAction;
  peers: Peer[];
  protocols: CnpProtocol[];
  /** The IR rule's explanation, for the `flowmatrix.io/rules` line (a rule name holds 100 characters: status and id only). */
  explanation?: RuleExplanation;
}

const ALL_NETWORKS = ['0.0.0.0/0', '::/0'];
const nsSel = (ns: string): LabelSelector => ({ matchLabels: { [NAMESPACE_LABEL]: ns } });

export function cnpProtocol(p: PortSpec): CnpProtocol {
  // The API's named port carries no protocol: the container port's own protocol applies. Only a
  // name of no known number gets here (Renderer.podPorts).
  if (p.kind === 'named') return { destinationNamedPort: p.name };
  const destinationPort: CnpPort = p.kind === 'number' ? { number: p.port } : p.kind === 'range' ? { range: { start: p.start, end: p.end } } : { range: { start: 1, end: 65535 } };
  switch (p.protocol) {
    case 'TCP':
      return { tcp: { destinationPort } };
    case 'UDP':
      return { udp: { destinationPort } };
    case 'SCTP':
      return { sctp: { destinationPort } };
  }
}

interface Rendered<T = Peer> {
  value: T;
  id: number;
}

/** Peers with their ids, and the ports they are allowed on. */
interface Group {
  peers: Rendered[];
  ports: readonly PortSpec[];
}

/**
 * Renderings shared within one emit: IR peers and ports are shared objects and render the
 * same in every intent (see the kubernetes engine), except a namespace-less pods or namespace
 * peer, which is in the intent's namespace; warnings are added per occurrence. Nothing
 * modifies a rendering once built.
 */
class Renderer {
  readonly ids = new JsonIds();
  private readonly peers = new Map<PolicyPeer, Rendered>();
  /** Namespace-less peers, by the intent's namespace. */
  private readonly localPeers = new Map<string, Map<PolicyPeer, Rendered>>();
  private readonly cidrs = new Map<PolicyPeer, string[]>();
  private readonly networks = new Map<string, Rendered[]>();
  private readonly apiserverGroups = new Map<PolicyPeer, Group[]>();
  private readonly protocols = new Map<PortSpec, Rendered<CnpProtocol>>();
  private readonly protocolLists = new Map<string, CnpProtocol[]>();
  private readonly podPortNumbers = new NamedPortsAsNumbers();

  /**
   * Ids of the egress rules of the intent being rendered that lost a peer the isolation would
   * deny (no address known for it): that direction is then passed on, not denied (emitIntent).
   */
  readonly lost: string[] = [];

  constructor(readonly w: Warnings) {}

  /** The peer of a pods, namespace or dns peer; `ns`: the intent's namespace. */
  peer(p: PolicyPeer, ns: string | undefined): Rendered {
    let cache = this.peers;
    if ((p.kind === 'pods' || p.kind === 'namespace') && p.namespace === undefined) {
      cache = this.localPeers.get(ns!) ?? new Map<PolicyPeer, Rendered>();
      this.localPeers.set(ns!, cache);
    }
    let r = cache.get(p);
    if (r === undefined) {
      cache.set(p, (r = this.ids.canonical(renderPeer(p, ns))));
    }
    return r;
  }

  /** The host CIDRs of a nodes or fqdn peer's IPs, or what a cidr peer's block leaves after its exceptions. */
  peerCidrs(p: PolicyPeer): string[] {
    let cidrs = this.cidrs.get(p);
    if (cidrs === undefined) this.cidrs.set(p, (cidrs = renderCidrs(p)));
    return cidrs;
  }

  /** networkPeers(cidrs), shared by every list of the same CIDRs. */
  networkPeers(cidrs: readonly string[]): Rendered[] {
    const sorted = [...new Set(cidrs)].sort(compareCidrs);
    const key = sorted.join(',');
    let peers = this.networks.get(key);
    if (peers === undefined) {
      peers = [];
      for (let i = 0; i < sorted.length; i += CNP_MAX_NETWORKS) {
        peers.push(this.ids.canonical<Peer>({ networks: sorted.slice(i, i + CNP_MAX_NETWORKS) }));
      }
      this.networks.set(key, peers);
    }
    return peers;
  }

  /** An apiserver egress peer's groups: its endpoint IPs, per endpoint port. */
  apiserver(p: PolicyPeer & { kind: 'apiserver' }): Group[] {
    let groups = this.apiserverGroups.get(p);
    if (groups === undefined) {
      const byPort = new Map<string, { port: PortSpec; ips: string[] }>();
      for (const e of p.endpoints) {
        const k = `${e.protocol}/${e.port}`;
        const entry = byPort.get(k) ?? { port: { kind: 'number', protocol: e.protocol, port: e.port }, ips: [] };
        entry.ips.push(hostCidr(e.ip));
        byPort.set(k, entry);
      }
      groups = [];
      for (const { port, ips } of byPort.values()) groups.push({ peers: this.networkPeers(ips), ports: [port] });
      this.apiserverGroups.set(p, groups);
    }
    return groups;
  }

  /**
   * Ports toward pods as the standard channel can write them: a named port with the numbers
   * synthesis knew for it (the destinations' on egress, the subject's pods' on ingress) as those
   * numbers. The standard channel's CRD has no `destinationNamedPort`: kubernetes-sigs/network-policy-api#392
   * ("Make NamedPort experimental again") marks it `<network-policy-api:experimental>`. A name of
   * no known number stays a name (namedPortWarnings).
   */
  podPorts(ports: readonly PortSpec[]): readonly PortSpec[] {
    return this.podPortNumbers.of(ports);
  }

  /** uniqueSortedBy(ports.map(cnpProtocol), JSON.stringify), shared by equal lists. */
  protocolList(ports: readonly PortSpec[]): CnpProtocol[] {
    if (ports.length === 0) return [];
    const rendered: Rendered<CnpProtocol>[] = [];
    let key = '';
    for (const p of ports) {
      const r = this.protocol(p);
      rendered.push(r);
      key += `${r.id},`;
    }
    let list = this.protocolLists.get(key);
    if (list === undefined) {
      list = [];
      for (const r of this.ids.sortedUnique(rendered)) list.push(r.value);
      this.protocolLists.set(key, list);
    }
    return list;
  }

  private protocol(p: PortSpec): Rendered<CnpProtocol> {
    let r = this.protocols.get(p);
    if (r === undefined) {
      const value = cnpProtocol(p);
      this.protocols.set(p, (r = { value, id: this.ids.id(value) }));
    }
    return r;
  }
}

function renderPeer(p: PolicyPeer, ns: string | undefined): Peer {
  switch (p.kind) {
    case 'selected-namespaces':
      // An empty selector selects every namespace, today's and future ones.
      return Object.keys(p.selector).length === 0 ? { namespaces: p.namespaceSelector } : { pods: { namespaceSelector: p.namespaceSelector, podSelector: p.selector } };
    case 'pods':
      return { pods: { namespaceSelector: nsSel(p.namespace ?? ns!), podSelector: p.selector } };
    case 'namespace':
      return { namespaces: nsSel(p.namespace ?? ns!) };
    case 'dns':
      return { pods: { namespaceSelector: nsSel(p.namespace), podSelector: p.selector } };
    default:
      throw new Error(`a ${p.kind} peer renders to no pod or namespace peer`);
  }
}

function renderCidrs(p: PolicyPeer): string[] {
  switch (p.kind) {
    case 'nodes':
    case 'fqdn':
      return p.ips.map(hostCidr);
    case 'cidr': {
      // No except in `networks`: the block is rendered as what its holes leave of it.
      const except = allExcept(p);
      return except.length > 0 ? subtractCidrs(p.cidr, except) : [p.cidr];
    }
    default:
      throw new Error(`a ${p.kind} peer renders to no networks`);
  }
}

function ruleName(e: RuleExplanation, part: number, parts: number): string {
  const suffix = parts > 1 ? ` (${part + 1}/${parts})` : '';
  // An implied rule's id already says so (`implied:egress:dns:…`): not `implied implied:…`.
  const base = e.id.startsWith(`${e.status}:`) ? e.id : `${e.status} ${e.id}`;
  if (base.length + suffix.length <= MAX_RULE_NAME) return base + suffix;
  const hash = shortHash(base);
  return `${base.slice(0, MAX_RULE_NAME - suffix.length - hash.length - 2)}… ${hash}${suffix}`;
}

function where(direction: Direction, rule: Pick<PolicyRule, 'explanation'>): { direction: Direction; rule: string } {
  return { direction, rule: rule.explanation.id };
}

const NAMED_PORT_EXPERIMENTAL = "the standard channel's ClusterNetworkPolicy CRD has no destinationNamedPort (an experimental-channel field since kubernetes-sigs/network-policy-api#392)";

/**
 * What became of the named ports of a rule toward pods (Renderer.podPorts): several numbers are
 * wider than the name, which each pod resolves to its own (a rollout's ReplicaSets giving `http`
 * 8080 and 9090 open 9090 on the old pods too); a name of no known number stays a name, which the
 * standard channel refuses (the verification says so: verify/crd-channel.ts).
 */
function namedPortWarnings(intent: PolicyIntent, direction: Direction, rule: Pick<PolicyRule, 'explanation'>, ports: readonly PortSpec[], w: Warnings): void {
  for (const p of ports) {
    if (p.kind !== 'named') continue;
    if (p.numbers === undefined) {
      w.add('named-port-experimental', intent, `port name ${p.name} kept as destinationNamedPort, as no number is known for it on the rule's pods: ${NAMED_PORT_EXPERIMENTAL}, so this policy applies only where the experimental-channel CRD is installed; name the port by its number, or declare it in the pods' container ports`, where(direction, rule));
    } else if (p.numbers.length > 1) {
      w.add('named-port-as-numbers', intent, `port name ${p.name} rendered as its numbers ${p.numbers.join(', ')}, as ${NAMED_PORT_EXPERIMENTAL}: each number is open on every pod the rule names, wider than the name, which each pod resolves to its own`, where(direction, rule));
    }
  }
}

function notExpressible(intent: PolicyIntent, direction: Direction, rule: PolicyRule, what: string, w: Warnings, denied = 'such traffic is not denied by it either'): void {
  w.add('peer-not-expressible', intent, `ClusterNetworkPolicy ingress cannot match ${what} (only pods and namespaces): no rule emitted; ${denied}`, where(direction, rule));
}

/**
 * What the isolation does to an ingress address block's traffic: it denies `namespaces: {}`, which
 * "selects all pods" of every namespace (ClusterNetworkPolicyIngressPeer), so the pods whose
 * addresses the block holds pass only by a pods or namespace peer — a documented block gets one
 * for each workload the inventory shows in it (synthesize/block-holders.ts); only its addresses
 * that are no pod are left open.
 */
const BLOCK_PODS_DENIED =
  "the ingress isolation denies every pod, so pods whose addresses it holds pass only by a pods or namespace peer: the rule names beside it the pods the inventory shows in the block (its explanation says which), and a pod they do not select that gets an address in it later is denied until the recommendation is made again (addresses that are no pod's are not denied by it)";

const CILIUM_INGRESS_NOT_DENIED = 'the ingress isolation denies pods only, so the proxy is not denied by it either: its traffic passes on every port';

const ALL_PODS: PolicyPeer = { kind: 'selected-namespaces', namespaceSelector: {}, selector: {} };
const EVERYTHING: PolicyPeer = { kind: 'cidr', cidr: '0.0.0.0/0', except: [] };
const EVERYTHING_V6: PolicyPeer = { kind: 'cidr', cidr: '::/0', except: [] };

/**
 * The peers that stand for "any peer" when the rule has one that means it: `world` (everything),
 * on ingress the apiserver (an admission webhook's port stays open to every source, as on
 * the other engines: seed 003), or on egress Cilium's Ingress proxy, which no peer of the API
 * selects (metadata.ts CILIUM_INGRESS_NOTE). Egress: every pod and `networks` 0.0.0.0/0, ::/0,
 * what the egress isolation denies (everyone). The CRD says such networks match "all IPv4
 * pod-to-pod traffic as well" (ClusterNetworkPolicyEgressPeer.networks), but Cilium (1.20 on)
 * makes them CIDR selectors (pkg/k8s/cluster_network_policy.go kcnpParseCIDRSelectors), which
 * select no pod: networks alone would leave the isolation's `namespaces: {}` cutting every pod.
 * Ingress has no networks peer: `namespaces: {}` accepts every pod, and what is not a pod is never
 * denied by the ingress isolation (it denies pods only), so the rule stays exact — and the proxy,
 * no pod, needs no rule there at all (renderRule).
 */
function anyPeer(direction: Direction, rule: PolicyRule): PolicyPeer[] | undefined {
  // An FQDN of no known address: any destination on the rule's ports (kubernetes.ts unresolvedFqdns).
  const unresolved = direction === 'egress' && unresolvedFqdns(rule).length > 0;
  const proxyIsAny = direction === 'egress' && hasKind(rule, 'cilium-ingress');
  if (!hasKind(rule, 'world') && !(direction === 'ingress' && hasKind(rule, 'apiserver')) && !proxyIsAny && !unresolved) return undefined;
  // On named ports the networks get the numbered ones only (networkGroups): a port name exists on pods only.
  return direction === 'ingress' ? [ALL_PODS] : [ALL_PODS, EVERYTHING, EVERYTHING_V6];
}

const hasNamedPort = (ports: readonly PortSpec[]): boolean => ports.some((p) => p.kind === 'named');

/** A port list's named ports (which only pods have) and the others. */
function namedApart(ports: readonly PortSpec[]): { names: string[]; named: PortSpec[]; numbered: PortSpec[] } {
  const named = ports.filter((p) => p.kind === 'named');
  return { names: named.map((p) => (p.kind === 'named' ? p.name : '')), named, numbered: ports.filter((p) => p.kind !== 'named') };
}

/**
 * The groups of a rule's address peers (networks: CIDRs, nodes, resolved names). The CRD refuses
 * them beside a named port ("networks/nodes/domainNames peer cannot be set with namedPorts since
 * there are no namedPorts for networks/nodes/domainNames": the experimental CRD's CEL rule;
 * destinationNamedPort "can't be used in a rule that targets resources without named ports (e.g.
 * Nodes or Networks)"), and a port name exists on pods only, so on every engine
 * an address never matches one: they get the rule's numbered ports only, and the named ports are
 * said to be left out for them (nothing is lost: no such traffic matched anywhere).
 */
function networkGroups(intent: PolicyIntent, direction: Direction, rule: PolicyRule, networks: Rendered[], w: Warnings): Group[] {
  if (networks.length === 0) return [];
  if (!hasNamedPort(rule.ports)) return [{ peers: networks, ports: rule.ports }];
  const { names, numbered } = namedApart(rule.ports);
  w.add('peer-not-expressible', intent, `addresses (networks) on the named port(s) ${names.join(', ')}: a port name exists on pods only, and the ClusterNetworkPolicy API refuses networks peers with destinationNamedPort; left out for them (no address matches a named port on any engine)`, where(direction, rule));
  return numbered.length > 0 ? [{ peers: networks, ports: numbered }] : [];
}

/** One IR rule → CNP rules, each within the peer and protocol limits. */
function renderRule(intent: PolicyIntent, direction: Direction, rule: PolicyRule, r: Renderer, out: CnpRule[]): void {
  const w = r.w;
  const ns = intent.namespace;
  const peers: Rendered[] = [];
  const nets: string[] = [];
  let separate: Group[] = [];
  const unresolved = unresolvedFqdns(rule);
  if (unresolved.length > 0) w.add('fqdn-unresolved', intent, unresolvedFqdnMessage('the standard ClusterNetworkPolicy', unresolved), where(direction, rule));
  for (const p of anyPeer(direction, rule) ?? rule.peers) {
    switch (p.kind) {
      case 'pods':
      case 'namespace':
      case 'selected-namespaces':
      case 'dns':
        peers.push(r.peer(p, ns));
        break;
      case 'apiserver':
        if (direction === 'ingress') throw new Error('an ingress apiserver peer is rendered as any source (anyPeer)');
        else if (p.endpoints.length === 0) {
          w.add('apiserver-no-endpoints', intent, 'no endpoint of default/kubernetes is known: the apiserver cannot be allowed by address', where(direction, rule));
          r.lost.push(rule.explanation.id);
        }
        else separate = separate.concat(r.apiserver(p));
        break;
      case 'nodes':
        if (direction === 'ingress') notExpressible(intent, direction, rule, 'nodes (host network)', w);
        else if (p.ips.length === 0) {
          w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node addresses on this engine', where(direction, rule));
          r.lost.push(rule.explanation.id);
        }
        else for (const cidr of r.peerCidrs(p)) nets.push(cidr);
        break;
      case 'cidr':
        if (direction === 'ingress') notExpressible(intent, direction, rule, `the address block ${p.cidr}`, w, BLOCK_PODS_DENIED);
        else for (const cidr of r.peerCidrs(p)) nets.push(cidr);
        break;
      case 'fqdn':
        // Egress with no address known is any destination (anyPeer); ingress has no networks peer.
        if (p.ips.length === 0) {
          notExpressible(intent, direction, rule, `the name ${p.name}`, w);
          break;
        }
        w.add('fqdn-as-ips', intent, `the standard ClusterNetworkPolicy has no FQDN peer: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where(direction, rule));
        for (const cidr of r.peerCidrs(p)) nets.push(cidr);
        break;
      case 'cilium-ingress':
        // Ingress peers are pods and namespaces only (ClusterNetworkPolicyIngressPeer), and the
        // isolation denies pods only: the proxy, no pod, is neither matched nor denied — an Accept
        // from every pod would open the port to the whole cluster and allow nothing more.
        if (direction === 'ingress') notExpressible(intent, direction, rule, "Cilium's Ingress / Gateway API proxy", w, CILIUM_INGRESS_NOT_DENIED);
        else throw new Error('an egress peer of Cilium\'s Ingress proxy is rendered as any destination (anyPeer)');
        break;
      case 'world':
        throw new Error(`a ${p.kind} peer is rendered as any peer (anyPeer)`);
    }
  }
  const networks = nets.length > 0 ? r.networkPeers(nets) : [];
  let groups: Group[];
  if (hasNamedPort(rule.ports)) {
    if (peers.length > 0) namedPortWarnings(intent, direction, rule, rule.ports, w);
    groups = [...(peers.length > 0 ? [{ peers, ports: r.podPorts(rule.ports) }] : []), ...networkGroups(intent, direction, rule, networks, w), ...separate];
  }
  else groups = peers.length + networks.length > 0 ? [{ peers: [...peers, ...networks], ports: rule.ports }, ...separate] : separate;
  const pieces: Piece[] = [];
  for (const g of groups) {
    const values: Peer[] = [];
    for (const p of r.ids.sortedUnique(g.peers)) values.push(p.value);
    const peerChunks = values.length > CNP_MAX_PEERS ? chunks(values, CNP_MAX_PEERS) : [values];
    for (const pc of peerChunks) pieces.push(...inProtocolLimit(pc, g.ports));
  }
  acceptPieces(rule.explanation, pieces, r, out);
}

/** A rule's peers and ports, within the limits. */
interface Piece {
  peers: Peer[];
  ports: readonly PortSpec[];
}

/** `peers` on `ports`, in pieces of ≤ 25 ports: the CRD's MaxItems=25 on `protocols` (clusternetworkpolicy_types.go). */
function inProtocolLimit(peers: Peer[], ports: readonly PortSpec[]): Piece[] {
  return (ports.length > CNP_MAX_PROTOCOLS ? chunks(ports, CNP_MAX_PROTOCOLS) : [ports]).map((pp) => ({ peers, ports: pp }));
}

/** One Accept rule per piece of the IR rule `explanation` explains, named `… (k/n)` when there are several. */
function acceptPieces(explanation: RuleExplanation, pieces: readonly Piece[], r: Renderer, out: CnpRule[]): void {
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    out.push({ name: ruleName(explanation, i, pieces.length), action: 'Accept', peers: piece.peers, protocols: r.protocolList(piece.ports), explanation });
  }
}

function everyone(direction: Direction): Peer[] {
  return direction === 'ingress' ? [{ namespaces: {} }] : [{ namespaces: {} }, { networks: ALL_NETWORKS }];
}

function acceptRules(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, r: Renderer): CnpRule[] {
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return [];
    case 'allow-all': {
      // Named ports on pods only (networkGroups): the numbered ones to everyone, the named ones to every pod.
      const { named, numbered } = namedApart(d.ports);
      if (named.length > 0) namedPortWarnings(intent, direction, d, named, r.w);
      const pieces =
        named.length === 0 || direction === 'ingress'
          ? inProtocolLimit(everyone(direction), r.podPorts(d.ports))
          : [...inProtocolLimit([{ namespaces: {} }], r.podPorts(named)), ...(numbered.length > 0 ? inProtocolLimit(everyone(direction), numbered) : [])];
      const out: CnpRule[] = [];
      acceptPieces(d.explanation, pieces, r, out);
      return out;
    }
    case 'rules': {
      const out: CnpRule[] = [];
      for (const rule of d.rules) renderRule(intent, direction, rule, r, out);
      return out;
    }
  }
}

function ingressRule(r: CnpRule): CnpIngressRule {
  const out: CnpIngressRule = { name: r.name, action: r.action, from: r.peers };
  if (r.protocols.length > 0) out.protocols = r.protocols;
  return out;
}

function egressRule(r: CnpRule): CnpEgressRule {
  const out: CnpEgressRule = { name: r.name, action: r.action, to: r.peers };
  if (r.protocols.length > 0) out.protocols = r.protocols;
  return out;
}

function subject(intent: PolicyIntent): CnpSubject {
  const s = intent.subject;
  switch (s.kind) {
    case 'workload':
      return { pods: { namespaceSelector: nsSel(intent.namespace!), podSelector: s.selector } };
    case 'namespace':
      return { namespaces: nsSel(intent.namespace!) };
    case 'namespaces': {
      const namespaces: LabelSelector = { matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'In', values: s.namespaces }] };
      const empty = Object.keys(s.selector).length === 0;
      return empty ? { namespaces } : { pods: { namespaceSelector: namespaces, podSelector: s.selector } };
    }
  }
}

/** The name of the intent's policy of `key` (its own, or a derived one's): a cluster-wide layer's carries its key's hash (names.ts clusterWideName). */
function nameOf(intent: PolicyIntent, key: string): string {
  return intent.subject.kind === 'namespaces' ? clusterWideName(key) : clusterPolicyName(key);
}

const CHUNK_SUFFIX = /--(\d+)$/;

/**
 * The name an earlier export gave a cluster-wide layer's manifest `name` of intent `key` (its
 * `flowmatrix.io/intent` annotation), when it differs: before bca0aaf such names did not carry the
 * key's hash (formerClusterWideName). Undefined for any other manifest: `name` must be one
 * emitIntent gives the key now (the layer's own, a chunk of it, or its isolation), so a truncated
 * annotation or a namespace's policy never matches.
 */
export function formerClusterWideManifestName(key: string, name: string): string | undefined {
  const chunk = CHUNK_SUFFIX.exec(name);
  const index = chunk === null ? undefined : Number(chunk[1]) - 1;
  for (const part of [key, `${key}/isolation`]) {
    const [now, before] = [clusterWideName(part), formerClusterWideName(part)];
    const former = name === now ? before : index !== undefined && part === key && chunkName(now, index) === name ? chunkName(before, index) : undefined;
    if (former !== undefined) return former === name ? undefined : former;
  }
  return undefined;
}

function baseName(intent: PolicyIntent): string {
  // ClusterNetworkPolicy is cluster-scoped: names carry the namespace to stay unique.
  const ns = intent.namespace;
  return ns !== undefined && !intent.key.startsWith(`${ns}/`) && !intent.key.startsWith(`${ns}-`) ? `${ns}-${intent.key}` : intent.key;
}

function manifest(intent: PolicyIntent, name: string, priority: number, ingress: CnpRule[], egress: CnpRule[], lines: string[]): EngineManifests['clusternetworkpolicy'] {
  const spec: ClusterNetworkPolicy['spec'] = { tier: 'Baseline', priority, subject: subject(intent) };
  if (ingress.length > 0) spec.ingress = ingress.map(ingressRule);
  if (egress.length > 0) spec.egress = egress.map(egressRule);
  return { apiVersion: CNP_API_VERSION, kind: CNP_KIND, metadata: metadata(intent, name, undefined, lines), spec };
}

/**
 * A direction that could not be rendered faithfully is not isolated: rather than Deny what a
 * lost rule allowed, its traffic is passed on — "Pass: skips all further ClusterNetworkPolicy
 * rules in the current tier … and passes evaluation to the next tier" (the CRD), which after
 * the Baseline tier is the default allow, so the namespace default-deny below cannot cut it
 * either. Looser than intended, never cutting required traffic; a warning says so.
 */
function passRules(intent: PolicyIntent, r: Renderer): CnpRule[] {
  const ids = [...new Set(r.lost)].sort();
  r.w.add(
    'direction-not-isolated',
    intent,
    `egress is not isolated on this engine: rule(s) ${ids.join(', ')} could not be rendered, and denying the rest would cut what they allow; egress is passed on instead (looser than intended)`,
    { direction: 'egress' },
  );
  return [{ name: 'pass other egress: a rule could not be rendered', action: 'Pass', peers: everyone('egress'), protocols: [] }];
}

function restricted(d: DirectionPolicy): boolean {
  return d.mode === 'rules' || d.mode === 'deny-all';
}

function denyRules(direction: Direction, d: DirectionPolicy): CnpRule[] {
  return restricted(d) ? [{ name: direction === 'ingress' ? 'deny all other ingress' : 'deny all other egress', action: 'Deny', peers: everyone(direction), protocols: [] }] : [];
}

/** directionLines(direction, d).slice(0, 1) of a restricted direction, without the other lines. */
function firstLine(direction: Direction, d: DirectionPolicy): string[] {
  if (d.mode === 'deny-all') return [ruleLine(direction, d.explanation)];
  if (d.mode === 'rules' && d.rules.length > 0) return [ruleLine(direction, d.rules[0]!.explanation)];
  return [];
}

function emitIntent(given: PolicyIntent, r: Renderer, prio: CnpPriorities, out: EngineManifests['clusternetworkpolicy'][]): void {
  const explained = explainedIntent(given);
  if (hostNetworkSkipped(explained, r.w, 'ClusterNetworkPolicy')) return;
  const intent = withoutEcho(explained, r.w, { kind: 'ClusterNetworkPolicy' });
  const base = baseName(intent);
  const denyLines = [...firstLine('ingress', intent.ingress), ...firstLine('egress', intent.egress)];
  if (intent.layer === 'default-deny') {
    out.push(manifest(intent, nameOf(intent, base), prio.defaultDeny, denyRules('ingress', intent.ingress), denyRules('egress', intent.egress), denyLines));
    return;
  }
  r.lost.length = 0;
  const ingress = acceptRules(intent, 'ingress', intent.ingress, r);
  const egress = acceptRules(intent, 'egress', intent.egress, r);
  const inChunks = chunks(ingress, CNP_MAX_RULES);
  const egChunks = chunks(egress, CNP_MAX_RULES);
  const n = Math.max(inChunks.length, egChunks.length);
  const acceptName = nameOf(intent, base);
  const priority = intent.layer === 'shared' ? prio.shared : prio.allowlist;
  for (let i = 0; i < n; i++) {
    const ic = inChunks[i] ?? [];
    const ec = egChunks[i] ?? [];
    const lines: string[] = [];
    for (const rule of ic) lines.push(rule.explanation ? ruleLine('ingress', rule.explanation) : `ingress ${rule.name}`);
    for (const rule of ec) lines.push(rule.explanation ? ruleLine('egress', rule.explanation) : `egress ${rule.name}`);
    out.push(manifest(intent, n === 1 ? acceptName : chunkName(acceptName, i), priority, ic, ec, lines));
  }
  const isoIn = denyRules('ingress', intent.ingress);
  const isoEg = r.lost.length > 0 && restricted(intent.egress) ? passRules(intent, r) : denyRules('egress', intent.egress);
  if (isoIn.length + isoEg.length > 0) {
    const lines = [...isolationLines(intent, 'ingress', isoIn), ...isolationLines(intent, 'egress', isoEg)];
    // A Pass comes one priority before the Deny isolations (a shared layer's selects the same
    // pods): policies of one tier and priority apply in an order the implementation chooses
    // (clusternetworkpolicy_types.go, Priority), and a Deny first would cut what the Pass leaves open.
    const passes = isoEg.some((rule) => rule.action === 'Pass');
    // A derived policy of the intent (names.ts: `-isolation` is one of the derived suffixes).
    out.push(manifest(intent, nameOf(intent, `${base}/isolation`), passes ? prio.isolation - 1 : prio.isolation, isoIn, isoEg, lines));
  }
}

/**
 * The `flowmatrix.io/rules` lines of an isolation manifest: one per Deny or Pass rule it holds
 * (docs/engines.md), never the allowlist's rules, which are in their own manifest. A deny-all
 * direction's Deny is that direction's own rule (`stacklight/curator#ingress-none`, or the implied
 * "nothing observed or documented"): its explanation; otherwise the rule isolates what the
 * allowlist above does not accept.
 */
function isolationLines(intent: PolicyIntent, direction: Direction, rules: readonly CnpRule[]): string[] {
  const d = intent[direction];
  return rules.map((rule) => {
    if (rule.action === 'Deny' && d.mode === 'deny-all') return ruleLine(direction, d.explanation);
    const text = rule.action === 'Pass' ? `${direction} left open: a rule above could not be rendered, so the rest is passed on, not denied` : `isolate the subject: deny ${direction} the rules above do not accept`;
    return ruleLine(direction, { id: `${intent.key}#${direction}`, status: 'implied', text });
  });
}

function priorities(o: EmitOptions['cnpPriority'] = {}): CnpPriorities {
  const p: CnpPriorities = { ...DEFAULT_CNP_PRIORITY, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 0 || v > 1000) throw new RangeError(`ClusterNetworkPolicy priority ${k}=${v} is not an integer in 0..1000`);
  }
  if (!inLayerOrder(p)) {
    throw new RangeError(`ClusterNetworkPolicy priorities must satisfy shared ≤ allowlist < isolation < defaultDeny (got ${JSON.stringify(p)})`);
  }
  return p;
}

const inLayerOrder = (p: CnpPriorities): boolean => p.shared <= p.allowlist && p.allowlist < p.isolation && p.isolation < p.defaultDeny;

/** The last priority: "Priority is a value from 0 to 1000 … Policies with lower priority values have higher precedence" (clusternetworkpolicy_types.go). */
const MAX_CNP_PRIORITY = 1000;

/** The applied Baseline-tier ClusterNetworkPolicies, flowmatrix's own left out. */
function appliedBaseline(applied: readonly AppliedPolicy[]): { priority: number; decidesAgainstAccept: boolean }[] {
  const out: { priority: number; decidesAgainstAccept: boolean }[] = [];
  for (const { manifest: m } of applied) {
    if (isClusterNetworkPolicy(m) && m.spec?.tier === 'Baseline' && typeof m.spec.priority === 'number' && !managedByFlowmatrix(m)) {
      const rules = [...(Array.isArray(m.spec.ingress) ? m.spec.ingress : []), ...(Array.isArray(m.spec.egress) ? m.spec.egress : [])];
      out.push({ priority: m.spec.priority, decidesAgainstAccept: rules.some((r) => isPlainObject(r) && (r.action === 'Deny' || r.action === 'Pass')) });
    }
  }
  return out;
}

/**
 * The layers' priorities beside the applied policies: "If two (or more) policies in the same tier
 * with the same priority could match a connection, then the implementation can apply any of the
 * matching policies" (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go,
 * `Priority`), so a layer whose priority an applied Baseline policy holds takes the next free one
 * after it. After, never before (lower value = evaluated first): the applied policy keeps
 * deciding first, as where it had a priority of its own, so a Deny the user applied is not
 * overridden; what it cuts is the verification's `blockedByApplied`. The layers keep their
 * order, and the isolation keeps the priority before it free for a Pass isolation (emitIntent). A
 * layer with no free priority after its own keeps its own (the verification judges the tie:
 * verify/priority-tie-readings.ts), and when that breaks the order, `base` stands whole.
 * Applied policies — flowmatrix's own left out: they are this recommendation's earlier runs, and
 * counting them would move its priorities from run to run. The shared layer also comes after every
 * applied Deny or Pass at or before the allowlists' priority: the policies of the shared layer
 * only Accept, and one evaluated first would override a Deny that the same rules, written per
 * workload (at the allowlist's priority), leave deciding — `--shared` changes how rules are
 * packaged, never what the cluster allows (as calico-orders.ts does for Calico's order).
 */
export function cnpPrioritiesBeside(applied: readonly AppliedPolicy[], base: CnpPriorities = DEFAULT_CNP_PRIORITY): CnpPriorities {
  const baseline = appliedBaseline(applied);
  if (baseline.length === 0) return base;
  const taken = new Set(baseline.map((b) => b.priority));
  const free = (p: number): boolean => !taken.has(p);
  const firstFrom = (from: number, fits: (p: number) => boolean): number | undefined => {
    for (let p = from; p <= MAX_CNP_PRIORITY; p++) if (fits(p)) return p;
    return undefined;
  };
  const denyingBefore = baseline.filter((b) => b.decidesAgainstAccept && b.priority <= base.allowlist).map((b) => b.priority);
  const sharedFrom = denyingBefore.length === 0 ? base.shared : Math.max(base.shared, Math.max(...denyingBefore) + 1);
  const shared = firstFrom(sharedFrom, free) ?? base.shared;
  const allowlist = firstFrom(Math.max(base.allowlist, shared), free) ?? base.allowlist;
  const isolation = firstFrom(Math.max(base.isolation, allowlist + 2), (p) => free(p) && free(p - 1)) ?? base.isolation;
  const defaultDeny = firstFrom(Math.max(base.defaultDeny, isolation + 1), free) ?? base.defaultDeny;
  const chosen = { shared, allowlist, isolation, defaultDeny };
  return inLayerOrder(chosen) ? chosen : base;
}

export const clusterNetworkPolicyEngine: Engine<'clusternetworkpolicy'> = {
  name: 'clusternetworkpolicy',
  renders: 'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (Baseline tier)',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult<'clusternetworkpolicy'> {
    const prio = priorities(options.cnpPriority);
    const r = new Renderer(new Warnings('clusternetworkpolicy'));
    const manifests: EngineManifests['clusternetworkpolicy'][] = [];
    for (const intent of set.intents) emitIntent(intent, r, prio, manifests);
    return { engine: 'clusternetworkpolicy', manifests: sortManifests(manifests), warnings: r.w.sorted() };
  },
};
