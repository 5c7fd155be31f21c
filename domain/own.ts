/**
 * A record's own entry for a key that comes from input (a matrix role, a parameter, a document
 * name): `record[key]` would also find what every object inherits — a role named `constructor`
 * is a valid DNS label, and `record.constructor` is `Object`.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
