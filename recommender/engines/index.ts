/** The engine registry, keyed by the engine names of docs/design.md §4 (contract). */
import { calicoEngine } from './calico.ts';
import { calicoOrdersBeside } from './calico-orders.ts';
import { ciliumEngine } from './cilium.ts';
import { cidrMatchesNodes, ciliumIcmpRulesOff, localHostUnderPolicy, type AppliedPolicy, type CiliumPolicySettings } from '../../domain/inventory.ts';
import { clusterNetworkPolicyEngine, cnpPrioritiesBeside } from './clusternetworkpolicy.ts';
import { kubernetesEngine } from './kubernetes.ts';
import { ENGINE_NAMES, type EmitOptions, type Engine, type EngineName } from './types.ts';

export const ENGINES: { readonly [E in EngineName]: Engine<E> } = {
  kubernetes: kubernetesEngine,
  cilium: ciliumEngine,
  calico: calicoEngine,
  clusternetworkpolicy: clusterNetworkPolicyEngine,
};

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** The engine called `name`; throws naming the valid ones otherwise. */
export function getEngine<E extends EngineName>(name: E): Engine<E>;
export function getEngine(name: string): Engine;
export function getEngine(name: string): Engine {
  if (!isEngineName(name)) throw new Error(`unknown engine "${name}": expected one of ${ENGINE_NAMES.join(', ')}`);
  return ENGINES[name];
}

/**
 * The options of every emit of a recommendation beside the applied policies: Calico orders after
 * the applied Deny and Pass policies a Kubernetes NetworkPolicy could not override
 * (calicoOrdersBeside), ClusterNetworkPolicy priorities that tie with no applied one
 * (cnpPrioritiesBeside), whether Cilium's agent
 * polices the local host (`allow-localhost: policy`), whether it matches CIDRs against node
 * addresses (`policy-cidr-match-mode: nodes`), whether it refuses ICMP rules (`enable-icmp-rules`
 * off) and whether Cilium enforces the NetworkPolicies (`onCilium`: the inventory shows it runs,
 * simulate/network-plugin.ts). Each emit of one recommendation (whole, in
 * chunks, again when written) takes the same, or the manifests verified and the ones written
 * would differ.
 */
export function emitOptionsBeside(applied: readonly AppliedPolicy[], cilium?: CiliumPolicySettings, onCilium = false): EmitOptions {
  const calico = calicoOrdersBeside(applied);
  return {
    calicoOrder: { shared: calico.shared, allowlist: calico.allowlist, defaultDeny: calico['default-deny'] },
    cnpPriority: cnpPrioritiesBeside(applied),
    ...(localHostUnderPolicy(cilium) ? { ciliumLocalHostUnderPolicy: true } : {}),
    ...(cidrMatchesNodes(cilium) ? { ciliumCidrMatchesNodes: true } : {}),
    ...(ciliumIcmpRulesOff(cilium) ? { ciliumIcmpRulesOff: true } : {}),
    ...(onCilium ? { networkPoliciesOnCilium: true } : {}),
  };
}

export { ENGINE_NAMES };
export type { Emitted, Engine, EngineManifests, EngineName, EmitOptions, EmitResult, EmitWarning, Manifest, WarningCode } from './types.ts';
export { toMultiDocYaml, toYaml } from './yaml.ts';
