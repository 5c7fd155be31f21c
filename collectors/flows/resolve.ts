/**
 * Stage 3 (resolve): who each side of a flow was *at the flow's time*. The index is built once
 * per ingest from ResolutionData (bounded by the inventory, never by the flows) and answers with
 * Map lookups and a binary search over each IP's history.
 */
import type { EndpointMeta, FlowEndpoint, Protocol, ResolvedEndpoint } from '../../domain/flow.ts';
import type { ContainerPort, CurrentApiserverEndpoint, FormerApiserverEndpoint, FormerClusterIp, Service, ServiceBackendState, ServicePort, Workload } from '../../domain/inventory.ts';
import { IpHistory, type IpHistoryLookup } from '../../domain/ip-history.ts';
import { isWorkloadKind, parsePeerKey, peerKey, workloadKey, type Peer, type WorkloadKind, type WorkloadRef } from '../../domain/peer.ts';
import type { GoneWorkloadLookup, ResolutionData } from '../../domain/resolution.ts';
import { apiserverAddressAt, isApiserverAddressAt, isApiserverService, mayBeApiserverAddressAt, wasApiserverAddress } from '../../domain/apiserver.ts';
import { cidrContains, cidrContainsIp, isIpAddress, parseCidr, parseIp, type Cidr } from '../../domain/ip.ts';
import { compareStrings } from '../../domain/order.ts';
import { externallyReachableAddresses, servicePortFor, serviceTargetPorts, targetPortName } from '../../domain/service-links.ts';
import { isHeadless } from '../../domain/service-dns-names.ts';
import { cronJobOfRun } from '../../domain/cronjob-run.ts';

/** The kubelet's port (Node status.daemonEndpoints.kubeletEndpoint, 10250 on every distribution). */
export const KUBELET_PORT = 10250;
/** The apiserver's usual endpoint port when the inventory has no `default/kubernetes` endpoint. */
export const DEFAULT_APISERVER_PORT = 6443;

/** What resolving a flow endpoint reads besides the endpoint: the flow's protocol, and where the flow was reported. */
export interface ResolveContext {
  /**
   * The flow's protocol: which of a Service's ports the endpoint's port is (they are unique by
   * protocol and port, `servicePortFor`). Absent, TCP: the API's default for a Service port.
   */
  protocol?: Protocol;
  /** The reporting node, when it is this cluster's (`observedInCluster`). */
  observedOn?: string;
  observedInCluster?: string;
}

export interface ResolvedSide extends ResolvedEndpoint {
  key: string;
  /** Addressed through a Service (ClusterIP or the record says so): that side is the server. */
  viaService?: boolean;
  /**
   * The Service's target port name this backend was reached through (`targetPort: http`, resolved
   * on each pod: `port` is one number of it), kept on the edge (`edges.target_port_name`).
   */
  targetPortName?: string;
  /** The Service port this backend was reached through, `namespace/name:port` (serviceSides), kept on the edge (`edges.through_service`). */
  throughService?: string;
  /** Cilium `reserved:host`: the reporting node itself, so any pod it talks to is local. */
  localHost?: boolean;
  /** DNS names seen for this IP (kept for external peers, and per workload for a pod's own address or a Service's ClusterIP). */
  names?: string[];
  /** The Service (namespace/name) whose ClusterIP answered `names`: the backend's names, whose port a policy sees translated. */
  namesVia?: string;
  /**
   * What this side is when it turns out to be the server: an apiserver address that is no node's
   * (a managed control plane), on a port other than the endpoint port, is an external address:
   * the apiserver serves only its endpoint port.
   */
  whenServer?: ResolvedSide;
  /**
   * Only a client: as the server of a connection it is no one, and the connection is left out (the
   * apiserver at an address it may have taken before an import listed it, off its endpoint port:
   * apiserverInGap; the side the address's holder resolves to stands for the server).
   */
  clientOnly?: true;
}

interface WorkloadInfo {
  ref: WorkloadRef;
  peer: Peer;
  key: string;
  declared: Set<number>;
  /** Its container ports (all its pods'), for named target ports. */
  ports: ContainerPort[];
}

/** DNS names that led to a backend through a Service: kept with the Service, whose port a policy sees translated. */
function namesThrough(svc: ServiceInfo, names: string[]): Pick<ResolvedSide, 'names' | 'namesVia'> {
  return { names, namesVia: svc.key };
}

interface ServiceInfo {
  service: Service;
  /** namespace/name. */
  key: string;
  backends: WorkloadInfo[];
  /**
   * Per port of the Service, the ports each backend is sent to on it (`targetPortsOf`; empty: none
   * resolves). They depend on the inventory alone, so the index computes them once and a record
   * addressed to the Service reads them.
   */
  targetPorts: Map<ServicePort, Map<WorkloadInfo, readonly number[]>>;
  /**
   * Per backend (its peer key), protocol and number, the target port name its Service port reaches
   * that number through ('' where two ways reach it: two names, or a name and a number), from
   * `targetPorts` (addTargetPortNames); only for a Service with a named targetPort. A record naming
   * a backend pod and this Service on that number reads it: `ResolvedSide.targetPortName`.
   */
  targetPortNames: Map<string, Map<Protocol, Map<number, string>>>;
  /**
   * Endpoint addresses of its EndpointSlices that name no pod, each with its slice's ports by name
   * ('' unnamed): a Service without a selector whose endpoints are set by hand (an external
   * database: Kubernetes "Service", "Services without selectors"), or a mirrored Endpoints. A flow
   * to the Service goes to them, on the port their slice gives the Service port's name.
   */
  addresses: { ip: string; ports: ReadonlyMap<string, number> }[];
  /**
   * Per backend workload (its peer key), the endpoint (target) ports its pods' EndpointSlices give
   * each port name: a slice's ports are those "exposed by each endpoint in this slice"
   * (discovery.k8s.io/v1 EndpointSlice), so during a rollout one name has a number per ReplicaSet.
   */
  slicePorts: Map<string, NamedPorts>;
  /** The same for every slice of the Service, whether or not its endpoints' pods are known. */
  anySlicePorts: NamedPorts;
}

/** Port name → the numbers it has. */
type NamedPorts = Map<string, Set<number>>;

interface NodeInfo {
  name: string;
  peer: Peer;
  key: string;
  ips: string[];
}

const EMPTY: ReadonlySet<number> = new Set();
/** The cluster's own address ranges: the nodes' podCIDRs, the Service ranges (ServiceCIDRs). */
type ClusterRange = 'pods' | 'services';
/** A ClusterIP at a time no Service the inventory knows held it (before today's holder was created, not within a gone Service's time). */
const SUPERSEDED = Symbol('superseded');
const APISERVER: Peer = { kind: 'apiserver' };
const CILIUM_INGRESS: Peer = { kind: 'cilium-ingress' };

/** Deployment (and Argo Rollout) pods are named <owner>-<pod-template-hash>-<5 chars>, both from the same safe alphabet. */
const DEPLOYMENT_POD = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** A ReplicaSet of a Deployment or Rollout: <owner>-<pod-template-hash>. */
const REPLICASET = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/;
/** The DeploymentConfig controller names each deployment's ReplicationController <dc>-<version> (openshift/library-go appsutil LatestDeploymentNameForConfig). */
const DEPLOYMENTCONFIG_RC = /^(.+)-\d+$/;

/**
 * Cilium's world identities: `world`, and from 1.15 on a dual-stack agent `world-ipv4` /
 * `world-ipv6` in its place (identities 9 and 10; cilium/cilium pkg/fqdn/namemanager worldLabel),
 * all three what the `world` entity selects (pkg/policy/api entity.go EntitySelectorMapping).
 */
const WORLD_IDENTITIES: ReadonlySet<string> = new Set(['world', 'world-ipv4', 'world-ipv6']);

/**
 * Entries of a cache keyed by names records carry (owners, pods not in the inventory): past it the
 * cache starts afresh, so a stream of made-up names cannot grow the index: memory is bounded by design.
 */
const RECORD_CACHE_LIMIT = 10_000;

export class ResolutionIndex {
  private readonly workloads = new Map<string, WorkloadInfo>();
  /** The workloads the inventory lists, by peer key (others only flow records name). */
  private readonly listed = new Map<string, WorkloadInfo>();
  /** Namespace → workloads with their selector's matchLabels, to resolve Cilium endpoints known only by labels. */
  private readonly selectors = new Map<string, { ref: WorkloadRef; matchLabels: [string, string][] }[]>();
  private readonly aliases = new Map<string, WorkloadRef>();
  /**
   * The `Pod` aliases by namespace and pod name, each with its workload's info when the inventory's
   * workloads hold it (else a gone workload's, read per record): a record naming a pod the
   * inventory holds is resolved with two lookups, no key built.
   */
  private readonly pods = new Map<string, Map<string, { ref: WorkloadRef; info?: WorkloadInfo }>>();
  private readonly dns: Set<string>;
  private readonly history: IpHistoryLookup;
  private readonly servicesByName = new Map<string, ServiceInfo>();
  private readonly servicesByIp = new Map<string, ServiceInfo>();
  /** The Services each address is an external IP or load-balancer IP of (several may be, on different ports): externallyReachableAddresses. */
  private readonly servicesByExternalIp = new Map<string, ServiceInfo[]>();
  /** The ClusterIPs of Services gone from the inventory, by address, in creation order (ResolutionData.formerClusterIps). */
  private readonly formerClusterIps = new Map<string, FormerClusterIp[]>();
  /** The same, by the gone Service's `namespace/name`: the instance a record naming it meant at its time (recordedService). */
  private readonly formerByName = new Map<string, FormerClusterIp[]>();
  /** A gone Service's ServiceInfo, built when a flow first reaches its address (its backends may be gone workloads, read by key). */
  private readonly formerServices = new Map<FormerClusterIp, ServiceInfo>();
  /** The states Services were in before their last, by `namespace/name`, in end order (ResolutionData.serviceBackendHistory). */
  private readonly backendStates = new Map<string, ServiceBackendState[]>();
  /** A past state's ServiceInfo, built when a flow of its time first reaches the Service. */
  private readonly stateServices = new Map<ServiceBackendState, ServiceInfo>();
  private readonly nodesByIp = new Map<string, NodeInfo>();
  private readonly nodesByName = new Map<string, NodeInfo>();
  /** Each node's podCIDRs: which addresses are in-cluster, and which node a Cilium router address belongs to. */
  private readonly podCidrs: { cidr: Cidr; node: string }[] = [];
  /** The cluster's Service IP ranges (ServiceCIDR objects): which addresses are Services' (ResolutionData.serviceCidrs). */
  private readonly serviceCidrs: Cidr[] = [];
  private readonly apiserver: CurrentApiserverEndpoint[];
  private readonly apiserverIps = new Set<string>();
  private readonly formerApiserver: readonly FormerApiserverEndpoint[];
  private readonly formerApiserverIps: ReadonlySet<string>;
  private readonly apiserverPorts: Set<number>;
  /** The ports of the apiserver's endpoints, current and former: a flow on any other port is to none of them. */
  private readonly apiserverEndpointPorts: ReadonlySet<number>;
  private readonly apiserverPort: number;
  /**
   * Which of the cluster's ranges an IP is inside (addressRange), for the addresses met most
   * recently. Small on purpose: its keys are addresses records name, and a large cache of a stream
   * of distinct addresses (a scan) lives long enough to be promoted to V8's old generation, where
   * every entry dropped is garbage that grows the heap with records until the next full collection.
   */
  private readonly rangeCache = new Map<string, ClusterRange | null>();
  private readonly rangeCacheLimit = 4_096;
  private readonly peers = new Map<string, Peer>();
  /** namespace → owner kind → owner name → workload: what a record's owner metadata resolves to (time-independent). */
  private readonly ownerCache = new Map<string, Map<string, Map<string, WorkloadInfo | null>>>();
  private ownerCacheSize = 0;
  /** Workloads that only records name (not the inventory): keyed by what records say, so bounded. */
  private readonly namedByRecords = new Map<string, WorkloadInfo>();
  /** The gone workloads `workloads` leaves out (ResolutionData.gone), read when a flow names one. */
  private readonly gone: GoneWorkloadLookup | undefined;
  /** Gone workloads read by key (null: the inventory holds none of it); keyed by what flows name, so bounded. */
  private readonly goneRead = new Map<string, WorkloadInfo | null>();
  /** Per namespace, the selectors of its gone workloads not in `workloads`, for pods records know by labels only. */
  private readonly goneSelectors = new Map<string, { ref: WorkloadRef; matchLabels: [string, string][] }[]>();
  /** The inventory's workloads are all in `workloads`; from here on only records add names. */
  private readonly built: boolean = false;
  private readonly apiserverDeclared: ReadonlySet<number>;
  /**
   * This cluster's Cilium name, when an imported kube-system/cilium-config said it: a record naming
   * another cluster's pod or node (ClusterMesh) is about no one here. Unknown, nothing is judged by
   * it (records of a cluster named at install, kind's `kind-kind`, would all be foreign to a guess).
   */
  private readonly cluster: string | undefined;
  /** Flows from before this time cannot be resolved: retention deleted the IP history then (IpHistoryLookup.historyFrom, as of the last address read). */
  get historyFrom(): number | undefined {
    return this.history.historyFrom;
  }

  /**
   * Whether a flow at `time` is from before the IP history the store keeps (skipped as
   * `before-history`). Asked after resolving: the cut-off is read again with each address's
   * intervals, so it covers a retention pass that deleted some of them meanwhile (StoredIpHistory).
   */
  beforeHistory(time: number): boolean {
    const from = this.history.historyFrom;
    return from !== undefined && time < from;
  }

  constructor(data: ResolutionData) {
    this.cluster = data.ciliumClusterName;
    this.dns = new Set(data.dnsWorkloads);
    for (const a of data.ownerAliases) this.aliases.set(`${a.namespace}/${a.kind}/${a.name}`, a.workload);
    for (const w of data.workloads) this.addWorkload(w);
    for (const a of data.ownerAliases) if (a.kind === 'Pod') this.addPod(a.namespace, a.name, a.workload);
    this.gone = data.gone;
    this.history = data.ipHistory;

    for (const n of data.nodes) {
      const info: NodeInfo = { name: n.name, peer: { kind: 'node', node: n.name }, key: `node:${n.name}`, ips: [] };
      this.nodesByName.set(n.name, info);
      for (const a of n.addresses) {
        if (a.type === 'Hostname') continue;
        info.ips.push(a.address);
        this.nodesByIp.set(a.address, info);
      }
      for (const c of n.podCIDRs) {
        const parsed = parseCidr(c);
        if (parsed) this.podCidrs.push({ cidr: parsed, node: n.name });
      }
    }

    for (const c of data.serviceCidrs ?? []) {
      const parsed = parseCidr(c);
      if (parsed) this.serviceCidrs.push(parsed);
    }

    const apiserver = [...data.apiserver].sort((a, b) => compareStrings(a.ip, b.ip) || a.port - b.port);
    this.apiserver = apiserver;
    for (const e of apiserver) this.apiserverIps.add(e.ip);
    this.apiserverPorts = new Set(apiserver.map((e) => e.port));
    this.apiserverPort = apiserver[0]?.port ?? DEFAULT_APISERVER_PORT;
    this.apiserverDeclared = new Set(this.apiserverPorts.size ? this.apiserverPorts : [DEFAULT_APISERVER_PORT]);
    this.formerApiserver = data.apiserverHistory ?? [];
    this.formerApiserverIps = new Set(this.formerApiserver.map((e) => e.ip));
    this.apiserverEndpointPorts = new Set([...this.apiserverPorts, ...this.formerApiserver.map((e) => e.port)]);

    for (const s of data.services) {
      const info: ServiceInfo = { service: s, key: `${s.namespace}/${s.name}`, backends: [], targetPorts: new Map(), targetPortNames: new Map(), addresses: [], slicePorts: new Map(), anySlicePorts: new Map() };
      this.servicesByName.set(info.key, info);
      for (const ip of s.clusterIPs) if (ip && ip !== 'None') this.servicesByIp.set(ip, info);
      for (const ip of externallyReachableAddresses(s)) {
        let sharing = this.servicesByExternalIp.get(ip);
        if (sharing === undefined) this.servicesByExternalIp.set(ip, (sharing = []));
        sharing.push(info);
      }
    }
    for (const state of data.serviceBackendHistory ?? []) {
      const key = `${state.namespace}/${state.name}`;
      const states = this.backendStates.get(key);
      if (states === undefined) this.backendStates.set(key, [state]);
      else states.push(state);
    }
    for (const f of data.formerClusterIps ?? []) {
      const held = this.formerClusterIps.get(f.ip);
      if (held === undefined) this.formerClusterIps.set(f.ip, [f]);
      else held.push(f);
      const key = `${f.namespace}/${f.name}`;
      const named = this.formerByName.get(key);
      if (named === undefined) this.formerByName.set(key, [f]);
      else named.push(f);
    }
    for (const w of data.workloads) {
      const info = this.workloads.get(workloadKey(w)) as WorkloadInfo;
      for (const s of w.services) this.servicesByName.get(s)?.backends.push(info);
    }
    for (const slice of data.endpointSlices) {
      const svc = slice.service ? this.servicesByName.get(`${slice.namespace}/${slice.service}`) : undefined;
      const sliceBackends: WorkloadInfo[] = [];
      for (const ep of slice.endpoints) {
        const ref = ep.targetRef;
        if (!ref || ref.kind !== 'Pod') {
          if (svc && slice.addressType !== 'FQDN') {
            const ports = new Map(slice.ports.map((p) => [p.name ?? '', p.port]));
            for (const a of ep.addresses) if (isIpAddress(a) && !svc.addresses.some((x) => x.ip === a)) svc.addresses.push({ ip: a, ports });
          }
          continue;
        }
        const w = this.aliases.get(`${ref.namespace ?? slice.namespace}/Pod/${ref.name}`);
        const info = w ? this.workloads.get(workloadKey(w)) : undefined;
        if (info) sliceBackends.push(info);
      }
      for (const p of slice.ports) {
        if (svc && p.name !== undefined) {
          addNamedPort(svc.anySlicePorts, p.name, p.port);
          for (const b of sliceBackends) addNamedPort(backendSlicePorts(svc, b.key), p.name, p.port);
        }
        for (const b of sliceBackends) b.declared.add(p.port);
      }
      if (svc) for (const b of sliceBackends) if (!svc.backends.includes(b)) svc.backends.push(b);
    }
    for (const svc of this.servicesByName.values()) {
      addTargetPorts(svc);
      for (const byBackend of svc.targetPorts.values()) for (const [b, targets] of byBackend) for (const target of targets) b.declared.add(target);
    }
    this.built = true;
  }

  private addWorkload(w: Workload): void {
    const ref: WorkloadRef = { namespace: w.namespace, kind: w.kind, name: w.name };
    const info = this.workloadInfo(ref);
    this.listed.set(info.key, info);
    const matchLabels = selectorLabels(w.selector);
    if (matchLabels !== undefined) {
      const list = this.selectors.get(w.namespace) ?? [];
      list.push({ ref, matchLabels });
      this.selectors.set(w.namespace, list);
    }
    declarePorts(info, w);
  }

  private addPod(namespace: string, name: string, ref: WorkloadRef): void {
    let byName = this.pods.get(namespace);
    if (byName === undefined) this.pods.set(namespace, (byName = new Map()));
    const info = this.workloads.get(workloadKey(ref));
    byName.set(name, info === undefined ? { ref } : { ref, info });
  }

  private workloadInfo(ref: WorkloadRef): WorkloadInfo {
    const key = workloadKey(ref);
    let info = this.workloads.get(key) ?? (this.built ? this.goneInfo(ref, key) : undefined) ?? this.namedByRecords.get(key);
    if (!info) {
      info = this.newInfo(ref, key);
      // Once the inventory is in, a workload only a record names goes to the bounded map.
      if (!this.built) this.workloads.set(key, info);
      else {
        if (this.namedByRecords.size >= RECORD_CACHE_LIMIT) this.namedByRecords.clear();
        this.namedByRecords.set(key, info);
      }
    }
    return info;
  }

  private newInfo(ref: WorkloadRef, key: string): WorkloadInfo {
    const peer: Peer = this.dns.has(key) ? { kind: 'dns', workload: ref } : { kind: 'workload', workload: ref };
    return { ref, peer, key: peerKey(peer), declared: new Set(), ports: [] };
  }

  /**
   * A gone workload the build left out, read by key: its own ports are all it declares (one a
   * Service or EndpointSlice of today names is in `workloads`, with the ports they give it).
   */
  private goneInfo(ref: WorkloadRef, key: string): WorkloadInfo | undefined {
    if (this.gone === undefined || this.workloads.has(key)) return undefined;
    let info = this.goneRead.get(key);
    if (info === undefined) {
      const w = this.gone.workload(ref);
      info = w === undefined ? null : declarePorts(this.newInfo(ref, key), w);
      if (this.goneRead.size >= RECORD_CACHE_LIMIT) this.goneRead.clear();
      this.goneRead.set(key, info);
    }
    return info ?? undefined;
  }

  /** Whether the inventory lists the workload, present or gone. */
  private inventoried(ref: WorkloadRef): boolean {
    const key = workloadKey(ref);
    return this.workloads.has(key) || this.goneInfo(ref, key) !== undefined;
  }

  /** The selectors of a namespace's gone workloads that `selectors` does not hold (matchLabels only, as there). */
  private goneSelectorsIn(namespace: string): readonly { ref: WorkloadRef; matchLabels: [string, string][] }[] {
    if (this.gone === undefined) return [];
    let list = this.goneSelectors.get(namespace);
    if (list === undefined) {
      list = [];
      for (const { ref, selector } of this.gone.selectorsIn(namespace)) {
        const matchLabels = selectorLabels(selector);
        if (matchLabels !== undefined && !this.workloads.has(workloadKey(ref))) list.push({ ref, matchLabels });
      }
      if (this.goneSelectors.size >= RECORD_CACHE_LIMIT) this.goneSelectors.clear();
      this.goneSelectors.set(namespace, list);
    }
    return list;
  }

  /**
   * The namespace of the pod that held `ip` on the pod network at `time` (the IP history):
   * undefined for a node's address (a host-network pod's) and an address no pod held then.
   */
  podNamespaceAt(ip: string, time: number): string | undefined {
    const iv = this.history.holderAt(ip, time);
    if (!iv) return undefined;
    const peer = this.peerOf(iv.peerKey);
    return peer.kind === 'workload' || peer.kind === 'dns' ? peer.workload.namespace : undefined;
  }

  /** Whether a resolved side's peer key is a workload the inventory lists (not one only flow records name). */
  listedWorkload(peerKey: string): boolean {
    if (this.listed.has(peerKey)) return true;
    const peer = parsePeerKey(peerKey);
    if (peer.kind !== 'workload' && peer.kind !== 'dns') return false;
    return this.goneInfo(peer.workload, workloadKey(peer.workload))?.key === peerKey;
  }

  /** All sides a flow endpoint resolves to: one, or one per backend workload of a Service. */
  resolve(e: FlowEndpoint, time: number, context: ResolveContext = {}): ResolvedSide[] {
    const { protocol = 'TCP', observedInCluster } = context;
    let observedOn = context.observedOn;
    // Post-DNAT the apiserver is an address on its endpoint port, which records may label a Node.
    // A record naming a pod there names who has the address: NetObserv and Cilium name no
    // host-network pod (netobserv/flowlogs-pipeline informers.go initPodInformer: "ignoring
    // host-networked Pod IPs"), so not the apiserver's own — it wins where the address is a former
    // endpoint, which the pod may hold now.
    if (this.isApiserverEndpoint(e, time, e.meta?.kind === 'pod')) return [this.apiserverSide(e)];
    const m = e.meta;
    // A pod of another ClusterMesh cluster is not this cluster's workload of the same name (no
    // selector here selects it without its cluster's label): in-cluster, yet nobody known here.
    if (this.cluster !== undefined && m?.kind === 'pod' && m.cluster !== undefined && m.cluster !== this.cluster) return [this.unknownSide(e)];
    // A node of another cluster reporting is none of this cluster's nodes.
    if (this.cluster !== undefined && observedInCluster !== undefined && observedInCluster !== this.cluster) observedOn = undefined;
    if (m) {
      const sides = this.fromMeta(m, e, time, protocol, observedOn);
      if (sides) return sides;
    }
    const sides = this.fromIp(e, time, protocol);
    // An address the apiserver may have taken before the import that first listed it: what held it
    // before and the apiserver both, as a Service's old and new backends (servicesAsOf).
    const apiserver = this.apiserverInGap(e, time);
    return apiserver === undefined ? sides : uniqueSides([...sides, apiserver]);
  }

  private fromMeta(m: EndpointMeta, e: FlowEndpoint, time: number, protocol: Protocol, observedOn: string | undefined): ResolvedSide[] | undefined {
    switch (m.kind) {
      case 'pod': {
        const info = this.podWorkload(m, e.ip, time);
        // A pod we know the namespace of but not the workload: in-cluster, yet unresolved.
        if (!info) return [this.unknownSide(e)];
        return [this.workloadSide(info, e, m.node ?? this.history.holderAt(e.ip, time)?.node, time, protocol)];
      }
      case 'service': {
        // Today's instance of the name only if it existed then: one created again since (another
        // ClusterIP, another selector) is not the one the flow reached; the address says which was.
        const named = this.servicesByName.get(`${m.namespace}/${m.name}`);
        const svc = named !== undefined && existedAt(named.service, time) ? named : this.currentServiceAt(e.ip, time);
        if (isApiserverService(m.namespace, m.name)) return [this.apiserverSide(e, svc && { svc, protocol })];
        if (svc) return this.serviceSides(svc, e, time, protocol);
        return [this.unknownServiceSide(e)];
      }
      case 'node': {
        const node = this.nodesByName.get(m.name);
        return [this.nodeSide(node?.name ?? m.name, e, time)];
      }
      case 'reserved': {
        const ids = m.identities;
        // Cilium's Ingress / Gateway API Envoy: an address from a node's pod CIDR, yet no pod.
        if (ids.includes('ingress')) return [this.ciliumIngressSide(e)];
        // Cilium gives kube-apiserver to the apiserver's addresses as it knew them at the flow's
        // time (the record's own word, even when the endpoints have changed since). A node that
        // runs the apiserver carries it next to host/remote-node: off the endpoint port, its
        // traffic is the node's (host-network agents), as NetObserv reports it.
        if (ids.includes('kube-apiserver')) {
          const onEndpointPort = e.port !== undefined && this.apiserverDeclared.has(e.port);
          if (onEndpointPort) return [this.apiserverSide(e)];
          // Off a node (a managed control plane): the apiserver as a client, an external address as a server, as fromIp decides.
          if (!ids.includes('host') && !ids.includes('remote-node') && !this.nodesByIp.has(e.ip)) return [this.managedApiserverSide(e)];
        }
        if (ids.includes('host')) {
          const name = observedOn ?? this.hostIdentityNode(e.ip, time);
          if (name) return [{ ...this.nodeSide(name, e, time), localHost: true }];
          // A host Cilium names, of no node known here (another ClusterMesh cluster's): in-cluster, yet nobody known.
          if (ids.length === 1) return [this.unknownSide(e)];
        }
        if (ids.includes('remote-node')) {
          const node = this.hostIdentityNode(e.ip, time);
          if (node) return [this.nodeSide(node, e, time)];
          // A control-plane node at an address of no known node (Cilium's cluster-pool IPAM takes
          // router addresses from CiliumNode, not the Node's podCIDRs): the record's own word, the apiserver.
          return [ids.includes('kube-apiserver') ? this.managedApiserverSide(e) : this.unknownSide(e)];
        }
        if (ids.some((id) => WORLD_IDENTITIES.has(id))) {
          // A Service VIP seen before its translation (kube-proxy, not Cilium, balancing it) is in
          // no ipcache entry, so Hubble labels it world (cilium/cilium#21251): the Service decides.
          const svc = this.serviceAt(e.ip, time);
          if (svc === SUPERSEDED) return [this.unknownServiceSide(e)];
          if (svc) return this.clusterIpSides(svc, e, time, protocol);
          const byExternalIp = this.externalIpServiceAt(e, time, protocol);
          if (byExternalIp) return this.clusterIpSides(byExternalIp, e, time, protocol);
          // World is Cilium's identity of an address it holds no entry for (bpf: `info ?
          // info->sec_identity : WORLD_IPV4_ID`), not a word that the address is outside: one of the
          // pod network (a deleted pod's) is in-cluster yet nobody's, as unheldSide reads any address.
          return [this.unheldSide(e)];
        }
        return undefined;
      }
    }
  }

  /**
   * Keys held in the caches whose keys come from records (addresses, owner and pod names, the
   * namespaces of label-only records): bounded whatever the input. What a namespace key holds is
   * the store's (its workloads' selectors), not the records'.
   */
  get recordCacheEntries(): number {
    return this.rangeCache.size + this.ownerCacheSize + this.namedByRecords.size + this.goneRead.size + this.goneSelectors.size;
  }

  /**
   * The workload a record's owner names, memoised: through the aliases (a ReplicaSet, a
   * ReplicationController, a Job as the inventory resolved it), else a run of a CronJob or a
   * deployment of a DeploymentConfig the inventory lists, by its controller's naming (NetObserv
   * names only a ReplicaSet's owner, so a Job or ReplicationController missing from the last
   * snapshot comes as itself), else a workload kind as named. A ReplicaSet not aliased is not
   * guessed here: the pod's own alias says first how the inventory resolved it (podWorkload).
   */
  private fromOwner(namespace: string, kind: string, name: string): WorkloadInfo | null {
    if (this.ownerCacheSize >= RECORD_CACHE_LIMIT) {
      this.ownerCache.clear();
      this.ownerCacheSize = 0;
    }
    let byKind = this.ownerCache.get(namespace);
    if (!byKind) this.ownerCache.set(namespace, (byKind = new Map()));
    let byName = byKind.get(kind);
    if (!byName) byKind.set(kind, (byName = new Map()));
    let info = byName.get(name);
    if (info === undefined) {
      let ref: WorkloadRef | undefined = this.aliases.get(`${namespace}/${kind}/${name}`);
      if (!ref && kind === 'Job') ref = cronJobOfRun(namespace, name, (cronJob) => this.inventoried(cronJob));
      if (!ref && kind === 'ReplicationController') ref = this.listedOwner(namespace, 'DeploymentConfig', DEPLOYMENTCONFIG_RC.exec(name)?.[1]);
      if (!ref && isWorkloadKind(kind)) ref = { namespace, kind, name };
      info = ref ? this.workloadInfo(ref) : null;
      byName.set(name, info);
      this.ownerCacheSize++;
    }
    return info;
  }

  /** A workload of that kind and name the inventory lists. */
  private listedOwner(namespace: string, kind: WorkloadKind, name: string | undefined): WorkloadRef | undefined {
    if (name === undefined) return undefined;
    const ref: WorkloadRef = { namespace, kind, name };
    return this.inventoried(ref) ? ref : undefined;
  }

  /** The owner of a ReplicaSet named <owner>-<hash>: a Rollout the inventory lists (and no Deployment of the name), else a Deployment. */
  private replicaSetOwner(namespace: string, owner: string): WorkloadRef {
    const deployment = this.listedOwner(namespace, 'Deployment', owner);
    return deployment ?? this.listedOwner(namespace, 'Rollout', owner) ?? { namespace, kind: 'Deployment', name: owner };
  }

  /**
   * The workload of the pod a record names: the inventory's when it knows the pod (namespace and
   * name), else the owner the record names, else what workloadFromPod reads. The inventory comes
   * first because it resolved the pod through its controlling owner reference alone, while a
   * record's owner may be any: flowlogs-pipeline names the pod's FIRST owner reference, controller
   * or not (netobserv/flowlogs-pipeline pkg/pipeline/transform/kubernetes/informers/informers.go
   * initPodInformer: `obj.OwnerKind = pod.OwnerReferences[0].Kind`), so a helper tied to a
   * StatefulSet for garbage collection only came as that StatefulSet, outside its selector.
   */
  private podWorkload(m: Extract<EndpointMeta, { kind: 'pod' }>, ip: string, time: number): WorkloadInfo | undefined {
    const known = this.inventoriedPod(m);
    if (known) return known;
    const owned = m.ownerKind && m.ownerName ? this.fromOwner(m.namespace, m.ownerKind, m.ownerName) : null;
    if (owned) return owned;
    const ref = this.workloadFromPod(m, ip, time, m.ownerKind === 'ReplicaSet' ? m.ownerName : undefined);
    return ref && this.workloadInfo(ref);
  }

  /** The workload the inventory resolved the record's pod to (the pod name's alias), when it holds that pod. */
  private inventoriedPod(m: Extract<EndpointMeta, { kind: 'pod' }>): WorkloadInfo | undefined {
    const pod = m.podName === undefined ? undefined : this.pods.get(m.namespace)?.get(m.podName);
    return pod && (pod.info ?? this.workloadInfo(pod.ref));
  }

  /**
   * Neither a pod the inventory holds nor a usable owner: the name of the ReplicaSet the record
   * names, then the IP history, then the selector the labels match, then the pod name's shape.
   */
  private workloadFromPod(m: Extract<EndpointMeta, { kind: 'pod' }>, ip: string, time: number, replicaSet?: string): WorkloadRef | undefined {
    const rs = replicaSet === undefined ? undefined : REPLICASET.exec(replicaSet)?.[1];
    if (rs !== undefined) return this.replicaSetOwner(m.namespace, rs);
    const iv = this.history.holderAt(ip, time);
    if (iv) {
      const peer = this.peerOf(iv.peerKey);
      if ((peer.kind === 'workload' || peer.kind === 'dns') && peer.workload.namespace === m.namespace) return peer.workload;
    }
    if (m.labels) {
      const labels = m.labels;
      const matches = (w: { matchLabels: [string, string][] }) => w.matchLabels.every(([k, v]) => labels[k] === v);
      const hits = [...(this.selectors.get(m.namespace) ?? []).filter(matches), ...this.goneSelectorsIn(m.namespace).filter(matches)];
      if (hits.length === 1) return (hits[0] as { ref: WorkloadRef }).ref;
    }
    if (m.podName) {
      const d = DEPLOYMENT_POD.exec(m.podName);
      if (d) return this.replicaSetOwner(m.namespace, d[1] as string);
      return { namespace: m.namespace, kind: 'Pod', name: m.podName };
    }
    return undefined;
  }

  private fromIp(e: FlowEndpoint, time: number, protocol: Protocol): ResolvedSide[] {
    const ip = e.ip;
    // An address the apiserver had at the flow's time that is no node's (a managed control plane
    // outside the cluster) is the apiserver as a client from any port, as a server on its endpoint
    // port only; on a node's address only the endpoint port is (isApiserverEndpoint).
    if (this.isManagedApiserverAt(ip, time)) return [this.managedApiserverSide(e)];
    const svc = this.serviceAt(ip, time);
    // The address of a Service created after the flow: another Service's then, which is gone.
    if (svc === SUPERSEDED) return [this.unknownServiceSide(e)];
    if (svc) return this.clusterIpSides(svc, e, time, protocol);
    const byExternalIp = this.externalIpServiceAt(e, time, protocol);
    if (byExternalIp) return this.clusterIpSides(byExternalIp, e, time, protocol);
    const iv = this.history.holderAt(ip, time);
    if (iv) {
      const peer = this.peerOf(iv.peerKey);
      if (peer.kind === 'workload' || peer.kind === 'dns') return [this.workloadSide(this.holderWorkload(iv.peerKey, peer.workload), e, iv.node, time, protocol)];
      // The node's own address: a port a host-network workload there declares is that workload's.
      if (peer.kind === 'node') return [this.nodeSide(peer.node, e, time)];
      return [{ peer, key: iv.peerKey, ip, port: e.port, node: iv.node, declaredPorts: EMPTY }];
    }
    // Today's node address, where the history knows nothing of it (a store without node history).
    const node = this.history.has(ip) ? undefined : this.nodesByIp.get(ip);
    if (node) return [this.nodeSide(node.name, e, time)];
    const host = this.history.hostNetworkHolderAt(ip, time);
    if (host?.node) return [this.nodeSide(host.node, e, time)];
    return [this.unheldSide(e)];
  }

  /**
   * An address no one the inventory knows held at the flow's time: in a Service range, a Service's
   * (`unknown`, addressed as a server) — a ServiceCIDR is the range the API server allocates
   * ClusterIPs from (Kubernetes API reference, ServiceCIDR v1), and a rule naming a ClusterIP
   * matches nothing reliably (serviceAt); in a podCIDR or known to the IP history at another time,
   * `unknown`; anything else an outside host.
   */
  private unheldSide(e: FlowEndpoint): ResolvedSide {
    const range = this.addressRange(e.ip);
    if (range === 'services') return this.unknownServiceSide(e);
    if (range === 'pods' || this.history.has(e.ip)) return this.unknownSide(e);
    return this.externalSide(e);
  }

  /**
   * The Service whose ClusterIP the address was at `time`: today's holder, unless it was created
   * after `time` (a ClusterIP is immutable, so the address was then another Service's, deleted
   * since: crediting its traffic to today's holder would allow one namespace into another); else
   * the gone Service that held it then. SUPERSEDED: an address a Service held, at a time none the
   * inventory knows did — still a Service address, never an outside one: a NetworkPolicy ipBlock is
   * meant for cluster-external IPs, and whether a Service's translation happens before or after
   * policy processing is not defined (Kubernetes "Network Policies" concept page), so a rule naming
   * a ClusterIP matches nothing reliably.
   */
  private serviceAt(ip: string, time: number): ServiceInfo | typeof SUPERSEDED | undefined {
    const svc = this.servicesByIp.get(ip);
    if (svc !== undefined && existedAt(svc.service, time)) return svc;
    const former = this.formerServiceAt(ip, time);
    if (former !== undefined) return former;
    return svc !== undefined || this.formerClusterIps.has(ip) ? SUPERSEDED : undefined;
  }

  /**
   * The gone Service that held the ClusterIP at `time`: the last created by then (the API server
   * gives an address to one Service at a time, so an earlier one had let it go), if `time` is
   * before the import that no longer listed it.
   */
  private formerServiceAt(ip: string, time: number): ServiceInfo | undefined {
    let latest: FormerClusterIp | undefined;
    for (const f of this.formerClusterIps.get(ip) ?? []) if (f.createdAt === undefined || f.createdAt <= time) latest = f;
    return latest !== undefined && time < latest.validTo ? this.formerService(latest) : undefined;
  }

  /** A gone Service as flows of its time see it: its ports, translated to its backends' target ports. */
  private formerService(f: FormerClusterIp): ServiceInfo {
    let info = this.formerServices.get(f);
    if (info === undefined) {
      const service: Service = { namespace: f.namespace, name: f.name, type: 'ClusterIP', clusterIPs: [f.ip], ports: f.ports, ...(f.createdAt !== undefined ? { createdAt: f.createdAt } : {}) };
      info = this.pastService(service, f.backends);
      this.formerServices.set(f, info);
    }
    return info;
  }

  /**
   * A Service as the inventory knew it at another time, with its ports then and `backends`. What
   * the history does not keep is taken from `today` (the same Service's slices now, if it is still
   * listed): the endpoint addresses that name no pod, and the numbers a named target port has where
   * no container port of a backend names it.
   */
  private pastService(service: Service, backends: readonly WorkloadRef[], today?: Pick<ServiceInfo, 'addresses' | 'slicePorts' | 'anySlicePorts'>): ServiceInfo {
    const info: ServiceInfo = {
      service,
      key: `${service.namespace}/${service.name}`,
      backends: backends.map((ref) => this.workloadInfo(ref)),
      targetPorts: new Map(),
      targetPortNames: new Map(),
      addresses: today?.addresses ?? [],
      slicePorts: today?.slicePorts ?? new Map(),
      anySlicePorts: today?.anySlicePorts ?? new Map(),
    };
    addTargetPorts(info);
    return info;
  }

  /**
   * The Service as it was at `time`: the state of that instance (its creation time) that held
   * `time` — a flow to the ClusterIP went to the backends kube-proxy translated it to then, the
   * endpoints of the Service's selector at that time (kubernetes.io "Virtual IPs and Service
   * Proxies") — else `svc` as the index holds it: today's Service (or a gone one as last listed)
   * from its last recorded change on, and also before the first state the store knows of it, whose
   * backends are not known (today's are taken, as before the history was kept). Between the last
   * import that showed a state (`changedAfter`) and the one that saw it change, the change happened
   * at a moment no import saw: that state and the next are both returned, since a policy must cut
   * neither, as the IP history never ends a holder before the last import that showed it.
   */
  private servicesAsOf(svc: ServiceInfo, time: number): [ServiceInfo, ServiceInfo?] {
    const states = this.backendStates.get(svc.key);
    if (states === undefined) return [svc];
    const at = states.findIndex((s) => s.createdAt === svc.service.createdAt && time < s.validTo);
    const state = states[at];
    if (state === undefined || time < state.validFrom) return [svc];
    const then = this.stateService(state, svc);
    if (time < state.changedAfter) return [then];
    const next = states.find((s, i) => i > at && s.createdAt === svc.service.createdAt);
    return [then, next === undefined ? svc : this.stateService(next, svc)];
  }

  /** A past state's ServiceInfo, with what the history does not keep taken from `today` (pastService). */
  private stateService(state: ServiceBackendState, today: ServiceInfo): ServiceInfo {
    let info = this.stateServices.get(state);
    if (info === undefined) {
      info = this.pastService({ ...today.service, ports: state.ports }, state.backends, today);
      this.stateServices.set(state, info);
    }
    return info;
  }

  /** The Service whose ClusterIP the address was at `time`, unless that was another Service's, deleted since (serviceAt). */
  private currentServiceAt(ip: string, time: number): ServiceInfo | undefined {
    const svc = this.serviceAt(ip, time);
    return svc === SUPERSEDED ? undefined : svc;
  }

  /**
   * The Service an external IP and port are at `time`: one with the address among its
   * `spec.externalIPs` or its load balancer's IPs (externallyReachableAddresses) and a port of that
   * number and protocol, created by then. "Traffic that ingresses into the cluster with the external
   * IP (as destination IP), on the Service port, will be routed to one of the Service endpoints"
   * (kubernetes.io "Service", External IPs), and a pod's traffic to a LoadBalancer IP gets "Cluster
   * semantics" (Service API reference, spec.externalTrafficPolicy): kube-proxy matches the address
   * and the Service port alone, so on another port the address is what it is without the Service (a
   * node's, an outside host's). These addresses may change, so unlike a ClusterIP the address before
   * the Service existed is no sign of a deleted Service.
   */
  private externalIpServiceAt(e: FlowEndpoint, time: number, protocol: Protocol): ServiceInfo | undefined {
    if (e.port === undefined) return undefined;
    const port = e.port;
    return this.servicesByExternalIp
      .get(e.ip)
      ?.find((svc) => (svc.service.createdAt === undefined || time >= svc.service.createdAt) && servicePortFor(svc.service, port, protocol) !== undefined);
  }

  /** `ip` was the apiserver's at `time` and no node's (today's, or the one the IP history says held it then). */
  private isManagedApiserverAt(ip: string, time: number): boolean {
    if (!this.apiserverIps.has(ip) && !this.formerApiserverIps.has(ip)) return false;
    return !this.nodesByIp.has(ip) && this.nodeAt(ip, time) === undefined && apiserverAddressAt(this.apiserver, this.formerApiserver, ip, time, this.podSinceAt(ip, time));
  }

  /**
   * An apiserver address that is no node's: the apiserver, but as a server off its endpoint port an
   * external address. Without known endpoints (no inventory) the record's kube-apiserver label is
   * all there is, and the port it names is the endpoint port (TKE serves it on 60002).
   */
  private managedApiserverSide(e: FlowEndpoint): ResolvedSide {
    const side = this.apiserverSide(e);
    if (this.apiserver.length > 0 && e.port !== undefined && !this.apiserverPorts.has(e.port)) side.whenServer = this.externalSide(e);
    return side;
  }

  /** The node that held the address at `time` (the IP history), else, where the history knows nothing of the address, today's holder. */
  private nodeAt(ip: string, time: number): string | undefined {
    const iv = this.history.holderAt(ip, time);
    const peer = iv && this.peerOf(iv.peerKey);
    if (peer?.kind === 'node') return peer.node;
    return this.history.has(ip) ? undefined : this.nodesByIp.get(ip)?.name;
  }

  /**
   * The node behind an address Cilium gives a host identity (host, remote-node): one of its
   * addresses, else its cilium_host router address, which Cilium takes from the node's podCIDR
   * (docs.cilium.io "Kubernetes Host Scope" IPAM; cilium/cilium#16672 discards a router IP outside
   * it) and from which, in tunnel mode, the node reaches pods on other nodes.
   */
  private hostIdentityNode(ip: string, time: number): string | undefined {
    const node = this.nodeAt(ip, time);
    if (node !== undefined) return node;
    return this.podCidrOwner(ip)?.node;
  }

  /** A Service's ClusterIP: the apiserver for `default/kubernetes`, else the Service's backends. */
  private clusterIpSides(svc: ServiceInfo, e: FlowEndpoint, time: number, protocol: Protocol): ResolvedSide[] {
    const s = svc.service;
    return isApiserverService(s.namespace, s.name) ? [this.apiserverSide(e, { svc, protocol })] : this.serviceSides(svc, e, time, protocol);
  }

  /** The workload an IP history interval names: a listed one by the interval's peer key (no key built), else as workloadInfo finds it. */
  private holderWorkload(peerKey: string, ref: WorkloadRef): WorkloadInfo {
    return this.listed.get(peerKey) ?? this.workloadInfo(ref);
  }

  private peerOf(key: string): Peer {
    let p = this.peers.get(key);
    if (!p) {
      p = parsePeerKey(key);
      this.peers.set(key, p);
    }
    return p;
  }

  /** The podCIDR (and its node) holding `ip`, if any. */
  private podCidrOwner(ip: string): { cidr: Cidr; node: string } | undefined {
    const a = parseIp(ip);
    if (a === undefined) return undefined;
    const host: Cidr = { family: a.family, base: a.value, prefix: a.family === 4 ? 32 : 128 };
    return this.podCidrs.find((c) => cidrContains(c.cidr, host));
  }

  /** The cluster range holding `ip` (a node's podCIDR, a Service range), if any; memoised. */
  private addressRange(ip: string): ClusterRange | undefined {
    if (this.podCidrs.length === 0 && this.serviceCidrs.length === 0) return undefined;
    let v = this.rangeCache.get(ip);
    if (v === undefined) {
      v = this.podCidrOwner(ip) !== undefined ? 'pods' : this.inServiceRange(ip) ? 'services' : null;
      if (this.rangeCache.size >= this.rangeCacheLimit) this.rangeCache.clear();
      this.rangeCache.set(ip, v);
    }
    return v ?? undefined;
  }

  private inServiceRange(ip: string): boolean {
    return this.serviceCidrs.some((c) => cidrContainsIp(c, ip));
  }

  private workloadSide(info: WorkloadInfo, e: FlowEndpoint, node: string | undefined, time: number, protocol: Protocol = 'TCP'): ResolvedSide {
    const side: ResolvedSide = { peer: info.peer, key: info.key, ip: e.ip, port: e.port, declaredPorts: info.declared };
    if (node) side.node = node;
    // A record naming the Service the pod was reached through: its names led through that Service
    // (a rule's port is then the Service port), and its target port name and Service port are kept
    // as serviceSides keeps them for a flow to the ClusterIP, so that a rollout renumbering the name
    // is followed. Otherwise the names and the port are the pod's own.
    const svc = this.recordedService(info, e.meta, time);
    if (e.names) Object.assign(side, svc === undefined ? { names: e.names } : namesThrough(svc, e.names));
    const name = svc === undefined || e.port === undefined ? undefined : namedTargetPort(svc, info, protocol, e.port);
    if (name) side.targetPortName = name;
    const through = svc === undefined ? undefined : servicePortOfPod(svc, info, e, protocol);
    if (through !== undefined) side.throughService = through;
    return side;
  }

  /**
   * The Service a record says this pod was reached through (`service` of its metadata), as it was at
   * the flow's time: with Cilium replacing kube-proxy, a connection to a Service is translated to a
   * backend at the socket, before it is traced, so the record shows the pod on its own port and
   * names the Service in `destination_service` (cilium/cilium api/v1/flow/flow.proto:
   * "destination_service contains the service name of the destination"). The name is read as a
   * flow to the ClusterIP is (serviceAt, servicesAsOf): the instance that existed then — today's, or
   * one deleted since (a Service created again under the name is another, with other ports and
   * another selector) — in the state it was in then, the first of the two a change no import saw
   * leaves that has the pod as a backend. Undefined: none named, none of that name known then, or
   * one not sending to the pod; the pod's names and port are then its own.
   */
  private recordedService(info: WorkloadInfo, meta: EndpointMeta | undefined, time: number): ServiceInfo | undefined {
    if (meta?.kind !== 'pod' || meta.service === undefined) return undefined;
    const named = this.namedServiceAt(meta.service, time);
    if (named === undefined) return undefined;
    return this.servicesAsOf(named, time).find((s) => s !== undefined && s.backends.some((b) => b.key === info.key));
  }

  /** The Service `namespace/name` at `time`: today's if it existed then, else the gone instance of that name created last by then and listed until after `time`. */
  private namedServiceAt(key: string, time: number): ServiceInfo | undefined {
    const today = this.servicesByName.get(key);
    if (today !== undefined && existedAt(today.service, time)) return today;
    let latest: FormerClusterIp | undefined;
    for (const f of this.formerByName.get(key) ?? []) {
      if ((f.createdAt === undefined || f.createdAt <= time) && time < f.validTo && (latest === undefined || (f.createdAt ?? -Infinity) >= (latest.createdAt ?? -Infinity))) latest = f;
    }
    return latest === undefined ? undefined : this.formerService(latest);
  }

  private serviceSides(current: ServiceInfo, e: FlowEndpoint, time: number, protocol: Protocol): ResolvedSide[] {
    const [svc, other] = this.servicesAsOf(current, time);
    const sides = this.stateSides(svc, e, time, protocol);
    // A flow of a change no import saw: each side once, of either state (a backend of both is one edge).
    return other === undefined ? sides : uniqueSides([...sides, ...this.stateSides(other, e, time, protocol)]);
  }

  /** The sides a flow to `svc` (one state of a Service) reaches: its backends on their target ports, else its endpoint addresses. */
  private stateSides(svc: ServiceInfo, e: FlowEndpoint, time: number, protocol: Protocol): ResolvedSide[] {
    if (svc.backends.length === 0 && svc.addresses.length > 0) return this.addressSides(svc, e, time, protocol);
    if (svc.backends.length === 0) return [this.unknownServiceSide(e)];
    // One side per backend and port it may be sent to: a named target port may have a number per
    // ReplicaSet mid-rollout, and the connection reaches whichever pod the Service picks. A headless
    // Service translates nothing: its name answers with the pods' own addresses, dialled on the port
    // as written ("no load balancing or proxying done by the platform", kubernetes.io "Service",
    // Headless Services), as the matrices read it (recommender/matrix/service-names.ts targetPorts).
    const sp = e.port === undefined || isHeadless(svc.service) ? undefined : servicePortFor(svc.service, e.port, protocol);
    const targetPorts = sp === undefined ? undefined : svc.targetPorts.get(sp);
    const name = sp === undefined ? undefined : targetPortName(sp);
    const through = sp === undefined ? undefined : `${svc.key}:${sp.port}`;
    const sides: ResolvedSide[] = [];
    for (const b of svc.backends) {
      const targets = targetPorts?.get(b);
      // The name and the Service port are kept on every edge reached through them, whatever they map
      // to today: a rollout may renumber or rename the pods' port later, or the Service gain backends,
      // and the rules must follow the Service (recommender/follow-services.ts, recommender/synthesize/
      // workload.ts targetPortPorts) — an edge first seen before the change included.
      if (targets !== undefined && targets.length > 0) for (const port of targets) sides.push(this.backendSide(svc, b, e, port, name, through));
      else sides.push(this.backendSide(svc, b, e, e.port));
    }
    return sides;
  }

  /** A backend of a Service addressed by `e`, on `port` (the target port, else the port addressed), reached through the target port `name` when it has one, from the Service port `through`. */
  private backendSide(svc: ServiceInfo, b: WorkloadInfo, e: FlowEndpoint, port: number | undefined, name?: string, through?: string): ResolvedSide {
    const declared = port === undefined || b.declared.has(port) ? b.declared : new Set([...b.declared, port]);
    const side: ResolvedSide = { peer: b.peer, key: b.key, ip: e.ip, port, declaredPorts: declared, viaService: true };
    if (name !== undefined) side.targetPortName = name;
    if (through !== undefined) side.throughService = through;
    // A name answered with the ClusterIP (an outside name CNAMEd to the Service) leads to these backends.
    if (e.names) Object.assign(side, namesThrough(svc, e.names));
    return side;
  }

  /**
   * A Service whose endpoints are addresses, not pods: each address as what it is at the flow's
   * time (a pod, a node, or outside the cluster), on the endpoint port the Service port maps to —
   * what the datapath sees after the translation, and what a policy must allow.
   */
  private addressSides(svc: ServiceInfo, e: FlowEndpoint, time: number, protocol: Protocol): ResolvedSide[] {
    // A record that names the Service and one of its endpoints (Hubble's destination_service) went
    // to that endpoint, on the port it names (already translated).
    const own = svc.addresses.find((a) => a.ip === e.ip);
    if (own !== undefined) return this.fromIp(e, time, protocol).map((s) => ({ ...s, viaService: true }));
    // Nothing reads targetPort for such a Service: its slices give each endpoint's port, by the Service port's name.
    const name = e.port === undefined ? undefined : (servicePortFor(svc.service, e.port, protocol)?.name ?? '');
    return svc.addresses.flatMap(({ ip, ports }) => {
      const port = name === undefined ? undefined : (ports.get(name) ?? (ports.size === 1 ? [...ports.values()][0] : undefined) ?? e.port);
      const at: FlowEndpoint = { ip, ...(port !== undefined ? { port } : {}) };
      // An endpoint that is itself a Service address is not followed (no loops through Services).
      if (this.servicesByIp.has(ip)) return [this.unknownServiceSide(at)];
      return this.fromIp(at, time, protocol).map((s) => ({ ...s, viaService: true }));
    });
  }

  /**
   * The address and port of a `default/kubernetes` endpoint: a current one, or one the apiserver
   * had at the flow's time (a flow arriving after the endpoints changed). The Set lookups only
   * skip the scans for other IPs; the port is looked up first, for speed: most flows are on other
   * ports, and a number is found without hashing the address.
   */
  private isApiserverEndpoint(e: FlowEndpoint, time: number, namesPod: boolean): boolean {
    if (e.port === undefined || !this.apiserverEndpointPorts.has(e.port)) return false;
    if (this.apiserverIps.has(e.ip) && isApiserverAddressAt(this.apiserver, e.ip, e.port, time)) return true;
    return this.formerApiserverIps.has(e.ip) && !namesPod && wasApiserverAddress(this.formerApiserver, e.ip, e.port, time, this.podSinceAt(e.ip, time));
  }

  /**
   * The apiserver side a flow to (or from) an address resolves to as well, where the apiserver may
   * have held the address at the flow's time though the import listing it came later
   * (mayBeApiserverAddressAt): on the endpoint port (isApiserverEndpoint), and, at an address that
   * is no node's, as a client from any port (isManagedApiserverAt) — not as a server on another
   * port, which the apiserver does not serve: the holder's side stands for that. Set lookups first:
   * most addresses never were the apiserver's.
   */
  private apiserverInGap(e: FlowEndpoint, time: number): ResolvedSide | undefined {
    const ip = e.ip;
    if (!this.apiserverIps.has(ip) && !this.formerApiserverIps.has(ip)) return undefined;
    const lastHeld = (before: number) => this.history.lastHeldBefore(ip, before);
    if (e.port !== undefined && this.apiserverEndpointPorts.has(e.port) && mayBeApiserverAddressAt(this.apiserver, this.formerApiserver, ip, e.port, time, lastHeld)) return this.apiserverSide(e);
    if (this.nodesByIp.has(ip) || this.nodeAt(ip, time) !== undefined) return undefined;
    return mayBeApiserverAddressAt(this.apiserver, this.formerApiserver, ip, undefined, time, lastHeld) ? { ...this.apiserverSide(e), clientOnly: true } : undefined;
  }

  /** When the pod holding `ip` on the pod network at `time` started (the IP history): undefined when none does (a node, nobody). */
  private podSinceAt(ip: string, time: number): number | undefined {
    const iv = this.history.holderAt(ip, time);
    if (iv === undefined) return undefined;
    const peer = this.peerOf(iv.peerKey);
    return peer.kind === 'workload' || peer.kind === 'dns' ? iv.validFrom : undefined;
  }

  /** The apiserver side; `via`: addressed through the `default/kubernetes` Service, with the flow's protocol. */
  private apiserverSide(e: FlowEndpoint, via?: { svc: ServiceInfo; protocol: Protocol }): ResolvedSide {
    let port = e.port;
    let viaService = false;
    if (via && port !== undefined) {
      viaService = true;
      const sp = servicePortFor(via.svc.service, port, via.protocol);
      if (sp) port = typeof sp.targetPort === 'number' ? sp.targetPort : this.apiserverPort;
    } else if (!via && port === 443 && e.meta?.kind === 'service') {
      viaService = true;
      port = this.apiserverPort;
    }
    const declared = !viaService || port === undefined || this.apiserverDeclared.has(port) ? this.apiserverDeclared : new Set([...this.apiserverDeclared, port]);
    const side: ResolvedSide = { peer: APISERVER, key: 'apiserver', ip: e.ip, port, declaredPorts: declared };
    if (viaService) side.viaService = true;
    return side;
  }

  /**
   * A node's host network, unless a host-network workload scheduled there declares the port. The
   * flow's own address is searched too: a node whose Node object lists none is known by its
   * host-network pods' podIPs alone.
   *
   * Of several declaring the port, the one holding the address longest holds it: a host-network
   * pod's container ports are its host ports (core/v1 ContainerPort.hostPort, "If HostNetwork is
   * specified, this must match ContainerPort"; kubernetes pkg/apis/core/v1/defaults.go
   * defaultHostNetworkPorts) and the scheduler's NodePorts filter places no pod on a node whose
   * pods hold a host port it asks for, so one that an import no longer lists while the other is
   * still listed is a predecessor gone by the other's start, its interval ending only at that
   * import. Where the inventory lists both to the same end (it contradicts itself), the first
   * started, as before.
   */
  private nodeSide(name: string, e: FlowEndpoint, time: number): ResolvedSide {
    const info = this.nodesByName.get(name);
    const declared = new Set<number>([KUBELET_PORT]);
    let holder: { from: number; to: number; workload: WorkloadInfo } | undefined;
    for (const ip of new Set([e.ip, ...(info?.ips ?? [])])) {
      for (const iv of this.history.hostNetworkHoldersAt(ip, time)) {
        const peer = this.peerOf(iv.peerKey);
        if (peer.kind !== 'workload' && peer.kind !== 'dns') continue;
        const w = this.holderWorkload(iv.peerKey, peer.workload);
        if (e.port !== undefined && w.declared.has(e.port)) {
          const to = iv.validTo ?? Infinity;
          if (holder === undefined || to > holder.to || (to === holder.to && iv.validFrom < holder.from)) holder = { from: iv.validFrom, to, workload: w };
        } else for (const p of w.declared) declared.add(p);
      }
    }
    if (holder !== undefined) return this.workloadSide(holder.workload, e, name, time);
    if (info !== undefined) return { peer: info.peer, key: info.key, ip: e.ip, port: e.port, node: name, declaredPorts: declared };
    const peer: Peer = { kind: 'node', node: name };
    return { peer, key: peerKey(peer), ip: e.ip, port: e.port, node: name, declaredPorts: declared };
  }

  private ciliumIngressSide(e: FlowEndpoint): ResolvedSide {
    return { peer: CILIUM_INGRESS, key: peerKey(CILIUM_INGRESS), ip: e.ip, port: e.port, declaredPorts: EMPTY };
  }

  private unknownSide(e: FlowEndpoint): ResolvedSide {
    const peer: Peer = { kind: 'unknown', ip: e.ip };
    return { peer, key: `unknown:${e.ip}`, ip: e.ip, port: e.port, declaredPorts: EMPTY };
  }

  /** A Service address whose Service (or its backends) is not known at the flow's time: in-cluster, addressed as a server. */
  private unknownServiceSide(e: FlowEndpoint): ResolvedSide {
    return { ...this.unknownSide(e), viaService: true };
  }

  private externalSide(e: FlowEndpoint): ResolvedSide {
    const peer: Peer = { kind: 'external', ip: e.ip };
    const side: ResolvedSide = { peer, key: `external:${e.ip}`, ip: e.ip, port: e.port, declaredPorts: EMPTY };
    if (e.names) side.names = e.names;
    return side;
  }
}

/** The Service existed at `time`: created by then (its creation not known: taken as always). */
function existedAt(s: Service, time: number): boolean {
  return s.createdAt === undefined || time >= s.createdAt;
}

/** `sides` without repeats: one per peer, port and target port name, the first kept. */
function uniqueSides(sides: readonly ResolvedSide[]): ResolvedSide[] {
  const seen = new Set<string>();
  return sides.filter((side) => {
    const key = `${side.key} ${side.port ?? ''} ${side.targetPortName ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A selector's matchLabels, when it has some and no matchExpressions: what a record's labels are matched against. */
function selectorLabels(selector: Workload['selector']): [string, string][] | undefined {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  return matchLabels.length > 0 && !selector.matchExpressions?.length ? matchLabels : undefined;
}

/** Adds the workload's container ports to what its info declares. */
function declarePorts(info: WorkloadInfo, w: Workload): WorkloadInfo {
  for (const p of w.ports) {
    info.declared.add(p.port);
    info.ports.push(p);
  }
  return info;
}

function addNamedPort(ports: NamedPorts, name: string, port: number): void {
  const numbers = ports.get(name);
  if (numbers) numbers.add(port);
  else ports.set(name, new Set([port]));
}

/** The port names of a backend's slices (by its peer key), made empty when absent. */
function backendSlicePorts(svc: ServiceInfo, backend: string): NamedPorts {
  let ports = svc.slicePorts.get(backend);
  if (ports === undefined) svc.slicePorts.set(backend, (ports = new Map()));
  return ports;
}

function sortedNumbers(numbers: ReadonlySet<number> | undefined): number[] {
  return [...(numbers ?? [])].sort((a, b) => a - b);
}

/** Sorts a Service's backends and sets, per port it answers, the ports each backend is sent to (targetPortsOf). */
function addTargetPorts(svc: ServiceInfo): void {
  svc.backends.sort((a, b) => compareStrings(a.key, b.key));
  for (const p of svc.service.ports) {
    // A port repeating an earlier one's (protocol, port) is never addressed: servicePortFor answers the first.
    if (servicePortFor(svc.service, p.port, p.protocol) !== p) continue;
    svc.targetPorts.set(p, new Map(svc.backends.map((b) => [b, targetPortsOf(svc, b, p)])));
  }
  // A headless Service translates nothing (serviceSides): its pods are dialled on their own ports.
  if (!isHeadless(svc.service) && svc.service.ports.some((p) => targetPortName(p) !== undefined)) addTargetPortNames(svc);
}

/**
 * Sets, per backend, protocol and number, the target port name a port of the Service reaches that
 * number through (ServiceInfo.targetPortNames). A number two ports reach through different names,
 * or through a name and a number, gets '' — which one the flow came through is not known, and the
 * number is the safe reading (a rule by the name would miss the number on pods that renumber it).
 */
function addTargetPortNames(svc: ServiceInfo): void {
  for (const [sp, byBackend] of svc.targetPorts) {
    const name = targetPortName(sp) ?? '';
    for (const [b, numbers] of byBackend) {
      let byProtocol = svc.targetPortNames.get(b.key);
      if (byProtocol === undefined) svc.targetPortNames.set(b.key, (byProtocol = new Map()));
      let byNumber = byProtocol.get(sp.protocol);
      if (byNumber === undefined) byProtocol.set(sp.protocol, (byNumber = new Map()));
      for (const n of numbers) {
        const before = byNumber.get(n);
        byNumber.set(n, before === undefined || before === name ? name : '');
      }
    }
  }
}

/**
 * The Service port a pod's port was reached through, `namespace/name:port`, where exactly one of the
 * Service's ports of the flow's protocol sends to that number on this backend: as serviceSides keeps
 * it for a flow to the ClusterIP. Two ports reaching it, or none: undefined.
 */
function servicePortOfPod(svc: ServiceInfo, info: WorkloadInfo, e: FlowEndpoint, protocol: Protocol): string | undefined {
  const backend = svc.backends.find((b) => b.key === info.key);
  if (backend === undefined || e.port === undefined || isHeadless(svc.service)) return undefined;
  const reaching = [...svc.targetPorts].filter(([sp, byBackend]) => sp.protocol === protocol && byBackend.get(backend)?.includes(e.port!) === true);
  return reaching.length === 1 ? `${svc.key}:${reaching[0]![0].port}` : undefined;
}

/** The target port name a Service port reaches `port` of `protocol` on backend `b` through (addTargetPortNames): undefined, or '' for none. */
function namedTargetPort(svc: ServiceInfo, b: WorkloadInfo, protocol: Protocol, port: number): string | undefined {
  return svc.targetPortNames.get(b.key)?.get(protocol)?.get(port);
}

/**
 * Every port of the backend a Service port sends to, sorted (none: a name nothing resolves): a
 * numeric targetPort; else the numbers the backend's pods' EndpointSlices give the port's name,
 * else its pods' container ports of the target port's name (a named target port is resolved on
 * each pod: `serviceTargetPorts`), else what any slice of the Service gives the name (slices whose
 * pods the inventory does not hold).
 */
function targetPortsOf(svc: ServiceInfo, backend: WorkloadInfo, sp: ServicePort): number[] {
  if (typeof sp.targetPort === 'number') return [sp.targetPort];
  if (/^\d+$/.test(sp.targetPort)) return [Number(sp.targetPort)];
  const bySlice = (ports: NamedPorts | undefined) => (sp.name === undefined ? [] : sortedNumbers(ports?.get(sp.name)));
  const own = bySlice(svc.slicePorts.get(backend.key));
  if (own.length > 0) return own;
  const declared = serviceTargetPorts(sp, backend);
  return declared.length > 0 ? declared : bySlice(svc.anySlicePorts);
}

export const EMPTY_RESOLUTION: ResolutionData = {
  ipHistory: new IpHistory(),
  workloads: [],
  services: [],
  endpointSlices: [],
  nodes: [],
  apiserver: [],
  dnsWorkloads: [],
  ownerAliases: [],
};
