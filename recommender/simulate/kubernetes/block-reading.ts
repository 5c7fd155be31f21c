/**
 * Which ends an address block (a NetworkPolicy ipBlock, a ClusterNetworkPolicy `networks` peer)
 * can select beyond outside addresses: the APIs leave it to the network plugin ("cluster ingress
 * and egress mechanisms often require rewriting the source or destination IP", NetworkPolicy
 * IPBlock) or say one thing while a plugin does another (Cilium's CIDR selectors select no pod:
 * simulate/index.ts ciliumIpBlockReading), so each simulator is given the reading it judges under.
 */
import type { PeerView } from './cluster-view.ts';

export interface BlockReading {
  /** Pods on the pod network. */
  ipBlockMatchesPods: boolean;
  /** Node addresses (nodes, host-network pods). */
  ipBlockMatchesNodes: boolean;
  /** The kube-apiserver endpoints (those on a node also whenever `ipBlockMatchesNodes`); `off-nodes`: those that are no node's address. */
  ipBlockMatchesApiserver: boolean | 'off-nodes';
}

/** Whether a block may select `other` at all under `r` (its addresses are then compared with the block). */
export function blockApplies(other: PeerView, r: BlockReading): boolean {
  switch (other.kind) {
    case 'external':
      return true;
    case 'pod':
      return r.ipBlockMatchesPods;
    case 'node':
      return r.ipBlockMatchesNodes;
    case 'apiserver':
      if (other.node !== undefined && r.ipBlockMatchesNodes) return true;
      return r.ipBlockMatchesApiserver === 'off-nodes' ? other.node === undefined : r.ipBlockMatchesApiserver;
    case 'cilium-ingress':
      // Cilium, the only plugin it exists with, gives CIDR selectors no identity it manages.
      return false;
  }
}
