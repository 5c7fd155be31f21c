-- A followed file's first bytes (collectors.files): a file deleted and re-created while nobody
-- held it open may get the same dev + ino back (ext4 reuses inodes at once), so its stored offset
-- would be applied to another file and its first lines skipped. head is the SHA-256 (hex) of the
-- first head_bytes bytes (at most 1024) of the file the offset belongs to; NULL for rows written
-- before this migration, which are taken by dev + ino alone as before.
ALTER TABLE file_offsets ADD COLUMN head TEXT;
ALTER TABLE file_offsets ADD COLUMN head_bytes INTEGER CHECK (head_bytes >= 0);
