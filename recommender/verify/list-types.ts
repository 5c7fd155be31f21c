/**
 * What the API server refuses in every custom resource from its CRD's structural schema beyond
 * JSON Schema: a list of `x-kubernetes-list-type: set` holding an item twice, and one of type `map`
 * holding two items with the same keys (`x-kubernetes-list-map-keys`) —
 * kubernetes apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go
 * (ValidateListSetsAndMaps: `field.Duplicate` at the item's second appearance, once per value).
 * Driven by the annotations of the bundled CRD schemas, so every list a CRD marks is checked
 * (ClusterNetworkPolicy `networks` and `domainNames`, Calico `nets`, `notNets`, `types`, Cilium
 * `serverNames`, …) without a list of fields here.
 */
import { isPlainObject } from '../../domain/plain-object.ts';
import { pointerToken } from './json-pointer.ts';
import type { VerifyError } from './types.ts';

type Schema = Record<string, unknown>;

/** The errors of `value` under `schema`, walked as upstream does: properties, additionalProperties, items. */
export function listTypeErrors(schema: unknown, value: unknown): VerifyError[] {
  const out: VerifyError[] = [];
  const plan = isPlainObject(schema) ? planOf(schema) : undefined;
  if (plan) walk(plan, value, [], out);
  return out;
}

/**
 * The part of a schema that marks list types, or undefined where nothing below marks one: most of a
 * manifest (metadata, ports, selectors) has none, and is not walked. Built once per schema node,
 * which the bundled schemas share for the process, so walking a manifest looks up no schema.
 */
interface ListPlan {
  readonly schema: Schema;
  /** Each field the schema names → its plan, undefined for a field with no list below it. */
  readonly properties: ReadonlyMap<string, ListPlan | undefined>;
  readonly additionalProperties: ListPlan | undefined;
  readonly items: ListPlan | undefined;
}

const plans = new WeakMap<Schema, ListPlan | null>();

function planOf(schema: Schema): ListPlan | undefined {
  let plan = plans.get(schema);
  if (plan === undefined) {
    plans.set(schema, null); // a schema that refers to itself marks nothing through that path
    const sub = (s: unknown): ListPlan | undefined => (isPlainObject(s) ? planOf(s) : undefined);
    const properties = new Map(Object.entries(isPlainObject(schema.properties) ? schema.properties : {}).map(([k, s]) => [k, sub(s)]));
    const additionalProperties = sub(schema.additionalProperties);
    const items = sub(schema.items);
    const marks = schema['x-kubernetes-list-type'] === 'set' || schema['x-kubernetes-list-type'] === 'map' || additionalProperties !== undefined || items !== undefined || [...properties.values()].some((p) => p !== undefined);
    plan = marks ? { schema, properties, additionalProperties, items } : null;
    plans.set(schema, plan);
  }
  return plan ?? undefined;
}

/**
 * `at` is the path down to `value`, as tokens: a JSON pointer is made of it only for an error
 * (verification walks every rule of every manifest, nearly all of them without one).
 */
function walk(plan: ListPlan, value: unknown, at: (string | number)[], out: VerifyError[]): void {
  if (Array.isArray(value)) {
    arrayErrors(plan.schema, value, at, out);
    const items = plan.items;
    if (items) {
      value.forEach((item, i) => {
        at.push(i);
        walk(items, item, at, out);
        at.pop();
      });
    }
    return;
  }
  if (!isPlainObject(value)) return;
  for (const k of Object.keys(value)) {
    const sub = plan.properties.has(k) ? plan.properties.get(k) : plan.additionalProperties;
    if (!sub) continue;
    at.push(k);
    walk(sub, value[k], at, out);
    at.pop();
  }
}

function arrayErrors(schema: Schema, items: readonly unknown[], at: readonly (string | number)[], out: VerifyError[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of secondAppearances(items)) out.push(duplicate(at, i, items[i], 'set'));
  } else if (listType === 'map') {
    const keys = items.map((item) => mapKey(schema, item));
    for (const i of secondAppearances(keys)) out.push(duplicate(at, i, keys[i], 'map'));
  }
}

/** An item of a list of type map, by its keys: the key fields it sets (validateListMap). */
function mapKey(schema: Schema, item: unknown): Record<string, unknown> {
  const fields = Array.isArray(schema['x-kubernetes-list-map-keys']) ? (schema['x-kubernetes-list-map-keys'] as unknown[]).map(String) : [];
  const key: Record<string, unknown> = {};
  if (isPlainObject(item)) for (const f of fields) if (Object.hasOwn(item, f)) key[f] = item[f];
  return key;
}

/** The index of each value's second appearance (validateListSet): Go compares compound values by their JSON, keys sorted. */
function secondAppearances(values: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  if (values.length < 2) return out;
  values.forEach((v, i) => {
    // A string as itself (the common case: addresses, names), tagged apart from any JSON text.
    const text = typeof v === 'string' ? `s${v}` : canonicalJson(v);
    const times = seen.get(text) ?? 0;
    if (times === 1) out.push(i);
    seen.set(text, times + 1);
  });
  return out;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function duplicate(at: readonly (string | number)[], index: number, value: unknown, listType: 'set' | 'map'): VerifyError {
  const path = [...at, index].map((t) => `/${pointerToken(String(t))}`).join('');
  return { path, message: `Duplicate value: ${canonicalJson(value)} (a list of x-kubernetes-list-type ${listType})` };
}
