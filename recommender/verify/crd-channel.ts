/**
 * What the network-policy-api's standard-channel CRDs refuse that the experimental channel's
 * accept: a field of the experimental channel only (`<network-policy-api:experimental>`: egress
 * `nodes` and `domainNames` peers, v1alpha2 `destinationNamedPort` since network-policy-api#392,
 * v1alpha1 `namedPort`). The standard channel's structural schema has no such field: strict field
 * validation (kubectl's default) refuses it as unknown, and pruning it leaves a peer or protocol
 * with no field, which the CRD's `minProperties: 1` refuses. Said per field, with the channel
 * (VerifyError.crdChannel): flowmatrix's own output must apply on the standard channel.
 */
import { isPlainObject } from '../../domain/plain-object.ts';
import { pointerToken } from './json-pointer.ts';
import { experimentalFieldsOf } from './schemas.ts';
import type { VerifyError } from './types.ts';

/** The manifest's experimental-channel fields, each as a standard-channel refusal at its JSON pointer. */
export function standardChannelErrors(manifest: unknown): VerifyError[] {
  if (!isPlainObject(manifest)) return [];
  const fields = experimentalFieldsOf(String(manifest.apiVersion), String(manifest.kind));
  const out: VerifyError[] = [];
  for (const [pattern, byName] of Object.entries(fields)) {
    const names = Object.keys(byName);
    eachAt(manifest, pattern.split('/').slice(1), 0, [], (value, path) => {
      for (const field of names) {
        if (value[field] !== undefined) out.push({ path: pointer([...path, field]), message: `${field} is a field of the network-policy-api experimental channel only (<network-policy-api:experimental>), unknown to the standard channel's CRD`, crdChannel: 'standard' });
      }
    });
  }
  return out;
}

/**
 * Calls `found` with each object at a path pattern's tokens from `i` on (`*`: every item of an
 * array), in document order, with the tokens of its path. `path` grows and shrinks as the walk
 * goes: a JSON pointer is made of it only for a refusal (the walk meets every peer and protocol
 * of every rule, nearly none of them with an experimental field).
 */
function eachAt(value: unknown, tokens: readonly string[], i: number, path: (string | number)[], found: (value: Record<string, unknown>, path: readonly (string | number)[]) => void): void {
  if (i === tokens.length) {
    if (isPlainObject(value)) found(value, path);
    return;
  }
  const head = tokens[i]!;
  if (head === '*') {
    if (!Array.isArray(value)) return;
    value.forEach((item, k) => {
      path.push(k);
      eachAt(item, tokens, i + 1, path, found);
      path.pop();
    });
  } else if (isPlainObject(value) && value[head] !== undefined) {
    path.push(head);
    eachAt(value[head], tokens, i + 1, path, found);
    path.pop();
  }
}

function pointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${pointerToken(String(t))}`).join('');
}
