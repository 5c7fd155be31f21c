/**
 * `cilium`: cilium.io/v2 CiliumNetworkPolicy (CiliumClusterwideNetworkPolicy for cluster-wide
 * subjects). Peers in other namespaces carry `k8s:io.kubernetes.pod.namespace`; the apiserver,
 * nodes and the IR's world (everything) are entities (`kube-apiserver`, `host` + `remote-node`,
 * `all`); one rule per peer kind, as the agent demands; FQDNs
 * are `toFQDNs`, which only work when the pod's DNS traffic goes through Cilium's DNS proxy, so
 * every DNS rule of such a pod carries `rules.dns: [{matchPattern: "*"}]` (one is added when
 * the intent has none). Ports are strings, as the CRD demands.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { chunks } from './chunks.ts';
import { dnsPeer, dnsPorts } from '../policy/build.ts';
import type { Direction, DirectionPolicy, EchoRule, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec } from '../policy/ir.ts';
import { ECHO_TYPES, type IcmpProtocol } from '../../domain/flow.ts';
import { policyName } from '../policy/names.ts';
import { canonicalSelector, portKey, uniqueSortedBy } from '../policy/order.ts';
import { NamedPortsAsNumbers } from './named-ports-as-numbers.ts';
import { JsonIds } from './json-ids.ts';
import { hasKind, hostNetworkSkipped, subjectSelector } from './kubernetes.ts';
import { annotatedMetadata, directionLines, explainedIntent, intentRulesAnnotation, metadata, sortManifests, Warnings, withoutEcho, type NoEchoRule } from './metadata.ts';
import type { EmitOptions, Engine, EmitResult, EngineManifests } from './types.ts';
import {
  CCNP_KIND,
  CILIUM_API_VERSION,
  CNP_KIND,
  type CiliumCidrRule,
  type CiliumEgressRule,
  type CiliumEndpointSelector,
  type CiliumEntity,
  type CiliumFqdnSelector,
  type CiliumIcmpRule,
  type CiliumIngressRule,
  type CiliumPortProtocol,
  type CiliumPortRule,
  type CiliumRule,
} from './wire/cilium.ts';

export const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** Cilium accepts at most 40 ports per PortRule. */
const MAX_PORTS = 40;

/**
 * One rendered rule before it is named for its direction: `endpoints` is `fromEndpoints` on
 * ingress and `toEndpoints` on egress, and so on (`fqdns`, egress only: `toFQDNs`). Each rule
 * sets one peer field, then `toPorts`.
 */
interface PeerRule {
  endpoints?: CiliumEndpointSelector[];
  entities?: CiliumEntity[];
  cidrSet?: CiliumCidrRule[];
  fqdns?: CiliumFqdnSelector[];
  toPorts?: CiliumPortRule[];
  icmps?: CiliumIcmpRule[];
}

export function ciliumPort(p: PortSpec): CiliumPortProtocol {
  switch (p.kind) {
    case 'number':
      return { port: String(p.port), protocol: p.protocol };
    case 'named':
      return { port: p.name, protocol: p.protocol };
    case 'range':
      return { port: String(p.start), endPort: p.end, protocol: p.protocol };
    case 'all':
      return { port: '0', protocol: p.protocol };
  }
}

function endpointSelector(sel: LabelSelector, namespace: string | undefined): LabelSelector {
  if (namespace === undefined) return canonicalSelector(sel);
  return canonicalSelector({ ...sel, matchLabels: { ...sel.matchLabels, [CILIUM_NAMESPACE_LABEL]: namespace } });
}

/** Namespace labels as Cilium exposes them on endpoints (pkg/k8s/apis/cilium.io: PodNamespaceMetaLabelsPrefix). */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';

/**
 * Pods matching `pods` in the namespaces matching `namespaces`. A selector without the
 * namespace label is scoped to the policy's own namespace (pkg/k8s/apis/cilium.io/utils/utils.go,
 * getEndpointSelector): the namespace label with `Exists` lifts that ("every namespace", the
 * Cilium docs' "allow from all namespaces"), namespace labels narrow it.
 */
function namespacesSelector(namespaces: LabelSelector, pods: LabelSelector): LabelSelector {
  const labels: Record<string, string> = { ...pods.matchLabels };
  const expressions = [...(pods.matchExpressions ?? [])];
  for (const [k, v] of Object.entries(namespaces.matchLabels ?? {})) labels[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
  for (const e of namespaces.matchExpressions ?? []) expressions.push({ ...e, key: CILIUM_NAMESPACE_LABELS_PREFIX + e.key });
  // Also keeps negative namespace expressions from matching identities that are not pods.
  expressions.push({ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists' });
  return canonicalSelector({ matchLabels: labels, matchExpressions: expressions });
}

/**
 * A leading `*.` is every name under the domain, at any depth (docs/matrices.md, as the
 * comparison reads it: compare/match.ts). Cilium's `*.` is one label only (pkg/policy/api/fqdn.go:
 * "`*.cilium.io` matches subomains of cilium at that level"), its `**.` one or more
 * (cilium/cilium#43420, Cilium 1.19; verify/plugin-warnings.ts warns of older agents).
 */
function fqdnSelector(name: string): CiliumFqdnSelector {
  if (name.startsWith('*.')) return { matchPattern: `*${name}` };
  return name.includes('*') ? { matchPattern: name } : { matchName: name };
}

const json = (x: unknown): string => JSON.stringify(x);

interface Rendered<T> {
  value: T;
  id: number;
}

/** A rule's `toPorts` and a key equal for two port lists exactly when their JSON texts are. */
interface PortRules {
  toPorts: CiliumPortRule[] | undefined;
  key: string;
}

/** Rendered rules and their keys: equal keys ⇔ equal JSON texts (see ruleKey). */
interface KeyedRules {
  rules: PeerRule[];
  keys: string[];
}

/** A rule's peers grouped by what they render to; lists only for the kinds present. */
interface Groups {
  endpoints?: Rendered<CiliumEndpointSelector>[];
  dns?: Rendered<CiliumEndpointSelector>[];
  /** What the DNS peers answer DNS on (53, or the pods' own port behind the Service's 53). */
  dnsPorts?: PortSpec[];
  cidrs?: Rendered<CiliumCidrRule>[];
  fqdns?: Rendered<CiliumFqdnSelector>[];
  entities?: CiliumEntity[];
  apiserver?: PolicyPeer & { kind: 'apiserver' };
}

const DNS_PORTS = dnsPorts();
/** 53, and the ports the rule's cluster DNS peers answer DNS on. */
const lookupPorts = (rule: PolicyRule): readonly PortSpec[] => [...DNS_PORTS, ...rule.peers.flatMap((p) => (p.kind === 'dns' ? p.ports : []))];
const isDnsPort = (dns: readonly PortSpec[]) => (p: PortSpec): boolean => p.kind === 'number' && dns.some((d) => d.kind === 'number' && d.port === p.port && d.protocol === p.protocol);

/**
 * Renderings shared within one emit: IR peers and ports are shared objects and render the
 * same in every intent (see the kubernetes engine). Nothing modifies a rendering once built.
 */
class Renderer {
  readonly ids = new JsonIds();
  private readonly endpointPeers = new Map<PolicyPeer, Rendered<CiliumEndpointSelector>>();
  private readonly cidrPeers = new Map<PolicyPeer, Rendered<CiliumCidrRule>>();
  private readonly fqdnPeers = new Map<PolicyPeer, Rendered<CiliumFqdnSelector>>();
  private readonly ports = new Map<PortSpec, Rendered<CiliumPortProtocol>>();
  private readonly portRules = new Map<string, PortRules>();
  private readonly apiserverRules = new Map<PolicyPeer, KeyedRules>();
  private readonly resolvedEgress = new NamedPortsAsNumbers();

  /** The endpoint selector of a pods, namespace, selected-namespaces or dns peer. */
  endpoints(p: PolicyPeer): Rendered<CiliumEndpointSelector> {
    return this.rendered(this.endpointPeers, p, endpointsOf);
  }

  /**
   * The CIDR rule of a cidr peer. Its pod-CIDR holes (`podExcept`) are left out: a CIDR selector
   * never selects a pod, which has its own identity. Node and apiserver holes are kept: a CIDR
   * selects them under `policy-cidr-match-mode: nodes`, or an apiserver outside the cluster
   * (world with CIDR labels, pkg/ipcache metadata.go resolveIdentity), and the manifest must not
   * open them when the mode is turned on after it was applied.
   */
  cidr(p: PolicyPeer & { kind: 'cidr' }): Rendered<CiliumCidrRule> {
    return this.rendered(this.cidrPeers, p, (c) => (c.except.length > 0 ? { cidr: c.cidr, except: c.except } : { cidr: c.cidr }));
  }

  /** The FQDN selector of an fqdn peer. */
  fqdn(p: PolicyPeer & { kind: 'fqdn' }): Rendered<CiliumFqdnSelector> {
    return this.rendered(this.fqdnPeers, p, (f) => fqdnSelector(f.name));
  }

  private rendered<P extends PolicyPeer, T>(cache: Map<PolicyPeer, Rendered<T>>, p: P, render: (p: P) => T): Rendered<T> {
    let r = cache.get(p);
    if (r === undefined) {
      cache.set(p, (r = this.ids.canonical(render(p))));
    }
    return r;
  }

  /** Egress ports as the agent can resolve them (named-ports-as-numbers.ts). */
  egressPorts(ports: readonly PortSpec[]): readonly PortSpec[] {
    return this.resolvedEgress.of(ports);
  }

  /** toPorts(ports, dnsVisibility), with its key. */
  toPorts(ports: readonly PortSpec[], dnsVisibility = false): PortRules {
    if (ports.length === 0) return NO_PORTS;
    const rendered: Rendered<CiliumPortProtocol>[] = [];
    let key = dnsVisibility ? 'v' : '';
    for (const p of ports) {
      const r = this.port(p);
      rendered.push(r);
      key += `${r.id},`;
    }
    let pr = this.portRules.get(key);
    if (pr === undefined) this.portRules.set(key, (pr = { toPorts: portRules(rendered, dnsVisibility), key }));
    return pr;
  }

  /** The egress rule to the apiserver entity on its endpoint ports. */
  apiserverRule(p: PolicyPeer & { kind: 'apiserver' }): KeyedRules {
    let r = this.apiserverRules.get(p);
    if (r === undefined) {
      // The entity is exact; the endpoint ports (6443) are what the datapath sees after service translation.
      const apiPorts: PortSpec[] = uniqueSortedBy(
        p.endpoints.map((e): PortSpec => ({ kind: 'number', protocol: e.protocol, port: e.port })),
        json,
      );
      const tp = this.toPorts(apiPorts);
      const rule: PeerRule = { entities: ['kube-apiserver'] };
      if (tp.toPorts) rule.toPorts = tp.toPorts;
      this.apiserverRules.set(p, (r = { rules: [rule], keys: [ruleKey('', 'kube-apiserver', '', '', tp.key)] }));
    }
    return r;
  }

  private port(p: PortSpec): Rendered<CiliumPortProtocol> {
    let r = this.ports.get(p);
    if (r === undefined) {
      const value = ciliumPort(p);
      this.ports.set(p, (r = { value, id: this.ids.id(value) }));
    }
    return r;
  }
}

const NO_PORTS: PortRules = { toPorts: undefined, key: '' };

function portRules(rendered: readonly Rendered<CiliumPortProtocol>[], dnsVisibility: boolean): CiliumPortRule[] {
  return chunks(rendered, MAX_PORTS).map((part) => {
    const pr: CiliumPortRule = { ports: part.map((r) => r.value) };
    if (dnsVisibility) pr.rules = { dns: [{ matchPattern: '*' }] };
    return pr;
  });
}

function endpointsOf(p: PolicyPeer): CiliumEndpointSelector {
  switch (p.kind) {
    case 'pods':
    case 'dns':
      return endpointSelector(p.selector, p.namespace);
    case 'namespace':
      return p.namespace === undefined ? {} : endpointSelector({}, p.namespace);
    case 'selected-namespaces':
      return namespacesSelector(p.namespaceSelector, p.selector);
    default:
      throw new Error(`a ${p.kind} peer renders to no endpoint selector`);
  }
}

/**
 * The de-duplication key of a rule: the ids of its Endpoints, Entities, CIDRSet and FQDNs
 * lists and its toPorts key. Each rule kind sets these fields in this order, so equal keys ⇔
 * equal JSON texts.
 */
function ruleKey(endpoints: string, entities: string, cidrs: string, fqdns: string, ports: string): string {
  return `${endpoints}|${entities}|${cidrs}|${fqdns}|${ports}`;
}

/** The values of `items` sorted and de-duplicated by JSON text, and their ids as a key part. */
function sortedValues<T>(r: Renderer, items: readonly Rendered<T>[]): { values: T[]; key: string } {
  const sorted = r.ids.sortedUnique(items);
  const values: T[] = [];
  let key = '';
  for (const item of sorted) {
    values.push(item.value);
    key += `${item.id},`;
  }
  return { values, key };
}

function group(peers: readonly PolicyPeer[], r: Renderer): Groups {
  const g: Groups = {};
  for (const p of peers) {
    switch (p.kind) {
      case 'pods':
      case 'namespace':
      case 'selected-namespaces':
        (g.endpoints ??= []).push(r.endpoints(p));
        break;
      case 'dns':
        (g.dns ??= []).push(r.endpoints(p));
        (g.dnsPorts ??= []).push(...p.ports);
        break;
      case 'apiserver':
        g.apiserver = p;
        break;
      case 'nodes':
        (g.entities ??= []).push('host', 'remote-node');
        break;
      case 'cilium-ingress':
        // Its Ingress / Gateway API proxy (pkg/policy/api/entity.go EntityIngress, Cilium 1.12 on).
        (g.entities ??= []).push('ingress');
        break;
      case 'cidr':
        (g.cidrs ??= []).push(r.cidr(p));
        break;
      case 'fqdn':
        (g.fqdns ??= []).push(r.fqdn(p));
        break;
      case 'world':
        throw new Error('a rule with a world peer renders as the all entity (renderRule)');
    }
  }
  return g;
}

/**
 * One IR rule → Cilium rules, one per peer kind: the agent refuses a rule that combines
 * FromEndpoints, FromCIDRSet, FromEntities (To… likewise, and ToFQDNs, ToServices) — "Combining
 * %s and %s is not supported yet" (cilium/cilium pkg/policy/api/rule_validation.go, sanitize) —
 * and a refused policy leaves the pod unprotected. Every part carries the rule's ports.
 */
function renderRule(direction: Direction, rule: PolicyRule, dnsVisibility: boolean, r: Renderer, out: KeyedRules): void {
  const rulePorts = direction === 'egress' ? r.egressPorts(rule.ports) : rule.ports;
  const ports = r.toPorts(rulePorts);
  const everyone = hasKind(rule, 'world') || (direction === 'ingress' && hasKind(rule, 'apiserver'));
  // A pod with toFQDNs learns names only from the lookups its DNS proxy sees, whichever resolver
  // they go to (a NodeLocal DNSCache, a nameserver of its own, another cluster DNS): a rule's DNS
  // ports get `rules.dns`, on a toPorts entry of their own as the cluster DNS's do below. A rule
  // to everyone also takes the lookups to the cluster DNS peers it absorbed, on their own ports.
  const lookups = dnsVisibility && direction === 'egress' ? rulePorts.filter(isDnsPort(everyone ? lookupPorts(rule) : DNS_PORTS)) : [];
  const rest = lookups.length > 0 ? r.toPorts(rulePorts.filter((p) => !lookups.includes(p))) : ports;
  const proxied = lookups.length > 0 ? r.toPorts(lookups, true) : undefined;
  const parts = (make: () => PeerRule, key: (ports: PortRules) => string): void => {
    if (lookups.length < rulePorts.length || lookups.length === 0) push(out, make(), key(rest), rest);
    if (proxied) push(out, make(), key(proxied), proxied);
  };
  // `world` is everything in and out of the cluster: the `all` entity. Cilium's `world` entity
  // is "traffic external to endpoint's cluster" only (pkg/policy/api/entity.go), so it would cut
  // in-cluster peers. `all` covers the rule's other peers too — the cluster DNS among them, so
  // its DNS ports are proxied like any other rule's: `all` is the wildcard selector (entity.go),
  // whose DNS rule sends every lookup on the port to the proxy (pkg/policy/l4.go createL4Filter),
  // and toEntities may carry it (rule_validation.go EgressRule.sanitize). The apiserver as a source
  // (admission webhooks) is left open on the rule's ports, as seed 003 prescribes: Cilium's
  // docs note that the kube-apiserver entity does not match ingress on AKS, EKS and GKE
  // (Documentation/security/policy/language.rst, cilium/cilium#32464), where the webhook would
  // be cut off and, with failurePolicy Fail, block API writes; TLS authenticates the caller.
  if (everyone) {
    parts(() => ({ entities: ['all'] }), (p) => ruleKey('', 'all', '', '', p.key));
    return;
  }
  const g = group(rule.peers, r);
  if (g.endpoints) {
    const s = sortedValues(r, g.endpoints);
    parts(() => ({ endpoints: s.values }), (p) => ruleKey(s.key, '', '', '', p.key));
  }
  if (g.entities) {
    const entities = [...new Set(g.entities)].sort();
    parts(() => ({ entities }), (p) => ruleKey('', entities.join(','), '', '', p.key));
  }
  if (g.cidrs) {
    const s = sortedValues(r, g.cidrs);
    parts(() => ({ cidrSet: s.values }), (p) => ruleKey('', '', s.key, '', p.key));
  }
  if (g.apiserver && direction === 'egress') {
    const api = r.apiserverRule(g.apiserver);
    out.rules.push(api.rules[0]!);
    out.keys.push(api.keys[0]!);
  }
  // DNS peers get rules of their own: an L7 DNS rule applies to the whole rule it sits in. It
  // names the DNS ports only: Cilium sends every port a `rules.dns` section names to its DNS
  // proxy (cilium/cilium#11767), so the DNS pods' other ports (CoreDNS metrics on 9153) get an
  // L4 rule of their own.
  if (g.dns) {
    const visibility = dnsVisibility && direction === 'egress';
    const s = sortedValues(r, g.dns);
    const dnsPorts = g.dnsPorts ?? DNS_PORTS;
    const isDns = isDnsPort(dnsPorts);
    const dnsOnly = visibility && rulePorts.length > 0 ? rulePorts.filter(isDns) : rulePorts;
    const dnsRulePorts = r.toPorts(rulePorts.length === 0 && visibility ? dnsPorts : dnsOnly, visibility);
    if (dnsOnly.length > 0 || rulePorts.length === 0) push(out, { endpoints: s.values }, ruleKey(s.key, '', '', '', dnsRulePorts.key), dnsRulePorts);
    const others = visibility ? rulePorts.filter((p) => !isDns(p)) : [];
    if (others.length > 0) {
      const l4 = r.toPorts(others);
      push(out, { endpoints: s.values }, ruleKey(s.key, '', '', '', l4.key), l4);
    }
  }
  if (g.fqdns) {
    const s = sortedValues(r, g.fqdns);
    push(out, { fqdns: s.values }, ruleKey('', '', '', s.key, ports.key), ports);
  }
}

/** The `icmps` of an echo rule: the echo request of its family (pkg/policy/api/icmp.go ICMPField: `family` IPv4 or IPv6, `type` the message type; a number, which every release reads). */
function echoIcmps(protocol: IcmpProtocol): CiliumIcmpRule[] {
  return [{ fields: [{ type: ECHO_TYPES[protocol].request, family: protocol === 'ICMP' ? 'IPv4' : 'IPv6' }] }];
}

/**
 * An echo rule → Cilium rules with `icmps` and no `toPorts`, one per peer kind: the agent refuses
 * `icmps` beside `toPorts` in one rule ("The ICMPs block may only be present without ToPorts.
 * Define a separate rule to use ToPorts.", pkg/policy/api/rule_validation.go
 * errUnsupportedICMPWithToPorts) and a rule combining peer kinds (renderRule). Each rule names its
 * peers: `icmps` without one would allow the echo from every peer (pkg/policy/rule.go mergeIngress).
 */
function renderEcho(echo: EchoRule, r: Renderer, out: KeyedRules): void {
  const icmps = echoIcmps(echo.protocol);
  const key = `icmp:${echo.protocol}`;
  const g = group(echo.peers, r);
  const selectors = [...(g.endpoints ?? []), ...(g.dns ?? [])];
  const add = (rule: PeerRule, k: string): void => {
    rule.icmps = icmps;
    out.rules.push(rule);
    out.keys.push(k);
  };
  if (selectors.length > 0) {
    const s = sortedValues(r, selectors);
    add({ endpoints: s.values }, ruleKey(s.key, '', '', '', key));
  }
  if (g.entities) {
    const entities = [...new Set(g.entities)].sort();
    add({ entities }, ruleKey('', entities.join(','), '', '', key));
  }
  if (g.cidrs) {
    const s = sortedValues(r, g.cidrs);
    add({ cidrSet: s.values }, ruleKey('', '', s.key, '', key));
  }
  if (g.fqdns) {
    const s = sortedValues(r, g.fqdns);
    add({ fqdns: s.values }, ruleKey('', '', '', s.key, key));
  }
}

function push(out: KeyedRules, rule: PeerRule, key: string, ports: PortRules): void {
  if (ports.toPorts) rule.toPorts = ports.toPorts;
  out.rules.push(rule);
  out.keys.push(key);
}

/** Whether a rule of the direction, a port rule or an ICMP echo rule, names a peer of `kind`. */
function hasPeer(d: DirectionPolicy, kind: PolicyPeer['kind']): boolean {
  if (d.mode !== 'rules') return false;
  for (const rule of [...d.rules, ...(d.echo ?? [])]) for (const p of rule.peers) if (p.kind === kind) return true;
  return false;
}

/** The rules in order, each JSON text once (first occurrence wins). */
function uniqueRules({ rules, keys }: KeyedRules): PeerRule[] {
  const seen = new Set<string>();
  const out: PeerRule[] = [];
  for (let i = 0; i < rules.length; i++) {
    if (seen.has(keys[i]!)) continue;
    seen.add(keys[i]!);
    out.push(rules[i]!);
  }
  return out;
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings, r: Renderer): PeerRule[] | undefined {
  switch (d.mode) {
    case 'none':
      return undefined;
    case 'deny-all':
      // An empty rule selects nothing but still puts the endpoint into default-deny for the direction.
      return [{}];
    case 'allow-all': {
      const tp = r.toPorts(d.ports).toPorts;
      return [tp ? { entities: ['all'], toPorts: tp } : { entities: ['all'] }];
    }
    case 'rules': {
      const visibility = direction === 'egress' && hasPeer(d, 'fqdn');
      const out: KeyedRules = { rules: [], keys: [] };
      for (const rule of d.rules) renderRule(direction, rule, visibility, r, out);
      for (const echo of d.echo ?? []) renderEcho(echo, r, out);
      if (visibility && !hasPeer(d, 'dns') && !out.rules.some(proxiesDns)) resolverRule(intent, direction, w, r, out);
      // An empty list would mean "not enforced in this direction": keep the isolation instead.
      return out.rules.length > 0 ? uniqueRules(out) : [{}];
    }
  }
}

const proxiesDns = (rule: PeerRule): boolean => (rule.toPorts ?? []).some((p) => p.rules?.dns !== undefined);

/**
 * The rule that takes the pod's lookups to the cluster DNS through the DNS proxy, for a pod whose
 * egress names FQDNs but no rule that does (its DNS rule sits in a shared layer, its lookups were
 * not observed): to the resolver the intent names, on its ports — its pods, or the
 * `host` and `remote-node` entities its host-network pods are (a rule to their labels selects no
 * endpoint). Without one, the conventional kube-system/k8s-app=kube-dns on 53.
 */
function resolverRule(intent: PolicyIntent, direction: Direction, w: Warnings, r: Renderer, out: KeyedRules): void {
  const resolver = intent.dnsResolver ?? { peers: [dnsPeer()], ports: DNS_PORTS };
  const on = resolver.ports.map((p) => (p.kind === 'number' ? `${p.port}/${p.protocol}` : portKey(p))).join(', ');
  for (const peer of resolver.peers) {
    const ports = r.toPorts(resolver.ports, true);
    if (peer.kind === 'nodes') {
      w.add('dns-visibility-added', intent, `toFQDNs needs the pod's DNS lookups to pass Cilium's DNS proxy: egress to the cluster DNS on the host network (entities host, remote-node) on ${on} added`, { direction });
      push(out, { entities: ['host', 'remote-node'] }, ruleKey('', 'host,remote-node', '', '', ports.key), ports);
      continue;
    }
    const selector = r.endpoints(peer);
    const labels = peer.kind === 'dns' ? Object.entries(peer.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') : '';
    const where = peer.kind === 'dns' ? `${peer.namespace}/${labels}` : 'the cluster DNS';
    w.add('dns-visibility-added', intent, `toFQDNs needs the pod's DNS lookups to pass Cilium's DNS proxy: egress to ${where} on ${on} added`, { direction });
    push(out, { endpoints: [selector.value] }, ruleKey(`${selector.id},`, '', '', '', ports.key), ports);
  }
}

/** The rule named for ingress: `fromEndpoints`, `fromEntities`, `fromCIDRSet` (an FQDN is egress only: policy/build.ts refuses it on ingress). */
function ingressRule(rule: PeerRule): CiliumIngressRule {
  const out: CiliumIngressRule = {};
  if (rule.endpoints) out.fromEndpoints = rule.endpoints;
  if (rule.entities) out.fromEntities = rule.entities;
  if (rule.cidrSet) out.fromCIDRSet = rule.cidrSet;
  if (rule.fqdns) throw new Error('an FQDN peer has no ingress rule');
  if (rule.toPorts) out.toPorts = rule.toPorts;
  if (rule.icmps) out.icmps = rule.icmps;
  return out;
}

/** The rule named for egress: `toEndpoints`, `toEntities`, `toCIDRSet`, `toFQDNs`. */
function egressRule(rule: PeerRule): CiliumEgressRule {
  const out: CiliumEgressRule = {};
  if (rule.endpoints) out.toEndpoints = rule.endpoints;
  if (rule.entities) out.toEntities = rule.entities;
  if (rule.cidrSet) out.toCIDRSet = rule.cidrSet;
  if (rule.fqdns) out.toFQDNs = rule.fqdns;
  if (rule.toPorts) out.toPorts = rule.toPorts;
  if (rule.icmps) out.icmps = rule.icmps;
  return out;
}

/**
 * Where the agent runs with `enable-icmp-rules` off it refuses every rule with `icmps`, and with it
 * the whole policy ("ICMP rules can only be applied when the \"enable-icmp-rules\" flag is set",
 * pkg/policy/api/rule_validation.go IngressRule/EgressRule Validate): the echo is left out as the
 * engines without ICMP rules leave it (withoutEcho), never opened by an L3-only rule.
 */
const ICMP_RULES_OFF: NoEchoRule = {
  kind: 'CiliumNetworkPolicy',
  why: 'the cilium-config sets enable-icmp-rules: "false", and the agent refuses a policy with an icmps rule (pkg/policy/api/rule_validation.go), while a rule without toPorts would open every protocol to the peer',
  remedy: 'set enable-icmp-rules: "true" in the cilium-config (the agent\'s default) and import the inventory again, or allow it by hand',
  where: ' under enable-icmp-rules: "false"',
};

function emitIntent(given: PolicyIntent, w: Warnings, r: Renderer, options: EmitOptions): EngineManifests['cilium'][] {
  const explained = explainedIntent(given, { selectsCiliumIngress: true });
  if (hostNetworkSkipped(explained, w, 'CiliumNetworkPolicy (endpointSelector)')) return [];
  const intent = options.ciliumIcmpRulesOff ? withoutEcho(explained, w, ICMP_RULES_OFF) : explained;
  const clusterWide = intent.subject.kind === 'namespaces';
  let selector = canonicalSelector(subjectSelector(intent));
  if (intent.subject.kind === 'namespaces') {
    selector = canonicalSelector({
      ...selector,
      matchExpressions: [...(selector.matchExpressions ?? []), { key: CILIUM_NAMESPACE_LABEL, operator: 'In', values: intent.subject.namespaces }],
    });
  }
  const spec: CiliumRule = { endpointSelector: selector };
  const rendered = renderDirection(intent, 'ingress', intent.ingress, w, r);
  const ingress = rendered && options.ciliumLocalHostUnderPolicy ? withLocalHost(rendered) : rendered;
  const egress = renderDirection(intent, 'egress', intent.egress, w, r);
  if (ingress) spec.ingress = ingress.map(ingressRule);
  if (egress) spec.egress = egress.map(egressRule);
  const name = policyName(intent.key);
  const namespace = clusterWide ? undefined : intent.namespace;
  return [
    {
      apiVersion: CILIUM_API_VERSION,
      kind: clusterWide ? CCNP_KIND : CNP_KIND,
      metadata:
        ingress !== rendered
          ? metadata(intent, name, namespace, [LOCAL_HOST_LINE, ...directionLines('ingress', intent.ingress), ...directionLines('egress', intent.egress)])
          : annotatedMetadata(intent, name, namespace, intentRulesAnnotation(intent)),
      spec,
    },
  ];
}

/** Why an isolated ingress lets the `host` entity in under `allow-localhost: policy` (the first rule line, never cut). */
const LOCAL_HOST_LINE = 'ingress local-host: from the host entity, the kubelet\'s probes and host-network pods on the pod\'s node, which the agent polices under allow-localhost: policy (cilium-config)';

/**
 * The ingress rules with `fromEntities: [host]` added, unless a rule without ports already lets
 * every peer in. Under `allow-localhost: policy` the agent no longer lets the local host into its
 * pods whatever the rules (cilium/cilium pkg/policy mapstate.go determineAllowLocalhostIngress
 * inserts that allow only when option.Config.AlwaysAllowLocalhost()), and the docs then tell to
 * allow the `host` entity, "the local host … also includes all containers running in host
 * networking mode on the local host" (policy language, "Entities"): without it every kubelet
 * probe is cut. Any port: the probes reach whatever port the pod's probes name.
 */
function withLocalHost(rules: PeerRule[]): PeerRule[] {
  if (rules.some((x) => x.entities?.includes('all') && x.toPorts === undefined)) return rules;
  const host: PeerRule = { entities: ['host'] };
  // A lone empty rule only kept the isolation (deny-all): the host rule keeps it too.
  return rules.length === 1 && Object.keys(rules[0]!).length === 0 ? [host] : [...rules, host];
}

export const ciliumEngine: Engine<'cilium'> = {
  name: 'cilium',
  renders: 'cilium.io/v2 CiliumNetworkPolicy (CiliumClusterwideNetworkPolicy for cluster-wide layers)',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult<'cilium'> {
    const w = new Warnings('cilium');
    const r = new Renderer();
    const manifests: EngineManifests['cilium'][] = [];
    for (const intent of set.intents) for (const m of emitIntent(intent, w, r, options)) manifests.push(m);
    return { engine: 'cilium', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
