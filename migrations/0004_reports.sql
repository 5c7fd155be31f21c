-- Reports (`flowmatrix report`, POST /api/v1/reports, the nightly schedule). The model is stored
-- format-independent (JSON); Markdown and HTML are rendered from it on request.
CREATE TABLE reports (
  id          INTEGER PRIMARY KEY,
  created_at  INTEGER NOT NULL,                -- when it was built (ms)
  trigger     TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  engine      TEXT NOT NULL,
  data_time   INTEGER NOT NULL,                -- the data's reference time (ms)
  headline    TEXT NOT NULL DEFAULT '{}',      -- {category: count}, for listings
  model       TEXT NOT NULL                    -- the report model, JSON
) STRICT;
CREATE INDEX reports_created ON reports (created_at, id);
