/**
 * `collectors.files` in the service config: the flow-log files to follow (NetObserv or Hubble
 * NDJSON, tail -F), how often to look, and the pipeline's batch bounds.
 */
import { Type, type Static } from '@sinclair/typebox';
import { isAbsolute } from 'node:path';
import { FORMATS, type FlowFormat } from '../flows/decode.ts';
import { DEFAULT_MAX_LINE_LENGTH } from '../flows/lines.ts';
import { globSyntaxProblem, isGlob } from './glob.ts';
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
          /**
           * Absolute path the exporter writes to (the name is followed, not the file: rotation is
           * handled), or a glob in its file name (`/var/log/netobserv/*.json`, `…/hubble-*.log`):
           * files that appear later are picked up, files that are gone are forgotten.
           */
          path: Type.String({ minLength: 1 }),
          format: Type.Optional(Type.Union(FORMATS.map((f) => Type.Literal(f)))),
        },
        strict,
      ),
      { minItems: 1 },
    ),
    /** How often each path is looked at (default 1s). */
    pollInterval: Type.Optional(Duration('poll interval')),
    /** How often globs are expanded again (default 5s). */
    rescanInterval: Type.Optional(Duration('glob rescan interval')),
    /** Most files followed at once, exact paths and glob matches together (default 100); more matches are left out, counted and logged. */
    maxFiles: Type.Optional(Type.Integer({ minimum: 1 })),
    /** A path never read before: from its first line (default) or only what is appended from now on. Files a glob finds after the start are read from their first line. */
    startAt: Type.Optional(Type.Union([Type.Literal('beginning'), Type.Literal('end')])),
    /** A new ingest run (and a fresh inventory for resolution) at least this often (default 1h). */
    refresh: Type.Optional(Duration('run length')),
    batchSize: Type.Optional(Type.Integer({ minimum: 1 })),
    flushInterval: Type.Optional(Duration('commit at least this often')),
    /** Longest line kept, bytes (default 4 Mi); longer ones are skipped and counted. */
    maxLineLength: Type.Optional(Type.Integer({ minimum: 1024 })),
    /** Delays between attempts while the store refuses a file's lines (default 1s doubling up to 60s, full jitter). */
    backoff: Type.Optional(Type.Object({ initial: Type.Optional(Duration('first retry bound')), max: Type.Optional(Duration('largest retry delay')) }, strict)),
  },
  strict,
);
export type FilesConfigT = Static<typeof FilesConfig>;

export interface FollowedFile {
  path: string;
  format: FlowFormat;
}

/** A configured entry: one exact path, or a glob in the file name (glob.ts). */
export interface FileSpec extends FollowedFile {
  glob: boolean;
}

export interface FilesSettings {
  files: FileSpec[];
  pollMs: number;
  rescanMs: number;
  maxFiles: number;
  startAt: 'beginning' | 'end';
  refreshMs: number;
  batchSize: number;
  flushIntervalMs: number;
  maxLineLength: number;
  backoff: { initialMs: number; maxMs: number };
}

const KEY = 'collectors.files';

export function resolveFilesSettings(c: FilesConfigT): FilesSettings {
  const seen = new Set<string>();
  const files = c.files.map((f, i) => {
    if (!isAbsolute(f.path)) throw new CollectorConfigError(`${KEY}.files[${i}].path`, `must be an absolute path; got ${JSON.stringify(f.path)}`);
    if (seen.has(f.path)) throw new CollectorConfigError(`${KEY}.files[${i}].path`, `${f.path} is listed twice`);
    seen.add(f.path);
    const problem = globSyntaxProblem(f.path);
    if (problem) throw new CollectorConfigError(`${KEY}.files[${i}].path`, `${f.path}: ${problem}`);
    return { path: f.path, format: f.format ?? 'auto', glob: isGlob(f.path) };
  });
  const maxFiles = c.maxFiles ?? 100;
  const exact = files.filter((f) => !f.glob).length;
  if (exact > maxFiles) throw new CollectorConfigError(`${KEY}.maxFiles`, `${exact} exact paths are listed, more than maxFiles ${maxFiles}`);
  const backoff = { initialMs: parseDuration(`${KEY}.backoff.initial`, c.backoff?.initial ?? '1s'), maxMs: parseDuration(`${KEY}.backoff.max`, c.backoff?.max ?? '60s') };
  if (backoff.maxMs < backoff.initialMs) throw new CollectorConfigError(`${KEY}.backoff.max`, 'must not be shorter than backoff.initial');
  return {
    files,
    pollMs: parseDuration(`${KEY}.pollInterval`, c.pollInterval ?? '1s'),
    rescanMs: parseDuration(`${KEY}.rescanInterval`, c.rescanInterval ?? '5s'),
    maxFiles,
    startAt: c.startAt ?? 'beginning',
    refreshMs: parseDuration(`${KEY}.refresh`, c.refresh ?? '1h'),
    batchSize: c.batchSize ?? 20_000,
    flushIntervalMs: parseDuration(`${KEY}.flushInterval`, c.flushInterval ?? '5s'),
    maxLineLength: c.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    backoff,
  };
}
