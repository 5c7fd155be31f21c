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
import { MAX_THROUGH_SERVICES, throughServicesOf, type EdgeTraffic } from '../domain/edge.ts';
import { compareStrings } from '../domain/order.ts';
import type { Service, Workload } from '../domain/inventory.ts';
import { peerKey, peerText, workloadKey, type Peer } from '../domain/peer.ts';
import { servicePortFor, serviceTargetPorts, targetPortName, targetPortNumbersNow } from '../domain/service-links.ts';

/** An edge through a Service that cannot be followed today: the rules keep its observed port alone, and this says why. */
export interface UnfollowedService {
  edge: EdgeTraffic;
  warning: string;
}

export interface FollowedServices {
  /** The edges given, then the followed ones (none: the same array). */
  edges: readonly EdgeTraffic[];
  unfollowed: UnfollowedService[];
  /**
   * Leads not followed for the budget (recommendations.maxEdges less the edges given): how many (a
   * lead is one observed edge's Service port to one backend and target port no edge has), the budget,
   * and the Service ports they came through, sorted. Absent: none.
   */
  refused?: { leads: number; budget: number; through: string[] };
}

/** One Service port of EdgeTraffic.throughService (`namespace/name:port`) read: the Service key and the port; undefined when malformed. */
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

/** What one run follows: today's Services and backends, the edges it has and adds, and what it cannot follow. */
interface Following {
  services: ReadonlyMap<string, Service>;
  backends: ReadonlyMap<string, Backend[]>;
  observed: ReadonlySet<string>;
  followed: Map<string, EdgeTraffic>;
  unfollowed: UnfollowedService[];
  /** How many followed edges the run may add (recommendations.maxEdges less the edges given). */
  budget: number;
  /** The leads refused past `budget`, and the Service ports they came through. */
  refused: { leads: number; through: Set<string> };
}

/**
 * `edges` with, for each edge through a Service, the same client's edge to every (backend, target
 * port) each Service port it came through maps to today that no edge has already; an edge with a
 * later last-seen wins where two lead to the same one. Where the Service is gone, no longer has the
 * port, or sends it nowhere, the edge is `unfollowed` for it (today's behaviour: its observed port
 * alone), and so is an edge that came through more Service ports than the store keeps. At most
 * `budget` edges are added: the leads past it are counted in `refused`, not followed.
 */
export function followServices(edges: readonly EdgeTraffic[], services: readonly Service[], workloads: readonly Workload[], budget = Number.POSITIVE_INFINITY): FollowedServices {
  const through = edges.filter((e) => e.throughService !== undefined && e.server.kind === 'workload');
  if (through.length === 0) return { edges, unfollowed: [] };
  const run: Following = {
    services: new Map(services.map((s) => [`${s.namespace}/${s.name}`, s])),
    backends: backendsByService(workloads),
    observed: observedKeys(edges, new Set(through.map((e) => keyOf(e.client)))),
    followed: new Map(),
    unfollowed: [],
    budget: Math.max(0, budget),
    refused: { leads: 0, through: new Set() },
  };
  for (const e of through) {
    const { ports, more } = throughServicesOf(e.throughService!);
    if (more) run.unfollowed.push({ edge: e, warning: tooManyServicesWarning(e, ports) });
    for (const port of ports) followServicePort(run, e, port);
  }
  const refused = run.refused.leads === 0 ? {} : { refused: { leads: run.refused.leads, budget: run.budget, through: [...run.refused.through].sort(compareStrings) } };
  if (run.followed.size === 0) return { edges, unfollowed: run.unfollowed, ...refused };
  return { edges: [...edges, ...[...run.followed.keys()].sort().map((k) => run.followed.get(k)!)], unfollowed: run.unfollowed, ...refused };
}

/** Follows `e` through one Service port it came through (`namespace/name:port`) into `run`. */
function followServicePort(run: Following, e: EdgeTraffic, text: string): void {
  const via = readThrough(text);
  if (via === undefined) return;
  const s = run.services.get(via.service);
  const sp = s === undefined ? undefined : servicePortFor(s, via.port, e.protocol);
  const to = sp === undefined ? [] : (run.backends.get(via.service) ?? []);
  if (s === undefined || sp === undefined || to.length === 0) {
    run.unfollowed.push({ edge: e, warning: unfollowedWarning(e, via, s === undefined ? 'is no longer in the inventory' : sp === undefined ? `no longer has port ${via.port}/${e.protocol}` : `sends port ${via.port}/${e.protocol} to no workload of the inventory now`) });
    return;
  }
  const server = serverOf(e, to);
  const name = targetPortName(sp);
  for (const b of to) {
    // The observed server's numbers of the edge's target port name now are followed already (synthesize/workload.ts targetPortPorts, verify judgeRenumbered).
    const renumbered = b.peer === server ? targetPortNumbersNow(e, b.ports) : [];
    for (const port of serviceTargetPorts(sp, b)) {
      if (renumbered.includes(port)) continue;
      const key = edgeKey(e.client, b.peer, port, e.protocol);
      if (run.observed.has(key)) continue;
      const was = run.followed.get(key);
      if (was !== undefined && was.lastSeen >= e.lastSeen) continue;
      if (was === undefined && run.followed.size >= run.budget) {
        run.refused.leads++;
        run.refused.through.add(text);
        continue;
      }
      run.followed.set(key, followedEdge(e, text, b, port, name));
    }
  }
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

/** `e`'s client to backend `b` on `port`, with `e`'s traffic, through `e`'s Service port `through` (and its target port name). */
function followedEdge(e: EdgeTraffic, through: string, b: Backend, port: number, name: string | undefined): EdgeTraffic {
  const traffic = { ...e };
  delete traffic.targetPortName;
  delete traffic.reachedByNumberToo;
  const observedServer = peerText(e.server);
  const at = workloadKey(b) === observedServer ? `the flows went to ${e.port}` : `the flows went to ${observedServer} on ${e.port}`;
  return {
    ...traffic,
    server: b.peer,
    port,
    throughService: through,
    ...(name !== undefined ? { targetPortName: name } : {}),
    followed: { from: e, through, note: `not in the flows itself: through Service ${through}, which sends to ${workloadKey(b)} on ${port} now (${at})` },
  };
}

function unfollowedWarning(e: EdgeTraffic, via: { service: string; port: number }, why: string): string {
  const client = peerText(e.client);
  const server = peerText(e.server);
  return `Service ${via.service}, which ${client}'s flows to ${server} on ${e.port}/${e.protocol} came through (port ${via.port}), ${why}: the rules keep the observed port alone; check where ${client} connects now before applying`;
}

function tooManyServicesWarning(e: EdgeTraffic, kept: readonly string[]): string {
  const client = peerText(e.client);
  const server = peerText(e.server);
  return `${client}'s flows to ${server} on ${e.port}/${e.protocol} came through more than ${MAX_THROUGH_SERVICES} Service ports, and only ${MAX_THROUGH_SERVICES} are kept and followed (${kept.join(', ')}): the others' mappings today are not followed; check where ${client} connects now before applying`;
}

/** The warning of the leads not followed for the run's edge budget (FollowedServices.refused). */
export function refusedWarning(refused: NonNullable<FollowedServices['refused']>): string {
  const what = refused.leads === 1 ? '1 edge a Service leads a client to now was not followed' : `${refused.leads} edges Services lead clients to now were not followed`;
  return `${what}: recommendations.maxEdges leaves room for ${refused.budget} followed edges beside the stored ones; through Service ${refused.through.join(', ')}: check where their clients connect now before applying, or raise recommendations.maxEdges`;
}
