/**
 * Values collector configs share, checked when a collector is created so that a bad value is
 * refused with the config key that holds it (`collectors.hubble.since: …`), never at first use.
 */
import { readFileSync } from 'node:fs';

/** A problem with one key of a collector's config section; the message starts with the key. */
export class CollectorConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** Durations as Prometheus and Go write them for one unit: `500ms`, `30s`, `5m`, `1h`. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';

/** A duration string → milliseconds (a positive integer). */
export function parseDuration(key: string, value: string): number {
  const m = DURATION.exec(value);
  if (!m) throw new CollectorConfigError(key, `not a duration (use e.g. 500ms, 30s, 5m, 1h); got ${JSON.stringify(value)}`);
  const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
  if (!(ms > 0)) throw new CollectorConfigError(key, `must be longer than 0; got ${JSON.stringify(value)}`);
  return ms;
}

/** Milliseconds as a message says them: `30s`, `500ms`. */
export function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Reads a file the config names (a CA, a client certificate), or says which key names an unreadable one. */
export function readConfigFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CollectorConfigError(key, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
