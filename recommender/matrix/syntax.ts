/** Checks of the small syntaxes a matrix embeds: label selectors, CIDRs, FQDNs, port names, `${parameter}` templates. */
import { isIPv4, isIPv6 } from 'node:net';
import { formatCidr, hostCidr, parseCidr, parseIp } from '../../domain/ip.ts';
import { ianaServiceNameError } from '../../domain/k8s-names.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TEMPLATE_REF = /\$\{([^}]*)\}/g;
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** A label key: optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'label key prefix must be a DNS subdomain';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'label key name must be 1-63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric';
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return 'label value must be at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric';
  }
  return undefined;
}

export function cidrProblem(cidr: string): string | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return 'CIDR needs a prefix length (a.b.c.d/n or x::/n)';
  const addr = cidr.slice(0, slash);
  const bitsText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return 'CIDR prefix length must be a number';
  const bits = Number(bitsText);
  if (isIPv4(addr)) return bits <= 32 ? hostBitsProblem(cidr, addr) : 'IPv4 prefix length must be 0-32';
  if (isIPv6(addr)) return bits <= 128 ? (ipv4MappedProblem(addr, bits) ?? hostBitsProblem(cidr, addr)) : 'IPv6 prefix length must be 0-128';
  return 'not an IPv4 or IPv6 address';
}

/**
 * An address with bits set past the prefix (`10.0.0.5/8`) is most likely a host written with the
 * wrong length, and no engine reads it as one: Calico refuses it in `nets` (libcalico-go
 * validateIPNetwork, the \`net\` tag of EntityRule.Nets), Kubernetes refuses it in an ipBlock under
 * StrictIPCIDRValidation (KEP-4858) and otherwise reads it as the network (ParseCIDRSloppy), as
 * Cilium's CIDR selectors and a ClusterNetworkPolicy's `networks` (`isCIDR` only) do: the whole /8.
 */
function hostBitsProblem(cidr: string, addr: string): string | undefined {
  const block = parseCidr(cidr);
  const address = parseIp(addr);
  if (block === undefined || address === undefined || address.value === block.base) return undefined;
  return `host bits set: ${cidr} is the block ${formatCidr(block)}; write ${formatCidr(block)} for the block, or ${hostCidr(addr)} for the one address`;
}

/**
 * An IPv4-mapped IPv6 block (`::ffff:10.60.0.0/112`) is the IPv4 block under another name:
 * Kubernetes refuses it in an ipBlock (k8s.io/utils/net strict parsing, see
 * verify/admission/k8s-syntax.ts), and flows are stored with the IPv4 address (domain/ip.ts
 * `storedAddress`), which an IPv6 block in Calico or Cilium never matches.
 */
function ipv4MappedProblem(addr: string, bits: number): string | undefined {
  const c = parseCidr(`${addr}/${bits}`);
  if (c === undefined || parseIp(addr)!.value >> 32n !== 0xffffn) return undefined;
  const v4 = bits >= 96 ? ` (${formatCidr({ family: 4, base: c.base & 0xffff_ffffn, prefix: bits - 96 })})` : '';
  return `an IPv4-mapped IPv6 block: write the IPv4 block${v4}; the engines refuse it or never match it`;
}

/** A DNS name as Cilium `toFQDNs` takes it: lowercase labels, optionally a leading `*.` wildcard. */
export function fqdnProblem(name: string): string | undefined {
  const wildcard = name.startsWith('*.');
  const bare = wildcard ? name.slice(2) : name;
  const trimmed = bare.endsWith('.') ? bare.slice(0, -1) : bare;
  if (trimmed.length === 0 || trimmed.length > 253) return 'FQDN must be 1-253 characters';
  // A name under the domain is one label and a dot longer: past 251 characters none fits DNS's 253.
  if (wildcard && trimmed.length > 251) return '"*." and its domain must be at most 253 characters: no name under a longer domain fits the DNS limit';
  const labels = trimmed.split('.');
  if (labels.length < 2) return 'FQDN needs at least two labels (name.domain)';
  for (const l of labels) if (!isDnsLabel(l)) return `FQDN label "${l}" must be lowercase alphanumerics and "-"`;
  return undefined;
}

/** A role's DNS name pattern (`recognize.names`): an FQDN whose labels may hold `*` (one or more characters, dots included). */
export function namePatternProblem(pattern: string): string | undefined {
  if (!pattern.includes('*')) return fqdnProblem(pattern);
  if (pattern.length > 253) return 'pattern must be at most 253 characters';
  if (!/^[a-z0-9*.-]+$/.test(pattern)) return 'pattern must be lowercase alphanumerics, "-", "." and "*"';
  if (pattern.includes('**')) return 'pattern must not hold "**"';
  if (pattern.split('.').some((l) => l.length === 0)) return 'pattern must not hold an empty label';
  return undefined;
}

const patterns = new Map<string, RegExp>();

/** `name` answers to the pattern: `*` stands for one or more characters, dots included. */
export function namePatternMatches(pattern: string, name: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^${pattern.toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.+')}$`);
    patterns.set(pattern, re);
  }
  return re.test(canonicalDnsName(name));
}

export function portNameProblem(name: string): string | undefined {
  const error = ianaServiceNameError(name);
  return error === undefined ? undefined : `port name ${error}`;
}

/** Names referenced as `${name}`, or an error for an unterminated reference. */
export function templateRefs(text: string): { refs: string[]; problem?: string } {
  const refs = [...text.matchAll(TEMPLATE_REF)].map((m) => m[1] ?? '');
  const stripped = text.replace(TEMPLATE_REF, '');
  if (stripped.includes('${')) return { refs, problem: 'unterminated "${" in template' };
  return { refs };
}

/** `${name}` as the whole string: a value taken from one parameter. */
export function wholeRef(text: string): string | undefined {
  const m = /^\$\{([^}]*)\}$/.exec(text);
  return m ? m[1] : undefined;
}

export function substitute(text: string, lookup: (name: string) => string | undefined): string | undefined {
  let missing = false;
  const out = text.replace(TEMPLATE_REF, (_, name: string) => {
    const v = lookup(name);
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}
