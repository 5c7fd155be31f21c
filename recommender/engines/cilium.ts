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
import { DEFAULT_DNS, dnsPorts } from '../policy/build.ts';
import type { Direction, DirectionPolicy, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec } from '../policy/ir.ts';
import { policyName } from '../policy/names.ts';
import { canonicalSelector, uniqueSortedBy } from '../policy/order.ts';
import { JsonIds } from './json-ids.ts';
import { hasKind, hostNetworkSkipped, subjectSelector } from './kubernetes.ts';
import { annotatedMetadata, explainedIntent, intentRulesAnnotation, sortManifests, Warnings } from './metadata.ts';
import type { Engine, EmitResult, Manifest } from './types.ts';

export const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** Cilium accepts at most 40 ports per PortRule. */
const MAX_PORTS = 40;

type CiliumRule = Record<string, unknown>;

export function ciliumPort(p: PortSpec): Record<string, unknown> {
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

function fqdnSelector(name: string): Record<string, string> {
  return name.includes('*') ? { matchPattern: name } : { matchName: name };
}

const json = (x: unknown): string => JSON.stringify(x);

interface Rendered {
  value: unknown;
  id: number;
}

/** A rule's `toPorts` and a key equal for two port lists exactly when their JSON texts are. */
interface PortRules {
  toPorts: Record<string, unknown>[] | undefined;
  key: string;
}

/** Rendered rules and their keys: equal keys ⇔ equal JSON texts (see ruleKey). */
interface KeyedRules {
  rules: CiliumRule[];
  keys: string[];
}

/** A rule's peers grouped by what they render to; lists only for the kinds present. */
interface Groups {
  endpoints?: Rendered[];
  dns?: Rendered[];
  cidrs?: Rendered[];
  fqdns?: Rendered[];
  entities?: string[];
  apiserver?: PolicyPeer & { kind: 'apiserver' };
}

const DNS_PORTS = dnsPorts();

/**
 * Renderings shared within one emit: IR peers and ports are shared objects and render the
 * same in every intent (see the kubernetes engine). Nothing modifies a rendering once built.
 */
class Renderer {
  readonly ids = new JsonIds();
  private readonly peers = new Map<PolicyPeer, Rendered>();
  private readonly ports = new Map<PortSpec, Rendered>();
  private readonly portRules = new Map<string, PortRules>();
  private readonly apiserverRules = new Map<PolicyPeer, KeyedRules>();

  /** The endpoint selector, CIDR or FQDN selector of a pods, namespace, dns, cidr or fqdn peer. */
  peer(p: PolicyPeer): Rendered {
    let r = this.peers.get(p);
    if (r === undefined) {
      const value = renderPeer(p);
      this.peers.set(p, (r = { value, id: this.ids.id(value) }));
    }
    return r;
  }

  /** toPorts(ports, dnsVisibility), with its key. */
  toPorts(ports: readonly PortSpec[], dnsVisibility = false): PortRules {
    if (ports.length === 0) return NO_PORTS;
    const rendered: Rendered[] = [];
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
      const rule: CiliumRule = { toEntities: ['kube-apiserver'] };
      if (tp.toPorts) rule.toPorts = tp.toPorts;
      this.apiserverRules.set(p, (r = { rules: [rule], keys: [ruleKey('', 'kube-apiserver', '', '', tp.key)] }));
    }
    return r;
  }

  private port(p: PortSpec): Rendered {
    let r = this.ports.get(p);
    if (r === undefined) {
      const value = ciliumPort(p);
      this.ports.set(p, (r = { value, id: this.ids.id(value) }));
    }
    return r;
  }
}

const NO_PORTS: PortRules = { toPorts: undefined, key: '' };

function portRules(rendered: readonly Rendered[], dnsVisibility: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rendered.length; i += MAX_PORTS) {
    const ports: unknown[] = [];
    for (let j = i; j < rendered.length && j < i + MAX_PORTS; j++) ports.push(rendered[j]!.value);
    const pr: Record<string, unknown> = { ports };
    if (dnsVisibility) pr.rules = { dns: [{ matchPattern: '*' }] };
    out.push(pr);
  }
  return out;
}

function renderPeer(p: PolicyPeer): unknown {
  switch (p.kind) {
    case 'pods':
    case 'dns':
      return endpointSelector(p.selector, p.namespace);
    case 'namespace':
      return p.namespace === undefined ? {} : endpointSelector({}, p.namespace);
    case 'selected-namespaces':
      return namespacesSelector(p.namespaceSelector, p.selector);
    case 'cidr':
      return p.except.length > 0 ? { cidr: p.cidr, except: p.except } : { cidr: p.cidr };
    case 'fqdn':
      return fqdnSelector(p.name);
    default:
      throw new Error(`a ${p.kind} peer renders to no selector`);
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
function sortedValues(r: Renderer, items: readonly Rendered[]): { values: unknown[]; key: string } {
  const sorted = r.ids.sortedUnique(items);
  const values: unknown[] = [];
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
        (g.endpoints ??= []).push(r.peer(p));
        break;
      case 'dns':
        (g.dns ??= []).push(r.peer(p));
        break;
      case 'apiserver':
        g.apiserver = p;
        break;
      case 'nodes':
        (g.entities ??= []).push('host', 'remote-node');
        break;
      case 'cidr':
        (g.cidrs ??= []).push(r.peer(p));
        break;
      case 'fqdn':
        (g.fqdns ??= []).push(r.peer(p));
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
  const from = direction === 'ingress' ? 'from' : 'to';
  const ports = r.toPorts(rule.ports);
  // `world` is everything in and out of the cluster: the `all` entity. Cilium's `world` entity
  // is "traffic external to endpoint's cluster" only (pkg/policy/api/entity.go), so it would cut
  // in-cluster peers. `all` covers the rule's other peers too. The apiserver as a source
  // (admission webhooks) is left open on the rule's ports, as seed 003 prescribes: Cilium's
  // docs note that the kube-apiserver entity does not match ingress on AKS, EKS and GKE
  // (Documentation/security/policy/language.rst, cilium/cilium#32464), where the webhook would
  // be cut off and, with failurePolicy Fail, block API writes; TLS authenticates the caller.
  if (hasKind(rule, 'world') || (direction === 'ingress' && hasKind(rule, 'apiserver'))) {
    push(out, { [`${from}Entities`]: ['all'] }, ruleKey('', 'all', '', '', ports.key), ports);
    return;
  }
  const g = group(rule.peers, r);
  if (g.endpoints) {
    const s = sortedValues(r, g.endpoints);
    push(out, { [`${from}Endpoints`]: s.values }, ruleKey(s.key, '', '', '', ports.key), ports);
  }
  if (g.entities) {
    const entities = [...new Set(g.entities)].sort();
    push(out, { [`${from}Entities`]: entities }, ruleKey('', entities.join(','), '', '', ports.key), ports);
  }
  if (g.cidrs) {
    const s = sortedValues(r, g.cidrs);
    push(out, { [`${from}CIDRSet`]: s.values }, ruleKey('', '', s.key, '', ports.key), ports);
  }
  if (g.apiserver && direction === 'egress') {
    const api = r.apiserverRule(g.apiserver);
    out.rules.push(api.rules[0]!);
    out.keys.push(api.keys[0]!);
  }
  // DNS peers get rules of their own: an L7 DNS rule applies to the whole rule it sits in.
  if (g.dns) {
    const visibility = dnsVisibility && direction === 'egress';
    const dnsRulePorts = r.toPorts(rule.ports.length === 0 && visibility ? DNS_PORTS : rule.ports, visibility);
    const s = sortedValues(r, g.dns);
    push(out, { [`${from}Endpoints`]: s.values }, ruleKey(s.key, '', '', '', dnsRulePorts.key), dnsRulePorts);
  }
  if (g.fqdns) {
    const s = sortedValues(r, g.fqdns);
    push(out, { toFQDNs: s.values }, ruleKey('', '', '', s.key, ports.key), ports);
  }
}

function push(out: KeyedRules, rule: CiliumRule, key: string, ports: PortRules): void {
  if (ports.toPorts) rule.toPorts = ports.toPorts;
  out.rules.push(rule);
  out.keys.push(key);
}

function hasPeer(d: DirectionPolicy, kind: PolicyPeer['kind']): boolean {
  if (d.mode !== 'rules') return false;
  for (const rule of d.rules) for (const p of rule.peers) if (p.kind === kind) return true;
  return false;
}

/** The rules in order, each JSON text once (first occurrence wins). */
function uniqueRules({ rules, keys }: KeyedRules): CiliumRule[] {
  const seen = new Set<string>();
  const out: CiliumRule[] = [];
  for (let i = 0; i < rules.length; i++) {
    if (seen.has(keys[i]!)) continue;
    seen.add(keys[i]!);
    out.push(rules[i]!);
  }
  return out;
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings, r: Renderer): CiliumRule[] | undefined {
  const from = direction === 'ingress' ? 'from' : 'to';
  switch (d.mode) {
    case 'none':
      return undefined;
    case 'deny-all':
      // An empty rule selects nothing but still puts the endpoint into default-deny for the direction.
      return [{}];
    case 'allow-all': {
      const tp = r.toPorts(d.ports).toPorts;
      return [tp ? { [`${from}Entities`]: ['all'], toPorts: tp } : { [`${from}Entities`]: ['all'] }];
    }
    case 'rules': {
      const visibility = direction === 'egress' && hasPeer(d, 'fqdn');
      const out: KeyedRules = { rules: [], keys: [] };
      for (const rule of d.rules) renderRule(direction, rule, visibility, r, out);
      if (visibility && !hasPeer(d, 'dns')) {
        w.add('dns-visibility-added', intent, `toFQDNs needs the pod's DNS lookups to pass Cilium's DNS proxy: egress to ${DEFAULT_DNS.namespace}/k8s-app=kube-dns on 53 added`, { direction });
        const selector = endpointSelector(DEFAULT_DNS.selector, DEFAULT_DNS.namespace);
        const ports = r.toPorts(DNS_PORTS, true);
        push(out, { toEndpoints: [selector] }, ruleKey(`${r.ids.id(selector)},`, '', '', '', ports.key), ports);
      }
      // An empty list would mean "not enforced in this direction": keep the isolation instead.
      return out.rules.length > 0 ? uniqueRules(out) : [{}];
    }
  }
}

function emitIntent(given: PolicyIntent, w: Warnings, r: Renderer): Manifest[] {
  const intent = explainedIntent(given);
  if (hostNetworkSkipped(intent, w, 'CiliumNetworkPolicy (endpointSelector)')) return [];
  const clusterWide = intent.subject.kind === 'namespaces';
  let selector = canonicalSelector(subjectSelector(intent));
  if (intent.subject.kind === 'namespaces') {
    selector = canonicalSelector({
      ...selector,
      matchExpressions: [...(selector.matchExpressions ?? []), { key: CILIUM_NAMESPACE_LABEL, operator: 'In', values: intent.subject.namespaces }],
    });
  }
  const spec: Record<string, unknown> = { endpointSelector: selector };
  const ingress = renderDirection(intent, 'ingress', intent.ingress, w, r);
  const egress = renderDirection(intent, 'egress', intent.egress, w, r);
  if (ingress) spec.ingress = ingress;
  if (egress) spec.egress = egress;
  return [
    {
      apiVersion: 'cilium.io/v2',
      kind: clusterWide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
      metadata: annotatedMetadata(intent, policyName(intent.key), clusterWide ? undefined : intent.namespace, intentRulesAnnotation(intent)),
      spec,
    },
  ];
}

export const ciliumEngine: Engine = {
  name: 'cilium',
  renders: 'cilium.io/v2 CiliumNetworkPolicy (CiliumClusterwideNetworkPolicy for cluster-wide layers)',
  emit(set: PolicySet): EmitResult {
    const w = new Warnings('cilium');
    const r = new Renderer();
    const manifests: Manifest[] = [];
    for (const intent of set.intents) for (const m of emitIntent(intent, w, r)) manifests.push(m);
    return { engine: 'cilium', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
