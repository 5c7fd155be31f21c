/** Recommendations (list and one workload), the export and drift: engine, mode and options as query parameters. */
import { Type, type Static } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import type { EngineName } from '../../recommender/engines/index.ts';
import { COMPARISON_STATUSES, type ComparisonStatus } from '../../recommender/compare/status.ts';
import { INCLUDE_LIST_PATTERN, parseIncludeList } from '../../app/include-list.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import type { RecommendOptions } from '../../recommender/recommend.ts';
import { recommendOptions, type RecommendationRequest } from '../../app/recommendation.ts';
import { exportFilename } from '../../app/export-filename.ts';
import { requireWorkload, requireWorkloads } from '../../app/selection-check.ts';
import { selectionOf } from '../../app/selection.ts';
import type { ServiceContext } from '../context.ts';
import { badRequest, HttpProblem } from '../http/problem.ts';
import { sendRendered } from '../http/send-rendered.ts';
import { whileClientWaits } from '../http/client-gone.ts';
import { defineRoute, type AnyRoute, type HeaderSpec, type ResponseSpec } from '../http/route.ts';
import { computeLimits } from './compute-limits.ts';
import { canonicalWorkloadPath, Cursor, Engine, FreeObject, Namespace, StringEnum, VerificationProblem, WorkloadFilter, withCanonicalWorkload } from '../schemas/common.ts';
import { decodeCursor } from '../http/cursor.ts';
import { continuesWalk, isPageCursor, PAGE_DEFAULT, PAGE_MAX, queryTag, type WorkloadPage } from '../services/recommendation-pages.ts';
import type { RecommendationService } from '../services/recommendations.ts';
import type { RecommendationQuery } from '../services/recommendation-responses.ts';
import { WorkloadPath } from './inventory.ts';
import { WINDOW_OBSERVED_EDGES } from '../services/evidence-window.ts';

/** The options `flowmatrix recommend`/`export` take as flags, as query parameters. */
const optionProps = {
  engine: Engine,
  mode: StringEnum(MODES, { default: 'union', description: 'where rules come from' }),
  egress: Type.Boolean({ default: true, description: 'restrict egress (false leaves egress open)' }),
  defaultDeny: Type.Boolean({ default: false, description: 'add a namespace default-deny layer' }),
  shared: Type.Boolean({ default: false, description: 'one shared policy per namespace for common rules' }),
  staleDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'an edge not seen for this many days is stale (default: service config, 30)' })),
  include: Type.Optional(Type.String({ pattern: INCLUDE_LIST_PATTERN, description: `comma-separated statuses that become rules: ${COMPARISON_STATUSES.join(', ')}` })),
  includeMay: Type.Boolean({ default: false, description: 'also include documented "may" rules that were not observed' }),
  now: Type.Optional(Type.String({ format: 'date-time', description: 'reference time for staleness; default the latest last-seen in the store' })),
};

const ListQuery = Type.Object(
  {
    ...optionProps,
    namespace: Type.Optional(Namespace),
    workload: Type.Optional(WorkloadFilter),
    limit: Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT, description: 'workloads per page (each with its evidence)' }),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
const WorkloadQuery = Type.Object(optionProps, { additionalProperties: false });
const ExportQuery = Type.Object(
  {
    ...optionProps,
    namespace: Type.Optional(Namespace),
    workload: Type.Optional(WorkloadFilter),
    format: StringEnum(['yaml', 'bundle'] as const, { default: 'yaml', description: 'yaml: one multi-document file; bundle: a tar of one file per policy' }),
    allowUnverified: Type.Boolean({ default: false, description: 'answer the manifests even when they fail verification (header X-Flowmatrix-Verified: false)' }),
  },
  { additionalProperties: false },
);
const DriftQuery = Type.Object(
  {
    ...optionProps,
    namespace: Type.Optional(Namespace),
    allowUnverified: Type.Boolean({ default: false, description: 'answer the drift even when the recommended manifests fail verification (header X-Flowmatrix-Verified: false, `verification.ok: false`)' }),
  },
  { additionalProperties: false },
);

type OptionQuery = Static<typeof WorkloadQuery> & { namespace?: string; workload?: string };

/** The page a list request asks for; a cursor another query issued is a 400, not a page of the wrong list. */
function pageOf(engine: EngineName, options: Partial<RecommendOptions>, limit: number, cursor: string | undefined): WorkloadPage {
  const tag = queryTag(engine, options);
  if (cursor === undefined) return { limit, tag };
  const issued = decodeCursor(cursor, isPageCursor);
  const [after, issuedFor] = issued;
  if (issuedFor !== tag || !continuesWalk(issued, options.now)) {
    throw badRequest('cursor from another query: a cursor continues only the engine and options that issued it (start again without cursor)', [
      { path: 'query.cursor', message: 'was issued for other engine or options', value: cursor },
    ]);
  }
  return { limit, after, tag };
}

/** `include=`, which the schema's pattern already checked. */
function includeStatuses(text: string): ComparisonStatus[] {
  const parsed = parseIncludeList(text);
  if ('problem' in parsed) throw badRequest(`invalid query: query.include ${parsed.problem}`, [{ path: 'query.include', message: parsed.problem, value: text }]);
  return parsed.statuses;
}

/** The query parameters, parsed, as the request the use case takes; `staleDays` defaults to the service config's. */
function toOptions(q: OptionQuery, staleDays: number): Partial<RecommendOptions> {
  const req: RecommendationRequest = { mode: q.mode, egress: q.egress, defaultDeny: q.defaultDeny, shared: q.shared, includeMay: q.includeMay };
  if (q.staleDays !== undefined) req.staleDays = q.staleDays;
  if (q.include !== undefined) req.include = includeStatuses(q.include);
  if (q.now !== undefined) req.now = Date.parse(q.now);
  if (q.namespace !== undefined) req.namespace = q.namespace;
  if (q.workload !== undefined) req.workload = q.workload;
  return recommendOptions(req, staleDays);
}

/** Answers 304 when the client already has this representation. */
function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  const inm = req.get('if-none-match');
  if (inm !== undefined && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`)) {
    res.status(304).end();
    return true;
  }
  return false;
}

/** A namespace or workload filter the store does not know, or nothing to recommend for: 404, never an empty answer (app/selection-check.ts requireWorkloads, as the CLI). */
const unknownSelection = {
  description:
    'a namespace or workload that neither the inventory nor any edge knows, or no workload to recommend for (an empty store; flows without an inventory that carry no pod labels): the detail names what is missing, what exists and how to import it',
};


/** `X-Flowmatrix-Verified`: the answer's `verification.ok` as `true` or `false`, for a job that reads the status and headers only. */
const verified = (description: string): HeaderSpec => ({ description, schema: StringEnum(['true', 'false'] as const) });
const verifiedHeader = { 'X-Flowmatrix-Verified': verified("`true` or `false`: the answer's `verification.ok`") };
/** The manifests-only answers carry no `warnings` list: what a job must not miss comes as Warning headers (recommendation-responses.ts withWarnings). */
const notInForce = {
  Warning:
    '299 - "…" per warning a job reading only the headers must not miss: a stored matrix not in force (GET /api/v1/matrices lists them), stored edge rows the read left out, a must flow the verification cannot judge; absent when there is none',
};
const cacheHeaders = {
  ETag: 'content hash (of the manifests and the Warning headers); send it back as If-None-Match for a 304',
  'Cache-Control': '`no-cache`: revalidate with If-None-Match',
  'Content-Disposition': 'attachment; filename=…',
  'X-Flowmatrix-Verified': verified('`true`, or `false` with allowUnverified=true'),
  ...notInForce,
};
/** What /export and /drift answer for manifests that fail verification. */
const unverified = (answers: string): ResponseSpec => ({
  description: `the manifests fail verification (the engine would refuse them, or they deny included traffic or a flow a documented must rule requires): the problem lists what fails (\`errors\`, and the whole verification as \`verification\`); allowUnverified=true answers ${answers} anyway`,
  content: { 'application/problem+json': VerificationProblem },
  headers: { 'X-Flowmatrix-Verified': verified('`false`'), ...notInForce },
});

/** Answers a query: its problem, or its headers and body chunks (with backpressure); 304 when the client has it. Nothing once the client went away. */
async function answer(service: RecommendationService, query: RecommendationQuery, req: Request, res: Response): Promise<undefined> {
  const r = await whileClientWaits(res, (signal) => service.respond(query, signal));
  if (r === undefined) return undefined;
  for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
  if (r.problem) {
    const { kind, detail, errors, extensions } = r.problem;
    throw new HttpProblem(kind, detail, { ...(errors ? { errors } : {}), ...(extensions ? { extensions } : {}) });
  }
  if (r.etag !== undefined && notModified(req, res, r.etag)) return undefined;
  return sendRendered(res, r);
}

export function recommendationRoutes(ctx: ServiceContext, service: RecommendationService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/recommendations',
      operationId: 'listRecommendations',
      summary: 'Recommendations with evidence for the selected workloads, a page of workloads at a time (items as in `flowmatrix recommend --output json`)',
      description:
        `Workloads in workload-key order (namespace/Kind/name), \`limit\` per page (default ${PAGE_DEFAULT}, at most ${PAGE_MAX}); pass \`next\` as \`cursor\` for the next page, until \`next\` is absent. ` +
        `Pages are cut from a computed result that keeps the evidence of a window of workloads (up to ${WINDOW_OBSERVED_EDGES.toLocaleString('en')} observed edges from the page that computed it): a walk computes once per window while the store does not change; after a change the next page comes from the new result, starting after the last workload served. ` +
        'A cursor continues only the engine and options that issued it, compared as the page prints them (`options`, `now`), not as the query spells them (400 otherwise). The cluster-wide manifests are served by /export.',
      tag: 'recommendations',
      scope: 'read',
      query: ListQuery,
      responses: {
        ...computeLimits,
        200: {
          description:
            'one page: engine, now, options, warnings, namespace layers, engine warnings, the verification as it concerns the page, `items` (the workloads with statuses, evidence and policies) and `next`. ' +
            "The verification's `ok` is the whole result's (200 either way, as `recommend --output json` prints it): its blocked edges of other pages are counted in `verification.blockedElsewhere` ({edges, workloads})",
          content: { 'application/json': Type.Object({ items: Type.Array(FreeObject), next: Type.Optional(Type.String()) }, { additionalProperties: true }) },
          headers: verifiedHeader,
        },
        400: { description: 'a cursor this server did not issue, or issued for other engine or options' },
        404: unknownSelection,
        422: { description: 'options the recommender rejects' },
      },
      handler: ({ query: asked }, req, res) => {
        const query = withCanonicalWorkload(asked);
        requireWorkloads(ctx.db, selectionOf(query));
        const engine = query.engine as EngineName;
        const options = toOptions(query, ctx.config.staleDays);
        return answer(service, { kind: 'list', engine, options, page: pageOf(engine, options, query.limit, query.cursor) }, req, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/recommendations/{namespace}/{kind}/{name}',
      operationId: 'getRecommendation',
      summary: 'One workload: its policies, every rule with its evidence, what was observed and documented',
      tag: 'recommendations',
      scope: 'read',
      params: WorkloadPath,
      query: WorkloadQuery,
      responses: {
        ...computeLimits,
        200: {
          description:
            "the workload's recommendation (its fields as an item of the list, but its own warnings as `workloadWarnings`) beside the recommendation's engine, now, options, `warnings` (recommendation-wide, as the list's), `namespaceLayers`, manifests, engine warnings and verification",
          content: {
            'application/json': Type.Object(
              {
                warnings: Type.Array(Type.String(), { description: 'recommendation-wide warnings, as `recommend --output json` and the list give them for the same selection' }),
                workloadWarnings: Type.Array(Type.String(), { description: "the workload's own warnings (`warnings` of a list item)" }),
              },
              { additionalProperties: true },
            ),
          },
          headers: { Warning: '299 - "…" as on /export and /drift: a stored matrix not in force, stored edge rows the read left out, a must flow the verification cannot judge', ...verifiedHeader },
        },
        404: { description: 'no such workload in the inventory, nor one the flow records let us select (docs/recommend.md#without-an-inventory)' },
      },
      handler: ({ params: path, query }, req, res) => {
        const params = canonicalWorkloadPath(path);
        requireWorkload(ctx.db, params);
        const options = toOptions({ ...query, namespace: params.namespace, workload: `${params.kind}/${params.name}` }, ctx.config.staleDays);
        return answer(service, { kind: 'workload', engine: query.engine as EngineName, options, workload: params }, req, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/export',
      operationId: 'exportManifests',
      summary: 'The recommended manifests only: multi-document YAML (byte-identical to `flowmatrix export`) or a tar bundle of one file per policy',
      description: 'Supports conditional requests: the ETag is a hash of the body; If-None-Match with it answers 304.',
      tag: 'recommendations',
      scope: 'read',
      query: ExportQuery,
      responses: {
        ...computeLimits,
        200: { description: 'manifests', content: { 'application/yaml': undefined, 'application/x-tar': undefined }, headers: cacheHeaders },
        304: { description: 'not modified (If-None-Match matched the ETag): no body, the headers the 200 would carry', headers: cacheHeaders },
        404: unknownSelection,
        422: unverified('them'),
      },
      handler: ({ query: asked }, req, res) => {
        const query = withCanonicalWorkload(asked);
        requireWorkloads(ctx.db, selectionOf(query));
        const filename = exportFilename(ctx.db, query.engine, selectionOf(query));
        const q: RecommendationQuery = { kind: 'export', engine: query.engine as EngineName, options: toOptions(query, ctx.config.staleDays), format: query.format, allowUnverified: query.allowUnverified, filename };
        return answer(service, q, req, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/drift',
      operationId: 'drift',
      summary: 'Applied policies (from the inventory) against the recommendation: missing, extra, differing, in sync',
      description:
        'The `missing` and `differing` policies are the recommended ones a job applies, so the drift is verified as /export is: manifests that fail verification answer 422 with what fails unless allowUnverified=true, and every answer says its verification (`verification` in the body, `X-Flowmatrix-Verified`).',
      tag: 'recommendations',
      scope: 'read',
      query: DriftQuery,
      responses: {
        200: {
          description:
            "the drift report: engine, namespace, summary, inSync, missing, extra, differing, and the verification of the recommendation it compares (`ok: false` only with allowUnverified=true); with `namespace=`, `sharedWithOtherNamespaces` (only when there are any): applied cluster-scoped policies whose subject also covers other namespaces, never extra there (judged by the whole cluster's drift), each with the `namespaces` its subject is limited to, and `replacedByRecommended.changes` when a recommended policy has its name (applying it would replace it: it is not listed as differing; `replacedByRecommended.name` is the recommended policy's when the applied one is listed under another, a Calico `default.<name>`); `renamed` (only when there are any, counted in `summary.renamed`): ClusterNetworkPolicies an earlier export wrote under a former name of a recommended one, `renamedTo` (not extra: apply that one, then delete them); `ownedByOperator` (only when there are any, counted in `summary.ownedByOperator`): applied policies not recommended that another tool manages (`managedBy`: their app.kubernetes.io/managed-by label; `owner`: their controller owner reference), never extra: turn them off in that tool, not by deleting them; a `differing` item carries `ownedByOperator` (`managedBy`, `owner`; counted in `summary.differingOwnedByOperator`) when another tool manages the applied policy of its name: applying it is overwritten by that tool, turn it off there or apply under another name; `inOtherTiers` (only when there are any, counted in `summary.inOtherTiers`): applied Calico policies of a tier other than the default one, the only Calico tier flowmatrix writes, and ClusterNetworkPolicies of the Admin tier (flowmatrix writes the Baseline tier only), each with its `tier`, never extra: that tier's owner's, not the drift's to delete",
          content: { 'application/json': FreeObject },
          headers: { ...verifiedHeader, ...notInForce },
        },
        404: unknownSelection,
        422: unverified('the drift'),
        ...computeLimits,
      },
      handler: ({ query }, req, res) => {
        requireWorkloads(ctx.db, selectionOf(query));
        const q: RecommendationQuery = {
          kind: 'drift',
          engine: query.engine as EngineName,
          options: toOptions(query, ctx.config.staleDays),
          allowUnverified: query.allowUnverified,
          ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
        };
        return answer(service, q, req, res);
      },
    }),
  ];
}
