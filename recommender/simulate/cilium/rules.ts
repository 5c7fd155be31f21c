/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy manifests compiled once into matchers.
 *
 * Namespace scoping follows cilium/cilium pkg/k8s/apis/cilium.io/utils/utils.go:
 * - a CNP's endpointSelector always gets `k8s:io.kubernetes.pod.namespace=<ns>` (ParseToCiliumRule,
 *   which overrides a user's own namespace match of that key);
 * - from/toEndpoints and from/toRequires get the same match unless they name
 *   `io.kubernetes.pod.namespace` (any source) or a namespace label `io.cilium.k8s.namespace.labels.*`,
 *   and from/toEndpoints are left alone when they name a `reserved:` label (getEndpointSelector);
 * - in a CCNP those selectors instead require the namespace label to exist (only pods match).
 * Entities are the selectors of pkg/policy/api/entity.go (EntitySelectorMapping, InitEntities).
 */
import {
  CCNP_KIND,
  CLUSTER_LABEL,
  NAMESPACE_LABELS_PREFIX,
  POD_NAMESPACE_LABEL,
  policyRules,
  type CiliumCidrRule,
  type CiliumEndpointSelector,
  type CiliumFqdnSelector,
  type CiliumIcmpRule,
  type CiliumPolicy,
  type CiliumPortDenyRule,
  type CiliumPortRule,
  type CiliumRule,
  type CiliumServiceSelector,
} from '../../engines/wire/cilium.ts';
import type { SimService } from '../types.ts';
import { fqdnMatcher } from './fqdn.ts';
import { ANY_SOURCE, reservedSelector, SelectorBuilder, WILDCARD, type Selector } from './labels.ts';
import { compilePort, type PortMatcher } from './ports.ts';
import { compileIcmps } from './icmp.ts';
import type { Direction } from '../../../domain/direction.ts';
import { hostRange, parseLenientCidr, parseLenientIp, type LenientRange } from '../../../domain/ip.ts';
import { memoByText } from '../../text-memo.ts';
import type { PortSpan } from '../port-buckets.ts';

export type { Direction };


export interface CidrBlock {
  range: LenientRange;
  except: LenientRange[];
}

export interface CompiledPortRule {
  ports: PortMatcher[];
  /** L7 kind when the port rule has L7 rules (the proxy then filters requests; L4 is allowed). */
  l7?: 'http' | 'kafka' | 'dns' | 'l7proto';
  /** DNS rule name matchers (what the DNS proxy lets the pod resolve, and so learn for toFQDNs). */
  dns: ((name: string) => boolean)[];
}

/** One ingress/egress (deny) rule: its peers and ports. */
export interface PeerRule {
  policy: string;
  pointer: string;
  deny: boolean;
  endpoints: readonly Selector[];
  /** Every selector of the rule's entities, in one list (what a flow is matched against). */
  entities: readonly Selector[];
  /** The same per entity as the rule names it (what a reason names: `kube-apiserver`, `cluster`). */
  entitiesNamed: readonly { name: string; selectors: Selector[] }[];
  cidrs: readonly CidrBlock[];
  fqdns: readonly ((name: string) => boolean)[];
  services: readonly CiliumServiceSelector[];
  /** Peer kinds present that never select a simulated endpoint (toNodes without node labels, toGroups, CIDR groups). */
  unmatchable: readonly string[];
  /** Whether the rule names any L3 peer at all. */
  hasL3: boolean;
  /** A peer list given empty (`fromEndpoints: []`, …): the rule selects no peer (`emptyPeerList`). */
  selectsNoPeer: boolean;
  /** undefined: no toPorts (L3-only). */
  toPorts?: CompiledPortRule[];
  /** toPorts as (protocol, port) spans; undefined when any port can match (no toPorts, a named port). */
  spans?: PortSpan[];
  /** `icmps` as matchers of ICMP types (./icmp.ts); undefined when the rule has none. */
  icmps?: PortMatcher[];
  /** The namespace services are looked up in for toServices without one. */
  namespace?: string;
}

export interface CompiledRule {
  policy: string;
  /** `/spec` or `/specs/<i>`. */
  pointer: string;
  /** CNP namespace; undefined for a CCNP. */
  namespace?: string;
  /** undefined for node (host) policies, which never select pods. */
  subject?: Selector;
  /** A CCNP host policy's `nodeSelector`: selects host endpoints only (by `reserved:host` and the node's labels). */
  nodeSubject?: Selector;
  ingress: PeerRule[];
  ingressDeny: PeerRule[];
  egress: PeerRule[];
  egressDeny: PeerRule[];
  /** Whether the rule enforces the direction at all (it has rules or deny rules there). */
  enforcesIngress: boolean;
  enforcesEgress: boolean;
  defaultDenyIngress: boolean;
  defaultDenyEgress: boolean;
  fromRequires: Selector[];
  toRequires: Selector[];
}

export interface CompileOptions {
  clusterName: string;
  /** Cilium's `enable-non-default-deny-policies` (on by default): off forces enableDefaultDeny on. */
  nonDefaultDenyPolicies: boolean;
  /** Shared by the policies of one simulator; one per `compilePolicy` call when absent. */
  memo?: CompileMemo;
}

/**
 * What the policies of one simulator share, compiled once: emitted manifests use one selector
 * object per peer and one toPorts list per port set in every rule that names them
 * (engines/json-ids.ts `canonical`), so a selector is built once per object and scoping
 * (namespace, reserved, init), and a toPorts list and its port spans once per list. A selector
 * that names the pod namespace is scoped alike by every policy (getEndpointSelector leaves it as
 * written), so it is built once for all of them: emitted peers in another namespace name theirs,
 * and are used by policies of many namespaces.
 */
export class CompileMemo {
  /** Per selector object: the one Selector when its scope does not matter, else per (leaveReserved, matchesInit), per namespace (NUL for a CCNP). */
  private readonly selectors = new Map<CiliumEndpointSelector, { unscoped?: Selector; scoped: Map<string, Selector>[] }>();
  private readonly portRules = new Map<readonly (CiliumPortRule | CiliumPortDenyRule)[], CompiledPortRule[] | undefined>();
  private readonly entities = new Map<string, Selector[]>();
  private readonly portSpans = new Map<readonly CompiledPortRule[], PortSpan[] | undefined>();

  selector(sel: CiliumEndpointSelector | undefined, namespace: string | undefined, leaveReserved: boolean, matchesInit: boolean): Selector {
    if (typeof sel !== 'object' || sel === null) return peerSelector(sel, namespace, leaveReserved, matchesInit);
    let memo = this.selectors.get(sel);
    if (memo === undefined) {
      const b = SelectorBuilder.from(sel);
      this.selectors.set(sel, (memo = namesPodNamespace(b) ? { unscoped: b.build(), scoped: [] } : { scoped: [] }));
    }
    if (memo.unscoped !== undefined) return memo.unscoped;
    // No namespace name holds a NUL: it stands for the cluster-wide policies.
    const ns = namespace ?? '\u0000';
    const byNamespace = (memo.scoped[(leaveReserved ? 2 : 0) + (matchesInit ? 1 : 0)] ??= new Map());
    let built = byNamespace.get(ns);
    if (built === undefined) byNamespace.set(ns, (built = peerSelector(sel, namespace, leaveReserved, matchesInit)));
    return built;
  }

  /** The spans of a compiled toPorts list, once per list (lists are shared like their manifest objects). */
  spans(toPorts: readonly CompiledPortRule[]): PortSpan[] | undefined {
    if (!this.portSpans.has(toPorts)) this.portSpans.set(toPorts, portSpans(toPorts));
    return this.portSpans.get(toPorts);
  }

  toPorts(toPorts: readonly (CiliumPortRule | CiliumPortDenyRule)[] | undefined): CompiledPortRule[] | undefined {
    if (!Array.isArray(toPorts)) return compilePortRules(toPorts);
    if (!this.portRules.has(toPorts)) this.portRules.set(toPorts, compilePortRules(toPorts));
    return this.portRules.get(toPorts);
  }

  entity(entity: string, clusterName: string): Selector[] {
    const key = `${entity}\u0000${clusterName}`;
    let list = this.entities.get(key);
    if (list === undefined) this.entities.set(key, (list = entitySelectors(entity, clusterName)));
    return list;
  }
}

const K8S_NS = `k8s:${POD_NAMESPACE_LABEL}`;

/** Whether the selector names the pod namespace: getEndpointSelector then adds no namespace scope. */
const namesPodNamespace = (b: SelectorBuilder): boolean => b.hasKey('k8s', POD_NAMESPACE_LABEL) || b.hasKey(ANY_SOURCE, POD_NAMESPACE_LABEL);

/** getEndpointSelector of utils.go. */
function peerSelector(sel: CiliumEndpointSelector | undefined, namespace: string | undefined, leaveReserved: boolean, matchesInit: boolean): Selector {
  const b = SelectorBuilder.from(sel);
  if (leaveReserved && b.hasKeyPrefix('reserved:')) return b.build();
  if (!namesPodNamespace(b)) {
    if (namespace === undefined) {
      if (!matchesInit) b.addExpression(K8S_NS, 'Exists');
    } else if (!b.hasKeyPrefix(`k8s:${NAMESPACE_LABELS_PREFIX}`) && !b.hasKeyPrefix(`${ANY_SOURCE}:${NAMESPACE_LABELS_PREFIX}`)) {
      b.addMatch(K8S_NS, namespace);
    }
  }
  return b.build();
}

function entitySelectors(entity: string, clusterName: string): Selector[] {
  switch (entity) {
    case 'all':
      return [WILDCARD];
    case 'cluster':
      return [
        ...['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'].map(reservedSelector),
        new SelectorBuilder().addMatch(`k8s:${CLUSTER_LABEL}`, clusterName).build(),
      ];
    case 'world':
    case 'host':
    case 'remote-node':
    case 'kube-apiserver':
    case 'init':
    case 'ingress':
    case 'health':
    case 'unmanaged':
    case 'none':
      return [reservedSelector(entity)];
    default:
      // An unknown entity fails validation (rule_validation.go); the simulator lets it select nothing.
      return [];
  }
}

/** Parsed CIDRs by text, for the whole process: rules repeat the same few; ranges are never changed. */
const parseCidr = memoByText(parseCidrText, 100_000);

function parseCidrText(text: string): LenientRange | undefined {
  if (text.includes('/')) return parseLenientCidr(text);
  // A bare address in fromCIDR/toCIDR is a host prefix (api.CIDR accepts both forms).
  const a = parseLenientIp(text);
  return a === undefined ? undefined : hostRange(a);
}

function cidrBlocks(plain: readonly string[] | undefined, sets: readonly CiliumCidrRule[] | undefined, unmatchable: string[]): readonly CidrBlock[] {
  if (plain === undefined && sets === undefined) return NONE;
  const out: CidrBlock[] = [];
  for (const c of plain ?? []) {
    const range = parseCidr(String(c));
    if (range) out.push({ range, except: [] });
  }
  for (const s of sets ?? []) {
    if (s.cidr === undefined) {
      unmatchable.push(s.cidrGroupRef !== undefined ? 'cidrGroupRef' : 'cidrGroupSelector');
      continue;
    }
    const range = parseCidr(String(s.cidr));
    if (!range) continue;
    const except: LenientRange[] = [];
    for (const e of s.except ?? []) {
      const r = parseCidr(String(e));
      if (r) except.push(r);
    }
    out.push({ range, except });
  }
  return out;
}

/** toPorts as spans; undefined when they can match any port (a named port, which depends on the pod). */
function portSpans(toPorts: readonly CompiledPortRule[]): PortSpan[] | undefined {
  const spans: PortSpan[] = [];
  for (const pr of toPorts) {
    for (const m of pr.ports) {
      if (m.kind === 'named') return undefined;
      // An ICMP span is no port: PortBuckets keeps such a rule with those of any port.
      for (const protocol of m.protocols) spans.push({ protocol, start: m.from, end: m.to });
    }
  }
  return spans;
}

function compilePortRules(toPorts: readonly (CiliumPortRule | CiliumPortDenyRule)[] | undefined): CompiledPortRule[] | undefined {
  if (!toPorts || toPorts.length === 0) return undefined;
  return toPorts.map((pr) => {
    const ports: PortMatcher[] = [];
    for (const p of pr.ports ?? []) {
      const m = compilePort(p);
      if (m) ports.push(m);
    }
    const rules = 'rules' in pr ? pr.rules : undefined;
    const out: CompiledPortRule = { ports, dns: [] };
    if (rules) {
      if (rules.http !== undefined) out.l7 = 'http';
      else if (rules.kafka !== undefined) out.l7 = 'kafka';
      else if (rules.dns !== undefined) out.l7 = 'dns';
      else if (rules.l7proto !== undefined) out.l7 = 'l7proto';
      for (const d of rules.dns ?? []) {
        const m = fqdnMatcher(d);
        if (m) out.dns.push(m);
      }
    }
    return out;
  });
}

type AnyPeerRule = {
  fromEndpoints?: CiliumEndpointSelector[];
  toEndpoints?: CiliumEndpointSelector[];
  fromCIDR?: string[];
  toCIDR?: string[];
  fromCIDRSet?: CiliumCidrRule[];
  toCIDRSet?: CiliumCidrRule[];
  fromEntities?: string[];
  toEntities?: string[];
  fromNodes?: unknown[];
  toNodes?: unknown[];
  fromGroups?: unknown[];
  toGroups?: unknown[];
  toFQDNs?: CiliumFqdnSelector[];
  toServices?: CiliumServiceSelector[];
  toPorts?: (CiliumPortRule | CiliumPortDenyRule)[];
  icmps?: CiliumIcmpRule[];
};

/**
 * An empty but present from/toEndpoints, from/toNodes, from/toEntities, from/toCIDR or
 * from/toCIDRSet: since Cilium 1.15 (cilium/cilium#29608) the rule then selects no peer at all,
 * whatever else it names (pkg/policy/utils/parserules.go mergeEndpointSelectors: "Explicitly check
 * for empty non-nil slices, it should not result in any identity being selected"), where an absent
 * one leaves toPorts to allow every peer. toFQDNs, toGroups and toServices are not checked there:
 * empty, they are as if absent.
 */
function emptyPeerList(r: AnyPeerRule, from: boolean): boolean {
  return from
    ? isEmptyList(r.fromEndpoints) || isEmptyList(r.fromNodes) || isEmptyList(r.fromEntities) || isEmptyList(r.fromCIDR) || isEmptyList(r.fromCIDRSet)
    : isEmptyList(r.toEndpoints) || isEmptyList(r.toNodes) || isEmptyList(r.toEntities) || isEmptyList(r.toCIDR) || isEmptyList(r.toCIDRSet);
}

const isEmptyList = (l: unknown): boolean => Array.isArray(l) && l.length === 0;
const lengthOf = (l: readonly unknown[] | undefined): number => (l ?? NONE).length;

/**
 * The list every absent or empty peer list of a compiled rule shares. Why: a verification
 * compiles a rule per emitted peer (about 130,000 on the 200k-edge bench), most naming endpoints
 * alone, and an empty array each for their other peer kinds was most of what the build allocated.
 */
const NONE: readonly never[] = Object.freeze([]);

/** `list` mapped, or NONE when it is absent or empty. */
function mappedOrNone<T, U>(list: readonly T[] | undefined, f: (x: T) => U): readonly U[] {
  return list === undefined || list.length === 0 ? NONE : list.map(f);
}

function compilePeerRule(r: AnyPeerRule, direction: Direction, deny: boolean, policy: string, pointer: string, namespace: string | undefined, matchesInit: boolean, opts: CompileOptions & { memo: CompileMemo }): PeerRule {
  const memo = opts.memo;
  const from = direction === 'ingress';
  const endpointsRaw = from ? r.fromEndpoints : r.toEndpoints;
  const entitiesRaw = from ? r.fromEntities : r.toEntities;
  const nodes = from ? r.fromNodes : r.toNodes;
  const groups = from ? r.fromGroups : r.toGroups;
  const cidrsRaw = from ? r.fromCIDR : r.toCIDR;
  const cidrSetsRaw = from ? r.fromCIDRSet : r.toCIDRSet;
  const fqdnsRaw = from ? undefined : r.toFQDNs;
  const services = from ? NONE : (r.toServices ?? NONE);
  const unmatchable: string[] = [];
  if (lengthOf(nodes) > 0) unmatchable.push(from ? 'fromNodes' : 'toNodes');
  if (lengthOf(groups) > 0) unmatchable.push(from ? 'fromGroups' : 'toGroups');
  const cidrs = cidrBlocks(cidrsRaw, cidrSetsRaw, unmatchable);
  const fqdns: ((name: string) => boolean)[] = [];
  for (const f of fqdnsRaw ?? NONE) {
    const m = fqdnMatcher(f);
    if (m) fqdns.push(m);
  }
  const toPorts = memo.toPorts(r.toPorts);
  const hasL3 = lengthOf(endpointsRaw) + lengthOf(entitiesRaw) + lengthOf(nodes) + lengthOf(groups) + lengthOf(cidrsRaw) + lengthOf(cidrSetsRaw) + lengthOf(fqdnsRaw) + services.length > 0;
  return {
    policy,
    pointer,
    deny,
    endpoints: mappedOrNone(endpointsRaw, (s) => memo.selector(s, namespace, true, matchesInit)),
    entities: entitiesRaw === undefined || entitiesRaw.length === 0 ? NONE : entitiesRaw.flatMap((e) => memo.entity(String(e), opts.clusterName)),
    entitiesNamed: mappedOrNone(entitiesRaw, (e) => ({ name: String(e), selectors: memo.entity(String(e), opts.clusterName) })),
    cidrs,
    fqdns: fqdns.length === 0 ? NONE : fqdns,
    services,
    unmatchable: unmatchable.length === 0 ? NONE : unmatchable,
    hasL3,
    selectsNoPeer: emptyPeerList(r, from),
    // Every property written in the literal, the absent ones undefined: added afterwards, they took a property store of their own per rule.
    toPorts,
    spans: toPorts === undefined ? undefined : memo.spans(toPorts),
    icmps: compileIcmps(r.icmps),
    namespace,
  };
}

/** `Kind/namespace/name` or `Kind/name`. */
export function policyId(p: CiliumPolicy): string {
  return p.kind === CCNP_KIND ? `${p.kind}/${p.metadata.name}` : `${p.kind}/${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

function compileRule(p: CiliumPolicy, rule: CiliumRule, pointer: string, opts: CompileOptions & { memo: CompileMemo }): CompiledRule {
  const policy = policyId(p);
  const namespace = p.kind === CCNP_KIND ? undefined : (p.metadata.namespace ?? 'default');
  let subject: Selector | undefined;
  let matchesInit = false;
  if (rule.endpointSelector !== undefined && rule.nodeSelector === undefined) {
    const b = SelectorBuilder.from(rule.endpointSelector);
    matchesInit = b.hasKey('reserved', 'init');
    if (namespace !== undefined) b.addMatch(K8S_NS, namespace);
    subject = b.build();
  }
  const dd = rule.enableDefaultDeny ?? {};
  const ingress = rule.ingress ?? [];
  const ingressDeny = rule.ingressDeny ?? [];
  const egress = rule.egress ?? [];
  const egressDeny = rule.egressDeny ?? [];
  const enforcesIngress = ingress.length > 0 || ingressDeny.length > 0;
  const enforcesEgress = egress.length > 0 || egressDeny.length > 0;
  const c: CompiledRule = {
    policy,
    pointer,
    ingress: ingress.map((r, i) => compilePeerRule(r, 'ingress', false, policy, `${pointer}/ingress/${i}`, namespace, matchesInit, opts)),
    ingressDeny: ingressDeny.map((r, i) => compilePeerRule(r, 'ingress', true, policy, `${pointer}/ingressDeny/${i}`, namespace, matchesInit, opts)),
    egress: egress.map((r, i) => compilePeerRule(r, 'egress', false, policy, `${pointer}/egress/${i}`, namespace, matchesInit, opts)),
    egressDeny: egressDeny.map((r, i) => compilePeerRule(r, 'egress', true, policy, `${pointer}/egressDeny/${i}`, namespace, matchesInit, opts)),
    enforcesIngress,
    enforcesEgress,
    // Rule.Sanitize: an absent enableDefaultDeny means "deny by default where the rule has rules".
    defaultDenyIngress: enforcesIngress && (!opts.nonDefaultDenyPolicies || (dd.ingress ?? true)),
    defaultDenyEgress: enforcesEgress && (!opts.nonDefaultDenyPolicies || (dd.egress ?? true)),
    fromRequires: [...ingress, ...ingressDeny].flatMap((r) => (r.fromRequires ?? []).map((s) => opts.memo.selector(s, namespace, false, matchesInit))),
    toRequires: [...egress, ...egressDeny].flatMap((r) => (r.toRequires ?? []).map((s) => opts.memo.selector(s, namespace, false, matchesInit))),
  };
  if (namespace !== undefined) c.namespace = namespace;
  if (subject) c.subject = subject;
  else if (namespace === undefined && rule.nodeSelector !== undefined && rule.endpointSelector === undefined) c.nodeSubject = SelectorBuilder.from(rule.nodeSelector).build();
  return c;
}

export function compilePolicy(p: CiliumPolicy, opts: CompileOptions): CompiledRule[] {
  const withMemo = { ...opts, memo: opts.memo ?? new CompileMemo() };
  return policyRules(p).map(({ rule, pointer }) => compileRule(p, rule, pointer, withMemo));
}

/** Whether a toServices entry names `svc` (k8sService by name, or k8sServiceSelector over the Service's labels — unknown here, so by name only). */
export function serviceNamed(sel: CiliumServiceSelector, svc: SimService, defaultNamespace: string | undefined): boolean {
  const k = sel.k8sService;
  if (!k) return false;
  return k.serviceName === svc.name && (k.namespace ?? defaultNamespace ?? 'default') === svc.namespace;
}
