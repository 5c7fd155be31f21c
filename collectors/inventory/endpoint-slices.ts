import { isIpAddress, storedAddress } from '../../domain/ip.ts';
import type { ApiserverEndpoint, EndpointSlice, EndpointSliceEndpoint, EndpointSlicePort } from '../../domain/inventory.ts';
import { isApiserverService } from '../../domain/apiserver.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { compareStrings } from '../../domain/order.ts';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function toEndpointSlice(raw: RawObject): EndpointSlice {
  const { r, meta } = readObject(raw, 'namespaced');
  const addressType = r.str('addressType');
  if (!(ADDRESS_TYPES as readonly string[]).includes(addressType)) r.fail('addressType', ADDRESS_TYPES.join(', '), addressType);
  const endpoints = r.objects('endpoints').map((e): EndpointSliceEndpoint => {
    const addresses = addressType === 'FQDN' ? e.strings('addresses') : e.checkedStrings('addresses', `an ${addressType} address`, isIpAddress).map(storedAddress);
    if (addresses.length === 0) e.fail('addresses', 'at least one address', addresses);
    const ready = e.optObj('conditions')?.optBool('ready');
    const nodeName = e.optName('nodeName', 'subdomain');
    // A DNS-1123 label when given: kubernetes pkg/apis/discovery/validation validateEndpoints.
    const hostname = e.optName('hostname', 'label');
    const t = e.optObj('targetRef');
    const targetNamespace = t?.optStr('namespace');
    return {
      addresses: [...addresses].sort(),
      ...(hostname ? { hostname } : {}),
      ...(ready !== undefined ? { ready } : {}),
      ...(nodeName ? { nodeName } : {}),
      ...(t ? { targetRef: { kind: t.str('kind'), ...(targetNamespace ? { namespace: targetNamespace } : {}), name: t.str('name') } } : {}),
    };
  });
  const ports: EndpointSlicePort[] = [];
  for (const p of r.objects('ports')) {
    // A null port means "all ports" (a selector-less Service's slice): nothing to declare.
    if (p.raw('port') === null || p.raw('port') === undefined) continue;
    // A DNS-1123 label when given: kubernetes pkg/apis/discovery/validation validatePorts (ValidateDNS1123Label).
    const name = p.optName('name', 'label');
    ports.push({ ...(name ? { name } : {}), port: p.port('port'), protocol: p.protocol('protocol') });
  }
  ports.sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol) || compareStrings(a.name ?? '', b.name ?? ''));
  endpoints.sort((a, b) => compareStrings(a.addresses[0] ?? '', b.addresses[0] ?? ''));
  const service = meta.labels[SERVICE_NAME_LABEL];
  return { namespace: meta.namespace, name: meta.name, ...(service ? { service } : {}), addressType: addressType as EndpointSlice['addressType'], endpoints, ports };
}

export function isApiserverSlice(s: EndpointSlice): boolean {
  return isApiserverService(s.namespace, s.service ?? s.name);
}

/** The apiserver endpoints of the `default/kubernetes` slices: each ready address × each port. */
export function apiserverFromSlices(slices: EndpointSlice[]): ApiserverEndpoint[] {
  const out: ApiserverEndpoint[] = [];
  for (const s of slices.filter(isApiserverSlice)) {
    if (s.addressType === 'FQDN') continue;
    for (const e of s.endpoints) {
      if (e.ready === false) continue;
      for (const ip of e.addresses) for (const p of s.ports) out.push({ ip, port: p.port, protocol: p.protocol });
    }
  }
  return sortApiserver(out);
}

/** The core/v1 Endpoints `default/kubernetes`: the fallback when no slice is given. */
export function apiserverFromEndpoints(raw: RawObject): ApiserverEndpoint[] {
  const { r } = readObject(raw, 'namespaced');
  const out: ApiserverEndpoint[] = [];
  for (const subset of r.objects('subsets')) {
    const ips = subset.objects('addresses').map((a) => a.str('ip'));
    for (const p of subset.objects('ports')) for (const ip of ips) out.push({ ip, port: p.port('port'), protocol: p.protocol('protocol') });
  }
  return sortApiserver(out);
}

function sortApiserver(list: ApiserverEndpoint[]): ApiserverEndpoint[] {
  const unique = new Map(list.map((e) => [`${e.ip}|${e.port}|${e.protocol}`, e]));
  return [...unique.values()].sort((a, b) => compareStrings(a.ip, b.ip) || a.port - b.port || compareStrings(a.protocol, b.protocol));
}
