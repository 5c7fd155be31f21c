/**
 * What each engine's API server, agent or validating webhook would refuse: the bundled schema,
 * then the engine's own admission rules (one module per engine, each check citing the upstream
 * rule it mirrors). A manifest with any such error is one the engine will not apply.
 */
import { verifyManifest } from '../index.ts';

export interface ManifestError {
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped kinds. */
  manifest: string;
  /** JSON pointer into the manifest. */
  path: string;
  message: string;
}

export function manifestId(m: unknown): string {
  const o = (typeof m === 'object' && m !== null ? m : {}) as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const ns = o.metadata?.namespace;
  return `${String(o.kind)}/${typeof ns === 'string' ? `${ns}/` : ''}${String(o.metadata?.name)}`;
}

export function admissionErrors(manifests: readonly unknown[]): ManifestError[] {
  return manifests.flatMap((m) => verifyManifest(m).map((e) => ({ manifest: manifestId(m), path: e.path, message: e.message })));
}
