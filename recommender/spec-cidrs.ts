/**
 * The CIDRs of a policy spec as the blocks they are, for drift (drift.ts): an API server stores a
 * CIDR as written, so an applied `FD00:1:0::10/128` is listed back so while flowmatrix writes
 * `fd00:1::10/128`; both match the same addresses. Each CIDR field is replaced by the canonical
 * text of the block its engine matches (host bits cleared, IPv6 compressed, lower case); text the
 * reading refuses is left as written (the API server would have refused it too).
 * - NetworkPolicy `ipBlock.cidr` / `except`: netutils.ParseCIDRSloppy, as the API server reads it
 *   (leading zeros decimal, host bits cleared: domain/legacy-cidr.ts; IsValidCIDRForLegacyField
 *   accepts both with a warning unless StrictIPCIDRValidation, KEP-4858).
 * - Cilium `toCIDR` / `fromCIDR` (an address is its host block: CIDR.Validate, rule_validation.go)
 *   and `toCIDRSet` / `fromCIDRSet` `cidr` / `except`, in allow and deny rules.
 * - Calico `source` / `destination` `nets` / `notNets` (cnet.ParseCIDR; strictly masked by
 *   validateIPNetwork, so only the spelling can differ).
 * - ClusterNetworkPolicy `networks` (CRD rule `isCIDR(self)`: netip.ParsePrefix, host bits allowed).
 * The simulators read the blocks the same way (a range match masks the address).
 */
import { formatCidr, parseCidr, parseCidrOrIp, type Cidr } from '../domain/ip.ts';
import { parseLegacyCidr } from '../domain/legacy-cidr.ts';
import { isPlainObject } from '../domain/plain-object.ts';

type Obj = Record<string, unknown>;
type Read = (text: string) => Cidr | undefined;

/** The spec with each CIDR of `apiVersion` / `kind` written as its block; the spec itself for other kinds. */
export function withCidrsAsBlocks(apiVersion: string, kind: string, spec: unknown): unknown {
  switch (`${apiVersion}|${kind}`) {
    case 'networking.k8s.io/v1|NetworkPolicy':
      return listed(spec, NETWORK_POLICY_RULES, (rule) => listed(rule, ['from', 'to'], (peer) => at(peer, 'ipBlock', (b) => cidrSet(b, parseLegacyCidr))));
    case 'cilium.io/v2|CiliumNetworkPolicy':
    case 'cilium.io/v2|CiliumClusterwideNetworkPolicy':
      return ciliumRules(spec);
    case 'projectcalico.org/v3|NetworkPolicy':
    case 'projectcalico.org/v3|GlobalNetworkPolicy':
      return listed(spec, ['ingress', 'egress'], (rule) => {
        let out = rule;
        for (const side of ['source', 'destination']) out = at(out, side, (entity) => blocks(blocks(entity, 'nets', parseCidr), 'notNets', parseCidr));
        return out;
      });
    case 'policy.networking.k8s.io/v1alpha2|ClusterNetworkPolicy':
      return listed(spec, ['ingress', 'egress'], (rule) => listed(rule, ['from', 'to'], (peer) => blocks(peer, 'networks', parseCidr)));
    default:
      return spec;
  }
}

const NETWORK_POLICY_RULES = ['ingress', 'egress'];
const CILIUM_RULES = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];

/** A Cilium policy's rule (its spec): the CIDR peers of each of its ingress and egress rules. */
function ciliumRules(rule: unknown): unknown {
  return listed(rule, CILIUM_RULES, (r) => {
    let out = r;
    for (const field of ['toCIDR', 'fromCIDR']) out = blocks(out, field, parseCidrOrIp);
    return listed(out, ['toCIDRSet', 'fromCIDRSet'], (set) => cidrSet(set, parseCidr));
  });
}

/** An object with `cidr` and `except` (an ipBlock, a CIDRRule). */
function cidrSet(x: unknown, read: Read): unknown {
  if (!isPlainObject(x)) return x;
  const out: Obj = { ...x };
  if (typeof x.cidr === 'string') out.cidr = block(x.cidr, read);
  return blocks(out, 'except', read);
}

const block = (text: string, read: Read): string => {
  const c = read(text);
  return c === undefined ? text : formatCidr(c);
};

/** `x` with the strings of its list `field` written as blocks. */
function blocks(x: unknown, field: string, read: Read): unknown {
  if (!isPlainObject(x) || !Array.isArray(x[field])) return x;
  return { ...x, [field]: x[field].map((c: unknown) => (typeof c === 'string' ? block(c, read) : c)) };
}

/** `x` with its object `field` mapped. */
function at(x: unknown, field: string, f: (v: unknown) => unknown): unknown {
  return isPlainObject(x) && field in x ? { ...x, [field]: f(x[field]) } : x;
}

/** `x` with every item of its lists `fields` mapped. */
function listed(x: unknown, fields: readonly string[], f: (v: unknown) => unknown): unknown {
  if (!isPlainObject(x)) return x;
  const out: Obj = { ...x };
  for (const k of fields) if (Array.isArray(x[k])) out[k] = x[k].map(f);
  return out;
}
