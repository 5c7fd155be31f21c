/**
 * The nodes the verification judges a flow's host-network ends at. A host-network pod speaks from
 * its node's address, and an edge names workloads, whose pods run on any node (rescheduled, or a
 * DaemonSet on all), so each end is judged at a node that is not the other end's own where the
 * cluster has one: the other end's node is the lenient case — Cilium lets the local host into its
 * pods whatever the policy (`allow-localhost`, pkg/policy mapstate.go
 * determineAllowLocalhostIngress), while a remote node's traffic passes only where a rule names
 * it (`remote-node`, or its address); Calico's felix does not police host → local workload
 * (rules/static.go filterOutputChain), while a remote node's traffic meets the pod's ingress
 * policy. On the other engines a node is a node: the verdict is the same. A node's own traffic to a pod is judged the same way: an edge from `node:<name>` is never
 * from the pod's own node (that one is `kubelet:<name>`, docs/ingest.md), so a pod the model
 * places on the client's node is judged on another node, where the rule must name the client.
 */
import type { ClusterModel } from './cluster.ts';
import type { SimEndpoint, SimFlow, SimPod } from './types.ts';

export function atJudgedNodes<F extends SimFlow>(model: ClusterModel, flow: F): F {
  return fromAnotherNode(model, withPodlessEndsPlaced(model, flow));
}

/**
 * The flow with each podless host-network end (see `placed`) at the node it is judged at: the
 * server first, then the client away from the server's node. `simulate` places an edge's ends so
 * too (simulate/decide.ts), so its verdict on the edge is the verification's.
 */
export function withPodlessEndsPlaced<F extends SimFlow>(model: ClusterModel, flow: F): F {
  const server = placed(model, flow.server, flow.client);
  const client = placed(model, flow.client, server);
  return client === flow.client && server === flow.server ? flow : { ...flow, client, server };
}

/**
 * A host-network end the inventory shows no pod of, at a node whose address is known (ClusterModel
 * `placeable`): without one no ipBlock or Calico `nets` could match it, though the rules name
 * every node's addresses. Kept unaddressed where a node lists none (it may run there, at an
 * address no rule names: verify/unaddressed-host-network.ts says so). Marked `anyNode`: a
 * simulator whose verdict differs by node (Cilium's host policies) judges it at the others too.
 */
function placed(model: ClusterModel, end: SimEndpoint, other: SimEndpoint): SimEndpoint {
  if (end.kind !== 'pod' || !end.pod.hostNetwork || !model.placeable(end.pod)) return end;
  const away = nodeOf(other);
  // On a one-node cluster, the other end's node is the only one it can run on.
  const node = model.otherNode(away) ?? model.otherNode(undefined);
  return node === undefined ? end : { kind: 'pod', pod: onAnyNode(model.onNode(end.pod, node)) };
}

/** One object per placed pod (onNode's are one per pod and node): the same pod, said to run on any node (SimPod `anyNode`). */
const anyNodeOf = new WeakMap<SimPod, SimPod>();
function onAnyNode(pod: SimPod): SimPod {
  let marked = anyNodeOf.get(pod);
  if (marked === undefined) anyNodeOf.set(pod, (marked = { ...pod, anyNode: true }));
  return marked;
}

const nodeOf = (e: SimEndpoint): string | undefined => (e.kind === 'pod' ? e.pod.node : e.kind === 'node' ? e.node.name : undefined);

/** A host-network client of a pod, on the pod's node (or on none known), judged from another node where the cluster has one. */
function fromAnotherNode<F extends SimFlow>(model: ClusterModel, flow: F): F {
  const { client, server } = flow;
  if (client.kind === 'node') return toPodElsewhere(model, flow);
  if (client.kind !== 'pod' || !client.pod.hostNetwork || server.kind !== 'pod' || server.pod.hostNetwork || server.pod.node === undefined) return flow;
  if (client.pod.node !== undefined && client.pod.node !== server.pod.node) return flow;
  const other = model.otherNode(server.pod.node);
  return other === undefined ? flow : { ...flow, client: { kind: 'pod', pod: model.onNode(client.pod, other) } };
}

/**
 * A node's flow to a pod the model places on that very node, judged at the pod on another node
 * where the cluster has one: traffic from the node a pod runs on is always allowed (Kubernetes,
 * "Network Policies"; Cilium's `allow-localhost`; Calico, which does not police host → local
 * workload), so only a remote node's shows whether a rule
 * names the client (Cilium `remote-node`, an ipBlock, Calico `nets`).
 */
function toPodElsewhere<F extends SimFlow>(model: ClusterModel, flow: F): F {
  const { client, server } = flow;
  if (client.kind !== 'node' || server.kind !== 'pod' || server.pod.hostNetwork || server.pod.node !== client.node.name) return flow;
  const other = model.otherNode(client.node.name);
  return other === undefined ? flow : { ...flow, server: { kind: 'pod', pod: model.onNode(server.pod, other) } };
}
