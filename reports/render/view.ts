/**
 * What the human-readable report shows and in which order, as format-neutral blocks: Markdown and
 * HTML format the same view, so both say the same thing. Long tables are cut at MAX_ROWS with a
 * note; the JSON rendering has up to MAX_ATTENTION_ITEMS per list.
 */
import type { Citation } from '../../recommender/matrix/resolved.ts';
import { kindName } from '../../recommender/engines/manifest-id.ts';
import { tierWritten } from '../../recommender/drift.ts';
import { firstFew } from '../../recommender/synthesize/first-few.ts';
import type { AppliedBlock, DriftCut, DriftFailureMarks, DriftSection, EdgeItem, EdgeSide, OwnedPolicyItem, PolicyManagerItem, PolicyRefItem, Report, RuleEnds, RuleItem, StillAllowedBy, TightnessItem, VerificationSummary, VerificationWarning } from '../model.ts';

export const MAX_ROWS = 200;

export interface Cell {
  text: string;
  /** Identifiers (keys, rule ids): monospace. */
  code?: boolean;
  /** Right-aligned. */
  num?: boolean;
}

export type Block =
  | { kind: 'para'; text: string }
  /** `moreAt`: where the rows past `more` are, when not in the JSON report (the default note). */
  | { kind: 'table'; columns: string[]; rows: Cell[][]; more: number; moreAt?: string }
  | { kind: 'list'; items: string[] };

export interface Section {
  id: string;
  title: string;
  level: 2 | 3;
  count?: number;
  blocks: Block[];
}

export interface ReportView {
  title: string;
  meta: string[];
  sections: Section[];
}

const t = (text: string): Cell => ({ text });
const code = (text: string): Cell => ({ text, code: true });
/** Thousands separators without depending on the runtime's locale data. */
export const fmt = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const num = (n: number): Cell => ({ text: fmt(n), num: true });

/** `2026-11-20T15:07:12.003Z` → `2026-11-20 15:07:12Z`. */
export const shortTime = (iso: string | undefined): string => (iso === undefined ? '—' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'));

/** Workload peers without their `workload:` prefix; other kinds keep theirs (dns:, external:, kubelet:…). */
export const peer = (key: string): string => (key.startsWith('workload:') ? key.slice('workload:'.length) : key);

export function citation(c: Citation): string {
  let s = c.title;
  if (c.line !== undefined) s += `, line ${c.line}`;
  if (c.also && c.also.length > 0) s += ` (also ${c.also.join(', ')})`;
  if (c.row !== undefined) s += `, row "${c.row}"`;
  if (c.url !== undefined) s += ` <${c.url}>`;
  return s;
}

/** `omitted`: items the model itself left out of the list (see Report.attention.omitted). */
function table(columns: string[], rows: Cell[][], omitted = 0, moreAt?: string): Block {
  return { kind: 'table', columns, rows: rows.slice(0, MAX_ROWS), more: Math.max(0, rows.length - MAX_ROWS) + omitted, ...(moreAt !== undefined ? { moreAt } : {}) };
}

const counts = (r: Record<string, number>): string =>
  Object.keys(r).length === 0
    ? '—'
    : Object.entries(r)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');

/** `on kubernetes by rule /spec/ingress/1 of NetworkPolicy/ns/name`, or of the applied policy beside the recommendation. */
function allowedOn(a: StillAllowedBy): string {
  const rule = a.rule !== undefined ? `rule ${a.rule} of ` : '';
  const policy = a.policy === undefined ? '' : a.byApplied ? ` by ${rule}the applied ${a.policy} beside the recommendation` : ` by ${rule}${a.policy}`;
  return `on ${a.engine}${policy}${a.onlyWhereIpBlocksMatchPods ? ' (only where the network plugin matches ipBlocks against pod addresses)' : ''}`;
}

/** What a side left out of the policy still gets: the report's engine first, then the others. */
function stillAllowedText(s: EdgeSide, engine: string): string {
  const by = s.stillAllowed ?? [];
  if (by.length === 0) return '';
  const ordered = [...by.filter((a) => a.engine === engine), ...by.filter((a) => a.engine !== engine)];
  return `; yet still allowed ${ordered.map(allowedOn).join(', ')}`;
}

function sides(e: EdgeItem, engine: string): string {
  if (e.sides.length === 0) return 'no selected workload on either side';
  return e.sides
    .map((s) => `${s.direction} of ${peer(`workload:${s.workload}`)}: ${s.status}${s.violation ? ' (violation)' : ''}${s.included ? '' : `, left out of the policy${s.reason ? `: ${s.reason}` : ''}${stillAllowedText(s, engine)}`}`)
    .join('; ');
}

function documentedBy(e: EdgeItem): Cell {
  const ids = [...new Set(e.sides.flatMap((s) => [...s.rules, ...(s.documentedWhen ?? [])]))].sort();
  return ids.length === 0 ? t('—') : code(ids.join(', '));
}

/** `engine`: the report's, whose word on a side comes first. */
function edgeRows(items: EdgeItem[], engine: string): Cell[][] {
  return items.map((e) => [
    code(peer(e.client)),
    code(peer(e.server)),
    t(`${e.port}/${e.protocol}`),
    num(e.flows),
    t(`${fmt(e.forwarded)} / ${fmt(e.dropped)}`),
    t(shortTime(e.firstSeen)),
    t(shortTime(e.lastSeen)),
    t(e.sources.join(', ')),
    t(sides(e, engine)),
    documentedBy(e),
  ]);
}
const EDGE_COLUMNS = ['client', 'server', 'port', 'flows', 'forwarded / dropped', 'first seen', 'last seen', 'sources', 'status per side', 'documented by'];

function ruleRows(items: RuleItem[]): Cell[][] {
  return items.map((r) => [
    code(r.id),
    t(r.workloads.map((w) => peer(`workload:${w}`)).join(', ')),
    t(`${r.direction} ${r.peer}`),
    t(r.level),
    t(r.purpose),
    t(r.condition ?? '—'),
    t(citation(r.source)),
  ]);
}
const RULE_COLUMNS = ['rule', 'workloads', 'peer', 'level', 'purpose', 'condition', 'source'];

function edgeSection(r: Report, id: string, title: string, items: EdgeItem[], omitted: number, intro: string): Section {
  return { id, title, level: 3, count: items.length + omitted, blocks: items.length === 0 ? [{ kind: 'para', text: 'None.' }] : [{ kind: 'para', text: intro }, table(EDGE_COLUMNS, edgeRows(items, r.engine), omitted)] };
}

/** A section listing edges and documented rules of one kind (blocked, stale). */
function edgesAndRulesSection(r: Report, id: string, title: string, count: number, items: { edges: EdgeItem[]; rules: RuleItem[] }, omitted: { edges: number; rules: number }, intro: string): Section {
  if (items.edges.length + items.rules.length === 0) return { id, title, level: 3, count, blocks: [{ kind: 'para', text: 'None.' }] };
  // The count adds two kinds of item: say how many of each, as the two tables list them.
  const edges = items.edges.length + omitted.edges;
  const rules = items.rules.length + omitted.rules;
  const blocks: Block[] = [{ kind: 'para', text: `${intro} ${fmt(edges)} edge(s) and ${fmt(rules)} documented rule(s).` }];
  if (items.edges.length > 0) blocks.push(table(EDGE_COLUMNS, edgeRows(items.edges, r.engine), omitted.edges));
  if (items.rules.length > 0) blocks.push(table(RULE_COLUMNS, ruleRows(items.rules), omitted.rules));
  return { id, title, level: 3, count, blocks };
}

const LABELS: Record<keyof Report['headline'], string> = {
  blocked: 'Blocked (documented must, dropped)',
  violations: 'Violations (undocumented traffic of authoritative components)',
  dropped: 'Dropped by the applied policies',
  undocumented: 'Undocumented traffic to review',
  documentedWhenSet: 'Documented when set (set the parameter)',
  documentedUnobserved: 'Documented must rules not observed',
  stale: 'Stale',
  hostNetwork: 'Host-network workloads (no policy possible)',
  findings: 'Unresolved matrix findings',
  drift: 'Drift against applied policies',
};

/** How many items the report left out of the attention list `key`. */
function omitted(r: Report, key: string): number {
  return r.attention.omitted[key] ?? 0;
}

export function reportView(r: Report): ReportView {
  const sections: Section[] = [
    glanceSection(r),
    ...verificationWarningsSection(r),
    ...tightnessSection(r),
    ...attentionSections(r),
    namespacesSection(r),
    systemsSection(r),
    ingestSection(r),
    warningsSection(r),
  ];
  const scope = r.options.namespace !== undefined ? `, namespace ${r.options.namespace}` : '';
  // What the drift was compared against: said only when asked for, so other reports read as before.
  const layers = [r.options.shared ? 'shared layers' : '', r.options.defaultDeny ? 'default-deny layer' : ''].filter((x) => x !== '');
  const withLayers = layers.length > 0 ? `, with the ${layers.join(' and the ')}` : '';
  return {
    title: `flowmatrix report — data as of ${shortTime(r.data.now)}`,
    meta: [
      `Generated ${shortTime(r.generatedAt)} (${r.trigger}) for engine ${r.engine}, mode ${r.options.mode}, egress ${r.options.egress ? 'restricted' : 'open'}, stale after ${r.options.staleDays} days${withLayers}${scope}.`,
      `Flows from ${shortTime(r.data.firstSeen)} to ${shortTime(r.data.lastSeen)}; inventory taken ${shortTime(r.data.inventoryTakenAt)}.`,
    ],
    sections,
  };
}

/** `kubernetes verified, calico FAILS verification (2 admission error(s), 1 required edge(s) blocked)`; `kubernetes verified (3 stored edge row(s) left out, …)` where the read left rows out. */
function verificationText(verification: NonNullable<Report['verification']>): string {
  const engines = Object.entries(verification);
  if (engines.length === 0) return '—';
  return engines
    .map(([engine, v]) => {
      const problems = [
        // Said first: "verified" holds for the edges read only (the Warnings section lists the rows).
        (v.edgeRowsLeftOut ?? 0) > 0 ? `${fmt(v.edgeRowsLeftOut ?? 0)} stored edge row(s) left out, unreadable: their traffic neither allowed nor judged, see Warnings` : '',
        v.admissionErrors > 0 ? `${fmt(v.admissionErrors)} admission error(s)` : '',
        (v.duplicateNames ?? 0) > 0 ? sameNameText(v.duplicateNames ?? 0) : '',
        v.blocked > 0 ? `${fmt(v.blocked)} required edge(s) blocked` : '',
        v.blockedByApplied > 0
          ? `${fmt(v.blockedByApplied)} edge(s) blocked by applied policies beside it${(v.blockedByAppliedOnOneReading ?? 0) > 0 ? `, ${fmt(v.blockedByAppliedOnOneReading ?? 0)} of them only where the network plugin does not match ipBlocks against pod addresses` : ''}`
          : '',
        (v.stillAllowed ?? 0) > 0 ? `${fmt(v.stillAllowed ?? 0)} edge side(s) left out that broader rules of the recommendation still allow` : '',
        (v.stillAllowedByApplied ?? 0) > 0 ? `${fmt(v.stillAllowedByApplied ?? 0)} edge side(s) left out that applied policies beside it still allow` : '',
        warningCount(v) > 0 ? `${fmt(warningCount(v))} warning(s)` : '',
      ].filter((x) => x !== '');
      return `${engine} ${v.ok ? 'verified' : 'FAILS verification'}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
    })
    .join(', ');
}

const warningCount = (v: VerificationSummary): number => (v.warnings?.length ?? 0) + (v.warningsOmitted ?? 0);

/**
 * Every engine's verification and emitter warnings: one row per warning and what it concerns,
 * naming the engines that give it (the Calico objects an import did not read, say, are every
 * engine's). Absent from a report stored before they were reported.
 */
function verificationWarningsSection(r: Report): Section[] {
  const engines = Object.entries(r.verification ?? {});
  if (!engines.some(([, v]) => v.warnings !== undefined)) return [];
  const rows = new Map<string, { w: VerificationWarning; engines: string[] }>();
  for (const [engine, v] of engines) {
    for (const w of v.warnings ?? []) {
      const key = `${w.workload ?? ''}\u0000${w.code ?? ''}\u0000${w.message}`;
      const row = rows.get(key);
      if (row === undefined) rows.set(key, { w, engines: [engine] });
      else row.engines.push(engine);
    }
  }
  const omitted = engines.reduce((n, [, v]) => n + (v.warningsOmitted ?? 0), 0);
  const cells = [...rows.values()].map(({ w, engines: es }) => [w.workload !== undefined ? code(w.workload) : t('—'), t(es.join(', ')), w.code !== undefined ? code(w.code) : t('—'), t(w.message)]);
  const id = 'verification-warnings';
  const title = 'Verification warnings';
  if (cells.length === 0) return [{ id, title, level: 3, count: 0, blocks: [{ kind: 'para', text: 'None: nothing weakens the verification above.' }] }];
  return [
    {
      id,
      title,
      level: 3,
      count: cells.length + omitted,
      blocks: [
        {
          kind: 'para',
          text: 'What makes a "verified" above weaker: what the verification could not judge or left out (applied policies of kinds an engine\'s simulation does not evaluate, Calico objects not imported, must flows with no port to verify on), what the cluster may do otherwise than the simulation (its network plugin, its Cilium configuration), and what the emitter could not render as written. Each once, with the engines that give it; docs/recommend.md "Verification warnings" says what to do for each.',
        },
        table(['concerns', 'engines', 'code', 'warning'], cells, omitted, '`flowmatrix recommend --engine <engine> -o json` lists them all, under engineWarnings and verification.warnings'),
      ],
    },
  ];
}

/** `1.00`, `unbounded`, or `—` where there is no ratio. */
export function tightnessText(t: Pick<TightnessItem, 'ratio' | 'unbounded'>): string {
  if (t.unbounded) return 'unbounded';
  return t.ratio === null ? '—' : t.ratio.toFixed(2);
}

/** The report engine's tightness per workload side, the least tight first. Absent from a report stored before it was reported. */
function tightnessSection(r: Report): Section[] {
  if (r.tightness === undefined) return [];
  const id = 'tightness';
  const title = `Tightness (${r.engine})`;
  const more = r.tightnessOmitted ?? 0;
  if (r.tightness.length === 0) return [{ id, title, level: 3, count: 0, blocks: [{ kind: 'para', text: 'None: the recommendation restricts no workload side.' }] }];
  const rows = r.tightness.map((x) => [code(x.workload), t(x.direction), num(x.observed), num(x.allowed), t(tightnessText(x)), t(x.note ?? '—')]);
  return [
    {
      id,
      title,
      level: 3,
      count: r.tightness.length + more,
      blocks: [
        {
          kind: 'para',
          text: `Per workload side the ${r.engine} recommendation restricts: the (peer, port) pairs its policies allow among the observed pairs and probes (an unobserved pod of the namespace and of another, the apiserver, a node, an outside address, and the peers the manifests name beyond what was observed), divided by the observed pairs. 1.00 allows nothing beyond what was observed; unbounded allows something where nothing was observed. The least tight first.`,
        },
        table(['workload', 'side', 'observed pairs', 'allowed pairs', 'tightness', 'note'], rows, more, '`flowmatrix recommend --engine <engine> -o json` and /api/v1/recommendations have every side, under verification.tightness'),
      ],
    },
  ];
}

/**
 * Which required edges an applied policy beside the recommendation blocks, per engine (the first
 * the report keeps): a count alone gives the reader nothing to act on.
 */
function blockedByAppliedBlocks(verification: NonNullable<Report['verification']>): Block[] {
  const rows: Cell[][] = [];
  let more = 0;
  for (const [engine, v] of Object.entries(verification)) {
    for (const b of v.blockedByAppliedEdges ?? []) {
      const [client = '', server = '', port = '', protocol = ''] = b.edge.split('|');
      rows.push([t(engine), code(b.workload), t(b.direction), code(`${peer(client)} → ${peer(server)} ${port}/${protocol}`), appliedPolicyCell(b), t(b.reason)]);
    }
    more += Math.max(0, v.blockedByApplied - (v.blockedByAppliedEdges?.length ?? 0));
  }
  if (rows.length === 0) return [];
  const noPolicy = Object.values(verification).some((v) => (v.blockedByAppliedEdges ?? []).some((b) => b.deniedBy !== undefined));
  return [
    {
      kind: 'para',
      text: `Required edges that an applied policy beside the recommendation blocks (it stays in force after applying ours: change or delete it, or the traffic stays cut)${noPolicy ? "; where no applied policy denies it (Cilium's enable-policy: always, a node's host endpoint), nothing is to delete: allow it as the column says" : ''}:`,
    },
    table(['engine', 'workload', 'side', 'edge', 'applied policy', 'why'], rows, more, '`flowmatrix recommend --engine <engine> -o json` and /api/v1/recommendations list them all, under verification.blockedByApplied'),
  ];
}

/** The applied policy that decides; else what denies the edge and what to do there; `—` where the verification knows neither. */
function appliedPolicyCell(b: AppliedBlock): Cell {
  if (b.policy !== undefined) return code(b.policy);
  if (b.deniedBy !== undefined) return t(`${b.deniedBy}: ${toAllow(b)}`);
  return t(b.isolatedBy !== undefined ? isolationAdvice(b.isolatedBy) : '—');
}

/**
 * What to do where applied policies isolate the side and none of their rules allows the edge: the
 * allowed connections are the union of what they allow (kubernetes.io Network Policies, "The two
 * sorts of pod isolation": "they are additive"), so a rule in any one of them allows it, and the
 * side is no longer isolated only once all of them are gone.
 */
function isolationAdvice(policies: readonly string[]): string {
  if (policies.length === 1) return `${policies[0]!} isolates it, no rule of it allows it: add a rule allowing it to ${policies[0]!}, or delete it`;
  return `${firstFew(policies)} isolate it, no rule of theirs allows it: add a rule allowing it to one of them, or delete them all`;
}

/**
 * What to allow where no applied policy denies a required edge (AppliedBlock.deniedBy): at the end
 * that denies it — the edge's own side, or its other end (a node's host endpoint, a workload
 * outside the run) — in that end's direction, from or to the other end, on the edge's port. Cilium
 * intro.rst "Policy Enforcement Modes" (under always, what no rule allows is denied) and
 * host-firewall.rst (host policies select the node's host endpoint by a nodeSelector).
 */
function toAllow(b: AppliedBlock): string {
  const [client = '', server = '', port = '', protocol = ''] = b.edge.split('|');
  const direction = b.otherEnd ?? b.direction;
  const at = direction === 'ingress' ? server : client;
  const peerWords = direction === 'ingress' ? `from ${peer(client)}` : `to ${peer(server)}`;
  const where = b.hostNode !== undefined ? 'in a host policy selecting that node' : `by a policy selecting ${peer(at)}`;
  return `allow ${direction} ${peerWords} on ${port}/${protocol} ${where}`;
}

/** Totals, and how many items each attention category has. */
function glanceSection(r: Report): Section {
  return {
    id: 'at-a-glance',
    title: 'At a glance',
    level: 2,
    blocks: [
      {
        kind: 'para',
        text:
          `${r.totals.workloads} workloads (${r.totals.hostNetwork} on the host network), ${r.data.edges} observed edges. ` +
          `Manifests proposed: ${counts(r.totals.manifests)}. Rules by status: ${counts(r.totals.rules)}. Edge sides by status: ${counts(r.totals.edges)}.`,
      },
      ...(r.verification === undefined
        ? []
        : [{ kind: 'para' as const, text: `Each engine's manifests checked as its admission would, then every observed edge simulated under its semantics: ${verificationText(r.verification)}.` }, ...blockedByAppliedBlocks(r.verification)]),
      table(
        ['needs attention', 'count'],
        (Object.keys(LABELS) as (keyof Report['headline'])[]).map((k) => [t(LABELS[k]), num(r.headline[k])]),
      ),
    ],
  };
}

/** The attention categories, in the order to work through them. */
function attentionSections(r: Report): Section[] {
  const a = r.attention;
  return [
    { id: 'attention', title: 'Needs attention', level: 2, blocks: [{ kind: 'para', text: 'In the order to work through them. Every edge appears once, under the most urgent heading that applies.' }] },
    edgesAndRulesSection(r, 'blocked', LABELS.blocked, r.headline.blocked, a.blocked, { edges: omitted(r, 'blocked.edges'), rules: omitted(r, 'blocked.rules') }, 'Traffic a matrix documents as required (must) that the applied policies drop: the component is broken until the policy allows it.'),
    edgeSection(
      r,
      'violations',
      LABELS.violations,
      a.violations,
      omitted(r, 'violations'),
      'The matrix of these components is authoritative for the direction: traffic it does not document is left out of the recommended policy, but left out is not always denied: where a broader rule of the recommendation (or an applied policy beside it) still allows a side, the side says so, on which engine and by which rule. Confirm the traffic is unwanted, or extend the matrix.',
    ),
    edgeSection(r, 'dropped', LABELS.dropped, a.dropped, omitted(r, 'dropped'), 'Flows the applied policies denied (some or all of them), most dropped first. Documented traffic here means an applied policy is too tight; undocumented traffic may be a denial working as intended.'),
    ...seenOnlyInMetricsSection(r),
    edgeSection(r, 'undocumented', LABELS.undocumented, a.undocumented, omitted(r, 'undocumented'), 'Observed traffic no active matrix rule covers: review it, then document it or let the policy deny it.'),
    documentedWhenSetSection(r),
    documentedUnobservedSection(r),
    edgesAndRulesSection(r, 'stale', LABELS.stale, r.headline.stale, a.stale, { edges: omitted(r, 'stale.edges'), rules: omitted(r, 'stale.rules') }, `Not seen for more than ${r.options.staleDays} days before ${shortTime(r.data.now)}.`),
    hostNetworkSection(r),
    findingsSection(r),
    driftSection(r),
  ];
}

/**
 * Pairs a flow metric saw talking with no edge between them (domain/metric-pair.ts). No section
 * when the store holds no pairs at all: no collector reads such metrics, there is nothing to say.
 */
function seenOnlyInMetricsSection(r: Report): Section[] {
  const m = r.attention.seenOnlyInMetrics;
  if (m === undefined) return [];
  const head = { id: 'seen-only-in-metrics', title: 'Traffic seen only in flow metrics', level: 3 as const, count: m.unmatched };
  if (m.unmatched === 0) return [{ ...head, blocks: [{ kind: 'para', text: `None: every pair of peers the flow metrics saw talking (${fmt(m.stored)} stored) has an observed edge between them, or was last seen more than ${r.options.staleDays} days before ${shortTime(r.data.now)}.` }] }];
  return [
    {
      ...head,
      blocks: [
        {
          kind: 'para',
          text:
            'A flow metric without a port, a protocol or a direction (NetObserv\'s netobserv_workload_* metrics) saw these peers exchange traffic, but no flow with a port was observed between them in either direction. ' +
            'No observed rule allows what was never seen with a port: unless a documented rule allows it, the recommended policies block it. Collect flows for these workloads (NetObserv or Hubble flow records), or document the traffic in a matrix.',
        },
        table(
          ['peer A', 'peer B', 'metric', 'lacks', 'last seen', 'flows', 'bytes'],
          m.pairs.map((p) => [code(peer(p.peerA)), code(peer(p.peerB)), code(p.metric), t(p.lacks.join(', ')), t(shortTime(p.lastSeen)), num(p.flows), num(p.bytes)]),
          m.unmatched - m.pairs.length,
        ),
      ],
    },
  ];
}

/** Traffic documented once the config sets a parameter or binds a role: allowed, and what to set where. */
function documentedWhenSetSection(r: Report): Section {
  const a = r.attention.documentedWhenSet;
  const id = 'documented-when-set';
  if (a.edges.length + a.rules.length === 0) return { id, title: LABELS.documentedWhenSet, level: 3, count: r.headline.documentedWhenSet, blocks: [{ kind: 'para', text: 'None.' }] };
  const blocks: Block[] = [
    {
      kind: 'para',
      text: `Observed traffic a matrix documents only once the cluster config sets a parameter or binds a role (seed 003: S3 and OTLP "when configured"). The recommendation allows it: the cluster evidently uses it. Set what the rule needs, where the table says, so the rule itself is in force. ${fmt(a.rules.length + omitted(r, 'documentedWhenSet.rules'))} documented rule(s) and ${fmt(a.edges.length + omitted(r, 'documentedWhenSet.edges'))} edge(s).`,
    },
  ];
  if (a.rules.length > 0) {
    blocks.push(
      table(
        ['rule', 'workloads', 'level', 'purpose', 'set', 'where (cluster config)', 'source'],
        a.rules.map((x) => [code(x.id), t(x.workloads.map((w) => peer(`workload:${w}`)).join(', ')), t(x.level), t(x.purpose), code(x.whenSet?.set ?? '—'), t(x.whenSet?.config.join('; ') ?? '—'), t(citation(x.source))]),
        omitted(r, 'documentedWhenSet.rules'),
      ),
    );
  }
  if (a.edges.length > 0) blocks.push(table(EDGE_COLUMNS, edgeRows(a.edges, r.engine), omitted(r, 'documentedWhenSet.edges')));
  return { id, title: LABELS.documentedWhenSet, level: 3, count: r.headline.documentedWhenSet, blocks };
}

/** What the recommendation does with a documented rule nothing was seen under: mode observed makes rules from edges only. */
function unobservedFate(r: Report): string {
  return r.options.mode === 'observed'
    ? 'mode observed makes rules from observed edges only, so the recommendation does NOT allow them: applying it cuts them where the component needs them.'
    : 'still allowed by the recommendation, at the ends the "allowed at" column says. ' +
        'Both ends where the rule\'s peer names workloads: their side is opened and verified too (where that end\'s own matrix is authoritative and leaves it out, a workload warning says the matrices disagree). ' +
        'This rule\'s end only where the peer names none (every pod, a role bound to every pod, the world, addresses): the recommendation allows what this end accepts or sends, and the peer\'s own egress or ingress is up to its own policies, which the recommendation does not open for it (a client whose policy restricts egress still needs a rule there).';
}

const ALLOWED_AT: Record<RuleEnds, string> = {
  'both-ends': 'both ends',
  'rule-end': "this rule's end only",
  'both-ends-for-named': "both ends for the workloads it names, this rule's end only for the rest",
};

function documentedUnobservedSection(r: Report): Section {
  const a = r.attention;
  return {
    id: 'documented-unobserved',
    title: LABELS.documentedUnobserved,
    level: 3,
    count: r.headline.documentedUnobserved,
    blocks: [
      {
        kind: 'para',
        text:
          (a.documentedUnobserved.length === 0 ? 'None. ' : `Required by a matrix but never seen: ${unobservedFate(r)} Check the component works, or that flows from it are collected. `) +
          `${a.documentedUnobservedMay} optional (may) rules were not observed either.`,
      },
      ...(a.documentedUnobserved.length > 0 ? [unobservedRulesTable(r)] : []),
    ],
  };
}

/** The unobserved must rules; outside mode observed (which allows none of them) with the ends the recommendation allows each at. */
function unobservedRulesTable(r: Report): Block {
  const items = r.attention.documentedUnobserved;
  const more = omitted(r, 'documentedUnobserved');
  // Reports stored before `allowedAt` was said have none: no column then.
  if (r.options.mode === 'observed' || !items.some((x) => x.allowedAt !== undefined)) return table(RULE_COLUMNS, ruleRows(items), more);
  const rows = ruleRows(items).map((row, i) => {
    const at = items[i]!.allowedAt;
    return [...row.slice(0, 3), t(at === undefined ? '—' : ALLOWED_AT[at]), ...row.slice(3)];
  });
  return table([...RULE_COLUMNS.slice(0, 3), 'allowed at', ...RULE_COLUMNS.slice(3)], rows, more);
}

function hostNetworkSection(r: Report): Section {
  const a = r.attention;
  return {
    id: 'host-network',
    title: LABELS.hostNetwork,
    level: 3,
    count: r.headline.hostNetwork,
    blocks:
      a.hostNetwork.length === 0
        ? [{ kind: 'para', text: 'None.' }]
        : [table(['workload', 'components', 'what to do'], a.hostNetwork.map((h) => [code(h.workload), t(h.components.join(', ') || '—'), t(h.summary)]), omitted(r, 'hostNetwork'))],
  };
}

function findingsSection(r: Report): Section {
  const a = r.attention;
  return {
    id: 'findings',
    title: LABELS.findings,
    level: 3,
    count: r.headline.findings,
    blocks:
      a.findings.length === 0
        ? [{ kind: 'para', text: 'None.' }]
        : [
            { kind: 'para', text: 'What the matrices of detected systems could not pin down in this cluster: bind the roles and set the parameters in the config (matrices:), or ignore absent optional components.' },
            table(['matrix', 'kind', 'subject', 'message'], a.findings.map((f) => [t(f.matrix), t(f.kind), code(f.subject), t(f.message)]), omitted(r, 'findings')),
          ],
  };
}

const policyName = (p: PolicyRefItem): string => `${p.namespace ?? '(cluster)'}/${p.name}`;
/** A policy's kind as messages and the 422s name it (manifest-id.ts): a Calico NetworkPolicy is `NetworkPolicy.projectcalico.org`, another object than a Kubernetes one of its namespace and name. */
const policyKind = (p: PolicyRefItem): Cell => t(kindName(p.apiVersion, p.kind));

function cutText(c: DriftCut): string {
  const [client = '', server = '', port = '', protocol = ''] = c.edge.split('|');
  return `${c.direction} of ${c.workload}: ${peer(client)} → ${peer(server)} ${port}/${protocol}`;
}

/** A recommended policy's detail, with what fails in it when its engine fails verification. */
function failingDetail(p: DriftFailureMarks, detail: string): Cell {
  const why = [
    ...(p.cuts !== undefined ? [`CUTS required traffic: ${p.cuts.map(cutText).join('; ')}${p.cutsOmitted !== undefined ? `; and ${fmt(p.cutsOmitted)} more` : ''}`] : []),
    ...(p.refused !== undefined ? [`the engine REFUSES it: ${p.refused.join('; ')}`] : []),
    ...(p.sameName !== undefined ? [`ONE OBJECT with other recommended manifests (the API server accepts each, the one applied last replaces the others): ${p.sameName.join('; ')}`] : []),
  ];
  return t([detail, ...why].join('; '));
}

/** Manifests of one name: no refusal, one object (recommender/verify/duplicate-names.ts). */
const sameNameText = (n: number): string => `${fmt(n)} manifest(s) one object with another (the one applied last replaces the others)`;

/** What a drift of an engine that fails verification says before its list. */
function unverifiedText(r: Report): string {
  const d = r.attention.drift;
  const failing = [...d.missing, ...d.differing];
  const marked = failing.filter(isMarked).length;
  const replacing = (d.sharedWithOtherNamespaces ?? []).flatMap((p) => (p.replacedByRecommended !== undefined && isMarked(p.replacedByRecommended) ? [p.replacedByRecommended] : []));
  const why = [...failing, ...replacing].some((p) => p.sameName !== undefined) ? 'cut required traffic, are refused by the engine or are one object with another recommended manifest' : 'cut required traffic or are refused by the engine';
  const v = r.verification?.[d.engine];
  const what = v === undefined ? [] : [v.admissionErrors > 0 ? `${fmt(v.admissionErrors)} admission error(s)` : '', (v.duplicateNames ?? 0) > 0 ? sameNameText(v.duplicateNames ?? 0) : '', v.blocked > 0 ? `${fmt(v.blocked)} required edge(s) cut` : ''].filter((x) => x !== '');
  const head = `${d.engine} FAILS verification (${[...what, 'At a glance has the verification'].join('; ')}): the missing and differing policies below are what a job applying this drift would apply.`;
  const which =
    marked > 0
      ? `${fmt(marked)} of them ${why}, marked in their detail: do not apply those as they are; fix the matrix, the mode or the options first.`
      : replacing.length > 0
        ? 'None of them is named as the cause.'
        : 'None of those listed is named as the cause (the failing policy may be in sync, or left out of this list): see the verification before applying any.';
  return `${head} ${which}${replacingText(replacing.length, marked > 0)} GET /api/v1/drift refuses this drift unless allowUnverified=true.`;
}

const isMarked = (p: DriftFailureMarks): boolean => p.cuts !== undefined || p.refused !== undefined || p.sameName !== undefined;

/** The failing recommended policies that would replace a shared applied one: listed as shared, not as missing or differing. */
function replacingText(n: number, also: boolean): string {
  if (n === 0) return '';
  const what = n === 1 ? `1 recommended policy that would replace a shared one ${also ? 'also ' : ''}fails` : `${fmt(n)} recommended policies that would replace a shared one ${also ? 'also ' : ''}fail`;
  return ` ${what}, marked in the detail of its shared row.`;
}

/** Recommended against applied policies. */
function driftSection(r: Report): Section {
  const d = r.attention.drift;
  const driftRows: Cell[][] = [
    ...d.differing.map((p) => [t('differing'), policyKind(p), code(policyName(p)), failingDetail(p, differingDetail(p))]),
    ...d.missing.map((p) => [t('missing'), policyKind(p), code(policyName(p)), failingDetail(p, 'recommended, not applied')]),
    ...d.extra.map((p) => [t('extra'), policyKind(p), code(policyName(p)), t('applied, not recommended')]),
    ...(d.sharedWithOtherNamespaces ?? []).map((p) => [t('shared'), policyKind(p), code(policyName(p)), sharedDetail(p)]),
    ...(d.renamed ?? []).map((p) => [t('renamed'), policyKind(p), code(policyName(p)), t(`applied under the name an earlier flowmatrix export gave it; the recommended ${p.renamedTo} replaces it: apply that one, then delete this one`)]),
    ...(d.ownedByOperator ?? []).map((p) => [t('owned'), policyKind(p), code(policyName(p)), t(ownedDetail(p))]),
    ...(d.inOtherTiers ?? []).map((p) => [t('other tier'), policyKind(p), code(policyName(p)), t(`applied in tier ${p.tier}, not written by flowmatrix (it writes the ${tierWritten(p) ?? 'default'} tier only): that tier's owner's, not this drift's to delete`)]),
  ];
  return {
    id: 'drift',
    title: LABELS.drift,
    level: 3,
    count: r.headline.drift,
    blocks: [
      {
        kind: 'para',
        text: driftSentence(d),
      },
      ...(d.verified === false ? [{ kind: 'para' as const, text: unverifiedText(r) }] : []),
      ...(driftRows.length > 0 ? [table(['drift', 'kind', 'policy', 'detail'], driftRows, omitted(r, 'drift.missing') + omitted(r, 'drift.extra') + omitted(r, 'drift.differing') + omitted(r, 'drift.sharedWithOtherNamespaces') + omitted(r, 'drift.renamed') + omitted(r, 'drift.ownedByOperator') + omitted(r, 'drift.inOtherTiers'))] : []),
    ],
  };
}

/** The section's sentence: the drift's counts, each of the optional ones when there are any. */
function driftSentence(d: DriftSection): string {
  const s = d.summary;
  const overwritten = s.differingOwnedByOperator !== undefined ? ` (${s.differingOwnedByOperator} of them overwritten by an operator)` : '';
  const optional = [
    s.ownedByOperator !== undefined ? `${s.ownedByOperator} owned by an operator` : '',
    s.renamed !== undefined ? `${s.renamed} renamed` : '',
    s.inOtherTiers !== undefined ? `${s.inOtherTiers} in other ${d.engine === 'clusternetworkpolicy' ? 'ClusterNetworkPolicy' : 'Calico'} tiers` : '',
    s.replacingShared !== undefined ? `${s.replacingShared} replacing a policy other namespaces share` : '',
  ].filter((x) => x !== '');
  return `Engine ${d.engine}: ${s.recommended} recommended, ${s.applied} applied; ${[`${s.inSync} in sync`, `${s.missing} missing`, `${s.extra} extra`, `${s.differing} differing${overwritten}`, ...optional].join(', ')}.`;
}

/**
 * Who manages a policy another tool manages (its managed-by label, else its controller owner,
 * and the controller beside the label) and where to turn it off: in that tool.
 */
function managerOf(p: PolicyManagerItem): { who: string; where: string } {
  const controller = p.owner === undefined ? undefined : `${p.owner.kind} ${p.owner.name}`;
  const also = p.managedBy !== undefined && controller !== undefined ? `, controlled by ${controller}` : '';
  return { who: `${p.managedBy ?? `${controller!} (its controller)`}${also}`, where: p.managedBy ?? controller! };
}

/** An applied policy another tool manages, not recommended: turn it off in that tool, never by deleting it, which the tool undoes. */
function ownedDetail(p: OwnedPolicyItem): string {
  const { who, where } = managerOf(p);
  return `managed by ${who}: turn it off in ${where}, not by deleting it`;
}

/** The paths a differing policy changes; when another tool manages the applied one, that applying it is overwritten by that tool. */
function differingDetail(p: DriftSection['differing'][number]): string {
  if (p.ownedByOperator === undefined) return p.paths.join(', ');
  const { who, where } = managerOf(p.ownedByOperator);
  return `${p.paths.join(', ')}; managed by ${who}: applying this is overwritten by ${where} — turn it off in ${where} or apply under another name`;
}

/** Why a namespace's drift leaves an applied policy other namespaces share to the whole cluster's drift. */
function sharedDetail(p: NonNullable<DriftSection['sharedWithOtherNamespaces']>[number]): Cell {
  const covers = p.namespaces === undefined ? 'any namespace' : `namespaces ${p.namespaces.join(', ')}`;
  const replacing = p.replacedByRecommended;
  if (replacing === undefined) return t(`applied, its subject also covers ${covers}: not this namespace's to delete, judged by the whole cluster's drift`);
  const which = replacing.name === undefined ? 'of this name' : `named ${replacing.name}`;
  return failingDetail(
    replacing,
    `applied, its subject also covers ${covers}: the recommended policy ${which} (${replacing.paths.join(', ')}) would REPLACE it, cutting the other namespaces' traffic; do not apply it from this namespace's drift: give your policy another name first, or judge it by the whole cluster's drift`,
  );
}

function namespacesSection(r: Report): Section {
  const engines = Object.keys(r.totals.manifests);
  return {
    id: 'namespaces',
    title: 'Namespaces',
    level: 2,
    count: r.namespaces.length,
    blocks: [
      { kind: 'para', text: `Manifests per engine (${engines.join(' / ')}), proposed rules and observed edge sides by status, and the attention items that touch each namespace.` },
      table(
        ['namespace', 'workloads', 'host network', 'components', 'manifests', 'rules', 'edges', 'attention'],
        r.namespaces.map((n) => [
          code(n.namespace),
          num(n.workloads),
          num(n.hostNetwork),
          t(n.components.join(', ') || '—'),
          t(engines.map((e) => n.manifests[e] ?? 0).join(' / ')),
          t(counts(n.rules)),
          t(counts(n.edges)),
          t(counts(Object.fromEntries(Object.entries(n.attention).filter(([, v]) => v > 0)))),
        ]),
      ),
    ],
  };
}

function systemsSection(r: Report): Section {
  return {
    id: 'systems',
    title: 'Systems (communication matrices)',
    level: 2,
    count: r.systems.length,
    blocks: [
      table(
        ['matrix', 'title', 'origin', 'enabled', 'detected', 'components present', 'findings'],
        r.systems.map((s) => [code(s.matrix), t(s.title), t(s.origin), t(s.enabled ? 'yes' : 'no'), t(s.detected ? 'yes' : 'no'), t(`${s.components.present}/${s.components.total}`), num(s.findings)]),
      ),
    ],
  };
}

/** Said only when names were not kept: a matrix rule naming one of them resolves as a DNS name, not as the workload. */
function namesCappedSentence(n: number | undefined): string {
  if (n === undefined || n === 0) return '';
  return ` ${n} DNS names not kept past the cap of names per workload (a stream naming many names for one workload; a matrix rule naming one of them is not that workload).`;
}

function ingestSection(r: Report): Section {
  const ing = r.ingest;
  const ingestBlocks: Block[] = [
    {
      kind: 'para',
      text:
        `${ing.totals.runs} ingest runs (${ing.totals.failed} failed, ${ing.totals.running} running): ${ing.totals.records} records, ${ing.totals.accepted} accepted, ` +
        `${ing.totals.rejected} rejected, ${ing.totals.skipped} skipped, ${ing.totals.ambiguous} ambiguous. ` +
        `${ing.ambiguous.pairs} peer pairs whose client could not be told (${ing.ambiguous.flows} flows) are kept apart and never become rules.` +
        namesCappedSentence(ing.totals.namesCapped),
    },
  ];
  if (ing.rejects.length > 0) ingestBlocks.push(table(['reject reason', 'records'], ing.rejects.map((x) => [code(x.reason), num(x.count)])));
  if (ing.recent.length > 0) {
    ingestBlocks.push(
      table(
        ['run', 'source', 'format', 'status', 'started', 'finished', 'records', 'accepted', 'rejected', 'skipped', 'ambiguous'],
        ing.recent.map((x) => [num(x.id), code(x.source), t(x.format), t(x.attempts === undefined ? x.status : `${x.status} (${x.attempts} attempts)`), t(shortTime(x.startedAt)), t(shortTime(x.finishedAt)), num(x.records), num(x.accepted), num(x.rejected), num(x.skipped), num(x.ambiguous)]),
      ),
    );
  }
  if (ing.ambiguous.top.length > 0) {
    ingestBlocks.push(
      table(
        ['peer A', 'peer B', 'protocol', 'ports (last example)', 'flows', 'first seen', 'last seen'],
        ing.ambiguous.top.map((x) => [code(peer(x.peerA)), code(peer(x.peerB)), t(x.protocol), t(`${x.portA} ↔ ${x.portB}`), num(x.flows), t(shortTime(x.firstSeen)), t(shortTime(x.lastSeen))]),
      ),
    );
  }
  return { id: 'ingest', title: 'Ingest health', level: 2, blocks: ingestBlocks };
}

function warningsSection(r: Report): Section {
  return { id: 'warnings', title: 'Warnings', level: 2, count: r.warnings.length, blocks: r.warnings.length === 0 ? [{ kind: 'para', text: 'None.' }] : [{ kind: 'list', items: r.warnings }] };
}
