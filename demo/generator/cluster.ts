/**
 * Builds the demo cluster from the catalog: nodes with podCIDRs, pods with IPs on their node,
 * Services, Ingresses, the existing NetworkPolicies, the external hosts, the IP that changes
 * owner between the two inventory snapshots, and the traffic plan.
 */
import { baseWorkloads, teamWorkloads, type WorkloadSpec } from './catalog.ts';
import type { DemoCluster, DemoExternal, DemoIngress, DemoNode, DemoPod, DemoService, DemoWorkload, IpReuse } from './model.ts';
import { existingPolicies } from './policies.ts';
import { Prng, prngFor } from './prng.ts';
import { conversations } from './traffic.ts';

export const DEMO_BASE_TIME = Date.UTC(2026, 10, 20, 0, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Pods per worker node the generator aims for (kubelet's default max is 110). */
const PODS_PER_WORKER = 90;
/** kube-controller-manager's name-suffix alphabet (no vowels, no look-alikes). */
const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';

export interface GenerateOptions {
  seed: number;
  scale: number;
}

export function generateCluster(opts: GenerateOptions): DemoCluster {
  const { seed } = opts;
  const scale = Math.floor(opts.scale);
  if (!Number.isFinite(scale) || scale < 1) throw new Error(`scale must be an integer >= 1, got ${opts.scale}`);
  const prng = new Prng(seed);
  const baseTime = DEMO_BASE_TIME;

  const specs = [...baseWorkloads()];
  for (let t = 1; t < scale; t++) specs.push(...teamWorkloads(`team-${String(t).padStart(3, '0')}`));
  specs.push(debugPodSpec());

  const nodes = buildNodes(specs, prng);
  const workers = nodes.filter((n) => n.role === 'worker');
  const nextIp = ipAllocator(nodes);

  const workloads: DemoWorkload[] = [];
  const pods: DemoPod[] = [];
  let cursor = prng.int(0, workers.length - 1);
  const placeOnWorker = (): DemoNode => workers[cursor++ % workers.length] as DemoNode;

  for (const spec of specs) {
    if (spec.kind === 'Pod') continue; // the debug pod appears only after the IP reuse
    const wprng = prngFor(seed, `${spec.namespace}/${spec.name}`);
    const w = toWorkload(spec, wprng, baseTime);
    workloads.push(w);
    pods.push(...podsOf(w, wprng, baseTime, nodes, placeOnWorker, nextIp));
  }

  const ipReuse = reuseOneIp(pods, workloads, specs, prngFor(seed, 'ip-reuse'), baseTime, workers, nextIp);
  const namespaces = buildNamespaces(specs, baseTime);
  const services = buildServices(specs, workloads, prngFor(seed, 'services'), baseTime);
  const externals = buildExternals();
  const controlPlane = nodes[0] as DemoNode;
  const ingressLb = services.find((s) => s.namespace === 'ingress-nginx')?.loadBalancerIP ?? '198.51.100.200';
  const ingresses = buildIngresses(prngFor(seed, 'ingresses'), baseTime, ingressLb);

  const cluster: DemoCluster = {
    seed,
    scale,
    name: 'demo',
    baseTime,
    windowMs: DAY,
    laterSnapshotAt: baseTime + 12 * HOUR,
    serviceCIDR: '10.96.0.0/12',
    nodes,
    namespaces,
    workloads,
    pods,
    services,
    ingresses,
    policies: [],
    externals,
    conversations: [],
    apiserver: { ip: controlPlane.ip, port: 6443, node: controlPlane.name },
    ipReuse,
  };
  cluster.policies = existingPolicies(cluster, prngFor(seed, 'policies'));
  cluster.conversations = conversations(cluster);
  return cluster;
}

function debugPodSpec(): WorkloadSpec {
  return {
    system: 'tools', namespace: 'tools', kind: 'Pod', name: 'netshoot',
    labels: { run: 'netshoot' }, serviceAccount: 'default',
    containers: [{ name: 'netshoot', image: 'docker.io/nicolaka/netshoot:v0.14', ports: [] }],
  };
}

function buildNodes(specs: WorkloadSpec[], prng: Prng): DemoNode[] {
  let pods = 0;
  for (const s of specs) {
    if (s.kind === 'DaemonSet' || s.hostNetwork) continue;
    pods += s.kind === 'CronJob' ? 2 : (s.replicas ?? 1);
  }
  const workerCount = Math.max(3, Math.ceil(pods / PODS_PER_WORKER));
  if (workerCount > 255) throw new Error(`scale too large: ${workerCount} workers exceed the 10.244.0.0/16 pod network`);
  const zones = ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'];
  const nodes: DemoNode[] = [];
  for (let k = 0; k <= workerCount; k++) {
    const role = k === 0 ? 'control-plane' : 'worker';
    const name = k === 0 ? 'demo-control-plane-1' : `demo-worker-${k}`;
    const zone = zones[k % zones.length] as string;
    const ip = `10.0.${Math.floor((k + 10) / 256)}.${(k + 10) % 256}`;
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/region': 'eu-central-1',
      'topology.kubernetes.io/zone': zone,
    };
    if (role === 'control-plane') labels['node-role.kubernetes.io/control-plane'] = '';
    nodes.push({ name, uid: prng.uuid(), ip, role, podCIDR: `10.244.${k}.0/24`, zone, labels, mac: macOf('02:42', ip) });
  }
  return nodes;
}

/** Pod IPs come from the node's podCIDR, in order, starting at .2 (.1 is the node's gateway). */
function ipAllocator(nodes: DemoNode[]): (node: DemoNode) => string {
  const next = new Map<string, number>(nodes.map((n) => [n.name, 2]));
  return (node) => {
    const host = next.get(node.name) ?? 2;
    if (host > 254) throw new Error(`node ${node.name}: podCIDR ${node.podCIDR} exhausted`);
    next.set(node.name, host + 1);
    return node.podCIDR.replace(/\.0\/24$/, `.${host}`);
  };
}

export function macOf(prefix: string, ip: string): string {
  const hex = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase());
  return `${prefix}:${hex.join(':')}`;
}

function toWorkload(spec: WorkloadSpec, prng: Prng, baseTime: number): DemoWorkload {
  const w: DemoWorkload = {
    system: spec.system,
    namespace: spec.namespace,
    kind: spec.kind,
    name: spec.name,
    uid: prng.uuid(),
    labels: { ...spec.labels },
    selector: { ...(spec.selector ?? spec.labels) },
    replicas: spec.replicas ?? 1,
    hostNetwork: spec.hostNetwork ?? false,
    placement: spec.placement ?? (spec.kind === 'DaemonSet' ? 'all' : 'workers'),
    containers: spec.containers.map((c) => ({ ...c, ports: c.ports.map((p) => ({ ...p })) })),
    serviceAccount: spec.serviceAccount ?? 'default',
    createdAt: baseTime - 40 * DAY + prng.int(0, 10 * DAY / 1000) * 1000,
    templateHash: spec.kind === 'Deployment' ? prng.chars(10, SUFFIX) : prng.chars(10, '0123456789abcdef'),
  };
  if (spec.kind === 'Deployment') w.replicaSetUid = prng.uuid();
  if (spec.kind === 'CronJob') {
    w.schedule = spec.schedule ?? '0 2 * * *';
    const hour = (spec.runHour ?? 2) * HOUR;
    w.runs = [baseTime - DAY + hour, baseTime + hour];
  }
  return w;
}

function podsOf(
  w: DemoWorkload,
  prng: Prng,
  baseTime: number,
  nodes: DemoNode[],
  placeOnWorker: () => DemoNode,
  nextIp: (n: DemoNode) => string,
): DemoPod[] {
  const pods: DemoPod[] = [];
  const make = (name: string, node: DemoNode, labels: Record<string, string>, owner: DemoPod['owner'], createdAt: number): DemoPod => {
    const ip = w.hostNetwork ? node.ip : nextIp(node);
    return {
      namespace: w.namespace, name, uid: prng.uuid(), workload: w, owner, node, ip, hostNetwork: w.hostNetwork,
      labels, createdAt, mac: w.hostNetwork ? node.mac : macOf('0A:58', ip),
      hostIf: w.hostNetwork ? 'eth0' : `lxc${prng.hex(12)}`, endpointId: prng.int(100, 4000),
    };
  };
  const started = (): number => baseTime - prng.int(1, 9 * 24) * HOUR - prng.int(0, 3599) * 1000;
  switch (w.kind) {
    case 'Deployment': {
      const rs = `${w.name}-${w.templateHash}`;
      const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: w.replicaSetUid as string };
      for (let i = 0; i < w.replicas; i++) {
        pods.push(make(`${rs}-${prng.chars(5, SUFFIX)}`, placeOnWorker(), { ...w.labels, 'pod-template-hash': w.templateHash }, owner, started()));
      }
      break;
    }
    case 'StatefulSet': {
      const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: w.name, uid: w.uid };
      for (let i = 0; i < w.replicas; i++) {
        const name = `${w.name}-${i}`;
        const labels = {
          ...w.labels,
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': `${w.name}-${w.templateHash}`,
          'statefulset.kubernetes.io/pod-name': name,
        };
        pods.push(make(name, placeOnWorker(), labels, owner, started()));
      }
      break;
    }
    case 'DaemonSet': {
      const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: w.name, uid: w.uid };
      for (const node of nodes) {
        if (w.placement === 'workers' && node.role !== 'worker') continue;
        const labels = { ...w.labels, 'controller-revision-hash': w.templateHash, 'pod-template-generation': '1' };
        pods.push(make(`${w.name}-${prng.chars(5, SUFFIX)}`, node, labels, owner, started()));
      }
      break;
    }
    case 'CronJob': {
      for (const scheduledAt of w.runs ?? []) {
        const jobName = `${w.name}-${Math.floor(scheduledAt / 60_000)}`;
        const jobUid = prng.uuid();
        const labels = {
          ...w.labels,
          'batch.kubernetes.io/controller-uid': jobUid,
          'batch.kubernetes.io/job-name': jobName,
          'controller-uid': jobUid,
          'job-name': jobName,
        };
        const owner = { apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: jobUid };
        const createdAt = scheduledAt + prng.int(1, 3) * 1000;
        const pod = make(`${jobName}-${prng.chars(5, SUFFIX)}`, placeOnWorker(), labels, owner, createdAt);
        pod.finishedAt = createdAt + prng.int(180, 300) * 1000;
        pod.job = { name: jobName, uid: jobUid, scheduledAt };
        pods.push(pod);
      }
      break;
    }
    case 'Pod':
      break;
  }
  return pods;
}

/**
 * One shop/catalog pod is deleted mid-window and its replacement lands on another node; a
 * debug pod started a few minutes later on the same node gets the freed IP.
 */
function reuseOneIp(
  pods: DemoPod[],
  workloads: DemoWorkload[],
  specs: WorkloadSpec[],
  prng: Prng,
  baseTime: number,
  workers: DemoNode[],
  nextIp: (n: DemoNode) => string,
): IpReuse {
  const catalog = pods.filter((p) => p.namespace === 'shop' && p.workload.name === 'catalog');
  const before = catalog[0];
  if (!before) throw new Error('demo catalog has no shop/catalog pod');
  const releasedAt = baseTime + 5 * HOUR + 50 * 60_000;
  const reusedAt = baseTime + 6 * HOUR;
  before.deletedAt = releasedAt;

  const otherNode = workers.find((n) => n.name !== before.node.name) as DemoNode;
  const replacementIp = nextIp(otherNode);
  pods.push({
    ...before,
    name: `${before.workload.name}-${before.workload.templateHash}-${prng.chars(5, SUFFIX)}`,
    uid: prng.uuid(),
    node: otherNode,
    ip: replacementIp,
    mac: macOf('0A:58', replacementIp),
    hostIf: `lxc${prng.hex(12)}`,
    endpointId: prng.int(100, 4000),
    createdAt: releasedAt + 20_000,
    deletedAt: undefined,
  });

  const spec = specs.find((s) => s.kind === 'Pod') as WorkloadSpec;
  const debug = toWorkload(spec, prng, baseTime);
  debug.createdAt = reusedAt;
  workloads.push(debug);
  pods.push({
    namespace: debug.namespace, name: debug.name, uid: prng.uuid(), workload: debug, node: before.node,
    ip: before.ip, hostNetwork: false, labels: { ...debug.labels }, createdAt: reusedAt, mac: before.mac,
    hostIf: `lxc${prng.hex(12)}`, endpointId: prng.int(100, 4000),
  });
  return { ip: before.ip, before: `${before.namespace}/${before.name}`, after: `${debug.namespace}/${debug.name}`, releasedAt, reusedAt };
}

function buildNamespaces(specs: WorkloadSpec[], baseTime: number): DemoCluster['namespaces'] {
  const names = new Set(['default', 'kube-node-lease', 'kube-public', 'kube-system', ...specs.map((s) => s.namespace)]);
  return [...names].sort().map((name) => {
    const p = prngFor(0, `ns/${name}`);
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
    if (name === 'kyma-system') labels['istio-injection'] = 'disabled';
    if (name === 'netobserv-privileged') labels['pod-security.kubernetes.io/enforce'] = 'privileged';
    if (name.startsWith('team-')) labels.team = name.slice(5);
    return { name, uid: p.uuid(), labels, createdAt: baseTime - 60 * DAY + p.int(0, 20 * DAY / 1000) * 1000 };
  });
}

function buildServices(specs: WorkloadSpec[], workloads: DemoWorkload[], prng: Prng, baseTime: number): DemoService[] {
  let ipIndex = 20;
  let nodePort = 30080;
  let lbIndex = 200;
  const byKey = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const services: DemoService[] = [
    {
      namespace: 'default', name: 'kubernetes', uid: prng.uuid(), type: 'ClusterIP', clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
      labels: { component: 'apiserver', provider: 'kubernetes' }, createdAt: baseTime - 60 * DAY,
    },
  ];
  for (const spec of specs) {
    const w = byKey.get(`${spec.namespace}/${spec.name}`);
    for (const s of spec.services ?? []) {
      const clusterIP = s.name === 'kube-dns' ? '10.96.0.10' : `10.96.${Math.floor(ipIndex / 256)}.${ipIndex % 256}`;
      if (s.name !== 'kube-dns') ipIndex++;
      const type = s.type ?? 'ClusterIP';
      const svc: DemoService = {
        namespace: spec.namespace, name: s.name, uid: prng.uuid(), type, clusterIP,
        ports: s.ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort, protocol: p.protocol ?? 'TCP',
          ...(type !== 'ClusterIP' ? { nodePort: nodePort++ } : {}),
        })),
        selector: { ...(w?.selector ?? spec.labels) },
        labels: s.labels ?? { ...(w?.selector ?? spec.labels) },
        createdAt: (w?.createdAt ?? baseTime - 30 * DAY) + 1000,
      };
      if (type === 'LoadBalancer') {
        svc.loadBalancerIP = `198.51.100.${lbIndex++}`;
        svc.externalTrafficPolicy = s.externalTrafficPolicy ?? 'Cluster';
      }
      services.push(svc);
    }
  }
  return services;
}

/** Hosts outside the cluster (documentation address ranges only). */
function buildExternals(): DemoExternal[] {
  return [
    { id: 'payments-api', ip: '203.0.113.50', dnsName: 'api.payments.example.com' },
    { id: 'cls', ip: '198.51.100.20', dnsName: 'ingest.cls.example.com' },
    { id: 'dynatrace', ip: '198.51.100.30', dnsName: 'tenant.live.dynatrace.example.com' },
    { id: 's3-rollback', ip: '198.51.100.7', dnsName: 'stage-rollback.s3.eu-central-1.amazonaws.com' },
    { id: 'otlp-collector', ip: '203.0.113.10', dnsName: 'otlp.example.com' },
    { id: 'git', ip: '203.0.113.60', dnsName: 'git.example.com' },
    { id: 'servicenow', ip: '203.0.113.70', dnsName: 'example.service-now.com' },
    { id: 'salesforce', ip: '203.0.113.80', dnsName: 'login.salesforce.example.com' },
    { id: 'keycloak', ip: '203.0.113.90', dnsName: 'keycloak.example.com' },
    { id: 'openstack', ip: '198.51.100.40', dnsName: 'openstack.example.com' },
    { id: 'unknown-4444', ip: '192.0.2.44' },
    { id: 'user-1', ip: '203.0.113.151' },
    { id: 'user-2', ip: '203.0.113.152' },
    { id: 'user-3', ip: '203.0.113.163' },
  ];
}

function buildIngresses(prng: Prng, baseTime: number, lbIp: string): DemoIngress[] {
  return [
    { namespace: 'shop', name: 'shop', uid: prng.uuid(), host: 'shop.example.com', service: 'frontend', servicePort: 80, className: 'nginx', loadBalancerIP: lbIp, createdAt: baseTime - 20 * DAY },
    { namespace: 'netobserv', name: 'netobserv-console', uid: prng.uuid(), host: 'netobserv.example.com', service: 'netobserv-plugin', servicePort: 9001, className: 'nginx', loadBalancerIP: lbIp, createdAt: baseTime - 20 * DAY },
  ];
}

/** Whether a pod can send or receive at time `t`. */
export function podActiveAt(p: DemoPod, t: number): boolean {
  return p.createdAt <= t && (p.finishedAt === undefined || t < p.finishedAt) && (p.deletedAt === undefined || t < p.deletedAt);
}

/** Whether a pod object exists in a snapshot taken at `t` (finished Job pods stay until deleted). */
export function podExistsAt(p: DemoPod, t: number): boolean {
  return p.createdAt <= t && (p.deletedAt === undefined || t < p.deletedAt);
}
