/**
 * The kubelet's probes (`kubelet:<node>` edges: the kubelet, and host-network pods on the pod's
 * node) at the pod they reach. Every plugin lets a pod's own node in whatever the policy
 * (Kubernetes "Network Policies": "traffic to and from the node where a Pod is running is always
 * allowed"; Calico does not police host → endpoint) — but Cilium not always:
 * - where the cilium-config sets `allow-localhost: policy` the agent adds the local host's allow
 *   to a pod's policy only when `AlwaysAllowLocalhost()` (cilium/cilium pkg/policy mapstate.go
 *   determineAllowLocalhostIngress; pkg/option config.go: false for `policy`), so what isolates
 *   the pod's ingress cuts its probes unless a rule lets the `host` entity in;
 * - under `auto` (`always` under Kubernetes) or `always` it adds that allow beneath the deny
 *   rules (older releases insert it with DenyPreferredInsert; current ones as a priority-0 allow,
 *   which a deny of the same priority outranks: pkg/policy/types NewMapStateEntry adds
 *   PrecedenceDeny), and "Deny policies take precedence over allow policies" (docs.cilium.io
 *   security/policy/deny): an ingressDeny matching the local host (the `host`, `cluster` or `all`
 *   entity, a CIDR of its node's addresses under `policy-cidr-match-mode: nodes`) cuts the probes.
 * So the probe is judged at the pod wherever the verifying simulator is Cilium's, which decides
 * both. Cilium enforces NetworkPolicies as rules of the same repository
 * (simulate/index.ts ciliumWithNetworkPolicies), so this holds for a `kubernetes` recommendation
 * on Cilium too; a ClusterNetworkPolicy Cilium converts into rules that never deny by default
 * (pkg/policy/k8s ParseClusterNetworkPolicy sets `DefaultDeny = false` on each), and whose
 * `namespaces`/`pods` peers select pods only, so it cuts no probe there.
 */
import { cidrMatchesNodes, localHostUnderPolicy } from '../../domain/inventory.ts';
import type { EngineName } from '../engines/types.ts';
import type { SimCluster, Simulator } from '../simulate/types.ts';

/** Whether `sim` judges a kubelet probe at its pod: it is Cilium's (under any `allow-localhost`: see above). */
export function judgesProbeAtPod(sim: Simulator | undefined): boolean {
  return sim?.engine === 'cilium';
}

/** What a finding on a probe cut at its pod says of it (its reason's end). */
export function probeAtPodNote(node: string, cluster: Pick<SimCluster, 'ciliumPolicy'>): string {
  const probe = `; the kubelet's probe of the pod from its own node ${node} (host-network pods there too)`;
  if (!localHostUnderPolicy(cluster.ciliumPolicy)) {
    return `${probe}: Cilium lets the local host into its pods (allow-localhost), but a deny rule wins over the local host's allow (pkg/policy mapstate.go determineAllowLocalhostIngress adds it beneath the deny entries), and the pod is restarted or never ready`;
  }
  return `${probe}: the cilium-config sets allow-localhost: policy, so Cilium lets the local host into a pod only where a rule allows it (pkg/policy mapstate.go determineAllowLocalhostIngress), and the pod is restarted or never ready`;
}

/** How the recommended policies of `engine` let the probe in: what a blocked probe's reason ends with. */
export function probeWayOut(engine: EngineName, cluster: Pick<SimCluster, 'ciliumPolicy'>): string {
  // Without `policy` only a deny rule cuts the probe (above).
  if (!localHostUnderPolicy(cluster.ciliumPolicy)) {
    return `; narrow the deny rule so it does not match the local host (the host, cluster or all entity${cidrMatchesNodes(cluster.ciliumPolicy) ? ", a CIDR holding the node's address: the cilium-config sets policy-cidr-match-mode: nodes" : ''})`;
  }
  if (engine === 'cilium') return '; allow the host entity (fromEntities: host), or set allow-localhost: always in the cilium-config';
  if (engine !== 'kubernetes') return '; or set allow-localhost: always in the cilium-config';
  if (cidrMatchesNodes(cluster.ciliumPolicy)) {
    return "; a NetworkPolicy cannot name the local host, and the kubernetes engine writes an ipBlock of every node's addresses on the probed ports (which Cilium matches against it under the cilium-config's policy-cidr-match-mode: nodes) only into the policy of a workload whose ingress it restricts, where a node address is known: use the cilium engine (fromEntities: host), or set allow-localhost: always";
  }
  return '; a NetworkPolicy cannot name the local host: use the cilium engine (fromEntities: host), or set policy-cidr-match-mode: nodes in the cilium-config and import the inventory again (Cilium then matches an ipBlock of the node addresses against the local host, and the kubernetes engine writes one on the probed ports), or set allow-localhost: always';
}
