/**
 * Integer flags, as the REST API reads query integers (server/http/validate.ts): decimal digits
 * only. `Number()` alone read `0x10` as 16, `1e2` as 100, `+5`, ` 5` and `1.0` as 5 and 1.
 */
import { CliError } from './io.ts';

const DIGITS = /^\d+$/;

function integer(flag: string, value: string, min: number, what: string): number {
  const n = Number(value);
  if (!DIGITS.test(value) || !Number.isSafeInteger(n) || n < min) throw new CliError(`${flag} must be a ${what} integer, got "${value}"`);
  return n;
}

/** A Commander argParser for an integer ≥ 1. */
export function positiveIntFlag(flag: string): (value: string) => number {
  return (value) => integer(flag, value, 1, 'positive');
}

/** A Commander argParser for an integer ≥ 0. */
export function nonNegativeIntFlag(flag: string): (value: string) => number {
  return (value) => integer(flag, value, 0, 'non-negative');
}
