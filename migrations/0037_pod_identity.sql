-- Which pod held an address: a pod deleted and created again under its name (every StatefulSet
-- pod) is another pod, with another metadata.uid ("unique in time and space"). NULL: stored before
-- this migration, or an input without uids; the pod's start (since) tells it apart then
-- (domain/ip-history.ts podClaims).
ALTER TABLE pod_addresses ADD COLUMN uid TEXT;

-- The pods the last import with Pods listed without any IP (Pending, core/v1 PodStatus.podIP:
-- "Empty if not yet allocated"): such a pod holds no IP before that import, whatever its
-- startTime says (domain/ip-history.ts podClaims). Replaced with pod_addresses.
CREATE TABLE pods_without_ip (
  namespace   TEXT NOT NULL,
  pod         TEXT NOT NULL,
  uid         TEXT,
  since       INTEGER,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (namespace, pod)
) STRICT;
