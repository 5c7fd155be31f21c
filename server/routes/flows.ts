/**
 * POST /flows: the NDJSON body is streamed through the same pipeline as `flowmatrix ingest`
 * (read → decode → resolve → orient → aggregate → batched transactions) and answers the same
 * summary. The body is counted while it streams: past the limit the request ends with 413 and
 * the problem says how much had been committed (batches already written stay written).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { commitFailure, ingestFlows, nothingRead, type FlowIngestSummary, type InputSummary } from '../../app/ingest.ts';
import { FORMATS } from '../../collectors/flows/decode.ts';
import { SERVICE_MAX_BATCH_EDGES } from '../../collectors/flows/ingest-defaults.ts';
import type { ServiceContext } from '../context.ts';
import { declaredTooLarge } from '../http/body.ts';
import { HttpProblem } from '../http/problem.ts';
import { defineRoute, type AnyRoute } from '../http/route.ts';
import { FreeObject, StringEnum } from '../schemas/common.ts';

class BodyTooLarge extends Error {}

/** Passes bytes through, failing the stream once more than `limit` bytes went by. */
function limitStream(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) cb(new BodyTooLarge(`request body is larger than the configured limit of ${limit} bytes`));
      else cb(null, chunk);
    },
  });
}

/** Where the stopped run's failed batch sits in the body, and what was stored before it. */
function batchError(input: InputSummary, accepted: number): { path: string; message: string } {
  const b = input.failedBatch;
  if (!b || b.lastLine < b.firstLine) return { path: 'body', message: `nothing was stored: ${input.error ?? 'the store failed'}` };
  return { path: `body lines ${b.firstLine}-${b.lastLine}`, message: `batch ${b.batch} was not stored; ${accepted} accepted records before it were` };
}

export const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-seq', 'application/json'];

/** In-flight ingests, so shutdown can wait for their last batch to commit. */
export const activeIngests = new Set<Promise<unknown>>();

export function flowRoutes(ctx: ServiceContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/flows',
      operationId: 'ingestFlows',
      summary: 'Stream flow records (NetObserv or Hubble NDJSON) into aggregated edges',
      description:
        'One JSON record per line. Bad lines are counted with their reason and line number, never fatal. ' +
        'Answers the same JSON summary as `flowmatrix ingest` ({records, accepted, rejected, edges, …, edgesTotal}).',
      tag: 'flows',
      scope: 'write',
      query: Type.Object({ format: StringEnum(FORMATS, { default: 'auto', description: 'record format; auto detects it per line' }) }, { additionalProperties: false }),
      body: { raw: NDJSON_TYPES, stream: true, description: 'newline-delimited JSON flow records' },
      responses: {
        200: { description: 'ingest summary', content: { 'application/json': FreeObject } },
        413: { description: 'body larger than server.maxFlowBodyBytes; `committed` tells what was stored before the limit' },
        503: { description: 'a batch could not be committed even after a retry: the run stopped; the problem names the batch and lines, and its `summary` says what was committed' },
        422: { description: 'every record was rejected (wrong format?): the problem carries the summary and examples with line numbers' },
      },
      handler: async ({ query }, req, res) => {
        const limit = ctx.config.maxFlowBodyBytes;
        if (declaredTooLarge(req, limit)) {
          res.setHeader('Connection', 'close');
          throw new HttpProblem('payload-too-large', `Content-Length exceeds the configured limit of ${limit} bytes (server.maxFlowBodyBytes)`);
        }
        const limited = limitStream(limit);
        req.on('error', (e) => limited.destroy(e));
        req.pipe(limited);
        const { maxFutureSkewMs, maxEdgesPerWorkload, maxEdgesPerRun } = ctx.config.ingest;
        const run = ingestFlows(ctx.db, [{ name: `api:${String(res.locals.requestId)}`, open: () => limited }], {
          format: query.format,
          now: ctx.now,
          maxFutureSkewMs,
          caps: { maxEdgesPerWorkload, maxEdgesPerRun },
          // Small windows: each commit runs on the event loop (ingest-defaults.ts).
          maxBatchEdges: SERVICE_MAX_BATCH_EDGES,
        });
        activeIngests.add(run);
        let summary: FlowIngestSummary;
        try {
          summary = await run;
        } finally {
          activeIngests.delete(run);
        }
        const input = summary.inputs[0];
        if (input?.status === 'failed' && input.error?.includes('configured limit')) {
          res.setHeader('Connection', 'close');
          req.unpipe(limited);
          req.resume();
          throw new HttpProblem('payload-too-large', `${input.error} (server.maxFlowBodyBytes); the records before the limit were committed (run ${input.run})`, {
            errors: [{ path: 'body', message: `committed ${summary.accepted} accepted of ${summary.records} records before the limit` }],
          });
        }
        const stopped = commitFailure(summary);
        if (stopped) {
          res.setHeader('Connection', 'close');
          req.unpipe(limited);
          req.resume();
          throw new HttpProblem('unavailable', `${stopped.error ?? 'a batch could not be committed'} (run ${stopped.run})`, {
            errors: [batchError(stopped, summary.accepted)],
            extensions: { summary },
            headers: { 'Retry-After': '30' },
          });
        }
        if (nothingRead(summary)) {
          throw new HttpProblem('unprocessable-content', `none of the ${summary.records} records could be read: is ?format=${query.format} right?`, {
            errors: summary.examples.map((x) => ({ path: `body line ${x.line}`, message: x.reason, ...(x.field !== undefined ? { field: x.field } : {}), ...(x.value !== undefined ? { value: x.value } : {}) })),
            extensions: { summary },
          });
        }
        return summary;
      },
    }),
  ];
}
