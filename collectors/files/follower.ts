/**
 * `tail -F` for one path, by polling (fs.stat / fstat): it reads the complete lines appended
 * since the last poll and follows the path across rotation and truncation.
 *
 * - Rotation (rename + new file, or delete + new file): the path names another file (dev+ino).
 *   The open descriptor still reads the old file, which is finished first, its unterminated last
 *   line included; then the new file is read from its start.
 * - Truncation (copytruncate): the file is shorter than the offset; reading starts over at 0.
 *   As with tail -F, a file truncated and refilled past the offset between two polls is not seen.
 * - A partial last line waits for its newline (the offset stays at the line's start).
 * - A line longer than `maxLineLength` is skipped without being held in memory, and counted once,
 *   when its newline is read; the offset then moves past it (`position`), stored by the collector
 *   with the next commit even when no line follows. An over-long partial last line waits for its
 *   newline like any partial line: the stored offset is always a line's start, since a restart
 *   that resumed inside a line would read its tail as a line of its own (it might even decode).
 *   While it grows, a running follower reads only what was appended (`discardedTo`); a restart
 *   reads it again from its start, and counts it when its newline comes.
 * - After a restart the stored offset says which file (dev+ino) it belongs to: if the path names
 *   another file now, the old one is looked for in the same directory (a rotated name) and finished.
 *   dev+ino alone do not say it: a file deleted and re-created while nothing held it open may get
 *   the same inode back (ext4 reuses them at once), so the offset also carries a hash of the
 *   file's first bytes (`head`), and a file whose first bytes differ is another one, read from 0.
 *
 * - A file that starts with gzip's magic bytes (a rotation logrotate compressed, matched by a glob)
 *   is not read: its bytes would be split into lines of garbage. Each poll throws
 *   CompressedInputError (the collector logs it once per episode) and the file is counted once.
 *
 * Polling rather than fs.watch: inotify misses changes on network and overlay filesystems,
 * coalesces events, and behaves differently on every platform; a 1 s stat is cheap and portable.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileIdentity, FileOffsetStore } from '../../store/file-offsets.ts';
import { devIno, HEAD_BYTES, isFile, sameFile, statPath, withHead } from './file-identity.ts';
import { CompressedInputError, GZIP_MAGIC, isGzipHead } from '../flows/lines.ts';

export interface FollowedLine {
  text: string;
  /** The file the line was read from and the byte offset just after it: where to resume once it is stored. */
  file: FileIdentity;
  end: number;
}

/** A file this follower read to its end after a rotation, and the name it has now (in the path's directory). */
export interface RetiredFile extends FileIdentity {
  path: string;
  offset: number;
}

export interface FollowerCounters {
  rotations: number;
  truncations: number;
  /** Lines over maxLineLength, skipped. */
  oversized: number;
  /** Rotated files that could not be found again after a restart (their unread tail is lost). */
  lostRotations: number;
  /** Files not read because they are gzip-compressed (each counted once). */
  compressed: number;
}

export interface FollowerOptions {
  maxLineLength: number;
  /** Where a path never read before starts: its first byte, or its current end. */
  startAt: 'beginning' | 'end';
  chunkBytes?: number;
}

function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 32 && c !== 9 && c !== 13) return false;
  return true;
}

export class FileFollower {
  readonly counters: FollowerCounters = { rotations: 0, truncations: 0, oversized: 0, lostRotations: 0, compressed: 0 };
  private handle: FileHandle | undefined;
  private current: FileIdentity | undefined;
  /** First byte not yet read: always the start of a line. */
  private offset = 0;
  /** Inside a line longer than the limit: skip to its newline. */
  private discarding = false;
  /** While discarding: the first byte of the over-long line not yet read (the next poll goes on from there). */
  private discardedTo = 0;
  /** The open file is an old one (rotated while we were down): finish it, then go to the path. */
  private finishing = false;
  /** Where the open file was opened from (the path, or the rotated name when finishing). */
  private openedFrom: string | undefined;
  /** Files finished after a rotation, with their current names: a glob that matches them must not read them again. */
  private retired: RetiredFile[] = [];
  /** The open file's first bytes are known not to be gzip's magic. */
  private headChecked = false;
  /** The last file refused as gzip-compressed: counted once, however many polls refuse it. */
  private compressedFile: FileIdentity | undefined;
  private readonly chunk: Buffer;

  constructor(
    readonly path: string,
    private readonly store: FileOffsetStore,
    private readonly options: FollowerOptions,
  ) {
    this.chunk = Buffer.allocUnsafe(options.chunkBytes ?? 256 * 1024);
  }

  /** The path did not exist at the last look (and no older file of it was open). */
  missing = false;
  /** The path was missing at the first look: its file, once there, is new and read from its first line whatever `startAt` says. */
  private appearedLater = false;

  /** The file and offset read up to (for status and tests). */
  get position(): { file?: FileIdentity; offset: number } {
    return this.current ? { file: this.current, offset: this.offset } : { offset: this.offset };
  }

  /** The file held open now (a rotated file being finished included). */
  get holding(): FileIdentity | undefined {
    return this.handle ? this.current : undefined;
  }

  /** The files finished and not yet taken (a glob must not start them from 0 meanwhile). */
  get retiredPending(): readonly RetiredFile[] {
    return this.retired;
  }

  /** The files finished since the last call (see RetiredFile). */
  takeRetired(): RetiredFile[] {
    const r = this.retired;
    this.retired = [];
    return r;
  }

  /** Every complete line readable now, across a rotation if there was one. */
  async *poll(): AsyncGenerator<FollowedLine> {
    if (!this.handle) {
      const opened = await this.openFirst();
      this.missing = !opened;
      if (!opened) return;
    }
    for (;;) {
      yield* this.readAvailable(false);
      const now = await statPath(this.path);
      if (!this.finishing && (now === undefined || sameFile(now.id, this.current))) return;
      if (now === undefined) {
        // Finishing a pre-restart file and the path is gone: done with it, wait for the path.
        yield* this.readAvailable(true);
        await this.retire();
        await this.close();
        return;
      }
      // The path names another file: finish this one (what was appended since, and an
      // unterminated last line), then follow the new one from its start.
      yield* this.readAvailable(true);
      await this.retire();
      await this.close();
      this.counters.rotations++;
      this.finishing = false;
      await this.openAt(this.path, now.id, 0);
    }
  }

  /** Closes the file; the next poll reopens the path at the offset in memory (after a read error). */
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  /**
   * Forgets how far it read in memory: the next poll starts where the store says, as after a
   * restart. After a commit the store refused, the lines read past the last stored offset were
   * never stored; going on from memory would skip them.
   */
  async rewind(): Promise<void> {
    await this.close();
    this.current = undefined;
    this.offset = 0;
    this.discarding = false;
    this.finishing = false;
    this.openedFrom = undefined;
    this.retired = [];
  }

  /** Notes the finished file under the name it has now, if it is still in the path's directory. */
  private async retire(): Promise<void> {
    const id = this.current;
    if (!id) return;
    const from = this.openedFrom !== undefined && this.openedFrom !== this.path ? this.openedFrom : undefined;
    const s = from !== undefined ? await statPath(from).catch(() => undefined) : undefined;
    const where = s && sameFile(s.id, id) ? from : await this.findRotated(id);
    if (where !== undefined && where !== this.path) this.retired.push({ path: where, dev: id.dev, ino: id.ino, offset: this.offset });
  }

  private async openAt(path: string, id: FileIdentity, offset: number): Promise<boolean> {
    const h = await open(path, 'r');
    const st = await h.stat({ bigint: true });
    if (!sameFile(devIno(st), id)) {
      // Replaced between stat and open: take what is there now, from its start.
      await h.close();
      const again = await statPath(path);
      if (!again) return false;
      return this.openAt(path, again.id, 0);
    }
    this.handle = h;
    this.openedFrom = path;
    // Only the identity: `id` may be a stored offset row, whose other fields are not this file's.
    this.current = await withHead(h, id, Number(st.size));
    this.offset = offset;
    this.discarding = false;
    this.headChecked = false;
    return true;
  }

  /** Throws CompressedInputError when the open file starts with gzip's magic bytes (once it has that many). */
  private async checkHead(h: FileHandle, size: number): Promise<void> {
    if (this.headChecked || size < GZIP_MAGIC.length) return;
    const head = Buffer.alloc(GZIP_MAGIC.length);
    await h.read(head, 0, head.length, 0);
    if (isGzipHead(head)) {
      if (!sameFile(this.compressedFile, this.current)) this.counters.compressed++;
      this.compressedFile = this.current;
      throw new CompressedInputError('a followed file must be plain text: follow the file the exporter writes, and leave compressed rotations out (a name the glob does not match, or logrotate\'s delaycompress)');
    }
    this.headChecked = true;
  }

  /**
   * First open (or reopen): the offset in memory, else the stored one, else startAt — for a file
   * there at the first look; one that appears later is new and read from its start (tail -F).
   */
  private async openFirst(): Promise<boolean> {
    const now = await statPath(this.path);
    const known = this.current ? { ...this.current, offset: this.offset } : this.store.get(this.path);
    if (known && now !== undefined && sameFile(now.id, known) && now.size < known.offset) {
      // The same file (dev + ino), shorter than what was read of it: truncated (copytruncate) while
      // nobody looked, as readAvailable sees it live. Read again from its start. (Longer, with other
      // first bytes, it may as well be a new file on a reused inode: a lost rotation, below.)
      this.counters.truncations++;
      return this.openAt(this.path, now.id, 0);
    }
    if (known && (!sameFile(now?.id, known) || !(await isFile(this.path, known)))) {
      const old = await this.findRotated(known);
      if (old) {
        this.finishing = true;
        return this.openAt(old, known, known.offset);
      }
      this.counters.lostRotations++;
      if (!now) return false;
      return this.openAt(this.path, now.id, 0);
    }
    if (!now) {
      if (!known) this.appearedLater = true;
      return false;
    }
    if (known) return this.openAt(this.path, now.id, known.offset);
    if (this.options.startAt === 'beginning' || this.appearedLater) return this.openAt(this.path, now.id, 0);
    // Its end, stored at once: the next start (a restart, the next `collect --once`) goes on from
    // here, never from the end it finds then, which would skip what was written meanwhile.
    const opened = await this.openAt(this.path, now.id, now.size);
    if (opened && this.current) this.store.save({ path: this.path, ...this.current, offset: now.size, updatedAt: Date.now() });
    return opened;
  }

  /** The file with this identity in the path's directory (the rotated name), if it is still there. */
  private async findRotated(id: FileIdentity): Promise<string | undefined> {
    const dir = dirname(this.path);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      return undefined;
    }
    for (const name of names) if (await isFile(join(dir, name), id)) return join(dir, name);
    return undefined;
  }

  private async *readAvailable(final: boolean): AsyncGenerator<FollowedLine> {
    const h = this.handle;
    if (!h) return;
    const size = Number((await h.stat({ bigint: true })).size);
    const known = this.current as FileIdentity;
    // Files only grow: shorter than what was read of it (an over-long line's read part included) is a truncation.
    const readTo = this.discarding ? Math.max(this.offset, this.discardedTo) : this.offset;
    if (size < readTo) {
      this.counters.truncations++;
      this.offset = 0;
      this.discarding = false;
      // Truncated and written again: other first bytes.
      this.current = await withHead(h, known, size);
      this.headChecked = false;
    } else if (size > (known.headBytes ?? 0) && (known.headBytes ?? 0) < HEAD_BYTES) {
      // Shorter than HEAD_BYTES when its head was taken: the head grows with it (appending never changes first bytes).
      this.current = await withHead(h, known, size);
    }
    await this.checkHead(h, size);
    const file = this.current as FileIdentity;
    const max = this.options.maxLineLength;
    let pos = this.discarding ? readTo : this.offset;
    let carry: Buffer | undefined;
    while (pos < size) {
      const { bytesRead } = await h.read(this.chunk, 0, Math.min(this.chunk.length, size - pos), pos);
      if (bytesRead === 0) break;
      const buf = this.chunk.subarray(0, bytesRead);
      let start = 0;
      let nl = buf.indexOf(10, start);
      while (nl !== -1) {
        const end = pos + nl + 1;
        if (this.discarding) {
          this.discarding = false;
          this.counters.oversized++;
        } else {
          const part = buf.subarray(start, nl);
          const line = carry ? Buffer.concat([carry, part]) : part;
          carry = undefined;
          if (line.length > max) this.counters.oversized++;
          else if (line.length > 0 && !isBlank(line)) {
            this.offset = end;
            yield { text: line.toString('utf8').replace(/\r$/, ''), file, end };
          }
        }
        this.offset = end;
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (start < bytesRead && !this.discarding) {
        const rest = buf.subarray(start);
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        if (carry.length > max) {
          this.discarding = true;
          carry = undefined;
        }
      }
      pos += bytesRead;
    }
    if (this.discarding) this.discardedTo = pos;
    if (!final) return;
    // The file will not grow any more: its unterminated last line is a line too.
    if (this.discarding) {
      this.counters.oversized++;
      this.discarding = false;
    } else if (carry && !isBlank(carry)) {
      this.offset = size;
      yield { text: carry.toString('utf8').replace(/\r$/, ''), file, end: size };
    }
    this.offset = size;
  }
}
