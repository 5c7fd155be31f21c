import type { FlowSource, Protocol } from './flow.ts';
import { compareStrings } from './order.ts';
import type { Peer } from './peer.ts';

/**
 * What policy synthesis reads of an edge: who talked to whom on which port, how much, how
 * recently, and whether the traffic got through. Manifests are made of this alone.
 */
export interface EdgeTraffic {
  client: Peer;
  server: Peer;
  port: number;
  protocol: Protocol;
  lastSeen: number;
  flows: number;
  forwarded: number;
  dropped: number;
  /**
   * The Service target port name flows of the edge reached its server through (`targetPort: http`,
   * which each backend pod resolves on its own container ports; `port` is one number of it, or was
   * before a rollout renumbered it); absent: none did, or not known (stored before migration 0045,
   * no flow since).
   */
  targetPortName?: string;
  /** Flows of the edge also reached `port` by number (directly, or recorded after the Service's translation): the number stays open. */
  reachedByNumberToo?: true;
  /**
   * The Service ports flows of the edge were addressed to, as `edges.through_service` keeps them
   * (ThroughServices, migration 0051): `namespace/name:port` of the edge's protocol, several joined
   * by `,`. The client dials those ports, and the rules follow each Service as it maps it today.
   * Absent: none, or not known (stored before 0051).
   */
  throughService?: ThroughServices;
  /**
   * Set on an edge no flow had: the Service the flows of `followed.from` came through
   * (`throughService`) sends the same client here now — another backend, or another target port
   * (recommender/follow-services.ts). Its traffic figures are `from`'s: they let synthesis and the
   * verification treat it as that edge (stale when it is), but no comparison, evidence or report
   * presents them as its own.
   */
  followed?: FollowedEdge;
}

/** Where a followed edge (EdgeTraffic.followed) comes from, and what its rule and evidence say of it. */
export interface FollowedEdge {
  /** The observed edge it follows (its id and counts are that edge's, never the followed one's). */
  from: EdgeTraffic;
  /** The one Service port of `from`'s (EdgeTraffic.throughService) that leads here, `namespace/name:port`. */
  through: string;
  /** `not in the flows itself: through Service shop/web:80, which sends to shop/Deployment/web-canary on 9090 now (the flows went to shop/Deployment/web on 8080)`. */
  note: string;
}

/**
 * How flows of an edge reached its server's port, as `edges.target_port_name` keeps it (migration
 * 0045): `''` by number only; `http` through the Service target port name alone; `+http` through it
 * and by number too (`+` is no character of a port name, IANA_SVC_NAME); NULL not known.
 */
export type TargetPortWays = string;

/**
 * The ways of two sets of flows of one edge together (the aggregator's and store/edges.ts' upsert
 * agree): a name once seen stays — a connection through the Service is often recorded twice, to the
 * ClusterIP and, on the server's node, after the translation by number, and dropping the name would
 * lose the renumbering the rules follow — and by number too once either came so. Of two names, the
 * first stays (rare: two Services' names reaching one number).
 */
export function mergeTargetPortWays(a: TargetPortWays | null, b: TargetPortWays | null): TargetPortWays | null {
  if (a === null || a === b) return b;
  if (b === null) return a;
  if (a === '') return `+${bareName(b)}`;
  return `+${bareName(a)}`;
}

const bareName = (w: TargetPortWays): string => (w.startsWith('+') ? w.slice(1) : w);

/** An edge's traffic fields for its stored ways: the name, and whether flows came by number too. */
export function targetPortOf(ways: TargetPortWays | null): Pick<EdgeTraffic, 'targetPortName' | 'reachedByNumberToo'> {
  if (ways === null || ways === '') return {};
  return ways.startsWith('+') ? { targetPortName: ways.slice(1), reachedByNumberToo: true } : { targetPortName: ways };
}

/**
 * The Service ports flows of one edge were addressed to, as `edges.through_service` keeps them
 * (migration 0051): one `namespace/name:port` (`shop/web:80`); of several, the distinct ones sorted
 * and joined by `,` (`shop/web-b:8080,shop/web:80`: two Services selecting the same pods, a ClusterIP
 * one and a metrics one, an old and a new one), at most MAX_THROUGH_SERVICES, then `,+` where more
 * came (`+` is in no Service name). Sorted and capped, two sets merge to the same text in any order.
 */
export type ThroughServices = string;

/** The most Service ports one edge keeps (ThroughServices): an edge is rarely reached through more than two or three Services. */
export const MAX_THROUGH_SERVICES = 8;

const MORE_SERVICES = '+';

/** The Service ports of a stored ThroughServices, and whether more came than it keeps. */
export function throughServicesOf(text: ThroughServices): { ports: string[]; more: boolean } {
  const parts = text.split(',');
  const more = parts[parts.length - 1] === MORE_SERVICES;
  return { ports: more ? parts.slice(0, -1) : parts, more };
}

/** The Service ports of two sets of flows of one edge together (the aggregator's and store/edges.ts' upsert agree); NULL: not known, takes the other. */
export function mergeThroughServices(a: ThroughServices | null, b: ThroughServices | null): ThroughServices | null {
  if (a === null || a === b) return b;
  if (b === null) return a;
  const x = throughServicesOf(a);
  const y = throughServicesOf(b);
  const ports = [...new Set([...x.ports, ...y.ports])].sort(compareStrings);
  const kept = ports.slice(0, MAX_THROUGH_SERVICES);
  return x.more || y.more || ports.length > kept.length ? [...kept, MORE_SERVICES].join(',') : kept.join(',');
}

/** The most stored edges one recommendation holds by default (config `recommendations.maxEdges`): read, and followed through Services (recommender/follow-services.ts). */
export const DEFAULT_MAX_RECOMMEND_EDGES = 1_000_000;

/** Flows aggregated by (client, server, port, protocol): storage grows with edges, not flows. */
export interface Edge extends EdgeTraffic {
  id: number;
  firstSeen: number;
  packets: number;
  bytes: number;
  sources: FlowSource[];
}

/** A stored edge, not its traffic only: what evidence (ids, counters, sources) is made of. */
export function isStoredEdge(e: EdgeTraffic): e is Edge {
  return (e as Partial<Edge>).sources !== undefined;
}

/**
 * The stored edges whose flows were ingested before the DNS names pods answer were kept (migration
 * 0033): whether a pod answered a name in those flows is not known. `before`: a time every edge with
 * a flow before it was last seen before, so that deleting the edges last seen before it and
 * ingesting the flow logs up to it again counts no flow twice.
 */
export interface NamesNotKept {
  edges: number;
  before: number;
}
