/** Workloads from the stored inventory, and inventory import (a kubectl List, JSON or YAML). */
import { Type } from '@sinclair/typebox';
import { MAX_FUTURE_SKEW_MS, storeConvertedInventory, type InventoryImportRequest } from '../../app/inventory.ts';
import { executorFor } from '../services/compute.ts';
import { requireSelection } from '../../app/selection-check.ts';
import { selectionOf } from '../../app/selection.ts';
import { workloadKey } from '../../domain/peer.ts';
import { clusterDnsKeys, getWorkload, listWorkloads, type StoredWorkload } from '../../store/inventory.ts';
import type { ServiceContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { notFound } from '../http/problem.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { MAX_BODY_YAML_TOKENS } from '../http/yaml-limit.ts';
import { canonicalWorkloadPath, Cursor, FreeObject, K8sName, Limit, Namespace, WorkloadKindPath } from '../schemas/common.ts';

/** Binary (SQLite) order of string tuples. */
function compareTuple(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A stored workload as the API shows it; `clusterDns` as today's rule says (`clusterDnsKeys`), not as an older import stored it. */
export function workloadJson(w: StoredWorkload, dnsKeys: ReadonlySet<string>) {
  const key = workloadKey(w);
  const { clusterDns: _, present, firstSeen, lastSeen, ...rest } = w;
  return { key, ...rest, ...(dnsKeys.has(key) ? { clusterDns: true } : {}), present, firstSeen: new Date(firstSeen).toISOString(), lastSeen: new Date(lastSeen).toISOString() };
}

const WorkloadList = Type.Object({ items: Type.Array(FreeObject), next: Type.Optional(Type.String()) });

export const WorkloadPath = Type.Object({ namespace: Namespace, kind: WorkloadKindPath, name: K8sName }, { additionalProperties: false });

const RFC3339 = Type.String({ format: 'date-time', description: 'RFC 3339 time, e.g. 2026-11-20T00:00:00Z' });

export function inventoryRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/workloads',
      operationId: 'listWorkloads',
      summary: 'Workloads of the stored inventory, ordered by namespace, kind, name',
      description: 'A namespace or name that neither the inventory nor any edge knows is 404; one that exists without a matching workload is an empty page.',
      tag: 'inventory',
      scope: 'read',
      query: Type.Object(
        {
          namespace: Type.Optional(Namespace),
          name: Type.Optional(K8sName),
          includeAbsent: Type.Boolean({ default: false, description: 'include workloads no longer in the latest snapshot' }),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        },
        { additionalProperties: false },
      ),
      responses: {
        200: { description: 'one page of workloads; `next` is the cursor of the following page', content: { 'application/json': WorkloadList } },
        404: { description: 'a namespace or workload that neither the inventory nor any edge knows: the detail names what is missing, what exists and how to import it' },
      },
      handler: ({ query }) => {
        const filter: { namespace?: string; name?: string; includeAbsent: boolean } = { includeAbsent: query.includeAbsent };
        if (query.namespace !== undefined) filter.namespace = query.namespace;
        if (query.name !== undefined) filter.name = query.name;
        const all = listWorkloads(ctx.db, filter);
        if (all.length === 0) requireSelection(ctx.db, selectionOf({ namespace: query.namespace, workload: query.name }));
        let start = 0;
        if (query.cursor !== undefined) {
          const after = decodeCursor(query.cursor, (v): v is [string, string, string] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string'));
          // The store sorts by (namespace, kind, name): resume after the last tuple served, even if it disappeared since.
          start = all.findIndex((w) => compareTuple([w.namespace, w.kind, w.name], after) > 0);
          if (start < 0) start = all.length;
        }
        const page = all.slice(start, start + query.limit);
        const dnsKeys = clusterDnsKeys(ctx.db);
        const body: { items: unknown[]; next?: string } = { items: page.map((w) => workloadJson(w, dnsKeys)) };
        const last = page.at(-1);
        if (start + query.limit < all.length && last) body.next = encodeCursor([last.namespace, last.kind, last.name]);
        return body;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/workloads/{namespace}/{kind}/{name}',
      operationId: 'getWorkload',
      summary: 'One workload: labels, selector, ports, Services, exposure',
      tag: 'inventory',
      scope: 'read',
      params: WorkloadPath,
      responses: { 200: { description: 'the workload', content: { 'application/json': FreeObject } }, 404: { description: 'no such workload' } },
      handler: ({ params: path }) => {
        const params = canonicalWorkloadPath(path);
        const w = getWorkload(ctx.db, params);
        if (!w) throw notFound(`no workload ${params.namespace}/${params.kind}/${params.name} in the inventory`);
        return workloadJson(w, clusterDnsKeys(ctx.db));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/inventory',
      operationId: 'importInventory',
      summary: 'Import a `kubectl get … -o json|yaml` List (or a YAML stream of objects)',
      description: `Same conversion and summary as \`flowmatrix inventory import\`. Snapshots must arrive in time order (takenAt), which may be at most ${MAX_FUTURE_SKEW_MS / 60_000} minutes past the server clock.`,
      tag: 'inventory',
      scope: 'write',
      query: Type.Object({ takenAt: Type.Optional(RFC3339) }, { additionalProperties: false }),
      body: { raw: ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml'], description: 'a Kubernetes List or YAML object stream' },
      responses: {
        200: { description: 'import summary', content: { 'application/json': FreeObject } },
        413: { description: `body larger than server.maxBodyBytes, or YAML of more than server.maxYamlTokens (default ${MAX_BODY_YAML_TOKENS}) tokens (send JSON)` },
        422: { description: 'not an inventory, or older than the stored snapshot; nothing was imported' },
      },
      handler: async ({ query }, req, res) => {
        const request: InventoryImportRequest = {
          text: typeof req.body === 'string' ? req.body : '',
          takenAt: query.takenAt !== undefined ? Date.parse(query.takenAt) : ctx.now(),
          now: ctx.now(),
          source: `api:${String(res.locals.requestId)}`,
          maxYamlTokens: ctx.config.maxYamlTokens,
        };
        // Parsing and converting a large List is seconds of CPU: on a worker, so /healthz answers meanwhile; the write stays here, the one writer.
        const converted = await executorFor(ctx).convertInventory(request);
        return storeConvertedInventory(ctx.db, request, converted);
      },
    }),
  ];
}
