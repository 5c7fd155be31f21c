/**
 * The engines' admission checks (recommender/verify/admission/) over a list of manifests, as
 * `Kind/namespace/name path: message` lines: what the Cilium agent or Calico's validator refuses.
 */
import type { Manifest } from '../../recommender/engines/types.ts';
import { admissionErrorsCalico } from '../../recommender/verify/admission/calico.ts';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';
import { manifestId } from '../../recommender/verify/index.ts';
import type { VerifyError } from '../../recommender/verify/types.ts';

function problems(manifests: readonly Manifest[], check: (m: unknown) => VerifyError[]): string[] {
  return manifests.flatMap((m) => check(m).map((e) => `${manifestId(m)} ${e.path}: ${e.message}`));
}

export const ciliumRuleProblems = (manifests: readonly Manifest[]): string[] => problems(manifests, admissionErrorsCilium);
export const calicoRuleProblems = (manifests: readonly Manifest[]): string[] => problems(manifests, admissionErrorsCalico);
