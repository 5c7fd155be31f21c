/**
 * Two manifests of one recommendation with the same kind, namespace and name are one object to
 * the API server: applying both keeps the last one, so the set verified is not the set applied
 * (a ClusterNetworkPolicy's name is cluster-wide, and two workloads' names can come out the same:
 * `x/pod/y-pod-z` and `x-pod-y/pod/z`, or an allowlist and another workload's `-isolation`).
 * Each such manifest is an admission error naming the intents that render the name.
 */
import type { ManifestSlot } from '../engines/emit-in-order.ts';
import { ANNOTATION_INTENT, manifestSortKey } from '../engines/metadata.ts';
import type { Manifest } from '../engines/types.ts';
import type { ManifestError } from './index.ts';

/** A manifest's slot for this check: its sort key, and its intent (the name when it carries none, as a manifest made by hand). */
export const nameSlot = (m: Manifest): ManifestSlot => ({ key: manifestSortKey(m), intent: m.metadata.annotations?.[ANNOTATION_INTENT] ?? m.metadata.name });

/** `Kind/namespace/name` (`Kind/name` when cluster-scoped) of a manifestSortKey. */
function idOf(key: string): string {
  const [kind, namespace, name] = key.split('\u0000');
  return `${kind}/${namespace ? `${namespace}/` : ''}${name}`;
}

/** One error per manifest whose kind, namespace and name another manifest of `slots` has too. */
export function duplicateNameErrors(slots: readonly ManifestSlot[]): { key: string; error: ManifestError }[] {
  const intents = new Map<string, string[]>();
  for (const s of slots) {
    const list = intents.get(s.key);
    if (list) list.push(s.intent);
    else intents.set(s.key, [s.intent]);
  }
  const out: { key: string; error: ManifestError }[] = [];
  for (const [key, list] of intents) {
    if (list.length < 2) continue;
    const rendered = [...list].sort().join(', ');
    for (let i = 0; i < list.length; i++) {
      out.push({ key, error: { manifest: idOf(key), path: '/metadata/name', message: `${list.length} manifests of this recommendation have this kind, namespace and name (intents ${rendered}): applying them keeps only the last, so what was verified is not what is applied` } });
    }
  }
  return out;
}
