/**
 * Edges through a Service, followed through that Service as it is today. A client keeps dialling
 * the Service port its flows were addressed to (EdgeTraffic.throughService); the Service sends each
 * connection to one of its backends of that time, on the target port the Service port maps to on
 * that backend: "traffic to the Service's clusterIP and port … to one of the Service's backend sets"
 * (kubernetes.io "Virtual IPs and Service Proxies"), a named targetPort "will be looked up as a named
 * port in the target Pod's container ports" (ServicePort.targetPort, kubernetes.io "Service", "Port
 * definitions"). So a rollout that renames or renumbers the target port, or a Deployment the Service
 * starts to select (a canary), sends the client's next connection where no flow went yet: each of
 * those (backend, target port) pairs becomes an edge of the same client (EdgeTraffic.followed),
 * which the rules open on both sides and the verification judges like an observed one. Only the
 * Service ports the client's flows used, and only the Services they went through.
 */
import type { EdgeTraffic } from '../domain/edge.ts';
import type { Service, Workload } from '../domain/inventory.ts';
import { peerKey, workloadKey, type Peer } from '../domain/peer.ts';
import { servicePortFor, serviceTargetPorts, targetPortNumbersNow } from '../domain/service-links.ts';

/** An edge through a Service that cannot be followed today: the rules keep its observed port alone, and this says why. */
export interface UnfollowedService {
  edge: EdgeTraffic;
  warning: string;
}

export interface FollowedServices {
  /** The edges given, then the followed ones (none: the same array). */
  edges: readonly EdgeTraffic[];
  unfollowed: UnfollowedService[];
}

/** `namespace/name:port` (EdgeTraffic.throughService) read: the Service key and the Service port; undefined when malformed. */
function readThrough(through: string): { service: string; port: number } | undefined {
  const at = through.lastIndexOf(':');
  const port = Number(through.slice(at + 1));
  return at > 0 && Number.isInteger(port) ? { service: through.slice(0, at), port } : undefined;
}

/** Peer keys, written once per peer object (the store's read shares them between edges). */
const peerKeys = new WeakMap<Peer, string>();
function keyOf(p: Peer): string {
  let k = peerKeys.get(p);
  if (k === undefined) peerKeys.set(p, (k = peerKey(p)));
  return k;
}

const edgeKey = (client: Peer, server: Peer, port: number, protocol: string): string => `${keyOf(client)}|${keyOf(server)}|${port}|${protocol}`;

/**
 * `edges` with, for each edge through a Service, the same client's edge to every (backend, target
 * port) the Service maps that Service port to today that no edge has already; an edge with a later
 * last-seen wins where two lead to the same one. Where the Service is gone, no longer has the port,
 * or sends it nowhere, the edge is `unfollowed` (today's behaviour: its observed port alone).
 */
export function followServices(edges: readonly EdgeTraffic[], services: readonly Service[], workloads: readonly Workload[]): FollowedServices {
  const through = edges.filter((e) => e.throughService !== undefined && e.server.kind === 'workload');
  if (through.length === 0) return { edges, unfollowed: [] };
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const backends = backendsByService(workloads);
  const observed = observedKeys(edges, new Set(through.map((e) => keyOf(e.client))));
  const followed = new Map<string, EdgeTraffic>();
  const unfollowed: UnfollowedService[] = [];
  for (const e of through) {
    const via = readThrough(e.throughService!);
    if (via === undefined) continue;
    const s = byKey.get(via.service);
    const sp = s === undefined ? undefined : servicePortFor(s, via.port, e.protocol);
    const to = sp === undefined ? [] : (backends.get(via.service) ?? []);
    if (s === undefined || sp === undefined || to.length === 0) {
      unfollowed.push({ edge: e, warning: unfollowedWarning(e, via, s === undefined ? 'is no longer in the inventory' : sp === undefined ? `no longer has port ${via.port}/${e.protocol}` : `sends port ${via.port}/${e.protocol} to no workload of the inventory now`) });
      continue;
    }
    const server = serverOf(e, to);
    for (const b of to) {
      // The observed server's numbers of the edge's target port name now are followed already (synthesize/workload.ts targetPortPorts, verify judgeRenumbered).
      const renumbered = b.peer === server ? targetPortNumbersNow(e, b.ports) : [];
      for (const port of serviceTargetPorts(sp, b)) {
        if (renumbered.includes(port)) continue;
        const key = edgeKey(e.client, b.peer, port, e.protocol);
        if (observed.has(key)) continue;
        const was = followed.get(key);
        if (was !== undefined && was.lastSeen >= e.lastSeen) continue;
        followed.set(key, followedEdge(e, b, port, typeof sp.targetPort === 'string' && !/^\d+$/.test(sp.targetPort) ? sp.targetPort : undefined));
      }
    }
  }
  if (followed.size === 0) return { edges, unfollowed };
  return { edges: [...edges, ...[...followed.keys()].sort().map((k) => followed.get(k)!)], unfollowed };
}

/** The backend among `to` that is the edge's server, as its peer object (undefined: the server is no backend now). */
function serverOf(e: EdgeTraffic, to: readonly Backend[]): Peer | undefined {
  if (e.server.kind !== 'workload') return undefined;
  const key = workloadKey(e.server.workload);
  return to.find((b) => workloadKey(b) === key)?.peer;
}

/** A backend of a Service: the workload and the one peer object its followed edges share. */
type Backend = Workload & { peer: Peer };

/** Per Service key, the workloads it selects today (Workload.services, as the store links them), in inventory order. */
function backendsByService(workloads: readonly Workload[]): Map<string, Backend[]> {
  const out = new Map<string, Backend[]>();
  for (const w of workloads) {
    if (w.services.length === 0) continue;
    const b: Backend = { ...w, peer: { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } } };
    for (const s of w.services) {
      const list = out.get(s);
      if (list === undefined) out.set(s, [b]);
      else list.push(b);
    }
  }
  return out;
}

/** The keys of the edges of `clients` (peer keys): a followed edge never doubles an observed one. */
function observedKeys(edges: readonly EdgeTraffic[], clients: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const e of edges) if (clients.has(keyOf(e.client))) out.add(edgeKey(e.client, e.server, e.port, e.protocol));
  return out;
}

/** `e`'s client to backend `b` on `port`, with `e`'s traffic, through `e`'s Service port (and its target port name). */
function followedEdge(e: EdgeTraffic, b: Backend, port: number, name: string | undefined): EdgeTraffic {
  const traffic = { ...e };
  delete traffic.targetPortName;
  delete traffic.reachedByNumberToo;
  const observedServer = e.server.kind === 'workload' ? workloadKey(e.server.workload) : peerKey(e.server);
  const at = workloadKey(b) === observedServer ? `the flows went to ${e.port}` : `the flows went to ${observedServer} on ${e.port}`;
  return {
    ...traffic,
    server: b.peer,
    port,
    ...(name !== undefined ? { targetPortName: name } : {}),
    followed: { from: e, note: `not in the flows itself: through Service ${e.throughService}, which sends to ${workloadKey(b)} on ${port} now (${at})` },
  };
}

function unfollowedWarning(e: EdgeTraffic, via: { service: string; port: number }, why: string): string {
  const client = e.client.kind === 'workload' ? workloadKey(e.client.workload) : peerKey(e.client);
  const server = e.server.kind === 'workload' ? workloadKey(e.server.workload) : peerKey(e.server);
  return `Service ${via.service}, which ${client}'s flows to ${server} on ${e.port}/${e.protocol} came through (port ${via.port}), ${why}: the rules keep the observed port alone; check where ${client} connects now before applying`;
}
