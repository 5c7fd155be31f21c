/**
 * What each engine's API server, agent or validating webhook refuses that a JSON schema does not
 * catch, by the manifest's apiVersion: one module per engine, each check citing the upstream
 * rule it mirrors. A manifest with any such error is one the engine will not apply.
 */
import type { CiliumPolicySettings } from '../../../domain/inventory.ts';
import type { VerifyError } from '../types.ts';
import { admissionErrorsCalico } from './calico.ts';
import { admissionErrorsCilium } from './cilium.ts';
import { admissionErrorsClusterNetworkPolicy } from './clusternetworkpolicy.ts';
import { admissionErrorsKubernetes } from './kubernetes.ts';

/** Each engine's check; `cilium` the cluster's cilium-config settings, which change what the Cilium agent refuses. */
const BY_API_VERSION: Readonly<Record<string, (m: unknown, cilium?: CiliumPolicySettings) => VerifyError[]>> = {
  'networking.k8s.io/v1': admissionErrorsKubernetes,
  'cilium.io/v2': admissionErrorsCilium,
  'projectcalico.org/v3': admissionErrorsCalico,
  'policy.networking.k8s.io/v1alpha1': admissionErrorsClusterNetworkPolicy,
  'policy.networking.k8s.io/v1alpha2': admissionErrorsClusterNetworkPolicy,
};

/** What the engine refuses of the manifest; `cilium`: the cluster's cilium-config settings, when known (not known: the agent's defaults). */
export function engineAdmissionErrors(manifest: unknown, cilium?: CiliumPolicySettings): VerifyError[] {
  const apiVersion = typeof manifest === 'object' && manifest !== null ? (manifest as { apiVersion?: unknown }).apiVersion : undefined;
  const check = typeof apiVersion === 'string' ? BY_API_VERSION[apiVersion] : undefined;
  return check ? check(manifest, cilium) : [];
}
