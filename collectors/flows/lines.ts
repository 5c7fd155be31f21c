/**
 * Stage 1 (ingest): a streaming line splitter. It never holds more than one chunk plus one
 * partial line in memory, splits on '\n' with indexOf (several times faster than readline),
 * numbers lines from 1 and tells the caller when the last line had no newline, so that a
 * half-written final record can be reported as `truncated` rather than as bad JSON. A record
 * separator (RS) opening a line is dropped: JSON text sequences are NDJSON with it; so is a byte
 * order mark opening the input. A gzip-compressed input is refused before anything is read: its
 * bytes would otherwise be counted as lines of bad JSON.
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  /** `final` is true only for a last line that was not terminated by '\n'. */
  line(text: string, lineNo: number, final: boolean): void;
  /** A line longer than `maxLineLength`: its content was dropped while reading. */
  oversized(lineNo: number, length: number): void;
}

export interface ReadLinesOptions {
  /** Longer lines are reported through `oversized` instead of being buffered (characters, default 4 Mi). */
  maxLineLength?: number;
  /**
   * Called after each chunk: a safe point for time-based work (periodic flushes). A promise it
   * returns is awaited before the next chunk is read (a consumer that paces the reading).
   */
  afterChunk?: () => void | Promise<void>;
  /** The number of the input's first line (default 1): the lines before it were read elsewhere (a resumed upload). */
  firstLine?: number;
}

export const DEFAULT_MAX_LINE_LENGTH = 4 * 1024 * 1024;

/** The record separator of RFC 7464 JSON text sequences. */
const RS = 0x1e;
/** U+FEFF, a byte order mark. */
const BOM = 0xfeff;
/** ID1 and ID2, the first two bytes of every gzip member (RFC 1952 §2.3.1). */
export const GZIP_MAGIC: readonly number[] = [0x1f, 0x8b];

/** Whether `head`, an input's first bytes (at least GZIP_MAGIC.length of them), is gzip's magic. */
export function isGzipHead(head: ArrayLike<number>): boolean {
  return head.length >= GZIP_MAGIC.length && GZIP_MAGIC.every((b, i) => head[i] === b);
}

export class CompressedInputError extends Error {
  override name = 'CompressedInputError';
  /** `advice`: what to do instead, for the reader the input was given to. */
  constructor(advice = 'decompress it first (gunzip FILE, or zcat FILE | flowmatrix ingest -)') {
    super(`the input is gzip-compressed (it starts with the gzip magic bytes 1f 8b): ${advice}`);
  }
}

/** Reads `input` to its end, feeding every non-empty line to `sink`; resolves to the number of the last line read. */
export async function readLines(input: AsyncIterable<Buffer | string>, sink: LineSink, options: ReadLinesOptions = {}): Promise<number> {
  const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const firstLine = options.firstLine ?? 1;
  let lineNo = firstLine - 1;
  /** Characters of the current line discarded because it is over the limit (-1: not discarding). */
  let discarding = -1;

  const emit = (text: string, final: boolean): void => {
    lineNo++;
    // A JSON text sequence (RFC 7464, `application/json-seq`, `jq --seq`) starts each record with
    // RS; a file some editors saved starts with a byte order mark (RFC 8259 §8.1: ignore it).
    const first = text.charCodeAt(0);
    const begin = first === RS || (lineNo === 1 && first === BOM) ? 1 : 0;
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const line = begin === 0 && end === text.length ? text : text.slice(begin, end);
    if (line.length === 0 || isBlank(line)) return;
    sink.line(line, lineNo, final);
  };

  /** The input's first bytes while they may still be gzip's magic; undefined once decided. */
  let head: number[] | undefined = (options.firstLine ?? 1) === 1 ? [] : undefined;

  for await (const chunk of input) {
    if (head !== undefined && typeof chunk !== 'string') {
      for (let i = 0; i < chunk.length && head.length < GZIP_MAGIC.length; i++) head.push(chunk[i] as number);
      if (head.some((b, i) => b !== GZIP_MAGIC[i])) head = undefined;
      else if (isGzipHead(head)) throw new CompressedInputError();
    } else head = undefined;
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (discarding >= 0) {
        lineNo++;
        sink.oversized(lineNo, discarding + nl);
        discarding = -1;
      } else if (pending.length > 0) {
        const line = pending + text.slice(start, nl);
        pending = '';
        if (line.length > max) {
          lineNo++;
          sink.oversized(lineNo, line.length);
        } else emit(line, false);
      } else if (nl - start > max) {
        lineNo++;
        sink.oversized(lineNo, nl - start);
      } else emit(text.slice(start, nl), false);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      if (discarding >= 0) discarding += text.length - start;
      else {
        pending += text.slice(start);
        if (pending.length > max) {
          discarding = pending.length;
          pending = '';
        }
      }
    }
    const paced = options.afterChunk?.();
    if (paced) await paced;
  }
  pending += decoder.end();
  if (discarding >= 0) {
    lineNo++;
    sink.oversized(lineNo, discarding + pending.length);
  } else if (pending.length > 0) emit(pending, true);
  return lineNo;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A file path, or `-` for the given stdin; rejects when the file cannot be opened. Large chunks: fewer, cheaper splits. */
export async function openInput(path: string, stdin: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> {
  if (path === '-') return stdin;
  const handle = await open(path, 'r');
  return handle.createReadStream({ highWaterMark: 1024 * 1024 });
}
