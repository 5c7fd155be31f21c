/**
 * Policies of one rule as YAML, the text `simulate` reads, for the tests that judge flows under a
 * single rule: a Cilium entities rule, a NetworkPolicy egress ipBlock, an Admin ClusterNetworkPolicy
 * Deny.
 */

/** What a CiliumNetworkPolicy of one entities rule says. */
export interface EntitiesRule {
  name: string;
  namespace: string;
  /** The `app` label of the pods the policy selects. */
  app: string;
  direction: 'egress' | 'ingress';
  /** The entities as the list's YAML items, e.g. `host, remote-node`. */
  entities: string;
  port: number;
}

/** The CiliumNetworkPolicy letting the `app` pods to (egress) or from (ingress) `entities` on TCP `port`. */
export function ciliumEntitiesPolicy(r: EntitiesRule): string {
  const entitiesKey = r.direction === 'egress' ? 'toEntities' : 'fromEntities';
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${r.name}, namespace: ${r.namespace}}
spec:
  endpointSelector: {matchLabels: {app: ${r.app}}}
  ${r.direction}:
  - ${entitiesKey}: [${r.entities}]
    toPorts: [{ports: [{port: "${r.port}", protocol: TCP}]}]
`;
}

/** What a NetworkPolicy of one egress ipBlock rule says. */
export interface IpBlockEgressRule {
  name: string;
  namespace: string;
  /** The `app` label of the pods the policy selects. */
  app: string;
  cidr: string;
  port: number;
}

/** The NetworkPolicy letting the `app` pods out to the ipBlock `cidr` only, on TCP `port`. */
export function ipBlockEgressPolicy(r: IpBlockEgressRule): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${r.name}, namespace: ${r.namespace}}
spec:
  podSelector: {matchLabels: {app: ${r.app}}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: ${r.cidr}}}]
    ports: [{protocol: TCP, port: ${r.port}}]
`;
}

/** What an Admin-tier ClusterNetworkPolicy of one Deny rule on `networks` says, its subject every namespace. */
export interface AdminDenyRule {
  name: string;
  /** The rule's own name. */
  rule: string;
  /** The CIDR the rule denies egress to. */
  network: string;
}

/** The ClusterNetworkPolicy (tier Admin, priority 10) denying every namespace's egress to `network`. */
export function adminDenyEgressPolicy(r: AdminDenyRule): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${r.name}}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
  - action: Deny
    name: ${r.rule}
    to: [{networks: [${r.network}]}]
`;
}
