/**
 * Verifies an emitted manifest: structure against the real schema of its apiVersion/kind, then
 * the CEL-level rules the schema does not carry (see semantic.ts), plus the metadata every
 * Kubernetes object needs (a DNS-1123 name).
 */
import { semanticErrors, type VerifyError } from './semantic.ts';
import { validatorFor } from './schemas.ts';

export type { VerifyError } from './semantic.ts';
export { SCHEMA_FILES } from './schemas.ts';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function verifyManifest(manifest: unknown): VerifyError[] {
  if (typeof manifest !== 'object' || manifest === null) return [{ path: '', message: 'a manifest must be an object' }];
  const m = manifest as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const validate = validatorFor(String(m.apiVersion), String(m.kind));
  if (!validate) return [{ path: '/kind', message: `no schema for apiVersion ${String(m.apiVersion)} kind ${String(m.kind)}` }];
  const errors: VerifyError[] = [];
  if (!validate(manifest)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
      errors.push({ path: e.instancePath, message: `${e.message ?? e.keyword}${extra}` });
    }
  }
  const name = m.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !NAME.test(name)) {
    errors.push({ path: '/metadata/name', message: `name ${JSON.stringify(name)} is not a DNS-1123 subdomain` });
  }
  return [...errors, ...semanticErrors(manifest)];
}

/** Every error of every manifest, each path prefixed with the manifest's index. */
export function verifyManifests(manifests: readonly unknown[]): VerifyError[] {
  return manifests.flatMap((m, i) => verifyManifest(m).map((e) => ({ path: `[${i}]${e.path}`, message: e.message })));
}
