/**
 * The cluster inventory as the domain sees it: what `inventory import` and the Kubernetes
 * collector produce, what the store keeps, and what resolution and the recommender read.
 */
import type { Protocol } from './flow.ts';
import type { WorkloadKind, WorkloadRef } from './peer.ts';

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
  container?: string;
}

/**
 * How a Service's nodes handle traffic to its externally-facing addresses (node ports, external IPs,
 * load-balancer IPs): `Cluster` forwards it to any endpoint, masquerading the client behind the node;
 * `Local` to the node's own endpoints, "without masquerading the client source IP" (Service API
 * reference, spec.externalTrafficPolicy).
 */
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

export interface Exposure {
  /** A Service of that type, a Service's `spec.externalIPs`, or an Ingress backend. */
  via: 'LoadBalancer' | 'NodePort' | 'externalIPs' | 'Ingress';
  /** `namespace/name` of the Service or Ingress. */
  object: string;
  /** The pod port that is reachable from outside. */
  port: number;
  protocol: Protocol;
  /** via externalIPs: the addresses the Service is reached on, sorted. */
  addresses?: string[];
  /** A Service's, where the inventory gives it (absent: stored before migration 0032, read as Cluster, the API's default). */
  externalTrafficPolicy?: ExternalTrafficPolicy;
}

export interface Workload extends WorkloadRef {
  kind: WorkloadKind;
  /** Pod template labels (for bare pods: the pod's labels). */
  labels: Labels;
  /** The owner's spec.selector, or the pod labels minus volatile ones (docs/inventory.md, "Workloads"). */
  selector: LabelSelector;
  hostNetwork: boolean;
  ports: ContainerPort[];
  /** `namespace/name` of each Service that selects the workload, sorted. */
  services: string[];
  exposure: Exposure[];
  serviceAccount?: string;
  /** The cluster DNS (domain/cluster-dns.ts: the pods of kube-system/kube-dns or openshift-dns/dns-default): its pods are `dns:` peers. */
  clusterDns?: boolean;
  /**
   * Its pods run an Istio proxy (domain/istio.ts): an `istio-proxy` container (an injected sidecar,
   * a gateway, ztunnel), or the injector's `sidecar.istio.io/status` annotation on a pod.
   */
  istioProxy?: boolean;
}

export interface ServicePort {
  name?: string;
  port: number;
  /** Numeric target port, or the name of a container port. */
  targetPort: number | string;
  protocol: Protocol;
  nodePort?: number;
}

export interface Service {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIPs: string[];
  ports: ServicePort[];
  /** Absent for Services without a selector (e.g. default/kubernetes). */
  selector?: Labels;
  /**
   * spec.externalName of an ExternalName Service, canonical (domain/dns-name.ts): the name its own
   * name is a CNAME to (absent: another type, or stored before migration 0036).
   */
  externalName?: string;
  /** spec.externalIPs, sorted: addresses outside the cluster's own on which nodes route the Service ports to its endpoints. */
  externalIPs?: string[];
  /**
   * status.loadBalancer.ingress[].ip of the entries in VIP mode, sorted: the load balancer's addresses,
   * which nodes also route to the Service's endpoints (absent: none, or stored before migration 0034).
   */
  loadBalancerIPs?: string[];
  /** spec.externalTrafficPolicy (absent: not given, or stored before migration 0032). */
  externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * metadata.creationTimestamp, ms. A ClusterIP cannot change for a Service's life, so the Service
   * holds its addresses from then on: a flow to one of them before then was to another Service.
   */
  createdAt?: number;
}

/**
 * A ClusterIP of a Service the inventory no longer lists (deleted, or recreated on another
 * address): the Service held it from `createdAt` (absent: not known, since ever) until `validTo`,
 * the time of the import that no longer listed it, and sent it to `backends` (as last listed).
 */
export interface FormerClusterIp {
  ip: string;
  namespace: string;
  name: string;
  ports: ServicePort[];
  backends: WorkloadRef[];
  createdAt?: number;
  validTo: number;
}

/**
 * A state a Service was in before today's: from `validFrom` (the import that first saw it, or the
 * Service's creation when it was created after the import before) until `validTo` (the import that
 * saw it change, or the Service gone), with `ports` it sent to `backends`. The Service instance is
 * its namespace, name and `createdAt` (absent: not known). A flow to its ClusterIP before
 * `changedAfter` (when an import last showed the state) went to those backends; one from then
 * until `validTo` went to them or to the next state's, since the change happened at a moment no
 * import saw (store/service-backends.ts).
 */
export interface ServiceBackendState {
  namespace: string;
  name: string;
  createdAt?: number;
  ports: ServicePort[];
  backends: WorkloadRef[];
  validFrom: number;
  validTo: number;
  changedAfter: number;
}

/**
 * A Service IP range of the cluster: a `ServiceCIDR` (networking.k8s.io/v1, GA in Kubernetes 1.33,
 * cluster-scoped), which "defines a range of IP addresses … used to allocate ClusterIPs to Service
 * objects" (Kubernetes API reference, ServiceCIDR v1); the default one, `kubernetes`, is made from
 * the API server's --service-cluster-ip-range. `cidrs`: its canonical CIDRs (at most one per family).
 */
export interface ServiceCidr {
  name: string;
  cidrs: string[];
}

/** How a snapshot's scope and import summaries name the ServiceCIDR kind (kindKey). */
export const SERVICE_CIDR_KEY = 'ServiceCIDR.networking.k8s.io';

export interface EndpointSlicePort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  /**
   * The endpoint's name under a headless Service (discovery.k8s.io/v1 Endpoint.hostname: "used by
   * consumers of endpoints to distinguish endpoints from each other (e.g. in DNS names)"): the pod's
   * `spec.hostname` when its `spec.subdomain` is the Service's name.
   */
  hostname?: string;
  ready?: boolean;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name: string };
}

export interface EndpointSlice {
  namespace: string;
  name: string;
  service?: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: EndpointSliceEndpoint[];
  ports: EndpointSlicePort[];
}

export interface NodeAddress {
  /** Kubernetes' (InternalIP, ExternalIP, Hostname, …), or CNI_ADDRESS. */
  type: string;
  address: string;
}

/**
 * An address the CNI gives the node itself, read from the Node's annotations: Calico's IPIP,
 * VXLAN and WireGuard tunnel addresses, Cilium's cilium_host router address. In an overlay the
 * node reaches pods on other nodes from it (projectcalico/calico#721: "the originating IP …
 * appears from the tunl address"), so it is the node's host network as much as its InternalIP.
 */
export const CNI_ADDRESS = 'CNIAddress';

/** Node address types whose IPs are the node's host network: flows from them are the node's, rules for it name them. */
export const NODE_HOST_ADDRESS_TYPES: ReadonlySet<string> = new Set(['InternalIP', 'ExternalIP', CNI_ADDRESS]);

export interface Node {
  name: string;
  labels: Labels;
  addresses: NodeAddress[];
  podCIDRs: string[];
  /** metadata.creationTimestamp, ms: when the node's addresses start to count in the IP history. */
  since?: number;
}

/** A node's addresses that show up in flows as its host network (NODE_HOST_ADDRESS_TYPES). */
export function nodeHostIps(node: Pick<Node, 'addresses'>): string[] {
  return node.addresses.filter((a) => NODE_HOST_ADDRESS_TYPES.has(a.type)).map((a) => a.address);
}

export interface Namespace {
  name: string;
  labels: Labels;
}

/** A network policy as applied in the cluster, kept raw for diffing and simulation. */
export interface AppliedPolicy {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  manifest: unknown;
}

/**
 * Which pod, over time: a pod deleted and created again under its name (every StatefulSet pod) is
 * another pod, told apart by `metadata.uid` ("unique in time and space", apimachinery meta/v1
 * ObjectMeta) — or, where a uid is missing (a store imported before migration 0037), by its start.
 */
export interface PodIdentity {
  namespace: string;
  pod: string;
  uid?: string;
  /** When the pod started holding its IP (status.startTime, else creationTimestamp), ms. */
  since?: number;
}

/** One pod's claim on an IP, from which the IP history is built (domain/ip-history.ts). */
export interface PodAddress extends PodIdentity {
  ip: string;
  workload: WorkloadRef;
  node?: string;
  hostNetwork: boolean;
  /**
   * The pod's own labels: one of its workload's sets in InventorySnapshot.podLabels, the same
   * object (kept once per workload and set, never per pod). Absent: not known (stored before
   * migration 0048); its workload's template labels stand for them then.
   */
  labels?: Labels;
  /**
   * The pod's own container ports: one of its workload's lists in InventorySnapshot.podPorts, the
   * same object. Absent: not known (stored before migration 0048); its workload's ports, merged
   * over all its pods, stand for them then.
   */
  ports?: ContainerPort[];
}

/**
 * A pod that ran and finished (Succeeded, Failed) on an IP: it held the IP from its start until its
 * last container finished (`until`), when the kubelet tore its network down — its status keeps the
 * address, yet it may be another pod's now. Feeds the IP history only: it is no pod of its workload
 * any more (not among the snapshot's podAddresses).
 */
export interface FinishedPodAddress extends PodIdentity {
  ip: string;
  workload: WorkloadRef;
  node?: string;
  hostNetwork: boolean;
  /** When its last container finished, ms. */
  until: number;
}

export interface ApiserverEndpoint {
  ip: string;
  port: number;
  protocol: Protocol;
}

/** An endpoint the apiserver has now, listed from `since` (absent: since ever, the first import that listed any). */
export interface CurrentApiserverEndpoint extends ApiserverEndpoint {
  since?: number;
}

/** An endpoint the apiserver had once: from `validFrom` (absent: since ever) until `validTo` (ms), the import that no longer listed it. */
export interface FormerApiserverEndpoint extends ApiserverEndpoint {
  validFrom?: number;
  validTo: number;
}

/** Maps an intermediate owner or a pod name to its workload: (ns, ReplicaSet, x-abc) → Deployment or Rollout x; (ns, ReplicationController, x-2) → DeploymentConfig x; (ns, Job, j-123) → CronJob j; (ns, Pod, p) → …. */
export interface OwnerAlias {
  namespace: string;
  kind: string;
  name: string;
  workload: WorkloadRef;
}

/** Cilium's own cluster name when `cluster-name` is not set (cilium/cilium pkg/defaults: ClusterName = "default"). */
export const DEFAULT_CILIUM_CLUSTER = 'default';

/**
 * How the kube-system/cilium-config ConfigMap says Cilium enforces policy, as far as the
 * simulators and warnings need it (Cilium pkg/option config.go; the Helm chart writes both keys).
 */
export interface CiliumPolicySettings {
  /**
   * `policy-cidr-match-mode` (Helm `policyCIDRMatchMode`, written space-separated): the peers CIDR
   * selectors and ipBlocks may select besides the world. Empty (Cilium's default) when the key is
   * absent or empty; `nodes` makes them select node addresses (Cilium >= 1.15, policy language
   * "Selecting nodes with CIDR / ipBlock").
   */
  policyCidrMatchMode: string[];
  /** `enable-sctp` (Helm `sctp.enabled`): policies on SCTP ports are enforced only when on. Default off. */
  enableSctp: boolean;
  /**
   * `allow-localhost` (Helm `allowLocalhost`): `auto` (the default, `always` under Kubernetes) and
   * `always` let the local host into its pods whatever the policy; under `policy` the local host
   * (the kubelet's probes, host-network pods on the node) is subject to policy like any peer
   * (cilium/cilium pkg/option config.go AllowLocalhost).
   */
  allowLocalhost: AllowLocalhost;
  /**
   * `enable-host-firewall` (Helm `hostFirewall.enabled`): only with it does the agent apply host
   * policies (CiliumClusterwideNetworkPolicies with a `nodeSelector`) to the nodes (Cilium
   * Documentation/security/policy/host.rst). A ConfigMap without the key is off (the Helm chart
   * writes it only when on); absent only where the import was made by a release that did not read
   * it (before migration 0041): then not known.
   */
  enableHostFirewall?: boolean;
  /**
   * `enable-policy` (Helm `policyEnforcementMode`): `default` enforces policy on an endpoint, per
   * direction, once a rule selects it; `always` on every endpoint, default deny in both directions
   * even where no rule selects it (the host endpoint too where the host firewall is on); `never` on
   * none (Documentation/security/policy/intro.rst "Policy Enforcement Modes"). A ConfigMap without
   * the key is `default`; absent only where the import was made by a release that did not read it
   * (before migration 0042).
   */
  enablePolicy?: EnablePolicy;
  /**
   * `policy-audit-mode` (Helm `policyAuditMode`): verdicts are computed but nothing is dropped
   * (flows that policy would deny show AUDIT; Documentation/gettingstarted/policy-creation.rst). A
   * ConfigMap without the key is off; absent as `enablePolicy` is.
   */
  policyAuditMode?: boolean;
  /**
   * `enable-icmp-rules`: only with it does the agent take a rule with `icmps`; with it off it refuses
   * the rule, and so the whole policy ("ICMP rules can only be applied when the \"enable-icmp-rules\"
   * flag is set", cilium/cilium pkg/policy/api/rule_validation.go). On by default (pkg/defaults
   * EnableICMPRules, read by pkg/option/config.go), and the Helm chart never writes the key, so a
   * ConfigMap without it is on; absent only where the import was made by a release that did not read
   * it (before migration 0044): then not known, and taken as on.
   */
  enableIcmpRules?: boolean;
  /**
   * `enable-k8s-cluster-network-policy` (Helm `k8sClusterNetworkPolicy.enabled`): only with it does
   * the agent (Cilium 1.20 on) watch policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicies and
   * enforce them, Admin tier before its own and the Kubernetes policies, Baseline tier after (a
   * build before its tiers without them: domain/cilium-release.ts)
   * (pkg/policy/k8s/cluster_network_policy.go; pkg/policy/types/policyentry.go `Admin`, `Normal`,
   * `Baseline`). Off by default, and a ConfigMap without the key is off; absent only where the
   * import was made by a release that did not read it (before migration 0050): then not known, and
   * taken as off.
   */
  enableK8sClusterNetworkPolicy?: boolean;
}

export const ENABLE_POLICY_VALUES = ['default', 'always', 'never'] as const;
export type EnablePolicy = (typeof ENABLE_POLICY_VALUES)[number];

export const ALLOW_LOCALHOST_VALUES = ['auto', 'always', 'policy'] as const;
export type AllowLocalhost = (typeof ALLOW_LOCALHOST_VALUES)[number];

/** Whether the local host is subject to policy (`allow-localhost: policy`), not let in whatever the policy. */
export function localHostUnderPolicy(settings: CiliumPolicySettings | undefined): boolean {
  return settings?.allowLocalhost === 'policy';
}

/** Whether the agent refuses rules with `icmps`: the cilium-config says `enable-icmp-rules` is off (not known: on, the default). */
export function ciliumIcmpRulesOff(settings: CiliumPolicySettings | undefined): boolean {
  return settings?.enableIcmpRules === false;
}

/** Whether Cilium enforces the ClusterNetworkPolicies (`enable-k8s-cluster-network-policy`; not known: off, the default). */
export function ciliumEnforcesClusterNetworkPolicies(settings: CiliumPolicySettings | undefined): boolean {
  return settings?.enableK8sClusterNetworkPolicy === true;
}

/** Whether CIDR selectors and ipBlocks select node addresses (`policy-cidr-match-mode` includes `nodes`). */
export function cidrMatchesNodes(settings: CiliumPolicySettings | undefined): boolean {
  return settings?.policyCidrMatchMode.includes('nodes') ?? false;
}

/** A full snapshot of the cluster, as one import or one collector pass sees it. */
/** An Ingress backend: a Service in the Ingress's namespace and one of its ports (number or name). */
export interface IngressBackend {
  service: string;
  port: number | string;
}

/** An Ingress, as far as it exposes workloads: the Services its rules and default backend send to. */
export interface Ingress {
  namespace: string;
  name: string;
  backends: IngressBackend[];
}

export interface InventorySnapshot {
  /** When the snapshot was taken, ms. */
  takenAt: number;
  namespaces: Namespace[];
  nodes: Node[];
  workloads: Workload[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  policies: AppliedPolicy[];
  podAddresses: PodAddress[];
  /**
   * The running or pending pods listed without any IP (core/v1 PodStatus.podIP: "Empty if not yet
   * allocated"), by namespace and name: none of them holds an IP before this snapshot's time
   * (domain/ip-history.ts podClaims). Absent: the snapshot holds no such pod.
   */
  podsWithoutIp?: PodIdentity[];
  /**
   * The addresses of pods that finished, each held until its pod's end, sorted like podAddresses:
   * the closed intervals they add to the IP history (domain/ip-history.ts podClaims). Absent: the
   * snapshot holds no finished pod that says when it finished.
   */
  finishedPods?: FinishedPodAddress[];
  apiserver: ApiserverEndpoint[];
  /**
   * The cluster's Service IP ranges (ServiceCIDR objects), sorted by name: an address inside them
   * is a Service's, never an outside one. Absent: the snapshot holds none.
   */
  serviceCidrs?: ServiceCidr[];
  /** Intermediate owners and pod names → workload (ReplicaSet → Deployment, Job → CronJob, Pod → workload). */
  ownerAliases?: OwnerAlias[];
  /** The Ingresses, sorted by namespace and name (kept as a kind: they expose workloads). */
  ingresses?: Ingress[];
  /**
   * Per workload key, the distinct label sets of the workload's pods in this snapshot, sorted: a
   * Service selects the workload when it selects its labels or any of these (per-pod Services).
   * Stored with the workload, so that a later import of Services alone links them the same way.
   * Read back too: a workload without an entry has no pod in the inventory (one without a podIP
   * still has its entry), which the verification needs to know (recommender/simulate/cluster.ts).
   */
  podLabels?: Record<string, Labels[]>;
  /**
   * Per workload key, the distinct container-port lists of the workload's pods in this snapshot,
   * sorted by their JSON: what each pod's own named ports mean (PodAddress.ports points into it).
   */
  podPorts?: Record<string, ContainerPort[][]>;
  /**
   * Workload keys whose selector this snapshot made from labels (its pods', its ReplicaSets' or
   * Jobs' templates) because it does not hold the owner object: a pods-only refresh, a live
   * collector holding a pod before its Deployment. Sorted. The store keeps an owner's selector it
   * holds for these (store/inventory.ts writeWorkloads).
   */
  derivedSelectors?: string[];
  /**
   * The Cilium cluster name (`cluster-name` of the kube-system/cilium-config ConfigMap), when the
   * inventory carried it: the `io.cilium.k8s.policy.cluster` label of every pod. Read back as the
   * latest import that carried one.
   */
  ciliumClusterName?: string;
  /**
   * What the same cilium-config says of policy enforcement, read back from the latest import that
   * carried it. Absent when none did, or when it was imported by a release that did not read these
   * keys (not set: Cilium's defaults are assumed, and warnings say the config is not known).
   */
  ciliumPolicy?: CiliumPolicySettings;
  /**
   * The image of Cilium's agent (its DaemonSet's cilium-agent container, collectors/inventory/cilium-agent.ts),
   * whose tag is the Cilium version: how the ClusterNetworkPolicies are enforced depends on it
   * (domain/cilium-release.ts). Read back from the latest import that showed one; absent when none did.
   */
  ciliumAgentImage?: string;
  /**
   * Nodes gone from the cluster that ran the apiserver (read from the IP history, never imported):
   * traffic stored from them came from a control plane (domain/apiserver.ts formerControlPlaneNodes).
   */
  formerControlPlaneNodes?: string[];
  /**
   * Workloads the stored edges name that an import marked absent (it did not list them: deleted
   * from the cluster, or left out of a filtered export), by workload key: the time of that import
   * (read back, never imported). Their labels are known, but the inventory holds no pod of them to
   * select: their edges are left out of the policy, and say so (`workloadNotInInventory`). Absent:
   * the edges name no such workload.
   */
  deletedWorkloads?: Record<string, number>;
  /**
   * Calico objects carried as `crd.projectcalico.org/v1` and not imported, by kind (`Tier`,
   * `GlobalNetworkPolicy`, …): how many of each (domain/calico-crd.ts). Read back per kind from the
   * last import that carried the kind under either API group. Absent: none.
   */
  calicoCrdObjects?: Record<string, number>;
  /**
   * The object kinds this snapshot is authoritative for (`Pod`, `Deployment.apps`,
   * `NetworkPolicy.networking.k8s.io`, …): stored data of these kinds is replaced, other kinds are
   * left as they are. Absent = authoritative for everything.
   */
  scope?: string[];
}

/**
 * Why an edge's workload `key` is not among the inventory's workloads: the import of `deletedAt`
 * did not list it though it held its kind, so it marked it absent (InventorySnapshot.deletedWorkloads),
 * or no import ever listed it (only flow records name it). Not listed is all that is known: it was
 * deleted, or that import was filtered (one namespace, a label selector) and left it out.
 */
export function workloadNotInInventory(key: string, deletedAt: number | undefined): string {
  return deletedAt === undefined
    ? `workload ${key} is not in the inventory`
    : `workload ${key} is not listed by the inventory import of ${new Date(deletedAt).toISOString()} (deleted, or left out of that import)`;
}

/**
 * The addresses a snapshot knows inside the cluster: the pods' (now), the Services', the nodes',
 * the apiserver's. An edge that names one as `external` was resolved without the inventory that
 * knows it (flows ingested before it was imported).
 */
export function inClusterAddresses(inv: InventorySnapshot): Set<string> {
  return new Set([
    ...inv.podAddresses.map((a) => a.ip),
    ...inv.services.flatMap((s) => s.clusterIPs),
    ...inv.nodes.flatMap((n) => n.addresses.map((a) => a.address)),
    ...inv.apiserver.map((a) => a.ip),
  ]);
}

/**
 * How a snapshot names an object kind in `scope` and in import summaries: `Kind` for the core
 * group, `Kind.group` otherwise (as kubectl names resources): `Pod`, `Deployment.apps`,
 * `NetworkPolicy.projectcalico.org`.
 */
export function kindKey(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${kind}.${apiVersion.slice(0, slash)}`;
}

/** The object kind whose presence in a snapshot makes it authoritative for workloads of each kind. */
export const WORKLOAD_SCOPE_KIND: Record<WorkloadKind, string> = {
  Deployment: 'Deployment.apps',
  StatefulSet: 'StatefulSet.apps',
  DaemonSet: 'DaemonSet.apps',
  Job: 'Job.batch',
  CronJob: 'CronJob.batch',
  Pod: 'Pod',
  Rollout: 'Rollout.argoproj.io',
  DeploymentConfig: 'DeploymentConfig.apps.openshift.io',
};
