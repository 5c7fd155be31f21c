/**
 * POST /flows: the NDJSON body is streamed through the same pipeline as `flowmatrix ingest`
 * (read → decode → resolve → orient → aggregate → batched transactions) and answers the same
 * summary. The body is counted while it streams: past the limit the request ends with 413 and
 * the problem says how much had been committed (batches already written stay written).
 */
import { randomUUID } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from 'pino';
import { Type } from '@sinclair/typebox';
import { commitFailure, ingestFlows, nothingRead, type FlowIngestSummary, type InputSummary } from '../../app/ingest.ts';
import { BodyProgress, type PrefixMismatch } from '../../collectors/flows/body-progress.ts';
import { EdgeStore } from '../../store/edges.ts';
import { IngestRunStore, type BodyPosition, type IngestRun, type LatestRun } from '../../store/ingest-runs.ts';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKey } from '../http/idempotency-key.ts';
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

/** An upload's summary, with what an earlier run of its key committed (skipped) or that it is a replay. */
type UploadSummary = FlowIngestSummary & { resumed?: { run: number; records: number; lines: number; bytes: number }; replayed?: true };

/** 200 with the summary, or 422 when every record was rejected (a replay answers as the upload did). */
function answer(summary: UploadSummary, format: string): UploadSummary {
  if (nothingRead(summary)) {
    throw new HttpProblem('unprocessable-content', `none of the ${summary.records} records could be read: is ?format=${format} right?`, {
      errors: summary.examples.map((x) => ({ path: `body line ${x.line}`, message: x.reason, ...(x.field !== undefined ? { field: x.field } : {}), ...(x.value !== undefined ? { value: x.value } : {}) })),
      extensions: { summary },
    });
  }
  return summary;
}

function conflict(key: string, run: number, body: BodyPosition, mismatch: PrefixMismatch): HttpProblem {
  const what =
    mismatch.kind === 'shorter'
      ? `this body has ${mismatch.bytes} bytes, fewer than the ${body.bytes} bytes (${body.records} records) run ${run} of that key committed`
      : `the first ${body.bytes} bytes of this body have SHA-256 ${mismatch.sha256}, not ${body.sha256}, those of the ${body.records} records run ${run} of that key committed`;
  return new HttpProblem('conflict', `Idempotency-Key "${key}": this is not the body that key began to upload: ${what}; nothing was stored. Send the same body again, or use a new key for another one`, {
    errors: [{ path: `header.${IDEMPOTENCY_KEY_HEADER}`, message: mismatch.kind === 'shorter' ? 'body shorter than what the key committed' : 'body prefix differs from what the key committed', value: key }],
  });
}

export function flowRoutes(ctx: ServiceContext): AnyRoute[] {
  const runs = new IngestRunStore(ctx.db);
  /** Keys whose upload this service is reading now. */
  const uploading = new Set<string>();

  /**
   * The answer of a run committed `done` whose summary was not stored (the service stopped between
   * the last window's transaction and the summary's), from its row: its counters and what it
   * resumed. What only the answer held (`edges`, `skips`, `examples`) is not there.
   */
  const rebuilt = (source: string, id: number): UploadSummary => {
    const run = runs.get(id) as IngestRun;
    const { records, accepted, rejected, skipped, ambiguous, rejects } = run;
    const saturated = run.saturated ?? 0;
    const folded = run.folded ?? 0;
    const finishedAt = run.finishedAt ?? run.startedAt;
    const summary: UploadSummary = {
      records, accepted, rejected, edges: 0, skipped, ambiguous, saturated, folded, rejects, skips: {}, examples: [],
      inputs: [{ file: source, run: id, status: 'done', records, accepted, rejected, skipped, ambiguous, saturated, folded }],
      clock: { now: new Date(run.startedAt).toISOString(), maxFutureSkewSeconds: Math.round(ctx.config.ingest.maxFutureSkewMs / 1000) },
      durationMs: finishedAt - run.startedAt,
      edgesTotal: new EdgeStore(ctx.db).count(),
    };
    if (run.namesCapped !== undefined) {
      summary.namesCapped = run.namesCapped;
      summary.inputs[0]!.namesCapped = run.namesCapped;
    }
    const before = runs.committedBody(source, id);
    if (before) summary.resumed = { run: before.run, records: before.records, lines: before.lines, bytes: before.bytes };
    return summary;
  };

  /**
   * What an earlier upload of the key left: nothing (a new upload), a finished one's summary (to
   * answer again), or a stopped one to resume where its commits end. A 409 while one runs.
   */
  const uploadState = (key: string, source: string, unread: () => void): { replay?: UploadSummary; resume?: LatestRun } => {
    const last = runs.latest(source);
    if (uploading.has(key) || last?.live) {
      unread();
      throw new HttpProblem('conflict', `Idempotency-Key "${key}": its upload is still running${last ? ` (run ${last.id})` : ''}; wait for its answer, or send the body again once it has stopped`, {
        errors: [{ path: `header.${IDEMPOTENCY_KEY_HEADER}`, message: 'an upload of this key is still running', value: key }],
        headers: { 'Retry-After': '5' },
      });
    }
    if (last === undefined) return {};
    if (last.status === 'done') return { replay: last.summary !== undefined ? (JSON.parse(last.summary) as UploadSummary) : rebuilt(source, last.id) };
    return { resume: last };
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/flows',
      operationId: 'ingestFlows',
      summary: 'Stream flow records (NetObserv or Hubble NDJSON) into aggregated edges',
      description:
        'One JSON record per line. Bad lines are counted with their reason and line number, never fatal. ' +
        'Answers the same JSON summary as `flowmatrix ingest` ({records, accepted, rejected, edges, …, edgesTotal}). ' +
        'With an `Idempotency-Key` header (1 to 64 of A-Z a-z 0-9 . _ ~ -, e.g. a UUID; else 400) the upload can be resumed exactly: ' +
        'each committed window stores how many records and bytes of the body it covers and the SHA-256 of those bytes; ' +
        'the same body sent again under the key after the upload stopped (the service killed, the connection lost, a 413 or 503) skips what was committed ' +
        '(`resumed: {run, records, lines, bytes}` in the summary) once its first bytes are checked to be the same, else 409 and nothing is stored; ' +
        'a key whose upload finished answers its summary again without ingesting (`Idempotent-Replayed: true`, `replayed: true`); ' +
        'a key whose upload is still running is a 409. Without the header every upload is ingested as sent.',
      tag: 'flows',
      scope: 'write',
      query: Type.Object({ format: StringEnum(FORMATS, { default: 'auto', description: 'record format; auto detects it per line' }) }, { additionalProperties: false }),
      body: { raw: NDJSON_TYPES, stream: true, description: 'newline-delimited JSON flow records' },
      responses: {
        200: { description: 'ingest summary; `resumed` when an earlier upload of the Idempotency-Key committed part of the body, `replayed` (and the `Idempotent-Replayed: true` header) when the key had finished', content: { 'application/json': FreeObject }, headers: { 'Idempotent-Replayed': '`true` on the stored summary of a finished Idempotency-Key' } },
        400: { description: 'an Idempotency-Key that is not 1 to 64 of A-Z a-z 0-9 . _ ~ -' },
        409: { description: 'Idempotency-Key: its upload is still running (`Retry-After`), or this body is not the one it began (shorter, or another SHA-256 of the committed bytes); nothing stored' },
        413: { description: 'body larger than server.maxFlowBodyBytes; `committed` tells what was stored before the limit' },
        415: { description: 'a Content-Type or Content-Encoding not accepted, or a gzip-compressed body (its first bytes 1f 8b): nothing stored' },
        503: { description: 'a batch could not be committed even after a retry: the run stopped; the problem names the batch and lines, and its `summary` says what was committed' },
        422: { description: 'every record was rejected (wrong format?): the problem carries the summary and examples with line numbers' },
      },
      handler: async ({ query }, req, res) => {
        const key = idempotencyKey(req);
        const limit = ctx.config.maxFlowBodyBytes;
        if (declaredTooLarge(req, limit)) {
          res.setHeader('Connection', 'close');
          throw new HttpProblem('payload-too-large', `Content-Length exceeds the configured limit of ${limit} bytes (server.maxFlowBodyBytes)`);
        }
        /** The body is not read: the connection closes rather than wait for it. */
        const unread = () => {
          res.setHeader('Connection', 'close');
          req.resume();
        };
        // Not the request id: a client's may hold ':' (`key:abc`, a key's source) and retries resend it.
        const source = key === undefined ? `api:req:${randomUUID()}` : `api:key:${key}`;
        (res.locals.log as Logger | undefined)?.info({ source }, 'flow upload');
        const earlier = key === undefined ? undefined : uploadState(key, source, unread);
        if (earlier?.replay !== undefined) {
          unread();
          res.setHeader('Idempotent-Replayed', 'true');
          return answer({ ...earlier.replay, replayed: true }, query.format);
        }
        const limited = limitStream(limit);
        req.on('error', (e) => limited.destroy(e));
        req.pipe(limited);
        const progress = key === undefined ? undefined : new BodyProgress(limited);
        const from = earlier?.resume;
        if (key !== undefined) uploading.add(key);
        try {
          if (progress && from?.body) {
            const mismatch = await progress.skip(from.body);
            if (mismatch) {
              res.setHeader('Connection', 'close');
              req.unpipe(limited);
              req.resume();
              throw conflict(key as string, from.body.run, from.body, mismatch);
            }
          }
          const { maxFutureSkewMs, maxEdgesPerWorkload, maxEdgesPerRun } = ctx.config.ingest;
          const recordsBefore = from?.body?.records ?? 0;
          const run = ingestFlows(ctx.db, [{ name: source, open: () => progress?.chunks() ?? limited, firstLine: (from?.body?.lines ?? 0) + 1 }], {
            format: query.format,
            now: ctx.now,
            maxFutureSkewMs,
            caps: { maxEdgesPerWorkload, maxEdgesPerRun },
            // Small windows: each commit runs on the event loop (ingest-defaults.ts).
            maxBatchEdges: SERVICE_MAX_BATCH_EDGES,
            ...(progress ? { body: { progress, recordsBefore } } : {}),
          });
          activeIngests.add(run);
          let summary: UploadSummary;
          try {
            summary = await run;
          } finally {
            activeIngests.delete(run);
          }
          if (from?.body) summary.resumed = { run: from.body.run, records: from.body.records, lines: from.body.lines, bytes: from.body.bytes };
          const input = summary.inputs[0];
          if (input?.compressed) {
            throw new HttpProblem('unsupported-media-type', 'the body is gzip-compressed (it starts with the gzip magic bytes 1f 8b) and was not read: send the records uncompressed (no Content-Encoding is accepted either)', {
              errors: [{ path: 'body', message: 'gzip-compressed' }],
            });
          }
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
          // A finished upload's answer, to give it again to the same key.
          if (key !== undefined && input?.status === 'done') runs.keepSummary(input.run, JSON.stringify(summary));
          return answer(summary, query.format);
        } finally {
          if (key !== undefined) uploading.delete(key);
        }
      },
    }),
  ];
}

