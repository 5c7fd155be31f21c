/**
 * A walk over a manifest's fields with their JSON pointers, for the checks that look for one kind
 * of field wherever a policy may hold it (a selector in a subject, a peer, a rule): `visit` is
 * called for each field of each object, in document order, with its key, value, pointer and the
 * key of the object that holds it; the walk goes into the value unless `visit` answers false.
 * Array items are walked, their index the pointer token.
 */
export function walkFields(value: unknown, path: string, visit: (key: string, value: unknown, path: string, parent: string) => boolean, parent = ''): void {
  if (Array.isArray(value)) {
    value.forEach((x, i) => walkFields(x, `${path}/${i}`, visit, parent));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, x] of Object.entries(value)) {
    const at = `${path}/${k}`;
    if (visit(k, x, at, parent)) walkFields(x, at, visit, k);
  }
}

/**
 * walkFields without the pointers, for a walk that needs none (volatileKeysSelected, over every
 * manifest of a verification): the same fields in the same order, with the key of the object
 * holding each; the walk goes into a value unless `visit` answers false.
 */
export function eachField(value: unknown, visit: (key: string, value: unknown, parent: string) => boolean, parent = ''): void {
  if (Array.isArray(value)) {
    for (const x of value) eachField(x, visit, parent);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const k of Object.keys(value)) {
    const x = (value as Record<string, unknown>)[k];
    if (visit(k, x, parent)) eachField(x, visit, k);
  }
}
