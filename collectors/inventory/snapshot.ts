/**
 * Kubernetes objects → InventorySnapshot: workload identity through owner references, selectors,
 * ports, the Services that select each workload, exposure, cluster DNS, the apiserver endpoints
 * and the pod addresses that feed the IP history.
 */
import type {
  Labels,
  ContainerPort,
  ApiserverEndpoint,
  AppliedPolicy,
  EndpointSlice,
  FinishedPodAddress,
  Ingress,
  InventorySnapshot,
  Namespace,
  Node,
  PodAddress,
  PodIdentity,
  Service,
  ServiceCidr,
  Workload,
} from '../../domain/inventory.ts';
import { isApiserverService } from '../../domain/apiserver.ts';
import { cronJobOfRun } from '../../domain/cronjob-run.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import { SERVICE_CIDR_KEY, WORKLOAD_SCOPE_KIND, type CiliumPolicySettings, type OwnerAlias } from '../../domain/inventory.ts';
import { isControllerKey, toController, type ControllerInfo } from './controllers.ts';
import { apiserverFromEndpoints, apiserverFromSlices, isApiserverSlice, toEndpointSlice } from './endpoint-slices.ts';
import { InventoryInputError } from './fields.ts';
import { toIngress } from './ingresses.ts';
import { controllerStampedKeys, isVolatileSelector, selectorFromLabels, withoutVolatile } from './labels.ts';
import type { OwnerRef } from './metadata.ts';
import { toNamespace, toNode } from './nodes.ts';
import type { RawObject } from './parse.ts';
import { mergePorts } from './pod-spec.ts';
import { toPod, type PodInfo } from './pods.ts';
import { calicoCrdObjects, isPolicyKey, policyWarnings, toPolicy } from './policies.ts';
import { toService } from './services.ts';
import { calicoCrdImportWarnings, calicoCrdKey } from '../../domain/calico-crd.ts';
import { toServiceCidr } from './service-cidrs.ts';
import { toNetworkSet } from './network-sets.ts';
import { isNetworkSetKey } from '../../domain/calico-network-sets.ts';
import { isCiliumConfig, readCiliumConfig } from './cilium-config.ts';
import { agentImage, ciliumAgentImageOf } from './cilium-agent.ts';
import { chosenConvention, dnsConventionOf, selectingServices, type DnsConvention } from '../../domain/cluster-dns.ts';
import { compareStrings } from '../../domain/order.ts';
import { exposureOf, servicesByNamespace, servicesSelecting } from '../../domain/service-links.ts';

export interface ConvertedInventory {
  snapshot: InventorySnapshot;
  /** Objects read, by kind key, sorted. */
  objects: Record<string, number>;
  /** Objects of kinds flowmatrix does not use (ConfigMap, Route, …), by kind key: skipped. */
  ignored: Record<string, number>;
  /** Things the user should know but that do not make the input wrong, sorted. */
  warnings: string[];
}

interface Draft {
  ref: WorkloadRef;
  controller?: ControllerInfo;
  /** ReplicaSets of a Deployment or Rollout, ReplicationControllers of a DeploymentConfig, Jobs of a CronJob. */
  intermediates: ControllerInfo[];
  pods: PodInfo[];
  /** Label keys the controllers stamp per revision or instance on these pods (labels.ts controllerStampedKeys). */
  stamped: Set<string>;
}

interface Objects {
  pods: PodInfo[];
  controllers: ControllerInfo[];
  services: Service[];
  slices: EndpointSlice[];
  apiserverEndpoints?: ApiserverEndpoint[];
  nodes: Node[];
  namespaces: Namespace[];
  ingresses: Ingress[];
  policies: AppliedPolicy[];
  serviceCidrs: ServiceCidr[];
  /** The ServiceCIDR entries skipped (toServiceCidr). */
  serviceCidrWarnings: string[];
  /** The Calico network sets skipped, and the entries of their nets left out (toNetworkSet). */
  networkSetWarnings: string[];
  ciliumClusterName?: string;
  ciliumPolicy?: CiliumPolicySettings;
  /** The Cilium agent's DaemonSet and pods, with the image their cilium-agent container runs (cilium-agent.ts). */
  ciliumAgents: string[];
  counts: Map<string, number>;
  ignored: Map<string, number>;
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

function readObjects(raws: RawObject[]): Objects {
  const o: Objects = { pods: [], controllers: [], services: [], slices: [], nodes: [], namespaces: [], ingresses: [], policies: [], serviceCidrs: [], serviceCidrWarnings: [], networkSetWarnings: [], ciliumAgents: [], counts: new Map(), ignored: new Map() };
  const seen = new Map<string, string>();
  const unique = (raw: RawObject, namespace: string | undefined, name: string) => {
    const id = `${raw.key}|${namespace ?? ''}|${name}`;
    const first = seen.get(id);
    if (first !== undefined) throw new InventoryInputError(`${raw.where} ${raw.kind} ${namespace ? `${namespace}/` : ''}${name}: duplicate of ${first}`);
    seen.set(id, raw.where);
    bump(o.counts, raw.key);
  };
  for (const raw of raws) {
    const key = raw.key;
    const agent = ciliumAgentImageOf(raw);
    if (agent !== undefined) o.ciliumAgents.push(agent);
    if (key === 'Pod') {
      const p = toPod(raw);
      unique(raw, p.namespace, p.name);
      o.pods.push(p);
    } else if (isControllerKey(key)) {
      const c = toController(raw);
      unique(raw, c.namespace, c.name);
      o.controllers.push(c);
    } else if (key === 'Service') {
      const s = toService(raw);
      unique(raw, s.namespace, s.name);
      o.services.push(s);
    } else if (key === 'EndpointSlice.discovery.k8s.io') {
      const s = toEndpointSlice(raw);
      unique(raw, s.namespace, s.name);
      o.slices.push(s);
    } else if (key === 'Endpoints') {
      // Only the apiserver's Endpoints matter (fallback for clusters exported without slices).
      const eps = apiserverFromEndpoints(raw);
      const md = raw.obj.metadata as { name?: unknown; namespace?: unknown };
      unique(raw, String(md.namespace), String(md.name));
      if (isApiserverService(String(md.namespace), String(md.name))) o.apiserverEndpoints = eps;
    } else if (key === 'Node') {
      const n = toNode(raw);
      unique(raw, undefined, n.name);
      o.nodes.push(n);
    } else if (key === 'Namespace') {
      const n = toNamespace(raw);
      unique(raw, undefined, n.name);
      o.namespaces.push(n);
    } else if (key === 'Ingress.networking.k8s.io') {
      const i = toIngress(raw);
      unique(raw, i.namespace, i.name);
      o.ingresses.push(i);
    } else if (isNetworkSetKey(key)) {
      // One Calico would refuse is skipped, not the import: it holds no address a rule matches.
      const read = skippingRefused(raw, toNetworkSet, o.networkSetWarnings);
      if (read === undefined) bump(o.counts, key);
      else {
        unique(raw, read.set.namespace, read.set.name);
        o.policies.push(read.set);
        o.networkSetWarnings.push(...read.warnings);
      }
    } else if (isPolicyKey(key)) {
      const p = toPolicy(raw);
      unique(raw, p.namespace, p.name);
      o.policies.push(p);
    } else if (key === SERVICE_CIDR_KEY) {
      const { serviceCidr, warnings } = toServiceCidr(raw);
      unique(raw, undefined, serviceCidr.name);
      o.serviceCidrs.push(serviceCidr);
      o.serviceCidrWarnings.push(...warnings);
    } else if (isCiliumConfig(raw)) {
      const config = readCiliumConfig(raw);
      o.ciliumClusterName = config.clusterName;
      o.ciliumPolicy = config.policy;
      unique(raw, 'kube-system', 'cilium-config');
    } else {
      bump(o.ignored, key);
    }
  }
  return o;
}

/** `read(raw)`, or undefined with a warning naming the object and the field when it refuses the object. */
function skippingRefused<T>(raw: RawObject, read: (raw: RawObject) => T, warnings: string[]): T | undefined {
  try {
    return read(raw);
  } catch (e) {
    if (!(e instanceof InventoryInputError)) throw e;
    warnings.push(`${e.message}: skipped and not stored, as Calico refuses it (no policy rule matches its nets)`);
    return undefined;
  }
}

/** Resolves owners, building one draft per workload and the owner aliases. */
class WorkloadIndex {
  readonly drafts = new Map<string, Draft>();
  readonly aliases = new Map<string, OwnerAlias>();
  private readonly controllers = new Map<string, ControllerInfo>();
  /** Owner (ns/Kind/name) → number of pods that fell back to bare pods because of it. */
  readonly unsupportedOwners = new Map<string, number>();

  constructor(
    controllers: ControllerInfo[],
    private readonly knownOwners: KnownOwners | undefined,
    /** Whether the import is authoritative for CronJobs (it lists them, or a watcher listed none): the stored ones are not consulted then. */
    private readonly holdsCronJobs: boolean,
  ) {
    for (const c of controllers) this.controllers.set(`${c.namespace}/${c.kind}/${c.name}`, c);
    for (const c of controllers) this.addController(c);
  }

  private draft(ref: WorkloadRef): Draft {
    const key = workloadKey(ref);
    let d = this.drafts.get(key);
    if (!d) {
      d = { ref, intermediates: [], pods: [], stamped: new Set() };
      this.drafts.set(key, d);
    }
    return d;
  }

  private alias(namespace: string, kind: string, name: string, workload: WorkloadRef): void {
    this.aliases.set(`${namespace}/${kind}/${name}`, { namespace, kind, name, workload });
  }

  private intermediate(c: ControllerInfo, ref: WorkloadRef): void {
    const d = this.draft(ref);
    d.intermediates.push(c);
    const self: OwnerRef = { kind: c.kind, name: c.name, group: '' };
    for (const k of controllerStampedKeys(c.templateLabels ?? {}, self, ref)) d.stamped.add(k);
    this.alias(c.namespace, c.kind, c.name, ref);
  }

  private addController(c: ControllerInfo): void {
    const ns = c.namespace;
    if (c.kind === 'ReplicaSet' || c.kind === 'ReplicationController') {
      const kind = c.owner && intermediateOwnerKind(c.kind, c.owner);
      if (kind) this.intermediate(c, { namespace: ns, kind, name: (c.owner as OwnerRef).name });
      // Otherwise its pods become bare pods: see resolvePod.
    } else if (c.kind === 'Job' && c.owner?.kind === 'CronJob') {
      const ref: WorkloadRef = { namespace: ns, kind: 'CronJob', name: c.owner.name };
      this.draft(ref).intermediates.push(c);
      this.alias(ns, 'Job', c.name, ref);
    } else {
      const ref: WorkloadRef = { namespace: ns, kind: c.kind, name: c.name };
      const d = this.draft(ref);
      d.controller = c;
      for (const k of controllerStampedKeys(c.templateLabels ?? {}, c.owner, ref)) d.stamped.add(k);
    }
  }

  addPod(p: PodInfo): WorkloadRef {
    const ref = this.resolvePod(p);
    const d = this.draft(ref);
    d.pods.push(p);
    for (const k of controllerStampedKeys(p.labels, p.owner, ref)) d.stamped.add(k);
    this.alias(p.namespace, 'Pod', p.name, ref);
    return ref;
  }

  /** An owner this import does not hold, as an earlier import resolved it (a pods-only refresh). */
  private known(namespace: string, kind: string, name: string): WorkloadRef | undefined {
    const ref = this.knownOwners?.alias?.(namespace, kind, name);
    if (ref) this.alias(namespace, kind, name, ref);
    return ref;
  }

  /**
   * Whether the namespace has the CronJob: this import lists it, or the import does not list
   * CronJobs (a pods-only refresh, a live collector not allowed to list them) and the store has it.
   */
  private hasCronJob(ref: WorkloadRef): boolean {
    if (this.controllers.has(`${ref.namespace}/CronJob/${ref.name}`)) return true;
    return !this.holdsCronJobs && this.knownOwners?.hasCronJob?.(ref) === true;
  }

  private resolvePod(p: PodInfo): WorkloadRef {
    const ns = p.namespace;
    const bare: WorkloadRef = { namespace: ns, kind: 'Pod', name: p.name };
    const o = p.owner;
    if (!o || o.kind === 'Node') return bare; // Node: a static (mirror) pod
    switch (o.kind) {
      case 'StatefulSet':
      case 'DaemonSet':
        return { namespace: ns, kind: o.kind, name: o.name };
      case 'Job': {
        const job = this.controllers.get(`${ns}/Job/${o.name}`);
        if (job?.owner?.kind === 'CronJob') return { namespace: ns, kind: 'CronJob', name: job.owner.name };
        if (!job) {
          const known = this.known(ns, 'Job', o.name);
          if (known) return known;
          const run = cronJobOfRun(ns, o.name, (cronJob) => this.hasCronJob(cronJob));
          if (run) {
            this.alias(ns, 'Job', o.name, run);
            return run;
          }
        }
        return { namespace: ns, kind: 'Job', name: o.name };
      }
      case 'ReplicaSet':
      case 'ReplicationController': {
        const held = this.controllers.get(`${ns}/${o.kind}/${o.name}`);
        const kind = held?.owner && intermediateOwnerKind(o.kind, held.owner);
        if (kind) return { namespace: ns, kind, name: (held.owner as OwnerRef).name };
        if (!held) {
          const known = this.known(ns, o.kind, o.name);
          if (known) return known;
          const ref = ownerFromNaming(ns, o.kind, o.name, p.labels);
          if (ref) {
            this.alias(ns, o.kind, o.name, ref);
            return ref;
          }
        }
        break;
      }
    }
    const owner = `${ns}/${o.kind}/${o.name}`;
    this.unsupportedOwners.set(owner, (this.unsupportedOwners.get(owner) ?? 0) + 1);
    return bare;
  }
}

/**
 * The workload kind an intermediate controller's owner is, when flowmatrix models it: a
 * Deployment's or an Argo Rollout's ReplicaSet, an OpenShift DeploymentConfig's ReplicationController.
 */
function intermediateOwnerKind(kind: string, owner: OwnerRef): 'Deployment' | 'Rollout' | 'DeploymentConfig' | undefined {
  if (kind === 'ReplicaSet' && owner.kind === 'Deployment') return 'Deployment';
  if (kind === 'ReplicaSet' && owner.kind === 'Rollout' && owner.group === 'argoproj.io') return 'Rollout';
  if (kind === 'ReplicationController' && owner.kind === 'DeploymentConfig' && owner.group === 'apps.openshift.io') return 'DeploymentConfig';
  return undefined;
}

/**
 * An intermediate owner this import does not hold, by its controller's naming and the labels it
 * gives the pods (as cilium pkg/k8s/utils/workload.go GetWorkloadMetaFromPod reads them): the
 * Deployment controller names a ReplicaSet <deployment>-<pod-template-hash>, Argo Rollouts
 * <rollout>-<rollouts-pod-template-hash>; the DeploymentConfig controller names a
 * ReplicationController <dc>-<version> and labels its pods deploymentconfig=<dc> (openshift/library-go
 * pkg/apps/appsutil LatestDeploymentNameForConfig, DeploymentConfigLabel).
 */
function ownerFromNaming(namespace: string, kind: string, name: string, labels: Labels): WorkloadRef | undefined {
  const stripped = (hash: string | undefined) => (hash && name.endsWith(`-${hash}`) && name.length > hash.length + 1 ? name.slice(0, -(hash.length + 1)) : undefined);
  if (kind === 'ReplicaSet') {
    const deployment = stripped(labels['pod-template-hash']);
    if (deployment) return { namespace, kind: 'Deployment', name: deployment };
    const rollout = stripped(labels['rollouts-pod-template-hash']);
    if (rollout) return { namespace, kind: 'Rollout', name: rollout };
  }
  const dc = labels.deploymentconfig;
  if (kind === 'ReplicationController' && dc && name.startsWith(`${dc}-`) && /^\d+$/.test(name.slice(dc.length + 1))) return { namespace, kind: 'DeploymentConfig', name: dc };
  return undefined;
}

/** What the store knows of owners an import does not hold: a pods-only refresh, a live collector not allowed to list Jobs or CronJobs. */
export interface KnownOwners {
  /** What an earlier import resolved an owner to (the stored owner aliases): a Job of a CronJob, a ReplicaSet of a Deployment. */
  alias?: (namespace: string, kind: string, name: string) => WorkloadRef | undefined;
  /** Whether the store lists the CronJob as present: a Job named as its run is its run (domain/cronjob-run.ts). */
  hasCronJob?: (ref: WorkloadRef) => boolean;
}

export interface SnapshotContext {
  knownOwners?: KnownOwners;
  /** Kind keys the import is authoritative for beyond those it holds objects of (a watcher's listed resources, some empty). */
  scope?: readonly string[];
}

export function snapshotFromObjects(raws: RawObject[], takenAt: number, context: SnapshotContext = {}): ConvertedInventory {
  const o = readObjects(raws);
  const warnings = new Set<string>();
  const calicoCrd = calicoCrdObjects(o.ignored);
  // Not a kind the store keeps: it is the import's own fact (store/inventory.ts). The Calico kinds
  // skipped from their CRDs are: the store keeps what was skipped until an import says the kind again.
  const scope = [...new Set([...[...o.counts.keys()].filter((k) => k !== 'ConfigMap'), ...Object.keys(calicoCrd).map(calicoCrdKey), ...(context.scope ?? [])])].sort();
  const index = new WorkloadIndex(o.controllers, context.knownOwners, scope.includes(WORKLOAD_SCOPE_KIND.CronJob));
  const pods = [...o.pods].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  const podWorkload = new Map<PodInfo, WorkloadRef>();
  for (const p of pods) podWorkload.set(p, index.addPod(p));
  for (const [owner, count] of index.unsupportedOwners) {
    warnings.add(`${owner} is not a Deployment, StatefulSet, DaemonSet, Job, CronJob, Rollout or DeploymentConfig (nor a ReplicaSet, ReplicationController or Job owned by one): its ${count} pod(s) are treated as bare pods`);
  }

  const servicesByNs = servicesByNamespace(o.services);
  const importedServices = selectingServices(o.services);

  const workloads: Workload[] = [];
  const podLabels: Record<string, Labels[]> = {};
  const podPorts: Record<string, ContainerPort[][]> = {};
  // Each pod's own label set and port list, shared with podLabels and podPorts (PodAddress.labels, .ports).
  const ownSets = new Map<PodInfo, OwnSets>();
  const derivedSelectors: string[] = [];
  const dnsConventions = new Map<number, DnsConvention>();
  for (const key of [...index.drafts.keys()].sort()) {
    const d = index.drafts.get(key) as Draft;
    const c = d.controller;
    const firstIntermediate = [...d.intermediates].sort((a, b) => compareStrings(a.name, b.name))[0];
    // The pods that may run. A Succeeded or Failed pod (an evicted one stays listed until the pod
    // garbage collector's threshold) is no Service's endpoint — the EndpointSlice controller skips
    // terminal pods (kubernetes staging/src/k8s.io/endpointslice/util/controller_utils.go
    // ShouldPodBeInEndpoints) — and no policy applies to it any more: its labels and ports are not
    // those of the pods of today, and a named port only it gave a number is no rule's. Its flows
    // are still its workload's (its address in the IP history), oriented by the ports its
    // controller and ReplicaSets declare.
    const live = d.pods.filter((p) => !p.terminated);
    // What the pods say of the workload (its labels without an owner object, host network, an Istio
    // proxy) is said by those that may run; by the finished ones only where none may (a bare pod, a
    // Job's pods the import lists without the Job): an evicted pod of a revision that ran with a
    // sidecar says nothing of today's pods, which ambient mode may have taken over.
    const running = live.length > 0 ? live : d.pods;
    const firstPod = running[0];
    const labels =
      d.ref.kind === 'Pod'
        ? (firstPod?.labels ?? {})
        : (c?.templateLabels ?? withoutVolatile(firstIntermediate?.templateLabels ?? firstPod?.labels ?? {}, d.stamped));
    const selector = c?.selector && !isVolatileSelector(c.selector) ? c.selector : selectorFromLabels(labels, d.stamped);
    if (!holdsOwnerObject(d)) derivedSelectors.push(key);
    const serviceAccount = c?.serviceAccount ?? firstIntermediate?.serviceAccount ?? firstPod?.serviceAccount;
    const services = servicesSelecting([labels, ...live.map((p) => p.labels)], servicesByNs.get(d.ref.namespace));
    const labelSets = distinctSets(live, (p) => sortedLabels(p.labels));
    const portLists = distinctSets(live, (p) => p.ports);
    if (labelSets.sets.length > 0) podLabels[key] = labelSets.sets;
    if (portLists.sets.length > 0) podPorts[key] = portLists.sets;
    for (const p of live) ownSets.set(p, { labels: labelSets.of.get(p)!, ports: portLists.of.get(p)! });
    const dnsConvention = dnsConventionOf(d.ref.namespace, [labels, ...d.pods.map((p) => p.labels)], services, importedServices);
    if (dnsConvention !== undefined) dnsConventions.set(workloads.length, dnsConvention);
    workloads.push({
      ...d.ref,
      labels,
      selector,
      hostNetwork: Boolean(c?.hostNetwork) || d.intermediates.some((i) => i.hostNetwork) || running.some((p) => p.hostNetwork),
      // A workload whose pods have all finished (a bare pod, the pods of a Job the import does not
      // list) keeps what they declared: nothing else says what it served.
      ports: mergePorts(c?.ports ?? [], ...d.intermediates.map((i) => i.ports), ...running.map((p) => p.ports)),
      services,
      exposure: [],
      ...(serviceAccount ? { serviceAccount } : {}),
      ...(c?.istioProxy || d.intermediates.some((i) => i.istioProxy) || running.some((p) => p.istioProxy) ? { istioProxy: true } : {}),
    });
  }
  // One cluster DNS: the first convention with workloads (domain/cluster-dns.ts).
  const chosen = chosenConvention([...dnsConventions.values()]);
  for (const [i, c] of dnsConventions) if (c === chosen) workloads[i]!.clusterDns = true;

  const ingresses = [...o.ingresses].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  exposureOf(workloads, o.services, ingresses, (w) => warnings.add(w)).forEach((exposure, i) => (workloads[i]!.exposure = exposure));

  const podAddresses = addressesOf(pods, podWorkload, ownSets, warnings);
  const podsWithoutIp = withoutIp(pods);
  const finishedPods = finishedAddressesOf(pods, podWorkload);
  for (const p of o.policies) for (const w of policyWarnings(p)) warnings.add(w);
  for (const w of o.serviceCidrWarnings) warnings.add(w);
  for (const w of o.networkSetWarnings) warnings.add(w);
  for (const w of calicoCrdImportWarnings(calicoCrd)) warnings.add(w);
  const apiserverSlices = o.slices.filter(isApiserverSlice);
  const apiserver = apiserverSlices.length > 0 ? apiserverFromSlices(apiserverSlices) : (o.apiserverEndpoints ?? []);

  const aliases = [...index.aliases.values()].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name));
  const byNsName = <T extends { namespace?: string; name: string }>(a: T, b: T) => compareStrings(a.namespace ?? '', b.namespace ?? '') || compareStrings(a.name, b.name);
  const snapshot: InventorySnapshot = {
    takenAt,
    namespaces: [...o.namespaces].sort((a, b) => compareStrings(a.name, b.name)),
    nodes: [...o.nodes].sort((a, b) => compareStrings(a.name, b.name)),
    workloads,
    services: [...o.services].sort(byNsName),
    endpointSlices: [...o.slices].sort(byNsName),
    policies: [...o.policies].sort((a, b) => compareStrings(a.apiVersion, b.apiVersion) || compareStrings(a.kind, b.kind) || byNsName(a, b)),
    podAddresses,
    ...(podsWithoutIp.length > 0 ? { podsWithoutIp } : {}),
    ...(finishedPods.length > 0 ? { finishedPods } : {}),
    apiserver,
    ...(o.serviceCidrs.length > 0 ? { serviceCidrs: [...o.serviceCidrs].sort((a, b) => compareStrings(a.name, b.name)) } : {}),
    ownerAliases: aliases,
    ingresses,
    podLabels,
    podPorts,
    derivedSelectors,
    scope,
    ...(Object.keys(calicoCrd).length > 0 ? { calicoCrdObjects: calicoCrd } : {}),
    ...(o.ciliumClusterName !== undefined ? { ciliumClusterName: o.ciliumClusterName } : {}),
    ...(o.ciliumPolicy !== undefined ? { ciliumPolicy: o.ciliumPolicy } : {}),
    ...ciliumAgentImage(o.ciliumAgents),
  };
  return { snapshot, objects: sortedRecord(o.counts), ignored: sortedRecord(o.ignored), warnings: [...warnings].sort() };
}

/**
 * Whether the import holds the object that owns the workload's selector: its controller, or the
 * pod itself for a bare pod. Without it (only pods, ReplicaSets or Jobs) the selector is made from
 * labels, which a rollout changes; the owner's spec.selector does not change (immutable in apps/v1,
 * kubernetes/kubernetes#50808).
 */
function holdsOwnerObject(d: Draft): boolean {
  return d.controller !== undefined || d.ref.kind === 'Pod';
}

/** A pod's own label set and container-port list, as its workload's distinct sets hold them. */
interface OwnSets {
  labels: Labels;
  ports: ContainerPort[];
}

/**
 * The distinct values `value` gives `pods`, sorted by their JSON (the same pods give the same
 * list), and which of them each pod has: one object per distinct value, which every pod having it
 * shares.
 */
function distinctSets<T>(pods: readonly PodInfo[], value: (p: PodInfo) => T): { sets: T[]; of: Map<PodInfo, T> } {
  const byJson = new Map<string, T>();
  const jsonOf = new Map<PodInfo, string>();
  for (const p of pods) {
    const v = value(p);
    const key = JSON.stringify(v);
    if (!byJson.has(key)) byJson.set(key, v);
    jsonOf.set(p, key);
  }
  return { sets: [...byJson.keys()].sort(compareStrings).map((k) => byJson.get(k)!), of: new Map([...jsonOf].map(([p, k]) => [p, byJson.get(k)!])) };
}

/** The labels with their keys in order: the same set gives the same JSON. */
const sortedLabels = (l: Labels): Labels => Object.fromEntries(Object.entries(l).sort(([a], [b]) => compareStrings(a, b)));

/** The pods not yet given an IP (Pending), sorted by namespace and name: they hold none before the snapshot's time. */
function withoutIp(pods: readonly PodInfo[]): PodIdentity[] {
  return pods
    .filter((p) => !p.terminated && p.ips.length === 0)
    .map((p) => ({ namespace: p.namespace, pod: p.name, ...(p.uid ? { uid: p.uid } : {}), ...(p.since !== undefined ? { since: p.since } : {}) }))
    .sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.pod, b.pod));
}

/** A pod at one of its addresses: who holds the address, where, since when. */
function podAt(p: PodInfo, ip: string, podWorkload: ReadonlyMap<PodInfo, WorkloadRef>) {
  return {
    ip,
    namespace: p.namespace,
    pod: p.name,
    ...(p.uid ? { uid: p.uid } : {}),
    workload: podWorkload.get(p) as WorkloadRef,
    ...(p.node ? { node: p.node } : {}),
    hostNetwork: p.hostNetwork,
    ...(p.since !== undefined ? { since: p.since } : {}),
  };
}

/** The IPs finished pods held until their last container finished (pods that do not say when are left out). */
function finishedAddressesOf(pods: readonly PodInfo[], podWorkload: ReadonlyMap<PodInfo, WorkloadRef>): FinishedPodAddress[] {
  const out: FinishedPodAddress[] = [];
  for (const p of pods) {
    if (!p.terminated || p.finishedAt === undefined) continue;
    for (const ip of p.ips) out.push({ ...podAt(p, ip, podWorkload), until: p.finishedAt });
  }
  return out.sort((a, b) => compareStrings(a.ip, b.ip) || compareStrings(a.namespace, b.namespace) || compareStrings(a.pod, b.pod));
}

/** The IPs running pods hold. A pod IP claimed twice goes to the pod that got it last (the other is a stale record). */
function addressesOf(pods: PodInfo[], podWorkload: Map<PodInfo, WorkloadRef>, ownSets: ReadonlyMap<PodInfo, OwnSets>, warnings: Set<string>): PodAddress[] {
  const out: PodAddress[] = [];
  const podNetwork = new Map<string, PodAddress>();
  for (const p of pods) {
    if (p.terminated) continue;
    for (const ip of p.ips) {
      const a: PodAddress = { ...podAt(p, ip, podWorkload), ...ownSets.get(p) };
      if (p.hostNetwork) {
        out.push(a);
        continue;
      }
      const other = podNetwork.get(ip);
      if (other) {
        // Pods come sorted by namespace and name: on a tie the first of them is kept, on any machine.
        const tie = (a.since ?? 0) === (other.since ?? 0);
        const [keep, drop] = (a.since ?? 0) > (other.since ?? 0) ? [a, other] : [other, a];
        const why = tie ? 'both started at the same time; the first by namespace and name' : 'started last';
        warnings.add(`IP ${ip} is held by pods ${other.namespace}/${other.pod} and ${a.namespace}/${a.pod}: kept ${keep.namespace}/${keep.pod} (${why}), ignored ${drop.namespace}/${drop.pod}`);
        podNetwork.set(ip, keep);
      } else {
        podNetwork.set(ip, a);
      }
    }
  }
  out.push(...podNetwork.values());
  return out.sort((a, b) => compareStrings(a.ip, b.ip) || compareStrings(a.namespace, b.namespace) || compareStrings(a.pod, b.pod));
}

/** The snapshot's `ciliumAgentImage`, when the import shows one (cilium-agent.ts agentImage). */
function ciliumAgentImage(agents: readonly string[]): { ciliumAgentImage?: string } {
  const image = agentImage(agents);
  return image !== undefined ? { ciliumAgentImage: image } : {};
}
