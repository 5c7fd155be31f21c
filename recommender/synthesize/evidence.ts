/**
 * Evidence: why a rule exists. The JSON shape here is the `recommend --output json` contract
 * (docs/recommend.md): matrix rules with purpose and citation, edges with counts, first/last
 * seen and sources, each with its comparison status.
 */
import type { Direction } from '../../domain/direction.ts';
import { isStoredEdge, type Edge, type EdgeTraffic, type FollowedEdge } from '../../domain/edge.ts';
import { edgeObservation, PLAIN_TEXT, type EdgeObservationJson, type ObservationText } from '../../domain/edge-json.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import type { EdgeAssessment, RuleAssessment } from '../compare/compare.ts';
import type { ComparisonStatus, DocumentedRuleStatus } from '../compare/status.ts';
import type { Citation, WhenConfigured } from '../matrix/resolved.ts';

export interface MatrixRuleEvidence {
  id: string;
  matrix: string;
  component: string;
  direction: Direction;
  level: 'must' | 'may';
  status: DocumentedRuleStatus;
  peer: string;
  purpose: string;
  condition?: string;
  /** The peers come from a role bound from observation (docs/matrices.md, "Roles bound from observation"). */
  inferred?: { role: string; candidates: string[]; pin: string };
  /** Status `documented-when-set`: the condition to set, where in the cluster config, the observed edges that fit the rule (docs/matrices.md). */
  whenConfigured?: WhenConfigured;
  source: Citation;
  /** Edge keys (client|server|port|protocol) that fall under the rule. */
  edges: string[];
}

/** What a followed edge's evidence has of the observation: its ends, port and protocol, no counts, times or sources. */
type FollowedObservation = Pick<EdgeObservationJson, 'client' | 'server' | 'port' | 'protocol'> & Partial<EdgeObservationJson>;

/** Where an edge no flow had comes from (EdgeTraffic.followed), as its evidence says it. */
export interface FollowedEvidence {
  /** The Service port the observed edge's flows were addressed to, `namespace/name:port`. */
  through: string;
  /** The observed edge: its database id and evidence key (its counts and times are in its own evidence). */
  from: number;
  fromKey: string;
  /** `not in the flows itself: through Service shop/web:80, which sends to … now (…)`. */
  note: string;
}

export interface EdgeEvidence extends FollowedObservation {
  /** The stored edge's id; absent on a followed edge, which no flow had (`followed.from` is the observed one's). */
  id?: number;
  key: string;
  direction: Direction;
  status: ComparisonStatus;
  /** Documented rules it falls under. */
  rules: string[];
  /** Status `documented-when-set`: the rules that document it once the config says so, `<rule id> when <condition>` (docs/matrices.md). */
  documentedWhen?: string[];
  /**
   * No flow had this edge: the Service another edge of the client came through sends it here now
   * (recommender/follow-services.ts). It has no `id`, counts, times or sources of its own.
   */
  followed?: FollowedEvidence;
}

export function matrixRuleEvidence(a: RuleAssessment): MatrixRuleEvidence {
  const out: MatrixRuleEvidence = {
    id: a.rule.id,
    matrix: a.matrix,
    component: a.component,
    direction: a.rule.direction,
    level: a.rule.level,
    status: a.status,
    peer: a.rule.peerRef,
    purpose: a.rule.purpose,
    source: a.rule.source,
    edges: a.edges.map(edgeKeyOf),
  };
  if (a.rule.condition) out.condition = a.rule.condition.text;
  if (a.rule.inferred) out.inferred = a.rule.inferred;
  if (a.rule.whenConfigured) out.whenConfigured = a.rule.whenConfigured;
  return out;
}

export function edgeKeyOf(e: { client: Parameters<typeof peerKey>[0]; server: Parameters<typeof peerKey>[0]; port: number; protocol: string }): string {
  return joinedEdgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol);
}

/** The evidence key `client|server|port|protocol` from peer keys already written. */
function joinedEdgeKey(client: string, server: string, port: number, protocol: string): string {
  return `${client}|${server}|${port}|${protocol}`;
}

/** Evidence is made of stored edges; `recommend` refuses traffic-only edges when asked for details. */
function storedEdge(e: EdgeTraffic): Edge {
  if (!isStoredEdge(e)) throw new Error(`edge ${edgeKeyOf(e)}: evidence needs the stored edge (id, counters, sources), not its traffic only`);
  return e;
}

export function edgeEvidence(a: EdgeAssessment, text?: ObservationText): EdgeEvidence {
  const e = storedEdge(a.edge);
  if (e.followed !== undefined) return followedEvidence(a, e.followed, text);
  const observation = edgeObservation(e, text);
  const out: EdgeEvidence = { id: e.id, key: joinedEdgeKey(observation.client, observation.server, e.port, e.protocol), direction: a.direction, status: a.status, ...observation, rules: [...a.rules] };
  if (a.documentedWhen !== undefined) out.documentedWhen = [...a.documentedWhen];
  return out;
}

/**
 * A followed edge's evidence: its ends and where it comes from. The traffic figures it carries
 * are the observed edge's (EdgeTraffic.followed), so none is written as its own, nor its id: an id
 * names one stored edge within an output (the report folds sides by it).
 */
function followedEvidence(a: EdgeAssessment, followed: FollowedEdge, text: ObservationText = PLAIN_TEXT): EdgeEvidence {
  const e = a.edge;
  const from = storedEdge(followed.from);
  const client = text.peer(e.client);
  const server = text.peer(e.server);
  const out: EdgeEvidence = { key: joinedEdgeKey(client, server, e.port, e.protocol), direction: a.direction, status: a.status, client, server, port: e.port, protocol: e.protocol, rules: [...a.rules] };
  if (a.documentedWhen !== undefined) out.documentedWhen = [...a.documentedWhen];
  out.followed = { through: followed.through, from: from.id, fromKey: joinedEdgeKey(text.peer(from.client), text.peer(from.server), from.port, from.protocol), note: followed.note };
  return out;
}

/**
 * Edge evidence built once per assessment within one recommendation: a rule's evidence and the
 * workload's observed list show the same edges, and the output shares one object for both.
 */
export class EdgeEvidenceCache implements ObservationText {
  private readonly built = new Map<EdgeAssessment, EdgeEvidence>();

  /** Peer keys and ISO times are written once each and shared: a cluster has far fewer peers and instants than edge records. */
  constructor(
    private readonly peers = new Map<Peer, string>(),
    private readonly times = new Map<number, string>(),
  ) {}

  /** A cache of its own for one record's evidence (which then is not kept past the record), sharing this one's peer and time texts. */
  forOneRecord(): EdgeEvidenceCache {
    return new EdgeEvidenceCache(this.peers, this.times);
  }

  of(a: EdgeAssessment): EdgeEvidence {
    let e = this.built.get(a);
    if (e === undefined) this.built.set(a, (e = edgeEvidence(a, this)));
    return e;
  }

  peer(p: Peer): string {
    let k = this.peers.get(p);
    if (k === undefined) this.peers.set(p, (k = peerKey(p)));
    return k;
  }

  time(ms: number): string {
    let t = this.times.get(ms);
    if (t === undefined) this.times.set(ms, (t = new Date(ms).toISOString()));
    return t;
  }

  list(as: readonly EdgeAssessment[]): EdgeEvidence[] {
    const out = new Array<EdgeEvidence>(as.length);
    for (let i = 0; i < as.length; i++) out[i] = this.of(as[i]!);
    return out;
  }
}
