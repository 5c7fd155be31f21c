/**
 * Istio's data planes as the inventory shows them, and the traffic they put on the wire that a
 * network policy must allow. The rules, from Istio's own pages:
 *
 * - istio.io/latest/docs/ambient/usage/networkpolicy ("Ambient and Kubernetes NetworkPolicy"):
 *   ambient's L4 overlay tunnels traffic between mesh pods over port 15008 (HBONE), and
 *   NetworkPolicy is enforced outside the pod, so it sees 15008, not the original port; "Sidecar
 *   workloads receiving traffic will also need to allow inbound traffic on port 15008 to allow
 *   ambient workloads to communicate with them". Kubelet health probes to ambient pods are SNATed
 *   by istio-cni to the link-local 169.254.7.127, which a default-deny policy must allow.
 * - istio.io/latest/docs/ambient/install/platform-prerequisites ("Platform-Specific
 *   Prerequisites", Cilium): Cilium allows node-level probes on its own, not the SNATed ones: a
 *   default-deny needs `fromCIDR: 169.254.7.127/32`.
 * - istio.io/latest/docs/ops/deployment/application-requirements ("Ports used by Istio"): 15008
 *   is the HBONE mTLS tunnel port; istiod serves "XDS and CA services (TLS and mTLS, recommended
 *   for production)" on 15012: every proxy gets its configuration and certificates there.
 * - istio/istio cni/pkg/nodeagent: HostProbeSNATIP 169.254.7.127, HostProbeSNATIPV6
 *   fd16:9254:7127:1337:ffff:ffff:ffff:ffff (the istio-cni defaults).
 */
import type { Labels, Namespace, Workload } from './inventory.ts';
import { workloadKey, type Peer } from './peer.ts';

/** HBONE, the mTLS tunnel port of ztunnel and of sidecars that accept ambient traffic. */
export const HBONE_PORT = 15008;
/** istiod's XDS and CA port (TLS and mTLS). */
export const ISTIOD_XDS_PORT = 15012;
/** The addresses istio-cni SNATs kubelet probes of ambient pods to (IPv4, IPv6). */
export const AMBIENT_PROBE_SOURCES: readonly string[] = ['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff'];
/** A namespace or pod label: `ambient` enrols it in ambient mode, `none` keeps a pod out (istio.io docs/ambient/usage/add-workloads). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** The container Istio injects as a sidecar, and runs in its gateways and ztunnel. */
export const ISTIO_PROXY_CONTAINER = 'istio-proxy';
/** The annotation the sidecar injector puts on every pod it injected. */
export const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';
/** The label istiod's pods carry (the istiod chart's Deployment and Service selector: app=istiod, istio=pilot). */
export const ISTIOD_LABELS: Readonly<Labels> = { app: 'istiod' };

/**
 * How a workload's pods are in the mesh: `ambient` (ztunnel carries their traffic), `proxy` (an
 * Istio proxy in the pod: a sidecar, a gateway), or `none`.
 */
export type Dataplane = 'ambient' | 'proxy' | 'none';

/**
 * A pod with a proxy of its own is not captured by ambient; otherwise the pod's
 * `istio.io/dataplane-mode` decides (`none` opts a pod out of an ambient namespace), then its namespace's.
 */
export function dataplaneOf(w: Pick<Workload, 'labels' | 'istioProxy' | 'hostNetwork'>, namespaceLabels: Labels | undefined): Dataplane {
  if (w.istioProxy === true) return 'proxy';
  if (w.hostNetwork) return 'none';
  const own = w.labels[DATAPLANE_MODE_LABEL];
  if (own !== undefined) return own === 'ambient' ? 'ambient' : 'none';
  return namespaceLabels?.[DATAPLANE_MODE_LABEL] === 'ambient' ? 'ambient' : 'none';
}

/**
 * Whether a connection from `client` to `server` is tunnelled as HBONE (on the wire: to the
 * server pod on 15008/TCP): to an ambient pod from any mesh workload, and to a sidecar from an
 * ambient one. A client outside the mesh reaches an ambient pod on the original port (ztunnel
 * captures it inside the pod, after the policy).
 */
export function tunnelled(client: Dataplane, server: Dataplane): boolean {
  return (server === 'ambient' && client !== 'none') || (server === 'proxy' && client === 'ambient');
}

const isIstiod = (w: Workload): boolean => !w.hostNetwork && Object.entries(ISTIOD_LABELS).every(([k, v]) => w.labels[k] === v);

/** The mesh as the inventory shows it: each workload's data plane, and istiod. */
export class MeshView {
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly planes = new Map<string, Dataplane>();
  /** Workloads whose data plane rests on a namespace label the inventory does not list. */
  private readonly undecided = new Set<string>();
  /** istiod's workloads (every revision), sorted by key. */
  readonly istiod: readonly Workload[];
  /** Whether any workload is in the mesh at all. */
  readonly any: boolean;

  constructor(workloads: readonly Workload[], namespaces: readonly Namespace[]) {
    for (const n of namespaces) this.namespaceLabels.set(n.name, n.labels);
    let any = false;
    for (const w of workloads) {
      const d = dataplaneOf(w, this.namespaceLabels.get(w.namespace));
      this.planes.set(workloadKey(w), d);
      if (!w.istioProxy && !w.hostNetwork && w.labels[DATAPLANE_MODE_LABEL] === undefined && !this.namespaceLabels.has(w.namespace)) this.undecided.add(workloadKey(w));
      if (d !== 'none') any = true;
    }
    this.any = any;
    this.istiod = workloads.filter(isIstiod).sort((a, b) => (workloadKey(a) < workloadKey(b) ? -1 : 1));
  }

  /** Whether the inventory tells the peer's data plane: not for a workload whose ambient mode would come from a namespace it does not list. */
  decided(p: Peer): boolean {
    return p.kind !== 'workload' || !this.undecided.has(workloadKey(p.workload));
  }

  /** A peer's data plane: only workloads are in the mesh. */
  dataplane(p: Peer): Dataplane {
    return p.kind === 'workload' ? (this.planes.get(workloadKey(p.workload)) ?? 'none') : 'none';
  }

  /** The edge's connection is HBONE on the wire. */
  tunnelled(client: Peer, server: Peer): boolean {
    return tunnelled(this.dataplane(client), this.dataplane(server));
  }

  /** An ingress from istio-cni's probe address to an ambient pod: its kubelet's probe. */
  isAmbientProbe(client: Peer, server: Peer): boolean {
    return client.kind === 'external' && AMBIENT_PROBE_SOURCES.includes(client.ip) && this.dataplane(server) === 'ambient';
  }
}
