/**
 * Inspektor Gadget's NetworkPolicy advisor inputs (inspektor-gadget/inspektor-gadget@b50f06efc9f1935164285321644d5d4a58d87d9b pkg/gadgets/advise/networkpolicy/advisor/testdata),
 * replayed through flowmatrix the way a user would: the `trace network` events become a
 * kubectl-style inventory List and NetObserv flow records, loaded with the real
 * `inventory import` and `ingest` commands into a real SQLite file, then `export --engine
 * kubernetes --mode observed`. Their goldens are compared with ours semantically
 * (`ruleAtoms`): NetworkPolicy semantics are the union of peer × port per direction, so two
 * rule layouts that allow the same pairs are equal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EngineManifests } from '../../recommender/engines/types.ts';

/** What `flowmatrix export --engine kubernetes` prints: NetworkPolicies. */
export type Manifest = EngineManifests['kubernetes'];
import { runCli, type CliRun } from './cli.ts';
import { REFERENCE } from './reference.ts';
import { tmpDir } from './tmp.ts';

export const IG_DIR = join(REFERENCE, 'inspektor-gadget');

/** One line of IG's old `trace network` output, as their advisor read it. */
export interface IgEvent {
  type: string;
  k8s: { node: string; namespace: string; podname: string };
  /** OUTGOING: the local pod opened the connection; HOST: the local pod received it. */
  pktType: 'OUTGOING' | 'HOST';
  proto: 'tcp' | 'udp';
  /** The remote port (OUTGOING) or the local pod's port (HOST): always the server port. */
  port: number;
  dst: { kind: 'pod' | 'svc' | 'raw'; addr: string; namespace?: string; name?: string; podLabels?: Record<string, string> };
}

/** Facts the events do not carry: which local pods belong to a Deployment, and their labels. */
export interface IgPodHint {
  namespace: string;
  pod: string;
  labels?: Record<string, string>;
  /** The pod's Deployment (through a ReplicaSet `<deployment>-<hash>`). */
  deployment?: string;
}

export interface IgClusterOptions {
  pods?: IgPodHint[];
  /** Emit the Kubernetes metadata FLP enriches records with (default true); false: bare addresses, resolved through the IP history. */
  enrich?: boolean;
  /** Address Service traffic as a CNI that reports after DNAT does: the backend pod, or the apiserver endpoint ip:port. */
  postDnat?: boolean;
}

/** Parses an `.input` file (JSON Lines; blank lines ignored); a bad line names its number. */
export function parseIgEvents(text: string, source = 'input'): IgEvent[] {
  const out: IgEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let ev: IgEvent;
    try {
      ev = JSON.parse(line) as IgEvent;
    } catch (e) {
      throw new Error(`${source}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    if (ev.pktType !== 'OUTGOING' && ev.pktType !== 'HOST') throw new Error(`${source}:${i + 1}: pktType: expected OUTGOING or HOST, got ${JSON.stringify(ev.pktType)}`);
    if (ev.proto !== 'tcp' && ev.proto !== 'udp') throw new Error(`${source}:${i + 1}: proto: expected tcp or udp, got ${JSON.stringify(ev.proto)}`);
    if (!Number.isInteger(ev.port) || ev.port < 1 || ev.port > 65535) throw new Error(`${source}:${i + 1}: port: expected 1..65535, got ${JSON.stringify(ev.port)}`);
    out.push(ev);
  });
  return out;
}

export function readIgEvents(file: string): IgEvent[] {
  return parseIgEvents(readFileSync(join(IG_DIR, file), 'utf8'), file);
}

/** A golden/expected file as plain objects (empty documents dropped). */
export function readIgGolden(file: string, replace: Record<string, string> = {}): Record<string, any>[] {
  let text = readFileSync(join(IG_DIR, file), 'utf8');
  for (const [k, v] of Object.entries(replace)) text = text.replaceAll(k, v);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, any> | null)
    .filter((d): d is Record<string, any> => d !== null && d !== undefined);
}

// The cluster around the events: one node, the conventional minikube Service CIDR, a pod CIDR.
const NODE_IP = '192.168.49.2';
const POD_CIDR = '10.244.0.0/24';
const CREATED = '2025-11-01T08:00:00Z';
export const IG_TAKEN_AT = '2025-11-01T09:00:00Z';
/** Flows start here, one second apart in event order. */
export const IG_FLOWS_AT = Date.parse('2025-11-01T10:00:00Z');

/** The real `default/kubernetes` EndpointSlice sample (apiserver 192.168.22.31:6443). */
export function apiserverSlice(): Record<string, any> {
  const docs = parseAllDocuments(readFileSync(join(REFERENCE, 'kubernetes', 'endpointslice-samples.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  const slice = docs.find((d) => d?.metadata?.namespace === 'default' && d?.metadata?.name === 'kubernetes');
  if (!slice) throw new Error('reference/kubernetes/endpointslice-samples.yaml has no default/kubernetes slice');
  return slice;
}

interface LocalPod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  deployment?: string;
  /** Ports it was seen serving: `port/PROTO`. */
  serves: Set<string>;
}

interface Svc {
  namespace: string;
  name: string;
  clusterIP: string;
  selector?: Record<string, string>;
  ports: Set<string>;
}

const podKey = (ns: string, name: string) => `${ns}/${name}`;
const byKey = <T>(m: Map<string, T>): T[] => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
const hash = (s: string): string => {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 8);
};
const uid = (s: string): string => {
  const h = `${hash(`a${s}`)}${hash(`b${s}`)}${hash(`c${s}`)}${hash(`d${s}`)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
/** Pod-template hashes are 10 characters of [bcdfghjklmnpqrstvwxz2456789]; a stable stand-in. */
const templateHash = (s: string): string =>
  hash(s)
    .split('')
    .map((c) => 'bcdfghjklmnpqrstvwxz2456789'[parseInt(c, 16)]!)
    .join('')
    .padEnd(10, 'b');

const isDnsService = (s: { namespace?: string; name?: string }) => s.namespace === 'kube-system' && s.name === 'kube-dns';
const isApiserverService = (s: { namespace?: string; name?: string }) => s.namespace === 'default' && s.name === 'kubernetes';

/** What the events say about the cluster: its pods (local ones and the pods they talked to) and Services. */
class ClusterModel {
  readonly pods = new Map<string, LocalPod>();
  readonly services = new Map<string, Svc>();
  readonly namespaces = new Set<string>(['default', 'kube-system']);
  readonly nodes = new Set<string>();
  private nextIp = 10;
  private readonly usedIps = new Set<string>();

  constructor(events: readonly IgEvent[], hints: readonly IgPodHint[]) {
    const hint = new Map(hints.map((h) => [podKey(h.namespace, h.pod), h]));
    // Addresses and labels of pods named as a remote peer come first: they are facts from the events.
    const remote = new Map<string, { ip: string; labels: Record<string, string> }>();
    for (const ev of events) {
      this.nodes.add(ev.k8s.node);
      this.namespaces.add(ev.k8s.namespace);
      if (ev.dst.namespace) this.namespaces.add(ev.dst.namespace);
      if (ev.dst.kind === 'pod' && ev.dst.namespace && ev.dst.name) {
        remote.set(podKey(ev.dst.namespace, ev.dst.name), { ip: ev.dst.addr, labels: ev.dst.podLabels ?? {} });
        this.usedIps.add(ev.dst.addr);
      }
      if (ev.dst.kind === 'svc') {
        if (!ev.dst.namespace || !ev.dst.name) throw new Error(`svc event without namespace/name: ${JSON.stringify(ev.dst)}`);
        const k = podKey(ev.dst.namespace, ev.dst.name);
        const s = this.services.get(k) ?? { namespace: ev.dst.namespace, name: ev.dst.name, clusterIP: ev.dst.addr, ports: new Set<string>() };
        if (!isApiserverService(s)) s.selector = ev.dst.podLabels ?? {};
        s.ports.add(`${ev.port}/${ev.proto.toUpperCase()}`);
        this.services.set(k, s);
      }
    }
    const node = [...this.nodes].sort()[0] ?? 'minikube';
    const pod = (namespace: string, name: string): LocalPod => {
      const k = podKey(namespace, name);
      let p = this.pods.get(k);
      if (!p) {
        const h = hint.get(k);
        const r = remote.get(k);
        p = { namespace, name, node, ip: r?.ip ?? this.allocate(), labels: { ...(r?.labels ?? {}), ...(h?.labels ?? {}) }, serves: new Set() };
        if (h?.deployment) p.deployment = h.deployment;
        this.pods.set(k, p);
      }
      return p;
    };
    for (const ev of events) {
      const local = pod(ev.k8s.namespace, ev.k8s.podname);
      local.node = ev.k8s.node;
      if (ev.pktType === 'HOST') local.serves.add(`${ev.port}/${ev.proto.toUpperCase()}`);
      if (ev.dst.kind === 'pod' && ev.dst.namespace && ev.dst.name) {
        const p = pod(ev.dst.namespace, ev.dst.name);
        if (ev.pktType === 'OUTGOING') p.serves.add(`${ev.port}/${ev.proto.toUpperCase()}`);
      }
    }
    for (const h of hints) pod(h.namespace, h.pod);
  }

  private allocate(): string {
    for (;;) {
      const ip = `10.244.0.${this.nextIp++}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  /** The CoreDNS pod: labelled with the kube-dns Service's selector (every cluster has one, seen or not). */
  dnsLabels(): Record<string, string> {
    const svc = [...this.services.values()].find(isDnsService);
    return { 'k8s-app': 'kube-dns', ...(svc?.selector ?? {}) };
  }

  dnsPodIp(): string {
    return '10.244.0.2';
  }

  /** The backend pod IPs of a Service (what a post-DNAT record would carry). */
  backends(s: Svc): { ip: string; pod: LocalPod | undefined }[] {
    if (isApiserverService(s)) return [];
    if (isDnsService(s)) return [{ ip: this.dnsPodIp(), pod: undefined }];
    const sel = s.selector ?? {};
    const out = byKey(this.pods).filter((p) => p.namespace === s.namespace && Object.entries(sel).every(([k, v]) => p.labels[k] === v));
    if (out.length === 0) throw new Error(`Service ${s.namespace}/${s.name} (selector ${JSON.stringify(sel)}) selects none of the pods the events name: give its pod as a hint`);
    return out.map((p) => ({ ip: p.ip, pod: p }));
  }
}

function meta(kind: string, namespace: string | undefined, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { creationTimestamp: CREATED, name, ...(namespace !== undefined ? { namespace } : {}), resourceVersion: String(1000 + (parseInt(hash(`${kind}/${namespace}/${name}`), 16) % 9000)), uid: uid(`${kind}/${namespace}/${name}`), ...extra };
}

function containerPorts(serves: Iterable<string>): Record<string, unknown>[] {
  return [...serves]
    .sort()
    .map((s) => {
      const [port, protocol] = s.split('/');
      return { containerPort: Number(port), protocol };
    });
}

function podObject(p: LocalPod, image: string, owner?: { kind: string; name: string; uid: string }, ports: Record<string, unknown>[] = containerPorts(p.serves)): Record<string, unknown> {
  const labels = { ...p.labels };
  const extra: Record<string, unknown> = { labels };
  if (owner) extra.ownerReferences = [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: owner.kind, name: owner.name, uid: owner.uid }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('Pod', p.namespace, p.name, extra),
    spec: {
      containers: [{ image, imagePullPolicy: 'IfNotPresent', name: p.name.split('-')[0], resources: {}, ...(ports.length > 0 ? { ports } : {}) }],
      dnsPolicy: 'ClusterFirst',
      nodeName: p.node,
      restartPolicy: 'Always',
    },
    status: { hostIP: NODE_IP, hostIPs: [{ ip: NODE_IP }], phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], startTime: CREATED },
  };
}

function deploymentObjects(namespace: string, name: string, selector: Record<string, string>, templateLabels: Record<string, string>, ports: Record<string, unknown>[], image: string): { objects: Record<string, unknown>[]; rs: { kind: string; name: string; uid: string }; hash: string } {
  const h = templateHash(`${namespace}/${name}`);
  const template = (labels: Record<string, string>) => ({
    metadata: { creationTimestamp: null, labels },
    spec: { containers: [{ image, imagePullPolicy: 'IfNotPresent', name, resources: {}, ...(ports.length > 0 ? { ports } : {}) }], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always' },
  });
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('Deployment', namespace, name, { labels: templateLabels }), spec: { replicas: 1, selector: { matchLabels: selector }, template: template(templateLabels) }, status: { availableReplicas: 1, readyReplicas: 1, replicas: 1 } };
  const rsName = `${name}-${h}`;
  const rsUid = uid(`ReplicaSet/${namespace}/${rsName}`);
  const rsLabels = { ...templateLabels, 'pod-template-hash': h };
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta('ReplicaSet', namespace, rsName, { labels: rsLabels, ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'Deployment', name, uid: uid(`Deployment/${namespace}/${name}`) }] }),
    spec: { replicas: 1, selector: { matchLabels: { ...selector, 'pod-template-hash': h } }, template: template(rsLabels) },
    status: { availableReplicas: 1, readyReplicas: 1, replicas: 1 },
  };
  return { objects: [dep, rs], rs: { kind: 'ReplicaSet', name: rsName, uid: rsUid }, hash: h };
}

function serviceObject(s: Svc): Record<string, unknown> {
  let ports: Record<string, unknown>[];
  if (isApiserverService(s)) ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }];
  // The real kube-dns Service (kubeadm, minikube): UDP and TCP 53, CoreDNS metrics.
  else if (isDnsService(s)) ports = [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }, { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 }];
  else ports = [...s.ports].sort().map((p) => {
    const [port, protocol] = p.split('/');
    return { port: Number(port), protocol, targetPort: Number(port) };
  });
  const labels: Record<string, string> = isApiserverService(s) ? { component: 'apiserver', provider: 'kubernetes' } : isDnsService(s) ? { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } : {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', s.namespace, s.name, { labels }),
    spec: {
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports,
      ...(s.selector ? { selector: s.selector } : {}),
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };
}

export interface IgCluster {
  /** `kubectl get … -o json` List. */
  inventory: Record<string, unknown>;
  /** NetObserv records, one JSON object per line. */
  flows: string[];
}

/**
 * The inventory and the flows the events imply. Every event is one connection: a request record
 * (TCP: SYN without SYN_ACK, client → server) and a reply record (TCP: SYN_ACK), from an
 * ephemeral client port, addressed as IG saw it (the Service ClusterIP for `svc`).
 */
export function igCluster(events: readonly IgEvent[], opts: IgClusterOptions = {}): IgCluster {
  const m = new ClusterModel(events, opts.pods ?? []);
  const enrich = opts.enrich !== false;
  const items: Record<string, unknown>[] = [];
  for (const ns of [...m.namespaces].sort()) {
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('Namespace', undefined, ns, { labels: { 'kubernetes.io/metadata.name': ns } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  for (const n of [...m.nodes].sort()) {
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('Node', undefined, n, { labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' } }),
      spec: { podCIDR: POD_CIDR, podCIDRs: [POD_CIDR] },
      status: { addresses: [{ address: NODE_IP, type: 'InternalIP' }, { address: n, type: 'Hostname' }] },
    });
  }
  // CoreDNS: a Deployment in kube-system selected by k8s-app=kube-dns, as kubeadm and minikube deploy it.
  const dnsPorts = [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }];
  const dnsImage = 'registry.k8s.io/coredns/coredns:v1.11.1';
  const dns = deploymentObjects('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, m.dnsLabels(), dnsPorts, dnsImage);
  items.push(...dns.objects);
  const dnsPod: LocalPod = { namespace: 'kube-system', name: `coredns-${dns.hash}-${templateHash('coredns-pod').slice(0, 5)}`, node: [...m.nodes].sort()[0] ?? 'minikube', ip: m.dnsPodIp(), labels: { ...m.dnsLabels(), 'pod-template-hash': dns.hash }, serves: new Set() };
  items.push(podObject(dnsPod, dnsImage, dns.rs, dnsPorts));

  for (const p of byKey(m.pods)) {
    if (p.deployment) {
      const selector = { ...p.labels };
      const d = deploymentObjects(p.namespace, p.deployment, selector, p.labels, containerPorts(p.serves), 'docker.io/library/nginx:1.27');
      items.push(...d.objects);
      items.push(podObject({ ...p, labels: { ...p.labels, 'pod-template-hash': d.hash } }, 'docker.io/library/nginx:1.27', d.rs));
    } else {
      items.push(podObject(p, 'docker.io/library/busybox:1.36'));
    }
  }
  const services = new Map(m.services);
  if (!services.has('kube-system/kube-dns')) services.set('kube-system/kube-dns', { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: new Set(['53/UDP']) });
  if (!services.has('default/kubernetes')) services.set('default/kubernetes', { namespace: 'default', name: 'kubernetes', clusterIP: '10.96.0.1', ports: new Set(['443/TCP']) });
  for (const s of byKey(services)) {
    items.push(serviceObject(s));
    if (isApiserverService(s)) continue;
    const backends = m.backends(s);
    const ports = (serviceObject(s).spec as { ports: { name?: string; protocol: string; targetPort: number }[] }).ports.map((p) => ({ name: p.name ?? '', port: p.targetPort, protocol: p.protocol }));
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta('EndpointSlice', s.namespace, `${s.name}-${templateHash(s.name).slice(0, 5)}`, {
        generateName: `${s.name}-`,
        labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': s.name },
        ownerReferences: [{ apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service', name: s.name, uid: uid(`Service/${s.namespace}/${s.name}`) }],
      }),
      addressType: 'IPv4',
      endpoints: backends.map((b) => ({ addresses: [b.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: b.pod?.node ?? dnsPod.node, targetRef: { kind: 'Pod', name: b.pod?.name ?? dnsPod.name, namespace: s.namespace, uid: uid(`Pod/${s.namespace}/${b.pod?.name ?? dnsPod.name}`) } })),
      ports,
    });
  }
  items.push(apiserverSlice());

  // Flows.
  const podByIp = new Map([...m.pods.values(), dnsPod].map((p) => [p.ip, p]));
  const svcByIp = new Map([...services.values()].map((s) => [s.clusterIP, s]));
  const side = (prefix: 'Src' | 'Dst', ip: string): Record<string, unknown> => {
    if (!enrich) return {};
    const p = podByIp.get(ip);
    if (p) {
      const owner = p === dnsPod ? { name: 'coredns', type: 'Deployment' } : p.deployment ? { name: p.deployment, type: 'Deployment' } : { name: p.name, type: 'Pod' };
      return { [`${prefix}K8S_HostIP`]: NODE_IP, [`${prefix}K8S_HostName`]: p.node, [`${prefix}K8S_Name`]: p.name, [`${prefix}K8S_Namespace`]: p.namespace, [`${prefix}K8S_OwnerName`]: owner.name, [`${prefix}K8S_OwnerType`]: owner.type, [`${prefix}K8S_Type`]: 'Pod' };
    }
    const s = svcByIp.get(ip);
    if (s) return { [`${prefix}K8S_Name`]: s.name, [`${prefix}K8S_Namespace`]: s.namespace, [`${prefix}K8S_OwnerName`]: s.name, [`${prefix}K8S_OwnerType`]: 'Service', [`${prefix}K8S_Type`]: 'Service' };
    return {};
  };
  const slice = apiserverSlice();
  const remote = (ev: IgEvent): { ip: string; port: number } => {
    if (!opts.postDnat || ev.dst.kind !== 'svc') return { ip: ev.dst.addr, port: ev.port };
    const s = services.get(podKey(ev.dst.namespace!, ev.dst.name!))!;
    if (isApiserverService(s)) return { ip: slice.endpoints[0].addresses[0] as string, port: slice.ports[0].port as number };
    return { ip: m.backends(s)[0]!.ip, port: ev.port }; // targetPort = port on these Services
  };
  const flows: string[] = [];
  events.forEach((ev, i) => {
    const local = m.pods.get(podKey(ev.k8s.namespace, ev.k8s.podname))!;
    const ephemeral = 40000 + i;
    const far = remote(ev);
    const [client, server] = ev.pktType === 'OUTGOING' ? [{ ip: local.ip, port: ephemeral }, far] : [{ ip: far.ip, port: ephemeral }, { ip: local.ip, port: ev.port }];
    const t = IG_FLOWS_AT + i * 1000;
    const tcp = ev.proto === 'tcp';
    const record = (src: typeof client, dst: typeof client, flags: string[] | undefined, packets: number, bytes: number) =>
      JSON.stringify({
        AgentIP: NODE_IP,
        Bytes: bytes,
        DstAddr: dst.ip,
        DstPort: dst.port,
        Etype: 2048,
        ...(flags ? { Flags: flags } : {}),
        FlowDirection: 1,
        Packets: packets,
        Proto: tcp ? 6 : 17,
        SrcAddr: src.ip,
        SrcPort: src.port,
        TimeFlowEndMs: t + 5,
        TimeFlowStartMs: t,
        TimeReceived: Math.floor((t + 5) / 1000),
        ...side('Src', src.ip),
        ...side('Dst', dst.ip),
      });
    flows.push(record(client, server, tcp ? ['SYN', 'ACK', 'PSH', 'FIN'] : undefined, tcp ? 6 : 1, tcp ? 480 : 72));
    flows.push(record(server, client, tcp ? ['SYN_ACK', 'ACK', 'PSH', 'FIN'] : undefined, tcp ? 5 : 1, tcp ? 1260 : 120));
  });
  return { inventory: { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, flows };
}

async function mustRun(argv: string[]): Promise<CliRun> {
  const r = await runCli(argv);
  if (r.code !== 0) throw new Error(`flowmatrix ${argv.join(' ')} exited ${r.code}: ${r.err}`);
  return r;
}

export interface IgLoaded {
  db: string;
  inventorySummary: Record<string, any>;
  ingestSummary: Record<string, any>;
}

/** Writes the inventory and the flows to files and loads them with `inventory import` and `ingest`. */
export async function loadIgCluster(cluster: IgCluster): Promise<IgLoaded> {
  const dir = tmpDir('flowmatrix-ig-');
  const db = join(dir, 'flowmatrix.db');
  const inv = join(dir, 'cluster.json');
  const flows = join(dir, 'flows.ndjson');
  writeFileSync(inv, `${JSON.stringify(cluster.inventory, null, 2)}\n`);
  writeFileSync(flows, cluster.flows.map((l) => `${l}\n`).join(''));
  const inventorySummary = JSON.parse((await mustRun(['inventory', 'import', inv, '--taken-at', IG_TAKEN_AT, '--db', db])).out) as Record<string, any>;
  const ingestSummary = JSON.parse((await mustRun(['ingest', '--format', 'netobserv', flows, '--db', db])).out) as Record<string, any>;
  return { db, inventorySummary, ingestSummary };
}

/** `flowmatrix export --engine kubernetes --mode observed --namespace NS` for each namespace, parsed. */
export async function exportObserved(db: string, namespaces: readonly string[], extra: string[] = []): Promise<{ manifests: Manifest[]; warnings: string }> {
  const manifests: Manifest[] = [];
  let warnings = '';
  for (const ns of namespaces) {
    const r = await mustRun(['export', '--engine', 'kubernetes', '--mode', 'observed', '--namespace', ns, '--db', db, ...extra]);
    warnings += r.err;
    manifests.push(...parseAllDocuments(r.out).map((d) => d.toJS() as Manifest).filter((d) => d !== null && d !== undefined));
  }
  return { manifests, warnings };
}

/** JSON with every object's keys sorted. */
export function stable(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stable).join(',')}]`;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

export const ANY_PEER = '<any peer>';
export const ANY_PORT = '<any port>';

/**
 * What a NetworkPolicy direction allows, as a sorted set of `peer ⟂ port` atoms: a rule allows
 * every listed peer on every listed port (none listed = any), and rules add up. Two rule layouts
 * with the same atoms admit the same traffic.
 */
export function ruleAtoms(rules: unknown, direction: 'ingress' | 'egress'): string[] {
  const out = new Set<string>();
  for (const r of (rules as Record<string, unknown>[] | undefined) ?? []) {
    const peers = (r[direction === 'ingress' ? 'from' : 'to'] as unknown[] | undefined) ?? [];
    const ports = (r.ports as Record<string, unknown>[] | undefined) ?? [];
    for (const peer of peers.length > 0 ? peers.map(stable) : [ANY_PEER]) {
      for (const port of ports.length > 0 ? ports.map((p) => stable({ protocol: 'TCP', ...p })) : [ANY_PORT]) out.add(`${peer} ⟂ ${port}`);
    }
  }
  return [...out].sort();
}

/** A policy's meaning without its names, labels and annotations. */
export interface PolicyMeaning {
  namespace: string;
  podSelector: string;
  policyTypes: string[];
  ingress: string[];
  egress: string[];
}

export function meaning(policy: Manifest | Record<string, any>): PolicyMeaning {
  const m = policy as Manifest;
  return {
    namespace: m.metadata.namespace ?? '',
    podSelector: stable(normalSelector(m.spec.podSelector)),
    policyTypes: [...((m.spec.policyTypes as string[] | undefined) ?? [])].sort(),
    ingress: ruleAtoms(m.spec.ingress, 'ingress'),
    egress: ruleAtoms(m.spec.egress, 'egress'),
  };
}

/** `{}` and `{matchLabels: {}}` select the same pods. */
function normalSelector(s: unknown): unknown {
  const sel = (s ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  const out: Record<string, unknown> = {};
  if (sel.matchLabels && Object.keys(sel.matchLabels).length > 0) out.matchLabels = sel.matchLabels;
  if (sel.matchExpressions && sel.matchExpressions.length > 0) out.matchExpressions = sel.matchExpressions;
  return out;
}

/** One atom as `ruleAtoms` writes it. */
export const atom = (peer: unknown, protocol: string, port: number): string => `${stable(peer)} ⟂ ${stable({ port, protocol })}`;
