/**
 * `kubernetes`: networking.k8s.io/v1 NetworkPolicy. The apiserver is the /32 of each endpoint
 * IP on the endpoint port (never a namespace/pod selector: it is not a pod). As a source
 * (admission webhooks) it is not narrowed at all: its source address is not the endpoint IP on
 * every control plane (konnectivity, managed clusters), and a webhook cut off with
 * failurePolicy Fail blocks API writes, so the port stays open and TLS guards it; host-network
 * peers are node IP blocks; FQDNs fall back to their resolved IPs, else no rule and a warning.
 * A rule whose peers all turn out inexpressible is dropped, never emitted with an empty peer
 * list (which would mean "from/to anywhere").
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { compareCidrs, hostCidr } from '../policy/cidr.ts';
import type { Direction, DirectionPolicy, PolicyIntent, PolicyPeer, PolicyRule, PolicySet, PortSpec } from '../policy/ir.ts';
import { policyName } from '../policy/names.ts';
import { uniqueBy, uniqueSortedBy } from '../policy/order.ts';
import { directionLines, metadata, sortManifests, Warnings } from './metadata.ts';
import type { Engine, EmitResult, Manifest } from './types.ts';

export const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
const ALL_V4 = '0.0.0.0/0';
const ALL_V6 = '::/0';

type NpPeer = Record<string, unknown>;
interface NpPort {
  protocol: string;
  port?: number | string;
  endPort?: number;
}
interface NpRule {
  peers: NpPeer[];
  /** JSON.stringify of each peer, in the same order: the keys peers and rules are de-duplicated by. */
  peerJson: string[];
  ports: NpPort[];
  portsJson: string;
  /** No peer restriction: the port is open to every source. */
  anySource?: true;
}

/**
 * Renderings shared within one emit: IR peers and ports are shared objects (the PolicySet
 * builder checks each once), and the peers below render the same wherever they appear.
 */
interface RenderCache {
  peers: Map<PolicyPeer, { peers: NpPeer[]; json: string[] }>;
  ports: Map<PortSpec, { port: NpPort; json: string }>;
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

function renderPorts(ports: readonly PortSpec[], cache: RenderCache): { ports: NpPort[]; json: string } {
  const out: NpPort[] = [];
  const json: string[] = [];
  for (const p of ports) {
    let r = cache.ports.get(p);
    if (r === undefined) {
      const np = npPort(p);
      cache.ports.set(p, (r = { port: np, json: JSON.stringify(np) }));
    }
    out.push(r.port);
    json.push(r.json);
  }
  return { ports: out, json: `[${json.join(',')}]` };
}

/** Renders one IR rule as one or more NetworkPolicy rules (the apiserver needs its own ports). */
function renderRule(intent: PolicyIntent, direction: Direction, rule: PolicyRule, w: Warnings, cache: RenderCache): NpRule[] {
  const where = { direction, rule: rule.explanation.id };
  const peers: NpPeer[] = [];
  const peerJson: string[] = [];
  const extra: NpRule[] = [];
  const ports = renderPorts(rule.ports, cache);
  if (direction === 'ingress' && rule.peers.some((p) => p.kind === 'apiserver')) return [{ peers: [], peerJson: [], ports: ports.ports, portsJson: ports.json, anySource: true }];
  for (const p of rule.peers) {
    const cached = cache.peers.get(p);
    if (cached) {
      for (let i = 0; i < cached.peers.length; i++) {
        peers.push(cached.peers[i]!);
        peerJson.push(cached.json[i]!);
      }
      continue;
    }
    const rendered = renderPeer(intent, p, w, where, extra);
    const json = rendered.map((np) => JSON.stringify(np));
    // Peers that warn or add rules depend on the intent: only the others are shared.
    if (p.kind === 'pods' || p.kind === 'namespace' || p.kind === 'dns' || p.kind === 'cidr' || p.kind === 'world') cache.peers.set(p, { peers: rendered, json });
    for (let i = 0; i < rendered.length; i++) {
      peers.push(rendered[i]!);
      peerJson.push(json[i]!);
    }
  }
  const out: NpRule[] = [];
  if (peers.length > 0) out.push({ peers, peerJson, ports: ports.ports, portsJson: ports.json });
  return [...out, ...extra];
}

function renderPeer(
  intent: PolicyIntent,
  p: PolicyPeer,
  w: Warnings,
  where: { direction: Direction; rule: string },
  extra: NpRule[],
): NpPeer[] {
  switch (p.kind) {
    case 'pods':
      return [p.namespace === undefined ? { podSelector: p.selector } : { namespaceSelector: nsSelector(p.namespace), podSelector: p.selector }];
    case 'namespace':
      return [p.namespace === undefined ? { podSelector: {} } : { namespaceSelector: nsSelector(p.namespace) }];
    case 'dns':
      return [{ namespaceSelector: nsSelector(p.namespace), podSelector: p.selector }];
    case 'apiserver': {
      if (p.endpoints.length === 0) {
        w.add('apiserver-no-endpoints', intent, 'no endpoint of default/kubernetes is known: import the inventory (EndpointSlices) to allow the apiserver by IP', where);
        return [];
      }
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
        extra.push({ peers, peerJson: peers.map((np) => JSON.stringify(np)), ports: [port], portsJson: JSON.stringify([port]) });
      }
      return [];
    }
    case 'nodes':
      if (p.ips.length === 0) {
        w.add('nodes-no-ips', intent, 'no node IP is known: host-network peers need node IP blocks on this engine', where);
        return [];
      }
      return ipBlocks(p.ips.map(hostCidr));
    case 'cidr':
      return [{ ipBlock: p.except.length > 0 ? { cidr: p.cidr, except: p.except } : { cidr: p.cidr } }];
    case 'fqdn':
      if (p.ips.length === 0) {
        w.add('fqdn-unresolved', intent, `NetworkPolicy has no FQDN rule and no address is known for ${p.name}: no rule emitted`, where);
        return [];
      }
      w.add('fqdn-as-ips', intent, `NetworkPolicy has no FQDN rule: ${p.name} allowed by its resolved addresses ${p.ips.join(', ')}, which may change`, where);
      return ipBlocks(p.ips.map(hostCidr));
    case 'world':
      return ipBlocks([ALL_V4, ALL_V6]);
  }
}

/** JSON.stringify of the rule as { peers, ports[, anySource] }, from the parts' JSON. */
function ruleJson(r: NpRule): string {
  return `{"peers":[${r.peerJson.join(',')}],"ports":${r.portsJson}${r.anySource ? ',"anySource":true' : ''}}`;
}

function renderDirection(intent: PolicyIntent, direction: Direction, d: DirectionPolicy, w: Warnings, cache: RenderCache): Record<string, unknown>[] | undefined {
  const peerField = direction === 'ingress' ? 'from' : 'to';
  switch (d.mode) {
    case 'none':
    case 'deny-all':
      return undefined;
    case 'allow-all':
      return [d.ports.length > 0 ? { ports: d.ports.map(npPort) } : {}];
    case 'rules': {
      const rules = d.rules.flatMap((r) => renderRule(intent, direction, r, w, cache));
      // Identical rendered rules (e.g. two IR rules that fell back to the same IPs) collapse;
      // the order stays the IR's canonical rule order.
      const unique = uniqueBy(rules, ruleJson);
      return unique.map((r) => {
        let out: Record<string, unknown>;
        if (r.anySource) out = {};
        else {
          const order = uniqueSortedBy(
            r.peers.map((_, i) => i),
            (i) => r.peerJson[i]!,
          );
          out = { [peerField]: order.map((i) => r.peers[i]!) };
        }
        if (r.ports.length > 0) out.ports = r.ports;
        return out;
      });
    }
  }
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

function emitIntent(intent: PolicyIntent, w: Warnings, cache: RenderCache): Manifest[] {
  if (hostNetworkSkipped(intent, w, 'NetworkPolicy')) return [];
  const namespaces = intent.subject.kind === 'namespaces' ? intent.subject.namespaces : [intent.namespace!];
  const policyTypes: string[] = [];
  if (intent.ingress.mode !== 'none') policyTypes.push('Ingress');
  if (intent.egress.mode !== 'none') policyTypes.push('Egress');
  const ingress = renderDirection(intent, 'ingress', intent.ingress, w, cache);
  const egress = renderDirection(intent, 'egress', intent.egress, w, cache);
  const lines = [...directionLines('ingress', intent.ingress), ...directionLines('egress', intent.egress)];
  const name = policyName(intent.key);
  return namespaces.map((ns) => {
    const spec: Record<string, unknown> = { podSelector: subjectSelector(intent), policyTypes };
    // A restricted direction whose rules all proved inexpressible stays isolated (no rules).
    if (ingress && ingress.length > 0) spec.ingress = ingress;
    if (egress && egress.length > 0) spec.egress = egress;
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(intent, name, ns, lines), spec };
  });
}

export const kubernetesEngine: Engine = {
  name: 'kubernetes',
  renders: 'networking.k8s.io/v1 NetworkPolicy',
  emit(set: PolicySet): EmitResult {
    const w = new Warnings('kubernetes');
    const cache: RenderCache = { peers: new Map(), ports: new Map() };
    const manifests = set.intents.flatMap((i) => emitIntent(i, w, cache));
    return { engine: 'kubernetes', manifests: sortManifests(manifests), warnings: w.sorted() };
  },
};
