/**
 * The Kubernetes apiserver's syntax checks that a JSON schema does not carry, as
 * k8s.io/apimachinery writes them: pkg/util/validation/validation.go (IsQualifiedName,
 * IsValidLabelValue, IsDNS1123Subdomain, IsDNS1123Label, IsValidPortNum, IsValidPortName),
 * pkg/apis/meta/v1/validation/validation.go (ValidateLabelSelector, ValidateLabels) and
 * pkg/api/validation/ip.go (IsValidCIDRForLegacyField with strict validation). Each returns
 * messages (empty = valid), worded like upstream.
 */
import { pointerToken } from '../json-pointer.ts';
import type { VerifyError } from '../types.ts';
import { memoByText } from '../../text-memo.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';
import { isIpv4Mapped, prefixMask, type IpAddress } from '../../../domain/ip.ts';
import { hasLeadingZero, readDottedQuad } from '../../../domain/legacy-cidr.ts';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  return errs;
}

export function isDns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  return errs;
}

/** IsQualifiedName: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 characters. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character with an optional DNS subdomain prefix and '/'"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** IsValidPortName: an IANA_SVC_NAME (RFC 6335 §5.1). */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length < 1 || name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** The refusal of a CIDR with host bits set, which only strict validation makes. */
export const HOST_BITS_SET = 'must not have bits set beyond the prefix length';
/**
 * KEP-4858 (kubernetes/enhancements keps/sig-network/4858-ip-cidr-validation): the gate that
 * turns the warnings of legacy IP/CIDR fields into refusals, off by default until beta.
 */
export const STRICT_CIDR_GATE = 'StrictIPCIDRValidation';

/**
 * IsValidCIDRForLegacyField with strict validation (the StrictIPCIDRValidation behaviour
 * for new objects): a CIDR Go's netip.ParsePrefix accepts — no leading zeros in the address
 * or the prefix length —, not an IPv4-mapped IPv6 address, no bits set beyond the prefix.
 * By text, for the whole process: emitted policies repeat the same blocks in many rules.
 */
export const cidrErrors: (value: string) => readonly string[] = memoByText((value) => Object.freeze(cidrSyntaxErrors(value)), 100_000);

function cidrSyntaxErrors(value: string): string[] {
  const slash = value.indexOf('/');
  if (slash < 0) return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  const addr = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d+$/.test(prefixText)) return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  const prefix = Number(prefixText);
  // A dotted quad as ParseCIDRSloppy reads it: what netip refuses of it beyond that is its leading zeros.
  const v4 = readDottedQuad(addr);
  if (v4) {
    if (prefix > 32) return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
    if (v4.leadingZeros || hasLeadingZero(prefixText)) return ['must not have leading 0s in IP or prefix length'];
    return hostBitsErrors({ family: 4, value: v4.value }, prefix);
  }
  const v6Read = parseIpv6(addr);
  if (!v6Read || prefix > 128) return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  // parseCIDR asks netip.ParsePrefix first: its refusal (leading zeros, here also in an embedded
  // IPv4, which netip's parseIPv6 reads with parseIPv4) is reported before IPv4-mapped.
  if (v6Read.leadingZeros || hasLeadingZero(prefixText)) return ['must not have leading 0s in IP or prefix length'];
  const v6: IpAddress = { family: 6, value: v6Read.groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
  if (isIpv4Mapped(v6)) return ['must not have an IPv4-mapped IPv6 address'];
  return hostBitsErrors(v6, prefix);
}

/** netip's `prefix.Addr() != prefix.Masked().Addr()`. */
function hostBitsErrors(address: IpAddress, prefix: number): string[] {
  return (address.value & prefixMask(address.family, prefix)) === address.value ? [] : [HOST_BITS_SET];
}

/** An IPv6 address as ParseIPSloppy reads it: its groups, and whether an embedded IPv4 tail has a leading 0. */
function parseIpv6(text: string): { groups: number[]; leadingZeros: boolean } | undefined {
  let t = text;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  let tail: number[] = [];
  let leadingZeros = false;
  if (v4tail?.[1]) {
    const quad = readDottedQuad(v4tail[1]);
    if (!quad) return undefined;
    tail = [Number(quad.value >> 16n), Number(quad.value & 0xffffn)];
    leadingZeros = quad.leadingZeros;
    t = t.slice(0, -v4tail[1].length);
    if (t.endsWith(':') && !t.endsWith('::')) t = t.slice(0, -1);
  }
  const parts = t.split('::');
  if (parts.length > 2) return undefined;
  const hex = (s: string): number[] | undefined => {
    if (s === '') return [];
    const gs = s.split(':');
    if (gs.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return gs.map((g) => parseInt(g, 16));
  };
  const head = hex(parts[0]!);
  const rest = parts.length === 2 ? hex(parts[1]!) : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (parts.length === 1) return known === 8 ? { groups: [...head, ...tail], leadingZeros } : undefined;
  if (known > 7) return undefined;
  return { groups: [...head, ...Array<number>(8 - known).fill(0), ...rest, ...tail], leadingZeros };
}

/** ValidateLabels: keys are qualified names, values label values. */
export function labelErrors(labels: unknown, path: string): VerifyError[] {
  if (!isPlainObject(labels)) return [];
  const out: VerifyError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const keyErrors = isQualifiedName(k);
    const valueErrors = isValidLabelValue(String(v));
    if (keyErrors.length === 0 && valueErrors.length === 0) continue;
    const p = `${path}/${pointerToken(k)}`;
    for (const m of keyErrors) out.push({ path: p, message: `label key ${JSON.stringify(k)}: ${m}` });
    for (const m of valueErrors) out.push({ path: p, message: `label value ${JSON.stringify(v)}: ${m}` });
  }
  return out;
}

/** ValidateLabelSelector (AllowInvalidLabelValueInSelector false, as for new objects). */
export function labelSelectorErrors(selector: unknown, path: string): VerifyError[] {
  if (!isPlainObject(selector)) return [];
  const out = labelErrors(selector.matchLabels, `${path}/matchLabels`);
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  exprs.forEach((e, i) => {
    if (!isPlainObject(e)) return;
    const p = `${path}/matchExpressions/${i}`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) out.push({ path: `${p}/values`, message: "must be specified when `operator` is 'In' or 'NotIn'" });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) out.push({ path: `${p}/values`, message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        break;
      default:
        out.push({ path: `${p}/operator`, message: `Unsupported value: ${JSON.stringify(e.operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist"` });
    }
    for (const m of isQualifiedName(String(e.key ?? ''))) out.push({ path: `${p}/key`, message: m });
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(String(v))) out.push({ path: `${p}/values/${j}`, message: m });
    });
  });
  return out;
}

/**
 * CEL `isCIDR` (k8s.io/apiserver/pkg/cel/library/cidr.go parseCIDR): Go's netip.ParsePrefix
 * — no leading zeros —, no IPv4-mapped IPv6 address; host bits may be set.
 */
export function celIsCidr(value: string): boolean {
  return cidrErrors(value).every((m) => m === HOST_BITS_SET);
}
