/**
 * What the apiserver refuses in a networking.k8s.io/v1 NetworkPolicy beyond its OpenAPI
 * schema, mirroring kubernetes/kubernetes pkg/apis/networking/validation/validation.go:
 * ValidateNetworkPolicy (object meta: name a DNS subdomain, namespace a DNS label, labels),
 * ValidateNetworkPolicySpec (selectors, policyTypes), ValidateNetworkPolicyPeer (exactly one of
 * ipBlock or selectors), ValidateIPBlock (valid CIDRs, except a strict subset of cidr) and
 * ValidateNetworkPolicyPort (protocol, port number or IANA name, endPort).
 */
import { isNetworkPolicy } from '../../engines/wire/kubernetes.ts';
import type { VerifyError } from '../types.ts';
import { SharedChecks } from './shared-objects.ts';
import { cidrErrors, HOST_BITS_SET, STRICT_CIDR_GATE, isDns1123Label, isDns1123Subdomain, isValidPortName, isValidPortNum, labelErrors, labelSelectorErrors } from './k8s-syntax.ts';
import { isPlainObject, itemsOf } from '../../../domain/plain-object.ts';
import { ADDRESS_BITS, cidrContains, type Cidr } from '../../../domain/ip.ts';
import { nonStandardReading, readLegacyCidr, type LegacyCidr } from '../../../domain/legacy-cidr.ts';

type Obj = Record<string, unknown>;

/** ValidateNetworkPolicyPort. */
function portErrors(port: Obj, path: string): VerifyError[] {
  const out: VerifyError[] = [];
  if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(port.protocol))) {
    out.push({ path: `${path}/protocol`, message: `Unsupported value: ${JSON.stringify(port.protocol)}: supported values: "TCP", "UDP", "SCTP"` });
  }
  if (port.port === undefined) {
    if (port.endPort !== undefined) out.push({ path: `${path}/endPort`, message: 'may not be specified when `port` is not specified' });
  } else if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) out.push({ path: `${path}/port`, message: m });
    if (port.endPort !== undefined) {
      const end = Number(port.endPort);
      if (end < port.port) out.push({ path: `${path}/endPort`, message: 'must be greater than or equal to `port`' });
      for (const m of isValidPortNum(end)) out.push({ path: `${path}/endPort`, message: m });
    }
  } else {
    if (port.endPort !== undefined) out.push({ path: `${path}/endPort`, message: 'may not be specified when `port` is non-numeric' });
    for (const m of isValidPortName(String(port.port))) out.push({ path: `${path}/port`, message: m });
  }
  return out;
}

/**
 * One CIDR field of an ipBlock (IsValidCIDRForLegacyField, pkg/api/validation/ip.go parseCIDR):
 * what netutils.ParseCIDRSloppy refuses always; host bits set, leading zeros and an IPv4-mapped
 * address only with strict validation (the StrictIPCIDRValidation gate). The message of the last
 * two also says how the API server reads them without the gate (domain/legacy-cidr.ts). `read`:
 * the text as ParseCIDRSloppy reads it, undefined where it refuses it.
 */
function cidrFieldErrors(text: string, read: LegacyCidr | undefined, path: string): VerifyError[] {
  const nonStandard = read?.nonStandard;
  return cidrErrors(text).map((m) => ({
    path,
    message: `${JSON.stringify(text)}: ${m}${nonStandard && m !== HOST_BITS_SET ? `; ${nonStandardReading(nonStandard)}` : ''}`,
    ...(read ? { featureGate: STRICT_CIDR_GATE } : {}),
  }));
}

/**
 * ValidateIPBlock: both ends valid CIDRs; each except inside cidr with a longer prefix, as Go
 * compares ParseCIDRSloppy's net.IPNets: the mask lengths as written (Mask.Size()), and
 * `cidrIPNet.Contains(exceptCIDR.IP)`.
 */
function ipBlockErrors(block: Obj, path: string): VerifyError[] {
  if (typeof block.cidr !== 'string' || block.cidr === '') return [{ path: `${path}/cidr`, message: 'Required value' }];
  const outer = readLegacyCidr(block.cidr);
  const out: VerifyError[] = cidrFieldErrors(block.cidr, outer, `${path}/cidr`);
  if (!outer) return out;
  itemsOf(block.except).forEach((e, i) => {
    const p = `${path}/except/${i}`;
    const text = String(e);
    const inner = readLegacyCidr(text);
    out.push(...cidrFieldErrors(text, inner, p));
    if (!inner) return;
    if (!(inner.maskLength > outer.maskLength && cidrContains(outer.network, hostBlock(inner.network)))) out.push({ path: p, message: `${JSON.stringify(text)}: must be a strict subset of \`cidr\`` });
  });
  return out;
}

/** Go's `cidrIPNet.Contains(exceptCIDR.IP)`: the except's network address, as a block of itself. */
function hostBlock(c: Cidr): Cidr {
  return { family: c.family, base: c.base, prefix: ADDRESS_BITS[c.family] };
}

/** ValidateNetworkPolicyPeer. */
function peerErrors(peer: unknown, path: string): VerifyError[] {
  if (!isPlainObject(peer)) return [{ path, message: 'must specify a peer' }];
  const out: VerifyError[] = [];
  let n = 0;
  if (peer.podSelector !== undefined && peer.podSelector !== null) {
    n++;
    out.push(...labelSelectorErrors(peer.podSelector, `${path}/podSelector`));
  }
  if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null) {
    n++;
    out.push(...labelSelectorErrors(peer.namespaceSelector, `${path}/namespaceSelector`));
  }
  if (isPlainObject(peer.ipBlock)) {
    n++;
    out.push(...ipBlockErrors(peer.ipBlock, `${path}/ipBlock`));
  }
  if (n === 0) out.push({ path, message: 'must specify a peer' });
  else if (n > 1 && isPlainObject(peer.ipBlock)) out.push({ path, message: 'may not specify both ipBlock and another peer' });
  return out;
}

/** ValidateObjectMeta for a namespaced object named by ValidateNetworkPolicyName (a DNS subdomain). */
function metaErrors(meta: unknown): VerifyError[] {
  if (!isPlainObject(meta)) return [{ path: '/metadata/name', message: 'name or generateName is required' }];
  const out: VerifyError[] = [];
  if (typeof meta.name !== 'string' || meta.name === '') out.push({ path: '/metadata/name', message: 'name or generateName is required' });
  else out.push(...isDns1123Subdomain(meta.name).map((m) => ({ path: '/metadata/name', message: m })));
  if (meta.namespace !== undefined) out.push(...isDns1123Label(String(meta.namespace)).map((m) => ({ path: '/metadata/namespace', message: m })));
  out.push(...labelErrors(meta.labels, '/metadata/labels'));
  return out;
}

/** Ports and peers are shared between the rules and manifests of one recommendation: each is checked once. */
const shared = new SharedChecks();

/** The apiserver's own checks of a NetworkPolicy; [] for anything else. */
export function admissionErrorsKubernetes(manifest: unknown): VerifyError[] {
  if (!isNetworkPolicy(manifest)) return [];
  const m = manifest as unknown as Obj;
  const spec = isPlainObject(m.spec) ? m.spec : {};
  const out = metaErrors(m.metadata);
  out.push(...labelSelectorErrors(spec.podSelector, '/spec/podSelector'));
  for (const [dir, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    itemsOf(spec[dir]).forEach((rule, i) => {
      if (!isPlainObject(rule)) return;
      itemsOf(rule.ports).forEach((port, j) => {
        if (isPlainObject(port)) out.push(...shared.at(port, `/spec/${dir}/${i}/ports/${j}`, portErrors));
      });
      itemsOf(rule[field]).forEach((peer, j) => out.push(...shared.at(peer, `/spec/${dir}/${i}/${field}/${j}`, peerErrors)));
    });
  }
  const types = itemsOf(spec.policyTypes);
  if (types.length > 2) out.push({ path: '/spec/policyTypes', message: 'may not specify more than two policyTypes' });
  else
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') out.push({ path: `/spec/policyTypes/${i}`, message: `Unsupported value: ${JSON.stringify(t)}: supported values: "Ingress", "Egress"` });
    });
  return out;
}
