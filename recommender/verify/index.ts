/**
 * Verifies an emitted manifest as the engine's API server would take it: structure against the
 * real schema of its apiVersion/kind, a custom resource's lists of type set and map (list-types.ts),
 * the metadata every Kubernetes object needs (a DNS-1123 name), the fields a network-policy-api
 * CRD channel lacks (crd-channel.ts), then the engine's own admission
 * rules (admission/): the CEL rules, the validators and the agent's checks that a schema does not carry.
 */
import { manifestId } from '../engines/manifest-id.ts';
import { engineAdmissionErrors } from './admission/index.ts';
import { listTypeErrors } from './list-types.ts';
import { crdSchemaFor, quickValidatorFor, validatorFor, withCrdDefaults } from './schemas.ts';
import type { CiliumPolicySettings } from '../../domain/inventory.ts';
import type { CrdChannel, VerifyError } from './types.ts';
import { standardChannelErrors } from './crd-channel.ts';

export type { CrdChannel, VerifyError } from './types.ts';
export { SCHEMA_FILES } from './schemas.ts';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `cilium`: the cluster's cilium-config settings, when known: the Cilium agent's refusals depend on some (admission/cilium.ts). */
export function verifyManifest(manifest: unknown, cilium?: CiliumPolicySettings): VerifyError[] {
  if (typeof manifest !== 'object' || manifest === null) return [{ path: '', message: 'a manifest must be an object' }];
  const m = manifest as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const valid = quickValidatorFor(String(m.apiVersion), String(m.kind));
  if (!valid) return [{ path: '/kind', message: `no schema for apiVersion ${String(m.apiVersion)} kind ${String(m.kind)}` }];
  const errors: VerifyError[] = [];
  // Every error of a manifest the quick check refuses (schemas.ts: most manifests are valid). The
  // API server validates a custom resource with its CRD's defaults filled in (a port's protocol
  // `TCP`): a manifest that leaves them out is checked again so.
  let checked: unknown = manifest;
  let ok = valid(manifest);
  if (!ok && (checked = withCrdDefaults(manifest)) !== manifest) ok = valid(checked);
  const validate = ok ? undefined : validatorFor(String(m.apiVersion), String(m.kind))!;
  if (validate && !validate(checked)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
      errors.push({ path: e.instancePath, message: `${e.message ?? e.keyword}${extra}` });
    }
  }
  errors.push(...listTypeErrors(crdSchemaFor(String(m.apiVersion), String(m.kind)), manifest));
  const name = m.metadata?.name;
  // No name at all is the API server's "name or generateName is required" (apimachinery
  // ValidateObjectMeta), for every kind; a NetworkPolicy's admission says it already.
  const nameError =
    name === undefined || name === null || name === ''
      ? { path: '/metadata/name', message: 'name or generateName is required' }
      : typeof name !== 'string' || name.length > 253 || !NAME.test(name)
        ? { path: '/metadata/name', message: `name ${JSON.stringify(name)} is not a DNS-1123 subdomain` }
        : undefined;
  if (nameError) errors.push(nameError);
  const said = (e: VerifyError): boolean => nameError !== undefined && e.path === nameError.path && e.message === nameError.message;
  return [...errors, ...standardChannelErrors(manifest), ...engineAdmissionErrors(manifest, cilium).filter((e) => !said(e))];
}

/** Every error of every manifest, each path prefixed with the manifest's index. */
export function verifyManifests(manifests: readonly unknown[]): VerifyError[] {
  return manifests.flatMap((m, i) => verifyManifest(m).map((e) => ({ path: `[${i}]${e.path}`, message: e.message })));
}

/** One manifest's problem, named by the manifest. */
export interface ManifestError {
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped kinds. */
  manifest: string;
  /** JSON pointer into the manifest. */
  path: string;
  message: string;
  /** See VerifyError.featureGate. */
  featureGate?: string;
  /** See VerifyError.crdChannel. */
  crdChannel?: CrdChannel;
  /** Another manifest of the set is the same object (verify/duplicate-names.ts): accepted, and replaced by or replacing it. */
  duplicateName?: true;
}

export { manifestId };

/** What the engine would refuse of each manifest: schema, metadata and admission (`cilium` as verifyManifest's). */
export function manifestErrors(manifests: readonly unknown[], cilium?: CiliumPolicySettings): ManifestError[] {
  return manifests.flatMap((m) => namedErrors(m, verifyManifest(m, cilium)));
}

/** A manifest's errors, each named by the manifest. */
export function namedErrors(manifest: unknown, errors: readonly VerifyError[]): ManifestError[] {
  if (errors.length === 0) return [];
  const id = manifestId(manifest);
  return errors.map((e) => ({
    manifest: id,
    path: e.path,
    message: e.message,
    ...(e.featureGate !== undefined ? { featureGate: e.featureGate } : {}),
    ...(e.crdChannel !== undefined ? { crdChannel: e.crdChannel } : {}),
  }));
}
