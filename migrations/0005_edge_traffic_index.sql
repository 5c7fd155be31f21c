-- The recommender reads every edge's traffic (`readEdgeTraffic`): this covering index hands the
-- rows out in edge-key order without a table lookup per row, so edges that the recommender walks
-- together (a workload's side) are read, and laid out in memory, together.
CREATE INDEX edges_traffic ON edges (client, server, port, protocol, last_seen, flows, forwarded, dropped);
