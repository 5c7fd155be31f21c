/**
 * `cilium`: cilium.io/v2 CiliumNetworkPolicy (CiliumClusterwideNetworkPolicy for cluster-wide
 * subjects). Peers in other namespaces carry `k8s:io.kubernetes.pod.namespace`; the apiserver,
 * nodes and the world are entities (`kube-apiserver`, `host` + `remote-node`, `world`); FQDNs
 * are `toFQDNs`, which only work when the pod's DNS traffic goes through Cilium's DNS proxy, so
 * every DNS rule of such a pod carries `rules.dns: [{matchPattern: "*"}]` (one is added when
 * the intent has none). Ports are strings, as the CRD demands.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { DEFAULT_DNS, dnsPorts } from '../policy/build.ts';
import type { Direction, DirectionPolicy, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec } from '../policy/ir.ts';
import { policyName } from '../policy/names.ts';
import { canonicalSelector, uniqueBy, uniqueSortedBy } from '../policy/order.ts';
import { subjectSelector, hostNetworkSkipped } from './kubernetes.ts';
import { directionLines, metadata, sortManifests, Warnings } from './metadata.ts';
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

function toPorts(ports: readonly PortSpec[], dnsVisibility = false): Record<string, unknown>[] | undefined {
  if (ports.length === 0) return undefined;
  const rendered = ports.map(ciliumPort);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rendered.length; i += MAX_PORTS) {
    const pr: Record<string, unknown> = { ports: rendered.slice(i, i + MAX_PORTS) };
    if (dnsVisibility) pr.rules = { dns: [{ matchPattern: '*' }] };
    out.push(pr);
  }
  return out;
}

function endpointSelector(sel: LabelSelector, namespace: string | undefined): LabelSelector {
  if (namespace === undefined) return canonicalSelector(sel);
  return canonicalSelector({ ...sel, matchLabels: { ...sel.matchLabels, [CILIUM_NAMESPACE_LABEL]: namespace } });
}

function fqdnSelector(name: string): Record<string, string> {
  return name.includes('*') ? { matchPattern: name } : { matchName: name };
}

interface Groups {
  endpoints: LabelSelector[];
  entities: string[];
  cidrs: Record<string, unknown>[];
  fqdns: Record<string, string>[];
  dns: LabelSelector[];
  apiserver: PolicyPeer & { kind: 'apiserver' } | undefined;
}

function group(peers: readonly PolicyPeer[]): Groups {
  const g: Groups = { endpoints: [], entities: [], cidrs: [], fqdns: [], dns: [], apiserver: undefined };
  for (const p of peers) {
    switch (p.kind) {
      case 'pods':
        g.endpoints.push(endpointSelector(p.selector, p.namespace));
        break;
      case 'namespace':
        g.endpoints.push(p.namespace === undefined ? {} : endpointSelector({}, p.namespace));
        break;
      case 'dns':
        g.dns.push(endpointSelector(p.selector, p.namespace));
        break;
      case 'apiserver':
        g.apiserver = p;
        break;
      case 'nodes':
        g.entities.push('host', 'remote-node');
        break;
      case 'cidr':
        g.cidrs.push(p.except.length > 0 ? { cidr: p.cidr, except: p.except } : { cidr: p.cidr });
        break;
      case 'fqdn':
        g.fqdns.push(fqdnSelector(p.name));
        break;
      case 'world':
        g.entities.push('world');
        break;
    }
  }
  return g;
}

const json = (x: unknown): string => JSON.stringify(x);

function renderRule(direction: Direction, rule: PolicyRule, dnsVisibility: boolean): CiliumRule[] {
  const from = direction === 'ingress' ? 'from' : 'to';
  const g = group(rule.peers);
  const ports = toPorts(rule.ports);
  const out: CiliumRule[] = [];
  const withPorts = (r: CiliumRule, tp = ports): CiliumRule => (tp ? { ...r, toPorts: tp } : r);
  const main: CiliumRule = {};
  if (g.endpoints.length > 0) main[`${from}Endpoints`] = uniqueSortedBy(g.endpoints, json);
  const entities = [...g.entities];
  if (g.apiserver && direction === 'ingress') entities.push('kube-apiserver');
  if (entities.length > 0) main[`${from}Entities`] = [...new Set(entities)].sort();
  if (g.cidrs.length > 0) main[`${from}CIDRSet`] = uniqueSortedBy(g.cidrs, json);
  if (Object.keys(main).length > 0) out.push(withPorts(main));
  if (g.apiserver && direction === 'egress') {
    // The entity is exact; the endpoint ports (6443) are what the datapath sees after service translation.
    const eps = g.apiserver.endpoints;
    const apiPorts: PortSpec[] = uniqueSortedBy(
      eps.map((e): PortSpec => ({ kind: 'number', protocol: e.protocol, port: e.port })),
      (p) => json(p),
    );
    out.push(withPorts({ toEntities: ['kube-apiserver'] }, toPorts(apiPorts)));
  }
  // DNS peers get rules of their own: an L7 DNS rule applies to the whole rule it sits in.
  if (g.dns.length > 0) {
    const visibility = dnsVisibility && direction === 'egress';
    const dnsRulePorts = rule.ports.length === 0 && visibility ? dnsPorts() : rule.ports;
    out.push(withPorts({ [`${from}Endpoints`]: uniqueSortedBy(g.dns, json) }, toPorts(dnsRulePorts, visibility)));
  }
  // toFQDNs cannot share a rule with other To* selectors.
  if (g.fqdns.length > 0) out.push(withPorts({ toFQDNs: uniqueSortedBy(g.fqdns, json) }));
  return out;
}

function hasFqdn(d: DirectionPolicy): boolean {
  return d.mode === 'rules' && d.rules.some((r) => r.peers.some((p) => p.kind === 'fqdn'));
}

function hasDns(d: DirectionPolicy): boolean {
  return d.mode === 'rules' && d.rules.some((r) => r.peers.some((p) => p.kind === 'dns'));
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings): CiliumRule[] | undefined {
  const from = direction === 'ingress' ? 'from' : 'to';
  switch (d.mode) {
    case 'none':
      return undefined;
    case 'deny-all':
      // An empty rule selects nothing but still puts the endpoint into default-deny for the direction.
      return [{}];
    case 'allow-all': {
      const tp = toPorts(d.ports);
      return [tp ? { [`${from}Entities`]: ['all'], toPorts: tp } : { [`${from}Entities`]: ['all'] }];
    }
    case 'rules': {
      const visibility = direction === 'egress' && hasFqdn(d);
      const rules = d.rules.flatMap((r) => renderRule(direction, r, visibility));
      if (visibility && !hasDns(d)) {
        w.add('dns-visibility-added', intent, `toFQDNs needs the pod's DNS lookups to pass Cilium's DNS proxy: egress to ${DEFAULT_DNS.namespace}/k8s-app=kube-dns on 53 added`, { direction });
        rules.push({ toEndpoints: [endpointSelector(DEFAULT_DNS.selector, DEFAULT_DNS.namespace)], toPorts: toPorts(dnsPorts(), true) });
      }
      // An empty list would mean "not enforced in this direction": keep the isolation instead.
      return rules.length > 0 ? uniqueBy(rules, json) : [{}];
    }
  }
}

function emitIntent(intent: PolicyIntent, w: Warnings): Manifest[] {
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
  const ingress = renderDirection(intent, 'ingress', intent.ingress, w);
  const egress = renderDirection(intent, 'egress', intent.egress, w);
  if (ingress) spec.ingress = ingress;
  if (egress) spec.egress = egress;
  const lines = [...directionLines('ingress', intent.ingress), ...directionLines('egress', intent.egress)];
  return [
    {
      apiVersion: 'cilium.io/v2',
      kind: clusterWide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
      metadata: metadata(intent, policyName(intent.key), clusterWide ? undefined : intent.namespace, lines),
      spec,
    },
  ];
}

export const ciliumEngine: Engine = {
  name: 'cilium',
  renders: 'cilium.io/v2 CiliumNetworkPolicy (CiliumClusterwideNetworkPolicy for cluster-wide layers)',
  emit(set: PolicySet): EmitResult {
    const w = new Warnings('cilium');
    const manifests = set.intents.flatMap((i) => emitIntent(i, w));
    return { engine: 'cilium', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
