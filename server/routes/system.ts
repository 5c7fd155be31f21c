/** Health, readiness, metrics and the API description. Public: probes and scrapers carry no token. */
import { Type } from '@sinclair/typebox';
import { loadMigrations } from '../../store/migrate.ts';
import { storeHealth } from '../../store/edge-pages.ts';
import type { ServiceContext } from '../context.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { DOCS_HTML } from '../openapi/docs-page.ts';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Object({
    database: Type.Object({ ok: Type.Boolean(), detail: Type.String() }),
    migrations: Type.Object({ ok: Type.Boolean(), applied: Type.Integer(), expected: Type.Integer() }),
    shutdown: Type.Object({ ok: Type.Boolean(), detail: Type.String() }),
    collectors: Type.Array(
      Type.Object({
        name: Type.String(),
        state: Type.String(),
        /** When the collector last succeeded (a pass, a batch, a watch event), RFC 3339. */
        lastSuccess: Type.Optional(Type.String()),
        lastError: Type.Optional(Type.String()),
        counters: Type.Record(Type.String(), Type.Number()),
        gauges: Type.Optional(Type.Record(Type.String(), Type.Number())),
        /** The most recent records the collector rejected (at most 20), oldest first. */
        rejections: Type.Optional(
          Type.Array(
            Type.Object({
              reason: Type.String(),
              field: Type.Optional(Type.String()),
              value: Type.Optional(Type.String()),
              message: Type.Optional(Type.String()),
              record: Type.String(),
            }),
          ),
        ),
      }),
    ),
  }),
});

export function systemRoutes(ctx: ServiceContext, document: () => Record<string, unknown>): AnyRoute[] {
  const expected = loadMigrations().at(-1)?.version ?? 0;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness: the process is up and serving',
      tag: 'operations',
      responses: { 200: { description: 'up', content: { 'application/json': Type.Object({ status: Type.Literal('ok'), version: Type.String() }) } } },
      handler: () => ({ status: 'ok', version: ctx.version }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness: database reachable, migrations applied, collectors running, not shutting down',
      tag: 'operations',
      responses: {
        200: { description: 'ready', content: { 'application/json': Readiness } },
        503: { description: 'not ready (same body, status not-ready)', content: { 'application/json': Readiness } },
      },
      handler: (_i, _req, res) => {
        let database = { ok: true, detail: 'reachable' };
        let applied = 0;
        try {
          applied = storeHealth(ctx.db).version;
        } catch (e) {
          database = { ok: false, detail: (e as Error).message };
        }
        const collectors = ctx.collectors().map(({ lastSuccess, ...rest }) => ({ ...rest, ...(lastSuccess !== undefined ? { lastSuccess: new Date(lastSuccess).toISOString() } : {}) }));
        const checks = {
          database,
          migrations: { ok: database.ok && applied === expected, applied, expected },
          shutdown: { ok: !ctx.draining, detail: ctx.draining ? 'draining: SIGTERM received' : 'serving' },
          collectors,
        };
        const ok = checks.database.ok && checks.migrations.ok && checks.shutdown.ok && collectors.every((c) => c.state !== 'failed');
        res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not-ready', checks });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format)',
      tag: 'operations',
      responses: { 200: { description: 'metrics', content: { 'text/plain': undefined } } },
      handler: async (_i, _req, res) => {
        const text = await ctx.metrics.registry.metrics();
        res.type(ctx.metrics.registry.contentType).send(text);
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This API, described in OpenAPI 3.1',
      tag: 'operations',
      responses: { 200: { description: 'the OpenAPI document', content: { 'application/json': undefined } } },
      handler: () => document(),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'Browsable API reference (self-contained HTML)',
      tag: 'operations',
      responses: { 200: { description: 'HTML page', content: { 'text/html': undefined } } },
      handler: (_i, _req, res) => {
        res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
        res.type('text/html').send(DOCS_HTML);
        return undefined;
      },
    }),
  ];
}
