/** How far each followed file has been read (migrations 0007, 0013): path → file identity and byte offset. */
import type { Db } from './db.ts';

/**
 * A file's identity: st_dev and st_ino as decimal strings (they may exceed 2^53), and the SHA-256
 * (hex) of its first `headBytes` bytes, which tells a file re-created under a reused inode apart.
 */
export interface FileIdentity {
  dev: string;
  ino: string;
  head?: string;
  headBytes?: number;
}

export interface FileOffset extends FileIdentity {
  path: string;
  offset: number;
  updatedAt: number;
}

interface Row {
  path: string;
  dev: string;
  ino: string;
  head: string | null;
  head_bytes: number | null;
  offset: number;
  updated_at: number;
}

function offsetOf(r: Row): FileOffset {
  return { path: r.path, dev: r.dev, ino: r.ino, ...(r.head !== null && r.head_bytes !== null ? { head: r.head, headBytes: r.head_bytes } : {}), offset: r.offset, updatedAt: r.updated_at };
}

export class FileOffsetStore {
  private readonly getStmt;
  private readonly saveStmt;
  private readonly byIdentityStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT path, dev, ino, head, head_bytes, offset, updated_at FROM file_offsets WHERE path = ?');
    this.byIdentityStmt = db.prepare('SELECT path, dev, ino, head, head_bytes, offset, updated_at FROM file_offsets WHERE dev = ? AND ino = ? ORDER BY path');
    this.deleteStmt = db.prepare('DELETE FROM file_offsets WHERE path = ?');
    this.saveStmt = db.prepare(
      `INSERT INTO file_offsets (path, dev, ino, head, head_bytes, offset, updated_at) VALUES (@path, @dev, @ino, @head, @headBytes, @offset, @updatedAt)
       ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, head = excluded.head, head_bytes = excluded.head_bytes, offset = excluded.offset, updated_at = excluded.updated_at`,
    );
  }

  /** The paths whose stored offset belongs to this file (a file renamed by rotation keeps its dev + ino). Few rows: no index. */
  byIdentity(id: FileIdentity): FileOffset[] {
    return (this.byIdentityStmt.all(id.dev, id.ino) as Row[]).map(offsetOf);
  }

  /** Forgets a path that is no longer followed (its file is gone). */
  delete(path: string): void {
    this.deleteStmt.run(path);
  }

  get(path: string): FileOffset | undefined {
    const r = this.getStmt.get(path) as Row | undefined;
    return r && offsetOf(r);
  }

  /** Call inside the transaction that stores the lines before `offset`. */
  save(o: FileOffset): void {
    this.saveStmt.run({ path: o.path, dev: o.dev, ino: o.ino, head: o.head ?? null, headBytes: o.headBytes ?? null, offset: o.offset, updatedAt: o.updatedAt });
  }
}
