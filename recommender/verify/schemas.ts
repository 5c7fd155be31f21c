/**
 * The JSON schemas of every kind flowmatrix emits (copied from the upstream CRDs/OpenAPI into
 * recommender/schemas/ so the product verifies without the reference tree), compiled once with
 * ajv and cached. `strict: false`: the Kubernetes schemas carry `x-kubernetes-*` keywords.
 * They are JSON module imports, so verifying reads no disk at run time.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import addFormatsModule from 'ajv-formats';
import { isCidr } from '../../domain/ip.ts';
import clusterNetworkPolicy from '../schemas/HEAD-standard-clusternetworkpolicy_policy.networking.k8s.io_v1alpha2.openAPIV3Schema.json' with { type: 'json' };
import ciliumClusterwideNetworkPolicy from '../schemas/datreeio-cilium.io-ciliumclusterwidenetworkpolicy_v2.schema.json' with { type: 'json' };
import ciliumNetworkPolicy from '../schemas/datreeio-cilium.io-ciliumnetworkpolicy_v2.schema.json' with { type: 'json' };
import calicoGlobalNetworkPolicy from '../schemas/globalnetworkpolicy_projectcalico.org_v3.openAPIV3Schema.json' with { type: 'json' };
import kubernetesNetworkPolicy from '../schemas/networkpolicy-networking.k8s.io-v1.standalone.schema.json' with { type: 'json' };
import calicoNetworkPolicy from '../schemas/networkpolicy_projectcalico.org_v3.openAPIV3Schema.json' with { type: 'json' };
import adminNetworkPolicy from '../schemas/v0.1.7-standard-adminnetworkpolicy_policy.networking.k8s.io_v1alpha1.openAPIV3Schema.json' with { type: 'json' };
import baselineAdminNetworkPolicy from '../schemas/v0.1.7-standard-baselineadminnetworkpolicy_policy.networking.k8s.io_v1alpha1.openAPIV3Schema.json' with { type: 'json' };

/** `apiVersion kind` → schema file in recommender/schemas/. */
export const SCHEMA_FILES: Readonly<Record<string, string>> = {
  'networking.k8s.io/v1 NetworkPolicy': 'networkpolicy-networking.k8s.io-v1.standalone.schema.json',
  'cilium.io/v2 CiliumNetworkPolicy': 'datreeio-cilium.io-ciliumnetworkpolicy_v2.schema.json',
  'cilium.io/v2 CiliumClusterwideNetworkPolicy': 'datreeio-cilium.io-ciliumclusterwidenetworkpolicy_v2.schema.json',
  'projectcalico.org/v3 NetworkPolicy': 'networkpolicy_projectcalico.org_v3.openAPIV3Schema.json',
  'projectcalico.org/v3 GlobalNetworkPolicy': 'globalnetworkpolicy_projectcalico.org_v3.openAPIV3Schema.json',
  'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy': 'HEAD-standard-clusternetworkpolicy_policy.networking.k8s.io_v1alpha2.openAPIV3Schema.json',
  // Never emitted; read as applied policies and by `simulate` (the API before ClusterNetworkPolicy).
  'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy': 'v0.1.7-standard-adminnetworkpolicy_policy.networking.k8s.io_v1alpha1.openAPIV3Schema.json',
  'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy': 'v0.1.7-standard-baselineadminnetworkpolicy_policy.networking.k8s.io_v1alpha1.openAPIV3Schema.json',
};

/** `apiVersion kind` → its schema (the content of SCHEMA_FILES' file). */
const SCHEMAS: Readonly<Record<string, object>> = {
  'networking.k8s.io/v1 NetworkPolicy': kubernetesNetworkPolicy,
  'cilium.io/v2 CiliumNetworkPolicy': ciliumNetworkPolicy,
  'cilium.io/v2 CiliumClusterwideNetworkPolicy': ciliumClusterwideNetworkPolicy,
  'projectcalico.org/v3 NetworkPolicy': calicoNetworkPolicy,
  'projectcalico.org/v3 GlobalNetworkPolicy': calicoGlobalNetworkPolicy,
  'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy': clusterNetworkPolicy,
  'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy': adminNetworkPolicy,
  'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy': baselineAdminNetworkPolicy,
};

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/**
 * The CRD patterns are Go (RE2) syntax; one-letter Unicode classes such as `\PC` must be
 * written `\P{C}` in JavaScript.
 */
const goRegExp: RegExpEngine = Object.assign((pattern: string, flags: string) => new RegExp(pattern.replace(/\\([pP])([A-Z])/g, '\\$1{$2}'), flags), {
  code: 'goRegExp',
});

/**
 * Two compilations of each schema: `full` reports every error (allErrors), `quick` stops at the
 * first. Why: the quick one validates a manifest in about half the time, and almost every
 * manifest verified is valid; the full one runs only on a manifest the quick one refuses, so
 * the errors reported are the same.
 */
type Mode = 'full' | 'quick' | 'defaults';
const instances: Partial<Record<Mode, Ajv>> = {};
const compiled: Record<Mode, Map<string, ValidateFunction>> = { full: new Map(), quick: new Map(), defaults: new Map() };

function instance(mode: Mode): Ajv {
  let ajv = instances[mode];
  if (!ajv) {
    // `unicode: false` for the quick check: see quickSchema.
    ajv = new Ajv({ strict: false, allErrors: mode === 'full', useDefaults: mode === 'defaults', unicode: mode !== 'quick', validateSchema: false, logger: false, code: { regExp: goRegExp } });
    addFormats(ajv);
    ajv.addFormat('cidr', { type: 'string', validate: isCidr });
    ajv.addFormat('int-or-string', true);
    ajv.addFormat('idn-hostname', true);
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    instances[mode] = ajv;
  }
  return ajv;
}

/**
 * The schema with unknown fields refused: every schema of type object that lists its `properties` and says
 * nothing of others gets `additionalProperties: false`, unless it keeps unknown fields
 * (`x-kubernetes-preserve-unknown-fields`). The API server refuses an unknown field under strict
 * field validation (kubectl's default since 1.27: `--validate=strict`) and otherwise prunes it
 * (a structural schema's pruning): either way it has no effect, so a policy that leans on one (an
 * ingress `networks` peer in an AdminNetworkPolicy, which only egress peers have) is not the
 * policy it reads as. A copy: the imported schema stays as upstream wrote it.
 *
 * The network-policy-api kinds are copies of the standard channel; the experimental channel's CRDs
 * add fields (egress `nodes` and `domainNames` peers, named ports) that a cluster with them accepts:
 * those fields are added with the experimental CRD's schema (EXPERIMENTAL_FIELDS), so that their
 * values are checked, and said to be refused by the standard channel apart (standardChannelErrors,
 * VerifyError.crdChannel); every other unknown field is refused.
 */
function strictFields(node: unknown, extra: ExperimentalFields = {}, path = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => strictFields(n, extra, path));
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    // `properties` maps field names to schemas; `enum` and `default` hold values, not schemas.
    if (k === 'properties' && typeof v === 'object' && v !== null) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strictFields(s, extra, `${path}/${name}`)]));
    else if (k === 'enum' || k === 'default' || k === 'example') out[k] = v;
    else out[k] = strictFields(v, extra, k === 'items' ? `${path}/*` : path);
  }
  if (o.type === 'object' && o.properties !== undefined && o.additionalProperties === undefined && o['x-kubernetes-preserve-unknown-fields'] !== true) {
    const added = extra[path];
    if (added !== undefined) out.properties = { ...(out.properties as object), ...Object.fromEntries(Object.entries(added).map(([name, s]) => [name, strictFields(s, {}, `${path}/${name}`)])) };
    out.additionalProperties = false;
  }
  return out;
}

/** Fields a channel adds, by where they sit (`*` an array item): field name → its schema. */
export type ExperimentalFields = Readonly<Record<string, Readonly<Record<string, object>>>>;

/**
 * `domainNames` (ClusterNetworkPolicyEgressPeer.DomainNames, `<network-policy-api:experimental>`) as
 * kubernetes-sigs/network-policy-api@066a9454c5585568d99b22723b847bcf13df6b41
 * config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml writes it: a wildcard
 * `*.` only as the whole first label (`*.*.example.com`, `*example.com` are refused), 1–25 names, a set.
 */
const DOMAIN_NAMES = {
  type: 'array',
  minItems: 1,
  maxItems: 25,
  'x-kubernetes-list-type': 'set',
  items: { type: 'string', pattern: '^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$' },
};
/** `nodes`: a LabelSelector, in that CRD the same schema as the `namespaces` peer beside it. */
const NODES = clusterNetworkPolicy.properties.spec.properties.egress.items.properties.to.items.properties.namespaces;

/**
 * `destinationNamedPort` (ClusterNetworkPolicyProtocol.DestinationNamedPort, a string): an
 * experimental-channel field since kubernetes-sigs/network-policy-api#392 ("Make NamedPort
 * experimental again", merged 2026-07-14), which restored the `<network-policy-api:experimental>`
 * marker ClusterNetworkPolicyPort.NamedPort had before the port rework (3a7295a) lost it. The
 * standard copy bundled here predates it and still lists the field: it is taken as the
 * experimental channel's (the standard channel's lacks it: standardChannelErrors).
 */
const PROTOCOL_FIELDS = clusterNetworkPolicy.properties.spec.properties.ingress.items.properties.protocols.items.properties;
const DESTINATION_NAMED_PORT = { destinationNamedPort: PROTOCOL_FIELDS.destinationNamedPort };

/**
 * Fields of the network-policy-api experimental channel: egress `nodes` and `domainNames` peers,
 * v1alpha2's `destinationNamedPort` and v1alpha1's `namedPort` (AdminNetworkPolicyPort.NamedPort,
 * `<network-policy-api:experimental>` in apis/v1alpha1/shared_types.go: a string).
 */
const EGRESS_PEERS_EXPERIMENTAL = { '/spec/egress/*/to/*': { nodes: NODES, domainNames: DOMAIN_NAMES } };
const NAMED_PORT = { namedPort: { type: 'string' } };
const V1ALPHA2_EXPERIMENTAL = { ...EGRESS_PEERS_EXPERIMENTAL, '/spec/ingress/*/protocols/*': DESTINATION_NAMED_PORT, '/spec/egress/*/protocols/*': DESTINATION_NAMED_PORT };
const V1ALPHA1_EXPERIMENTAL = { ...EGRESS_PEERS_EXPERIMENTAL, '/spec/ingress/*/ports/*': NAMED_PORT, '/spec/egress/*/ports/*': NAMED_PORT };
const EXPERIMENTAL_FIELDS: Readonly<Record<string, ExperimentalFields>> = {
  'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy': V1ALPHA2_EXPERIMENTAL,
  'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy': V1ALPHA1_EXPERIMENTAL,
  'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy': V1ALPHA1_EXPERIMENTAL,
};

/** The experimental channel's fields of a kind, by where they sit (`*`: an array item); none for a kind without channels. */
export function experimentalFieldsOf(apiVersion: string, kind: string): ExperimentalFields {
  return EXPERIMENTAL_FIELDS[`${apiVersion} ${kind}`] ?? {};
}

const prepared = new Map<string, object>();

/** A kind's schema as verified: unknown fields refused, the experimental channel's fields added (strictFields). */
function preparedSchema(id: string): object | undefined {
  const schema = SCHEMAS[id];
  if (!schema) return undefined;
  let p = prepared.get(id);
  if (!p) {
    // ajv would try to resolve the draft named by `$schema`; the module object itself stays untouched.
    p = strictFields(Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')), EXPERIMENTAL_FIELDS[id]) as object;
    prepared.set(id, p);
  }
  return p;
}

/**
 * The schema of a custom resource's kind, for the checks the API server runs on every custom
 * resource from its CRD's structural schema (list-types.ts); undefined for a built-in kind
 * (networking.k8s.io/v1 NetworkPolicy: Go code validates it, not its OpenAPI) or an unknown one.
 */
export function crdSchemaFor(apiVersion: string, kind: string): object | undefined {
  return apiVersion === 'networking.k8s.io/v1' ? undefined : preparedSchema(`${apiVersion} ${kind}`);
}

/** JSON Schema type names that no value has two of (`integer` is also a `number`). */
const typeNamesDisjoint = (types: readonly string[]): boolean => new Set(types).size === types.length && !(types.includes('integer') && types.includes('number'));

/**
 * The schema for the quick check, which only says whether a manifest passes (the errors reported
 * come from the full schema, untouched), so it may refuse more, never less. A copy, with:
 * - an `anyOf` or `oneOf` of bare types (`{type: integer}`, `{type: string}`: every int-or-string
 *   field — Calico's protocol and ports, a NetworkPolicy's port) written as the type list it
 *   means, `type: [integer, string]`. Why: for every branch a value does not take, ajv's code
 *   builds an error object with its path, only to drop it when another branch passes (each
 *   rule's protocol, each port); a type list builds none. The same values pass.
 * - string lengths counted in UTF-16 units (`unicode: false`), not in characters, which walks
 *   every name with a maxLength (each ClusterNetworkPolicy rule's). A string has at least as many
 *   units as characters: a maxLength the quick check passes, the full one passes; a minLength of
 *   0 or 1 (any string / a non-empty one) reads the same both ways, and a greater one would not,
 *   so none is taken.
 */
function quickSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(quickSchema);
  if (typeof node !== 'object' || node === null) return node;
  const min = (node as { minLength?: unknown }).minLength;
  if (typeof min === 'number' && min > 1) throw new Error(`minLength ${min}: the quick schema check counts UTF-16 units, which would pass a string of fewer characters`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'default' || k === 'example' ? v : quickSchema(v);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const types = bareTypes(out[k]);
    if (types !== undefined && out.type === undefined && typeNamesDisjoint(types)) {
      delete out[k];
      out.type = types;
    }
  }
  return out;
}

/** The type names of a list of schemas that each say only `type: <name>`, else undefined. */
function bareTypes(list: unknown): string[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const types: string[] = [];
  for (const s of list) {
    if (typeof s !== 'object' || s === null || Object.keys(s).length !== 1 || typeof (s as { type?: unknown }).type !== 'string') return undefined;
    types.push((s as { type: string }).type);
  }
  return types;
}

function compiledFor(mode: Mode, apiVersion: string, kind: string): ValidateFunction | undefined {
  const id = `${apiVersion} ${kind}`;
  const schema = preparedSchema(id);
  if (!schema) return undefined;
  let v = compiled[mode].get(id);
  if (!v) {
    v = instance(mode).compile(mode === 'quick' ? (quickSchema(schema) as object) : schema);
    compiled[mode].set(id, v);
  }
  return v;
}

/** The compiled validator for a kind (reporting every error), or undefined when flowmatrix has no schema for it. */
export function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  return compiledFor('full', apiVersion, kind);
}

/** The same schema's validator that stops at the first error: whether a manifest is valid, at about half the cost. */
export function quickValidatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  return compiledFor('quick', apiVersion, kind);
}

/**
 * The manifest as the API server of a custom resource stores it: a copy with the defaults of its
 * CRD's structural schema filled in (Calico's `spec.tier: default`, Cilium's ICMP `family:
 * IPv4`). Built-in kinds are defaulted by Go code, not by their schema (whose `default: ""`
 * entries are the OpenAPI generator's, no server default): a NetworkPolicy is returned as it is.
 */
export function withCrdDefaults(manifest: unknown): unknown {
  const m = manifest as { apiVersion?: unknown; kind?: unknown } | null;
  if (typeof m !== 'object' || m === null || m.apiVersion === 'networking.k8s.io/v1') return manifest;
  const fill = compiledFor('defaults', String(m.apiVersion), String(m.kind));
  if (!fill) return manifest;
  const copy = structuredClone(manifest);
  fill(copy);
  return copy;
}
