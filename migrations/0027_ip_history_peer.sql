-- Retention keeps a gone workload while an interval of the IP history names it (store/retention.ts):
-- the intervals of a peer, found without a scan of every interval.
CREATE INDEX ip_history_peer ON ip_history (peer);
