/**
 * Manifest names derived from stable keys: DNS-1123 labels (lowercase alphanumerics and '-',
 * starting and ending alphanumeric, ≤ 63 chars). When a key has to be shortened or altered,
 * a short hash of the original key keeps distinct keys distinct.
 */
import { createHash } from 'node:crypto';
import { WORKLOAD_KINDS } from '../../domain/peer.ts';

export const MAX_NAME = 63;
const HASH_LEN = 8;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LEN);
}

/**
 * What is appended to a workload's policy name for its other policies: its `exposed` and `dns`
 * intents (`ns/kind/name/exposed` → `ns-kind-name-exposed`) and the ClusterNetworkPolicy isolation
 * policy (`…-isolation`). A workload whose own name ends so would take another workload's name —
 * `web-isolation`'s allowlist is `web`'s isolation — and, the two exported apart (`--workload`),
 * applying one would replace the other: such a workload's name carries the hash of its key.
 */
const DERIVED_SUFFIX = /-(exposed|dns|isolation)$/;

/** The kinds of workload keys as synthesis writes them (`ns/deployment/name`). */
const WORKLOAD_KIND_KEYS: ReadonlySet<string> = new Set(WORKLOAD_KINDS.map((k) => k.toLowerCase()));

/** A namespace or workload name that reads the same once cleaned: no `.` (`web.v2` would be `web-v2`), no `--`. */
const PLAIN_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * A workload intent's key (`ns/kind/name`, `ns/kind/name/suffix`) whose name another workload's
 * key could also clean to: a name ending like a derived policy's, or a namespace or name with
 * `.` or `--` (`shop/pod/web.v2` and `shop/pod/web-v2` would both be `shop-pod-web-v2`).
 */
const ambiguousWorkloadKey = (key: string): boolean => {
  const parts = key.toLowerCase().split('/');
  if ((parts.length !== 3 && parts.length !== 4) || !WORKLOAD_KIND_KEYS.has(parts[1]!)) return false;
  return !PLAIN_NAME.test(parts[0]!) || !PLAIN_NAME.test(parts[2]!) || (parts.length === 3 && DERIVED_SUFFIX.test(parts[2]!));
};

/**
 * A cluster-scoped name (ClusterNetworkPolicy) of a namespace's key (a workload's `ns/kind/name`,
 * the namespace's `ns/default-deny` and `ns/shared`): `ns-…` is one string for two keys only where
 * one namespace holds a workload kind as a later segment (`shop-pod` + `pod/x` and `shop` +
 * `pod/pod-x` are both `shop-pod-pod-x`; `x-pod-y` + `default-deny` and `x` + `pod/y-default-deny`
 * both `x-pod-y-default-deny`; within one namespace the kind word tells them apart), or where a
 * namespace holds `--` (a DNS label may: `x--y/shared` cleans to `x-y/shared`'s name): such a
 * namespace's names carry their key's hash. A cluster-wide layer's key: clusterWideName.
 */
export function clusterPolicyName(key: string, max = MAX_NAME): string {
  checkLimit(max);
  const parts = key.toLowerCase().split('/');
  return kindInNamespace(parts) || !PLAIN_NAME.test(parts[0]!) ? hashedName(key, cleaned(key), max) : policyName(key, max);
}

const kindInNamespace = (parts: readonly string[]): boolean => parts.length >= 2 && parts[0]!.split('-').slice(1).some((s) => WORKLOAD_KIND_KEYS.has(s));

/**
 * The name a cluster-wide layer's key had before clusterWideName (flowmatrix releases up to
 * bca0aaf): clusterPolicyName as it was then, hashed only for a kind word in the first segment.
 * Only to recognise a policy applied from such an export (drift.ts `renamed`).
 */
export function formerClusterWideName(key: string, max = MAX_NAME): string {
  checkLimit(max);
  return kindInNamespace(key.toLowerCase().split('/')) ? hashedName(key, cleaned(key), max) : policyName(key, max);
}

/** The hash sharedIntentKey (policy/ir.ts) ends a key with, as one segment: not repeated in the name, which carries the whole key's. */
const LIST_HASH_SEGMENT = new RegExp(`/[0-9a-f]{${HASH_LEN}}(?=/|$)`);

/**
 * A cluster-scoped name (ClusterNetworkPolicy) of a cluster-wide layer's key
 * (`cluster/shared/<ns>+<ns>…`, and its derived `…/isolation`): the cleaned key and, always, the
 * hash of the key. Cleaned alone it would be any namespace's name too: `cluster/shared/a+shared`
 * and namespace `cluster-shared-a`'s `shared` are both `cluster-shared-a-shared`, and
 * `cluster/shared/b+pod+z` is workload `cluster-shared-b/pod/z`'s name.
 *
 * Why no two keys of one export share a name now: a cluster-wide name ends in `-<hash of its
 * key>`, so two cluster-wide keys share one only if their 8-hex-digit hashes do. A namespace's
 * name (clusterPolicyName) ends in a hash only where it is hashed — of its own, different key —
 * and otherwise in `shared`, `default-deny`, `isolation`, `exposed`, `dns` (no hex digits) or a
 * workload's own name: equal to a cluster-wide name only through a hash collision, or for a
 * workload named after the very hash of a cluster-wide key of that export. Namespace names among
 * themselves: clusterPolicyName.
 */
export function clusterWideName(key: string, max = MAX_NAME): string {
  checkLimit(max);
  return hashedName(key, cleaned(key.replace(LIST_HASH_SEGMENT, '')), max);
}

/** `key` → a DNS-1123 label of at most `max` chars, identical for identical keys. */
export function policyName(key: string, max = MAX_NAME): string {
  checkLimit(max);
  const clean = cleaned(key);
  if (clean.length > 0 && clean.length <= max && !ambiguousWorkloadKey(key)) return clean;
  return hashedName(key, clean, max);
}

function checkLimit(max: number): void {
  if (max < HASH_LEN + 2) throw new Error(`name length limit ${max} is too small`);
}

/** Lowercase alphanumerics and single '-': every other run of characters becomes one '-'. */
function cleaned(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The cleaned key (`clean`), cut to leave room for the hash of the key, and that hash. */
function hashedName(key: string, clean: string, max: number): string {
  const room = max - HASH_LEN - 1;
  const head = clean.slice(0, room).replace(/-+$/g, '');
  return head ? `${head}-${shortHash(key)}` : `p-${shortHash(key)}`;
}

/**
 * The name of the `index`-th (0-based) piece of a split policy: `base--<n>`. Every other name is a
 * cleaned key, which never holds `--`, so a piece never takes another policy's name: with `-<n>`,
 * `web`'s second piece would be workload `web-1`'s own allowlist (cluster-scoped, one object per
 * name: applying one replaces the other). A base too long for the suffix is cut and carries its
 * hash, so two bases cut alike stay apart.
 */
export function chunkName(base: string, index: number, max = MAX_NAME): string {
  const suffix = `--${index + 1}`;
  if (base.length + suffix.length <= max) return `${base}${suffix}`;
  checkLimit(max - suffix.length);
  return `${hashedName(base, base, max - suffix.length)}${suffix}`;
}
