import type { ContainerPort } from '../../domain/inventory.ts';
import type { FieldReader } from './fields.ts';
import { compareStrings } from '../../domain/order.ts';
import { ISTIO_PROXY_CONTAINER } from '../../domain/istio.ts';

export interface PodSpecInfo {
  hostNetwork: boolean;
  ports: ContainerPort[];
  serviceAccount?: string;
  /** A container (or native sidecar) named `istio-proxy` (domain/istio.ts). */
  istioProxy: boolean;
}

export function comparePorts(a: ContainerPort, b: ContainerPort): number {
  return a.port - b.port || compareStrings(a.protocol, b.protocol) || compareStrings(a.name ?? '', b.name ?? '') || compareStrings(a.container ?? '', b.container ?? '');
}

/** Sorted, without duplicates. */
export function mergePorts(...lists: ContainerPort[][]): ContainerPort[] {
  const seen = new Map<string, ContainerPort>();
  for (const p of lists.flat()) seen.set(`${p.port}/${p.protocol}/${p.name ?? ''}/${p.container ?? ''}`, p);
  return [...seen.values()].sort(comparePorts);
}

/** A PodSpec (of a pod or of a controller's template). */
export function readPodSpec(spec: FieldReader): PodSpecInfo {
  const ports: ContainerPort[] = [];
  let istioProxy = false;
  const containers = spec.objects('containers');
  // Native sidecars (init containers with restartPolicy Always) keep running and can serve.
  const sidecars = spec.objects('initContainers').filter((c) => c.optStr('restartPolicy') === 'Always');
  for (const c of [...containers, ...sidecars]) {
    const container = c.str('name');
    if (container === ISTIO_PROXY_CONTAINER) istioProxy = true;
    for (const p of c.objects('ports')) {
      const name = p.optPortName('name');
      ports.push({ ...(name ? { name } : {}), port: p.port('containerPort'), protocol: p.protocol('protocol'), container });
    }
  }
  const serviceAccount = spec.optStr('serviceAccountName') ?? spec.optStr('serviceAccount');
  return { hostNetwork: spec.optBool('hostNetwork') === true, ports: mergePorts(ports), ...(serviceAccount ? { serviceAccount } : {}), istioProxy };
}
