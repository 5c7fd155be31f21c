/**
 * Endpoints named by metric labels → the same peers the flow pipeline produces: every name goes
 * through the pipeline's ResolutionIndex (owner aliases ReplicaSet → Deployment, pod names, the
 * IP history at the count's time, Services → backends, the apiserver, nodes).
 *
 * A workload named without its kind (Istio `destination_workload`, Hubble `workload-name`) is
 * looked up among the stored workloads by namespace and name; when none or several match it is
 * not guessed: the series is skipped and counted (`unknown-workload`, `ambiguous-workload`), so a
 * workload the inventory does not know never becomes a peer of an invented kind. A workload named
 * with its kind resolves as a flow record carrying that owner would, known or not.
 */
import type { EndpointMeta, FlowEndpoint } from '../../domain/flow.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { WorkloadKind } from '../../domain/peer.ts';
import type { ResolutionIndex, ResolvedSide } from '../flows/resolve.ts';
import type { EndpointRef } from './series.ts';

export type UnresolvedReason = 'unknown-workload' | 'ambiguous-workload';

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

  /** The sides an endpoint resolves to at `time` (several for a Service with several backends). */
  resolve(ref: EndpointRef, time: number, port?: number): ResolvedSide[] | UnresolvedReason {
    const e = this.endpoint(ref, port);
    return typeof e === 'string' ? e : this.index.resolve(e, time);
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
