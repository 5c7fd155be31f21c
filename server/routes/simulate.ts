/**
 * POST /simulate: one engine's verdict on flows under given policies (app/simulate.ts), the
 * same as `flowmatrix simulate`. Policies and flows come in one JSON body; each may be text (YAML
 * or NDJSON, as in files) or already parsed (manifests; flow records or edges).
 */
import { Type } from '@sinclair/typebox';
import { SIMULATE_FLOW_FORMATS } from '../../app/simulate.ts';
import { sendRendered } from '../http/send-rendered.ts';
import { warningHeaders } from '../http/warning-header.ts';
import { executorFor } from '../services/compute.ts';
import { refuseDeepValues, type SimulateJob } from '../services/simulate-job.ts';
import { holdPlace } from '../http/compute-admission.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import type { ServiceContext } from '../context.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { MAX_BODY_YAML_TOKENS } from '../http/yaml-limit.ts';
import { FreeObject, StringEnum } from '../schemas/common.ts';

const SimulateBody = Type.Object(
  {
    engine: Type.Optional(StringEnum(ENGINE_NAMES, { description: 'inferred from the manifests’ kinds when absent' })),
    policies: Type.Union([Type.String({ description: 'manifests as YAML or JSON text (a List or a document stream)' }), Type.Array(FreeObject, { description: 'manifests' })]),
    flows: Type.Union([Type.String({ description: 'NDJSON flow records, or the JSON array of `flowmatrix edges -o json`' }), Type.Array(FreeObject, { description: 'flow records or edges' })]),
    format: Type.Optional(StringEnum(SIMULATE_FLOW_FORMATS, { default: 'auto', description: 'flow format; auto detects records per line and an edges array' })),
  },
  { additionalProperties: false },
);

export function simulateRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/simulate',
      operationId: 'simulate',
      summary: 'Decide flows under given policies as one engine would',
      description:
        'Pods, namespaces, nodes and the apiserver come from the stored inventory. Answers a JSON array in input order, ' +
        'one object per flow: `port` (for ICMP `icmp: {type, code}` instead), `verdict` (allow | deny | unknown), the `egress` and `ingress` sides with the deciding policy and rule (`by`), and a reason; ' +
        'with the kubernetes engine, `whereIpBlocksMatchPods`: the verdict where the plugin matches ipBlocks against pod addresses, when it differs.',
      tag: 'recommendations',
      scope: 'read',
      body: { schema: SimulateBody },
      compute: true,
      responses: {
        200: {
          description: 'one decision per flow, in input order; a `Warning` header (`299 - "…"`) for each value of the policies the API server would warn about',
          content: { 'application/json': Type.Array(FreeObject) },
        },
        413: { description: `policies given as YAML of more than server.maxYamlTokens (default ${MAX_BODY_YAML_TOKENS}) tokens (send them as a JSON array), or a body larger than server.maxBodyBytes` },
        422: { description: 'the policies or flows cannot be read (nested deeper than 512 levels included), or the engine cannot be inferred' },
        503: { description: 'as many simulations and matrix validations as recommendations.workers + recommendations.maxQueued are running or waiting (Retry-After), or the simulation needed more than its memory budget (recommendations.workerMemoryMb): send fewer flows or policies' },
      },
      handler: async ({ body }, _req, res) => {
        const job: SimulateJob = { policies: body.policies, flows: body.flows, maxYamlTokens: ctx.config.maxYamlTokens, ...(body.engine !== undefined ? { engine: body.engine } : {}), ...(body.format !== undefined ? { format: body.format } : {}) };
        refuseDeepValues(job);
        // On a worker thread, as recommendations are: a large simulation must not hold up /healthz.
        const { warnings, response } = await holdPlace(res, executorFor(ctx).simulate(job));
        if (warnings.length > 0) res.setHeader('Warning', warningHeaders(warnings, '`flowmatrix simulate` with the same input prints every one'));
        return sendRendered(res, response);
      },
    }),
  ];
}
