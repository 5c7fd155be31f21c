-- A pod-network interval closed by a release (its holder gone, no new holder in the same import)
-- ends when the release was noticed, not when it happened: released_after is when its holder was
-- last seen holding the IP (the previous import). A later holder that started in between moves
-- valid_to back to its start, no earlier than released_after (domain/ip-history.ts reconcileClaims).
-- NULL: the end is exact (a new holder's start, a host-network interval, or closed before this migration).
ALTER TABLE ip_history ADD COLUMN released_after INTEGER;
