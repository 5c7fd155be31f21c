/**
 * What stands for the clients of an exposed workload (docs/recommend.md, "Verification"): anyone who
 * reaches a LoadBalancer, a node port or an Ingress controller in front of it, whom flowmatrix may
 * never observe. The exposure policy opens the exposed target ports to any source
 * (synthesize/workload.ts exposureIntent); these flows make the verification require it, so that an
 * output closing them fails instead of passing on the observed edges alone.
 *
 * - an address outside the cluster (the world's stand-in: representative-flows.ts), on every
 *   exposed target port: the client as the pod sees it where its address is kept
 *   (externalTrafficPolicy Local; a load balancer sending to pod addresses).
 * - a node, on every target port of a NodePort or LoadBalancer Service: with externalTrafficPolicy
 *   Cluster (the default), "packets sent to Services with Type=NodePort are source NAT'd by
 *   default", and a LoadBalancer's likewise (Kubernetes "Using Source IP", Type=NodePort,
 *   Type=LoadBalancer): the pod sees the node that forwarded it. The inventory does not keep the
 *   Service's externalTrafficPolicy, so this hop is required of every such Service (under Local it
 *   is not where clients come from, and the exposure's any-source rule opens it all the same). On
 *   Cilium that hop is `remote-node` (`host` on the pod's own node), never `world`
 *   (docs.cilium.io "Layer 3 Policies", Entities Based): the verification judges a node's flow at a
 *   pod on another node (simulate/host-network-nodes.ts), so one node stands for all.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Exposure, Node, Workload } from '../../domain/inventory.ts';
import { compareStrings } from '../../domain/order.ts';
import type { Peer } from '../../domain/peer.ts';
import type { RequiredFlow } from '../verified-sides.ts';
import { WORLD_PROBE } from '../verify/probes.ts';
import { protocolOf } from './peers.ts';

/** How an exposure reaches the pods, as its requirement names it: `Service shop/web type LoadBalancer`, `Ingress shop/web`. */
function exposedBy(x: Exposure): string {
  return x.via === 'Ingress' ? `Ingress ${x.object}` : `Service ${x.object} type ${x.via}`;
}

/** The node whose address stands for a node port's forwarded clients: the first by name with an address. */
export function forwardingNode(nodes: readonly Node[]): string | undefined {
  return nodes
    .filter((n) => n.addresses.length > 0)
    .map((n) => n.name)
    .sort(compareStrings)[0];
}

/**
 * The ingress flows that stand for the exposed workload `w`'s clients (VerifiedSides.documented):
 * per exposed (port, protocol) one from the world, and one from `node` where a NodePort or
 * LoadBalancer Service exposes it; each names every exposure of the port.
 */
export function exposureFlows(w: Workload, node: string | undefined): RequiredFlow[] {
  const byPort = new Map<string, Exposure[]>();
  for (const x of w.exposure) {
    // The exposure policy opens the port protocols only (synthesize/workload.ts planWorkload).
    if (protocolOf(x.protocol) === undefined) continue;
    const k = `${x.port}/${x.protocol}`;
    byPort.set(k, [...(byPort.get(k) ?? []), x]);
  }
  const server: Peer = { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
  const out: RequiredFlow[] = [];
  for (const exposures of byPort.values()) {
    const { port, protocol } = exposures[0]!;
    const rule = `exposed by ${exposures.map(exposedBy).join(', ')}`;
    const edge = (client: Peer): EdgeTraffic => ({ client, server, port, protocol, lastSeen: 0, flows: 0, forwarded: 0, dropped: 0 });
    out.push({ edge: edge({ kind: 'external', ip: WORLD_PROBE }), rule, exposed: true, stands: 'a client outside the cluster', outside: 'world' });
    if (node !== undefined && exposures.some((x) => x.via !== 'Ingress')) {
      out.push({ edge: edge({ kind: 'node', node }), rule, exposed: true, stands: "a node port's client, forwarded by a node (kube-proxy's SNAT, externalTrafficPolicy Cluster)" });
    }
  }
  return out;
}
