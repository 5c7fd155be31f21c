/**
 * Synthesis for one workload: its comparison → atoms → an allowlist intent (plus one that opens
 * the exposed ports), with what was left out and why. StackLight's archetypes fall out of the
 * data: nothing in → deny-all ingress, nothing out → deny-all egress, exposed → allow-all on
 * the exposed port, calls to the world → egress to those destinations.
 */
import type { Edge } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey as peerKeyOf, type Peer } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import type { EdgeAssessment, EdgeKeys, RuleAssessment, WorkloadComparison, WorkloadComponent } from '../compare/compare.ts';
import { dnsPeer, dnsPorts, explanation, port, type DirectionInput, type IntentInput } from '../policy/build.ts';
import type { Direction, PortSpec } from '../policy/ir.ts';
import { groupAtoms, type Atom, type GroupedRule } from './atoms.ts';
import type { RecommendOptions } from './options.ts';
import { edgePeer, edgePort, protocolOf, resolvedPeers, resolvedPorts, type DnsTarget } from './peers.ts';

export interface ExcludedEdge {
  edge: EdgeAssessment;
  reason: string;
}

export interface PlannedIntent {
  input: IntentInput;
  rules: GroupedRule[];
  /** Evidence of an allow-all / deny-all direction (exposure: the edges it covers). */
  edges: EdgeAssessment[];
}

export interface WorkloadPlan {
  workload: Workload;
  comparison: WorkloadComparison;
  components: WorkloadComponent[];
  intents: PlannedIntent[];
  excluded: ExcludedEdge[];
  /** Undocumented edges of a direction a matrix is authoritative for (mode union). */
  violations: EdgeAssessment[];
  warnings: string[];
  summary: string;
}

export interface SynthesisContext {
  ix: ClusterIndex;
  dns: DnsTarget;
  opts: RecommendOptions;
  /** Memo of edge peers per peer key and what else the answer depends on: the same peer object for the same peer. */
  peerMemo?: Map<string, Map<string, ReturnType<typeof edgePeer>>>;
  /** Memo of the IR port of an edge per (protocol, port): the same port object for the same port. */
  portMemo?: Map<string, PortSpec | undefined>;
  /** The run's edge keys and ids (`edgeKey`, `edgeId`, cached). */
  edgeKeys?: EdgeKeys;
  /** The run's peer keys (`peerKey`, cached per peer object). */
  peerKeyOf?: (p: Peer) => string;
}

const DNS_PORT = 53;

/** A workload's pods can be selected on their own (an empty selector would select the namespace). */
function hasSelector(w: Workload): boolean {
  return Object.keys(w.selector.matchLabels ?? {}).length > 0 || (w.selector.matchExpressions ?? []).length > 0;
}

export function intentKey(w: Workload, suffix?: string): string {
  return `${w.namespace}/${w.kind.toLowerCase()}/${w.name}${suffix ? `/${suffix}` : ''}`;
}

function authoritative(components: readonly WorkloadComponent[], d: Direction): string | undefined {
  for (const c of components) {
    const s = c.component.authoritative[d];
    if (s.authoritative && (!s.condition || s.condition.holds)) return `${c.matrix}/${c.component.name}`;
  }
  return undefined;
}

function ruleIncluded(r: RuleAssessment, opts: RecommendOptions): boolean {
  if (r.status === 'inactive' || !(opts.include as string[]).includes(r.status)) return false;
  return r.status !== 'documented-unobserved' || r.rule.level === 'must' || opts.includeMay;
}

const isApiserverEdge = (e: EdgeAssessment, ix: ClusterIndex): boolean => {
  const s = e.edge.server;
  if (s.kind === 'apiserver') return true;
  const ips = s.kind === 'node' ? (ix.nodeIps.get(s.node) ?? []) : s.kind === 'external' ? [s.ip] : [];
  return ix.apiserver.some((a) => a.port === e.edge.port && ips.includes(a.ip));
};

function memoPeer(ctx: SynthesisContext, other: Peer, e: EdgeAssessment, ns: string): ReturnType<typeof edgePeer> {
  // What edgePeer's answer depends on besides the peer: for a workload only whether it shares
  // the subject's namespace; for node and external peers the direction and the port (they may be
  // the apiserver on its endpoint port); for the others the direction at most. Keyed by the peer
  // key's string object, whose hash V8 keeps: no string is built per edge on the common paths.
  const pk = (ctx.peerKeyOf ?? peerKeyOf)(other);
  const variant =
    other.kind === 'workload' ? (other.workload.namespace === ns ? 'same' : 'other') : other.kind === 'node' || other.kind === 'external' ? `${e.direction}|${e.edge.port}` : e.direction;
  const memo = (ctx.peerMemo ??= new Map());
  let byVariant = memo.get(pk);
  if (byVariant === undefined) memo.set(pk, (byVariant = new Map()));
  let r = byVariant.get(variant);
  if (r === undefined) byVariant.set(variant, (r = edgePeer(other, e.edge, e.direction, ns, ctx.ix, ctx.dns)));
  return r;
}

function memoPort(ctx: SynthesisContext, edge: Edge): PortSpec | undefined {
  const k = `${edge.protocol}/${edge.port}`;
  const memo = (ctx.portMemo ??= new Map());
  if (memo.has(k)) return memo.get(k);
  const p = edgePort(edge);
  memo.set(k, p);
  return p;
}

export function planWorkload(w: Workload, comparison: WorkloadComparison, components: WorkloadComponent[], ctx: SynthesisContext): WorkloadPlan {
  const { ix, opts } = ctx;
  const plan: WorkloadPlan = { workload: w, comparison, components, intents: [], excluded: [], violations: [], warnings: [], summary: '' };
  const name = `${w.kind} ${w.namespace}/${w.name}`;
  if (w.hostNetwork) {
    const reasons = components.flatMap((c) => c.component.exceptions.filter((e) => e.type === 'host-network').map((e) => `${e.reason} (${e.source.title}${e.source.line !== undefined ? `, line ${e.source.line}` : ''})`));
    plan.summary = `${name} runs in the host network: NetworkPolicy cannot isolate it on most CNIs, so no policy is recommended; restrict it on the node (host firewall) instead.${reasons.length > 0 ? ` Matrix: ${[...new Set(reasons)].join(' ')}` : ''}`;
    for (const e of comparison.edges) plan.excluded.push({ edge: e, reason: 'host-network workload: no policy' });
    return plan;
  }
  if (!hasSelector(w)) {
    plan.summary = `${name} has no labels to select it by: a policy for it would select every pod of ${w.namespace}, so none is recommended; label its pods to get one.`;
    plan.warnings.push(`${name}: no labels, no policy (a selector-less policy would select the whole namespace)`);
    for (const e of comparison.edges) plan.excluded.push({ edge: e, reason: 'no labels: the workload cannot be selected on its own' });
    return plan;
  }
  if (opts.mode === 'documented' && components.length === 0) {
    plan.summary = `${name}: no communication matrix documents it, and mode documented uses documented rules only: no policy.`;
    for (const e of comparison.edges) plan.excluded.push({ edge: e, reason: 'mode documented: no matrix documents this workload' });
    return plan;
  }

  const self: Peer = { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
  const atoms: Atom[] = [];
  const included = comparison.rules.filter((r) => ruleIncluded(r, opts));
  const includedIds = new Set(included.map((r) => r.rule.id));
  const byId = new Map(comparison.rules.map((r) => [r.rule.id, r]));
  const edgesOf = (r: RuleAssessment): EdgeAssessment[] => {
    const keys = new Set(r.edges);
    return comparison.edges.filter((e) => keys.has(e.edge) && e.direction === r.rule.direction);
  };

  if (opts.mode !== 'observed') {
    for (const r of included) {
      const d = r.rule.direction;
      if (d === 'egress' && !opts.egress) continue;
      const peers = r.rule.peers.flatMap((rp) => resolvedPeers(rp, w.namespace, ix));
      if (peers.length === 0) {
        plan.warnings.push(`${r.rule.id}: resolved to no expressible peer, no rule`);
        continue;
      }
      for (const rp of r.rule.peers) {
        let server: Peer | undefined = self;
        if (d === 'egress') server = rp.kind === 'pods' && rp.workloads.length === 1 ? { kind: 'workload', workload: rp.workloads[0]! } : undefined;
        const ports = resolvedPorts(r.rule.ports, server, ix);
        for (const peer of resolvedPeers(rp, w.namespace, ix)) {
          atoms.push({ direction: d, peer, ports, status: r.status === 'inactive' ? 'documented-unobserved' : r.status, rules: [r], edges: edgesOf(r), notes: [] });
        }
      }
    }
  }

  const exposed = w.exposure.filter((x) => protocolOf(x.protocol) !== undefined);
  const exposureEdges: EdgeAssessment[] = [];
  // The cluster DNS answers every pod, host-network ones and those not observed yet included.
  const clusterDns = w.clusterDns === true;
  const dnsEdges: EdgeAssessment[] = [];
  const auth = { ingress: opts.mode === 'union' ? authoritative(components, 'ingress') : undefined, egress: opts.mode === 'union' ? authoritative(components, 'egress') : undefined };
  if (opts.mode !== 'documented') {
    for (const e of comparison.edges) {
      if (e.direction === 'egress' && !opts.egress) {
        plan.excluded.push({ edge: e, reason: 'egress is not restricted (--no-egress)' });
        continue;
      }
      if (opts.mode === 'union' && e.rules.some((id) => includedIds.has(id))) continue; // evidenced by its documented rule
      if (clusterDns && e.direction === 'ingress' && e.edge.port === DNS_PORT) {
        dnsEdges.push(e);
        continue;
      }
      if (e.direction === 'ingress' && exposed.some((x) => x.port === e.edge.port && x.protocol === e.edge.protocol)) {
        exposureEdges.push(e);
        continue;
      }
      if (!(opts.include as string[]).includes(e.status)) {
        plan.excluded.push({ edge: e, reason: `status ${e.status} is not included` });
        continue;
      }
      const authority = auth[e.direction];
      if (e.status === 'undocumented' && authority) {
        plan.violations.push(e);
        plan.excluded.push({ edge: e, reason: `undocumented, and matrix ${authority} is authoritative for ${e.direction}: a violation to review, not a rule` });
        continue;
      }
      const other = e.direction === 'ingress' ? e.edge.client : e.edge.server;
      const peer = memoPeer(ctx, other, e, w.namespace);
      if (!peer.ok) {
        plan.excluded.push({ edge: e, reason: peer.reason });
        continue;
      }
      const p = memoPort(ctx, e.edge);
      if (!p) {
        plan.excluded.push({ edge: e, reason: `${e.edge.protocol} has no port: not expressible on every engine` });
        continue;
      }
      const rules = e.rules.length === 0 ? [] : e.rules.map((id) => byId.get(id)).filter((r): r is RuleAssessment => r !== undefined);
      for (const peerOut of peer.peers) {
        atoms.push({ direction: e.direction, peer: peerOut, ports: peerOut.kind === 'apiserver' && e.direction === 'egress' ? [] : [p], status: e.status, rules, edges: [e], notes: [] });
      }
    }
  }

  // Egress: never cut the workload off the apiserver or the DNS it was seen using.
  let egress: DirectionInput = { mode: 'none' };
  let egressRules: GroupedRule[] = [];
  // Its upstream resolvers are nowhere in the inventory: restrict the cluster DNS's egress only
  // once one was seen, or every name outside the cluster stops resolving.
  const upstreamSeen = comparison.edges.some((e) => e.direction === 'egress' && e.edge.port === DNS_PORT && e.edge.server.kind !== 'dns' && e.status !== 'stale');
  const dnsEgressOpen = clusterDns && opts.egress && !upstreamSeen;
  if (dnsEgressOpen) plan.warnings.push(`${name} is the cluster DNS and no upstream resolver was observed: its egress is left open`);
  if (opts.egress && !dnsEgressOpen) {
    const apiEdges = comparison.edges.filter((e) => e.direction === 'egress' && isApiserverEdge(e, ix) && e.status !== 'stale');
    const hasApiAtom = atoms.some((a) => a.direction === 'egress' && a.peer.kind === 'apiserver');
    let open = false;
    if (apiEdges.length > 0 && !hasApiAtom) {
      if (ix.apiserver.length === 0) {
        open = true;
        plan.warnings.push(`${name} was seen using the apiserver, but no endpoint of default/kubernetes is known: egress is left open rather than cutting it off (import the inventory with EndpointSlices)`);
      } else {
        const peer = edgePeer({ kind: 'apiserver' }, apiEdges[0]!.edge, 'egress', w.namespace, ix, ctx.dns);
        if (peer.ok) atoms.push({ direction: 'egress', peer: peer.peers[0]!, ports: [], status: 'implied', rules: [], edges: apiEdges, notes: ['seen using the apiserver: never cut off'] });
      }
    }
    const egressAtoms = atoms.filter((a) => a.direction === 'egress');
    if (!open && egressAtoms.length > 0) {
      atoms.push({ direction: 'egress', peer: dnsPeer(ctx.dns.namespace, ctx.dns.selector), ports: dnsPorts(), status: 'implied', rules: [], edges: [], notes: ['DNS is always allowed when egress is restricted'] });
    }
    if (!open) {
      egressRules = groupAtoms('egress', atoms, ctx.edgeKeys);
      egress = egressRules.length > 0
        ? { mode: 'rules', rules: egressRules.map((g) => g.input) }
        : { mode: 'deny-all', explanation: explanation(`${intentKey(w)}#egress`, 'implied', 'nothing observed or documented out: deny all egress') };
    }
  }
  const ingressRules = groupAtoms('ingress', atoms, ctx.edgeKeys);
  const ingress: DirectionInput = ingressRules.length > 0
    ? { mode: 'rules', rules: ingressRules.map((g) => g.input) }
    : {
        mode: 'deny-all',
        explanation: explanation(`${intentKey(w)}#ingress`, 'implied', exposed.length > 0 ? 'nothing observed or documented in apart from the exposed ports (see the exposure policy)' : 'nothing observed or documented in: deny all ingress'),
      };

  const nRules = new Set([...ingressRules, ...egressRules].flatMap((g) => g.rules.map((r) => r.rule.id))).size;
  const nEdges = new Set([...ingressRules, ...egressRules].flatMap((g) => g.edges)).size;
  plan.intents.push({
    input: {
      key: intentKey(w),
      namespace: w.namespace,
      layer: 'allowlist',
      subject: { kind: 'workload', selector: w.selector, workload: { namespace: w.namespace, kind: w.kind, name: w.name }, hostNetwork: false },
      ingress,
      egress,
      explanation: `Least-privilege allowlist for ${name} (mode ${opts.mode}): ${nRules} documented rule(s), ${nEdges} observed edge(s).`,
    },
    rules: [...ingressRules, ...egressRules],
    edges: [],
  });
  if (exposed.length > 0) {
    const ports: PortSpec[] = exposed.map((x) => port(protocolOf(x.protocol)!, x.port));
    const via = [...new Set(exposed.map((x) => `${x.via} ${x.object}`))].sort().join(', ');
    plan.intents.push({
      input: {
        key: intentKey(w, 'exposed'),
        namespace: w.namespace,
        layer: 'allowlist',
        subject: { kind: 'workload', selector: w.selector, workload: { namespace: w.namespace, kind: w.kind, name: w.name }, hostNetwork: false },
        ingress: { mode: 'allow-all', ports, explanation: explanation(`${intentKey(w)}#exposed`, exposureEdges.length > 0 ? 'confirmed' : 'implied', `exposed through ${via}: any client may reach the exposed port`) },
        explanation: `${name} is exposed (${via}): allow all ingress on the exposed port(s), as StackLight does for UIs behind load balancers.`,
      },
      rules: [],
      edges: exposureEdges,
    });
  }
  if (clusterDns) {
    plan.intents.push({
      input: {
        key: intentKey(w, 'dns'),
        namespace: w.namespace,
        layer: 'allowlist',
        subject: { kind: 'workload', selector: w.selector, workload: { namespace: w.namespace, kind: w.kind, name: w.name }, hostNetwork: false },
        ingress: {
          mode: 'allow-all',
          ports: dnsPorts(),
          explanation: explanation(`${intentKey(w)}#dns`, dnsEdges.length > 0 ? 'confirmed' : 'implied', 'the cluster DNS answers every pod: 53/UDP and 53/TCP stay open to all'),
        },
        explanation: `${name} is the cluster DNS: every pod resolves names through it, including host-network pods and pods never observed, so its DNS ports stay open to all.`,
      },
      rules: [],
      edges: dnsEdges,
    });
  }
  plan.summary = `${name}: ${plan.intents.length} polic${plan.intents.length === 1 ? 'y' : 'ies'}; ingress ${ingress.mode}, egress ${egress.mode}${plan.violations.length > 0 ? `; ${plan.violations.length} undocumented edge(s) reported as violations` : ''}.`;
  return plan;
}
