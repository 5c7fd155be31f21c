/**
 * Structural validation with ajv (allErrors), turned into one readable issue per problem.
 * Unions produce an error per failed branch; we keep the branch the value was evidently
 * meant for (same JSON type, required keys present) or else say which forms are allowed.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { plain } from './schema.ts';
import { pointerToPath, type PathSegment } from './paths.ts';
import { closestName, knownNames } from './suggest.ts';

export interface Issue {
  path: PathSegment[];
  message: string;
  value?: unknown;
  /** Another place the problem involves (a duplicate's first occurrence): named in the message with its line, where known. */
  also?: PathSegment[];
}

type SchemaNode = Record<string, unknown>;

const cache = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    fn = ajv.compile(plain(schema));
    cache.set(schema, fn);
  }
  return fn;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function accepts(branch: SchemaNode, value: unknown): boolean {
  if (Array.isArray(branch.anyOf)) return (branch.anyOf as SchemaNode[]).some((b) => accepts(b, value));
  const t = branch.type;
  if (t === undefined) return true;
  const vt = jsonType(value);
  return t === vt || (t === 'number' && vt === 'integer');
}

function requiredPresent(branch: SchemaNode, value: unknown): boolean {
  if (jsonType(value) !== 'object') return false;
  const req = Array.isArray(branch.required) ? (branch.required as string[]) : [];
  return req.every((k) => Object.hasOwn(value as object, k));
}

function coversKeys(branch: SchemaNode, value: unknown): boolean {
  const props = (branch.properties ?? {}) as Record<string, unknown>;
  return Object.keys(value as object).every((k) => Object.hasOwn(props, k));
}

/**
 * Picks the one branch the value was meant for, or undefined when that is not clear. An object
 * that fits none is read once more with its unknown keys spelt as the branches spell them
 * (suggest.ts: `{podSelector: …}` alone is the `{selector}` peer), so its errors say that.
 */
function intendedBranch(branches: SchemaNode[], value: unknown): number | undefined {
  let idx = branches.map((b, i) => (accepts(b, value) ? i : -1)).filter((i) => i >= 0);
  if (idx.length > 1 && jsonType(value) === 'object') {
    const pick = (v: object): number[] => {
      const withRequired = idx.filter((i) => requiredPresent(branches[i] as SchemaNode, v));
      const covering = withRequired.filter((i) => coversKeys(branches[i] as SchemaNode, v));
      return covering.length === 1 ? covering : withRequired;
    };
    const picked = pick(value as object);
    idx = picked.length === 0 ? pick(respelt(value as Record<string, unknown>, idx.map((i) => branches[i] as SchemaNode))) : picked;
  }
  return idx.length === 1 ? idx[0] : undefined;
}

/** The property names the branches know. */
function branchKeys(branches: readonly SchemaNode[]): string[] {
  return [...new Set(branches.flatMap((b) => Object.keys((b.properties ?? {}) as object)))];
}

/** `; "podSelector" is spelt "selector" here`, for keys of an object that no branch knows and one evidently means. */
function respellings(value: unknown, branches: readonly SchemaNode[]): string {
  if (jsonType(value) !== 'object') return '';
  const known = branchKeys(branches);
  const hints = Object.keys(value as object).flatMap((k) => {
    const meant = known.includes(k) ? undefined : closestName(k, known);
    return meant === undefined ? [] : [`"${k}" is spelt "${meant}" here`];
  });
  return hints.length > 0 ? `; ${hints.join(', ')}` : '';
}

/** The object with each key no branch knows renamed to the known key closest to it (when one is). */
function respelt(value: Record<string, unknown>, branches: readonly SchemaNode[]): Record<string, unknown> {
  const known = branchKeys(branches);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [known.includes(k) ? k : (closestName(k, known) ?? k), v]));
}

function describe(branch: SchemaNode): string {
  if (Array.isArray(branch.anyOf)) return (branch.anyOf as SchemaNode[]).map(describe).join(', ');
  if (branch.const !== undefined) return JSON.stringify(branch.const);
  if (branch.type === 'object') {
    const props = Object.keys((branch.properties ?? {}) as object);
    const req = new Set((branch.required ?? []) as string[]);
    return `{${props.map((p) => (req.has(p) ? p : `${p}?`)).join(', ')}}`;
  }
  if (branch.type === 'integer' && branch.minimum !== undefined && branch.maximum !== undefined) {
    return `an integer ${String(branch.minimum)}-${String(branch.maximum)}`;
  }
  return `a ${String(branch.type)}`;
}

function message(e: ErrorObject): { message: string; extraPath?: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { message: `missing required field "${String(p.missingProperty)}"` };
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const allowed = Object.keys(((e.parentSchema as SchemaNode | undefined)?.properties ?? {}) as object);
      return { message: `unknown field "${field}"${knownNames(field, allowed, 'allowed')}`, extraPath: field };
    }
    case 'type':
      return { message: `must be ${String(p.type)}` };
    case 'const':
      return { message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'minimum':
    case 'maximum':
      return { message: `out of range: must be ${String(p.comparison)} ${String(p.limit)}` };
    case 'minItems':
      return { message: `must have at least ${String(p.limit)} item(s)` };
    case 'minLength':
      return { message: p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} characters` };
    case 'maxLength':
      return { message: `must have at most ${String(p.limit)} characters` };
    case 'anyOf':
      return { message: `must be one of: ${describe({ anyOf: e.schema })}${respellings(e.data, e.schema as SchemaNode[])}` };
    default:
      return { message: e.message ?? e.keyword };
  }
}

function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

export function schemaIssues(schema: TSchema, data: unknown): Issue[] {
  const validate = compile(schema);
  if (validate(data)) return [];
  const errors = [...(validate.errors ?? [])];
  const dropped = new Set<ErrorObject>();
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const e of anyOfs) {
    if (dropped.has(e)) continue;
    const branches = e.schema as SchemaNode[];
    const keep = intendedBranch(branches, e.data);
    const prefix = `${e.schemaPath}/`;
    if (keep !== undefined) dropped.add(e);
    for (const other of errors) {
      if (other === e || !other.schemaPath.startsWith(prefix) || !within(other.instancePath, e.instancePath)) continue;
      if (keep === undefined || !other.schemaPath.startsWith(`${prefix}${keep}/`)) dropped.add(other);
    }
  }
  const issues: Issue[] = [];
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const { message: msg, extraPath } = message(e);
    const path = pointerToPath(e.instancePath, data);
    if (extraPath !== undefined) {
      const obj = e.data as Record<string, unknown>;
      issues.push({ path: [...path, extraPath], message: msg, value: obj[extraPath] });
    } else if (e.keyword === 'required') {
      issues.push({ path, message: msg });
    } else {
      issues.push({ path, message: msg, value: e.data });
    }
  }
  return issues;
}
