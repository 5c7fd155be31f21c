/**
 * Synthesis for one workload: its comparison → atoms → an allowlist intent (plus one that opens
 * the exposed ports), with what was left out and why. StackLight's archetypes fall out of the
 * data: nothing in → deny-all ingress, nothing out → deny-all egress, exposed → allow-all on
 * the exposed port, calls to the world → egress to those destinations.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { Peer } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import { assessmentsOf, sortAssessments, type EdgeAssessment, type EdgeKeys, type EdgeRefs, type RuleAssessment, type SideComparison, type WorkloadComparison, type WorkloadComponent } from '../compare/compare.ts';
import type { ComparisonStatus } from '../compare/status.ts';
import { dnsPeer, dnsPorts, explanation, port, type DirectionInput, type IntentInput } from '../policy/build.ts';
import type { Direction, PortSpec } from '../policy/ir.ts';
import { AtomGroups, type GroupedRule } from './atoms.ts';
import type { RecommendOptions } from './options.ts';
import type { RunPeers } from './far-peers.ts';
import { APISERVER, farSide, irPeers, protocolOf, resolvedPeers, resolvedPorts, type DnsTarget } from './peers.ts';

export interface ExcludedEdge {
  edge: EdgeAssessment;
  reason: string;
}

export interface PlannedIntent {
  input: IntentInput;
  /** The rules with their evidence; empty when the context asks for no details and no shared layer reads them. */
  rules: GroupedRule[];
  /** Evidence of an allow-all / deny-all direction (exposure: the edges it covers). */
  evidence: EdgeRefs[];
}

export interface WorkloadPlan {
  workload: Workload;
  /** The comparison behind the plan, kept for the evidence (details) only. */
  comparison?: WorkloadComparison;
  components: WorkloadComponent[];
  intents: PlannedIntent[];
  /** Edges left out and why (only when the context asks for details). */
  excluded: ExcludedEdge[];
  /** Undocumented edges of a direction a matrix is authoritative for (mode union), in `${edgeKey}|${direction}` order. */
  violations: EdgeAssessment[];
  warnings: string[];
  summary: string;
}

export interface SynthesisContext {
  ix: ClusterIndex;
  dns: DnsTarget;
  opts: RecommendOptions;
  /** Edge peers and ports, made and checked once per run. */
  peers: RunPeers;
  /** The run's edge keys and ids (`edgeKey`, `edgeId`, cached). */
  edgeKeys: EdgeKeys;
  /** Record what was left out and why (`excluded`): the JSON output needs it, manifests do not. Default true. */
  details?: boolean;
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

const isApiserverEdge = (e: EdgeTraffic, ix: ClusterIndex): boolean => farSide(e.server, e.port, 'egress', ix).kind === 'apiserver';

const NO_RULES: RuleAssessment[] = [];

export function planWorkload(w: Workload, comparison: WorkloadComparison, components: WorkloadComponent[], ctx: SynthesisContext): WorkloadPlan {
  const { ix, opts } = ctx;
  const details = ctx.details !== false;
  const memo = ctx.peers;
  const plan: WorkloadPlan = { workload: w, components, intents: [], excluded: [], violations: [], warnings: [], summary: '' };
  if (details) plan.comparison = comparison;
  const excludeAll = (reason: string) => {
    if (details) for (const e of comparison.edges) plan.excluded.push({ edge: e, reason });
  };
  const name = `${w.kind} ${w.namespace}/${w.name}`;
  if (w.hostNetwork) {
    const reasons = components.flatMap((c) => c.component.exceptions.filter((e) => e.type === 'host-network').map((e) => `${e.reason} (${e.source.title}${e.source.line !== undefined ? `, line ${e.source.line}` : ''})`));
    plan.summary = `${name} runs in the host network: NetworkPolicy cannot isolate it on most CNIs, so no policy is recommended; restrict it on the node (host firewall) instead.${reasons.length > 0 ? ` Matrix: ${[...new Set(reasons)].join(' ')}` : ''}`;
    excludeAll('host-network workload: no policy');
    return plan;
  }
  if (!hasSelector(w)) {
    plan.summary = `${name} has no labels to select it by: a policy for it would select every pod of ${w.namespace}, so none is recommended; label its pods to get one.`;
    plan.warnings.push(`${name}: no labels, no policy (a selector-less policy would select the whole namespace)`);
    excludeAll('no labels: the workload cannot be selected on its own');
    return plan;
  }
  if (opts.mode === 'documented' && components.length === 0) {
    plan.summary = `${name}: no communication matrix documents it, and mode documented uses documented rules only: no policy.`;
    excludeAll('mode documented: no matrix documents this workload');
    return plan;
  }

  const self: Peer = { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
  const groups = { ingress: new AtomGroups('ingress', comparison.ingress), egress: new AtomGroups('egress', comparison.egress) };
  const included = comparison.rules.filter((r) => ruleIncluded(r, opts));
  const includedIds = new Set(included.map((r) => r.rule.id));
  const byId = new Map(comparison.rules.map((r) => [r.rule.id, r]));

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
        for (const raw of resolvedPeers(rp, w.namespace, ix)) {
          const peer = memo.peer(raw);
          groups[d].add(peer.value, peer.key, ports, r.status === 'inactive' ? 'documented-unobserved' : r.status, [r], r.matched);
        }
      }
    }
  }

  const exposed = w.exposure.filter((x) => protocolOf(x.protocol) !== undefined);
  const exposureEdges: number[] = [];
  // The cluster DNS answers every pod, host-network ones and those not observed yet included.
  const clusterDns = w.clusterDns === true;
  const dnsEdges: number[] = [];
  const auth = { ingress: opts.mode === 'union' ? authoritative(components, 'ingress') : undefined, egress: opts.mode === 'union' ? authoritative(components, 'egress') : undefined };
  const include = new Set<string>(opts.include);
  const notIncluded = new Map<ComparisonStatus, string>();
  if (opts.mode !== 'documented') {
    for (const side of [comparison.ingress, comparison.egress]) {
      const direction = side.direction;
      const ingress = direction === 'ingress';
      const exclude = (i: number, reason: string) => {
        if (details) plan.excluded.push({ edge: side.assessment(i), reason });
      };
      if (!ingress && !opts.egress) {
        for (let i = 0; i < side.edges.length; i++) exclude(i, 'egress is not restricted (--no-egress)');
        continue;
      }
      const authority = auth[direction];
      const g = groups[direction];
      for (let i = 0; i < side.edges.length; i++) {
        const edge = side.edges[i]!;
        const status = side.status[i]!;
        const ruleIds = side.rules[i]!;
        if (opts.mode === 'union' && ruleIds.length > 0 && ruleIds.some((id) => includedIds.has(id))) continue; // evidenced by its documented rule
        if (ingress && edge.client.kind === 'kubelet') {
          // Probes from the pod's own node: never a rule, so never a violation either.
          const probe = memo.of(edge, direction, w.namespace);
          if (!probe.ok) exclude(i, probe.reason);
          continue;
        }
        if (clusterDns && ingress && edge.port === DNS_PORT) {
          dnsEdges.push(i);
          continue;
        }
        if (ingress && exposed.length > 0 && exposed.some((x) => x.port === edge.port && x.protocol === edge.protocol)) {
          exposureEdges.push(i);
          continue;
        }
        if (!include.has(status)) {
          if (details) {
            let reason = notIncluded.get(status);
            if (reason === undefined) notIncluded.set(status, (reason = `status ${status} is not included`));
            exclude(i, reason);
          }
          continue;
        }
        if (status === 'undocumented' && authority) {
          plan.violations.push(side.assessment(i));
          exclude(i, `undocumented, and matrix ${authority} is authoritative for ${direction}: a violation to review, not a rule`);
          continue;
        }
        const peer = memo.of(edge, direction, w.namespace);
        if (!peer.ok) {
          exclude(i, peer.reason);
          continue;
        }
        const ports = memo.portList(edge);
        if (!ports) {
          exclude(i, `${edge.protocol} has no port: not expressible on every engine`);
          continue;
        }
        const rules = ruleIds.length === 0 ? NO_RULES : ruleIds.map((id) => byId.get(id)).filter((r): r is RuleAssessment => r !== undefined);
        for (let j = 0; j < peer.peers.length; j++) g.add(peer.peers[j]!, peer.keys[j]!, ports, status, rules, i);
      }
    }
    // Both sides add in `${edgeKey}|${direction}` order, as the comparison lists them.
    if (plan.violations.length > 1) plan.violations = sortAssessments(plan.violations, ctx.edgeKeys.key);
  }

  // Egress: never cut the workload off the apiserver or the DNS it was seen using.
  let egress: DirectionInput = { mode: 'none' };
  let egressRules: GroupedRule[] = [];
  // Its upstream resolvers are nowhere in the inventory: restrict the cluster DNS's egress only
  // once one was seen, or every name outside the cluster stops resolving.
  const out = comparison.egress;
  let upstreamSeen = false;
  for (let i = 0; i < out.edges.length && !upstreamSeen; i++) {
    const e = out.edges[i]!;
    if (e.port === DNS_PORT && e.server.kind !== 'dns' && out.status[i] !== 'stale') upstreamSeen = true;
  }
  const dnsEgressOpen = clusterDns && opts.egress && !upstreamSeen;
  if (dnsEgressOpen) plan.warnings.push(`${name} is the cluster DNS and no upstream resolver was observed: its egress is left open`);
  if (opts.egress && !dnsEgressOpen) {
    const apiEdges: number[] = [];
    for (let i = 0; i < out.edges.length; i++) if (out.status[i] !== 'stale' && isApiserverEdge(out.edges[i]!, ix)) apiEdges.push(i);
    const hasApiAtom = groups.egress.hasApiserver;
    let open = false;
    if (apiEdges.length > 0 && !hasApiAtom) {
      if (ix.apiserver.length === 0) {
        open = true;
        plan.warnings.push(`${name} was seen using the apiserver, but no endpoint of default/kubernetes is known: egress is left open rather than cutting it off (import the inventory with EndpointSlices)`);
      } else {
        const api = irPeers(APISERVER, 'egress', w.namespace, ix, ctx.dns);
        const checked = api.ok ? memo.peer(api.peers[0]!) : undefined;
        if (checked) groups.egress.add(checked.value, checked.key, [], 'implied', [], apiEdges, ['seen using the apiserver: never cut off']);
      }
    }
    if (!open && groups.egress.size > 0) {
      const raw = dnsPeer(ctx.dns.namespace, ctx.dns.selector);
      const dnsTo = memo.peer(raw);
      groups.egress.add(dnsTo.value, dnsTo.key, dnsPorts(), 'implied', [], [], ['DNS is always allowed when egress is restricted']);
    }
    if (!open) {
      egressRules = groups.egress.build(ctx.edgeKeys);
      egress = egressRules.length > 0
        ? { mode: 'rules', rules: egressRules.map((g) => g.input) }
        : { mode: 'deny-all', explanation: explanation(`${intentKey(w)}#egress`, 'implied', 'nothing observed or documented out: deny all egress') };
    }
  }
  const ingressRules = groups.ingress.build(ctx.edgeKeys);
  const ingress: DirectionInput = ingressRules.length > 0
    ? { mode: 'rules', rules: ingressRules.map((g) => g.input) }
    : {
        mode: 'deny-all',
        explanation: explanation(`${intentKey(w)}#ingress`, 'implied', exposed.length > 0 ? 'nothing observed or documented in apart from the exposed ports (see the exposure policy)' : 'nothing observed or documented in: deny all ingress'),
      };

  const nRules = countMatrixRules(ingressRules, egressRules);
  const nEdges = countEdges([...ingressRules, ...egressRules]);
  // Without details nothing reads the evidence again, and without a shared layer nothing reads
  // the grouped rules again: let them go with the comparison (the IR rules stay in the input).
  const grouped = details || opts.shared ? [...ingressRules, ...egressRules] : [];
  if (!details) for (const g of grouped) g.evidence = [];
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
    rules: grouped,
    evidence: [],
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
      evidence: details && exposureEdges.length > 0 ? [{ side: comparison.ingress, idx: exposureEdges }] : [],
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
      evidence: details && dnsEdges.length > 0 ? [{ side: comparison.ingress, idx: dnsEdges }] : [],
    });
  }
  plan.summary = `${name}: ${plan.intents.length} polic${plan.intents.length === 1 ? 'y' : 'ies'}; ingress ${ingress.mode}, egress ${egress.mode}${plan.violations.length > 0 ? `; ${plan.violations.length} undocumented edge(s) reported as violations` : ''}.`;
  return plan;
}

/** Distinct documented rules behind the rules of both directions. */
function countMatrixRules(ingress: readonly GroupedRule[], egress: readonly GroupedRule[]): number {
  const ids = new Set<string>();
  for (const g of ingress) for (const r of g.rules) ids.add(r.rule.id);
  for (const g of egress) for (const r of g.rules) ids.add(r.rule.id);
  return ids.size;
}

/** Distinct edge assessments behind the rules (positions per side). */
function countEdges(rules: readonly GroupedRule[]): number {
  const seen = new Map<SideComparison, Uint8Array>();
  let n = 0;
  for (const g of rules) {
    for (const r of g.evidence) {
      let marks = seen.get(r.side);
      if (marks === undefined) seen.set(r.side, (marks = new Uint8Array(r.side.edges.length)));
      for (const i of r.idx) {
        if (marks[i] === 0) {
          marks[i] = 1;
          n++;
        }
      }
    }
  }
  return n;
}

/** The assessments of an intent's own evidence (exposure, DNS), in order. */
export function intentEdges(p: PlannedIntent): EdgeAssessment[] {
  return assessmentsOf(p.evidence);
}
