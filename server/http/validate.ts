/**
 * One TypeBox schema per body, query and path gives both the TS type and the validator.
 * Query strings arrive as text: they are coerced (`limit=10` → 10) and defaults are filled in.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { parseRfc3339 } from '../../domain/time.ts';
import { badRequest, type ProblemFieldError } from './problem.ts';
import { compareStrings } from '../../domain/order.ts';

const plain = (s: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;

const ajvQuery = new Ajv({ allErrors: true, verbose: true, coerceTypes: 'array', useDefaults: true, strict: false });
const ajvBody = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
/**
 * RFC 3339 allows a leap second (`23:59:60`), which JavaScript's Date cannot hold (Date.parse
 * gives NaN): such a time is refused here (domain/time.ts), naming its parameter, rather than
 * becoming NaN behind the door (a filter matching nothing, an import failing at its insert).
 */
const dateTime = { type: 'string' as const, validate: (s: string): boolean => parseRfc3339(s) !== undefined };
for (const ajv of [ajvQuery, ajvBody]) {
  addFormats.default(ajv);
  ajv.addFormat('date-time', dateTime);
}

const cache = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema, coerce: boolean): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = (coerce ? ajvQuery : ajvBody).compile(plain(schema));
    cache.set(schema, fn);
  }
  return fn;
}

function describe(e: ErrorObject, where: string): ProblemFieldError {
  const pointer = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = [where, ...pointer].join('.');
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    path = `${path}.${extra}`;
    message = 'is not a known parameter';
  } else if (e.keyword === 'required') {
    path = `${path}.${(e.params as { missingProperty: string }).missingProperty}`;
    message = 'is required';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(String).join(', ')}`;
  }
  const err: ProblemFieldError = { path, message };
  // A repeated query parameter (`limit=5&limit=6`) arrives as an array: its values are named too.
  const primitive = (x: unknown): boolean => x !== undefined && (typeof x !== 'object' || x === null);
  if (e.keyword !== 'required' && e.keyword !== 'additionalProperties' && (primitive(e.data) || (Array.isArray(e.data) && e.data.every(primitive)))) err.value = e.data;
  return err;
}

const DECIMAL_INTEGER = /^-?\d+$/;

/**
 * Integer parameters given as text that is no decimal integer. Ajv coerces text as `Number()`
 * reads it, so `0x10`, `1e2`, ` 5` and `1.0` would pass as 16, 100, 5 and 1; a query or path
 * integer is decimal digits (docs/api.md). Checked before the coercion replaces the text.
 */
function nonDecimalIntegers(schema: TSchema, value: unknown, where: string): ProblemFieldError[] {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (props === undefined || typeof value !== 'object' || value === null) return [];
  const given = value as Record<string, unknown>;
  return Object.entries(props)
    .filter(([key, p]) => p.type === 'integer' && typeof given[key] === 'string' && !DECIMAL_INTEGER.test(given[key]))
    .map(([key]) => ({ path: `${where}.${key}`, message: 'must be integer', value: given[key] }));
}

/** Validates (and for queries coerces, in place) `value`; throws a 400 problem listing every issue. */
export function check<S extends TSchema>(schema: S, value: unknown, where: 'query' | 'body' | 'params'): Static<S> {
  const fn = compile(schema, where !== 'body');
  const notDecimal = where === 'body' ? [] : nonDecimalIntegers(schema, value, where);
  if (!fn(value) || notDecimal.length > 0) {
    const errors = [...notDecimal, ...(fn.errors ?? []).map((e) => describe(e, where))];
    const uniq = [...new Map(errors.map((e) => [`${e.path}\0${e.message}`, e])).values()].sort((a, b) => compareStrings(a.path, b.path));
    throw badRequest(`invalid ${where}: ${uniq.map((e) => `${e.path} ${e.message}`).join('; ')}`, uniq);
  }
  return value as Static<S>;
}
