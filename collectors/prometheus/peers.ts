/**
 * Endpoints named by metric labels → the same peers the flow pipeline produces: every name goes
 * through the pipeline's ResolutionIndex (owner aliases ReplicaSet → Deployment, pod names, the
 * IP history at the count's time, Services → backends, the apiserver, nodes).
 *
 * A workload named without its kind (Istio `destination_workload`, Hubble `workload-name`) is
 * looked up among the stored workloads by namespace and name; when none or several match it is
 * not guessed: the series is skipped and counted (`unknown-workload`, `ambiguous-workload`), so a
 * workload the inventory does not know never becomes a peer of an invented kind. A workload named
 * with its kind resolves as a flow record carrying that owner would, known or not, when the kind is
 * one the owner model knows (a workload kind, Argo `Rollout` and OpenShift `DeploymentConfig`
 * among them, a ReplicaSet, a DeploymentConfig's ReplicationController).
 *
 * Any other kind (Hubble's `workload_kind` is the pod's controller kind, cilium
 * pkg/k8s/utils/workload.go GetWorkloadMetaFromPod: a `StrimziPodSet`, a CloudNativePG `Cluster`,
 * any CRD's) names pods the inventory holds as bare pods
 * (collectors/inventory/snapshot.ts), and a series names no pod or address to find them by:
 * `unsupported-workload-kind`. A flow record of such a pod still resolves, through its pod name or
 * address. Whatever the name, a side the index could only place as `unknown` with no address
 * (a Service it does not know: `unknown-service`) is never returned: that peer key no read parses.
 */
import type { EndpointMeta, FlowEndpoint, Protocol } from '../../domain/flow.ts';
import type { Workload } from '../../domain/inventory.ts';
import { isWorkloadKind, type WorkloadKind } from '../../domain/peer.ts';
import type { ResolutionIndex, ResolvedSide } from '../flows/resolve.ts';
import type { EndpointRef } from './series.ts';

export type UnresolvedReason = 'unknown-workload' | 'ambiguous-workload' | 'unsupported-workload-kind' | 'unknown-service' | 'before-history';

/** Why an endpoint was not resolved, and what it named (for the pass's examples). */
export interface Unresolved {
  reason: UnresolvedReason;
  /** The endpoint as the series named it: `ns/Kind/name`, `ns/name`, `name`. */
  value: string;
}

/** Owner kinds the resolution index turns into workloads: the workload kinds, a ReplicaSet, a DeploymentConfig's ReplicationController (resolve.ts fromOwner). */
const isModelledOwnerKind = (kind: string): boolean => isWorkloadKind(kind) || kind === 'ReplicaSet' || kind === 'ReplicationController';

/** An endpoint as a series names it. */
function refText(ref: EndpointRef): string {
  switch (ref.kind) {
    case 'workload':
      return [ref.namespace, ref.workloadKind, ref.name].filter((p) => p !== undefined && p !== '').join('/');
    case 'pod':
      return `${ref.namespace}/${ref.pod}`;
    case 'service':
      return `${ref.namespace}/${ref.name}`;
    case 'node':
      return ref.name;
    case 'ip':
      return ref.ip;
    case 'apiserver':
      return 'apiserver';
  }
}

export class PeerResolver {
  /** `namespace/name` and `name` → the kinds stored under that name. */
  private readonly byName = new Map<string, WorkloadKind[]>();
  private readonly byBareName = new Map<string, { namespace: string; kind: WorkloadKind }[]>();

  constructor(
    private readonly index: ResolutionIndex,
    workloads: readonly Workload[],
  ) {
    for (const w of workloads) {
      const key = `${w.namespace}/${w.name}`;
      this.byName.set(key, [...(this.byName.get(key) ?? []), w.kind]);
      this.byBareName.set(w.name, [...(this.byBareName.get(w.name) ?? []), { namespace: w.namespace, kind: w.kind }]);
    }
  }

  /**
   * The sides an endpoint resolves to at `time` (several for a Service with several backends); a
   * Service's port is the one of the series' protocol.
   */
  resolve(ref: EndpointRef, time: number, port?: number, protocol?: Protocol): ResolvedSide[] | Unresolved {
    const e = this.endpoint(ref, port);
    if (typeof e === 'string') return { reason: e, value: refText(ref) };
    const sides = this.index.resolve(e, time, { protocol });
    // An address is resolved through the IP history, which retention shortens (store/retention.ts).
    if (ref.kind === 'ip' && this.index.beforeHistory(time)) return { reason: 'before-history', value: refText(ref) };
    // A name resolved to nobody at no address (a Service the inventory does not know, a ReplicaSet
    // no Deployment owns): stored, `unknown:` would be a peer key no read parses.
    if (sides.some((s) => s.peer.kind === 'unknown' && s.peer.ip === '')) return { reason: ref.kind === 'service' ? 'unknown-service' : ref.kind === 'workload' && ref.workloadKind !== undefined ? 'unsupported-workload-kind' : 'unknown-workload', value: refText(ref) };
    return sides;
  }

  private endpoint(ref: EndpointRef, port: number | undefined): FlowEndpoint | UnresolvedReason {
    const at = (ip: string, meta?: EndpointMeta): FlowEndpoint => {
      const e: FlowEndpoint = { ip };
      if (port !== undefined) e.port = port;
      if (meta) e.meta = meta;
      return e;
    };
    switch (ref.kind) {
      case 'ip':
        return at(ref.ip);
      case 'pod':
        return at(ref.ip ?? '', { kind: 'pod', namespace: ref.namespace, podName: ref.pod });
      case 'node':
        return at('', { kind: 'node', name: ref.name });
      case 'service':
        return at('', { kind: 'service', namespace: ref.namespace, name: ref.name });
      case 'apiserver':
        return at('', { kind: 'reserved', identities: ['kube-apiserver'] });
      case 'workload': {
        if (ref.workloadKind && !isModelledOwnerKind(ref.workloadKind)) return 'unsupported-workload-kind';
        if (ref.workloadKind && ref.namespace) return at('', { kind: 'pod', namespace: ref.namespace, ownerKind: ref.workloadKind, ownerName: ref.name });
        if (ref.namespace) {
          const kinds = this.byName.get(`${ref.namespace}/${ref.name}`) ?? [];
          if (kinds.length !== 1) return kinds.length === 0 ? 'unknown-workload' : 'ambiguous-workload';
          return at('', { kind: 'pod', namespace: ref.namespace, ownerKind: kinds[0] as WorkloadKind, ownerName: ref.name });
        }
        const all = this.byBareName.get(ref.name) ?? [];
        if (all.length !== 1) return all.length === 0 ? 'unknown-workload' : 'ambiguous-workload';
        const only = all[0] as { namespace: string; kind: WorkloadKind };
        return at('', { kind: 'pod', namespace: only.namespace, ownerKind: only.kind, ownerName: ref.name });
      }
    }
  }
}
