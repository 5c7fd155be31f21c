/**
 * Documented rules seen from their peer's end. A rule of component C whose peer resolves to pods
 * of listed workloads (another system's component, a role bound to pods) is required at those
 * workloads too, in the opposite direction, from C's pods (synthesize/workload.ts
 * addMirroredAtoms). Computed once per run from the resolved matrices.
 */
import { opposite, type Direction } from '../../domain/direction.ts';
import type { LabelSelector } from '../../domain/inventory.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import type { ExpectedRule, ResolvedComponent, ResolvedMatrix, ResolvedPeer, ResolvedPort } from '../matrix/resolved.ts';
import type { UnresolvedTargetPort } from '../matrix/bindings.ts';
import type { RuleAssessment, WorkloadComponent } from '../compare/compare.ts';
import type { RecommendOptions } from './options.ts';
import { partialEnds, type PartialDirections } from './partial-directions.ts';
import { selectorIsEmpty } from '../policy/order.ts';

export interface MirroredRule {
  matrix: string;
  /** The component that documents the rule: the peer at the mirrored end. */
  owner: ResolvedComponent;
  rule: ExpectedRule;
  /** The direction at the mirrored end (the rule's opposite). */
  direction: Direction;
}

/** Mirrored rules by the key of each workload their peers name, and the ids of rules whose ports are their role's Services' ports. */
export interface MirroredRules {
  byWorkload: Map<string, MirroredRule[]>;
  /**
   * Rules to a role bound without ports, whose ports are the union of the role's workloads'
   * Service target ports (`servicePorts`): each of those workloads serves its own (portsServedBy).
   * Ports the matrix or the binding names are never narrowed.
   */
  servicePortRules: Set<string>;
  /**
   * Mode documented: the workloads whose matrix lists a direction only in part (a `partial`
   * exception), by key. Their observed edges of it are documented traffic, kept at both ends: at
   * the far end too, from this workload on the edge's port (synthesize/workload.ts farPartial).
   */
  partial: ReadonlyMap<string, PartialDirections>;
}

/** A selector that selects everything: absent or empty. */
export const selectsAny = (s: LabelSelector | undefined): boolean => s === undefined || selectorIsEmpty(s);

/** A pods peer of every pod of every namespace ("any pod"): what a side allows, naming no workload it must reach. */
export const isAnyPod = (rp: ResolvedPeer & { kind: 'pods' }): boolean => selectsAny(rp.selector) && rp.namespace === undefined && selectsAny(rp.namespaceSelector);

/**
 * The workloads a documented peer names: the pods of a selector, or every workload of the
 * namespaces a role is bound to (`{namespace: monitoring}`, a namespace selector), or of the
 * owner's own namespace (`same-namespace`). None for "any
 * pod" (an empty selector in every namespace: Kyma's otlp-clients, scrape-targets), which says the
 * owner accepts or reaches anyone, not that everyone talks to it. Host-network workloads too: they
 * speak from their node's address, which no pod or namespace selector matches, so the rule renders
 * their nodes beside the selector (peers.ts resolvedPeers) and their flows are required as any
 * other's.
 */
export function namedWorkloads(rp: ResolvedPeer, cluster: PodNetwork): readonly WorkloadRef[] {
  if (!namesWorkloads(rp)) return [];
  switch (rp.kind) {
    case 'pods':
      return rp.workloads;
    case 'namespace':
      return namespacesOf(rp).flatMap((ns) => [...cluster.inNamespace(ns), ...cluster.hostNetworkIn(ns)]);
    case 'same-namespace':
      return [...cluster.inNamespace(rp.namespace), ...cluster.hostNetworkIn(rp.namespace)];
    default:
      return [];
  }
}

/**
 * Whether a peer names workloads (namedWorkloads): their own side of the rule's flow is then
 * required, opened (mode union) and verified too, at both ends. A peer that names none (any pod,
 * the world, the apiserver, nodes, addresses, names) says what this side allows only.
 */
export function namesWorkloads(rp: ResolvedPeer): boolean {
  switch (rp.kind) {
    case 'pods':
      return !isAnyPod(rp);
    case 'namespace':
      return !isAnyNamespace(rp);
    case 'same-namespace':
      return true;
    default:
      return false;
  }
}

/** A namespace peer of every namespace: what a side allows, naming no workload it must reach (as isAnyPod). */
export const isAnyNamespace = (rp: ResolvedPeer & { kind: 'namespace' }): boolean => rp.namespace === undefined && selectsAny(rp.namespaceSelector);

/** The namespaces a namespace peer names: its one namespace, or those its selector matches in the inventory. */
export const namespacesOf = (rp: ResolvedPeer & { kind: 'namespace' }): readonly string[] => (rp.namespace !== undefined ? [rp.namespace] : rp.namespaces);

/** Every workload a documented peer selects, "any pod" and "anyone" included: where egress to it may lead (named ports resolved on them, synthesize/peers.ts resolvedPorts). */
export function selectedWorkloads(rp: ResolvedPeer, cluster: PodNetwork): readonly WorkloadRef[] {
  switch (rp.kind) {
    case 'pods':
    case 'dns':
      return rp.workloads;
    case 'namespace':
      return namespacesOf(rp).flatMap(cluster.inNamespace);
    case 'same-namespace':
      return cluster.inNamespace(rp.namespace);
    case 'world':
      return cluster.all();
    default:
      return [];
  }
}

/** The workloads on the pod network, as a namespace binding names them, and the ports each serves. */
export interface PodNetwork {
  /** The pod-network workloads of a namespace (a workload with pods on both networks among them). */
  inNamespace(namespace: string): readonly WorkloadRef[];
  /** The host-network workloads of a namespace (the inventory's word) with no pod on the pod network: reached at their nodes only. */
  hostNetworkIn(namespace: string): readonly WorkloadRef[];
  /** Every pod-network workload. */
  all(): readonly WorkloadRef[];
  onPodNetwork(w: WorkloadRef): boolean;
  /** What the workload serves: its Services' target ports, else its container ports (bindings.ts workloadServedPorts). */
  servedPorts(w: WorkloadRef): readonly ResolvedPort[];
  /**
   * The ports the workload is documented or seen to listen on: those of the enabled matrix
   * components that select it, else what it serves (servedPorts). Empty when nothing says.
   */
  declaredPorts(w: WorkloadRef): readonly ResolvedPort[];
  /** Its Services' ports whose target port names no container port of it (bindings.ts unresolvedTargetPorts): why a Service may declare nothing. */
  unresolvedTargetPorts(w: WorkloadRef): readonly UnresolvedTargetPort[];
  /** The addresses the inventory shows its pods at on the pod network (none for a host-network workload). */
  podIps(w: WorkloadRef): readonly string[];
  /** The inventory shows two pods of it or more on the pod network: replicas that may talk to each other. */
  replicated(w: WorkloadRef): boolean;
}

/**
 * The active rules that would render at their owner (must, or may with includeMay), by the key of
 * each workload their peers name, the owner itself only where it has replicas; and the partial
 * directions of each workload (`componentsOf`: the enabled matrices' components by workload key).
 */
export function mirroredRules(matrices: readonly ResolvedMatrix[], opts: RecommendOptions, cluster: PodNetwork, componentsOf: ReadonlyMap<string, readonly WorkloadComponent[]>): MirroredRules {
  const out = new Map<string, MirroredRule[]>();
  const servicePortRules = new Set<string>();
  for (const m of matrices) {
    if (!m.enabled) continue;
    for (const c of m.components) {
      for (const rule of c.rules) {
        const role = rule.role !== undefined ? m.roles.find((r) => r.role === rule.role) : undefined;
        if (rule.direction === 'egress' && role !== undefined && role.ports.length === 0 && (role.servicePorts?.length ?? 0) > 0) servicePortRules.add(rule.id);
      }
    }
    for (const owner of m.components) {
      if (!owner.enabled || !owner.present) continue;
      const own = new Set(owner.workloads.map(workloadKey));
      for (const rule of owner.rules) {
        if (!rule.active || (rule.level !== 'must' && !opts.includeMay)) continue;
        for (const rp of rule.peers) {
          for (const w of namedWorkloads(rp, cluster)) {
            const k = workloadKey(w);
            // The owner itself only where its replicas are a peer (replicaPorts); its component's
            // other workloads are peers like any other.
            if (own.has(k) && own.size === 1 && replicaPorts(rule.direction, rp.ports ?? rule.ports, w, cluster).length === 0) continue;
            const list = out.get(k) ?? [];
            if (!list.some((x) => x.rule.id === rule.id)) list.push({ matrix: m.name, owner, rule, direction: opposite(rule.direction) });
            out.set(k, list);
          }
        }
      }
    }
  }
  return { byWorkload: out, servicePortRules, partial: partialEnds(componentsOf, opts) };
}

/**
 * The ports on which a rule whose peer selects its owner `w`'s own pods has them talk to each other:
 * none without two pods of it on the pod network (nothing to reach); an ingress rule's ports (the
 * owner's own, or those it declares where the rule names none); of an egress rule's, those the
 * owner declares (`[]` naming none: every port it declares) — a database's 5432 beside its 8080
 * names the namespace's other workloads, not its replicas, which serve nothing there.
 */
export function replicaPorts(direction: Direction, rulePorts: readonly ResolvedPort[], w: WorkloadRef, cluster: PodNetwork): readonly ResolvedPort[] {
  if (!cluster.replicated(w)) return [];
  const declared = cluster.declaredPorts(w);
  if (rulePorts.length === 0) return declared;
  if (direction === 'ingress') return rulePorts;
  return rulePorts.filter((p) => declared.some((d) => d.protocol === p.protocol && (p.port !== undefined ? d.port !== undefined && d.port >= p.port && d.port <= (p.endPort ?? p.port) : d.name === p.name)));
}

/**
 * The ports `rule` reaches workload `w` on: those of the peer naming it where the rule's peers
 * carry their own (a role's bindings, matrix/bindings.ts rolePeers), else the rule's.
 */
export function portsToward(rule: ExpectedRule, w: WorkloadRef, cluster: PodNetwork): readonly ResolvedPort[] {
  const k = workloadKey(w);
  for (const rp of rule.peers) if (rp.ports !== undefined && namedWorkloads(rp, cluster).some((x) => workloadKey(x) === k)) return rp.ports;
  return rule.ports;
}



/**
 * Of a rule's ports (a role's Service ports, the union over its workloads), those a workload
 * serves; all of them when it serves none of them (its ports are not known).
 */
export function portsServedBy(ports: readonly ResolvedPort[], served: readonly ResolvedPort[]): readonly ResolvedPort[] {
  if (ports.length === 0 || served.length === 0) return ports;
  const own = ports.filter((p) => served.some((s) => s.protocol === p.protocol && s.port !== undefined && p.port !== undefined && s.port >= p.port && s.port <= (p.endPort ?? p.port)));
  return own.length > 0 ? own : ports;
}

/** A documented rule to or from anyone on every port (StackLight's "allow all egress"). */
export function opensAll(r: RuleAssessment): boolean {
  return r.rule.active && r.rule.ports.length === 0 && r.rule.peers.some((rp) => rp.kind === 'world');
}

/** Whether some documented peer of a rule is the owner: its pods, or its namespace as a whole. */
export function documentsPeer(peers: readonly ResolvedPeer[], owner: ResolvedComponent): boolean {
  const keys = new Set(owner.workloads.map(workloadKey));
  return peers.some((rp) => {
    if (rp.kind === 'pods' || rp.kind === 'dns') return rp.workloads.some((x) => keys.has(workloadKey(x)));
    if (rp.kind === 'namespace') return owner.namespace !== undefined && namespacesOf(rp).includes(owner.namespace);
    return false;
  });
}

/** `ports` (empty: every port) includes each of `needed`. */
export function portsCover(ports: readonly ResolvedPort[], needed: readonly ResolvedPort[]): boolean {
  if (ports.length === 0) return true;
  if (needed.length === 0) return false;
  return needed.every((n) => ports.some((q) => q.protocol === n.protocol && q.port === n.port && q.name === n.name && (q.endPort ?? q.port) === (n.endPort ?? n.port)));
}
