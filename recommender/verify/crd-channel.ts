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
    for (const { value, path } of at(manifest, pattern.split('/').slice(1), '')) {
      if (!isPlainObject(value)) continue;
      for (const field of Object.keys(byName)) {
        if (value[field] !== undefined) out.push({ path: `${path}/${pointerToken(field)}`, message: `${field} is a field of the network-policy-api experimental channel only (<network-policy-api:experimental>), unknown to the standard channel's CRD`, crdChannel: 'standard' });
      }
    }
  }
  return out;
}

/** The values at a path pattern's tokens (`*`: every item of an array), with their JSON pointers. */
function at(value: unknown, tokens: readonly string[], path: string): { value: unknown; path: string }[] {
  if (tokens.length === 0) return [{ value, path }];
  const [head, ...rest] = tokens as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((item, i) => at(item, rest, `${path}/${i}`)) : [];
  return isPlainObject(value) && value[head] !== undefined ? at(value[head], rest, `${path}/${pointerToken(head)}`) : [];
}
