-- The per-workload cap of ambiguous pairs (collectors/flows/edge-budget.ts) counts a peer's stored
-- pairs on either side: peer_a is indexed by the UNIQUE key, peer_b needs its own.
CREATE INDEX ambiguous_pairs_peer_b ON ambiguous_pairs (peer_b);
