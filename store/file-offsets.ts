/** How far each followed file has been read (migration 0007): path → file identity and byte offset. */
import type { Db } from './db.ts';

/** A file's identity: st_dev and st_ino as decimal strings (they may exceed 2^53). */
export interface FileIdentity {
  dev: string;
  ino: string;
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
  offset: number;
  updated_at: number;
}

export class FileOffsetStore {
  private readonly getStmt;
  private readonly saveStmt;
  private readonly byIdentityStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT path, dev, ino, offset, updated_at FROM file_offsets WHERE path = ?');
    this.byIdentityStmt = db.prepare('SELECT path, dev, ino, offset, updated_at FROM file_offsets WHERE dev = ? AND ino = ? ORDER BY path');
    this.deleteStmt = db.prepare('DELETE FROM file_offsets WHERE path = ?');
    this.saveStmt = db.prepare(
      `INSERT INTO file_offsets (path, dev, ino, offset, updated_at) VALUES (@path, @dev, @ino, @offset, @updatedAt)
       ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = excluded.offset, updated_at = excluded.updated_at`,
    );
  }

  /** The paths whose stored offset belongs to this file (a file renamed by rotation keeps its dev + ino). Few rows: no index. */
  byIdentity(id: FileIdentity): FileOffset[] {
    return (this.byIdentityStmt.all(id.dev, id.ino) as Row[]).map((r) => ({ path: r.path, dev: r.dev, ino: r.ino, offset: r.offset, updatedAt: r.updated_at }));
  }

  /** Forgets a path that is no longer followed (its file is gone). */
  delete(path: string): void {
    this.deleteStmt.run(path);
  }

  get(path: string): FileOffset | undefined {
    const r = this.getStmt.get(path) as Row | undefined;
    return r && { path: r.path, dev: r.dev, ino: r.ino, offset: r.offset, updatedAt: r.updated_at };
  }

  /** Call inside the transaction that stores the lines before `offset`. */
  save(o: FileOffset): void {
    this.saveStmt.run(o);
  }
}
