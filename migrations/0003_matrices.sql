-- Communication matrices loaded by users (`matrix apply`, PUT /matrices/{name}). A row named
-- like a built-in catalog matrix overrides it. The YAML is kept as given, already validated.
CREATE TABLE matrices (
  name        TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  digest      TEXT NOT NULL,   -- sha256 of source
  origin      TEXT NOT NULL,   -- file name, '-' or 'api'
  applied_at  INTEGER NOT NULL
) STRICT;
