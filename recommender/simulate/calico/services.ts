/**
 * Calico `services` matches (docs: reference/resources/networkpolicy, ServiceMatch): a
 * destination service matches the Service's cluster IPs on its ports and its endpoints on their
 * ports; a source service matches the endpoints' addresses (felix renders both from the
 * Service's EndpointSlices). Endpoints are the pods the Service selects (named target ports
 * resolved on each pod), or, for the selector-less `default/kubernetes`, the apiserver endpoints.
 */
import { isApiserverService } from '../../../domain/apiserver.ts';
import { serviceTargetPort } from '../../../domain/service-links.ts';
import type { SimCluster, SimPod, SimProtocol, SimService } from '../types.ts';

interface ServiceEndpoints {
  /** `ip|port|protocol` of every endpoint and cluster IP. */
  sockets: Set<string>;
  /** Endpoint addresses. */
  addresses: Set<string>;
}

function selects(selector: Record<string, string>, pod: SimPod): boolean {
  for (const [k, v] of Object.entries(selector)) if (pod.labels[k] !== v) return false;
  return true;
}

export class ServiceIndex {
  private readonly byName = new Map<string, SimService>();
  private readonly endpoints = new Map<string, ServiceEndpoints>();

  constructor(private readonly cluster: SimCluster) {
    for (const s of cluster.services) this.byName.set(`${s.namespace}/${s.name}`, s);
  }

  private resolve(ref: { namespace: string; name: string }): ServiceEndpoints {
    const key = `${ref.namespace}/${ref.name}`;
    let e = this.endpoints.get(key);
    if (e) return e;
    e = { sockets: new Set(), addresses: new Set() };
    const svc = this.byName.get(key);
    if (svc) {
      for (const ip of svc.clusterIPs) for (const p of svc.ports) e.sockets.add(`${ip}|${p.port}|${p.protocol}`);
      if (svc.selector) {
        const selector = svc.selector;
        for (const pod of this.cluster.pods) {
          if (pod.namespace !== svc.namespace || !selects(selector, pod)) continue;
          for (const ip of pod.ips) {
            e.addresses.add(ip);
            for (const p of svc.ports) {
              const target = serviceTargetPort(p, pod);
              if (target !== undefined) e.sockets.add(`${ip}|${target}|${p.protocol}`);
            }
          }
        }
      }
    }
    if (!svc?.selector && isApiserverService(ref.namespace, ref.name)) {
      for (const a of this.cluster.apiserver) {
        e.addresses.add(a.ip);
        e.sockets.add(`${a.ip}|${a.port}|${a.protocol}`);
      }
    }
    this.endpoints.set(key, e);
    return e;
  }

  /** Whether a connection to one of `ips` on port/protocol reaches the Service (endpoint or cluster IP). */
  isEndpoint(ref: { namespace: string; name: string }, ips: readonly string[], port: number, protocol: SimProtocol): boolean {
    const e = this.resolve(ref);
    return ips.some((ip) => e.sockets.has(`${ip}|${port}|${protocol}`));
  }

  /** Whether one of `ips` is an endpoint address of the Service. */
  isEndpointAddress(ref: { namespace: string; name: string }, ips: readonly string[]): boolean {
    const e = this.resolve(ref);
    return ips.some((ip) => e.addresses.has(ip));
  }
}
