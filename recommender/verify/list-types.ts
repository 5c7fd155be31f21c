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
import type { VerifyError } from './types.ts';

type Schema = Record<string, unknown>;

/** The errors of `value` under `schema`, walked as upstream does: properties, additionalProperties, items. */
export function listTypeErrors(schema: unknown, value: unknown, path = ''): VerifyError[] {
  if (!isPlainObject(schema)) return [];
  if (Array.isArray(value)) return arrayErrors(schema, value, path);
  if (!isPlainObject(value)) return [];
  const out: VerifyError[] = [];
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  for (const [k, v] of Object.entries(value)) {
    const sub = Object.hasOwn(properties, k) ? properties[k] : schema.additionalProperties;
    for (const e of listTypeErrors(sub, v, `${path}/${escapePointer(k)}`)) out.push(e);
  }
  return out;
}

function arrayErrors(schema: Schema, items: readonly unknown[], path: string): VerifyError[] {
  const out: VerifyError[] = [];
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of secondAppearances(items)) out.push(duplicate(path, i, items[i], 'set'));
  } else if (listType === 'map') {
    const keys = items.map((item) => mapKey(schema, item));
    for (const i of secondAppearances(keys)) out.push(duplicate(path, i, keys[i], 'map'));
  }
  items.forEach((item, i) => {
    for (const e of listTypeErrors(schema.items, item, `${path}/${i}`)) out.push(e);
  });
  return out;
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
  values.forEach((v, i) => {
    const text = canonicalJson(v);
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

function duplicate(path: string, index: number, value: unknown, listType: 'set' | 'map'): VerifyError {
  return { path: `${path}/${index}`, message: `Duplicate value: ${canonicalJson(value)} (a list of x-kubernetes-list-type ${listType})` };
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped. */
function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
