/** Aggregated edges with keyset pagination in a stable order. */
import { Type } from '@sinclair/typebox';
import { edgePage, type EdgeKey, type EdgePageQuery } from '../../store/edge-pages.ts';
import { EdgeStore, type EdgeDeleteFilter } from '../../store/edges.ts';
import { newSkippedRows } from '../../store/row-check.ts';
import { badRequest } from '../http/problem.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import { pointInTime } from '../../domain/time.ts';
import { requireSelection } from '../../app/selection-check.ts';
import { selectionOf } from '../../app/selection.ts';
import type { ServiceContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { Cursor, FreeObject, Limit, Namespace, WorkloadFilter, withCanonicalWorkload } from '../schemas/common.ts';

const isEdgeKey = (v: unknown): v is [string, string, number, string] =>
  Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && typeof v[1] === 'string' && Number.isInteger(v[2]) && typeof v[3] === 'string';

/** `since=`/`before=` as `edges --since` takes them: a duration back from now (30m, 2h, 7d) or an RFC 3339 time. */
const PointInTime = (what: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^((\\d+[smhd])+|\\d{4}-.+)$', description: `${what}: a duration back from now (30m, 2h, 7d, 1h30m) or an RFC 3339 time` });

function pointParam(name: string, value: string, now: number): number {
  const t = pointInTime(value, now);
  if (t === undefined) throw badRequest(`invalid query: query.${name} is neither a duration (30m, 2h, 7d) nor an RFC 3339 time with its zone`, [{ path: `query.${name}`, message: 'is neither a duration nor an RFC 3339 time', value }]);
  return t;
}

export function edgeRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/edges',
      operationId: 'listEdges',
      summary: 'Aggregated edges (client, server, port, protocol) with counts, first/last seen and sources',
      description:
        'Ordered by client, server, port, protocol. Pages are keyset-based: edges added between requests never shift a page. ' +
        'A namespace or workload that neither the inventory nor any edge knows is 404; one that exists with no edge (or none since `since`) is an empty page.',
      tag: 'flows',
      scope: 'read',
      query: Type.Object(
        {
          namespace: Type.Optional(Namespace),
          workload: Type.Optional(WorkloadFilter),
          since: Type.Optional(PointInTime('only edges last seen at or after then')),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        },
        { additionalProperties: false },
      ),
      responses: {
        200: {
          description: 'one page of edges; `skipped` counts stored rows that could not be read (left out, with their ids: delete them with DELETE /api/v1/edges?id=)',
          content: { 'application/json': Type.Object({ items: Type.Array(FreeObject), next: Type.Optional(Type.String()), skipped: Type.Optional(FreeObject) }) },
        },
        404: { description: 'a namespace or workload that neither the inventory nor any edge knows: the detail names what is missing, what exists and how to import it' },
      },
      handler: ({ query: asked }) => {
        const query = withCanonicalWorkload(asked);
        const q: EdgePageQuery = { limit: query.limit };
        if (query.namespace !== undefined) q.namespace = query.namespace;
        if (query.workload !== undefined) q.workload = query.workload;
        if (query.since !== undefined) q.since = pointParam('since', query.since, ctx.now());
        if (query.cursor !== undefined) {
          const [client, server, port, protocol] = decodeCursor(query.cursor, isEdgeKey);
          q.after = { client, server, port, protocol } satisfies EdgeKey;
        }
        const skipped = newSkippedRows();
        const page = edgePage(ctx.db, q, skipped);
        if (page.edges.length === 0 && skipped.count === 0) requireSelection(ctx.db, selectionOf(query));
        const body: { items: unknown[]; next?: string; skipped?: typeof skipped } = { items: page.edges.map(edgeJson) };
        if (page.next) body.next = encodeCursor([page.next.client, page.next.server, page.next.port, page.next.protocol]);
        if (skipped.count > 0) body.skipped = skipped;
        return body;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/edges',
      operationId: 'deleteEdges',
      summary: 'Delete the edges a filter selects (with their hourly buckets)',
      description:
        'The listing filters (namespace, workload, since) plus `id` (one edge, e.g. an unreadable row a listing reported as skipped) and `before` ' +
        '(last seen before this time). At least one filter is required: to delete everything, say `before` with a future time.',
      tag: 'flows',
      scope: 'write',
      query: Type.Object(
        {
          namespace: Type.Optional(Namespace),
          workload: Type.Optional(WorkloadFilter),
          since: Type.Optional(PointInTime('edges last seen at or after then')),
          before: Type.Optional(PointInTime('edges last seen before then')),
          id: Type.Optional(Type.Integer({ minimum: 1, description: 'one edge by id' })),
        },
        { additionalProperties: false },
      ),
      responses: {
        200: { description: 'how many edges were deleted', content: { 'application/json': Type.Object({ deleted: Type.Integer() }) } },
        404: { description: 'a namespace or workload that neither the inventory nor any edge knows (nothing was deleted): the detail names what is missing and what exists' },
      },
      handler: ({ query: asked }) => {
        const query = withCanonicalWorkload(asked);
        const f: EdgeDeleteFilter = {};
        if (query.namespace !== undefined) f.namespace = query.namespace;
        if (query.workload !== undefined) f.workload = query.workload;
        if (query.since !== undefined) f.lastSeenSince = pointParam('since', query.since, ctx.now());
        if (query.before !== undefined) f.lastSeenBefore = pointParam('before', query.before, ctx.now());
        if (query.id !== undefined) f.id = query.id;
        if (Object.keys(f).length === 0) throw badRequest('say which edges to delete: namespace, workload, since, before or id (to delete everything, before=<a future time>)');
        const deleted = new EdgeStore(ctx.db).deleteEdges(f);
        // A misspelt filter is said, as the listings say it, not answered "0 deleted".
        if (deleted === 0) requireSelection(ctx.db, selectionOf(query));
        return { deleted };
      },
    }),
  ];
}
