/**
 * The bytes of every recommendation answer the API gives (list, one workload, export, drift),
 * rendered from one computed recommendation (the list's from a ListedRecommendation, the others'
 * from a RecommendationResult). Pure and synchronous, so the same code runs in the
 * worker threads that keep whole-cluster requests off the event loop (recommendation-worker.ts)
 * and in-process for in-memory databases. Bodies are chunks, never one string: a whole
 * cluster's evidence or YAML can outgrow the longest string V8 builds.
 */
import { createHash } from 'node:crypto';
import { matrixWarnings, verificationFailures, type ListedRecommendation, type RecommendationResult, type StoredRecommendInput } from '../../app/recommendation.ts';
import type { SimulateResult } from '../../app/simulate.ts';
import { computeDrift } from '../../recommender/drift.ts';
import { toYaml, type EngineName } from '../../recommender/engines/index.ts';
import { writeMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { writeJson } from '../../recommender/json-stream.ts';
import type { RecommendOptions } from '../../recommender/recommend.ts';
import type { Verification } from '../../recommender/verify/recommendation.ts';
import { warningHeaders } from '../http/warning-header.ts';
import type { WindowPage } from './evidence-window.ts';
import { recommendationPage, type WorkloadPage } from './recommendation-pages.ts';
import { tarBundle } from './tar.ts';
import { ExportFiles, manifestPath } from '../../app/export-files.ts';
import type { SkippedRows } from '../../store/row-check.ts';

export type ListQuery = { kind: 'list'; engine: EngineName; options: Partial<RecommendOptions>; page: WorkloadPage };

export type RecommendationQuery =
  | ListQuery
  | { kind: 'workload'; engine: EngineName; options: Partial<RecommendOptions>; workload: { namespace: string; kind: string; name: string } }
  | { kind: 'export'; engine: EngineName; options: Partial<RecommendOptions>; format: 'yaml' | 'bundle'; allowUnverified: boolean; filename: string }
  | { kind: 'drift'; engine: EngineName; options: Partial<RecommendOptions>; allowUnverified: boolean; namespace?: string };

/** A problem the route answers instead of a body (rebuilt as HttpProblem on the main thread). */
export interface ProblemSpec {
  kind: 'not-found' | 'unprocessable-content';
  detail: string;
  errors?: { path: string; message: string }[];
  extensions?: Record<string, unknown>;
}

export interface RenderedResponse {
  contentType: string;
  /** An array: the header sent once per value (`Warning`). */
  headers: Record<string, string | string[]>;
  body: Uint8Array[];
  bytes: number;
  /** Strong validator of the body, for If-None-Match (export only). */
  etag?: string;
  problem?: ProblemSpec;
}

const CHUNK = 1 << 16;

/** Collects text pieces into ~64 KiB UTF-8 chunks. */
class ChunkWriter {
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  private pending = '';
  constructor(private readonly hash?: ReturnType<typeof createHash>) {}
  write = (text: string): void => {
    this.pending += text;
    if (this.pending.length >= CHUNK) this.flush();
  };
  flush(): void {
    if (!this.pending) return;
    const b = Buffer.from(this.pending, 'utf8');
    this.hash?.update(b);
    this.chunks.push(b);
    this.bytes += b.length;
    this.pending = '';
  }
}

/** A JSON answer in ~64 KiB chunks: the bytes of `JSON.stringify(value)`. */
export function jsonResponse(value: unknown): RenderedResponse {
  const w = new ChunkWriter();
  writeJson(value, w.write, 0);
  w.flush();
  return { contentType: 'application/json; charset=utf-8', headers: {}, body: w.chunks, bytes: w.bytes };
}

/** `simulate`'s answer: the decisions as a JSON array in ~64 KiB chunks (no single string, whatever their number), and the warnings for the `Warning` headers. */
export interface SimulationResponse {
  warnings: string[];
  response: RenderedResponse;
}

export function simulationResponse(result: SimulateResult): SimulationResponse {
  return { warnings: result.warnings, response: jsonResponse(result.decisions) };
}

/**
 * A problem answer: its body is made from `spec` when it is sent, but the spec is what the answer
 * cache keeps (a 422's whole verification), so its bytes are the spec's serialised size, counted
 * without building it as one string.
 */
function problem(spec: ProblemSpec): RenderedResponse {
  let bytes = 0;
  writeJson(spec, (text) => (bytes += Buffer.byteLength(text)), 0);
  return { contentType: 'application/problem+json', headers: {}, body: [], bytes, problem: spec };
}

const etagOf = (hash: ReturnType<typeof createHash>): string => `"${hash.digest('base64url').slice(0, 32)}"`;

/** `X-Flowmatrix-Verified`: whether the answer's verification passed, for a job that reads the status and headers only. */
function markedVerified(r: RenderedResponse, verification: Pick<Verification, 'ok'>): RenderedResponse {
  r.headers['X-Flowmatrix-Verified'] = String(verification.ok);
  return r;
}

/** A page of the list, cut from the evidence the result keeps (evidence-window.ts); the header says the whole result's verdict, as the page's `verification.ok` does. */
export function pageResponse(listed: ListedRecommendation, cut: WindowPage, q: ListQuery): RenderedResponse {
  return markedVerified(jsonResponse(recommendationPage(listed, cut, q.page)), listed.verification);
}

/**
 * Manifests that fail verification, refused (422) where the answer would have a job apply them:
 * the export, and the drift, whose `missing` and `differing` are the recommended policies.
 */
function unverifiedRefusal(engine: EngineName, verification: Verification, answers: string): RenderedResponse {
  const refused = problem({
    kind: 'unprocessable-content',
    detail: `the ${engine} manifests fail verification: applying them would ${whatFails(verification)}; allowUnverified=true answers ${answers} anyway`,
    errors: verificationFailures(verification).map((message) => ({ path: 'manifests', message })),
    extensions: { verification },
  });
  return markedVerified(refused, verification);
}

/** What applying manifests that fail verification would do: a refusal, manifests of one name (accepted: the one applied last replaces the others, verify/duplicate-names.ts), a cut. */
function whatFails(v: Pick<Verification, 'admission' | 'blocked'>): string {
  const what = [
    ...(v.admission.some((e) => !e.duplicateName) ? ['be refused'] : []),
    ...(v.admission.some((e) => e.duplicateName) ? ['apply manifests of one name, the last replacing the others'] : []),
    ...(v.blocked.length > 0 ? ['cut required traffic'] : []),
  ];
  return what.length === 0 ? 'be refused or cut required traffic' : what.join(', ');
}

/**
 * The answer of any other query, from the result computed for its options and the input it was
 * computed from. The manifests-only answers (export, drift) carry no `warnings` list: what a job
 * reading only their response must not miss — a stored matrix not in force, the team's own rules
 * silently replaced, a must flow the verification cannot judge, stored edge rows left out — goes in `Warning` headers; one workload's answer sends them too, beside its list.
 */
export async function renderResponse(
  result: RecommendationResult,
  q: Exclude<RecommendationQuery, ListQuery>,
  input: Pick<StoredRecommendInput, 'inventory' | 'invalidMatrices' | 'configWarnings' | 'skippedRows'>,
): Promise<RenderedResponse> {
  // A must flow the verification cannot judge (recommender/synthesize/representative-flows.ts): "verified" does not cover it.
  const warnings = [...matrixWarnings(input), ...unreadRowsWarning(input.skippedRows), ...result.verification.unverifiedMustFlows];
  switch (q.kind) {
    case 'workload': {
      const { rec, emitted, verification } = result;
      const workload = rec.workloads[0];
      const { namespace, kind, name } = q.workload;
      if (!workload) return problem({ kind: 'not-found', detail: `workload ${namespace}/${kind}/${name} is no longer present in the inventory` });
      // The workload's fields sit beside the recommendation's: `warnings` is the recommendation's, as in
      // `recommend -o json` and the list pages; the workload's own go under `workloadWarnings`.
      const { warnings: workloadWarnings, ...fields } = workload;
      const body = { engine: emitted.engine, now: rec.now, options: rec.options, warnings: rec.warnings, ...fields, workloadWarnings, namespaceLayers: rec.namespaces, manifests: emitted.manifests, engineWarnings: emitted.warnings, verification };
      return withWarnings(markedVerified(jsonResponse(body), verification), warnings);
    }
    case 'drift': {
      // A job applies what the drift lists as missing or differing: refused as the export is.
      const verification = withoutTightness(result.verification);
      if (!verification.ok && !q.allowUnverified) return withWarnings(unverifiedRefusal(q.engine, verification, 'the drift'), warnings);
      const drift = computeDrift(q.engine, input.inventory.policies, result.emitted.manifests, q.namespace);
      return withWarnings(markedVerified(jsonResponse({ ...drift, verification }), verification), warnings);
    }
    case 'export':
      return exportResponse(result, q, warnings);
  }
}

/**
 * Edge rows the read left out (store/row-check.ts): the manifests allow none of their traffic and
 * the verification never judged it, so "verified" does not cover them. Counted, not listed: the
 * reads keep a few examples each, and the header must not depend on which result answers
 * (GET /edges lists them all with their ids).
 */
function unreadRowsWarning(skipped: SkippedRows | undefined): string[] {
  if (skipped === undefined || skipped.count === 0) return [];
  return [
    `${skipped.count} stored edge row(s) could not be read and were left out of this recommendation: its manifests allow none of the traffic they recorded and its verification did not judge it; ` +
      'GET /api/v1/edges lists them under `skipped`, DELETE /api/v1/edges?id=ID removes them',
  ];
}

/**
 * The verification as the manifests-only answers (export, drift) give it: without the tightness
 * figures, which only the JSON of the recommendations shows. Their result may be one computed with
 * them (one workload's, of the same options, kept by the worker): rendered so, the answer is the
 * same whichever result answered it.
 */
function withoutTightness(v: Verification): Verification {
  return v.tightness.length === 0 ? v : { ...v, tightness: [] };
}

function withWarnings(r: RenderedResponse, warnings: readonly string[]): RenderedResponse {
  if (warnings.length > 0) r.headers.Warning = warningHeaders(warnings, 'GET /api/v1/matrices lists every stored matrix not in force, with its warning, and the verification of GET /api/v1/recommendations every must flow it cannot judge');
  return r;
}

/**
 * The ETag covers the warnings and the verification's outcome too: the same manifests under
 * another warning, or no longer verified (allowUnverified=true), are another answer, and a 304
 * would hide that from a job that holds the old ETag.
 */
async function exportResponse(result: RecommendationResult, q: Extract<RecommendationQuery, { kind: 'export' }>, warnings: readonly string[]): Promise<RenderedResponse> {
  const { emitted } = result;
  const verification = withoutTightness(result.verification);
  // A job reading only this answer learns here too what is not in force.
  if (!verification.ok && !q.allowUnverified) return withWarnings(unverifiedRefusal(q.engine, verification, 'them'), warnings);
  const headers: Record<string, string | string[]> = { 'X-Flowmatrix-Verified': String(verification.ok) };
  const warned = (hash: ReturnType<typeof createHash>): ReturnType<typeof createHash> => {
    for (const w of warnings) hash.update(`\0${w}`);
    if (!verification.ok) hash.update('\0unverified');
    return hash;
  };
  if (q.format === 'bundle') {
    // Two manifests of one kind, namespace and name (allowUnverified=true) have one entry path: unpacked, the second would replace the first.
    const paths = new ExportFiles();
    for (const m of emitted.manifests) {
      const twice = paths.add(m);
      if (twice !== undefined) return withWarnings(markedVerified(problem({ kind: 'unprocessable-content', detail: `the ${q.engine} bundle cannot hold these manifests: ${twice}; format=yaml answers both`, errors: [{ path: 'manifests', message: twice }] }), verification), warnings);
    }
    const files = emitted.manifests.map((m) => ({ path: manifestPath(m), content: toYaml(m) }));
    const tar = await tarBundle(files, Math.floor(Date.parse(result.rec.now) / 1000));
    const etag = etagOf(warned(createHash('sha256').update(tar))).replace(/"$/, '-tar"');
    headers['Content-Disposition'] = `attachment; filename="${q.filename}.tar"`;
    return withWarnings({ contentType: 'application/x-tar', headers, body: [tar], bytes: tar.length, etag }, warnings);
  }
  // Document by document: the same bytes as toMultiDocYaml, never one string.
  const hash = createHash('sha256');
  const w = new ChunkWriter(hash);
  writeMultiDocYaml(emitted.manifests, w.write);
  w.flush();
  headers['Content-Disposition'] = `attachment; filename="${q.filename}.yaml"`;
  return withWarnings({ contentType: 'application/yaml; charset=utf-8', headers, body: w.chunks, bytes: w.bytes, etag: etagOf(warned(hash)) }, warnings);
}
