/**
 * What POST /simulate hands the recommendation workers: the body's policies and flows as the
 * client sent them (text, or JSON values), turned into app/simulate's text request on the worker.
 * Serializing 16k records one by one cost the main thread more than parsing the body did.
 */
import { Type } from '@sinclair/typebox';
import { invalidInput } from '../../app/errors.ts';
import { SIMULATE_FLOW_FORMATS, type SimulateFlowFormat, type SimulateRequest } from '../../app/simulate.ts';
import { treeProblem } from '../../domain/yaml-document.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/types.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { check } from '../http/validate.ts';
import { FreeObject, StringEnum } from '../schemas/common.ts';

/** POST /simulate's JSON body. */
export const SimulateBody = Type.Object(
  {
    engine: Type.Optional(StringEnum(ENGINE_NAMES, { description: 'inferred from the manifests’ kinds when absent' })),
    policies: Type.Union([Type.String({ description: 'manifests as YAML or JSON text (a List or a document stream)' }), Type.Array(FreeObject, { description: 'manifests' })]),
    flows: Type.Union([Type.String({ description: 'NDJSON flow records, or the JSON array of `flowmatrix edges -o json`' }), Type.Array(FreeObject, { description: 'flow records or edges' })]),
    format: Type.Optional(StringEnum(SIMULATE_FLOW_FORMATS, { default: 'auto', description: 'flow format; auto detects records per line and an edges array' })),
  },
  { additionalProperties: false },
);

export interface SimulateJob {
  engine?: EngineName;
  /** Manifest text (YAML or JSON), or the manifests. */
  policies: string | unknown[];
  /** NDJSON records or the edges JSON as text, or the records or edges. */
  flows: string | unknown[];
  format?: SimulateFlowFormat;
  maxYamlTokens?: number;
}

/**
 * POST /simulate's body as the client sent it: parsed, checked against SimulateBody and for depth
 * where the simulation runs (a worker), not on the event loop. A 40 MB body cost the main thread
 * a third of a second in JSON.parse, the check and the copy to the worker.
 */
export interface SimulateBodyJob {
  /** The body's bytes (UTF-8); moved to the worker, not copied. */
  body: Uint8Array;
  maxYamlTokens?: number;
}

/** The job a body describes; HttpProblem 400 when it is no JSON or breaks the schema, AppError invalid-input when nested too deep. */
export function simulateJobOfBody(job: SimulateBodyJob): SimulateJob {
  const body = check(SimulateBody, parseJsonBody(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString('utf8')), 'body');
  const simulate: SimulateJob = { policies: body.policies, flows: body.flows, ...(job.maxYamlTokens !== undefined ? { maxYamlTokens: job.maxYamlTokens } : {}), ...(body.engine !== undefined ? { engine: body.engine } : {}), ...(body.format !== undefined ? { format: body.format } : {}) };
  refuseDeepValues(simulate);
  return simulate;
}

const looksLikeEdge = (x: unknown): boolean => typeof x === 'object' && x !== null && ('clientPeer' in x || ('client' in x && 'server' in x && 'port' in x));

/**
 * AppError invalid-input when given policies or flows nest deeper than any reader walks (the
 * inventory's check, domain/yaml-document.ts treeProblem): run where the body was parsed, before
 * the values are copied to a worker or serialized, both of which recurse.
 */
export function refuseDeepValues(job: SimulateJob): void {
  for (const field of ['policies', 'flows'] as const) {
    const value = job[field];
    const problem = Array.isArray(value) ? treeProblem(value) : undefined;
    if (problem) throw invalidInput(`${field}: ${problem}`);
  }
}

/** The job as app/simulate's request: manifests as a List, records as NDJSON, edges as their JSON array. */
export function simulateRequestOf(job: SimulateJob): SimulateRequest {
  const { policies, flows, format, ...rest } = job;
  const request: SimulateRequest = { ...rest, policies: typeof policies === 'string' ? policies : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policies }), flows: '' };
  if (typeof flows === 'string') request.flows = flows;
  else if (format === 'edges' || ((format ?? 'auto') === 'auto' && flows.length > 0 && flows.every(looksLikeEdge))) {
    request.flows = JSON.stringify(flows);
    request.format = 'edges';
    return request;
  } else request.flows = flows.map((r) => JSON.stringify(r)).join('\n');
  if (format !== undefined) request.format = format;
  return request;
}
