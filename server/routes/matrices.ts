/** Communication matrices: list, show one resolved against the inventory, apply (PUT) and validate. */
import { Type } from '@sinclair/typebox';
import { matrixSource } from '../../app/matrices.ts';
import { applyMatrixOffLoop } from '../services/matrix-apply.ts';
import type { ServiceContext } from '../context.ts';
import { holdPlace } from '../http/compute-admission.ts';
import { executorFor } from '../services/compute.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { MAX_BODY_YAML_TOKENS } from '../http/yaml-limit.ts';
import { FreeObject, K8sName, StringEnum } from '../schemas/common.ts';
import { sendRendered } from '../http/send-rendered.ts';
import { whileClientWaits } from '../http/client-gone.ts';
import type { RecommendationService } from '../services/recommendations.ts';

const MATRIX_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'application/json'];
const NameParam = Type.Object({ name: K8sName }, { additionalProperties: false });

const Validation = Type.Object({
  valid: Type.Boolean(),
  name: Type.Optional(Type.String()),
  components: Type.Optional(Type.Integer()),
  rules: Type.Optional(Type.Integer()),
  detail: Type.Optional(Type.String({ description: 'Why a matrix valid in itself is not: the service config cannot take it (as PUT would refuse it).' })),
  problems: Type.Array(
    Type.Object({
      path: Type.String(),
      message: Type.String(),
      value: Type.Optional(Type.Unknown()),
      from: StringEnum(['matrix', 'service-config'], { description: 'matrix: a problem of the document (path in it); service-config: of the service config with the matrix stored (path in the config)' }),
    }),
  ),
});

/** The resolved views are computed on a recommendation worker and cached per store version (services/matrix-views.ts). */
export function matrixRoutes(ctx: ServiceContext, views: RecommendationService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/matrices',
      operationId: 'listMatrices',
      summary: 'Built-in and applied matrices, whether their systems are detected, with their parameters; a stored matrix that no longer validates with its problems (not in force)',
      tag: 'matrices',
      scope: 'read',
      responses: { 200: { description: 'matrices sorted by name: `inForce: false` for a stored one that no longer validates, with `problems` and `warning`', content: { 'application/json': Type.Object({ items: Type.Array(FreeObject) }) } } },
      handler: async (_i, _req, res) => {
        const r = await whileClientWaits(res, (signal) => views.matrices({ kind: 'matrices' }, signal));
        return r && sendRendered(res, r);
      },
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
        404: { description: 'no matrix of that name; resolved: also a stored one that no longer validates (not in force: the message says so; its source is still answered)' },
      },
      handler: async ({ params, query }, _req, res) => {
        if (query.format === 'source') {
          res.type('application/yaml').send(matrixSource(ctx.db, params.name));
          return undefined;
        }
        const r = await whileClientWaits(res, (signal) => views.matrices({ kind: 'matrix', name: params.name }, signal));
        return r && sendRendered(res, r);
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
        413: { description: `a document larger than a matrix may be (1 MiB, server.maxYamlTokens (default ${MAX_BODY_YAML_TOKENS}) YAML tokens): not parsed` },
        422: { description: 'invalid matrix: every problem with its path and line' },
        503: { description: 'as many simulations and matrix checks as recommendations.workers + recommendations.maxQueued are running or waiting (Retry-After)' },
      },
      compute: true,
      handler: async ({ params }, req, res) => {
        const executor = executorFor(ctx);
        const request = {
          text: typeof req.body === 'string' ? req.body : '',
          origin: `api:${String(res.locals.requestId)}`,
          label: `PUT /api/v1/matrices/${params.name}`,
          appliedAt: ctx.now(),
          expectedName: params.name,
          config: ctx.config.matrices,
          maxYamlTokens: ctx.config.maxYamlTokens,
        };
        const result = await holdPlace(res, applyMatrixOffLoop(ctx.db, request, (job) => executor.checkMatrix(job)));
        res.status(result.created ? 201 : 200);
        // What the observed names say the service config has wrong (a cluster domain): said as recommendations say it.
        return { name: result.name, status: result.status, overridesBuiltIn: result.overridesBuiltIn, digest: result.digest, created: result.created, ...(result.warnings !== undefined ? { warnings: result.warnings } : {}) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/matrices/validate',
      operationId: 'validateMatrix',
      summary: 'Check a matrix without storing it, and that the service config could take it (as PUT checks): every problem with its path and line',
      tag: 'matrices',
      scope: 'read',
      body: { raw: MATRIX_TYPES, description: 'a CommunicationMatrix document, YAML or JSON' },
      compute: true,
      responses: {
        200: { description: 'the verdict (valid or not: a 200 either way)', content: { 'application/json': Validation } },
        503: { description: 'as many simulations and matrix validations as recommendations.workers + recommendations.maxQueued are running or waiting (Retry-After)' },
        413: { description: `a document larger than a matrix may be (1 MiB, server.maxYamlTokens (default ${MAX_BODY_YAML_TOKENS}) YAML tokens): not parsed` },
      },
      handler: (_i, req, res) =>
        whileClientWaits(res, (signal) => holdPlace(res, executorFor(ctx).validateMatrix({ text: typeof req.body === 'string' ? req.body : '', maxYamlTokens: ctx.config.maxYamlTokens }, signal))),
    }),
  ];
}
