import { canonicalDnsName } from '../../domain/dns-name.ts';
import { dns1123SubdomainError } from '../../domain/k8s-names.ts';
import { isIpAddress, storedAddress } from '../../domain/ip.ts';
import type { ExternalTrafficPolicy, Service, ServicePort } from '../../domain/inventory.ts';
import { readObject } from './metadata.ts';
import type { FieldReader } from './fields.ts';
import type { RawObject } from './parse.ts';
import { compareStrings } from '../../domain/order.ts';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const EXTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;

/**
 * status.loadBalancer.ingress[].ip of the entries a node translates to the Service's endpoints,
 * sorted, each once. kube-proxy skips an entry without `ip` (a DNS-based load balancer's `hostname`)
 * and one not in VIP mode (kubernetes pkg/proxy newBaseServiceInfo; pkg/proxy/util IsVIPMode: an
 * absent ipMode is VIP, any other value is not). Under "Proxy", "traffic is delivered to the node or pod with the destination
 * set to the node's IP and node port or the pod's IP and port" (Service API reference,
 * LoadBalancerIngress.ipMode): the load balancer translates, so a pod's packet to it does leave.
 */
function loadBalancerIps(r: FieldReader): string[] {
  const ips = new Set<string>();
  for (const ingress of r.optObj('status')?.optObj('loadBalancer')?.objects('ingress') ?? []) {
    const ip = ingress.optIp('ip');
    // Only VIP mode is translated (IsVIPMode: absent or "VIP"); any other mode, Proxy or one a later
    // release adds, is skipped as kube-proxy skips it, never refused: the status is the load
    // balancer controller's to write, not the user's.
    const mode = ingress.optStr('ipMode');
    if (ip !== undefined && (mode === undefined || mode === 'VIP')) ips.add(ip);
  }
  return [...ips].sort();
}

export function toService(raw: RawObject): Service {
  const { r, meta } = readObject(raw, 'namespaced');
  const spec = r.obj('spec');
  const type = spec.optStr('type') ?? 'ClusterIP';
  if (!(TYPES as readonly string[]).includes(type)) spec.fail('type', TYPES.join(', '), type);
  // Headless Services say "None" instead of an address.
  const ipOrNone = (v: string): boolean => v === 'None' || isIpAddress(v);
  const ips = new Set(spec.checkedStrings('clusterIPs', 'an IP address or "None"', ipOrNone));
  const single = spec.optStr('clusterIP');
  if (single && !ipOrNone(single)) spec.fail('clusterIP', 'an IP address or "None"', single);
  if (single) ips.add(single);
  ips.delete('None');
  const addresses = [...ips].map(storedAddress);
  const ports = spec.objects('ports').map((p): ServicePort => {
    const port = p.port('port');
    // "must be a DNS_LABEL": kubernetes pkg/apis/core/validation validateServicePort (ValidateDNS1123Label).
    const name = p.optName('name', 'label');
    const nodePort = p.optInt('nodePort', 1, 65535);
    return {
      ...(name ? { name } : {}),
      port,
      // The API defaults targetPort to port.
      targetPort: p.intOrString('targetPort') ?? port,
      protocol: p.protocol('protocol'),
      ...(nodePort !== undefined ? { nodePort } : {}),
    };
  });
  ports.sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol));
  const selector = spec.labels('selector');
  const externalIPs = [...new Set(spec.checkedStrings('externalIPs', 'an IPv4 or IPv6 address', isIpAddress).map(storedAddress))].sort();
  const loadBalancerIPs = loadBalancerIps(r);
  const externalName = type === 'ExternalName' ? externalNameOf(spec) : undefined;
  const externalTrafficPolicy = spec.optStr('externalTrafficPolicy');
  if (externalTrafficPolicy !== undefined && !(EXTERNAL_TRAFFIC_POLICIES as readonly string[]).includes(externalTrafficPolicy)) spec.fail('externalTrafficPolicy', EXTERNAL_TRAFFIC_POLICIES.join(' or '), externalTrafficPolicy);
  return {
    namespace: meta.namespace,
    name: meta.name,
    type: type as Service['type'],
    clusterIPs: [...new Set(addresses)].sort(),
    ports,
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    ...(externalName !== undefined ? { externalName } : {}),
    ...(externalIPs.length > 0 ? { externalIPs } : {}),
    ...(loadBalancerIPs.length > 0 ? { loadBalancerIPs } : {}),
    ...(externalTrafficPolicy !== undefined ? { externalTrafficPolicy: externalTrafficPolicy as ExternalTrafficPolicy } : {}),
    ...(meta.createdAt !== undefined ? { createdAt: meta.createdAt } : {}),
  };
}

/**
 * An ExternalName Service's target, canonical (domain/dns-name.ts). The API server holds only a DNS
 * subdomain there, a trailing dot allowed (ValidateService: IsDNS1123Subdomain of the name without
 * it), so anything else is refused here by that rule, in the canonical spelling.
 */
function externalNameOf(spec: FieldReader): string | undefined {
  const written = spec.optStr('externalName');
  if (written === undefined) return undefined;
  const name = canonicalDnsName(written);
  const error = dns1123SubdomainError(name);
  if (error !== undefined) spec.fail('externalName', `a DNS name that ${error}`, written);
  return name;
}
