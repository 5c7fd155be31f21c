/**
 * The metadata a flow record carries about its endpoints (namespaces, pod, owner, node and
 * Service names, pod labels, DNS names) checked by Kubernetes' rules before it becomes part of a
 * peer key: a name with '/', a NUL or markup would otherwise be stored and break every later
 * read. A failure names the record field, the value and the rule.
 */
import { dns1123LabelError, dns1123SubdomainError, kindError, labelKeyError, labelValueError } from '../../domain/k8s-names.ts';
import { reject, type Decoded } from './decode.ts';

export type NameRule = 'namespace' | 'name' | 'kind' | 'service' | 'dns-name';

/** A DNS name as resolvers hand them out (`api.example.com.`), or a wildcard pattern seen in DNS policy. */
const DNS_NAME = /^(\*\.)?[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?)*\.?$/;

function ruleError(rule: NameRule, value: string): string | undefined {
  switch (rule) {
    case 'namespace':
      return dns1123LabelError(value);
    case 'service':
      return dns1123LabelError(value);
    case 'name':
      return dns1123SubdomainError(value);
    case 'kind':
      return kindError(value);
    case 'dns-name':
      return value.length <= 254 && DNS_NAME.test(value) ? undefined : 'must be a DNS name: dot-separated labels of letters, digits, "-" and "_", at most 253 characters';
  }
}

/**
 * Values already found valid, per rule. Whether a value keeps a rule depends on the value alone,
 * and records repeat the same few names millions of times: a Set lookup replaces the regular
 * expressions. Only valid values are kept (a bad one is checked, and rejected, every time), and
 * past VALID_LIMIT a Set starts afresh, so a stream of made-up names cannot grow it (issue 14).
 */
const VALID_LIMIT = 10_000;
const valid: Record<NameRule, Set<string>> = { namespace: new Set(), name: new Set(), kind: new Set(), service: new Set(), 'dns-name': new Set() };

/** A reject naming `field` when `value` breaks `rule`, else undefined. */
export function checkName(field: string, value: string, rule: NameRule): Decoded | undefined {
  const known = valid[rule];
  if (known.has(value)) return undefined;
  const error = ruleError(rule, value);
  if (error !== undefined) return reject('invalid-field', field, value, `${field} ${error}`);
  if (known.size >= VALID_LIMIT) known.clear();
  known.add(value);
  return undefined;
}

export function checkLabel(field: string, key: string, value: string): Decoded | undefined {
  const keyError = labelKeyError(key);
  if (keyError !== undefined) return reject('invalid-field', field, key, `label ${keyError}`);
  const valueError = labelValueError(value);
  return valueError === undefined ? undefined : reject('invalid-field', `${field}.${key}`, value, `label ${valueError}`);
}
