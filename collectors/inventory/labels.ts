import type { LabelSelector, Labels } from '../../domain/inventory.ts';
import { POD_IDENTITY_LABEL_KEYS } from '../../domain/pod-identity-labels.ts';

/**
 * Labels that controllers stamp on individual pods or revisions: they change with every rollout,
 * run or placement, so a selector built on them would stop matching the workload.
 */
const VOLATILE_KEYS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  ...POD_IDENTITY_LABEL_KEYS,
  'job-name',
  'controller-uid',
]);
const VOLATILE_PREFIXES = ['batch.kubernetes.io/', 'topology.kubernetes.io/', 'failure-domain.beta.kubernetes.io/'];

export function isVolatileLabel(key: string): boolean {
  return VOLATILE_KEYS.has(key) || VOLATILE_PREFIXES.some((p) => key.startsWith(p));
}

export function withoutVolatile(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) if (!isVolatileLabel(k)) out[k] = labels[k] as string;
  return out;
}

/** A selector that only names volatile keys (the Job controller's generated controller-uid selector) picks one run, not the workload. */
export function isVolatileSelector(s: LabelSelector): boolean {
  const keys = [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)];
  return keys.length > 0 && keys.every(isVolatileLabel);
}

export function selectorFromLabels(labels: Labels): LabelSelector {
  const stable = withoutVolatile(labels);
  return Object.keys(stable).length > 0 ? { matchLabels: stable } : {};
}

/** Service-style selector: every pair must match; an empty selector selects nothing. */
export function mapSelects(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}
