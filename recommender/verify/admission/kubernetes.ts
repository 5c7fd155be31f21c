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
import { lenientValue, parseLenientIp } from '../../../domain/ip.ts';

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
 * One CIDR field of an ipBlock (IsValidCIDRForLegacyField): host bits set are refused only with
 * the StrictIPCIDRValidation gate; the other problems always.
 */
function cidrFieldErrors(text: string, path: string): VerifyError[] {
  return cidrErrors(text).map((m) => ({ path, message: `${JSON.stringify(text)}: ${m}`, ...(m === HOST_BITS_SET ? { featureGate: STRICT_CIDR_GATE } : {}) }));
}

/** ValidateIPBlock: both ends valid CIDRs; each except inside cidr with a longer prefix. */
function ipBlockErrors(block: Obj, path: string): VerifyError[] {
  if (typeof block.cidr !== 'string' || block.cidr === '') return [{ path: `${path}/cidr`, message: 'Required value' }];
  const out: VerifyError[] = cidrFieldErrors(block.cidr, `${path}/cidr`);
  const outer = parseLoose(block.cidr);
  if (!outer) return out;
  itemsOf(block.except).forEach((e, i) => {
    const p = `${path}/except/${i}`;
    const text = String(e);
    out.push(...cidrFieldErrors(text, p));
    const inner = parseLoose(text);
    if (!inner) return;
    if (!(inner.v6 === outer.v6 && inner.prefix > outer.prefix && sameNetwork(outer, inner))) out.push({ path: p, message: `${JSON.stringify(text)}: must be a strict subset of \`cidr\`` });
  });
  return out;
}

interface Loose {
  v6: boolean;
  /** The address as 32 or 128 bits (host bits kept). */
  value: bigint;
  prefix: number;
}

/** Go's netutils.ParseCIDRSloppy: IPv4 octets read as decimal whatever their leading zeros. */
function parseLoose(text: string): Loose | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d+$/.test(text.slice(slash + 1))) return undefined;
  const prefix = Number(text.slice(slash + 1));
  const addr = text.slice(0, slash);
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (v4) {
    const o = v4.slice(1).map(Number);
    if (o.some((x) => x > 255) || prefix > 32) return undefined;
    return { v6: false, value: BigInt(o.reduce((a, x) => a * 256 + x, 0)), prefix };
  }
  const a = parseLenientIp(addr);
  if (a?.kind() !== 'ipv6' || prefix > 128) return undefined;
  return { v6: true, value: lenientValue(a), prefix };
}

/** Go's `cidrIPNet.Contains(exceptCIDR.IP)`: the except's network address lies in cidr. */
function sameNetwork(outer: Loose, inner: Loose): boolean {
  const bits = outer.v6 ? 128n : 32n;
  const shift = bits - BigInt(outer.prefix);
  const innerShift = bits - BigInt(inner.prefix);
  const innerNetwork = (inner.value >> innerShift) << innerShift;
  return outer.value >> shift === innerNetwork >> shift;
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
