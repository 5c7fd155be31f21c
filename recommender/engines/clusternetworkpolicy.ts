/**
 * `clusternetworkpolicy`: policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (standard
 * channel), everything in the Baseline tier, as the Flux controller chart does: a developer's
 * own NetworkPolicy still takes precedence, and flowmatrix never overrides it from Admin.
 *
 * A ClusterNetworkPolicy does not isolate what it selects, so the NetworkPolicy semantics of
 * the IR are rebuilt with priorities (lower = first): Accept policies for the allowlists and
 * shared rules, then an isolation policy per restricted subject that Denies the rest, then the
 * namespace default-deny. Limits are enforced by deterministic splitting: ≤ 25 rules per
 * direction (more → `name-1`, `name-2`, … at the same priority, all Accept so order is moot),
 * ≤ 25 peers and ≤ 25 protocols per rule (more → several rules), ≤ 25 networks per peer.
 * Ingress peers can only be pods and namespaces: addresses (apiserver, nodes, CIDRs) are
 * reported as not expressible — and equally cannot be denied by the isolation policy.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { compareCidrs, hostCidr, subtractCidrs } from '../policy/cidr.ts';
import type { Direction, DirectionPolicy, PolicyIntent, PolicyRule, PolicySet, PortSpec, RuleExplanation } from '../policy/ir.ts';
import { chunkName, policyName, shortHash } from '../policy/names.ts';
import { uniqueSortedBy } from '../policy/order.ts';
import { hostNetworkSkipped, NAMESPACE_LABEL } from './kubernetes.ts';
import { directionLines, metadata, ruleLine, sortManifests, Warnings } from './metadata.ts';
import type { EmitOptions, Engine, EmitResult, Manifest } from './types.ts';

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

type Peer = Record<string, unknown>;
interface CnpRule {
  name: string;
  action: 'Accept' | 'Deny';
  peers: Peer[];
  protocols: Record<string, unknown>[];
}

const ALL_NETWORKS = ['0.0.0.0/0', '::/0'];
const nsSel = (ns: string): LabelSelector => ({ matchLabels: { [NAMESPACE_LABEL]: ns } });
const json = (x: unknown): string => JSON.stringify(x);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function cnpProtocol(p: PortSpec): Record<string, unknown> {
  const proto = p.protocol.toLowerCase();
  switch (p.kind) {
    case 'number':
      return { [proto]: { destinationPort: { number: p.port } } };
    case 'range':
      return { [proto]: { destinationPort: { range: { start: p.start, end: p.end } } } };
    case 'all':
      return { [proto]: { destinationPort: { range: { start: 1, end: 65535 } } } };
    case 'named':
      // The API's named port carries no protocol: the container port's own protocol applies.
      return { destinationNamedPort: p.name };
  }
}

function networkPeers(cidrs: readonly string[]): Peer[] {
  return chunks([...new Set(cidrs)].sort(compareCidrs), CNP_MAX_NETWORKS).map((networks) => ({ networks }));
}

function ruleName(e: RuleExplanation, part: number, parts: number): string {
  const suffix = parts > 1 ? ` (${part + 1}/${parts})` : '';
  const base = `${e.status} ${e.id}`;
  if (base.length + suffix.length <= MAX_RULE_NAME) return base + suffix;
  const hash = shortHash(base);
  return `${base.slice(0, MAX_RULE_NAME - suffix.length - hash.length - 2)}… ${hash}${suffix}`;
}

/** One IR rule → CNP rules, each within the peer and protocol limits. */
function renderRule(intent: PolicyIntent, direction: Direction, rule: PolicyRule, w: Warnings): CnpRule[] {
  const where = { direction, rule: rule.explanation.id };
  const ns = intent.namespace;
  const peers: Peer[] = [];
  const nets: string[] = [];
  const separate: { peers: Peer[]; ports: PortSpec[] }[] = [];
  const notExpressible = (what: string): void =>
    w.add('peer-not-expressible', intent, `ClusterNetworkPolicy ingress cannot match ${what} (only pods and namespaces): no rule emitted; such traffic is not denied by it either`, where);
  for (const p of rule.peers) {
    switch (p.kind) {
      case 'pods':
        peers.push({ pods: { namespaceSelector: nsSel(p.namespace ?? ns!), podSelector: p.selector } });
        break;
      case 'namespace':
        peers.push({ namespaces: nsSel(p.namespace ?? ns!) });
        break;
      case 'dns':
        peers.push({ pods: { namespaceSelector: nsSel(p.namespace), podSelector: p.selector } });
        break;
      case 'apiserver':
        if (direction === 'ingress') notExpressible('the apiserver');
        else if (p.endpoints.length === 0) w.add('apiserver-no-endpoints', intent, 'no endpoint of default/kubernetes is known: the apiserver cannot be allowed by address', where);
        else {
          const byPort = new Map<string, { port: PortSpec; ips: string[] }>();
          for (const e of p.endpoints) {
            const k = `${e.protocol}/${e.port}`;
            const entry = byPort.get(k) ?? { port: { kind: 'number', protocol: e.protocol, port: e.port }, ips: [] };
            entry.ips.push(hostCidr(e.ip));
            byPort.set(k, entry);
          }
          for (const { port, ips } of byPort.values()) separate.push({ peers: networkPeers(ips), ports: [port] });
        }
        break;
      case 'nodes':
        if (direction === 'ingress') notExpressible('nodes (host network)');
        else if (p.ips.length === 0) w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node addresses on this engine', where);
        else nets.push(...p.ips.map(hostCidr));
        break;
      case 'cidr':
        if (direction === 'ingress') notExpressible(`the address block ${p.cidr}`);
        else nets.push(...(p.except.length > 0 ? subtractCidrs(p.cidr, p.except) : [p.cidr]));
        break;
      case 'fqdn':
        if (p.ips.length === 0) w.add('fqdn-unresolved', intent, `the standard ClusterNetworkPolicy has no FQDN peer and no address is known for ${p.name}: no rule emitted`, where);
        else {
          w.add('fqdn-as-ips', intent, `the standard ClusterNetworkPolicy has no FQDN peer: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where);
          nets.push(...p.ips.map(hostCidr));
        }
        break;
      case 'world':
        if (direction === 'ingress') notExpressible('the world');
        else nets.push(...ALL_NETWORKS);
        break;
    }
  }
  peers.push(...networkPeers(nets));
  const groups = [...(peers.length > 0 ? [{ peers, ports: rule.ports }] : []), ...separate];
  const pieces: { peers: Peer[]; ports: PortSpec[] }[] = [];
  for (const g of groups) {
    const peerChunks = chunks(uniqueSortedBy(g.peers, json), CNP_MAX_PEERS);
    const portChunks = g.ports.length > 0 ? chunks(g.ports, CNP_MAX_PROTOCOLS) : [[]];
    for (const pc of peerChunks) for (const pp of portChunks) pieces.push({ peers: pc, ports: pp });
  }
  return pieces.map((piece, i) => ({
    name: ruleName(rule.explanation, i, pieces.length),
    action: 'Accept' as const,
    peers: piece.peers,
    protocols: uniqueSortedBy(piece.ports.map(cnpProtocol), json),
  }));
}

function everyone(direction: Direction): Peer[] {
  return direction === 'ingress' ? [{ namespaces: {} }] : [{ namespaces: {} }, { networks: ALL_NETWORKS }];
}

function acceptRules(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings): CnpRule[] {
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return [];
    case 'allow-all':
      return [{ name: ruleName(d.explanation, 0, 1), action: 'Accept', peers: everyone(direction), protocols: uniqueSortedBy(d.ports.map(cnpProtocol), json) }];
    case 'rules':
      return d.rules.flatMap((r) => renderRule(intent, direction, r, w));
  }
}

function wire(direction: Direction, r: CnpRule): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name, action: r.action, [direction === 'ingress' ? 'from' : 'to']: r.peers };
  if (r.protocols.length > 0) out.protocols = r.protocols;
  return out;
}

function subject(intent: PolicyIntent): Record<string, unknown> {
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

function baseName(intent: PolicyIntent): string {
  // ClusterNetworkPolicy is cluster-scoped: names carry the namespace to stay unique.
  const ns = intent.namespace;
  return ns !== undefined && !intent.key.startsWith(`${ns}/`) && !intent.key.startsWith(`${ns}-`) ? `${ns}-${intent.key}` : intent.key;
}

function manifest(intent: PolicyIntent, name: string, priority: number, ingress: CnpRule[], egress: CnpRule[], lines: string[]): Manifest {
  const spec: Record<string, unknown> = { tier: 'Baseline', priority, subject: subject(intent) };
  if (ingress.length > 0) spec.ingress = ingress.map((r) => wire('ingress', r));
  if (egress.length > 0) spec.egress = egress.map((r) => wire('egress', r));
  return { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: metadata(intent, name, undefined, lines), spec };
}

function emitIntent(intent: PolicyIntent, w: Warnings, prio: CnpPriorities): Manifest[] {
  if (hostNetworkSkipped(intent, w, 'ClusterNetworkPolicy')) return [];
  const base = baseName(intent);
  const out: Manifest[] = [];
  const restricted = (d: DirectionPolicy): boolean => d.mode === 'rules' || d.mode === 'deny-all';
  const denyRules = (direction: Direction, d: DirectionPolicy): CnpRule[] =>
    restricted(d) ? [{ name: direction === 'ingress' ? 'deny all other ingress' : 'deny all other egress', action: 'Deny', peers: everyone(direction), protocols: [] }] : [];
  const denyLines = [...(restricted(intent.ingress) ? directionLines('ingress', intent.ingress).slice(0, 1) : []), ...(restricted(intent.egress) ? directionLines('egress', intent.egress).slice(0, 1) : [])];

  if (intent.layer === 'default-deny') {
    out.push(manifest(intent, policyName(base), prio.defaultDeny, denyRules('ingress', intent.ingress), denyRules('egress', intent.egress), denyLines));
    return out;
  }
  const ingress = acceptRules(intent, 'ingress', intent.ingress, w);
  const egress = acceptRules(intent, 'egress', intent.egress, w);
  const inChunks = chunks(ingress, CNP_MAX_RULES);
  const egChunks = chunks(egress, CNP_MAX_RULES);
  const n = Math.max(inChunks.length, egChunks.length);
  const acceptName = policyName(base);
  const priority = intent.layer === 'shared' ? prio.shared : prio.allowlist;
  for (let i = 0; i < n; i++) {
    const ic = inChunks[i] ?? [];
    const ec = egChunks[i] ?? [];
    const lines = [...ic.map((r) => `ingress ${r.name}`), ...ec.map((r) => `egress ${r.name}`)];
    out.push(manifest(intent, n === 1 ? acceptName : chunkName(acceptName, i), priority, ic, ec, lines));
  }
  const isoIn = denyRules('ingress', intent.ingress);
  const isoEg = denyRules('egress', intent.egress);
  if (isoIn.length + isoEg.length > 0) {
    const lines = [
      ...(isoIn.length > 0 ? [ruleLine('ingress', { id: intent.key, status: 'implied', text: 'isolate the subject: deny ingress the rules above do not accept' })] : []),
      ...(isoEg.length > 0 ? [ruleLine('egress', { id: intent.key, status: 'implied', text: 'isolate the subject: deny egress the rules above do not accept' })] : []),
      ...denyLines.filter((l) => !l.includes(' implied ')),
    ];
    out.push(manifest(intent, policyName(`${base}-isolation`), prio.isolation, isoIn, isoEg, lines));
  }
  return out;
}

function priorities(o: EmitOptions['cnpPriority'] = {}): CnpPriorities {
  const p: CnpPriorities = { ...DEFAULT_CNP_PRIORITY, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 0 || v > 1000) throw new RangeError(`ClusterNetworkPolicy priority ${k}=${v} is not an integer in 0..1000`);
  }
  if (!(p.shared <= p.allowlist && p.allowlist < p.isolation && p.isolation < p.defaultDeny)) {
    throw new RangeError(`ClusterNetworkPolicy priorities must satisfy shared ≤ allowlist < isolation < defaultDeny (got ${JSON.stringify(p)})`);
  }
  return p;
}

export const clusterNetworkPolicyEngine: Engine = {
  name: 'clusternetworkpolicy',
  renders: 'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (Baseline tier)',
  emit(set: PolicySet, options: EmitOptions = {}): EmitResult {
    const prio = priorities(options.cnpPriority);
    const w = new Warnings('clusternetworkpolicy');
    const manifests = set.intents.flatMap((i) => emitIntent(i, w, prio));
    return { engine: 'clusternetworkpolicy', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
