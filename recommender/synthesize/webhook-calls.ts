/**
 * An admission webhook's caller. An ingress edge that a documented rule from the apiserver covers
 * is a call of the apiserver, whatever address the flows show it from (the control-plane node it
 * ran on then, another replica's, konnectivity's, a managed control plane's): seed 003 line 70,
 * "the webhook rule cannot be narrowed with a podSelector or namespaceSelector. Leaving the
 * webhook from list empty keeps the port reachable, which is what lets the apiserver reach the
 * webhook", and line 93, "leave open". Its rule names the apiserver, which every engine renders
 * open to any source on the rule's ports (engines/metadata.ts WEBHOOK_SOURCE_NOTE), in every mode:
 * mode observed too, whose rules come from the observed edges.
 */
import type { RuleAssessment } from '../compare/compare.ts';
import type { Direction } from '../policy/ir.ts';
import type { FarPeers, RunPeers } from './far-peers.ts';

/** The apiserver as the far side of an ingress edge its documented webhook rule covers; undefined otherwise, or where no endpoint of it is known. */
export function webhookCaller(direction: Direction, rules: readonly RuleAssessment[], peers: RunPeers, ns: string): FarPeers | undefined {
  if (direction !== 'ingress' || !rules.some((r) => r.rule.direction === 'ingress' && r.rule.peers.some((p) => p.kind === 'apiserver'))) return undefined;
  const api = peers.apiserverSource(ns);
  return api.ok ? api : undefined;
}
