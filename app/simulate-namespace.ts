/**
 * A namespaced policy given to `simulate` without `metadata.namespace`: `kubectl apply` puts it in
 * the current context's namespace, which flowmatrix does not know. The simulators take it as in
 * `default` (the namespace of a request that names none, kubernetes.io "Namespaces"); this says
 * so, naming the manifest by where it sits, so that a policy meant for another namespace is not
 * read as deciding nothing there without a word.
 */
import { manifestId } from '../recommender/engines/manifest-id.ts';

/** The namespaced kinds the simulators read (`apiVersion Kind`, as decide.ts ENGINE_OF_KIND keys them). */
const NAMESPACED_KINDS = new Set([
  'networking.k8s.io/v1 NetworkPolicy',
  'cilium.io/v2 CiliumNetworkPolicy',
  'projectcalico.org/v3 NetworkPolicy',
  'projectcalico.org/v3 NetworkSet',
  'crd.projectcalico.org/v1 NetworkSet',
]);

/** The namespace the simulators take for a namespaced object that names none. */
export const ASSUMED_NAMESPACE = 'default';

/** One warning per namespaced manifest without a namespace; `where` is its place in the input (`document 2`, `items[0]`, `[1]`; `input` for a single object). */
export function namespaceAssumedWarnings(given: readonly { obj: unknown; where: string }[]): string[] {
  return given.flatMap(({ obj, where }) => {
    const o = (typeof obj === 'object' && obj !== null ? obj : {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown } };
    if (!NAMESPACED_KINDS.has(`${String(o.apiVersion)} ${String(o.kind)}`) || o.metadata?.namespace !== undefined) return [];
    return [
      `${where || 'input'} (${manifestId(obj)}): no metadata.namespace: simulated in namespace "${ASSUMED_NAMESPACE}"; ` +
        "kubectl apply would put it in the current context's namespace, which flowmatrix does not know: set metadata.namespace",
    ];
  });
}
