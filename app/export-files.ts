/**
 * The files of an export (`export --out DIR`, cli/export-dir.ts; the tar bundle of
 * `GET /api/v1/export?format=bundle`): one per manifest, `<namespace>/<kind>-<name>.yaml`,
 * cluster-scoped ones under `_cluster/`. Two manifests of one kind, namespace and name (exported
 * only unverified: verify/duplicate-names.ts) have one file, where the second would silently
 * replace the first: both writers refuse them, naming the file and both manifests.
 */

import { ANNOTATION_INTENT } from '../recommender/engines/metadata.ts';

export type ManifestName = { kind: string; metadata: { namespace?: string | undefined; name: string; annotations?: Record<string, string> | undefined } };

/** The file of one manifest, relative to the directory. */
export function manifestPath(m: ManifestName): string {
  return `${m.metadata.namespace ?? '_cluster'}/${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
}

/** Finds manifests whose file another one has already taken; `add` answers the refusal's message, or undefined. */
export class ExportFiles {
  private readonly intentAt = new Map<string, string>();

  add(m: ManifestName): string | undefined {
    const rel = manifestPath(m);
    const intent = m.metadata.annotations?.[ANNOTATION_INTENT] ?? m.metadata.name;
    const first = this.intentAt.get(rel);
    if (first !== undefined) return `two manifests of this recommendation have the kind, namespace and name of ${rel} (intents ${first} and ${intent}): one file cannot hold both, and the API server keeps only the one applied last`;
    this.intentAt.set(rel, intent);
    return undefined;
  }
}
