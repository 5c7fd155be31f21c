import { POD_IDENTITY_LABEL_KEYS } from './pod-identity-labels.ts';

/**
 * Labels that controllers stamp on individual pods or revisions: they change with every rollout,
 * run or placement, so a selector built on them would stop matching the workload.
 */
const VOLATILE_KEYS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  ...POD_IDENTITY_LABEL_KEYS,
  'job-name',
  'controller-uid',
  // Argo Rollouts' DefaultRolloutUniqueLabelKey (argo-rollouts pkg/apis/rollouts/v1alpha1/types.go):
  // the pod-template-hash of a Rollout's ReplicaSet, new with every rollout.
  'rollouts-pod-template-hash',
  // CloudNativePG (cloudnative-pg pkg/utils/labels_annotations.go): ClusterInstanceRoleLabelName
  // flips between primary and replica on a switchover or failover; InstanceNameLabelName names one
  // instance, and a replaced instance comes back under a new name.
  'cnpg.io/instanceRole',
  'cnpg.io/instanceName',
  // Knative Serving (knative/serving pkg/apis/serving/register.go): per Revision.
  'serving.knative.dev/revision',
  'serving.knative.dev/revisionUID',
  'serving.knative.dev/configurationGeneration',
]);
const VOLATILE_PREFIXES = ['batch.kubernetes.io/', 'topology.kubernetes.io/', 'failure-domain.beta.kubernetes.io/'];

export function isVolatileLabel(key: string): boolean {
  return VOLATILE_KEYS.has(key) || VOLATILE_PREFIXES.some((p) => key.startsWith(p));
}


/**
 * The labels the API server puts in every Job's pod template (kubernetes pkg/apis/batch/types.go
 * JobNameLabel, ControllerUidLabel and their legacy unprefixed forms, set by the Job strategy's
 * generateSelector): whatever their values, only a Job's pods carry them.
 */
const JOB_LABEL_KEYS: ReadonlySet<string> = new Set(['batch.kubernetes.io/job-name', 'batch.kubernetes.io/controller-uid', 'job-name', 'controller-uid']);

export function isJobLabel(key: string): boolean {
  return JOB_LABEL_KEYS.has(key);
}
