/**
 * Ids of rules that only observed edges evidence (no matrix documents them). An id must be
 * stable (same edge set → same id, whatever the input order), readable, unique within a policy
 * and short enough that a ClusterNetworkPolicy rule name (`<status> <id>`, at most 100
 * characters) never needs truncating: at most 78 characters, whatever the status.
 *
 *   edge:<client>|<server>|<port>|<protocol>              one edge, when that fits in 78 characters
 *   observed:<direction>:<ports>:<n>-edge(s):<digest>     otherwise
 *   observed:<direction>:<ICMP|ICMPv6>-echo:<n>-edge(s):<digest>   an ICMP echo rule's (no port)
 *
 * A rule the recommendation adds itself, that neither a matrix nor an observed edge backs, is
 * named by what it is (`impliedRuleId`):
 *
 *   implied:<direction>:<kind>[:<ports>]                  `dns`, `apiserver` (no ports: rendered on its endpoint ports), `dynamic-peers`, `istio-xds`
 *
 * `<ports>` is the rule's ports grouped by protocol (`TCP/80,443+UDP/53`, `any` for every port,
 * `apiserver` for an egress rule to the apiserver, which is rendered on its endpoint ports);
 * a list too long for the limit ends in `+<k>-more`. `<digest>` is 8 hex digits: the sum modulo
 * 2^32 of the FNV-1a (32-bit, over UTF-8) hashes of the rule's edge keys, the `key` of each edge
 * in the rule's evidence in `recommend --output json` (`<client>|<server>|<port>|<protocol>`).
 * A sum does not depend on order, and the rules of a shared policy add up their members' sums.
 * Direction and ports already tell the observed rules of one policy direction apart (synthesis
 * groups by port set); the digest keeps truncated port lists apart and ties the id to its edges.
 */
import { POLICY_RULE_STATUSES, type Direction, type PortSpec } from '../policy/ir.ts';
import { portKey, uniqueSortedBy } from '../policy/order.ts';

/** The ClusterNetworkPolicy rule-name limit (`spec.ingress[].name`, `spec.egress[].name`). */
const RULE_NAME_LIMIT = 100;
/** 78: an id leaves room for `<status> ` in the rule name, the longest status included. */
export const MAX_OBSERVED_ID = RULE_NAME_LIMIT - Math.max(...POLICY_RULE_STATUSES.map((s) => s.length)) - 1;

/** What an observed rule's id is made of; kept so that a shared rule can combine its members'. */
export interface ObservedId {
  direction: Direction;
  /** An egress rule to the apiserver (`<ports>` is `apiserver`). */
  apiserver: boolean;
  /** The rule's ports, sorted. */
  ports: readonly PortSpec[];
  count: number;
  /** Sum of the edge-key hashes, modulo 2^32. */
  digest: number;
  /** The `edge:` id of the edge when `count` is 1. */
  single?: string;
}

function portText(p: PortSpec): string {
  switch (p.kind) {
    case 'all':
      return 'any';
    case 'number':
      return String(p.port);
    case 'range':
      return `${p.start}-${p.end}`;
    case 'named':
      return p.name;
  }
}

function renderPorts(ports: readonly PortSpec[], n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const p = ports[i]!;
    out += i === 0 ? `${p.protocol}/${portText(p)}` : p.protocol !== ports[i - 1]!.protocol ? `+${p.protocol}/${portText(p)}` : `,${portText(p)}`;
  }
  return n < ports.length ? `${out}+${ports.length - n}-more` : out;
}

/**
 * `<ports>` within `budget` characters: ports in their (sorted) order, grouped by protocol — the
 * longest prefix of the list whose rendering (with its `+<k>-more`) fits. Linear in the number of
 * ports: the length of every prefix is summed once, then the fitting one is rendered once (one
 * pod talking to 64k ports of one peer used to render each prefix anew, quadratically).
 */
export function portsLabel(ports: readonly PortSpec[], budget: number): string {
  if (ports.length === 0) return 'any';
  if (ports.length === 1) {
    const p = ports[0]!;
    const one = `${p.protocol}/${portText(p)}`;
    if (one.length <= budget) return one;
  }
  // prefix[n]: the length of renderPorts(ports, n) without its `+<k>-more` tail.
  const prefix = new Array<number>(ports.length + 1);
  prefix[0] = 0;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    const text = portText(p).length;
    const sep = i === 0 ? p.protocol.length + 1 : p.protocol !== ports[i - 1]!.protocol ? p.protocol.length + 2 : 1;
    prefix[i + 1] = prefix[i]! + sep + text;
  }
  for (let n = ports.length; n >= 1; n--) {
    const tail = n < ports.length ? `+${ports.length - n}-more`.length : 0;
    if (prefix[n]! + tail <= budget) return renderPorts(ports, n);
  }
  return `${ports.length}-ports`;
}

/** A hex digit's character code. */
function hexDigit(n: number, shift: number): number {
  const d = (n >>> shift) & 15;
  return d < 10 ? 48 + d : 87 + d;
}

/** 8 lowercase hex digits (as `toString(16).padStart(8, '0')`, without going through a double). */
function hex8(n: number): string {
  return String.fromCharCode(hexDigit(n, 28), hexDigit(n, 24), hexDigit(n, 20), hexDigit(n, 16), hexDigit(n, 12), hexDigit(n, 8), hexDigit(n, 4), hexDigit(n, 0));
}

function tail(count: number, digest: number): string {
  return `:${count}-edge${count === 1 ? '' : 's'}:${hex8(digest)}`;
}

/** The id: `edge:<key>` for one edge when it fits, else the `observed:` form. */
export function observedRuleId(o: ObservedId): string {
  if (o.count === 1 && o.single !== undefined && o.single.length <= MAX_OBSERVED_ID) return o.single;
  const head = `observed:${o.direction}:`;
  const end = tail(o.count, o.digest);
  return head + (o.apiserver ? 'apiserver' : portsLabel(o.ports, MAX_OBSERVED_ID - head.length - end.length)) + end;
}

/**
 * The id of an ICMP echo rule only observed edges evidence: `edge:<key>` for one edge when it
 * fits, else `observed:<direction>:<protocol>-echo:<n>-edge(s):<digest>` (ICMP has no port).
 */
export function echoRuleId(direction: Direction, protocol: 'ICMP' | 'ICMPv6', count: number, digest: number, single?: string): string {
  if (count === 1 && single !== undefined && single.length <= MAX_OBSERVED_ID) return single;
  return `observed:${direction}:${protocol}-echo${tail(count, digest)}`;
}

/**
 * Why the recommendation adds a rule of its own: `dns`, DNS is always allowed when egress is
 * restricted; `apiserver`, the cluster DNS watches the apiserver; `dynamic-peers`, a matrix's
 * dynamic-peers exception opens the direction; `istio-xds`, an Istio proxy's configuration and
 * certificates from istiod (both ends).
 */
export type ImpliedKind = 'apiserver' | 'dns' | 'dynamic-peers' | 'istio-xds';

/**
 * `implied:<direction>:<kinds>[:<ports>]`: the same for the same rule on every workload (an
 * implied rule has no edges to tell it apart, and needs none: a policy direction holds one rule
 * per port set), kinds sorted and joined by `+`, at most 78 characters like the observed ids.
 */
export function impliedRuleId(direction: Direction, kinds: readonly ImpliedKind[], ports: readonly PortSpec[], apiserver: boolean): string {
  const head = `implied:${direction}:${[...new Set(kinds)].sort().join('+')}`;
  return apiserver ? head : `${head}:${portsLabel(uniqueSortedBy(ports, portKey), MAX_OBSERVED_ID - head.length - 1)}`;
}

/** The members of a shared rule (disjoint edge sets: one workload each) as one. */
export function combineObserved(members: readonly ObservedId[]): ObservedId | undefined {
  const [first] = members;
  if (first === undefined) return undefined;
  if (members.length === 1) return first;
  let count = 0;
  let digest = 0;
  for (const m of members) {
    count += m.count;
    digest = (digest + m.digest) >>> 0;
  }
  return { direction: first.direction, apiserver: first.apiserver, ports: first.ports, count, digest };
}
