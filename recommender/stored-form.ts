/**
 * A policy as its API server stores it, for comparing an applied policy with a recommended one:
 * what the server fills in when the author leaves it out is no difference.
 * - NetworkPolicy: Go defaulting in the API server (k8s.io/kubernetes pkg/apis/networking/v1
 *   defaults.go): a port's `protocol` is TCP; `policyTypes` is Ingress, plus Egress when the
 *   policy has egress rules.
 * - Calico: libcalico-go's clientv3 fills `types` on create and update (`defaultPolicyTypesField`,
 *   the simulator's `defaultTypes`), and the CRD schema's defaults (`spec.tier: default`). A rule's
 *   `source` and `destination` are EntityRule structs, not pointers (projectcalico/calico
 *   api/pkg/apis/projectcalico/v3 policy_common.go `Rule`), tagged `omitempty` before the API
 *   moved to `omitzero`: Go's encoder never omits a struct under omitempty, so the Calico API
 *   server lists a rule without one with `source: {}` / `destination: {}`, and a newer one omits
 *   an empty one. Both read the same: an empty EntityRule is absent here. Rule's and EntityRule's
 *   other structs (icmp, notICMP, http, metadata, services, serviceAccounts) are pointers,
 *   omitted when absent, and the policy specs hold no struct (networkpolicy.go,
 *   globalnetworkpolicy.go).
 * - Other custom resources (Cilium, ClusterNetworkPolicy): their CRD schema's defaults. The
 *   kube-apiserver stores a custom resource's JSON as sent, pruned to and defaulted by its schema
 *   (KEP-2332, KEP-575), never re-encoded through the project's Go types: an empty struct is
 *   listed back only where it was written.
 */
import { defaultTypes } from './simulate/calico/policies.ts';
import { withCrdDefaults } from './verify/schemas.ts';
import { isPlainObject } from '../domain/plain-object.ts';

type Obj = Record<string, unknown>;
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export function asStored(manifest: unknown): unknown {
  if (!isPlainObject(manifest) || !isPlainObject(manifest.spec)) return withCrdDefaults(manifest);
  if (manifest.apiVersion === 'networking.k8s.io/v1' && manifest.kind === 'NetworkPolicy') return { ...manifest, spec: networkPolicySpecAsStored(manifest.spec) };
  if (manifest.apiVersion === 'projectcalico.org/v3' && (manifest.kind === 'NetworkPolicy' || manifest.kind === 'GlobalNetworkPolicy')) {
    const spec = manifest.spec as Parameters<typeof defaultTypes>[0];
    return withCrdDefaults({ ...manifest, spec: calicoRulesAsStored({ ...manifest.spec, types: defaultTypes(spec) }) });
  }
  return withCrdDefaults(manifest);
}

const ENTITY_RULES = ['source', 'destination'] as const;

function calicoRulesAsStored(spec: Obj): Obj {
  const withoutEmptyEntities = (rule: unknown): unknown => {
    if (!isPlainObject(rule) || !ENTITY_RULES.some((k) => isEmptyObject(rule[k]))) return rule;
    const out: Obj = { ...rule };
    for (const k of ENTITY_RULES) if (isEmptyObject(out[k])) delete out[k];
    return out;
  };
  const out: Obj = { ...spec };
  if (Array.isArray(spec.ingress)) out.ingress = spec.ingress.map(withoutEmptyEntities);
  if (Array.isArray(spec.egress)) out.egress = spec.egress.map(withoutEmptyEntities);
  return out;
}

const isEmptyObject = (x: unknown): boolean => isPlainObject(x) && Object.keys(x).length === 0;

function networkPolicySpecAsStored(spec: Obj): Obj {
  const withProtocol = (rule: unknown): unknown =>
    isPlainObject(rule) && Array.isArray(rule.ports) ? { ...rule, ports: rule.ports.map((p) => (isPlainObject(p) && p.protocol === undefined ? { ...p, protocol: 'TCP' } : p)) } : rule;
  const out: Obj = { ...spec };
  if (Array.isArray(spec.ingress)) out.ingress = spec.ingress.map(withProtocol);
  if (Array.isArray(spec.egress)) out.egress = spec.egress.map(withProtocol);
  if (list(spec.policyTypes).length === 0) out.policyTypes = list(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return out;
}
