/**
 * What stands for the peer of a `must` rule that names no workload, so that the verification can
 * judge its flow all the same (docs/recommend.md, "Verification"): `world` (any address, in or out
 * of the cluster), every pod of every namespace, a role nothing binds. Such a rule's flow is
 * required as any other must flow, and a policy that cuts it (mode observed renders observed edges
 * only: "deny all egress" for StackLight's Patroni, whose `allow-all` egress is a must) must fail
 * the verification rather than pass with a warning.
 *
 * - `world`, a role of scope `any` or `external`: an address outside the cluster, the tightness
 *   probes' world address (verify/probes.ts, TEST-NET-2; the verification takes the IPv6 one for
 *   a workload that can use IPv6 only). The rendered "any peer" (every engine's: no peers, Cilium's
 *   `all` entity, Calico's and ClusterNetworkPolicy's 0.0.0.0/0 and ::/0) admits it.
 * - every pod of every namespace, a role of scope `in-cluster`: a pod-network workload of the
 *   cluster other than the rule's own, the first by key (deterministic). Its own side is not
 *   judged: such a peer says what this side allows, not what each pod must accept.
 * - namespaces by a selector that no namespace matches: nothing stands for them, and the
 *   verification cannot tell whether the output cuts the flow: a warning says so.
 *
 * Other peer kinds (the apiserver, the DNS, nodes, CIDRs, names, named workloads) are not stood
 * in for here.
 */
import type { Direction } from '../../domain/direction.ts';
import { workloadKey, type Peer, type WorkloadRef } from '../../domain/peer.ts';
import type { ResolvedPeer, ResolvedPort, RoleScope } from '../matrix/resolved.ts';
import { compareStrings } from '../policy/order.ts';
import { WORLD_PROBE } from '../verify/probes.ts';
import { selectsAny, type PodNetwork } from './mirrored-rules.ts';

/** The peer a representative flow goes to or comes from, and what it stands for (said in the verification's finding). */
export interface StandIn {
  peer: Peer;
  /** `egress to the world`, `ingress from a pod of the cluster`. */
  stands: string;
}

/** A peer nothing can stand for: why. */
export interface NoStandIn {
  none: string;
}

/**
 * Where a rule names no port (every port), one port stands for all of them: any would do, since
 * "every port" includes it; 443/TCP, on which the outside APIs a must egress to the world names
 * (Kubernetes, Keycloak, OpenStack: seed 000) are reached.
 */
export const ANY_PORT: ResolvedPort = { protocol: 'TCP', port: 443 };

/** The stand-in for a resolved peer that names no workload (namedWorkloads is empty); undefined for the kinds not stood in for. */
export function standInFor(rp: ResolvedPeer, self: WorkloadRef, d: Direction, cluster: PodNetwork): StandIn | NoStandIn | undefined {
  switch (rp.kind) {
    case 'world':
      return world(d);
    case 'pods':
    case 'namespace': {
      const anywhere = rp.namespace === undefined && selectsAny(rp.namespaceSelector) && (rp.kind === 'namespace' || selectsAny(rp.selector));
      if (anywhere) return anyPod(self, d, cluster);
      if (rp.namespace === undefined && rp.namespaces.length === 0) return { none: 'its namespaceSelector matches no namespace of the inventory, so no pod stands for its peer' };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The stand-in for an unbound role's peers, by its scope (docs/matrices.md, "Roles"). */
export function standInForRole(scope: RoleScope, self: WorkloadRef, d: Direction, cluster: PodNetwork): StandIn | NoStandIn {
  return scope === 'in-cluster' ? anyPod(self, d, cluster) : world(d);
}

function world(d: Direction): StandIn {
  return { peer: { kind: 'external', ip: WORLD_PROBE }, stands: `${d} ${d === 'egress' ? 'to' : 'from'} the world` };
}

function anyPod(self: WorkloadRef, d: Direction, cluster: PodNetwork): StandIn | NoStandIn {
  const own = workloadKey(self);
  const other = cluster
    .all()
    .filter((w) => workloadKey(w) !== own)
    .sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)))[0];
  if (other === undefined) return { none: 'the inventory has no other pod-network workload to stand for its peer' };
  return { peer: { kind: 'workload', workload: other }, stands: `${d} ${d === 'egress' ? 'to' : 'from'} a pod of the cluster` };
}

/** How each warning of a must flow the verification cannot judge ends; /export and /drift send those as `Warning: 299` (isUnverifiedMustFlow). */
export const UNVERIFIED_MUST_FLOW = 'the verification cannot tell whether the output cuts it';

export const isUnverifiedMustFlow = (warning: string): boolean => warning.includes(UNVERIFIED_MUST_FLOW);

export const isStandIn = (s: StandIn | NoStandIn): s is StandIn => 'peer' in s;
