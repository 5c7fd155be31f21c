-- Followed flow-log files (collectors.files): how far each path has been read. The offset is
-- written in the same transaction as the edges of the lines before it, so a restart resumes at
-- the first line not yet stored. dev + ino say which file the offset belongs to: after a rotation
-- the path names a new file, and the old one (found again by dev + ino) is finished first.
-- dev and ino are kept as text: 64-bit values that JavaScript numbers cannot hold exactly.
CREATE TABLE file_offsets (
  path        TEXT PRIMARY KEY,
  dev         TEXT NOT NULL,
  ino         TEXT NOT NULL,
  offset      INTEGER NOT NULL CHECK (offset >= 0),
  updated_at  INTEGER NOT NULL
) STRICT;
