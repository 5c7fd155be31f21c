/**
 * Edges that name an address the inventory knows inside the cluster as `external`: the flows
 * behind them were resolved before that inventory was imported, and the store keeps edges, not
 * flows, so they are not resolved again. The rules made from them allow a /32 that follows
 * whichever pod holds the address next: the recommendation says so.
 */
import { inClusterAddresses, type InventorySnapshot } from '../domain/inventory.ts';
import type { EdgeTraffic } from '../domain/edge.ts';
import type { Peer } from '../domain/peer.ts';
import type { Recommendation } from '../recommender/recommend.ts';

/** Examples named in the warning at most. */
const EXAMPLES = 3;

export function warnMisresolvedEdges(rec: Recommendation, inventory: InventorySnapshot): void {
  const inCluster = inClusterAddresses(inventory);
  // A managed apiserver's address (no node's) is external on purpose off its endpoint port (collectors/flows/resolve.ts).
  const nodeIps = new Set(inventory.nodes.flatMap((n) => n.addresses.map((a) => a.address)));
  for (const a of inventory.apiserver) if (!nodeIps.has(a.ip)) inCluster.delete(a.ip);
  if (inCluster.size === 0) return;
  const found = new Set<EdgeTraffic>();
  const addresses = new Set<string>();
  const note = (e: EdgeTraffic, p: Peer): void => {
    if (p.kind !== 'external' || !inCluster.has(p.ip)) return;
    found.add(e);
    addresses.add(p.ip);
  };
  for (const s of rec.sides) {
    // A workload outside a scoped run is read for the verification only: its edges are not the run's to advise on.
    if (s.outside) continue;
    for (const e of s.edges.ingress) note(e, e.client);
    for (const e of s.edges.egress) note(e, e.server);
  }
  if (found.size === 0) return;
  const ips = [...addresses].sort();
  rec.warnings.push(
    `${found.size} edge(s) name addresses the inventory knows inside the cluster as external (${ips.slice(0, EXAMPLES).join(', ')}${ips.length > EXAMPLES ? ', …' : ''}): ` +
      'their flows were resolved before that inventory was imported, and a rule made from them allows an address that follows whichever pod holds it next; ' +
      'delete those edges (`flowmatrix edges delete`) and ingest the flows again now that the inventory is there',
  );
}
