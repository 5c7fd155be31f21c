/**
 * Which Services select a workload, and how it is exposed (LoadBalancer and NodePort Services,
 * Ingress backends): decided from the workloads' labels and the Services and Ingresses together,
 * one rule for an import's own objects and for what the store holds once an import is in
 * (docs/inventory.md, "Workloads": an import of Services alone links the stored workloads too).
 */
import type { EdgeTraffic } from './edge.ts';
import type { Protocol } from './flow.ts';
import type { Exposure, Ingress, Labels, Service, ServicePort, Workload } from './inventory.ts';
import { compareStrings } from './order.ts';
import { workloadKey } from './peer.ts';

/** Service-style selector: every pair must match; an empty selector selects nothing. */
export function mapSelects(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** The Services by namespace, each list in the order given: what `servicesSelecting` looks through. */
export function servicesByNamespace(services: readonly Service[]): Map<string, Service[]> {
  const out = new Map<string, Service[]>();
  for (const s of services) out.set(s.namespace, [...(out.get(s.namespace) ?? []), s]);
  return out;
}

/**
 * `namespace/name` of the Services (of the workload's namespace: `servicesByNamespace`) that select
 * any of `labelSets` (the workload's labels and its pods', so per-pod Services on
 * `statefulset.kubernetes.io/pod-name` count), sorted.
 */
export function servicesSelecting(labelSets: readonly Labels[], services: readonly Service[] = []): string[] {
  return services
    .filter((s) => labelSets.some((l) => mapSelects(s.selector, l)))
    .map((s) => `${s.namespace}/${s.name}`)
    .sort(compareStrings);
}

/**
 * The Services a stored workload is linked to: those that select its labels or its pods' label
 * sets. While its pods' label sets are not known (`undefined`: migrations/0026), its `stored` links
 * to Services the store still holds with a selector are kept too: a Service selecting on a pod's
 * own labels (a per-pod Service) cannot be told from one that stopped selecting the workload.
 */
export function storedServicesSelecting(labels: Labels, podLabels: readonly Labels[] | undefined, stored: readonly string[], services: readonly Service[] = []): string[] {
  if (podLabels !== undefined) return servicesSelecting([labels, ...podLabels], services);
  const selecting = new Set(services.filter((s) => Object.keys(s.selector ?? {}).length > 0).map((s) => `${s.namespace}/${s.name}`));
  return [...new Set([...servicesSelecting([labels], services), ...stored.filter((k) => selecting.has(k))])].sort(compareStrings);
}

/** `exposure` and the Ingress exposure among `stored`, sorted: what is kept while the Ingresses are not known. */
export function withStoredIngressExposure(exposure: readonly Exposure[], stored: readonly Exposure[]): Exposure[] {
  const out = [...exposure];
  for (const e of stored) if (e.via === 'Ingress' && !out.some((x) => compareExposure(x, e) === 0)) out.push(e);
  return out.sort(compareExposure);
}

/**
 * The port of `service` a connection to `port`/`protocol` addresses. A Service's ports are unique by
 * (protocol, port), not by number: kubernetes pkg/apis/core/validation/validation.go ValidateService,
 * "Check for duplicate Ports, considering (protocol,port) pairs" (SIP on 5060 TCP and UDP, DNS on 53).
 */
export function servicePortFor(service: Pick<Service, 'ports'>, port: number, protocol: Protocol): ServicePort | undefined {
  return service.ports.find((p) => p.port === port && p.protocol === protocol);
}

/** A Service port's target port when it is a name (IntOrString: a string of digits is a number). */
export function targetPortName(sp: Pick<ServicePort, 'targetPort'>): string | undefined {
  return typeof sp.targetPort === 'string' && !/^\d+$/.test(sp.targetPort) ? sp.targetPort : undefined;
}

/**
 * The numbers container port `name` of `protocol` has among `ports`, sorted. A workload's ports merge
 * its pods' (and ReplicaSets'): during a rollout one name may have a number per ReplicaSet.
 */
export function containerPortNumbers(ports: readonly Pick<Workload['ports'][number], 'name' | 'port' | 'protocol'>[], name: string, protocol: string): number[] {
  const numbers = new Set<number>();
  for (const p of ports) if (p.name === name && p.protocol === protocol) numbers.add(p.port);
  return [...numbers].sort((a, b) => a - b);
}

/**
 * The numbers the Service target port name an edge came through (`EdgeTraffic.targetPortName`) has
 * now on its server's pods — `ports`, the server workload's container ports in the inventory a
 * recommendation reads — where they are not the edge's number alone: a rollout renumbered the name
 * since the flows (`http` 8080 → 9090), or gives it several numbers. Empty where the edge's number
 * is all of them, or the name is gone. A Service's named targetPort "will be looked up as a named
 * port in the target Pod's container ports" (ServicePort.targetPort), so that pods can change their
 * numbers "without breaking clients" (kubernetes.io "Service", "Port definitions"): the client's
 * next connection goes to the number the name has now.
 */
export function targetPortNumbersNow(edge: Pick<EdgeTraffic, 'port' | 'protocol' | 'targetPortName'>, ports: readonly Pick<Workload['ports'][number], 'name' | 'port' | 'protocol'>[]): number[] {
  if (edge.targetPortName === undefined) return [];
  const numbers = containerPortNumbers(ports, edge.targetPortName, edge.protocol);
  return numbers.length === 1 && numbers[0] === edge.port ? [] : numbers;
}

/** What a rule or a verdict on a number of `targetPortNumbersNow` says of it: `http is now 9090 on shop/Deployment/web's pods`. */
export function targetPortNowNote(name: string, numbers: readonly number[], workload: string): string {
  return `${name} is now ${numbers.join(', ')} on ${workload}'s pods`;
}

/**
 * Every pod port a Service port sends to on the workload `w`, sorted: its number, or each number the
 * workload's pods give its name (none: no container port of the name and protocol). A named
 * targetPort is resolved on each backend pod, by name and protocol (kubernetes pkg/api/v1/pod/util.go
 * FindPort), so that Pods can "change the port numbers [they] expose in the next version ... without
 * breaking clients" (Kubernetes "Service", "Port definitions"): mid-rollout the Service sends to
 * each ReplicaSet's own number.
 */
export function serviceTargetPorts(sp: Pick<ServicePort, 'targetPort' | 'protocol'>, w: { readonly ports: readonly Pick<Workload['ports'][number], 'name' | 'port' | 'protocol'>[] }): number[] {
  if (typeof sp.targetPort === 'number') return [sp.targetPort];
  return containerPortNumbers(w.ports, sp.targetPort, sp.protocol);
}

/** The pod port a Service port sends to on one pod: its number, or the container port its name names (undefined: none does). */
export function serviceTargetPort(sp: Pick<ServicePort, 'targetPort' | 'protocol'>, w: { readonly ports: readonly Pick<Workload['ports'][number], 'name' | 'port' | 'protocol'>[] }): number | undefined {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  return w.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol)?.port;
}

export function compareExposure(a: Exposure, b: Exposure): number {
  return compareStrings(a.via, b.via) || compareStrings(a.object, b.object) || a.port - b.port || compareStrings(a.protocol, b.protocol);
}

/**
 * The addresses outside the cluster's own that a node translates to the Service `s`'s endpoints as
 * it does its ClusterIP: its `spec.externalIPs` and its load balancer's IPs in VIP mode. "Traffic
 * sent to an External IP or LoadBalancer IP from within the cluster will always get Cluster
 * semantics" (Service API reference, spec.externalTrafficPolicy): a pod's packet to one of them
 * reaches a backend pod, never leaves the cluster. An ExternalName Service has none: no proxy
 * serves it. Sorted, each once.
 */
export function externallyReachableAddresses(s: Service): string[] {
  if (s.type === 'ExternalName') return [];
  return [...new Set([...(s.externalIPs ?? []), ...(s.loadBalancerIPs ?? [])])].sort();
}

/** How a Service exposes its ports: `via` and what its exposures say of it (its external IPs, its externalTrafficPolicy). */
type OutsideReach = Omit<Exposure, 'object' | 'port' | 'protocol'>;

/**
 * How the Service `s` is reached from outside the cluster: through its type (LoadBalancer,
 * NodePort), and on its `spec.externalIPs`: "Traffic that ingresses into the cluster with the external
 * IP (as destination IP), on the Service port, will be routed to one of the Service endpoints"
 * (kubernetes.io "Service", External IPs) — whatever its type but ExternalName, which no proxy
 * serves (kubernetes pkg/api/service ExternallyAccessible counts a ClusterIP Service with external
 * IPs). Its externalTrafficPolicy applies to all of these addresses (Service API reference:
 * "NodePorts, ExternalIPs, and LoadBalancer IPs").
 */
function outsideReach(s: Service): OutsideReach[] {
  const policy = s.externalTrafficPolicy !== undefined ? { externalTrafficPolicy: s.externalTrafficPolicy } : {};
  const out: OutsideReach[] = [];
  if (s.type === 'LoadBalancer' || s.type === 'NodePort') out.push({ via: s.type, ...policy });
  const externalIPs = s.type === 'ExternalName' ? [] : (s.externalIPs ?? []);
  if (externalIPs.length > 0) out.push({ via: 'externalIPs', addresses: [...externalIPs], ...policy });
  return out;
}

/**
 * Each workload's exposure, in the order of `workloads`, sorted: a Service of type LoadBalancer or
 * NodePort, or with external IPs, among its `services` → each port's target pod ports; an Ingress backend → the backing
 * Service port's target pod ports, for each workload the Service selects (every number a named
 * target port has on the workload's pods: `serviceTargetPorts`). What cannot be resolved
 * (a named target port no container declares, an Ingress backend Service or port the inventory
 * lacks) is said through `warn`.
 */
export function exposureOf(workloads: readonly Workload[], services: readonly Service[], ingresses: readonly Ingress[], warn: (message: string) => void): Exposure[][] {
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const out: Exposure[][] = workloads.map(() => []);
  const selectedBy = new Map<string, number[]>();
  workloads.forEach((w, i) => {
    for (const s of w.services) selectedBy.set(s, [...(selectedBy.get(s) ?? []), i]);
  });
  const expose = (i: number, e: Exposure) => {
    if (!out[i]!.some((x) => compareExposure(x, e) === 0)) out[i]!.push(e);
  };
  const unresolved = (svc: string, sp: ServicePort, w: Workload) =>
    warn(`Service ${svc} port ${sp.port}/${sp.protocol}: targetPort "${sp.targetPort}" names no ${sp.protocol} container port of ${workloadKey(w)}`);

  workloads.forEach((w, i) => {
    for (const key of w.services) {
      const s = byKey.get(key);
      const reached = s ? outsideReach(s) : [];
      if (!s || reached.length === 0) continue;
      for (const sp of s.ports) {
        const ports = serviceTargetPorts(sp, w);
        if (ports.length === 0) unresolved(key, sp, w);
        for (const port of ports) for (const how of reached) expose(i, { ...how, object: key, port, protocol: sp.protocol });
      }
    }
  });
  for (const ing of [...ingresses].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name))) {
    const object = `${ing.namespace}/${ing.name}`;
    for (const b of ing.backends) {
      const key = `${ing.namespace}/${b.service}`;
      const s = byKey.get(key);
      if (!s) {
        warn(`Ingress ${object}: backend Service ${key} is not in the inventory`);
        continue;
      }
      // An Ingress carries HTTP(S), over TCP: a port number names the Service's TCP port of that number.
      const sp = typeof b.port === 'number' ? servicePortFor(s, b.port, 'TCP') : s.ports.find((p) => p.name === b.port);
      if (!sp) {
        warn(`Ingress ${object}: Service ${key} has no port ${typeof b.port === 'number' ? `${b.port}/TCP` : `named "${b.port}"`}`);
        continue;
      }
      for (const i of selectedBy.get(key) ?? []) {
        const w = workloads[i]!;
        const ports = serviceTargetPorts(sp, w);
        if (ports.length === 0) unresolved(key, sp, w);
        for (const port of ports) expose(i, { via: 'Ingress', object, port, protocol: sp.protocol });
      }
    }
  }
  for (const e of out) e.sort(compareExposure);
  return out;
}
