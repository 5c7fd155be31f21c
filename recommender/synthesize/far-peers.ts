/**
 * The IR peers and ports of observed edges, for one recommendation run. A workload's edges name
 * the same far-side peers again and again (the store shares one object per peer), so each
 * answer is made and checked once per peer object and what else it depends on: the direction,
 * and whether the peer shares the subject's namespace (a pod selector then needs no namespace).
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { ContainerPort } from '../../domain/inventory.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import { canonicalPeer, namedPort, PolicyError, port } from '../policy/build.ts';
import type { Direction, PolicyPeer, PortProtocol, PortSpec } from '../policy/ir.ts';
import { policyPeerKey } from '../policy/order.ts';
import type { IpFamily } from '../../domain/ip.ts';
import { workloadOnlyFamily } from './block-holders.ts';
import type { PodNetwork } from './mirrored-rules.ts';
import { APISERVER, edgePort, farSide, irPeers, type DnsTarget } from './peers.ts';

/** An edge's far side as checked IR peers with their keys, or why it cannot be a rule. */
export type FarPeers = { ok: true; peers: PolicyPeer[]; keys: string[] } | { ok: false; reason: string };

/** The answers for one peer object: per direction, and for a workload in the subject's own namespace. */
interface Answers {
  ingress?: FarPeers;
  egress?: FarPeers;
  ingressOwnNamespace?: FarPeers;
  egressOwnNamespace?: FarPeers;
}

export class RunPeers {
  private readonly resolved = new Map<Peer, Answers>();
  /**
   * One checked peer object per key: equal peers reached from different edge peers, directions
   * or documented rules are one object, which the PolicySet checks and every emitter renders once.
   */
  private readonly byKey = new Map<string, PolicyPeer>();
  /** By protocol, then port. */
  private readonly portLists = new Map<string, Map<number, readonly PortSpec[] | undefined>>();
  /** By protocol, port name and its numbers. */
  private readonly namedPortLists = new Map<string, readonly PortSpec[]>();
  /** By protocol and numbers (a renumbered target port's: few edges). */
  private readonly numbersLists = new Map<string, readonly PortSpec[]>();
  /** A workload server's key and container ports, by peer object (the store's reader shares one per peer). */
  private readonly servers = new Map<Peer, { key: string; ports: readonly ContainerPort[] }>();
  /** A workload subject's one family, by peer object (`onlyFamilyOf`). */
  private readonly families = new Map<Peer, IpFamily | undefined>();
  /** The apiserver as a source (`apiserverSource`), once per run. */
  private apiserverAnswer: FarPeers | undefined;

  constructor(
    private readonly ix: ClusterIndex,
    private readonly dns: DnsTarget,
    private readonly podNetwork: Pick<PodNetwork, 'podIps'>,
  ) {}

  /** The far side of `edge` (its client for ingress, its server for egress) for a subject in namespace `ns`. */
  of(edge: EdgeTraffic, direction: Direction, ns: string): FarPeers {
    const far = this.farSide(edge, direction);
    const own = far.kind === 'workload' && far.workload.namespace === ns;
    const slot: keyof Answers = direction === 'ingress' ? (own ? 'ingressOwnNamespace' : 'ingress') : own ? 'egressOwnNamespace' : 'egress';
    let answers = this.resolved.get(far);
    if (answers === undefined) this.resolved.set(far, (answers = {}));
    return (answers[slot] ??= this.checked(irPeers(far, direction, ns, this.ix, this.dns)));
  }

  /** The apiserver as the source of an ingress rule (its endpoints; unexpressible where none is known), once per run. */
  apiserverSource(ns: string): FarPeers {
    return (this.apiserverAnswer ??= this.checked(irPeers(APISERVER, 'ingress', ns, this.ix, this.dns)));
  }

  /**
   * Who the subject of `edge` (its client for egress, its server for ingress) talks to on its far
   * side (peers.ts farSide): whether a node is the apiserver depends on the family the subject can use.
   */
  farSide(edge: EdgeTraffic, direction: Direction): Peer {
    const subject = direction === 'egress' ? edge.client : edge.server;
    return farSide(direction === 'ingress' ? edge.client : edge.server, edge.port, direction, this.ix, this.onlyFamilyOf(subject));
  }

  /**
   * The IR peer in the form the PolicySet will hold it, and its key (atoms are merged and
   * grouped by it); the peer as it is when it does not check: the PolicySet then reports it,
   * with the place of the rule using it.
   */
  peer(p: PolicyPeer): { value: PolicyPeer; key: string } {
    let value: PolicyPeer;
    try {
      value = canonicalPeer(p);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      return { value: p, key: policyPeerKey(p) };
    }
    const key = policyPeerKey(value);
    let shared = this.byKey.get(key);
    if (shared === undefined) this.byKey.set(key, (shared = value));
    return { value: shared, key };
  }

  /**
   * The IR port of an edge as a one-port list, the same (never modified) array for the same
   * protocol and port: atoms and rules share it; undefined for a protocol without ports (ICMP).
   */
  portList(edge: EdgeTraffic): readonly PortSpec[] | undefined {
    let byPort = this.portLists.get(edge.protocol);
    if (byPort === undefined) this.portLists.set(edge.protocol, (byPort = new Map()));
    if (byPort.has(edge.port)) return byPort.get(edge.port);
    const p = edgePort(edge);
    const list = p === undefined ? undefined : [p];
    byPort.set(edge.port, list);
    return list;
  }

  /** The named port `name` of `protocol` (with the `numbers` it has, policy/ir.ts) as a one-port list, the same array for the same protocol, name and numbers. */
  namedPortList(protocol: PortProtocol, name: string, numbers: readonly number[]): readonly PortSpec[] {
    const key = `${protocol}/${name}=${numbers.join(',')}`;
    let list = this.namedPortLists.get(key);
    if (list === undefined) this.namedPortLists.set(key, (list = [namedPort(protocol, name, numbers)]));
    return list;
  }

  /** The numbers of `protocol` as a port list, the same array for the same protocol and numbers (in that order). */
  portNumbersList(protocol: PortProtocol, numbers: readonly number[]): readonly PortSpec[] {
    const key = `${protocol}/${numbers.join(',')}`;
    let list = this.numbersLists.get(key);
    if (list === undefined) this.numbersLists.set(key, (list = numbers.map((n) => port(protocol, n))));
    return list;
  }

  /** A workload peer's key and its container ports as the inventory gives them (none where it lists no such workload), once per peer object. */
  workloadPorts(server: Extract<Peer, { kind: 'workload' }>): { key: string; ports: readonly ContainerPort[] } {
    let known = this.servers.get(server);
    if (known === undefined) {
      const key = workloadKey(server.workload);
      this.servers.set(server, (known = { key, ports: this.ix.workloads.get(key)?.ports ?? [] }));
    }
    return known;
  }

  /** The one family a workload subject can use (block-holders.ts workloadOnlyFamily), once per peer object. */
  private onlyFamilyOf(subject: Peer): IpFamily | undefined {
    if (subject.kind !== 'workload' && subject.kind !== 'dns') return undefined;
    if (!this.families.has(subject)) this.families.set(subject, workloadOnlyFamily(subject.workload, this.podNetwork, this.ix));
    return this.families.get(subject);
  }

  private checked(r: ReturnType<typeof irPeers>): FarPeers {
    if (!r.ok) return r;
    const checked = r.peers.map((p) => this.peer(p));
    return { ok: true, peers: checked.map((c) => c.value), keys: checked.map((c) => c.key) };
  }
}
