/**
 * `ServiceCIDR` (networking.k8s.io/v1; Kubernetes API reference, ServiceCIDR v1): the ranges the
 * API server allocates ClusterIPs from. `spec.cidrs` holds at most two CIDRs, one per family, each
 * canonical: the API server's validateServiceCIDRSpec checks each with apimachinery IsValidCIDR
 * (kubernetes pkg/apis/networking/validation). An entry it would refuse is skipped with a warning,
 * not the whole import: the rest of the object still says where Services live.
 */
import type { ServiceCidr } from '../../domain/inventory.ts';
import { formatCidr, parseCidr } from '../../domain/ip.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';

/** A CIDR as the API server accepts it in a ServiceCIDR: valid, its host bits clear, written canonically. */
function isCanonicalCidr(text: string): boolean {
  const c = parseCidr(text);
  return c !== undefined && formatCidr(c) === text;
}

/** The ServiceCIDR with its canonical CIDRs, and a warning for each entry skipped (naming the object, the field and the value). */
export function toServiceCidr(raw: RawObject): { serviceCidr: ServiceCidr; warnings: string[] } {
  const { r, meta, label } = readObject(raw, 'cluster');
  const given = r.optObj('spec')?.raw('cidrs') ?? [];
  const entries: unknown[] = Array.isArray(given) ? given : r.obj('spec').fail('cidrs', 'an array of CIDRs', given);
  const cidrs: string[] = [];
  const warnings: string[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry === 'string' && isCanonicalCidr(entry)) cidrs.push(entry);
    else warnings.push(`${label}: spec.cidrs[${i}]: expected a CIDR in canonical form such as 10.96.0.0/16, got ${typeof entry === 'string' ? `the string ${JSON.stringify(entry)}` : JSON.stringify(entry)}: skipped (the API server refuses it)`);
  });
  return { serviceCidr: { name: meta.name, cidrs }, warnings };
}
