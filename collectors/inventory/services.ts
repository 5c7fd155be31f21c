import { isIpAddress, storedAddress } from '../../domain/ip.ts';
import type { ExternalTrafficPolicy, Service, ServicePort } from '../../domain/inventory.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { compareStrings } from '../../domain/order.ts';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const EXTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;

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
  const externalTrafficPolicy = spec.optStr('externalTrafficPolicy');
  if (externalTrafficPolicy !== undefined && !(EXTERNAL_TRAFFIC_POLICIES as readonly string[]).includes(externalTrafficPolicy)) spec.fail('externalTrafficPolicy', EXTERNAL_TRAFFIC_POLICIES.join(' or '), externalTrafficPolicy);
  return {
    namespace: meta.namespace,
    name: meta.name,
    type: type as Service['type'],
    clusterIPs: [...new Set(addresses)].sort(),
    ports,
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    ...(externalIPs.length > 0 ? { externalIPs } : {}),
    ...(externalTrafficPolicy !== undefined ? { externalTrafficPolicy: externalTrafficPolicy as ExternalTrafficPolicy } : {}),
    ...(meta.createdAt !== undefined ? { createdAt: meta.createdAt } : {}),
  };
}
