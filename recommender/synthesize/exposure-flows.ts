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
 * - on a port only Ingresses expose, the Ingress controller's pods where observed edges show them
 *   instead of that address: "An Ingress controller is responsible for fulfilling the Ingress,
 *   usually with a load balancer" (kubernetes.io "Ingress"), typically a proxy in the cluster
 *   (ingress-nginx) that the load balancer reaches; the backend's clients are that proxy's pods, not
 *   outside clients. Their observed edges are required (VerifiedSides.required), so that an output
 *   closing them fails, and an applied policy that lets the controller in is not said to block a
 *   client that never reaches the pod. The inventory keeps no IngressClass: a controller is told
 *   by what it does, a workload itself reached from outside (a LoadBalancer or NodePort Service, or
 *   the host network) that is observed on the backend port. With none observed, the outside address
 *   stands: the controller is not seen yet, or a load balancer sends to pod addresses (GKE
 *   container-native load balancing, the AWS Load Balancer Controller's target type `ip`).
 * - a node, on every target port of a NodePort or LoadBalancer Service, or of a Service's external
 *   IPs, whose externalTrafficPolicy is Cluster (the default; also where the store does not know it,
 *   before migration 0032): "packets sent to Services with Type=NodePort are source NAT'd by
 *   default", and a LoadBalancer's likewise (Kubernetes "Using Source IP", Type=NodePort,
 *   Type=LoadBalancer), as traffic to an external IP (the Service API reference: the policy governs
 *   "NodePorts, ExternalIPs, and LoadBalancer IPs"): the pod sees the node that forwarded it. With
 *   Local, "kube-proxy only proxies proxy requests to local endpoints, and does not forward traffic to
 *   other nodes. This approach preserves the original source IP address" (the same page; "Create an
 *   External Load Balancer", Preserving the client source IP): no node stands in, the outside
 *   address does; Cilium's kube-proxy replacement keeps the client (`world`) too. On Cilium the
 *   forwarding node is `remote-node` (`host` on the pod's own node), never `world`
 *   (docs.cilium.io "Layer 3 Policies", Entities Based; "Kubernetes Without kube-proxy": SNAT to a
 *   backend on a remote node): the verification judges a node's flow at a pod on another node
 *   (simulate/host-network-nodes.ts), so one node stands for all.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Exposure, Node, Workload } from '../../domain/inventory.ts';
import { compareStrings } from '../../domain/order.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import type { RequiredEdge, RequiredFlow } from '../verified-sides.ts';
import { WORLD_PROBE } from '../verify/probes.ts';
import { protocolOf } from './peers.ts';

/**
 * How an exposure reaches the pods, as its requirement names it: `Ingress shop/web`, `Service
 * shop/web type LoadBalancer (externalTrafficPolicy Local)`, `Service shop/web externalIPs
 * 203.0.113.10 (externalTrafficPolicy Cluster)`; the policy where the inventory gives it.
 */
function exposedBy(x: Exposure): string {
  if (x.via === 'Ingress') return `Ingress ${x.object}`;
  const how = x.via === 'externalIPs' ? `externalIPs ${(x.addresses ?? []).join(', ')}` : `type ${x.via}`;
  return `Service ${x.object} ${how}${x.externalTrafficPolicy !== undefined ? ` (externalTrafficPolicy ${x.externalTrafficPolicy})` : ''}`;
}

/**
 * A node forwards the exposure's clients to the pods, masquerading them: a Service's whose
 * externalTrafficPolicy is not Local (the file's comment). An Ingress's clients come through its controller.
 */
function forwardedByNode(x: Exposure): boolean {
  return x.via !== 'Ingress' && x.externalTrafficPolicy !== 'Local';
}

/** The node whose address stands for a node port's forwarded clients: the first by name with an address. */
export function forwardingNode(nodes: readonly Node[]): string | undefined {
  return nodes
    .filter((n) => n.addresses.length > 0)
    .map((n) => n.name)
    .sort(compareStrings)[0];
}

/**
 * The keys of the workloads that may be an Ingress controller's proxy: those reached from outside
 * themselves, through a LoadBalancer or NodePort Service or a Service's external IPs, or on their nodes' ports (host network).
 */
export function edgeProxies(workloads: readonly Workload[]): Set<string> {
  return new Set(workloads.filter((w) => w.hostNetwork || w.exposure.some((x) => x.via !== 'Ingress')).map(workloadKey));
}

/** What stands for an exposed workload's clients. */
export interface ExposureClients {
  /** Flows from a stand-in address or node (VerifiedSides.documented). */
  flows: RequiredFlow[];
  /** Observed edges from an Ingress controller's pods, each with the Ingress that makes it required (VerifiedSides.required). */
  observed: Map<EdgeTraffic, RequiredEdge>;
}

/** `port/protocol`: the key of an exposed target port. */
const portKey = (port: number, protocol: string): string => `${port}/${protocol}`;

/** The exposures of `w` by exposed target port, of the protocols the exposure policy opens. */
function exposuresByPort(w: Workload): Map<string, Exposure[]> {
  const byPort = new Map<string, Exposure[]>();
  for (const x of w.exposure) {
    // The exposure policy opens the port protocols only (synthesize/workload.ts planWorkload).
    if (protocolOf(x.protocol) === undefined) continue;
    const k = portKey(x.port, x.protocol);
    byPort.set(k, [...(byPort.get(k) ?? []), x]);
  }
  return byPort;
}

/** The edges of `observed` (the workload's ingress edges) from a workload of `proxies`, by target port. */
function proxyEdgesByPort(observed: readonly EdgeTraffic[], proxies: ReadonlySet<string>): Map<string, EdgeTraffic[]> {
  const out = new Map<string, EdgeTraffic[]>();
  for (const e of observed) {
    if (e.client.kind !== 'workload' || !proxies.has(workloadKey(e.client.workload))) continue;
    const k = portKey(e.port, e.protocol);
    out.set(k, [...(out.get(k) ?? []), e]);
  }
  return out;
}

/**
 * What stands for the exposed workload `w`'s clients, per exposed (port, protocol): on a port only
 * Ingresses expose, the `observed` ingress edges to it from an Ingress controller (a workload of
 * `proxies`: edgeProxies) where there are any; otherwise a flow from the world, and one from `node`
 * where a Service masquerades its clients behind a node (`forwardedByNode`). Each names every exposure of the port.
 */
export function exposureClients(w: Workload, node: string | undefined, observed: readonly EdgeTraffic[], proxies: ReadonlySet<string>): ExposureClients {
  const fromProxies = proxyEdgesByPort(observed, proxies);
  const server: Peer = { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
  const out: ExposureClients = { flows: [], observed: new Map() };
  for (const [k, exposures] of exposuresByPort(w)) {
    const { port, protocol } = exposures[0]!;
    const rule = `exposed by ${exposures.map(exposedBy).join(', ')}`;
    const ingressOnly = exposures.every((x) => x.via === 'Ingress');
    const controllers = ingressOnly ? (fromProxies.get(k) ?? []) : [];
    if (controllers.length > 0) {
      for (const e of controllers) out.observed.set(e, { rule, otherEnd: false, exposed: true });
      continue;
    }
    const edge = (client: Peer): EdgeTraffic => ({ client, server, port, protocol, lastSeen: 0, flows: 0, forwarded: 0, dropped: 0 });
    out.flows.push({ edge: edge({ kind: 'external', ip: WORLD_PROBE }), rule, exposed: true, stands: 'a client outside the cluster', outside: 'world' });
    if (node !== undefined && exposures.some(forwardedByNode)) {
      out.flows.push({ edge: edge({ kind: 'node', node }), rule, exposed: true, stands: "a client of the Service's node ports, load balancer or external IPs, forwarded by a node (kube-proxy's SNAT, externalTrafficPolicy Cluster)" });
    }
  }
  return out;
}
