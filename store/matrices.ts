/** User-loaded communication matrices. Validation happens before; this only stores and reads. */
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

export interface StoredMatrix {
  name: string;
  source: string;
  digest: string;
  origin: string;
  appliedAt: number;
}

interface Row {
  name: string;
  source: string;
  digest: string;
  origin: string;
  applied_at: number;
}

const fromRow = (r: Row): StoredMatrix => ({ name: r.name, source: r.source, digest: r.digest, origin: r.origin, appliedAt: r.applied_at });

/** Inserts or replaces the matrix of that name; returns whether it changed. */
export function saveMatrix(db: Db, m: { name: string; source: string; origin: string; appliedAt: number }): { changed: boolean; digest: string } {
  const digest = createHash('sha256').update(m.source).digest('hex');
  return db.transaction(() => {
    const old = db.prepare('SELECT digest FROM matrices WHERE name = ?').get(m.name) as { digest: string } | undefined;
    if (old?.digest === digest) return { changed: false, digest };
    db.prepare(
      `INSERT INTO matrices (name, source, digest, origin, applied_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET source = excluded.source, digest = excluded.digest, origin = excluded.origin, applied_at = excluded.applied_at`,
    ).run(m.name, m.source, digest, m.origin, m.appliedAt);
    return { changed: true, digest };
    // IMMEDIATE: it reads before it writes, and a deferred read cannot wait for another writer (store/db.ts).
  }).immediate();
}

/** The stored matrices as names and digests: equal fingerprints, the same stored matrices. */
export function storedMatricesFingerprint(stored: readonly Pick<StoredMatrix, 'name' | 'digest'>[]): string {
  return stored.map((m) => `${m.name}:${m.digest}`).join(',');
}

/** storedMatricesFingerprint of what is stored now, reading names and digests only. */
export function storedMatricesNow(db: Db): string {
  return storedMatricesFingerprint(db.prepare('SELECT name, digest FROM matrices ORDER BY name').all() as { name: string; digest: string }[]);
}

export function listStoredMatrices(db: Db): StoredMatrix[] {
  return (db.prepare('SELECT name, source, digest, origin, applied_at FROM matrices ORDER BY name').all() as Row[]).map(fromRow);
}

export function getStoredMatrix(db: Db, name: string): StoredMatrix | undefined {
  const r = db.prepare('SELECT name, source, digest, origin, applied_at FROM matrices WHERE name = ?').get(name) as Row | undefined;
  return r ? fromRow(r) : undefined;
}

export function hasStoredMatrix(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM matrices WHERE name = ?').get(name) !== undefined;
}

export function deleteStoredMatrix(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM matrices WHERE name = ?').run(name).changes > 0;
}
