/**
 * Which namespaces an applied cluster-scoped policy's subject (the pods it applies to) is limited
 * to, read from the subject itself, whatever the policy's name or annotations say: a namespace's
 * drift must not offer to delete a policy other namespaces' traffic also depends on.
 */
import type { LabelSelector } from '../domain/inventory.ts';
import { selectorLimits } from '../domain/label-selector.ts';
import { isPlainObject } from '../domain/plain-object.ts';
import { CALICO_LABEL_NAME, CALICO_LABEL_NAMESPACE } from './engines/wire/calico.ts';
import { POD_NAMESPACE_LABEL } from './engines/wire/cilium.ts';
import { NAMESPACE_NAME_LABEL } from './simulate/kubernetes/cluster-view.ts';
import { selectorLimitsOf } from './simulate/calico/selector.ts';
import { splitKey } from './simulate/cilium/labels.ts';

/**
 * The namespaces the subject of a cluster-scoped policy is limited to, sorted; undefined when it
 * may select pods of any namespace (or other endpoints: hosts), or its kind is not one read here.
 */
export function subjectNamespaces(manifest: unknown): string[] | undefined {
  if (!isPlainObject(manifest) || !isPlainObject(manifest.spec)) return undefined;
  switch (`${String(manifest.apiVersion)}|${String(manifest.kind)}`) {
    case 'cilium.io/v2|CiliumClusterwideNetworkPolicy':
      return ciliumSubjectNamespaces(manifest.spec);
    case 'projectcalico.org/v3|GlobalNetworkPolicy':
      return calicoSubjectNamespaces(manifest.spec);
    case 'policy.networking.k8s.io/v1alpha2|ClusterNetworkPolicy':
      return clusterNetworkPolicySubjectNamespaces(manifest.spec);
    default:
      return undefined;
  }
}

/**
 * cilium/cilium pkg/policy/api rule.go: a rule applies to the endpoints its `endpointSelector`
 * selects (a `nodeSelector` rule to nodes); a CCNP holds one rule in `spec` and more in `specs`.
 * Every pod carries its namespace as `k8s:io.kubernetes.pod.namespace`; a selector key without a
 * source reads any source (pkg/labels).
 */
function ciliumSubjectNamespaces(spec: Record<string, unknown>): string[] | undefined {
  const rules = [...('endpointSelector' in spec || 'nodeSelector' in spec ? [spec] : []), ...(Array.isArray(spec.specs) ? spec.specs : [])];
  if (rules.length === 0) return undefined;
  const each = rules.map((r) => (isPlainObject(r) ? labelSelectorLimits(r.endpointSelector, isCiliumNamespaceKey) : undefined));
  return union(each);
}

function isCiliumNamespaceKey(raw: string): boolean {
  const { source, key } = splitKey(raw);
  return key === POD_NAMESPACE_LABEL && (source === 'k8s' || source === 'any');
}

/**
 * Calico GlobalNetworkPolicy reference: it "applies to workload endpoint resources in all
 * namespaces, and to host endpoint resources"; its `namespaceSelector` selects namespaces by their
 * labels, `projectcalico.org/name` the namespace's name, and its `selector` may name the namespace
 * as `projectcalico.org/namespace` (both default to every endpoint: all()).
 */
function calicoSubjectNamespaces(spec: Record<string, unknown>): string[] | undefined {
  const byNamespace = typeof spec.namespaceSelector === 'string' ? selectorLimitsOf(spec.namespaceSelector, CALICO_LABEL_NAME) : undefined;
  const bySelector = typeof spec.selector === 'string' ? selectorLimitsOf(spec.selector, CALICO_LABEL_NAMESPACE) : undefined;
  if (byNamespace === undefined || bySelector === undefined) return byNamespace ?? bySelector;
  return byNamespace.filter((n) => bySelector.includes(n));
}

/**
 * kubernetes-sigs/network-policy-api ClusterNetworkPolicySubject: `namespaces` (every pod of the
 * namespaces it selects) or `pods` (`namespaceSelector` and `podSelector`); a namespace's name is its
 * `kubernetes.io/metadata.name` label.
 */
function clusterNetworkPolicySubjectNamespaces(spec: Record<string, unknown>): string[] | undefined {
  const subject = spec.subject;
  if (!isPlainObject(subject)) return undefined;
  const isNameKey = (key: string): boolean => key === NAMESPACE_NAME_LABEL;
  if ('namespaces' in subject) return labelSelectorLimits(subject.namespaces, isNameKey);
  if (isPlainObject(subject.pods)) return labelSelectorLimits(subject.pods.namespaceSelector, isNameKey);
  return undefined;
}

/** selectorLimits of a selector as an applied manifest holds it (not validated: an unreadable one limits nothing). */
function labelSelectorLimits(selector: unknown, isKey: (key: string) => boolean): string[] | undefined {
  if (!isPlainObject(selector)) return undefined;
  const matchLabels = isPlainObject(selector.matchLabels) ? Object.fromEntries(Object.entries(selector.matchLabels).filter(([, v]) => typeof v === 'string')) : {};
  const matchExpressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRequirement) : [];
  return selectorLimits({ matchLabels, matchExpressions } as LabelSelector, isKey);
}

function isRequirement(e: unknown): e is NonNullable<LabelSelector['matchExpressions']>[number] {
  return isPlainObject(e) && typeof e.key === 'string' && typeof e.operator === 'string' && (e.values === undefined || (Array.isArray(e.values) && e.values.every((v) => typeof v === 'string')));
}

/** The namespaces of any of the rules, when each is limited. */
function union(each: readonly (string[] | undefined)[]): string[] | undefined {
  if (each.some((n) => n === undefined)) return undefined;
  return [...new Set(each.flatMap((n) => n!))].sort();
}
