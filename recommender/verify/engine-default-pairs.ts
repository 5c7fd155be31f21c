/**
 * The words of a tightness figure's note for the probes an engine lets through with no rule of
 * the output deciding (a verdict without `by`): real reachability on that engine, so counted, but
 * the same output gets another figure on another engine, which the note explains — which probe
 * peers, and why where the simulator's verdict tells it (docs/recommend.md, "Verification", 3).
 */
import type { Direction } from '../policy/ir.ts';
import type { EngineName } from '../engines/types.ts';
import { compareStrings } from '../policy/order.ts';
import { LOCAL_HOST_REASON } from '../simulate/cilium.ts';
import type { SideVerdict, SimEndpoint } from '../simulate/types.ts';

/** A probe the engine allowed with no deciding rule: its peer and the verdict. */
export interface LetThrough {
  peer: SimEndpoint;
  verdict: SideVerdict;
}

const PEER_WORDS: Record<SimEndpoint['kind'], string> = {
  pod: 'a pod',
  apiserver: 'the apiserver',
  node: 'a node',
  external: 'the world',
  'cilium-ingress': "Cilium's ingress proxy",
};
/** Peers in the order the note names them. */
const PEER_ORDER = Object.keys(PEER_WORDS) as SimEndpoint['kind'][];

/** Why the engine let this probe through, where its verdict tells it; '' where it does not. */
function whyLetThrough(engine: EngineName, direction: Direction, t: LetThrough): string {
  if (engine === 'cilium' && t.verdict.reason === LOCAL_HOST_REASON) return 'the local host, which Cilium lets into its pods by default, allow-localhost';
  // A ClusterNetworkPolicy ingress peer selects pods and namespaces only: the isolation's Deny cannot name anything else.
  if (engine === 'clusternetworkpolicy' && direction === 'ingress' && t.peer.kind !== 'pod') return 'its ingress isolation covers pods only';
  return '';
}

/**
 * `N of the allowed pairs are let through by ENGINE with no rule of the output (PEERS: WHY; …)`,
 * the peers grouped by why (in the order of `PEER_ORDER`, the groups by their words); undefined
 * when there are none.
 */
export function engineDefaultNote(engine: EngineName, direction: Direction, letThrough: readonly LetThrough[]): string | undefined {
  if (letThrough.length === 0) return undefined;
  const byWhy = new Map<string, Set<SimEndpoint['kind']>>();
  for (const t of letThrough) {
    const why = whyLetThrough(engine, direction, t);
    let kinds = byWhy.get(why);
    if (kinds === undefined) byWhy.set(why, (kinds = new Set()));
    kinds.add(t.peer.kind);
  }
  const groups = [...byWhy]
    .map(([why, kinds]) => {
      const peers = PEER_ORDER.filter((k) => kinds.has(k)).map((k) => PEER_WORDS[k]).join(', ');
      return why === '' ? peers : `${peers}: ${why}`;
    })
    .sort(compareStrings);
  const n = letThrough.length;
  return `${n} of the allowed pairs ${n === 1 ? 'is' : 'are'} let through by ${engine} with no rule of the output (${groups.join('; ')})`;
}
