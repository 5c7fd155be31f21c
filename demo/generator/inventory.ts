/**
 * Renders the demo cluster as `kubectl get pods,services,endpointslices,nodes,namespaces,
 * networkpolicies,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,ingresses -A -o json`
 * would at a given moment: a v1 List of objects shaped like the real API.
 */
import { podActiveAt, podExistsAt } from './cluster.ts';
import type { DemoCluster, DemoContainer, DemoPod, DemoService, DemoWorkload } from './model.ts';
import { hash32 } from './prng.ts';

export type K8sObject = Record<string, unknown>;

export interface InventoryOptions {
  /** `early` (default): `inventory.json`, taken at the start of the window; `later`: `inventory-later.json`. */
  snapshot?: 'early' | 'later';
}

export interface K8sList {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: string };
  items: K8sObject[];
}

export function inventoryList(cluster: DemoCluster, opts: InventoryOptions = {}): K8sList {
  const at = opts.snapshot === 'later' ? cluster.laterSnapshotAt : cluster.baseTime;
  const ctx = new Renderer(cluster, at);
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: ctx.items() };
}

const ts = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

class Renderer {
  private rv = 1000;
  private readonly pods: DemoPod[];

  constructor(
    private readonly cluster: DemoCluster,
    private readonly at: number,
  ) {
    this.pods = cluster.pods.filter((p) => podExistsAt(p, at));
  }

  items(): K8sObject[] {
    const c = this.cluster;
    const items: K8sObject[] = [];
    for (const ns of c.namespaces) items.push(this.namespace(ns));
    for (const n of c.nodes) items.push(this.node(n));
    for (const w of c.workloads) items.push(...this.workloadObjects(w));
    for (const p of this.pods) items.push(this.pod(p));
    for (const s of c.services) {
      items.push(this.service(s));
      items.push(this.endpointSlice(s));
    }
    for (const i of c.ingresses) items.push(this.ingress(i));
    for (const p of c.policies) items.push(this.policy(p));
    return items;
  }

  private meta(name: string, namespace: string | undefined, uid: string, createdAt: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      creationTimestamp: ts(createdAt),
      ...(extra.generateName ? { generateName: extra.generateName } : {}),
      generation: extra.generation ?? undefined,
      ...(extra.labels ? { labels: extra.labels } : {}),
      name,
      ...(namespace ? { namespace } : {}),
      ...(extra.ownerReferences ? { ownerReferences: extra.ownerReferences } : {}),
      resourceVersion: String(this.rv + (hash32(uid) % 900000)),
      uid,
    };
  }

  private namespace(ns: DemoCluster['namespaces'][number]): K8sObject {
    return {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: this.meta(ns.name, undefined, ns.uid, ns.createdAt, { labels: ns.labels }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }

  private node(n: DemoCluster['nodes'][number]): K8sObject {
    const spec: Record<string, unknown> = { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], providerID: `aws:///${n.zone}/i-${hash32(n.name).toString(16).padStart(8, '0')}` };
    if (n.role === 'control-plane') spec.taints = [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }];
    return {
      apiVersion: 'v1', kind: 'Node',
      metadata: this.meta(n.name, undefined, n.uid, this.cluster.baseTime - 60 * 86_400_000, { labels: n.labels }),
      spec,
      status: {
        addresses: [{ address: n.ip, type: 'InternalIP' }, { address: n.name, type: 'Hostname' }],
        conditions: [{ lastHeartbeatTime: ts(this.at - 30_000), lastTransitionTime: ts(this.cluster.baseTime - 60 * 86_400_000), message: 'kubelet is posting ready status', reason: 'KubeletReady', status: 'True', type: 'Ready' }],
        nodeInfo: { architecture: 'amd64', containerRuntimeVersion: 'containerd://2.1.4', kernelVersion: '6.8.0-1036-aws', kubeProxyVersion: '', kubeletVersion: 'v1.34.1', operatingSystem: 'linux', osImage: 'Ubuntu 24.04.3 LTS' },
      },
    };
  }

  private podSpec(w: DemoWorkload, nodeName?: string): Record<string, unknown> {
    const spec: Record<string, unknown> = {
      containers: w.containers.map((c) => this.container(c)),
      dnsPolicy: w.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    };
    if (w.hostNetwork) spec.hostNetwork = true;
    if (nodeName) spec.nodeName = nodeName;
    spec.restartPolicy = w.kind === 'CronJob' ? 'OnFailure' : w.kind === 'Pod' ? 'Always' : 'Always';
    spec.schedulerName = 'default-scheduler';
    spec.serviceAccount = w.serviceAccount;
    spec.serviceAccountName = w.serviceAccount;
    spec.terminationGracePeriodSeconds = 30;
    if (w.kind === 'DaemonSet') spec.tolerations = [{ operator: 'Exists' }];
    return spec;
  }

  private container(c: DemoContainer): Record<string, unknown> {
    const out: Record<string, unknown> = { image: c.image, imagePullPolicy: 'IfNotPresent', name: c.name };
    if (c.probe) {
      const probe = { failureThreshold: 3, httpGet: { path: '/healthz', port: c.probe, scheme: 'HTTP' }, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 };
      out.livenessProbe = probe;
      out.readinessProbe = probe;
    }
    if (c.ports.length > 0) {
      out.ports = c.ports.map((p) => ({ containerPort: p.port, ...(p.name ? { name: p.name } : {}), protocol: p.protocol }));
    }
    out.resources = {};
    return out;
  }

  private template(w: DemoWorkload, extraLabels: Record<string, string> = {}): Record<string, unknown> {
    return { metadata: { labels: { ...w.labels, ...extraLabels } }, spec: this.podSpec(w) };
  }

  private workloadObjects(w: DemoWorkload): K8sObject[] {
    const owner = (apiVersion: string, kind: string, name: string, uid: string): Record<string, unknown> =>
      ({ apiVersion, blockOwnerDeletion: true, controller: true, kind, name, uid });
    const pods = this.pods.filter((p) => p.workload === w);
    const ready = pods.filter((p) => podActiveAt(p, this.at)).length;
    switch (w.kind) {
      case 'Deployment': {
        const rsName = `${w.name}-${w.templateHash}`;
        return [
          {
            apiVersion: 'apps/v1', kind: 'Deployment',
            metadata: this.meta(w.name, w.namespace, w.uid, w.createdAt, { labels: w.selector, generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
            spec: { progressDeadlineSeconds: 600, replicas: w.replicas, revisionHistoryLimit: 10, selector: { matchLabels: w.selector }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template: this.template(w) },
            status: { availableReplicas: ready, observedGeneration: 1, readyReplicas: ready, replicas: w.replicas, updatedReplicas: w.replicas },
          },
          {
            apiVersion: 'apps/v1', kind: 'ReplicaSet',
            metadata: this.meta(rsName, w.namespace, w.replicaSetUid as string, w.createdAt, {
              labels: { ...w.selector, 'pod-template-hash': w.templateHash }, generation: 1,
              annotations: { 'deployment.kubernetes.io/desired-replicas': String(w.replicas), 'deployment.kubernetes.io/max-replicas': String(w.replicas + 1), 'deployment.kubernetes.io/revision': '1' },
              ownerReferences: [owner('apps/v1', 'Deployment', w.name, w.uid)],
            }),
            spec: { replicas: w.replicas, selector: { matchLabels: { ...w.selector, 'pod-template-hash': w.templateHash } }, template: this.template(w, { 'pod-template-hash': w.templateHash }) },
            status: { availableReplicas: ready, fullyLabeledReplicas: w.replicas, observedGeneration: 1, readyReplicas: ready, replicas: w.replicas },
          },
        ];
      }
      case 'StatefulSet':
        return [{
          apiVersion: 'apps/v1', kind: 'StatefulSet',
          metadata: this.meta(w.name, w.namespace, w.uid, w.createdAt, { labels: w.selector, generation: 1 }),
          spec: { podManagementPolicy: 'OrderedReady', replicas: w.replicas, selector: { matchLabels: w.selector }, serviceName: w.name, template: this.template(w), updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' } },
          status: { availableReplicas: ready, currentReplicas: w.replicas, currentRevision: `${w.name}-${w.templateHash}`, observedGeneration: 1, readyReplicas: ready, replicas: w.replicas, updateRevision: `${w.name}-${w.templateHash}`, updatedReplicas: w.replicas },
        }];
      case 'DaemonSet':
        return [{
          apiVersion: 'apps/v1', kind: 'DaemonSet',
          metadata: this.meta(w.name, w.namespace, w.uid, w.createdAt, { labels: w.selector, generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } }),
          spec: { revisionHistoryLimit: 10, selector: { matchLabels: w.selector }, template: this.template(w), updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' } },
          status: { currentNumberScheduled: pods.length, desiredNumberScheduled: pods.length, numberAvailable: ready, numberMisscheduled: 0, numberReady: ready, observedGeneration: 1, updatedNumberScheduled: pods.length },
        }];
      case 'CronJob': {
        const jobs = pods.filter((p) => p.job);
        const last = jobs.map((p) => p.job?.scheduledAt ?? 0).sort((a, b) => b - a)[0];
        const out: K8sObject[] = [{
          apiVersion: 'batch/v1', kind: 'CronJob',
          metadata: this.meta(w.name, w.namespace, w.uid, w.createdAt, { labels: w.labels, generation: 1 }),
          spec: {
            concurrencyPolicy: 'Forbid', failedJobsHistoryLimit: 1, schedule: w.schedule, successfulJobsHistoryLimit: 3, suspend: false,
            jobTemplate: { metadata: { creationTimestamp: null }, spec: { backoffLimit: 6, template: this.template(w) } },
          },
          status: last ? { lastScheduleTime: ts(last), lastSuccessfulTime: ts(last + 300_000) } : {},
        }];
        for (const p of jobs) {
          const job = p.job as NonNullable<DemoPod['job']>;
          const done = p.finishedAt !== undefined && p.finishedAt <= this.at;
          const sel = { 'batch.kubernetes.io/controller-uid': job.uid };
          out.push({
            apiVersion: 'batch/v1', kind: 'Job',
            metadata: this.meta(job.name, w.namespace, job.uid, job.scheduledAt, {
              annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': ts(job.scheduledAt) },
              labels: { ...w.labels, 'batch.kubernetes.io/controller-uid': job.uid, 'batch.kubernetes.io/job-name': job.name, 'controller-uid': job.uid, 'job-name': job.name },
              generation: 1,
              ownerReferences: [owner('batch/v1', 'CronJob', w.name, w.uid)],
            }),
            spec: {
              backoffLimit: 6, completionMode: 'NonIndexed', completions: 1, parallelism: 1, selector: { matchLabels: sel },
              template: this.template(w, { 'batch.kubernetes.io/controller-uid': job.uid, 'batch.kubernetes.io/job-name': job.name, 'controller-uid': job.uid, 'job-name': job.name }),
            },
            status: done
              ? { completionTime: ts(p.finishedAt as number), ready: 0, startTime: ts(p.createdAt), succeeded: 1, terminating: 0, uncountedTerminatedPods: {} }
              : { active: 1, ready: 1, startTime: ts(p.createdAt), terminating: 0, uncountedTerminatedPods: {} },
          });
        }
        return out;
      }
      case 'Pod':
        return [];
    }
  }

  private pod(p: DemoPod): K8sObject {
    const w = p.workload;
    const owner = p.owner ? [{ apiVersion: p.owner.apiVersion, blockOwnerDeletion: true, controller: true, kind: p.owner.kind, name: p.owner.name, uid: p.owner.uid }] : undefined;
    const generateName = p.owner && w.kind !== 'StatefulSet' ? p.name.slice(0, p.name.lastIndexOf('-') + 1) : undefined;
    const succeeded = p.finishedAt !== undefined && p.finishedAt <= this.at;
    const status: Record<string, unknown> = {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: ts(p.createdAt + 2000), status: succeeded ? 'False' : 'True', type: 'Ready' },
        { lastProbeTime: null, lastTransitionTime: ts(p.createdAt), status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: w.containers.map((c) => ({
        image: c.image, name: c.name, ready: !succeeded, restartCount: 0, started: !succeeded,
        state: succeeded
          ? { terminated: { exitCode: 0, finishedAt: ts(p.finishedAt as number), reason: 'Completed', startedAt: ts(p.createdAt + 1000) } }
          : { running: { startedAt: ts(p.createdAt + 1000) } },
      })),
      hostIP: p.node.ip,
      hostIPs: [{ ip: p.node.ip }],
      phase: succeeded ? 'Succeeded' : 'Running',
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      qosClass: 'BestEffort',
      startTime: ts(p.createdAt),
    };
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: this.meta(p.name, p.namespace, p.uid, p.createdAt, { generateName, labels: p.labels, ownerReferences: owner }),
      spec: this.podSpec(w, p.node.name),
      status,
    };
  }

  private service(s: DemoService): K8sObject {
    const spec: Record<string, unknown> = {
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), ...(p.nodePort ? { nodePort: p.nodePort } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
    };
    if (s.type === 'LoadBalancer') {
      spec.allocateLoadBalancerNodePorts = true;
      spec.externalTrafficPolicy = s.externalTrafficPolicy ?? 'Cluster';
      if (spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort = 32000 + (hash32(s.uid) % 700);
    }
    if (s.selector) spec.selector = s.selector;
    spec.sessionAffinity = 'None';
    spec.type = s.type;
    return {
      apiVersion: 'v1', kind: 'Service',
      metadata: this.meta(s.name, s.namespace, s.uid, s.createdAt, { labels: s.labels }),
      spec,
      status: { loadBalancer: s.loadBalancerIP ? { ingress: [{ ip: s.loadBalancerIP, ipMode: 'VIP' }] } : {} },
    };
  }

  /** The EndpointSlice controller's slice for a Service (or the apiserver's own slice for default/kubernetes). */
  private endpointSlice(s: DemoService): K8sObject {
    if (!s.selector) {
      return {
        addressType: 'IPv4', apiVersion: 'discovery.k8s.io/v1',
        endpoints: [{ addresses: [this.cluster.apiserver.ip], conditions: { ready: true } }],
        kind: 'EndpointSlice',
        metadata: this.meta(s.name, s.namespace, uidFrom(`slice/${s.uid}`), s.createdAt, { labels: { 'kubernetes.io/service-name': s.name }, generation: 1 }),
        ports: s.ports.map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : this.cluster.apiserver.port, protocol: p.protocol })),
      };
    }
    const selector = s.selector;
    const selected = this.pods.filter((p) => p.namespace === s.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v) && podActiveAt(p, this.at));
    selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const suffix = uidFrom(`suffix/${s.uid}`).replace(/[^a-z]/g, '').slice(0, 5).padEnd(5, 'x');
    const owner = this.cluster.workloads.find((w) => w.namespace === s.namespace && Object.entries(selector).every(([k, v]) => w.labels[k] === v));
    return {
      addressType: 'IPv4', apiVersion: 'discovery.k8s.io/v1',
      endpoints: selected.map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.node.name,
        targetRef: { kind: 'Pod', name: p.name, namespace: p.namespace, uid: p.uid },
        zone: p.node.zone,
      })),
      kind: 'EndpointSlice',
      metadata: this.meta(`${s.name}-${suffix}`, s.namespace, uidFrom(`slice/${s.uid}`), s.createdAt, {
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': ts(Math.max(s.createdAt, ...selected.map((p) => p.createdAt))) },
        generateName: `${s.name}-`,
        generation: 1,
        labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': s.name },
        ownerReferences: [{ apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service', name: s.name, uid: s.uid }],
      }),
      ports: s.ports.map((p) => ({ name: p.name ?? '', port: resolveTarget(p.targetPort, owner), protocol: p.protocol })),
    };
  }

  private ingress(i: DemoCluster['ingresses'][number]): K8sObject {
    return {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: this.meta(i.name, i.namespace, i.uid, i.createdAt, { generation: 1 }),
      spec: {
        ingressClassName: i.className,
        rules: [{ host: i.host, http: { paths: [{ backend: { service: { name: i.service, port: { number: i.servicePort } } }, path: '/', pathType: 'Prefix' }] } }],
        tls: [{ hosts: [i.host], secretName: `${i.name}-tls` }],
      },
      status: { loadBalancer: { ingress: [{ ip: i.loadBalancerIP }] } },
    };
  }

  private policy(p: DemoCluster['policies'][number]): K8sObject {
    return {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: this.meta(p.name, p.namespace, p.uid, p.createdAt, { labels: p.labels, generation: 1 }),
      spec: p.spec,
    };
  }
}

function resolveTarget(target: number | string, workload: DemoWorkload | undefined): number {
  if (typeof target === 'number') return target;
  for (const c of workload?.containers ?? []) for (const p of c.ports) if (p.name === target) return p.port;
  throw new Error(`named targetPort ${target} matches no container port`);
}

function uidFrom(text: string): string {
  const h = [hash32(text), hash32(`${text}#1`), hash32(`${text}#2`), hash32(`${text}#3`)].map((x) => x.toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
