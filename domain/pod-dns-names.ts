/**
 * The DNS names of pods, as the cluster DNS answers them: a pod's A/AAAA record
 * `<address>.<namespace>.pod.<zone>` (kubernetes.io "DNS for Services and Pods", "A/AAAA records":
 * `172-17-0-3.default.pod.cluster.local`), and one endpoint of a headless Service,
 * `<endpoint>.<service>.<namespace>.svc.<zone>` (kubernetes/dns docs/specification.md 2.4.1), which
 * answers with that endpoint's address alone. Which Service a name spells: service-dns-names.ts.
 */
import { isIpAddress, storedAddress } from './ip.ts';
import type { EndpointSlice, EndpointSliceEndpoint } from './inventory.ts';
import { spell, type DnsAsker, type EndpointNamed, type ServiceRef } from './service-dns-names.ts';

/** What a pod A record spells: the address it answers with, and the namespace it is written under. */
export interface PodRecord {
  address: string;
  namespace: string;
}

/**
 * The pod A record a name spells: `<address>.<namespace>.pod.<zone>`, or `<address>.<namespace>.pod`,
 * which the last entry of a pod's search path, `<zone>`, completes. Undefined for any other name.
 * Whether the cluster DNS answers it depends on its configuration (CoreDNS plugin/kubernetes README,
 * `pods`: `insecure` answers any address, `verified` only an address a pod of that namespace has),
 * which a caller judges with the pods it knows.
 */
export function podRecordOfName(name: string, asker: DnsAsker): PodRecord | undefined {
  const { spelled, inZone } = spell(name, asker);
  if (spelled.length !== 3 || spelled[2] !== 'pod') return undefined;
  // Written absolute without the zone, the name is not searched: `pod.` is no cluster zone.
  if (!inZone && name.endsWith('.')) return undefined;
  const address = dashedAddress(spelled[0]!);
  return address === undefined ? undefined : { address, namespace: spelled[1]! };
}

/**
 * An address written as one DNS label, read as CoreDNS reads a pod record's (plugin/kubernetes
 * kubernetes.go `findPods`): three dashes and no `--` are an IPv4 address's dots, any other dashes
 * an IPv6 address's colons (`fd00--5` is `fd00::5`). Undefined when that is no address.
 */
export function dashedAddress(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const text = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIpAddress(text) ? storedAddress(text) : undefined;
}

/**
 * The endpoints of a Service's EndpointSlices that `<label>.<service>.<namespace>.svc` names. CoreDNS
 * names an endpoint by its hostname; without one, by its address with dashes, or with
 * `endpoint_pod_names` by the name of the pod it targets (plugin/kubernetes README,
 * `endpoint_pod_names`; `endpointHostname`). Which of the two a cluster's DNS does is not known
 * here, so an endpoint without a hostname answers to either.
 */
export function endpointsNamed(slices: readonly EndpointSlice[], service: ServiceRef, label: string): EndpointSliceEndpoint[] {
  const named: EndpointSliceEndpoint[] = [];
  for (const slice of slices) {
    if (slice.namespace !== service.namespace || slice.service !== service.service || slice.addressType === 'FQDN') continue;
    for (const e of slice.endpoints) if (endpointLabels(e).includes(label)) named.push(e);
  }
  return named;
}

/** Whether a stored endpoint of the Service answers to the label (endpointsNamed), for searchName. */
export function endpointNamedIn(slices: readonly EndpointSlice[]): EndpointNamed {
  return (service, label) => endpointsNamed(slices, service, label).length > 0;
}

function endpointLabels(e: EndpointSliceEndpoint): string[] {
  if (e.hostname !== undefined) return [e.hostname];
  const dashed = e.addresses.map((a) => a.replaceAll(/[.:]/g, '-'));
  return e.targetRef?.kind === 'Pod' ? [...dashed, e.targetRef.name] : dashed;
}
