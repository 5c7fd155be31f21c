/**
 * The demo cluster as the generator holds it: enough to render the Kubernetes inventory and
 * to produce flow records that agree with it (IPs, ports, nodes, owners).
 */

export type L4Protocol = 'TCP' | 'UDP';
export type DemoWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Pod';

export interface DemoNode {
  name: string;
  uid: string;
  ip: string;
  role: 'control-plane' | 'worker';
  podCIDR: string;
  zone: string;
  labels: Record<string, string>;
  /** MAC of the node's uplink, as flow records show it. */
  mac: string;
}

export interface DemoContainerPort {
  name?: string;
  port: number;
  protocol: L4Protocol;
}

export interface DemoContainer {
  name: string;
  image: string;
  ports: DemoContainerPort[];
  /** Name of the container port kubelet probes (httpGet), when the container has probes. */
  probe?: string;
}

export interface DemoWorkload {
  /** Which documented system (or application) the workload belongs to: `netobserv`, `kyma-telemetry`, `stacklight`, `progressive-delivery`, `shop`, … */
  system: string;
  namespace: string;
  kind: DemoWorkloadKind;
  name: string;
  uid: string;
  /** Pod template labels without the volatile ones the controllers add. */
  labels: Record<string, string>;
  /** The owner's spec.selector.matchLabels. */
  selector: Record<string, string>;
  replicas: number;
  hostNetwork: boolean;
  placement: 'workers' | 'all';
  containers: DemoContainer[];
  serviceAccount: string;
  createdAt: number;
  /** Deployment: its ReplicaSet. DaemonSet/StatefulSet: the controller revision hash. */
  templateHash: string;
  replicaSetUid?: string;
  /** CronJob: the schedule and the runs (scheduled times, ms) the demo covers. */
  schedule?: string;
  runs?: number[];
}

export interface DemoPod {
  namespace: string;
  name: string;
  uid: string;
  workload: DemoWorkload;
  /** The controller owner as ownerReferences[0] names it (ReplicaSet, StatefulSet, DaemonSet, Job) or none for a bare pod. */
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  node: DemoNode;
  ip: string;
  hostNetwork: boolean;
  /** Full pod labels, including volatile ones (pod-template-hash, job-name, …). */
  labels: Record<string, string>;
  createdAt: number;
  /** Job pods: when the container finished (pod becomes Succeeded). */
  finishedAt?: number;
  /** When the pod was deleted (it disappears from later snapshots). */
  deletedAt?: number;
  /** Job pods: the Job that owns them. */
  job?: { name: string; uid: string; scheduledAt: number };
  mac: string;
  /** Host-side interface of the pod (Cilium lxc device). */
  hostIf: string;
  /** Cilium endpoint id on its node. */
  endpointId: number;
}

export interface DemoServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: L4Protocol;
  nodePort?: number;
}

export interface DemoService {
  namespace: string;
  name: string;
  uid: string;
  type: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  clusterIP: string;
  ports: DemoServicePort[];
  /** Absent for `default/kubernetes`. */
  selector?: Record<string, string>;
  labels: Record<string, string>;
  loadBalancerIP?: string;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  createdAt: number;
}

export interface DemoIngress {
  namespace: string;
  name: string;
  uid: string;
  host: string;
  service: string;
  servicePort: number;
  className: string;
  loadBalancerIP: string;
  createdAt: number;
}

export interface DemoNetworkPolicy {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
  createdAt: number;
}

/** A host outside the cluster that workloads talk to (or that talks to the cluster). */
export interface DemoExternal {
  id: string;
  ip: string;
  /** DNS name the workloads resolve, when they use one. */
  dnsName?: string;
}

export type EndRef =
  | { kind: 'workload'; namespace: string; name: string }
  /** The node that hosts the other side (kubelet probes). */
  | { kind: 'own-node' }
  /** Any node of the cluster (kubelet 10250 scrapes). */
  | { kind: 'node' }
  | { kind: 'apiserver' }
  | { kind: 'external'; id: string };

/** One kind of traffic the demo cluster carries, with how often it happens. */
export interface Conversation {
  id: string;
  client: EndRef;
  server: EndRef;
  /** The port the server listens on (after any Service translation). */
  port: number;
  protocol: L4Protocol;
  /** `namespace/name` of the ClusterIP Service the client dials, when it goes through one. */
  service?: string;
  /** Relative frequency. */
  weight: number;
  /** Which document describes this traffic; absent = no document mentions it. */
  documentedBy?: string;
  /** `namespace/name` of the existing NetworkPolicy that drops it, when one does. */
  deniedBy?: string;
  /** DNS names the client resolves before it connects (drives the DNS queries). */
  dnsName?: string;
  /** Only DNS: a query/answer pair rather than a TCP connection. */
  dns?: boolean;
  note?: string;
}

export interface IpReuse {
  ip: string;
  /** Pod that held the IP first (deleted at `releasedAt`). */
  before: string;
  /** Pod of another workload that holds the IP after `reusedAt`. */
  after: string;
  releasedAt: number;
  reusedAt: number;
}

export interface DemoCluster {
  seed: number;
  scale: number;
  name: string;
  /** Start of the flow window (ms) = when `inventory.json` is taken. */
  baseTime: number;
  /** Length of the flow window, ms. */
  windowMs: number;
  /** When `inventory-later.json` is taken. */
  laterSnapshotAt: number;
  serviceCIDR: string;
  nodes: DemoNode[];
  namespaces: { name: string; uid: string; labels: Record<string, string>; createdAt: number }[];
  workloads: DemoWorkload[];
  pods: DemoPod[];
  services: DemoService[];
  ingresses: DemoIngress[];
  policies: DemoNetworkPolicy[];
  externals: DemoExternal[];
  conversations: Conversation[];
  apiserver: { ip: string; port: number; node: string };
  ipReuse: IpReuse;
}
