/** Aggregated edges with keyset pagination in a stable order. */
import { Type } from '@sinclair/typebox';
import { edgePage, type EdgeKey, type EdgePageQuery } from '../../store/edge-pages.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import type { ServiceContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { Cursor, FreeObject, Limit, Namespace } from '../schemas/common.ts';

const isEdgeKey = (v: unknown): v is [string, string, number, string] =>
  Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && typeof v[1] === 'string' && Number.isInteger(v[2]) && typeof v[3] === 'string';

export function edgeRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/edges',
      operationId: 'listEdges',
      summary: 'Aggregated edges (client, server, port, protocol) with counts, first/last seen and sources',
      description: 'Ordered by client, server, port, protocol. Pages are keyset-based: edges added between requests never shift a page.',
      tag: 'flows',
      scope: 'read',
      query: Type.Object(
        {
          namespace: Type.Optional(Namespace),
          workload: Type.Optional(Type.String({ minLength: 1, maxLength: 300, pattern: '^([A-Za-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'name or Kind/name' })),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'only edges last seen at or after this RFC 3339 time' })),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        },
        { additionalProperties: false },
      ),
      responses: { 200: { description: 'one page of edges', content: { 'application/json': Type.Object({ items: Type.Array(FreeObject), next: Type.Optional(Type.String()) }) } } },
      handler: ({ query }) => {
        const q: EdgePageQuery = { limit: query.limit };
        if (query.namespace !== undefined) q.namespace = query.namespace;
        if (query.workload !== undefined) q.workload = query.workload;
        if (query.since !== undefined) q.since = Date.parse(query.since);
        if (query.cursor !== undefined) {
          const [client, server, port, protocol] = decodeCursor(query.cursor, isEdgeKey);
          q.after = { client, server, port, protocol } satisfies EdgeKey;
        }
        const page = edgePage(ctx.db, q);
        const body: { items: unknown[]; next?: string } = { items: page.edges.map(edgeJson) };
        if (page.next) body.next = encodeCursor([page.next.client, page.next.server, page.next.port, page.next.protocol]);
        return body;
      },
    }),
  ];
}
