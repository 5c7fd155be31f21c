/**
 * Times at the door: an RFC 3339 date-time with its zone (`2026-11-20T10:00:00Z`,
 * `…+01:00`), as ms since the epoch. `Date.parse` alone accepts far more and reads it by the
 * host's time zone (`2026-11-20T10:00:00` is local time, `12` is 2001-12-01) or rolls a day
 * over (`2026-02-30` is March 2nd): the same input would give other data on another host. The
 * grammar is ajv-formats' (RFC 3339 §5.6, days checked per month); a leap second (`23:59:60`),
 * which a JavaScript Date cannot hold, is no time here.
 */
import { createRequire } from 'node:module';

type Grammar = (s: string) => boolean;
let isDateTime: Grammar | undefined;

/**
 * The grammar, loaded on first use: the CLI's command definitions import this module, and
 * `flowmatrix --help` loads no package but commander (test/integration/cli-startup.test.ts).
 */
function dateTimeGrammar(): Grammar {
  isDateTime ??= (createRequire(import.meta.url)('ajv-formats/dist/formats.js') as { fullFormats: Record<string, { validate: Grammar }> }).fullFormats['date-time']!.validate;
  return isDateTime;
}

/** The time `text` names, or undefined when it is no RFC 3339 date-time with a zone. */
export function parseRfc3339(text: string): number | undefined {
  if (!dateTimeGrammar()(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+[smhd])+$/;

/**
 * A point in time as `edges --since` and `GET /edges?since=` take it: a duration back from `now`
 * as kubectl writes it (`90s`, `30m`, `2h`, `7d`, `1h30m`), or an RFC 3339 time; undefined when neither.
 */
export function pointInTime(text: string, now: number): number | undefined {
  if (!DURATION.test(text)) return parseRfc3339(text);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(ms) ? now - ms : undefined;
}
