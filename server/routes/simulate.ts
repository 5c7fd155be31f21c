/**
 * POST /simulate: one engine's verdict on flows under given policies (app/simulate.ts), the
 * same as `flowmatrix simulate`. Policies and flows come in one JSON body; each may be text (YAML
 * or NDJSON, as in files) or already parsed (manifests; flow records or edges).
 */
import { Type } from '@sinclair/typebox';
import { sendRendered } from '../http/send-rendered.ts';
import { warningHeaders } from '../http/warning-header.ts';
import { executorFor } from '../services/compute.ts';
import { SimulateBody } from '../services/simulate-job.ts';
import { holdPlace } from '../http/compute-admission.ts';
import { whileClientWaits } from '../http/client-gone.ts';
import type { ServiceContext } from '../context.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { MAX_BODY_YAML_TOKENS } from '../http/yaml-limit.ts';
import { FreeObject } from '../schemas/common.ts';

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
      // Read as bytes: parsed and checked against the schema on the worker (services/simulate-job.ts).
      body: { schema: SimulateBody, parsedByHandler: true },
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
      handler: async (_input, req, res) => {
        const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        // On a worker thread, parse and check included, as recommendations are: a large simulation must not hold up /healthz.
        const simulated = await whileClientWaits(res, (signal) => holdPlace(res, executorFor(ctx).simulate({ body, maxYamlTokens: ctx.config.maxYamlTokens }, signal)));
        if (simulated === undefined) return undefined; // the client went away
        const { warnings, response } = simulated;
        if (warnings.length > 0) res.setHeader('Warning', warningHeaders(warnings, '`flowmatrix simulate` with the same input prints every one'));
        return sendRendered(res, response);
      },
    }),
  ];
}
