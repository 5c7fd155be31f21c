import type { ContainerPort, LabelSelector, Labels } from '../../domain/inventory.ts';
import { readObject, type OwnerRef } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { readPodSpec } from './pod-spec.ts';

export const CONTROLLER_KINDS = {
  'Deployment.apps': 'Deployment',
  'ReplicaSet.apps': 'ReplicaSet',
  'StatefulSet.apps': 'StatefulSet',
  'DaemonSet.apps': 'DaemonSet',
  'Job.batch': 'Job',
  'CronJob.batch': 'CronJob',
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
  templateLabels: Labels;
  hostNetwork: boolean;
  ports: ContainerPort[];
  serviceAccount?: string;
  label: string;
}

export function toController(raw: RawObject): ControllerInfo {
  const kind = CONTROLLER_KINDS[raw.key as keyof typeof CONTROLLER_KINDS];
  const { r, meta, label } = readObject(raw, 'namespaced');
  const spec = r.obj('spec');
  const jobSpec = kind === 'CronJob' ? spec.obj('jobTemplate').obj('spec') : spec;
  const template = jobSpec.obj('template');
  const pod = readPodSpec(template.obj('spec'));
  const selector = kind === 'CronJob' ? undefined : spec.optSelector('selector');
  return {
    kind,
    namespace: meta.namespace,
    name: meta.name,
    ...(meta.owner ? { owner: meta.owner } : {}),
    ...(selector ? { selector } : {}),
    templateLabels: template.optObj('metadata')?.labels('labels') ?? {},
    hostNetwork: pod.hostNetwork,
    ports: pod.ports,
    ...(pod.serviceAccount ? { serviceAccount: pod.serviceAccount } : {}),
    label,
  };
}
