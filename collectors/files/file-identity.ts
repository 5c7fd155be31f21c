/**
 * Which file a path names: st_dev + st_ino, and the hash of its first bytes. dev + ino alone do
 * not tell a file: one deleted and another created at once may get the same inode back (ext4
 * reuses them at once), so a stored offset also carries the SHA-256 of the file's first bytes
 * (`head`, as many as Filebeat's fingerprint identity reads), and a file whose first bytes differ
 * is another one.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { FileIdentity } from '../../store/file-offsets.ts';

/** How many first bytes of a file its `head` hashes. */
export const HEAD_BYTES = 1024;

export function devIno(st: { dev: bigint; ino: bigint }): FileIdentity {
  return { dev: st.dev.toString(), ino: st.ino.toString() };
}

/** dev + ino of a regular file, else undefined. */
export function identityOf(st: { dev: bigint; ino: bigint; isFile(): boolean }): FileIdentity | undefined {
  return st.isFile() ? devIno(st) : undefined;
}

/** The same dev + ino (the first bytes are not compared: see `isFile`). */
export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** The hash of the file's first `bytes` bytes, or undefined when it is shorter. */
export async function headOf(h: FileHandle, bytes: number): Promise<string | undefined> {
  const buf = Buffer.alloc(bytes);
  const { bytesRead } = await h.read(buf, 0, bytes, 0);
  return bytesRead < bytes ? undefined : createHash('sha256').update(buf).digest('hex');
}

/** `id` with the hash of as many first bytes of the open file as it has, up to HEAD_BYTES. */
export async function withHead(h: FileHandle, id: FileIdentity, size: number): Promise<FileIdentity> {
  const bytes = Math.min(size, HEAD_BYTES);
  const head = await headOf(h, bytes);
  return head === undefined ? { dev: id.dev, ino: id.ino } : { dev: id.dev, ino: id.ino, head, headBytes: bytes };
}

/** dev + ino and size of the regular file at `path`; undefined when there is none; throws for a directory or a device. */
export async function statPath(path: string): Promise<{ id: FileIdentity; size: number } | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    // A directory or a device there is no missing file: followed by mistake, said so.
    if (!st.isFile()) throw new Error('not a regular file');
    return { id: devIno(st), size: Number(st.size) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Whether the file at `path` is the one `known` describes: its dev+ino, and its first bytes when `known` has their hash. */
export async function isFile(path: string, known: FileIdentity): Promise<boolean> {
  const s = await statPath(path).catch(() => undefined);
  if (!s || !sameFile(s.id, known)) return false;
  if (known.head === undefined || known.headBytes === undefined) return true;
  const h = await open(path, 'r').catch(() => undefined);
  if (!h) return false;
  try {
    return (await headOf(h, known.headBytes)) === known.head;
  } finally {
    await h.close();
  }
}
