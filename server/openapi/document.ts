/** The OpenAPI 3.1 document, generated from the route declarations and their TypeBox schemas. */
import type { TSchema } from '@sinclair/typebox';
import type { AnyRoute } from '../http/route.ts';
import { Problem } from '../schemas/common.ts';
import { compareStrings } from '../../domain/order.ts';

const plain = (s: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
const isJson = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

function parameters(route: AnyRoute): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (schema: TSchema | undefined, where: 'query' | 'path'): void => {
    if (!schema) return;
    const s = plain(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const { description, ...rest } = prop;
      // A parameter with a default is optional to the client: the server fills it in (validate.ts).
      const required = where === 'path' || ((s.required ?? []).includes(name) && !('default' in rest));
      const p: Record<string, unknown> = { name, in: where, required, schema: rest };
      if (description !== undefined) p.description = description;
      out.push(p);
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  return out;
}

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid request (the `errors` member lists each problem with its place)',
  401: 'Missing or unknown bearer token',
  403: 'The token lacks the required scope',
  413: 'The request body is larger than the configured limit (server.maxBodyBytes)',
  415: 'A Content-Type the operation does not accept, or a body sent to an operation that takes none',
  429: 'Rate limit exceeded (see Retry-After)',
  500: 'Internal error (details are in the server log under the request id)',
};

function operation(route: AnyRoute): Record<string, unknown> {
  const op: Record<string, unknown> = { operationId: route.operationId, summary: route.summary, tags: [route.tag] };
  if (route.description) op.description = route.description;
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body) {
    if ('schema' in route.body) {
      const schema = plain(route.body.schema);
      op.requestBody = {
        required: route.body.required ?? true,
        content: Object.fromEntries((route.body.contentTypes ?? ['application/json']).map((ct) => [ct, { schema }])),
      };
    } else {
      // A raw body is parsed by the route itself: a JSON one is a JSON document the description
      // names (the route refuses the wrong shape with 422); a streamed one (records, one per line)
      // and other media types are text.
      const streamed = route.body.stream === true;
      const rawSchema = (ct: string): Record<string, unknown> => (isJson(ct) && !streamed ? {} : { type: 'string' });
      op.requestBody = { required: true, description: route.body.description, content: Object.fromEntries(route.body.raw.map((ct) => [ct, { schema: rawSchema(ct) }])) };
    }
  }
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const resp: Record<string, unknown> = { description: r.description };
    if (r.content) resp.content = Object.fromEntries(Object.entries(r.content).map(([ct, s]) => [ct, s ? { schema: plain(s) } : {}]));
    if (r.headers) resp.headers = Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, typeof d === 'string' ? { description: d, schema: { type: 'string' } } : { description: d.description, schema: plain(d.schema) }]));
    responses[status] = resp;
  }
  const errors = new Set<number>([500]);
  if (route.query || route.params || route.body) errors.add(400);
  if (route.method !== 'get') errors.add(415);
  if (route.body) errors.add(413);
  if (route.scope) {
    errors.add(401);
    errors.add(403);
    errors.add(429);
  }
  for (const s of errors) if (!responses[s]) responses[s] = { description: STANDARD_ERRORS[s], content: problemContent };
  for (const [s, r] of Object.entries(responses)) {
    if (Number(s) >= 400 && !(r as { content?: unknown }).content) (r as Record<string, unknown>).content = problemContent;
  }
  op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => compareStrings(a, b)));
  if (route.scope) op.security = [{ bearer: [route.scope] }];
  else op.security = [];
  return op;
}

export interface DocumentInfo {
  version: string;
  /** Whether bearer tokens are configured (documented either way). */
  authEnabled: boolean;
}

export function openApiDocument(routes: readonly AnyRoute[], info: DocumentInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.method, b.method))) {
    (paths[r.path] ??= {})[r.method] = operation(r);
  }
  const tags = [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'flowmatrix',
      version: info.version,
      description:
        'Observed Kubernetes flows + documented communication matrices → least-privilege network policies, every rule explained. ' +
        'Errors are RFC 9457 problem details (application/problem+json).' +
        (info.authEnabled ? '' : ' This server runs without tokens (bound to 127.0.0.1 only).'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags,
    paths,
    components: {
      schemas: { Problem: plain(Problem) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Tokens from the service config or env; scopes `read` and `write` (write implies read).' },
      },
    },
  };
}
