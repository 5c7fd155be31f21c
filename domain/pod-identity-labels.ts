/**
 * Labels a pod gets from its own identity, not from its workload's template: the StatefulSet
 * controller sets `statefulset.kubernetes.io/pod-name` to the pod's name and
 * `apps.kubernetes.io/pod-index` to its ordinal, the number its name ends with
 * (kubernetes pkg/controller/statefulset/stateful_set_utils.go updateIdentity, the ordinal read
 * by getParentNameAndOrdinal from `(.*)-([0-9]+)$`). The index label comes with the feature gate
 * PodIndexLabel: beta and on by default from Kubernetes 1.28, GA from 1.32 (Kubernetes docs
 * "StatefulSets", "Pod index label"); older clusters do not set it.
 *
 * They differ from one pod of a workload to the next, so the inventory keeps them out of workload
 * labels (collectors/inventory/labels.ts); where a flow names a pod, the simulators give it them.
 */
import type { Labels } from './inventory.ts';
import type { WorkloadRef } from './peer.ts';

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The keys of the labels `podIdentityLabels` gives. */
export const POD_IDENTITY_LABEL_KEYS: ReadonlySet<string> = new Set([STATEFULSET_POD_NAME_LABEL, POD_INDEX_LABEL]);

const ORDINAL = /^(.*)-([0-9]+)$/;

/** The labels pod `pod` of `workload` gets from its name; none for other kinds, or a name the StatefulSet controller would not give. */
export function podIdentityLabels(workload: WorkloadRef, pod: string): Labels {
  if (workload.kind !== 'StatefulSet') return {};
  const m = ORDINAL.exec(pod);
  // The controller names pod i `<set>-<i>` (getPodName) and parses the ordinal as an int32; strconv.Itoa writes it back without leading zeros.
  if (m === null || m[1] !== workload.name) return {};
  const ordinal = Number(m[2]);
  if (!Number.isSafeInteger(ordinal) || ordinal > 2 ** 31 - 1) return {};
  return { [STATEFULSET_POD_NAME_LABEL]: pod, [POD_INDEX_LABEL]: String(ordinal) };
}
