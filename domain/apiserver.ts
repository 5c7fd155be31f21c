/**
 * The one place that decides "is this the kube-apiserver". The apiserver is not a pod: it is the
 * `default/kubernetes` Service, which kube-apiserver itself creates and keeps
 * (kubernetes/kubernetes pkg/controlplane/controller/kubernetesservice/controller.go), with its
 * own addresses as endpoints on the endpoint port (usually 6443; the Service port is 443).
 * Post-DNAT a flow shows one of those endpoint addresses on that endpoint port.
 */
import type { ApiserverEndpoint, CurrentApiserverEndpoint, FormerApiserverEndpoint } from './inventory.ts';
import type { IpInterval } from './ip-history.ts';

export const APISERVER_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

/** The `default/kubernetes` Service, or its Endpoints / EndpointSlice / a flow record naming it. */
export function isApiserverService(namespace: string | undefined, name: string | undefined): boolean {
  return namespace === APISERVER_SERVICE.namespace && name === APISERVER_SERVICE.name;
}

/**
 * One of `ips` on `port` is an apiserver endpoint (an address of `default/kubernetes` on its
 * endpoint port). The same address on another port is not the apiserver: a control-plane node's
 * host-network agents share it.
 */
export function isApiserverAddress(endpoints: readonly ApiserverEndpoint[], ips: readonly string[], port: number | undefined): boolean {
  return port !== undefined && endpoints.some((e) => e.port === port && ips.includes(e.ip));
}

/**
 * `ip` on `port` was an apiserver endpoint at `time`: one of its former endpoints then, not yet a
 * pod's. `podSince`: when the pod holding the address at `time` started (the IP history), if a pod
 * holds it (formerEndpointHeld).
 */
export function wasApiserverAddress(former: readonly FormerApiserverEndpoint[], ip: string, port: number | undefined, time: number, podSince?: number): boolean {
  return port !== undefined && former.some((e) => e.port === port && e.ip === ip && formerEndpointHeld(e, time, podSince));
}

/**
 * A former endpoint held its address at `time`: from `validFrom` (or since ever) until the import
 * that no longer listed it — unless a pod holds the address at `time` from a start after the
 * endpoint was listed (any start, for one listed since ever): the pod took the address from the
 * apiserver then, as a pod's IP is its successor's from its start (domain/ip-history.ts
 * reconcileClaims), however late the import that saw the endpoint gone. A pod the history shows on
 * the address since before the endpoint was listed took nothing from it.
 */
function formerEndpointHeld(e: FormerApiserverEndpoint, time: number, podSince: number | undefined): boolean {
  if ((e.validFrom !== undefined && time < e.validFrom) || time >= e.validTo) return false;
  return podSince === undefined || (e.validFrom !== undefined && podSince < e.validFrom);
}

/** `ip` on `port` is a current endpoint listed by `time`: before, the address was whatever held it then (the IP history). */
export function isApiserverAddressAt(endpoints: readonly CurrentApiserverEndpoint[], ip: string, port: number | undefined, time: number): boolean {
  return port !== undefined && endpoints.some((e) => e.port === port && e.ip === ip && (e.since === undefined || e.since <= time));
}

/**
 * `ip` was one of the apiserver's addresses at `time`, on any port: a current endpoint listed by
 * then or a former one of that time, not yet a pod's (`podSince`, formerEndpointHeld). What the
 * apiserver sends as a client (webhook and aggregated API calls) comes from such an address, from any port.
 */
export function apiserverAddressAt(endpoints: readonly CurrentApiserverEndpoint[], former: readonly FormerApiserverEndpoint[], ip: string, time: number, podSince?: number): boolean {
  return endpoints.some((e) => e.ip === ip && (e.since === undefined || e.since <= time)) || former.some((e) => e.ip === ip && formerEndpointHeld(e, time, podSince));
}

/**
 * The apiserver may have held `ip` at `time` though no import listed it there yet: the first
 * import that lists an endpoint on `ip` after `time` (a current endpoint's `since`, a former one's
 * `validFrom`) may have found an address that passed to the apiserver at any moment since the last
 * one something else is known on it — a holder the IP history shows (`lastHeld`,
 * IpHistoryLookup.lastHeldBefore: a pod last seen there, on EKS, whose control plane takes its
 * addresses from the pods' subnets) or an import that no longer listed a former endpoint there —
 * and `time` is in between. No import saw that moment, as none sees when a Service's backends
 * change (store/service-backends.ts `changed_after`). False where the apiserver held the address
 * at `time` already (apiserverAddressAt), never listed it later, or nothing bounds when it took it
 * (no holder known before: the address may have been anybody's). `port`: an endpoint on that port.
 */
export function mayBeApiserverAddressAt(
  endpoints: readonly CurrentApiserverEndpoint[],
  former: readonly FormerApiserverEndpoint[],
  ip: string,
  port: number | undefined,
  time: number,
  lastHeld: (before: number) => number | undefined,
): boolean {
  if (apiserverAddressAt(endpoints, former, ip, time)) return false;
  const on = (e: ApiserverEndpoint) => e.ip === ip && (port === undefined || e.port === port);
  let listed: number | undefined;
  for (const e of endpoints) if (on(e) && e.since !== undefined && e.since > time && (listed === undefined || e.since < listed)) listed = e.since;
  for (const e of former) if (on(e) && e.validFrom !== undefined && e.validFrom > time && (listed === undefined || e.validFrom < listed)) listed = e.validFrom;
  if (listed === undefined) return false;
  let known = lastHeld(listed);
  for (const e of former) if (e.ip === ip && e.validTo <= listed && (known === undefined || e.validTo > known)) known = e.validTo;
  return known !== undefined && known <= time;
}

/** A time an address was an apiserver endpoint: from `validFrom` (absent: since ever) until `validTo` (absent: still). */
export interface ApiserverAddressPeriod {
  ip: string;
  validFrom?: number;
  validTo?: number;
}

/**
 * The nodes of `nodeIntervals` (IP history of `node:` holders) not in `present` that ran the
 * apiserver: one of their addresses was an apiserver endpoint while they held it. A control-plane
 * node replaced in an upgrade leaves its traffic in the stored edges; the apiserver calls it
 * carried (webhooks, aggregated APIs) now come from today's control-plane nodes. Sorted.
 */
export function formerControlPlaneNodes(nodeIntervals: readonly IpInterval[], periods: readonly ApiserverAddressPeriod[], present: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const iv of nodeIntervals) {
    if (iv.node === undefined || present.has(iv.node) || out.has(iv.node)) continue;
    const overlaps = periods.some(
      (p) => p.ip === iv.ip && (p.validFrom === undefined || iv.validTo === undefined || p.validFrom < iv.validTo) && (p.validTo === undefined || iv.validFrom < p.validTo),
    );
    if (overlaps) out.add(iv.node);
  }
  return [...out].sort();
}
