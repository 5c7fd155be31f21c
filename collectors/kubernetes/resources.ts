/**
 * What the Kubernetes collector reads: the one list the watcher and `collect --once` use, and that
 * deploy/kubernetes/rbac.yaml must grant exactly (a test checks). Every entry is listed and watched
 * cluster-wide (the ClusterRole), but one that reads one object alone (`only`: Cilium's
 * cilium-config), in its namespace (a Role there); optional ones only when discovery says the API
 * serves them.
 */
import { kindKey } from '../../domain/inventory.ts';
import { CILIUM_CONFIG } from '../inventory/cilium-config.ts';
import { CALICO_CRD_GROUP } from '../../domain/calico-crd.ts';
import { isNetworkSetKey } from '../../domain/calico-network-sets.ts';
import { isPolicyKey } from '../inventory/policies.ts';

export interface WatchedResource {
  /** API group, '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The resource name in URLs and RBAC rules. */
  plural: string;
  namespaced: boolean;
  /** A CRD or aggregated API that may be absent: watched only when discovery lists it. */
  optional: boolean;
  /** What the inventory misses when this optional resource is not served, said once by the watcher (none: nothing worth saying). */
  unservedNote?: string;
  /**
   * The one object read of this resource: listed and watched in its namespace with the field
   * selector `metadata.name=<name>` (fieldSelectorOf), which is what lets RBAC grant it alone by
   * `resourceNames`: "If you restrict list or watch by resourceName, clients must include a
   * metadata.name field selector in their list or watch request (that matches the specified
   * resourceName) in order to be authorized" (kubernetes.io/docs/reference/access-authn-authz/rbac/,
   * "Referring to resources").
   */
  only?: { namespace: string; name: string };
  /**
   * The resource (`globalnetworksets.projectcalico.org`) this one stands in for: watched only where
   * the API server does not serve that one (api.ts discover), which holds the same objects.
   */
  insteadOf?: string;
  /**
   * A version of an object that the converter refuses leaves the last good one in place (instead of
   * none): for configuration a component reads when it starts, which keeps running on what it read.
   */
  keepLastGood?: boolean;
}

/** The Calico kinds read through projectcalico.org/v3: kind, plural, namespaced. */
const CALICO_V3_KINDS: readonly (readonly [string, string, boolean])[] = [
  ['NetworkPolicy', 'networkpolicies', true],
  ['GlobalNetworkPolicy', 'globalnetworkpolicies', false],
  ['Tier', 'tiers', false],
  ['HostEndpoint', 'hostendpoints', false],
  ['FelixConfiguration', 'felixconfigurations', false],
  ['GlobalNetworkSet', 'globalnetworksets', false],
  ['NetworkSet', 'networksets', true],
];

const r = (group: string, version: string, kind: string, plural: string, namespaced: boolean, optional = false): WatchedResource => ({
  group,
  version,
  kind,
  plural,
  namespaced,
  optional,
});

/** In start order: the kinds owners resolve through come before the pods (the first snapshot waits for all anyway). */
export const RESOURCES: readonly WatchedResource[] = [
  r('', 'v1', 'Namespace', 'namespaces', false),
  r('', 'v1', 'Node', 'nodes', false),
  r('apps', 'v1', 'Deployment', 'deployments', true),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true),
  r('batch', 'v1', 'Job', 'jobs', true),
  r('batch', 'v1', 'CronJob', 'cronjobs', true),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', true),
  // Pod controllers of add-ons: Argo Rollouts, OpenShift DeploymentConfigs (collectors/inventory/controllers.ts).
  r('argoproj.io', 'v1alpha1', 'Rollout', 'rollouts', true, true),
  r('apps.openshift.io', 'v1', 'DeploymentConfig', 'deploymentconfigs', true, true),
  r('', 'v1', 'Pod', 'pods', true),
  r('', 'v1', 'Service', 'services', true),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true),
  // The Service IP ranges (GA in Kubernetes 1.33; absent before, or with the API off).
  {
    ...r('networking.k8s.io', 'v1', 'ServiceCIDR', 'servicecidrs', false, true),
    unservedNote:
      'the API server does not serve servicecidrs.networking.k8s.io (ServiceCIDR, Kubernetes 1.33 and later): the Service IP ranges are not known, so a flow to the ClusterIP of a Service flowmatrix never saw stays an outside address',
  },
  // The policies really applied, whatever the engine (drift and rollout compare against them).
  r('cilium.io', 'v2', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', true, true),
  r('cilium.io', 'v2', 'CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', false, true),
  r('projectcalico.org', 'v3', 'NetworkPolicy', 'networkpolicies', true, true),
  r('projectcalico.org', 'v3', 'GlobalNetworkPolicy', 'globalnetworkpolicies', false, true),
  r('projectcalico.org', 'v3', 'Tier', 'tiers', false, true),
  // What Calico polices a node's own traffic as, and the failsafe ports it keeps open there (collectors/inventory/host-endpoints.ts).
  r('projectcalico.org', 'v3', 'HostEndpoint', 'hostendpoints', false, true),
  r('projectcalico.org', 'v3', 'FelixConfiguration', 'felixconfigurations', false, true),
  // The labelled CIDR lists Calico rule selectors match (collectors/inventory/network-sets.ts).
  r('projectcalico.org', 'v3', 'GlobalNetworkSet', 'globalnetworksets', false, true),
  r('projectcalico.org', 'v3', 'NetworkSet', 'networksets', true, true),
  // Without the Calico API server, Calico's kinds are served only as its CRDs (Calico's own storage,
  // which calico-node enforces): the network sets are imported from there, the other kinds counted
  // and named by every verification, as `inventory import` does (collectors/inventory/policies.ts calicoCrdObjects).
  ...CALICO_V3_KINDS.map(([kind, plural, namespaced]) => ({ ...r(CALICO_CRD_GROUP, 'v1', kind, plural, namespaced, true), insteadOf: `${plural}.projectcalico.org` })),
  r('policy.networking.k8s.io', 'v1alpha2', 'ClusterNetworkPolicy', 'clusternetworkpolicies', false, true),
  r('policy.networking.k8s.io', 'v1alpha1', 'AdminNetworkPolicy', 'adminnetworkpolicies', false, true),
  r('policy.networking.k8s.io', 'v1alpha1', 'BaselineAdminNetworkPolicy', 'baselineadminnetworkpolicies', false, true),
  // Cilium's own settings (collectors/inventory/cilium-config.ts): never any other ConfigMap, which
  // may hold credentials. Optional: absent on a cluster without Cilium, and a collector whose older
  // RBAC lacks the Role runs on without it. The agent reads it when it starts: a value it refuses
  // stops a restarting agent, and the running ones keep the last good configuration.
  { ...r('', 'v1', 'ConfigMap', 'configmaps', true, true), only: CILIUM_CONFIG, keepLastGood: true },
];

export function apiVersionOf(res: Pick<WatchedResource, 'group' | 'version'>): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

/** `Pod`, `Deployment.apps`: the kind key the inventory converter files objects under. */
export function kindKeyOf(res: WatchedResource): string {
  return kindKey(apiVersionOf(res), res.kind);
}

/**
 * The kind keys of the optional resources kept with the applied policies (policy kinds and what
 * orders or completes them: tiers, host endpoints, network sets) that discovery found the API
 * server does not serve: no object of them can exist, so none is enforced. A pass is authoritative
 * for them with no object, so the policies an earlier pass stored (before the CRD was deleted) go,
 * as the watcher drops a resource that stops being served. A stand-in (`insteadOf`) is left out: it
 * is not read where the resource it stands in for is served.
 */
export function unservedPolicyKinds(wanted: readonly WatchedResource[], served: readonly WatchedResource[]): string[] {
  const names = new Set(served.map(resourceName));
  const unserved = wanted.filter((res) => res.optional && res.insteadOf === undefined && !names.has(resourceName(res)));
  return [...new Set(unserved.map(kindKeyOf).filter((k) => isPolicyKey(k) || isNetworkSetKey(k)))].sort();
}

/** `pods`, `deployments.apps`: how kubectl and RBAC messages name a resource. */
export function resourceName(res: Pick<WatchedResource, 'group' | 'plural'>): string {
  return res.group === '' ? res.plural : `${res.plural}.${res.group}`;
}

/** The collection URL path: cluster-wide (/api/v1/pods, /apis/apps/v1/deployments), or the namespace of its one object (/api/v1/namespaces/kube-system/configmaps). */
export function collectionPath(res: WatchedResource): string {
  const namespace = res.only ? `namespaces/${res.only.namespace}/` : '';
  return res.group === '' ? `/api/${res.version}/${namespace}${res.plural}` : `/apis/${res.group}/${res.version}/${namespace}${res.plural}`;
}

/** The field selector of every list and watch of `res`: its one object's name, if it reads one (WatchedResource.only). */
export function fieldSelectorOf(res: WatchedResource): string | undefined {
  return res.only ? `metadata.name=${res.only.name}` : undefined;
}
