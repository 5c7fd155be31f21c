/**
 * Which Cilium build enforces the ClusterNetworkPolicies, and so how, and how it resolves egress
 * port names (EgressNamedPortReading): known from the image of its agent (the kube-system `cilium`
 * DaemonSet's `cilium-agent` container, collectors/inventory/cilium-agent.ts).
 *
 * Two conversions of a ClusterNetworkPolicy into Cilium rules exist in cilium/cilium's history
 * (pkg/k8s/cluster_network_policy.go ParseClusterNetworkPolicy):
 * - `tiered`: `tier := types.Admin` (`types.Baseline` for `spec.tier: Baseline`), the policy's
 *   priority, `actionToVerdict` giving Allow, Deny or Pass; the policy engine orders the tiers Admin,
 *   Normal (Cilium's own and the Kubernetes policies), Baseline (pkg/policy/types/policyentry.go
 *   `type Tier`, PR #42896 "Add support for tiers and pass verdicts"; PR #44509 for L7 rules).
 *   Cilium documents the support from 1.20 on (Documentation/network/kubernetes/policy.rst:
 *   "Support for the Kubernetes ClusterNetworkPolicy (KCNP) is available starting with Cilium 1.20").
 * - `untiered`: the first one, on main only before those (PR #42338: "Support for rule priorities
 *   and pass rules will be provided in a future PR"): "TODO: Implement support for rule
 *   priorities" — tier and priority ignored; `Deny: deny` makes every Deny rule a plain Cilium
 *   deny rule, which wins over every allow (NetworkPolicies' too), and Accept and Pass rules plain
 *   allow rules (`DefaultDeny = false`: they isolate nothing).
 * No release tag is known to ship the untiered one; a build the inventory shows no release of (no
 * agent image, a digest only, a dev or pre-release tag, a release before 1.20) may.
 */

export type ClusterNetworkPolicyReading = 'tiered' | 'untiered';

/** The first Cilium release that documents ClusterNetworkPolicy support, with its tiers. */
const TIERED_FROM: readonly [number, number] = [1, 20];

/** `quay.io/cilium/cilium:v1.20.1@sha256:…` → `v1.20.1`; undefined without a tag (a digest only). */
export function imageTag(image: string): string | undefined {
  const named = image.split('@')[0]!;
  const lastPart = named.slice(named.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  return colon < 0 ? undefined : lastPart.slice(colon + 1);
}

/** A release tag (`v1.20.1`, `1.20.1`) as [major, minor]; undefined for anything else (`v1.20.0-pre.2`, `latest`, a commit). */
function releaseOf(tag: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The agent image's release as [major, minor]; undefined where it names none. */
function releaseOfImage(image: string | undefined): [number, number] | undefined {
  const tag = image === undefined ? undefined : imageTag(image);
  return tag === undefined ? undefined : releaseOf(tag);
}

const atLeast = ([major, minor]: readonly [number, number], [fromMajor, fromMinor]: readonly [number, number]): boolean => major > fromMajor || (major === fromMajor && minor >= fromMinor);

/** Whether the agent image is a release known to enforce ClusterNetworkPolicies in tiers (1.20 or later). */
export function enforcesTiers(image: string | undefined): boolean {
  const release = releaseOfImage(image);
  return release !== undefined && atLeast(release, TIERED_FROM);
}

/**
 * How the agent resolves a port name in an egress rule (its own rules, the NetworkPolicies and
 * ClusterNetworkPolicies it converts, which keep the name: pkg/k8s/network_policy.go parsePorts,
 * ParseClusterNetworkPolicy `{Port: name, Protocol: ANY}`):
 * - `pod-network`: over the named ports of every pod on the pod network, the one number they all
 *   give the name, none where they disagree, that number then open to every peer the rule selects
 *   (pkg/policy/types NamedPortMultiMap.GetNamedPort: ErrDuplicateNamedPorts). Releases up to 1.19:
 *   1.19.0 (2026-02-04) predates the change below.
 * - `destination`: per destination identity, the number that identity's pods give the name, and
 *   since an endpoint's named ports are part of its identity, the destination pod's own (PR #44429
 *   "Resolve named ports for egress policies based on destination identities", merged for 1.20;
 *   PR #45760 "Named ports identity label": `gen:io.cilium.k8s.named-ports`, `GetNamedPorts`, a
 *   wildcard destination "expanded to per-identity policies without adding a wildcard identity
 *   policy"). An address that is no pod, or a host-network pod, gives no name a number.
 */
export type EgressNamedPortReading = 'pod-network' | 'destination';

/** The first release that resolves egress port names on the destination. */
const DESTINATION_NAMED_PORTS_FROM: readonly [number, number] = [1, 20];

/**
 * The readings a build with this agent image may apply to egress port names: one for a release,
 * both for a build of no release shown (an edge is then allowed only where both allow it).
 */
export function egressNamedPortReadings(image: string | undefined): readonly EgressNamedPortReading[] {
  const release = releaseOfImage(image);
  if (release === undefined) return ['pod-network', 'destination'];
  return atLeast(release, DESTINATION_NAMED_PORTS_FROM) ? ['destination'] : ['pod-network'];
}

/**
 * The readings a build with this agent image may apply: the tiered one for a release known to
 * have it; both otherwise (an edge is then allowed only where both allow it).
 */
export function clusterNetworkPolicyReadings(image: string | undefined): readonly ClusterNetworkPolicyReading[] {
  return enforcesTiers(image) ? ['tiered'] : ['tiered', 'untiered'];
}

/** What the inventory shows of an agent that is no release, in a warning's words (agentImageShown, before the release check). */
export function unreleasedAgentShown(image: string | undefined): string | undefined {
  if (image === undefined) return 'the inventory shows no Cilium agent image (import the kube-system cilium DaemonSet: its cilium-agent image tag is the version)';
  const tag = imageTag(image);
  if (tag === undefined) return `the Cilium agent image ${image} names no version, only a digest (a tag such as v1.20.1 beside the digest makes it exact)`;
  if (releaseOf(tag) === undefined) return `the Cilium agent image tag ${tag} is no release (a dev or pre-release build)`;
  return undefined;
}

/** What the inventory shows of the agent's version, in a warning's words. */
export function agentImageShown(image: string | undefined): string {
  return unreleasedAgentShown(image) ?? `the Cilium agent image tag ${imageTag(image!)} is a release before 1.20, the first that documents ClusterNetworkPolicy support`;
}
