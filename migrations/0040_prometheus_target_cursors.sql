-- The Prometheus collector's scrape targets (collectors/prometheus/targets.ts): the last scrape
-- counted, per target. One cursor for every target skipped a slow target's scrapes: Prometheus
-- dates a scrape by its start and publishes it at its end, so a scrape in progress during a pass
-- was older than another target's newest scrape that pass had seen. Only the targets of the last
-- answer read are kept (at most maxSeries of them); the 'targets' row of prometheus_cursors, written
-- before this table, is what a target not listed here was counted up to.
CREATE TABLE prometheus_target_cursors (
  url         TEXT NOT NULL,    -- the Prometheus base URL
  scrape_pool TEXT NOT NULL,    -- the target's scrapePool (its job)
  scrape_url  TEXT NOT NULL,    -- the target's scrapeUrl
  last_scrape INTEGER NOT NULL, -- epoch ms: the target's lastScrape last counted
  PRIMARY KEY (url, scrape_pool, scrape_url)
) STRICT, WITHOUT ROWID;
