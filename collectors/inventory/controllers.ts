import type { ContainerPort, LabelSelector, Labels } from '../../domain/inventory.ts';
import { readObject, type OwnerRef, type ReadObject } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { readPodSpec } from './pod-spec.ts';

export const CONTROLLER_KINDS = {
  'Deployment.apps': 'Deployment',
  'ReplicaSet.apps': 'ReplicaSet',
  'StatefulSet.apps': 'StatefulSet',
  'DaemonSet.apps': 'DaemonSet',
  'Job.batch': 'Job',
  'CronJob.batch': 'CronJob',
  ReplicationController: 'ReplicationController',
  'Rollout.argoproj.io': 'Rollout',
  'DeploymentConfig.apps.openshift.io': 'DeploymentConfig',
} as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[keyof typeof CONTROLLER_KINDS];

export function isControllerKey(key: string): key is keyof typeof CONTROLLER_KINDS {
  return Object.hasOwn(CONTROLLER_KINDS, key);
}

/** A pod controller and its pod template. */
export interface ControllerInfo {
  kind: ControllerKind;
  namespace: string;
  name: string;
  owner?: OwnerRef;
  /** spec.selector; CronJobs have none. */
  selector?: LabelSelector;
  /** The pod template's labels; absent when the object has no template (a Rollout with spec.workloadRef). */
  templateLabels?: Labels;
  hostNetwork: boolean;
  ports: ContainerPort[];
  serviceAccount?: string;
  /** Its template runs an `istio-proxy` container (domain/istio.ts). */
  istioProxy: boolean;
  label: string;
}

export function toController(raw: RawObject): ControllerInfo {
  const kind = CONTROLLER_KINDS[raw.key as keyof typeof CONTROLLER_KINDS];
  const { r, meta, label } = readObject(raw, 'namespaced');
  const spec = r.obj('spec');
  const jobSpec = kind === 'CronJob' ? spec.obj('jobTemplate').obj('spec') : spec;
  const template = OPTIONAL_TEMPLATE_KINDS.has(kind) ? jobSpec.optObj('template') : jobSpec.obj('template');
  const pod = template ? readPodSpec(template.obj('spec')) : undefined;
  const selector = kind === 'CronJob' ? undefined : MAP_SELECTOR_KINDS.has(kind) ? mapSelector(spec) : spec.optSelector('selector');
  return {
    kind,
    namespace: meta.namespace,
    name: meta.name,
    ...(meta.owner ? { owner: meta.owner } : {}),
    ...(selector ? { selector } : {}),
    ...(template ? { templateLabels: template.optObj('metadata')?.labels('labels') ?? {} } : {}),
    hostNetwork: pod?.hostNetwork ?? false,
    ports: pod?.ports ?? [],
    ...(pod?.serviceAccount ? { serviceAccount: pod.serviceAccount } : {}),
    istioProxy: pod?.istioProxy ?? false,
    label,
  };
}

/**
 * Kinds whose spec.template may be absent: a Rollout that takes its template from a Deployment
 * (spec.workloadRef, argo-rollouts "Migrating to Rollouts"), a ReplicationController or
 * DeploymentConfig (`+optional` in core/v1 ReplicationControllerSpec and openshift apps/v1
 * DeploymentConfigSpec). Their ReplicaSets, ReplicationControllers and pods then say what runs.
 */
const OPTIONAL_TEMPLATE_KINDS: ReadonlySet<ControllerKind> = new Set(['Rollout', 'ReplicationController', 'DeploymentConfig']);

/** Kinds whose spec.selector is a plain label map (core/v1 ReplicationControllerSpec, openshift apps/v1 DeploymentConfigSpec), not a LabelSelector. */
const MAP_SELECTOR_KINDS: ReadonlySet<ControllerKind> = new Set(['ReplicationController', 'DeploymentConfig']);

function mapSelector(spec: ReturnType<ReadObject['r']['obj']>): LabelSelector | undefined {
  const matchLabels = spec.labels('selector');
  return Object.keys(matchLabels).length > 0 ? { matchLabels } : undefined;
}
