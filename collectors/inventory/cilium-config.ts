/**
 * Cilium's ConfigMap kube-system/cilium-config: its `cluster-name` is the value of the label
 * `io.cilium.k8s.policy.cluster` every pod of the cluster carries (Cilium's default: `default`),
 * which a Cilium policy may select on and its `cluster` entity selects by. No other ConfigMap is read.
 */
import { DEFAULT_CILIUM_CLUSTER } from '../../domain/inventory.ts';
import { labelValueError } from '../../domain/k8s-names.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';

const CILIUM_CONFIG = { namespace: 'kube-system', name: 'cilium-config' } as const;

export function isCiliumConfig(raw: RawObject): boolean {
  const md = (raw.obj as { metadata?: { namespace?: unknown; name?: unknown } }).metadata;
  return raw.key === 'ConfigMap' && md?.namespace === CILIUM_CONFIG.namespace && md.name === CILIUM_CONFIG.name;
}

/** The `cluster-name` the ConfigMap sets, else Cilium's default; a value no label can hold is refused, naming the field. */
export function ciliumClusterNameOf(raw: RawObject): string {
  const { r } = readObject(raw, 'namespaced');
  const name = r.optObj('data')?.optStr('cluster-name');
  if (name === undefined) return DEFAULT_CILIUM_CLUSTER;
  const problem = labelValueError(name);
  if (problem !== undefined) r.obj('data').fail('cluster-name', `a label value (${problem})`, name);
  return name;
}
