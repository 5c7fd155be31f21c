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

/** A reject naming `field` when `value` breaks `rule`, else undefined. */
export function checkName(field: string, value: string, rule: NameRule): Decoded | undefined {
  const error = ruleError(rule, value);
  return error === undefined ? undefined : reject('invalid-field', field, value, `${field} ${error}`);
}

export function checkLabel(field: string, key: string, value: string): Decoded | undefined {
  const keyError = labelKeyError(key);
  if (keyError !== undefined) return reject('invalid-field', field, key, `label ${keyError}`);
  const valueError = labelValueError(value);
  return valueError === undefined ? undefined : reject('invalid-field', `${field}.${key}`, value, `label ${valueError}`);
}
