/**
 * How much of a byte stream (an API upload's body) the lines read so far cover, with the SHA-256
 * of those bytes, so that a commit can store where a resumed upload has to start. The reader
 * (lines.ts) numbers lines by '\n', which UTF-8 never holds inside a character, so counting the
 * bytes' newlines gives its line numbers. The hash advances to the last newline of every chunk the
 * reader finished (a later commit never covers less); only a line not ended yet is held back.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

const NL = 0x0a;

/** A prefix of the body: its lines (a last line without newline counts), bytes and SHA-256 (hex). */
export interface BodySpan {
  lines: number;
  bytes: number;
  sha256: string;
}

/** Why a body is not the one a span was taken of. */
export type PrefixMismatch = { kind: 'shorter'; bytes: number } | { kind: 'different'; sha256: string };

export class BodyProgress {
  private readonly hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  /** Bytes after the last newline hashed: the start of a line not ended yet. */
  private tail: Buffer[] = [];
  private chunk: Buffer | undefined;
  /** Bytes of `chunk` already hashed. */
  private cursor = 0;
  private source: AsyncIterator<Buffer | string> | undefined;
  private leftover: Buffer | undefined;

  constructor(private readonly body: AsyncIterable<Buffer | string>) {}

  /**
   * Reads and hashes the first `span.bytes` bytes: undefined when they are the span's (the reader
   * then starts after them), else what differs. Nothing of the prefix reaches the reader.
   */
  async skip(span: BodySpan): Promise<PrefixMismatch | undefined> {
    const it = this.iterator();
    while (this.bytes < span.bytes) {
      const next = await it.next();
      if (next.done) return { kind: 'shorter', bytes: this.bytes };
      const b = toBuffer(next.value);
      const take = Math.min(b.length, span.bytes - this.bytes);
      this.hash.update(b.subarray(0, take));
      this.bytes += take;
      if (take < b.length) this.leftover = b.subarray(take);
    }
    const sha256 = this.hash.copy().digest('hex');
    if (sha256 !== span.sha256) return { kind: 'different', sha256 };
    this.lines = span.lines;
    return undefined;
  }

  /**
   * The body (after a skipped prefix), chunk by chunk, as the reader takes it. `destroy` destroys
   * the body: the pipeline stops a run whose commit failed so, and a generator waiting on the body
   * could not be stopped otherwise.
   */
  chunks(): AsyncGenerator<Buffer> & { destroy(e: Error): void } {
    return Object.assign(this.pull(), { destroy: (e: Error) => (this.body as Partial<Readable>).destroy?.(e) });
  }

  private async *pull(): AsyncGenerator<Buffer> {
    const it = this.iterator();
    if (this.leftover) yield* this.read(this.leftover);
    this.leftover = undefined;
    for (let next = await it.next(); !next.done; next = await it.next()) yield* this.read(toBuffer(next.value));
    // The end: a last line without newline is a line too.
    const rest = this.tail.reduce((n, b) => n + b.length, 0);
    this.flushTail();
    if (rest > 0) this.lines++;
    this.chunk = undefined;
  }

  /**
   * The span the reader's lines through `line` cover, as the reader stands now: lines it read after
   * `line` are blank (no record) or not counted yet; hashed already, they are part of the span.
   */
  through(line: number): BodySpan {
    while (this.lines < line) {
      const nl = this.chunk === undefined ? -1 : this.chunk.indexOf(NL, this.cursor);
      if (nl < 0) throw new Error(`line ${line} of the body has not been read (${this.lines} lines read)`);
      this.flushTail();
      this.advance(nl + 1);
      this.lines++;
    }
    return { lines: this.lines, bytes: this.bytes, sha256: this.hash.copy().digest('hex') };
  }

  private iterator(): AsyncIterator<Buffer | string> {
    return (this.source ??= this.body[Symbol.asyncIterator]());
  }

  private *read(b: Buffer): Generator<Buffer> {
    this.chunk = b;
    this.cursor = 0;
    yield b;
    // The reader took every line of the chunk: hash through its last newline.
    const last = b.lastIndexOf(NL);
    if (last >= this.cursor) {
      this.flushTail();
      for (let nl = b.indexOf(NL, this.cursor); nl !== -1 && nl <= last; nl = b.indexOf(NL, nl + 1)) this.lines++;
      this.advance(last + 1);
    }
    if (this.cursor < b.length) this.tail.push(b.subarray(this.cursor));
    this.chunk = undefined;
  }

  private advance(to: number): void {
    const chunk = this.chunk as Buffer;
    this.hash.update(chunk.subarray(this.cursor, to));
    this.bytes += to - this.cursor;
    this.cursor = to;
  }

  private flushTail(): void {
    for (const t of this.tail) {
      this.hash.update(t);
      this.bytes += t.length;
    }
    this.tail = [];
  }
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
