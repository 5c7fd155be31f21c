/** Recommendations (list and one workload), the export and drift: engine, mode and options as query parameters. */
import { writeJson } from '../../recommender/json-stream.ts';
import { Type, type Static } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import { toYaml, type EngineName } from '../../recommender/engines/index.ts';
import { COMPARISON_STATUSES, type ComparisonStatus } from '../../recommender/compare/status.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import type { RecommendOptions } from '../../recommender/recommend.ts';
import { recommendationJson, recommendOptions, verificationFailures, type RecommendationRequest } from '../../app/recommendation.ts';
import { getWorkload, readInventory } from '../../store/inventory.ts';
import type { ServiceContext } from '../context.ts';
import { HttpProblem, notFound } from '../http/problem.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { Engine, FreeObject, Namespace, StringEnum } from '../schemas/common.ts';
import { computeDrift } from '../../recommender/drift.ts';
import { RecommendationService } from '../services/recommendations.ts';
import { tarBundle } from '../services/tar.ts';
import { WorkloadPath } from './inventory.ts';

/** The options `flowmatrix recommend`/`export` take as flags, as query parameters. */
const optionProps = {
  engine: Engine,
  mode: StringEnum(MODES, { default: 'union', description: 'where rules come from' }),
  egress: Type.Boolean({ default: true, description: 'restrict egress (false leaves egress open)' }),
  defaultDeny: Type.Boolean({ default: false, description: 'add a namespace default-deny layer' }),
  shared: Type.Boolean({ default: false, description: 'one shared policy per namespace for common rules' }),
  staleDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'an edge not seen for this many days is stale (default: service config, 30)' })),
  include: Type.Optional(Type.String({ pattern: `^(${COMPARISON_STATUSES.join('|')})(,(${COMPARISON_STATUSES.join('|')}))*$`, description: `comma-separated statuses that become rules: ${COMPARISON_STATUSES.join(', ')}` })),
  includeMay: Type.Boolean({ default: false, description: 'also include documented "may" rules that were not observed' }),
  now: Type.Optional(Type.String({ format: 'date-time', description: 'reference time for staleness; default the latest last-seen in the store' })),
};

const ListQuery = Type.Object(
  { ...optionProps, namespace: Type.Optional(Namespace), workload: Type.Optional(Type.String({ minLength: 1, maxLength: 300, pattern: '^([A-Za-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'name or Kind/name' })) },
  { additionalProperties: false },
);
const WorkloadQuery = Type.Object(optionProps, { additionalProperties: false });
const ExportQuery = Type.Object(
  {
    ...optionProps,
    namespace: Type.Optional(Namespace),
    format: StringEnum(['yaml', 'bundle'] as const, { default: 'yaml', description: 'yaml: one multi-document file; bundle: a tar of one file per policy' }),
    allowUnverified: Type.Boolean({ default: false, description: 'answer the manifests even when they fail verification (header X-Flowmatrix-Verified: false)' }),
  },
  { additionalProperties: false },
);

type OptionQuery = Static<typeof WorkloadQuery> & { namespace?: string; workload?: string };

/** The query parameters, parsed, as the request the use case takes; `staleDays` defaults to the service config's. */
function toOptions(q: OptionQuery, staleDays: number): Partial<RecommendOptions> {
  const req: RecommendationRequest = { mode: q.mode, egress: q.egress, defaultDeny: q.defaultDeny, shared: q.shared, includeMay: q.includeMay };
  if (q.staleDays !== undefined) req.staleDays = q.staleDays;
  if (q.include !== undefined) req.include = q.include.split(',') as ComparisonStatus[];
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

const cacheHeaders = { ETag: 'content hash; send it back as If-None-Match for a 304', 'Content-Disposition': 'attachment; filename=…' };

export function recommendationRoutes(ctx: ServiceContext): AnyRoute[] {
  const service = new RecommendationService(ctx.db, () => ctx.config.matrices, ctx.metrics);
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/recommendations',
      operationId: 'listRecommendations',
      summary: 'Recommendations with evidence for the selected workloads (same JSON as `flowmatrix recommend --output json`)',
      tag: 'recommendations',
      scope: 'read',
      query: ListQuery,
      responses: { 200: { description: 'statuses, evidence, policies, manifests and warnings', content: { 'application/json': FreeObject } }, 422: { description: 'options the recommender rejects' } },
      handler: ({ query }, _req, res) => {
        const result = service.run(query.engine as EngineName, toOptions(query, ctx.config.staleDays), 'list');
        // Streamed: a whole cluster's evidence can outgrow the longest string Node can build.
        res.status(200).type('application/json');
        writeJson(recommendationJson(result), (t) => res.write(t), 0);
        res.end();
        return undefined;
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
        200: { description: 'the workload recommendation with its manifests', content: { 'application/json': FreeObject } },
        404: { description: 'no such workload in the inventory' },
      },
      handler: ({ params, query }) => {
        if (!getWorkload(ctx.db, params)) throw notFound(`no workload ${params.namespace}/${params.kind}/${params.name} in the inventory`);
        const { rec, emitted, verification } = service.run(query.engine as EngineName, toOptions({ ...query, namespace: params.namespace, workload: `${params.kind}/${params.name}` }, ctx.config.staleDays), 'workload');
        const workload = rec.workloads[0];
        if (!workload) throw notFound(`workload ${params.namespace}/${params.kind}/${params.name} is no longer present in the inventory`);
        return {
          engine: emitted.engine,
          now: rec.now,
          options: rec.options,
          ...workload,
          namespaceLayers: rec.namespaces,
          manifests: emitted.manifests,
          engineWarnings: emitted.warnings,
          verification,
        };
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
        200: { description: 'manifests', content: { 'application/yaml': undefined, 'application/x-tar': undefined }, headers: cacheHeaders },
        304: { description: 'not modified (If-None-Match matched the ETag)' },
        422: { description: 'the manifests fail verification (the engine would refuse them, or they deny included traffic): the problem lists what fails; allowUnverified=true answers them anyway' },
      },
      handler: async ({ query }, req, res) => {
        const result = service.run(query.engine as EngineName, toOptions(query, ctx.config.staleDays), 'export');
        if (!result.verification.ok && !query.allowUnverified) {
          throw new HttpProblem('unprocessable-content', `the ${query.engine} manifests fail verification: applying them would be refused or cut required traffic`, {
            errors: verificationFailures(result.verification).map((message) => ({ path: 'manifests', message })),
            extensions: { verification: result.verification },
          });
        }
        res.setHeader('X-Flowmatrix-Verified', String(result.verification.ok));
        const base = `flowmatrix-${query.engine}${query.namespace ? `-${query.namespace}` : ''}`;
        if (query.format === 'bundle') {
          const files = result.emitted.manifests.map((m) => ({ path: `${m.metadata.namespace ?? '_cluster'}/${m.kind.toLowerCase()}-${m.metadata.name}.yaml`, content: toYaml(m) }));
          const tar = await tarBundle(files, Math.floor(Date.parse(result.rec.now) / 1000));
          const { etag } = result.yaml();
          if (notModified(req, res, etag.replace(/"$/, '-tar"'))) return undefined;
          res.setHeader('Content-Disposition', `attachment; filename="${base}.tar"`);
          res.type('application/x-tar').send(tar);
          return undefined;
        }
        const { text, etag } = result.yaml();
        if (notModified(req, res, etag)) return undefined;
        res.setHeader('Content-Disposition', `attachment; filename="${base}.yaml"`);
        res.type('application/yaml; charset=utf-8').send(text);
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/drift',
      operationId: 'drift',
      summary: 'Applied policies (from the inventory) against the recommendation: missing, extra, differing, in sync',
      tag: 'recommendations',
      scope: 'read',
      query: Type.Object({ ...optionProps, namespace: Type.Optional(Namespace) }, { additionalProperties: false }),
      responses: { 200: { description: 'the drift report', content: { 'application/json': FreeObject } } },
      handler: ({ query }) => {
        const { emitted } = service.run(query.engine as EngineName, toOptions(query, ctx.config.staleDays), 'drift');
        return computeDrift(query.engine, readInventory(ctx.db).policies, emitted.manifests, query.namespace);
      },
    }),
  ];
}
