/**
 * Upstream reference scenarios (np-guard, network-policy-api demos) as a SimCluster: their
 * Namespace, Pod, Deployment, Service and Route manifests read the way the apiserver would
 * hold them, each workload one pod with a made-up IP. Policies are returned as parsed, for the
 * simulators to pick their kinds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ContainerPort } from '../../domain/inventory.ts';
import type { SimCluster, SimPod } from '../../recommender/simulate/types.ts';

type Obj = Record<string, any>;

export interface ReferenceScenario {
  cluster: SimCluster;
  /** `ns/name[Kind]` as np-guard names workloads → its pod. */
  workloads: Map<string, SimPod>;
  /** Every parsed document (policies included). */
  objects: Obj[];
  /** Workload → the container ports a Route exposes (np-guard's ingress-controller analysis). */
  routed: Map<string, { port: number; protocol: string }[]>;
}

function yamlFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((f) => yamlFiles(join(path, f)))
    .filter((f) => /\.ya?ml$/.test(f));
}

export function loadObjects(paths: string[]): Obj[] {
  return paths.flatMap(yamlFiles).flatMap((f) =>
    parseAllDocuments(readFileSync(f, 'utf8'))
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null && typeof o === 'object'),
  );
}

function containerPorts(podSpec: Obj): ContainerPort[] {
  return (podSpec.containers ?? []).flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: p.protocol ?? 'TCP', container: c.name })));
}

export function referenceScenario(paths: string[]): ReferenceScenario {
  const objects = loadObjects(paths);
  const workloads = new Map<string, SimPod>();
  const namespaces = new Map<string, Record<string, string>>();
  let n = 0;
  const addPod = (key: string, namespace: string, name: string, labels: Record<string, string>, spec: Obj): void => {
    n++;
    workloads.set(key, { namespace, name, labels, ips: [`10.128.${Math.floor(n / 250)}.${(n % 250) + 1}`], hostNetwork: spec.hostNetwork === true, ports: containerPorts(spec), ...(spec.nodeName ? { node: spec.nodeName } : {}) });
    if (!namespaces.has(namespace)) namespaces.set(namespace, {});
  };
  for (const o of objects) {
    const ns = o.metadata?.namespace ?? 'default';
    if (o.kind === 'Namespace') namespaces.set(o.metadata.name, o.metadata.labels ?? {});
    else if (o.kind === 'Pod') addPod(`${ns}/${o.metadata.name}[Pod]`, ns, o.metadata.name, o.metadata.labels ?? {}, o.spec);
    else if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(o.kind)) addPod(`${ns}/${o.metadata.name}[${o.kind}]`, ns, o.metadata.name, o.spec.template.metadata.labels ?? {}, o.spec.template.spec);
  }
  const services = objects
    .filter((o) => o.kind === 'Service')
    .map((o) => ({
      namespace: o.metadata.namespace ?? 'default',
      name: o.metadata.name,
      clusterIPs: [],
      selector: o.spec.selector,
      ports: (o.spec.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP' })),
    }));
  const routed = new Map<string, { port: number; protocol: string }[]>();
  for (const r of objects.filter((o) => o.kind === 'Route')) {
    const ns = r.metadata.namespace ?? 'default';
    const svc = services.find((s) => s.namespace === ns && s.name === r.spec.to.name);
    if (!svc?.selector) continue;
    const sp = svc.ports.find((p: Obj) => p.name === r.spec.port?.targetPort || p.port === r.spec.port?.targetPort || p.targetPort === r.spec.port?.targetPort);
    if (!sp) continue;
    for (const [key, pod] of workloads) {
      if (pod.namespace !== ns || !Object.entries(svc.selector).every(([k, v]) => pod.labels[k] === v)) continue;
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((p) => p.name === sp.targetPort)?.port;
      if (target !== undefined) routed.set(key, [...(routed.get(key) ?? []), { port: target, protocol: sp.protocol }]);
    }
  }
  const cluster: SimCluster = {
    namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })),
    nodes: [],
    pods: [...workloads.values()],
    services,
    apiserver: [],
    podCIDRs: ['10.128.0.0/14'],
  };
  return { cluster, workloads, objects, routed };
}
