/** Communication matrices: list, show one resolved against the inventory, apply (PUT) and validate. */
import { Type } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { loadCatalog } from '../../recommender/matrix/catalog.ts';
import { MatrixError, parseMatrix, type MatrixProblem } from '../../recommender/matrix/load.ts';
import { resolveMatrix } from '../../recommender/matrix/resolve.ts';
import { readInventory } from '../../store/inventory.ts';
import { getStoredMatrix, saveMatrix } from '../../store/matrices.ts';
import type { ServiceContext } from '../context.ts';
import { HttpProblem, notFound, type ProblemFieldError } from '../http/problem.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { FreeObject, K8sName, StringEnum } from '../schemas/common.ts';
import { matrixEntries, matrixSummary, resolveAllMatrices } from '../services/matrices.ts';

const MATRIX_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'application/json'];
const NameParam = Type.Object({ name: K8sName }, { additionalProperties: false });

const fieldErrors = (problems: MatrixProblem[]): ProblemFieldError[] =>
  problems.map((p) => ({ path: p.line !== undefined ? `${p.path} (line ${p.line})` : p.path, message: p.message, ...(p.value !== undefined ? { value: p.value } : {}) }));

const Validation = Type.Object({
  valid: Type.Boolean(),
  name: Type.Optional(Type.String()),
  components: Type.Optional(Type.Integer()),
  rules: Type.Optional(Type.Integer()),
  problems: Type.Array(Type.Object({ path: Type.String(), message: Type.String(), value: Type.Optional(Type.Unknown()) })),
});

export function matrixRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/matrices',
      operationId: 'listMatrices',
      summary: 'Built-in and applied matrices, whether their systems are detected, with their parameters',
      tag: 'matrices',
      scope: 'read',
      responses: { 200: { description: 'matrices sorted by name', content: { 'application/json': Type.Object({ items: Type.Array(FreeObject) }) } } },
      handler: () => ({ items: resolveAllMatrices(ctx.db, ctx.config.matrices).map(matrixSummary) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/matrices/{name}',
      operationId: 'getMatrix',
      summary: 'One matrix resolved against the inventory (format=resolved), or its source YAML (format=source)',
      tag: 'matrices',
      scope: 'read',
      params: NameParam,
      query: Type.Object({ format: StringEnum(['resolved', 'source'] as const, { default: 'resolved' }) }, { additionalProperties: false }),
      responses: {
        200: { description: 'the resolved matrix (JSON) or its source (YAML)', content: { 'application/json': FreeObject, 'application/yaml': undefined } },
        404: { description: 'no matrix of that name' },
      },
      handler: ({ params, query }, _req, res) => {
        const entries = matrixEntries(ctx.db, ctx.config.matrices);
        const entry = entries.find((e) => e.matrix.metadata.name === params.name);
        if (!entry) throw notFound(`no matrix named "${params.name}" (known: ${entries.map((e) => e.matrix.metadata.name).join(', ')})`);
        if (query.format === 'source') {
          const stored = getStoredMatrix(ctx.db, params.name);
          const text = stored?.source ?? loadCatalog().find((c) => c.matrix.metadata.name === params.name)?.text ?? stringify(entry.matrix);
          res.type('application/yaml').send(text);
          return undefined;
        }
        return resolveMatrix(entry, readInventory(ctx.db), ctx.config.matrices);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/matrices/{name}',
      operationId: 'putMatrix',
      summary: 'Validate and store a matrix (a matrix named like a built-in one overrides it)',
      tag: 'matrices',
      scope: 'write',
      params: NameParam,
      body: { raw: MATRIX_TYPES, description: 'a CommunicationMatrix document, YAML or JSON' },
      responses: {
        200: { description: 'stored (or unchanged)', content: { 'application/json': FreeObject } },
        201: { description: 'created', content: { 'application/json': FreeObject } },
        422: { description: 'invalid matrix: every problem with its path and line' },
      },
      handler: ({ params }, req, res) => {
        const text = typeof req.body === 'string' ? req.body : '';
        let parsed;
        try {
          parsed = parseMatrix(text, `PUT /api/v1/matrices/${params.name}`);
        } catch (e) {
          if (e instanceof MatrixError) throw new HttpProblem('unprocessable-content', `invalid matrix (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'})`, { errors: fieldErrors(e.problems) });
          throw e;
        }
        const name = parsed.matrix.metadata.name;
        if (name !== params.name) {
          throw new HttpProblem('unprocessable-content', `the document is named "${name}" but was PUT to "${params.name}"`, {
            errors: [{ path: 'metadata.name', message: `must equal the path name "${params.name}"`, value: name }],
          });
        }
        const existed = getStoredMatrix(ctx.db, name) !== undefined;
        const builtIn = loadCatalog().some((c) => c.matrix.metadata.name === name);
        const result = saveMatrix(ctx.db, { name, source: text, origin: `api:${String(res.locals.requestId)}`, appliedAt: ctx.now() });
        res.status(existed ? 200 : 201);
        return { name, status: result.changed ? 'applied' : 'unchanged', overridesBuiltIn: builtIn, digest: result.digest };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/matrices/validate',
      operationId: 'validateMatrix',
      summary: 'Check a matrix without storing it: every problem with its path and line',
      tag: 'matrices',
      scope: 'read',
      body: { raw: MATRIX_TYPES, description: 'a CommunicationMatrix document, YAML or JSON' },
      responses: { 200: { description: 'the verdict (valid or not: a 200 either way)', content: { 'application/json': Validation } } },
      handler: (_i, req) => {
        const text = typeof req.body === 'string' ? req.body : '';
        try {
          const { matrix: m } = parseMatrix(text, 'body');
          const components = Object.values(m.components);
          const rules =
            components.reduce((n, c) => n + (c.ingress?.length ?? 0) + (c.egress?.length ?? 0), 0) +
            (m.shared ?? []).reduce((n, s) => n + (s.ingress?.length ?? 0) + (s.egress?.length ?? 0), 0);
          return { valid: true, name: m.metadata.name, components: components.length, rules, problems: [] };
        } catch (e) {
          if (!(e instanceof MatrixError)) throw e;
          return { valid: false, problems: fieldErrors(e.problems) };
        }
      },
    }),
  ];
}
