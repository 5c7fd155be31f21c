/** Observed pairs from flow metrics (no port, protocol or direction), with keyset pagination like /edges. */
import { Type } from '@sinclair/typebox';
import { listMetricPairs, type MetricPairListRequest } from '../../app/metric-pairs.ts';
import type { ServiceContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { Cursor, FreeObject, Limit, Namespace } from '../schemas/common.ts';

const isPairKey = (v: unknown): v is [string, string, string, string] => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'string');

const MetricPairItem = Type.Object({
  peerA: Type.String({ description: 'peer key; peerA <= peerB (the pair is unordered)' }),
  peerB: Type.String(),
  source: Type.String({ description: 'the flow source that read the metric (prometheus)' }),
  metric: Type.String({ description: 'the metric the series came from, e.g. netobserv_workload_flows_total' }),
  lacks: Type.Array(Type.String(), { description: 'what the metric does not say: direction, port, protocol' }),
  firstSeen: Type.String({ format: 'date-time' }),
  lastSeen: Type.String({ format: 'date-time' }),
  flows: Type.Integer(),
  packets: Type.Integer(),
  bytes: Type.Integer(),
  matched: Type.Boolean({ description: 'an edge joins the two peers, in either direction, on any port' }),
});

export function metricPairRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/metric-pairs',
      operationId: 'listMetricPairs',
      summary: 'Peer pairs flow metrics saw talking, without a port, protocol or direction (NetObserv netobserv_workload_*)',
      description:
        'Never edges: each pair is evidence that two peers exchange traffic. `unmatched=true` lists only the pairs no edge joins (either direction, any port): ' +
        'traffic the recommended policies would block, which the recommendations warn about. Ordered by peerA, peerB, source, metric; pages are keyset-based. ' +
        'A namespace that neither the inventory nor any edge knows is 404; one that exists with no pair is an empty page.',
      tag: 'flows',
      scope: 'read',
      query: Type.Object(
        {
          namespace: Type.Optional(Namespace),
          unmatched: Type.Boolean({ default: false, description: 'only pairs with no edge between the two peers' }),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        },
        { additionalProperties: false },
      ),
      responses: {
        200: {
          description: 'one page of pairs; `skipped` counts stored rows that could not be read (left out)',
          content: { 'application/json': Type.Object({ items: Type.Array(MetricPairItem), next: Type.Optional(Type.String()), skipped: Type.Optional(FreeObject) }) },
        },
        404: { description: 'a namespace that neither the inventory nor any edge knows: the detail names what exists and how to import it' },
      },
      handler: ({ query }) => {
        const req: MetricPairListRequest = { limit: query.limit, unmatched: query.unmatched };
        if (query.namespace !== undefined) req.namespace = query.namespace;
        if (query.cursor !== undefined) {
          const [peerA, peerB, source, metric] = decodeCursor(query.cursor, isPairKey);
          req.after = { peerA, peerB, source, metric };
        }
        const page = listMetricPairs(ctx.db, req);
        const body: { items: unknown[]; next?: string; skipped?: unknown } = { items: page.items };
        if (page.next) body.next = encodeCursor([page.next.peerA, page.next.peerB, page.next.source, page.next.metric]);
        if (page.skipped) body.skipped = page.skipped;
        return body;
      },
    }),
  ];
}
