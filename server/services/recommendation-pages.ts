/**
 * Pages of the recommendation list: GET /recommendations answers the workloads of one computed
 * result a page at a time, in the result's order (by workload key, `namespace/Kind/name`).
 * A page is cut from the evidence the worker keeps for those options (evidence-window.ts: the
 * workloads from a page on, up to a budget of observed edges), so walking the pages computes the
 * recommendation once per window; each page's bytes are then
 * cached like any answer. Cutting a page per request costs about 1/pages of rendering the whole
 * list (measured: 2,000 workloads, 20 a page, one page ≈ 1/100 of the walk), whereas rendering
 * every page on the first request would cost the whole list up front and hold all its bytes
 * (525 MB at 200k edges: more than the default cache). The cursor is the key of the last workload
 * served (a keyset position, as for /edges) plus a tag of the query it belongs to.
 */
import { createHash } from 'node:crypto';
import type { ListedRecommendation } from '../../app/recommendation.ts';
import type { EngineName } from '../../recommender/engines/index.ts';
import { defaultOptions, type RecommendOptions } from '../../recommender/recommend.ts';
import type { Verification } from '../../recommender/verify/recommendation.ts';
import { compareStrings } from '../../domain/order.ts';
import { recordKey, type WindowPage } from './evidence-window.ts';

/** Workloads per page: each carries its evidence (about 0.2 MB at 100 edges per workload). */
export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 200;

export interface WorkloadPage {
  limit: number;
  /** Key of the last workload of the previous page: this page starts after it. */
  after?: string;
  /** Tag of the query (queryTag), written into the `next` cursor. */
  tag: string;
}

/**
 * A cursor: the last workload key served, the tag of the query that served it, the page's `now`
 * and whether the query gave it (`now=`) or took the latest last-seen.
 */
export type PageCursor = [after: string, tag: string, now: string, nowGiven: boolean];

export const isPageCursor = (v: unknown): v is PageCursor =>
  Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && v[0].length > 0 && typeof v[1] === 'string' && typeof v[2] === 'string' && Number.isFinite(Date.parse(v[2])) && typeof v[3] === 'boolean';

/**
 * Same engine and options, same tag: a cursor answers only the query that issued it. The options
 * as the page prints them (defaultOptions: the default include filled in, sorted, once each), so
 * another spelling of them is the same query; `now` apart (continuesWalk), as the page prints it apart.
 */
export function queryTag(engine: EngineName, options: Partial<RecommendOptions>): string {
  const { now: _now, ...normal } = defaultOptions(options);
  const sorted = Object.fromEntries(Object.entries(normal).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify([engine, sorted])).digest('base64url').slice(0, 12);
}

/**
 * Whether a query's `now` continues the walk of a cursor whose other options it shares: the
 * page's own `now` given again does; without `now` it continues a walk that gave none (the latest
 * last-seen, which may move with the store: docs/api.md), never one that gave a time.
 */
export function continuesWalk(cursor: PageCursor, now: number | undefined): boolean {
  const [, , pageNow, nowGiven] = cursor;
  return now === undefined ? !nowGiven : now === Date.parse(pageNow);
}

export function encodePageCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

/**
 * The verification as it concerns the page: `ok`, admission, skipped and warnings of the whole
 * result; findings and tightness of the page's workloads. `ok: false` with no blocked edge of its
 * own would read as a failure nobody can find: `blockedElsewhere` counts the blocked edges of the
 * other pages and names their workloads (each answered by GET /recommendations/{ns}/{kind}/{name}).
 */
type PageVerification = Verification & { blockedElsewhere?: { edges: number; workloads: string[] } };

function pageVerification(v: Verification, onPage: ReadonlySet<string>): PageVerification {
  const mine = <T extends { workload: string }>(list: readonly T[]): T[] => list.filter((x) => onPage.has(x.workload));
  const page: PageVerification = {
    ...v,
    blocked: mine(v.blocked),
    blockedByApplied: mine(v.blockedByApplied),
    stillAllowed: mine(v.stillAllowed),
    denied: mine(v.denied),
    tightness: mine(v.tightness),
  };
  const elsewhere = v.blocked.filter((b) => !onPage.has(b.workload));
  if (elsewhere.length > 0) page.blockedElsewhere = { edges: elsewhere.length, workloads: [...new Set(elsewhere.map((b) => b.workload))].sort(compareStrings) };
  return page;
}

/**
 * One page's body: the result's engine, time, options, warnings and namespace layers, the page's
 * workloads (`items`, each exactly as in `recommend --output json`'s `workloads`), the
 * verification as it concerns them, and `next` when workloads follow. The cluster-wide
 * manifests and policy set are not repeated on every page: /export serves the manifests.
 */
export function recommendationPage(listed: ListedRecommendation, cut: WindowPage, page: WorkloadPage): Record<string, unknown> {
  const { engine, engineWarnings, verification } = listed;
  const { now, options, warnings, namespaces } = listed.rec;
  const { items, more } = cut;
  const body: Record<string, unknown> = {
    engine,
    now,
    options,
    warnings,
    namespaces,
    engineWarnings,
    verification: pageVerification(verification, new Set(items.map(recordKey))),
    items,
  };
  if (more) body.next = encodePageCursor([recordKey(items.at(-1)!), page.tag, now, options.now !== undefined]);
  return body;
}
