/**
 * Edges that name an address the inventory knows inside the cluster as `external`: the flows
 * behind them were resolved before that inventory was imported, and the store keeps edges, not
 * flows, so they are not resolved again. The rules made from them allow a /32 that follows
 * whichever pod holds the address next: the recommendation says so.
 */
import { inClusterAddresses, type InventorySnapshot } from '../domain/inventory.ts';
import { peerKey } from '../domain/peer.ts';
import type { Recommendation } from '../recommender/recommend.ts';

/** Examples named in the warning at most. */
const EXAMPLES = 3;

export function warnMisresolvedEdges(rec: Recommendation, inventory: InventorySnapshot): void {
  const inCluster = inClusterAddresses(inventory);
  if (inCluster.size === 0) return;
  const found = new Set<string>();
  const addresses = new Set<string>();
  for (const s of rec.sides) {
    for (const e of [...s.edges.ingress, ...s.edges.egress]) {
      for (const p of [e.client, e.server]) {
        if (p.kind !== 'external' || !inCluster.has(p.ip)) continue;
        found.add(`${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`);
        addresses.add(p.ip);
      }
    }
  }
  if (found.size === 0) return;
  const ips = [...addresses].sort();
  rec.warnings.push(
    `${found.size} edge(s) name addresses the inventory knows inside the cluster as external (${ips.slice(0, EXAMPLES).join(', ')}${ips.length > EXAMPLES ? ', …' : ''}): ` +
      'their flows were resolved before that inventory was imported, and a rule made from them allows an address that follows whichever pod holds it next; ' +
      'delete those edges (`flowmatrix edges delete`) and ingest the flows again now that the inventory is there',
  );
}
