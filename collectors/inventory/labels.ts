import type { LabelSelector, Labels } from '../../domain/inventory.ts';
import { isVolatileLabel } from '../../domain/volatile-labels.ts';
import type { WorkloadRef } from '../../domain/peer.ts';
import type { OwnerRef } from './metadata.ts';

export { isVolatileLabel };

const NONE: ReadonlySet<string> = new Set();

/** `stamped`: ordinary keys the pods' controller sets per revision or instance (controllerStampedKeys). */
export function withoutVolatile(labels: Labels, stamped: ReadonlySet<string> = NONE): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) if (!isVolatileLabel(k) && !stamped.has(k)) out[k] = labels[k] as string;
  return out;
}

/**
 * Keys that are ordinary user labels elsewhere but that the controller of these pods stamps with a
 * value of one revision or instance, so a selector on them stops matching after the next rollout.
 * Decided by the owner chain, never by the key alone. `owner`: the pods' controlling owner;
 * `workload`: what the chain resolved to.
 */
export function controllerStampedKeys(labels: Labels, owner: OwnerRef | undefined, workload: WorkloadRef): string[] {
  const out: string[] = [];
  // The DeploymentConfig controller labels each deployment's pods deployment=<ReplicationController
  // name> (`frontend-1`, then `frontend-2`); `deploymentconfig` is the stable one (openshift/library-go
  // pkg/apps/appsutil/const.go DeploymentLabel, DeploymentConfigLabel).
  if (owner?.kind === 'ReplicationController' && workload.kind === 'DeploymentConfig' && labels.deployment === owner.name) out.push('deployment');
  // CloudNativePG's deprecated ClusterRoleLabelName, `role`: primary or replica, on the pods of a Cluster.
  if (owner?.kind === 'Cluster' && owner.group === 'postgresql.cnpg.io' && labels.role !== undefined) out.push('role');
  // Knative sets `app` to the revision name unless the user gave one (knative/serving
  // pkg/reconciler/revision/resources/meta.go makeLabels): equal to its own revision label, it is Knative's.
  const revision = labels['serving.knative.dev/revision'];
  if (revision !== undefined && labels.app === revision) out.push('app');
  return out;
}

/** A selector that only names volatile keys (the Job controller's generated controller-uid selector) picks one run, not the workload. */
export function isVolatileSelector(s: LabelSelector): boolean {
  const keys = [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)];
  return keys.length > 0 && keys.every(isVolatileLabel);
}

export function selectorFromLabels(labels: Labels, stamped: ReadonlySet<string> = NONE): LabelSelector {
  const stable = withoutVolatile(labels, stamped);
  return Object.keys(stable).length > 0 ? { matchLabels: stable } : {};
}

