/**
 * `calico`: projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy for cluster-wide subjects.
 * Selectors become Calico expressions (`app == 'x' && has(y)`), namespaces are selected by
 * `projectcalico.org/name`, addresses by `nets`/`notNets`, the apiserver egress by
 * `destination.services: {name: kubernetes, namespace: default}` (no ports there: the CRD
 * forbids ports with services on egress, and the service match already pins the endpoint
 * port). Deny-all is a policy type with no rule: Calico denies at the end of the tier for an
 * endpoint that a policy applies to, the NetworkPolicy semantics. `order` keeps the
 * default-deny layer after the allowlists (2000, the chart's default, vs 1000).
 * OSS Calico has no FQDN rule: resolved IPs are used when known, else a warning.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { compareCidrs, hostCidr } from '../policy/cidr.ts';
import type { Direction, DirectionPolicy, Layer, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortProtocol, PortSpec, RuleExplanation } from '../policy/ir.ts';
import { policyName } from '../policy/names.ts';
import { canonicalSelector, compareStrings, uniqueBy } from '../policy/order.ts';
import { hostNetworkSkipped, subjectSelector } from './kubernetes.ts';
import { ANNOTATION_EXPLANATION, directionLines, metadata, ruleLine, sortManifests, Warnings } from './metadata.ts';
import type { EmitOptions, Engine, EmitResult, Manifest } from './types.ts';

export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/name';
export const DEFAULT_CALICO_ORDER: Record<Layer, number> = { shared: 900, allowlist: 1000, 'default-deny': 2000 };

const quote = (v: string): string => `'${v}'`;

/** A LabelSelector as a Calico selector expression; `{}` → `all()`. */
export function calicoSelector(s: LabelSelector): string {
  const c = canonicalSelector(s);
  const terms: string[] = [];
  for (const [k, v] of Object.entries(c.matchLabels ?? {})) terms.push(`${k} == ${quote(v)}`);
  for (const e of c.matchExpressions ?? []) {
    const set = `{${(e.values ?? []).map(quote).join(', ')}}`;
    switch (e.operator) {
      case 'In':
        terms.push(`${e.key} in ${set}`);
        break;
      case 'NotIn':
        terms.push(`${e.key} not in ${set}`);
        break;
      case 'Exists':
        terms.push(`has(${e.key})`);
        break;
      case 'DoesNotExist':
        terms.push(`!has(${e.key})`);
        break;
    }
  }
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}

function namespaceSelector(namespaces: readonly string[]): string {
  return namespaces.length === 1 ? `${CALICO_NAMESPACE_LABEL} == ${quote(namespaces[0]!)}` : `${CALICO_NAMESPACE_LABEL} in {${namespaces.map(quote).join(', ')}}`;
}

type Entity = Record<string, unknown>;

/** Ports grouped by protocol: Calico rules match one protocol each. */
function protocolGroups(ports: readonly PortSpec[]): { protocol?: PortProtocol; ports: (number | string)[] }[] {
  if (ports.length === 0) return [{ ports: [] }];
  const by = new Map<PortProtocol, (number | string)[]>();
  for (const p of ports) {
    const list = by.get(p.protocol) ?? [];
    if (p.kind === 'number') list.push(p.port);
    else if (p.kind === 'range') list.push(`${p.start}:${p.end}`);
    else if (p.kind === 'named') list.push(p.name);
    by.set(p.protocol, list);
  }
  // `all` normalises away the protocol's other ports (build.normalizePorts), leaving an empty list.
  return [...by.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([protocol, list]) => ({ protocol, ports: list }));
}

function entities(intent: PolicyIntent, direction: Direction, rule: PolicyRule, w: Warnings): { entity: Entity; service?: boolean }[] {
  const where = { direction, rule: rule.explanation.id };
  const out: { entity: Entity; service?: boolean }[] = [];
  const nets: string[] = [];
  for (const p of rule.peers as PolicyPeer[]) {
    switch (p.kind) {
      case 'pods':
        out.push({ entity: p.namespace === undefined ? { selector: calicoSelector(p.selector) } : { namespaceSelector: namespaceSelector([p.namespace]), selector: calicoSelector(p.selector) } });
        break;
      case 'namespace':
        out.push({ entity: p.namespace === undefined ? { selector: 'all()' } : { namespaceSelector: namespaceSelector([p.namespace]) } });
        break;
      case 'dns':
        out.push({ entity: { namespaceSelector: namespaceSelector([p.namespace]), selector: calicoSelector(p.selector) } });
        break;
      case 'apiserver':
        // As a source (admission webhooks) it is not narrowed: see the kubernetes engine.
        if (direction === 'egress') out.push({ entity: { services: { name: 'kubernetes', namespace: 'default' } }, service: true });
        else out.push({ entity: {} });
        break;
      case 'nodes':
        if (p.ips.length === 0) w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node addresses on this engine', where);
        nets.push(...p.ips.map(hostCidr));
        break;
      case 'cidr':
        if (p.except.length > 0) out.push({ entity: { nets: [p.cidr], notNets: p.except } });
        else nets.push(p.cidr);
        break;
      case 'fqdn':
        if (p.ips.length === 0) {
          w.add('fqdn-unresolved', intent, `OSS Calico has no FQDN rule and no address is known for ${p.name}: no rule emitted`, where);
        } else {
          w.add('fqdn-as-ips', intent, `OSS Calico has no FQDN rule: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where);
          nets.push(...p.ips.map(hostCidr));
        }
        break;
      case 'world':
        nets.push('0.0.0.0/0', '::/0');
        break;
    }
  }
  if (nets.length > 0) out.push({ entity: { nets: [...new Set(nets)].sort(compareCidrs) } });
  return out;
}

function ruleMetadata(direction: Direction, e: RuleExplanation): Record<string, unknown> {
  return { annotations: { [ANNOTATION_EXPLANATION]: ruleLine(direction, e) } };
}

function renderRules(intent: PolicyIntent, direction: Direction, rule: PolicyRule, w: Warnings): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const { entity, service } of entities(intent, direction, rule, w)) {
    if (service) {
      out.push({ action: 'Allow', destination: entity, metadata: ruleMetadata(direction, rule.explanation) });
      continue;
    }
    for (const g of protocolGroups(rule.ports)) {
      const r: Record<string, unknown> = { action: 'Allow' };
      if (g.protocol) r.protocol = g.protocol;
      const dest: Entity = direction === 'egress' ? { ...entity } : {};
      if (g.ports.length > 0) dest.ports = g.ports;
      if (direction === 'ingress' && Object.keys(entity).length > 0) r.source = entity;
      if (Object.keys(dest).length > 0) r.destination = dest;
      r.metadata = ruleMetadata(direction, rule.explanation);
      out.push(r);
    }
  }
  return out;
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings): Record<string, unknown>[] | undefined {
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return undefined;
    case 'allow-all':
      return protocolGroups(d.ports).map((g) => {
        const r: Record<string, unknown> = { action: 'Allow' };
        if (g.protocol) r.protocol = g.protocol;
        if (g.ports.length > 0) r.destination = { ports: g.ports };
        r.metadata = ruleMetadata(direction, d.explanation);
        return r;
      });
    case 'rules':
      return uniqueBy(
        d.rules.flatMap((r) => renderRules(intent, direction, r, w)),
        (r) => JSON.stringify(r),
      );
  }
}

function emitIntent(intent: PolicyIntent, w: Warnings, order: Record<Layer, number>): Manifest[] {
  if (hostNetworkSkipped(intent, w, 'a Calico workload policy')) return [];
  const types: string[] = [];
  if (intent.ingress.mode !== 'none') types.push('Ingress');
  if (intent.egress.mode !== 'none') types.push('Egress');
  const spec: Record<string, unknown> = { order: order[intent.layer], selector: calicoSelector(subjectSelector(intent)), types };
  const clusterWide = intent.subject.kind === 'namespaces';
  if (intent.subject.kind === 'namespaces') spec.namespaceSelector = namespaceSelector(intent.subject.namespaces);
  const ingress = renderDirection(intent, 'ingress', intent.ingress, w);
  const egress = renderDirection(intent, 'egress', intent.egress, w);
  if (ingress && ingress.length > 0) spec.ingress = ingress;
  if (egress && egress.length > 0) spec.egress = egress;
  const lines = [...directionLines('ingress', intent.ingress), ...directionLines('egress', intent.egress)];
  return [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: clusterWide ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
      metadata: metadata(intent, policyName(intent.key), clusterWide ? undefined : intent.namespace, lines),
      spec,
    },
  ];
}

export const calicoEngine: Engine = {
  name: 'calico',
  renders: 'projectcalico.org/v3 NetworkPolicy (GlobalNetworkPolicy for cluster-wide layers)',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult {
    const w = new Warnings('calico');
    const o = options.calicoOrder ?? {};
    const order: Record<Layer, number> = {
      shared: o.shared ?? DEFAULT_CALICO_ORDER.shared,
      allowlist: o.allowlist ?? DEFAULT_CALICO_ORDER.allowlist,
      'default-deny': o.defaultDeny ?? DEFAULT_CALICO_ORDER['default-deny'],
    };
    const manifests = set.intents.flatMap((i) => emitIntent(i, w, order));
    return { engine: 'calico', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
