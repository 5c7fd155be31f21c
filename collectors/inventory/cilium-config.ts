/**
 * Cilium's ConfigMap kube-system/cilium-config: its `cluster-name` is the value of the label
 * `io.cilium.k8s.policy.cluster` every pod of the cluster carries (Cilium's default: `default`),
 * which a Cilium policy may select on and its `cluster` entity selects by; its
 * `policy-cidr-match-mode`, `enable-sctp`, `allow-localhost` and `enable-host-firewall` change what policies enforce (domain/inventory.ts
 * CiliumPolicySettings). No other key, and no other ConfigMap, is read.
 */
import { ALLOW_LOCALHOST_VALUES, DEFAULT_CILIUM_CLUSTER, type AllowLocalhost, type CiliumPolicySettings } from '../../domain/inventory.ts';
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

/** The boolean spellings the agent's configuration accepts (viper reads them with Go's strconv.ParseBool). */
const GO_BOOLS: Readonly<Record<string, boolean>> = { '1': true, t: true, T: true, TRUE: true, true: true, True: true, '0': false, f: false, F: false, FALSE: false, false: false, False: false };

/**
 * `policy-cidr-match-mode`, `enable-sctp`, `allow-localhost` and `enable-host-firewall` as the
 * agent reads them: the mode a list the Helm chart writes joined by spaces (`join " "
 * .Values.policyCIDRMatchMode`, read back as a string slice), each absent key Cilium's default —
 * an absent `enable-host-firewall` too: off, as the Helm chart writes the key only when the host
 * firewall is on (install/kubernetes/cilium/templates/cilium-configmap.yaml: `{{- if and
 * .Values.hostFirewall .Values.hostFirewall.enabled }}`) and the agent's flag defaults to off. An `enable-sctp` or `enable-host-firewall` that is no
 * boolean, or an `allow-localhost` other than auto, always or policy (the agent refuses to start
 * on it), is refused, naming the field.
 */
export function ciliumPolicySettingsOf(raw: RawObject): CiliumPolicySettings {
  const { r } = readObject(raw, 'namespaced');
  const data = r.optObj('data');
  const mode = data?.optStr('policy-cidr-match-mode');
  const sctp = data?.optStr('enable-sctp');
  const localhost = data?.optStr('allow-localhost');
  const hostFirewall = data?.optStr('enable-host-firewall');
  if (sctp !== undefined && !Object.hasOwn(GO_BOOLS, sctp)) r.obj('data').fail('enable-sctp', '"true" or "false"', sctp);
  if (hostFirewall !== undefined && !Object.hasOwn(GO_BOOLS, hostFirewall)) r.obj('data').fail('enable-host-firewall', '"true" or "false"', hostFirewall);
  const allowLocalhost: AllowLocalhost = localhost === undefined ? 'auto' : isAllowLocalhost(localhost) ? localhost : r.obj('data').fail('allow-localhost', '"auto", "always" or "policy"', localhost);
  return {
    policyCidrMatchMode: mode === undefined ? [] : mode.split(/\s+/).filter((m) => m !== ''),
    enableSctp: sctp !== undefined && GO_BOOLS[sctp]!,
    allowLocalhost,
    enableHostFirewall: hostFirewall !== undefined && GO_BOOLS[hostFirewall]!,
  };
}

const isAllowLocalhost = (v: string): v is AllowLocalhost => (ALLOW_LOCALHOST_VALUES as readonly string[]).includes(v);
