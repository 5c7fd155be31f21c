/**
 * What POST /simulate hands the recommendation workers: the body's policies and flows as the
 * client sent them (text, or JSON values), turned into app/simulate's text request on the worker.
 * Serializing 16k records one by one cost the main thread more than parsing the body did.
 */
import { invalidInput } from '../../app/errors.ts';
import type { SimulateFlowFormat, SimulateRequest } from '../../app/simulate.ts';
import { treeProblem } from '../../domain/yaml-document.ts';
import type { EngineName } from '../../recommender/engines/types.ts';

export interface SimulateJob {
  engine?: EngineName;
  /** Manifest text (YAML or JSON), or the manifests. */
  policies: string | unknown[];
  /** NDJSON records or the edges JSON as text, or the records or edges. */
  flows: string | unknown[];
  format?: SimulateFlowFormat;
  maxYamlTokens?: number;
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
