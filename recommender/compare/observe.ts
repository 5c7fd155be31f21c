/**
 * What observation adds to the resolved matrices, before any comparison, so that a documented
 * rule resolves to the peers it means:
 *
 * - **roles bound from observation**: a rule whose only gap is an unbound role, and whose
 *   component was seen talking to peers that can be that role (external addresses for an
 *   external role, workloads for an in-cluster one, on the rule's ports when it names them, and
 *   not already covered by an active rule), gets the role bound to those peers: origin
 *   `inferred`, the candidates and their edges listed, the binding to pin in config;
 * - **documented when set**: a rule inactive only because a parameter left at its default does
 *   not hold — one that turns on an optional part, or a view switch for a rule to a role
 *   (matrix/condition-kind.ts) — (or waiting for a role whose peers fit other readings too), which
 *   observed edges fit, names those edges, what to set and where in the cluster config (compare.ts
 *   gives them the status `documented-when-set`); a rule to a fixed peer of another view names the
 *   edges it fits (`documentsInOtherView`) without documenting them;
 * - **host-network evidence**: a host-network component's flows arrive from node addresses, so
 *   its active rules are checked against node peers too.
 *
 * An observed peer that fits two roles (or a role and a conditional rule) binds neither unless a
 * role's `recognize` (its ports, DNS name patterns) tells it apart: it is listed as ambiguous
 * under each. Pure; the same inputs give the same bytes.
 */
import { stringify } from 'yaml';
import { namedClusterDns } from '../../domain/cluster-dns.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { inClusterAddresses, type InventorySnapshot } from '../../domain/inventory.ts';
import { isIpAddress } from '../../domain/ip.ts';
import { peerKey, workloadKey, type Peer } from '../../domain/peer.ts';
import { bindingPeer, rolePeers, toResolvedPorts } from '../matrix/bindings.ts';
import { conditionConfig, conditionKind } from '../matrix/condition-kind.ts';
import { selectorIsEmpty } from '../policy/order.ts';
import { namePatternMatches } from '../matrix/syntax.ts';
import type { AmbiguousCandidate, ExpectedRule, Finding, OtherView, ResolvedComponent, ResolvedMatrix, ResolvedPeer, RoleCandidate, RoleResolution, RoleScope, WhenConfigured } from '../matrix/resolved.ts';
import type { RoleBindingT } from '../matrix/schema.ts';
import type { ClusterIndex } from './context.ts';
import { edgeMatchesRule, hostNetworkNodes, portMatches } from './match.ts';
import type { Direction } from '../../domain/direction.ts';

export interface Observation {
  inventory: InventorySnapshot;
  edges: readonly EdgeTraffic[];
  ix: ClusterIndex;
}

const unboundText = (role: string): string => `role ${role} is unbound`;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const uniqSorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort(cmp);

export function edgeText(e: EdgeTraffic): string {
  return `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`;
}

/** The peer on the far side of `e`, seen from the rule's component in `direction`. */
const farPeer = (e: EdgeTraffic, direction: Direction): Peer => (direction === 'ingress' ? e.client : e.server);

/**
 * An observed peer that can be a role of that scope. The cluster DNS is no role: not as a `dns`
 * peer, nor as a workload the DNS conventions name that the inventory lacks (a lookup).
 */
export function scopeFits(scope: RoleScope, p: Peer): boolean {
  if (p.kind === 'workload' && namedClusterDns(p.workload)) return false;
  if (scope === 'external') return p.kind === 'external';
  if (scope === 'in-cluster') return p.kind === 'workload';
  return p.kind === 'external' || p.kind === 'workload';
}

/** Edges per workload key and side, and the active rules that already cover each workload's sides. */
class EdgeIndex {
  private readonly sides = new Map<string, EdgeTraffic[]>();
  constructor(edges: readonly EdgeTraffic[]) {
    for (const e of edges) {
      if (e.server.kind === 'workload' || e.server.kind === 'dns') this.push(`ingress|${workloadKey(e.server.workload)}`, e);
      if (e.client.kind === 'workload' || e.client.kind === 'dns') this.push(`egress|${workloadKey(e.client.workload)}`, e);
      if (e.client.kind === 'node' || e.client.kind === 'kubelet') this.push('egress|<node>', e);
      if (e.server.kind === 'node') this.push('ingress|<node>', e);
    }
  }
  private push(k: string, e: EdgeTraffic): void {
    const list = this.sides.get(k);
    if (list) list.push(e);
    else this.sides.set(k, [e]);
  }
  of(direction: Direction, workload: string): readonly EdgeTraffic[] {
    return this.sides.get(`${direction}|${workload}`) ?? [];
  }
  fromNodes(direction: Direction): readonly EdgeTraffic[] {
    return this.sides.get(`${direction}|<node>`) ?? [];
  }
}

/** A rule observation may complete: waiting for an unbound role, or inactive only by a condition on defaulted parameters. */
interface Claimant {
  matrix: ResolvedMatrix;
  component: ResolvedComponent;
  rule: ExpectedRule;
  kind: 'waiting' | 'conditional';
  /**
   * Edges of one workload-side are claimed by one of these; two different claims on an edge make
   * it ambiguous. Every rule to one unbound role makes the same claim (`role s3`): it is the role
   * the edge would bind.
   */
  claim: string;
  /** How an ambiguous peer names this reading: `role s3`, or `<rule id> when <condition>`. */
  label: string;
  role?: RoleResolution;
}

interface Fit {
  edge: EdgeTraffic;
  direction: Direction;
  claimants: Claimant[];
}

function claimants(m: ResolvedMatrix): Claimant[] {
  const roles = new Map(m.roles.map((r) => [r.role, r]));
  const out: Claimant[] = [];
  for (const c of m.components) {
    // A disabled component's rules carry its condition (matrix/resolve.ts): a toggle left at its
    // default makes them documented when set like any other conditional rule.
    if (!c.present) continue;
    for (const rule of c.rules) {
      const role = rule.role !== undefined ? roles.get(rule.role) : undefined;
      const unbound = role?.origin === 'unbound';
      const gaps = rule.unresolved.filter((u) => !(unbound && u === unboundText(role.role)));
      if (gaps.length > 0) continue;
      if (unbound && rule.condition?.holds !== false) {
        out.push({ matrix: m, component: c, rule, kind: 'waiting', claim: `role ${role.role}`, label: `role ${role.role}`, role });
        continue;
      }
      const cond = rule.condition;
      const kind = conditionKind(cond, m.parameters);
      // A condition that turns on an optional part documents the edges its rule fits, whatever the
      // peer. One that switches views (Kyma's `model`) does so only for a rule to a role: the role
      // is what the edge would bind; an edge to a fixed peer of another view is only pointed out
      // (viewRules).
      if (cond && (kind === 'option' || (kind === 'view' && role))) {
        const label = `${rule.id} when ${cond.text}`;
        out.push({ matrix: m, component: c, rule, kind: 'conditional', claim: unbound ? `role ${role.role}` : label, label, ...(role ? { role } : {}) });
      }
    }
  }
  return out;
}

/**
 * Workload keys the matrix's own components select, and those its bound roles already stand for
 * (config, discovery, default): an unbound role stands for someone else, never for one of them —
 * Loki, bound as NetObserv's `loki`, is no candidate for its `exporters` when Loki is switched off.
 * A role bound to every pod of every namespace (Kyma's `otlp-clients` and `scrape-targets` by
 * default) names no one in particular: it takes nobody out (else no pod could ever be Kyma's RMA).
 */
const ownWorkloads = new WeakMap<ResolvedMatrix, Set<string>>();
function ownOf(m: ResolvedMatrix): Set<string> {
  let own = ownWorkloads.get(m);
  if (!own) {
    own = new Set(m.components.flatMap((c) => c.workloads.map(workloadKey)));
    for (const r of m.roles) {
      if (r.origin === 'unbound' || r.origin === 'inferred') continue;
      for (const p of r.peers) if (p.kind === 'pods' && !everyPod(p)) for (const w of p.workloads) own.add(workloadKey(w));
    }
    ownWorkloads.set(m, own);
  }
  return own;
}

/** Every pod of every namespace: no namespace named, an empty namespace selector and an empty pod selector. */
function everyPod(p: ResolvedPeer & { kind: 'pods' }): boolean {
  return p.namespace === undefined && p.namespaceSelector !== undefined && selectorIsEmpty(p.namespaceSelector) && selectorIsEmpty(p.selector);
}

function fits(cl: Claimant, e: EdgeTraffic, ix: ClusterIndex): boolean {
  const other = farPeer(e, cl.rule.direction);
  if (cl.role?.origin === 'unbound') {
    if (other.kind === 'workload' && ownOf(cl.matrix).has(workloadKey(other.workload))) return false;
    return scopeFits(cl.role.scope, other) && portMatches(e, cl.rule.ports, ix);
  }
  return edgeMatchesRule(e, cl.rule, ix);
}

/**
 * The role's `recognize` says this edge is the role: its port is one of the role's own (OTLP's
 * 4317/4318), or a DNS name seen for the external address answers to one of its patterns (S3's
 * `*.s3.*.amazonaws.com`).
 */
function recognizes(role: RoleResolution | undefined, e: EdgeTraffic, direction: Direction, ix: ClusterIndex): boolean {
  const r = role?.recognize;
  if (!r) return false;
  if (r.ports.length > 0 && portMatches(e, r.ports, ix)) return true;
  const other = farPeer(e, direction);
  if (other.kind !== 'external' || r.names.length === 0) return false;
  return (ix.externalNames.get(other.ip) ?? []).some((n) => r.names.some((p) => namePatternMatches(p, n)));
}

function portText(e: EdgeTraffic): string {
  return `${e.port}/${e.protocol}`;
}

/**
 * The config binding an observed peer becomes: an address by the DNS names seen for it (the
 * addresses behind a name rotate: S3, SaaS backends — a /32 of today's would cut tomorrow's; the
 * engines without FQDN rules render the addresses seen for the names; `names`: none where the role
 * must be bound by address), else its /32 or /128; a workload by its own selector.
 */
function bindingsOf(peer: Peer, ports: readonly EdgeTraffic[], inv: InventorySnapshot, names: readonly string[]): RoleBindingT | undefined {
  const portSpecs = uniqSorted(ports.map(portText)).map((t) => {
    const [port, protocol] = t.split('/');
    return protocol === 'TCP' ? { port: Number(port) } : { port: Number(port), protocol: protocol as 'UDP' | 'SCTP' };
  });
  if (peer.kind === 'external') {
    if (!isIpAddress(peer.ip)) return undefined;
    if (names.length > 0) return { fqdns: uniqSorted(names), ports: portSpecs };
    return { cidrs: [`${peer.ip}/${peer.ip.includes(':') ? 128 : 32}`], ports: portSpecs };
  }
  if (peer.kind === 'workload') {
    const w = inv.workloads.find((x) => workloadKey(x) === workloadKey(peer.workload));
    if (!w || selectorIsEmpty(w.selector)) return undefined;
    return { namespace: w.namespace, selector: w.selector, ports: portSpecs };
  }
  return undefined;
}

/** Why no role is bound to an in-cluster address an edge names as external: a /32 of a pod's address would follow whichever pod holds it next. */
const IN_CLUSTER = 'an address the inventory knows inside the cluster (a pod, a Service, a node or the apiserver): the edge was resolved without that inventory (flows ingested before it was imported); a binding to it would follow whichever pod holds it next';

function candidatesOf(fitsOfRole: readonly Fit[], ix: ClusterIndex, inCluster: ReadonlySet<string>): { candidates: RoleCandidate[]; byPeer: Map<string, { peer: Peer; edges: EdgeTraffic[] }> } {
  const byPeer = new Map<string, { peer: Peer; edges: EdgeTraffic[]; components: Set<string> }>();
  for (const f of fitsOfRole) {
    const peer = farPeer(f.edge, f.direction);
    const k = peerKey(peer);
    let entry = byPeer.get(k);
    if (!entry) byPeer.set(k, (entry = { peer, edges: [], components: new Set() }));
    if (!entry.edges.includes(f.edge)) entry.edges.push(f.edge);
    for (const c of f.claimants) entry.components.add(`${c.matrix.name}/${c.component.name}`);
  }
  const candidates = [...byPeer.entries()]
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([k, v]): RoleCandidate => {
      const names = v.peer.kind === 'external' ? (ix.externalNames.get(v.peer.ip) ?? []) : [];
      return {
        peer: k,
        ...(names.length > 0 ? { names: [...names] } : {}),
        ports: uniqSorted(v.edges.map(portText)),
        components: uniqSorted(v.components),
        edges: uniqSorted(v.edges.map(edgeText)),
        flows: v.edges.reduce((n, e) => n + e.flows, 0),
        lastSeen: new Date(Math.max(...v.edges.map((e) => e.lastSeen))).toISOString(),
        ...notBound(v.peer, ix, inCluster),
      };
    });
  return { candidates, byPeer };
}

/** Why no binding can be made of a candidate (bindingsOf makes none), or undefined. */
function notBoundReason(peer: Peer, ix: ClusterIndex, inCluster: ReadonlySet<string>): string | undefined {
  if (peer.kind === 'external') return inCluster.has(peer.ip) ? IN_CLUSTER : undefined;
  if (peer.kind !== 'workload') return undefined;
  const w = ix.workloads.get(workloadKey(peer.workload));
  if (w === undefined) return NOT_IN_INVENTORY;
  return selectorIsEmpty(w.selector) ? NO_LABELS : undefined;
}

/** A candidate's `notBound` field, when it has a reason. */
function notBound(peer: Peer, ix: ClusterIndex, inCluster: ReadonlySet<string>): { notBound?: string } {
  const reason = notBoundReason(peer, ix, inCluster);
  return reason === undefined ? {} : { notBound: reason };
}

/** Why no role is bound to a workload only flow records name (in a namespace the inventory holds: its labels are not known for sure). */
const NOT_IN_INVENTORY = 'a workload the inventory does not hold (only flow records name it): its labels are not known, so no selector can bind it; import an inventory that holds it, or bind the role in the cluster config';
const NO_LABELS = 'a workload without labels: no selector can bind it alone; label its pods, or bind the role in the cluster config';

function pinText(role: string, bindings: readonly RoleBindingT[]): string {
  return stringify({ matrices: { bindings: { roles: { [role]: bindings } } } }, { lineWidth: 0 });
}

/**
 * Whether a rule of the matrix receives traffic from the role. DNS names identify destinations,
 * not sources: such a role is bound by address (config.ts refuses a DNS-name binding for it, and
 * the policy builder an FQDN peer in an ingress rule).
 */
function receivesFrom(m: ResolvedMatrix, role: string): boolean {
  return m.components.some((c) => c.rules.some((rule) => rule.direction === 'ingress' && rule.role === role));
}

/** The role bound from its candidates; undefined when none can be expressed as a binding. */
function inferredRole(r: RoleResolution, fitsOfRole: readonly Fit[], obs: Observation, inCluster: ReadonlySet<string>, byNames: boolean): RoleResolution | undefined {
  const { candidates, byPeer } = candidatesOf(fitsOfRole, obs.ix, inCluster);
  // Addresses seen under the same names make one binding, on the ports of them all.
  const groups = new Map<string, { peer: Peer; names: readonly string[]; edges: EdgeTraffic[] }>();
  for (const [key, v] of [...byPeer.entries()].sort((a, b) => cmp(a[0], b[0]))) {
    if (v.peer.kind === 'external' && inCluster.has(v.peer.ip)) continue;
    const names = (byNames && v.peer.kind === 'external' ? obs.ix.externalNames.get(v.peer.ip) : undefined) ?? [];
    const k = names.length > 0 ? `names:${uniqSorted(names).join(',')}` : key;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, { peer: v.peer, names, edges: [...v.edges] });
    else g.edges.push(...v.edges);
  }
  const bindings: RoleBindingT[] = [];
  for (const g of groups.values()) {
    const b = bindingsOf(g.peer, g.edges, obs.inventory, g.names);
    if (b) bindings.push(b);
  }
  if (bindings.length === 0) return undefined;
  const peers = bindings.map((b) => bindingPeer(b, obs.inventory));
  const ports = toResolvedPorts(bindings.flatMap((b) => b.ports ?? []));
  return {
    ...r,
    origin: 'inferred',
    via: `observed: ${candidates.length} peer(s) seen under rules to the role (${uniqSorted(candidates.flatMap((c) => c.components)).join(', ')})`,
    bindings,
    peers,
    ports,
    candidates,
    pin: pinText(r.role, bindings),
  };
}

function withRole(rule: ExpectedRule, role: RoleResolution, component: ResolvedComponent): ExpectedRule {
  const unresolved = rule.unresolved.filter((u) => u !== unboundText(role.role));
  return {
    ...rule,
    peers: rule.ports.length > 0 ? role.peers : rolePeers(role),
    ports: rule.ports.length > 0 ? rule.ports : role.ports,
    inferred: { role: role.role, candidates: (role.candidates ?? []).map((c) => c.peer), pin: role.pin ?? '' },
    active: component.enabled && component.present && rule.condition?.holds !== false && unresolved.length === 0,
    unresolved,
  };
}

/** The edges of a workload side that no active rule of any matrix covers (kubelet probes aside): the candidates observation may read. */
type UncoveredEdges = (d: Direction, wk: string) => EdgeTraffic[];

/** What every matrix is observed against: the edges, the fits sorted by key, and how each fit is read. */
interface ObservedFits {
  obs: Observation;
  edges: EdgeIndex;
  uncovered: UncoveredEdges;
  fitsList: Fit[];
  claimsOf: (f: Fit) => string[];
  readingsOf: (f: Fit) => Claimant[];
  inCluster: ReadonlySet<string>;
}

/** Every matrix with what observation adds (see the module comment); matrices that are off are returned as they are. */
export function observeMatrices(matrices: readonly ResolvedMatrix[], obs: Observation): ResolvedMatrix[] {
  const edges = new EdgeIndex(obs.edges);
  const enabled = matrices.filter((m) => m.enabled);
  const uncovered = uncoveredEdges(enabled, edges, obs.ix);
  const fitsList = fitsOf(enabled.flatMap(claimants), uncovered, obs.ix);
  const { claimsOf, readingsOf } = readings(obs.ix);
  const ctx: ObservedFits = { obs, edges, uncovered, fitsList, claimsOf, readingsOf, inCluster: inClusterAddresses(obs.inventory) };
  return matrices.map((m) => (m.enabled ? observeMatrix(m, ctx) : m));
}

function uncoveredEdges(enabled: readonly ResolvedMatrix[], edges: EdgeIndex, ix: ClusterIndex): UncoveredEdges {
  // Active rules per workload side, across every matrix: an edge they cover is no candidate.
  const covered = new Map<string, ExpectedRule[]>();
  for (const m of enabled) {
    for (const c of m.components) {
      if (!c.enabled) continue;
      for (const w of c.workloads) {
        for (const r of c.rules) {
          if (!r.active) continue;
          const k = `${r.direction}|${workloadKey(w)}`;
          covered.set(k, [...(covered.get(k) ?? []), r]);
        }
      }
    }
  }
  return (d, wk) => {
    const cover = covered.get(`${d}|${wk}`) ?? [];
    return edges.of(d, wk).filter((e) => farPeer(e, d).kind !== 'kubelet' && !cover.some((r) => edgeMatchesRule(e, r, ix)));
  };
}

/** Per uncovered edge and side, the claimants it fits; sorted by side and edge. */
function fitsOf(all: readonly Claimant[], uncovered: UncoveredEdges, ix: ClusterIndex): Fit[] {
  const fitOf = new Map<string, Fit>();
  for (const cl of all) {
    const d = cl.rule.direction;
    for (const w of cl.component.workloads) {
      const wk = workloadKey(w);
      for (const e of uncovered(d, wk)) {
        if (!fits(cl, e, ix)) continue;
        const k = `${d}|${wk}|${edgeText(e)}`;
        let f = fitOf.get(k);
        if (!f) fitOf.set(k, (f = { edge: e, direction: d, claimants: [] }));
        f.claimants.push(cl);
      }
    }
  }
  return [...fitOf.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, f]) => f);
}

/**
 * The readings of an edge, most specific first: a role whose `recognize` knows the edge (its
 * port, a DNS name of the address) is the edge's role; else a rule waiting for a role that names
 * the edge's port wins over rules that fit any port. Otherwise two claims make the edge ambiguous.
 */
function readings(ix: ClusterIndex): Pick<ObservedFits, 'claimsOf' | 'readingsOf'> {
  const claimsCache = new Map<Fit, string[]>();
  const claimsOf = (f: Fit): string[] => {
    let out = claimsCache.get(f);
    if (out) return out;
    const recognized = uniqSorted(f.claimants.filter((c) => recognizes(c.role, f.edge, f.direction, ix)).map((c) => c.claim));
    const specific = uniqSorted(f.claimants.filter((c) => c.kind === 'waiting' && c.rule.ports.length > 0).map((c) => c.claim));
    out = recognized.length > 0 ? recognized : specific.length === 1 ? specific : uniqSorted(f.claimants.map((c) => c.claim));
    claimsCache.set(f, out);
    return out;
  };
  return { claimsOf, readingsOf: (f) => f.claimants.filter((c) => claimsOf(f).includes(c.claim)) };
}

/** One enabled matrix with its unbound roles bound from observation where the edges are clear, and each rule's observed additions. */
function observeMatrix(m: ResolvedMatrix, ctx: ObservedFits): ResolvedMatrix {
  const { inferred, ambiguous } = inferRoles(m, ctx);
  const roles = m.roles.map((r) => {
    const out = inferred.get(r.role) ?? r;
    const amb = ambiguous.get(r.role);
    return amb ? { ...out, ambiguous: amb } : out;
  });
  const components = m.components.map((c) => {
    const rules = c.rules.map((rule) => observedRule(m, c, rule, inferred, ctx));
    return { ...c, rules: c.hostNetwork && c.present ? rules.map((r) => withNodeEvidence(r, c, ctx.edges, ctx.obs.ix)) : rules };
  });
  return { ...m, roles, components, findings: observedFindings(m, roles) };
}

/** Each unbound role of the matrix: bound to the peers of the edges only it claims, and the edges it shares with other readings. */
function inferRoles(m: ResolvedMatrix, ctx: ObservedFits): { inferred: Map<string, RoleResolution>; ambiguous: Map<string, AmbiguousCandidate[]> } {
  const { fitsList, claimsOf, readingsOf } = ctx;
  const mine = (f: Fit) => f.claimants.filter((c) => c.matrix === m);
  const inferred = new Map<string, RoleResolution>();
  const ambiguous = new Map<string, AmbiguousCandidate[]>();
  for (const r of m.roles) {
    if (r.origin !== 'unbound') continue;
    const claim = `role ${r.role}`;
    const clear = fitsList.filter((f) => mine(f).some((c) => c.claim === claim) && claimsOf(f).length === 1 && claimsOf(f)[0] === claim);
    const unclear = fitsList.filter((f) => mine(f).some((c) => c.claim === claim) && claimsOf(f).length > 1 && claimsOf(f).includes(claim));
    if (unclear.length > 0) ambiguous.set(r.role, ambiguousEntries(unclear, readingsOf));
    if (clear.length === 0) continue;
    const bound = inferredRole(r, clear.map((f) => ({ ...f, claimants: mine(f) })), ctx.obs, ctx.inCluster, !receivesFrom(m, r.role));
    if (bound) inferred.set(r.role, bound);
  }
  return { inferred, ambiguous };
}

/** A rule with its role bound from observation, what it documents once configured, and what it documents in the other view. */
function observedRule(m: ResolvedMatrix, c: ResolvedComponent, rule: ExpectedRule, inferred: ReadonlyMap<string, RoleResolution>, ctx: ObservedFits): ExpectedRule {
  let out = rule;
  const role = rule.role !== undefined ? inferred.get(rule.role) : undefined;
  if (role) out = withRole(out, role, c);
  const when = whenConfigured(m, rule, role, ctx.fitsList, ctx.readingsOf);
  if (when) out = { ...out, whenConfigured: when };
  const other = otherView(m, c, rule, ctx.uncovered, ctx.obs.ix);
  if (other) out = { ...out, documentsInOtherView: other };
  return out;
}

/**
 * What a rule documents once the cluster config says so (status `documented-when-set`): a
 * conditional rule, the edges whose readings include it (set the parameter, and bind its role
 * when observation did not); a rule waiting for a role observation could not bind, the edges
 * that fit it among other readings (bind the right role).
 */
function whenConfigured(m: ResolvedMatrix, rule: ExpectedRule, inferred: RoleResolution | undefined, fitsList: readonly Fit[], readingsOf: (f: Fit) => Claimant[]): WhenConfigured | undefined {
  const mineOf = (f: Fit) => readingsOf(f).filter((c) => c.rule === rule);
  const fits = fitsList.filter((f) => mineOf(f).length > 0);
  if (fits.length === 0) return undefined;
  const kind = mineOf(fits[0]!)[0]!.kind;
  const cond = rule.condition;
  // A waiting rule whose role observation bound is active: its clear edges are confirmed.
  if (kind === 'waiting' && inferred) return undefined;
  const many = fits.filter((f) => new Set(readingsOf(f).map((c) => c.claim)).size > 1);
  if (kind === 'waiting' && many.length === 0) return undefined;
  const listed = kind === 'waiting' ? many : fits;
  const config: string[] = [];
  if (kind === 'conditional' && cond) config.push(conditionConfig(m.name, cond));
  // A role the config, discovery or a default binds has nothing to add: only a role observation
  // bound (pin it) or one nothing binds (where to bind it) is named.
  if (inferred) config.push(`matrices.bindings.roles.${rule.role}: ${JSON.stringify(inferred.bindings)} (bound from observation: pin it)`);
  else if (rule.role !== undefined && m.roles.find((r) => r.role === rule.role)?.origin === 'unbound') config.push(`matrices.bindings.roles.${rule.role} (unbound: bind it)`);
  const out: WhenConfigured = {
    set: kind === 'conditional' && cond ? cond.text : `role ${rule.role} is bound`,
    config,
    edges: uniqSorted(listed.map((f) => edgeText(f.edge))),
  };
  if (many.length > 0) out.ambiguous = uniqSorted(many.map((f) => edgeText(f.edge)));
  return out;
}

/**
 * A rule to a fixed peer inactive because a view-switching parameter (Kyma's `model`) holds
 * another value: the observed edges of its workloads, not covered by an active rule, that it fits.
 * They stay undocumented; the workload is told which value would document them.
 */
function otherView(m: ResolvedMatrix, c: ResolvedComponent, rule: ExpectedRule, uncovered: UncoveredEdges, ix: ClusterIndex): OtherView | undefined {
  const cond = rule.condition;
  if (!c.enabled || !c.present || rule.role !== undefined || rule.unresolved.length > 0 || conditionKind(cond, m.parameters) !== 'view') return undefined;
  const fit = c.workloads.flatMap((w) => uncovered(rule.direction, workloadKey(w))).filter((e) => edgeMatchesRule(e, rule, ix));
  if (fit.length === 0) return undefined;
  return { set: cond!.text, config: [conditionConfig(m.name, cond!)], edges: uniqSorted(fit.map(edgeText)) };
}

function ambiguousEntries(unclear: readonly Fit[], readingsOf: (f: Fit) => Claimant[]): AmbiguousCandidate[] {
  const byPeer = new Map<string, { roles: Set<string>; edges: Set<string> }>();
  for (const f of unclear) {
    const k = peerKey(farPeer(f.edge, f.direction));
    let e = byPeer.get(k);
    if (!e) byPeer.set(k, (e = { roles: new Set(), edges: new Set() }));
    for (const c of readingsOf(f)) e.roles.add(c.label);
    e.edges.add(edgeText(f.edge));
  }
  return [...byPeer.entries()].sort((a, b) => cmp(a[0], b[0])).map(([peer, v]) => ({ peer, roles: uniqSorted(v.roles), edges: uniqSorted(v.edges) }));
}

/**
 * An active rule of a host-network component, checked against the flows its nodes' addresses
 * carried: those of the nodes its pods run on (all, where the inventory shows none of them), the
 * peer pod's own node included (`kubelet:<node>`: the component's pod there shares its address).
 */
function withNodeEvidence(rule: ExpectedRule, c: ResolvedComponent, edges: EdgeIndex, ix: ClusterIndex): ExpectedRule {
  // A node address stands for every host-network pod of the node: only a rule that names its
  // ports and a peer more specific than the world says which of them the flow was.
  if (!rule.active || rule.ports.length === 0 || rule.peers.some((p) => p.kind === 'world')) return rule;
  const runsOn = hostNetworkNodes(c.workloads, ix);
  const own = (e: EdgeTraffic): boolean => {
    const node = rule.direction === 'egress' ? e.client : e.server;
    return (node.kind === 'node' || node.kind === 'kubelet') && runsOn(node.node);
  };
  const seen = edges.fromNodes(rule.direction).filter((e) => own(e) && edgeMatchesRule(e, rule, ix));
  return seen.length > 0 ? { ...rule, observedFromNodes: uniqSorted(seen.map(edgeText)) } : rule;
}

/**
 * The resolution's findings with the role findings observation changed: inferred (also for a role
 * only a conditional rule uses, which the resolution reports no `role-unbound` for), ambiguous,
 * still unbound.
 */
function observedFindings(m: ResolvedMatrix, roles: readonly RoleResolution[]): Finding[] {
  const out: Finding[] = m.findings.filter((f) => !(f.kind === 'role-unbound' && roles.some((r) => r.role === f.subject && r.origin === 'inferred')));
  for (const r of roles) {
    if (r.origin === 'inferred') {
      const peers = (r.candidates ?? []).map((c) => `${c.peer}${c.names ? ` (${c.names.join(', ')})` : ''} ${c.ports.join(', ')}`);
      out.push({
        kind: 'role-inferred',
        subject: r.role,
        message: `role ${r.role} (${r.description}) is bound from observation (inferred) to ${peers.join('; ')}; pin it in the cluster config: matrices.bindings.roles.${r.role}: ${JSON.stringify(r.bindings)}`,
      });
    }
    if (r.ambiguous) {
      out.push({
        kind: 'role-ambiguous',
        subject: r.role,
        message: `role ${r.role}: observed peers that could also be another role or a rule documented when set, so bound to neither: ${r.ambiguous.map((a) => `${a.peer} (${a.roles.join(' | ')})`).join('; ')}`,
      });
    }
  }
  return out.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.subject, b.subject));
}
