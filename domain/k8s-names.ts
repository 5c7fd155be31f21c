/**
 * Kubernetes' own rules for names and labels, as k8s.io/apimachinery writes them
 * (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go:
 * IsDNS1123Label, IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue, IsValidPortName). Each check answers
 * undefined when the value is valid, else one sentence saying what the rule is, so that an
 * ingest reject can name the field, the value and the rule together.
 *
 * Which rule applies where (kubernetes/kubernetes pkg/apis/core/validation/validation.go):
 * namespaces are DNS-1123 labels (ValidateNamespaceName); pods, nodes, Services' backends and
 * the workload controllers are DNS-1123 subdomains (ValidatePodName, ValidateNodeName,
 * apps ValidateDeploymentName …); a Service name is a DNS-1035 label, which a DNS-1123 label
 * accepts a superset of. A container port's name and a Service's named targetPort are IANA
 * service names (validateContainerPorts, validateServicePort: IsValidPortName).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** A Kind: an upper-camel-case Go identifier (Deployment, ReplicaSet, …). */
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;

export function dns1123LabelError(value: string): string | undefined {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    return "must be a DNS-1123 label: at most 63 lowercase alphanumeric characters or '-', starting and ending with an alphanumeric character";
  }
  return undefined;
}

/** IsValidPortName: at most 15 lowercase alphanumerics or '-', with a letter, no '--' and no '-' at either end (RFC 6335). */
export function ianaServiceNameError(value: string): string | undefined {
  if (value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')) {
    return "must be an IANA service name: 1-15 lowercase alphanumerics or '-', with a letter, no '--', starting and ending with an alphanumeric";
  }
  return undefined;
}

export function dns1123SubdomainError(value: string): string | undefined {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return "must be a DNS-1123 subdomain: at most 253 lowercase alphanumeric characters, '-' or '.', each dot-separated part starting and ending with an alphanumeric character";
  }
  return undefined;
}

/** A label key: `[prefix/]name`, prefix a DNS-1123 subdomain, name a qualified name of at most 63 characters. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || dns1123SubdomainError(prefix) !== undefined)) {
    return 'must be a label key: its prefix (before "/") must be a DNS-1123 subdomain';
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "must be a label key: [prefix/]name, the name at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character";
  }
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return "must be a label value: empty, or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character";
  }
  return undefined;
}

export function kindError(kind: string): string | undefined {
  return KIND.test(kind) ? undefined : 'must be an object kind: an upper-case letter then at most 62 letters or digits';
}

/** The first key or value of `labels` that breaks the rules, with the rule, or undefined. */
export function labelsError(labels: Readonly<Record<string, string>>): { key: string; message: string } | undefined {
  for (const [k, v] of Object.entries(labels)) {
    const keyError = labelKeyError(k);
    if (keyError) return { key: k, message: `key ${keyError}` };
    const valueError = labelValueError(v);
    if (valueError) return { key: k, message: `value ${valueError}` };
  }
  return undefined;
}
