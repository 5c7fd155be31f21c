/**
 * Two manifests of one recommendation with the same kind, namespace and name are one object to
 * the API server: it refuses neither — applying the second is an update of the first (`kubectl
 * apply`), so the one applied last replaces the other and the set verified is not the set applied
 * (a ClusterNetworkPolicy's name is cluster-wide, network-policy-api apis/v1alpha2
 * clusternetworkpolicy_types.go `+kubebuilder:resource:scope=Cluster`; names are made apart in
 * policy/names.ts). Each such manifest is an error of the verification naming the intents that
 * render the name, marked `duplicateName`: front ends do not call it a refusal.
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
    const message = oneObjectMessage(key, list);
    for (let i = 0; i < list.length; i++) out.push({ key, error: { manifest: idOf(key), path: '/metadata/name', message, duplicateName: true } });
  }
  return out;
}

/** What applying the manifests of one `key` (by `intents`) does. */
function oneObjectMessage(key: string, intents: readonly string[]): string {
  const scoped = key.split('\u0000')[1] ? 'same kind, namespace and name' : 'same kind and name, cluster-scoped';
  const others = intents.length === 2 ? 'the other' : 'the others';
  return `${intents.length} manifests of this recommendation are one object to the API server (${scoped}; intents ${[...intents].sort().join(', ')}): it accepts each, and the one applied last replaces ${others}, so what was verified is not what is applied`;
}
