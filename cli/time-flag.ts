/**
 * A time given on the command line (`--now`, `--taken-at`, `--generated-at`, `--since`,
 * `--before`): an RFC 3339 date-time with its zone (domain/time.ts), as the REST API takes it.
 * `Date.parse` alone would read `2026-11-20T12:00:00` by the host's time zone and roll
 * `2026-11-31` over to December: one command would mean other times on other hosts.
 */
import { parseRfc3339 } from '../domain/time.ts';
import { CliError } from './io.ts';

export function timeFlag(flag: string, value: string): number {
  const t = parseRfc3339(value);
  if (t === undefined) throw new CliError(`${flag}: "${value}" is not an RFC 3339 time with its zone, such as 2026-11-20T12:00:00Z`);
  return t;
}
