import type { ContainerPort, Labels } from '../../domain/inventory.ts';
import type { FieldReader } from './fields.ts';
import { readObject, type OwnerRef } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { readPodSpec } from './pod-spec.ts';
import { SIDECAR_STATUS_ANNOTATION } from '../../domain/istio.ts';

export interface PodInfo {
  namespace: string;
  name: string;
  /** metadata.uid: tells a pod from one created again under its name (domain/inventory.ts PodIdentity). */
  uid?: string;
  labels: Labels;
  owner?: OwnerRef;
  hostNetwork: boolean;
  ports: ContainerPort[];
  serviceAccount?: string;
  /** An `istio-proxy` container, or the injector's `sidecar.istio.io/status` annotation (domain/istio.ts). */
  istioProxy: boolean;
  node?: string;
  /** status.podIPs (or status.podIP); empty while Pending. */
  ips: string[];
  /** Succeeded and Failed pods have given their IP back: it may already belong to another pod. */
  terminated: boolean;
  /** When a terminated pod let its IP go: its last container's end, else its conditions' last transition (finishedAt). */
  finishedAt?: number;
  /** When the pod started holding its IP: status.startTime, else metadata.creationTimestamp (ms). */
  since?: number;
  /** `items[3] Pod ns/name`, for messages. */
  label: string;
}

export function toPod(raw: RawObject): PodInfo {
  const { r, meta, label } = readObject(raw, 'namespaced');
  const spec = readPodSpec(r.obj('spec'));
  const status = r.optObj('status');
  let ips = new Set<string>();
  for (const p of status?.objects('podIPs') ?? []) ips.add(p.ip('ip'));
  const single = status?.optIp('podIP');
  // Both given and the first differs: podIP is authoritative and podIPs becomes [podIP], as the API
  // server converts it (kubernetes pkg/apis/core/v1/conversion.go, Convert_v1_PodStatus_To_core_PodStatus,
  // like podCIDR over podCIDRs in Convert_v1_NodeSpec_To_core_NodeSpec).
  if (single && ips.size > 0 && ips.values().next().value !== single) ips = new Set([single]);
  if (single) ips.add(single);
  const phase = status?.optStr('phase');
  const terminated = phase === 'Succeeded' || phase === 'Failed';
  const finished = terminated && status ? finishedAt(status) : undefined;
  const node = r.obj('spec').optName('nodeName', 'subdomain');
  const since = status?.optTime('startTime') ?? meta.createdAt;
  const uid = r.obj('metadata').optStr('uid');
  return {
    namespace: meta.namespace,
    name: meta.name,
    ...(uid ? { uid } : {}),
    labels: meta.labels,
    ...(meta.owner ? { owner: meta.owner } : {}),
    hostNetwork: spec.hostNetwork,
    ports: spec.ports,
    ...(spec.serviceAccount ? { serviceAccount: spec.serviceAccount } : {}),
    istioProxy: spec.istioProxy || r.obj('metadata').optObj('annotations')?.optStr(SIDECAR_STATUS_ANNOTATION) !== undefined,
    ...(node ? { node } : {}),
    ips: [...ips].sort(),
    terminated,
    ...(finished !== undefined ? { finishedAt: finished } : {}),
    ...(since !== undefined ? { since } : {}),
    label,
  };
}

/**
 * When a terminated pod let its IP go: when its last container finished — the latest
 * `state.terminated.finishedAt` of its containers, init containers (a restartable one, a sidecar,
 * outlives the others) and ephemeral containers. The kubelet tears the pod's network down as it
 * terminates — the runtime reports no IP for it any more, while the status keeps the one it had
 * (kubernetes/kubernetes#47806, #125370) — so the pod held that IP until then.
 *
 * Where no container says so, the latest `lastTransitionTime` of its conditions: a pod failed by
 * another than its kubelet keeps the container states it last had (running, no finishedAt) — the
 * pod garbage collector, its node gone, only sets phase Failed and adds the DisruptionTarget
 * condition, reason DeletionByPodGC, at that time (kubernetes pkg/controller/podgc gc_controller.go
 * gcOrphaned; kubernetes.io "Pod Lifecycle", Pod disruption conditions) — and the kubelet turns
 * Ready and PodReadyToStartContainers False as it stops the pod and its sandbox. By then it held no
 * IP any more. Undefined: neither says when.
 */
function finishedAt(status: FieldReader): number | undefined {
  let last: number | undefined;
  for (const list of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
    for (const c of status.objects(list)) {
      const t = c.optObj('state')?.optObj('terminated')?.optTime('finishedAt');
      if (t !== undefined && (last === undefined || t > last)) last = t;
    }
  }
  if (last !== undefined) return last;
  for (const c of status.objects('conditions')) {
    const t = c.optTime('lastTransitionTime');
    if (t !== undefined && (last === undefined || t > last)) last = t;
  }
  return last;
}
