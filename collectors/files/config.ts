/**
 * `collectors.files` in the service config: the flow-log files to follow (NetObserv or Hubble
 * NDJSON, tail -F), how often to look, and the pipeline's batch bounds.
 */
import { Type, type Static } from '@sinclair/typebox';
import { isAbsolute } from 'node:path';
import { FORMATS, type FlowFormat } from '../flows/decode.ts';
import { DEFAULT_MAX_LINE_LENGTH } from '../flows/lines.ts';
import { CollectorConfigError, DURATION_PATTERN, parseDuration } from '../config-values.ts';

const strict = { additionalProperties: false };
const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, description });

export const FilesConfig = Type.Object(
  {
    /** A section starts the collector; `false` keeps the section but turns it off. */
    enabled: Type.Optional(Type.Boolean()),
    files: Type.Array(
      Type.Object(
        {
          /** Absolute path the exporter writes to (the name is followed, not the file: rotation is handled). */
          path: Type.String({ minLength: 1 }),
          format: Type.Optional(Type.Union(FORMATS.map((f) => Type.Literal(f)))),
        },
        strict,
      ),
      { minItems: 1 },
    ),
    /** How often each path is looked at (default 1s). */
    pollInterval: Type.Optional(Duration('poll interval')),
    /** A path never read before: from its first line (default) or only what is appended from now on. */
    startAt: Type.Optional(Type.Union([Type.Literal('beginning'), Type.Literal('end')])),
    /** A new ingest run (and a fresh inventory for resolution) at least this often (default 1h). */
    refresh: Type.Optional(Duration('run length')),
    batchSize: Type.Optional(Type.Integer({ minimum: 1 })),
    flushInterval: Type.Optional(Duration('commit at least this often')),
    /** Longest line kept, bytes (default 4 Mi); longer ones are skipped and counted. */
    maxLineLength: Type.Optional(Type.Integer({ minimum: 1024 })),
  },
  strict,
);
export type FilesConfigT = Static<typeof FilesConfig>;

export interface FollowedFile {
  path: string;
  format: FlowFormat;
}

export interface FilesSettings {
  files: FollowedFile[];
  pollMs: number;
  startAt: 'beginning' | 'end';
  refreshMs: number;
  batchSize: number;
  flushIntervalMs: number;
  maxLineLength: number;
}

const KEY = 'collectors.files';

export function resolveFilesSettings(c: FilesConfigT): FilesSettings {
  const seen = new Set<string>();
  const files = c.files.map((f, i) => {
    if (!isAbsolute(f.path)) throw new CollectorConfigError(`${KEY}.files[${i}].path`, `must be an absolute path; got ${JSON.stringify(f.path)}`);
    if (seen.has(f.path)) throw new CollectorConfigError(`${KEY}.files[${i}].path`, `${f.path} is listed twice`);
    seen.add(f.path);
    return { path: f.path, format: f.format ?? 'auto' };
  });
  return {
    files,
    pollMs: parseDuration(`${KEY}.pollInterval`, c.pollInterval ?? '1s'),
    startAt: c.startAt ?? 'beginning',
    refreshMs: parseDuration(`${KEY}.refresh`, c.refresh ?? '1h'),
    batchSize: c.batchSize ?? 20_000,
    flushIntervalMs: parseDuration(`${KEY}.flushInterval`, c.flushInterval ?? '5s'),
    maxLineLength: c.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
  };
}
