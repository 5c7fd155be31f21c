/** Reports: list the stored ones, read one as JSON, Markdown or HTML (by Accept), build one now. */
import { Type } from '@sinclair/typebox';
import { requireWorkloads } from '../../app/selection-check.ts';
import { MODES } from '../../recommender/synthesize/options.ts';
import { storedReport } from '../../reports/stored.ts';
import { MEDIA_TYPES, renderHtml, renderJson, renderMarkdown, REPORT_FORMATS, type ReportFormat } from '../../reports/render/index.ts';
import { reportBuilt, reportServiceFor } from '../services/reports.ts';
import { executorFor } from '../services/compute.ts';
import type { StoredReportMeta } from '../../store/reports.ts';
import type { ServiceContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { HttpProblem, notFound } from '../http/problem.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { computeLimits } from './compute-limits.ts';
import { Cursor, Engine, FreeObject, Limit, Namespace, StringEnum } from '../schemas/common.ts';

const ReportMeta = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  trigger: StringEnum(['manual', 'schedule'] as const),
  engine: Type.String(),
  dataTime: Type.String({ format: 'date-time', description: 'the reference time of the data the report describes' }),
  headline: Type.Record(Type.String(), Type.Integer(), { description: 'count per attention category' }),
  links: Type.Object({ json: Type.String(), markdown: Type.String(), html: Type.String() }),
});

function metaJson(m: StoredReportMeta) {
  const self = `/api/v1/reports/${m.id}`;
  return {
    id: m.id,
    createdAt: new Date(m.createdAt).toISOString(),
    trigger: m.trigger,
    engine: m.engine,
    dataTime: new Date(m.dataTime).toISOString(),
    headline: m.headline,
    links: { json: `${self}?format=json`, markdown: `${self}?format=markdown`, html: `${self}?format=html` },
  };
}

/** Media type → format, in the server's order of preference when the client accepts several equally. */
const OFFERED: [string, ReportFormat][] = [
  ['application/json', 'json'],
  ['text/markdown', 'markdown'],
  ['text/html', 'html'],
];

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

export function reportRoutes(ctx: ServiceContext): AnyRoute[] {
  const service = () => reportServiceFor(ctx);
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/reports',
      operationId: 'listReports',
      summary: 'Stored reports, newest first: when, why (manual, schedule), for which engine, and the count per attention category',
      tag: 'reports',
      scope: 'read',
      query: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
      responses: { 200: { description: 'one page of reports', content: { 'application/json': Type.Object({ items: Type.Array(ReportMeta), next: Type.Optional(Type.String()) }) } } },
      handler: ({ query }) => {
        const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isId);
        const page = service().store.list(query.limit, before);
        const body: { items: unknown[]; next?: string } = { items: page.items.map(metaJson) };
        if (page.next !== undefined) body.next = encodeCursor(page.next);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/reports/{id}',
      operationId: 'getReport',
      summary: 'One report as JSON (the model), Markdown or a self-contained HTML page',
      description: 'The representation follows `Accept` (application/json, text/markdown, text/html); `format=` overrides it (links for browsers).',
      tag: 'reports',
      scope: 'read',
      params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the report id' }) }, { additionalProperties: false }),
      query: Type.Object({ format: Type.Optional(StringEnum(REPORT_FORMATS, { description: 'overrides Accept' })) }, { additionalProperties: false }),
      responses: {
        200: { description: 'the report', content: { 'application/json': FreeObject, 'text/markdown': undefined, 'text/html': undefined } },
        404: { description: 'no such report (never built, or removed by retention)' },
        406: { description: 'Accept names none of application/json, text/markdown, text/html' },
      },
      handler: ({ params, query }, req, res) => {
        let format: ReportFormat;
        if (query.format !== undefined) format = query.format;
        else {
          const type = req.accepts(OFFERED.map(([t]) => t));
          if (type === false) throw new HttpProblem('not-acceptable', `cannot answer ${req.get('accept') ?? ''}: a report is available as ${OFFERED.map(([t]) => t).join(', ')}`);
          format = (OFFERED.find(([t]) => t === type) as [string, ReportFormat])[1];
        }
        const stored = service().store.get(params.id);
        if (!stored) throw notFound(`no report ${params.id}: it was never built or was removed by retention (reports.retention = ${service().settings.retention})`);
        const report = storedReport(stored.model);
        res.setHeader('Vary', 'Accept');
        res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
        if (format === 'json') {
          res.type(`${MEDIA_TYPES.json}; charset=utf-8`).send(renderJson(report, { id: stored.id }));
        } else if (format === 'markdown') {
          res.type(`${MEDIA_TYPES.markdown}; charset=utf-8`).send(renderMarkdown(report));
        } else {
          res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
          res.type(`${MEDIA_TYPES.html}; charset=utf-8`).send(renderHtml(report));
        }
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/reports',
      operationId: 'createReport',
      summary: 'Build a report now and store it (trigger manual); engine and options default to the service config (reports:)',
      tag: 'reports',
      scope: 'write',
      query: Type.Object(
        {
          engine: Type.Optional(Engine),
          mode: Type.Optional(StringEnum(MODES, { description: 'where rules come from' })),
          egress: Type.Optional(Type.Boolean({ description: 'restrict egress (false leaves egress open)' })),
          shared: Type.Optional(Type.Boolean({ description: 'recommend with the shared layers (as export shared=true), so the drift compares what a GitOps loop applies' })),
          defaultDeny: Type.Optional(Type.Boolean({ description: 'recommend with the namespace default-deny layer' })),
          namespace: Type.Optional(Namespace),
          staleDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'an edge not seen for this many days is stale (default: service config, 30), as report --stale-days' })),
          now: Type.Optional(Type.String({ format: 'date-time', description: 'reference time for staleness; default the latest last-seen in the store' })),
        },
        { additionalProperties: false },
      ),
      responses: {
        201: { description: 'the stored report (Location: its URL)', content: { 'application/json': ReportMeta }, headers: { Location: 'URL of the new report' } },
        404: { description: 'a namespace that neither the inventory nor any edge knows: nothing is built; the detail names what exists and how to import it' },
        422: { description: 'the report cannot be built from this store and config' },
        ...computeLimits,
      },
      handler: async ({ query }, _req, res) => {
        // An empty store or a namespace nothing knows is said, as `flowmatrix report` says it: never an all-clear report of nothing.
        requireWorkloads(ctx.db, query.namespace !== undefined ? { namespace: query.namespace } : {});
        let meta;
        try {
          // Built off the event loop (server/services/compute.ts), stored here: this thread is the writer.
          const report = await executorFor(ctx).report({
            generatedAt: ctx.now(),
            trigger: 'manual',
            ...(query.engine !== undefined ? { engine: query.engine } : {}),
            ...(query.mode !== undefined ? { mode: query.mode } : {}),
            ...(query.egress !== undefined ? { egress: query.egress } : {}),
            ...(query.shared !== undefined ? { shared: query.shared } : {}),
            ...(query.defaultDeny !== undefined ? { defaultDeny: query.defaultDeny } : {}),
            ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
            ...(query.staleDays !== undefined ? { staleDays: query.staleDays } : {}),
            ...(query.now !== undefined ? { now: Date.parse(query.now) } : {}),
          });
          meta = service().save(report);
        } catch (e) {
          ctx.metrics.reportRuns.inc({ trigger: 'manual', outcome: 'failed' });
          throw e;
        }
        reportBuilt(ctx, meta);
        res.status(201).setHeader('Location', `/api/v1/reports/${meta.id}`);
        return metaJson(meta);
      },
    }),
  ];
}
