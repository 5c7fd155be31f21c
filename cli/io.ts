/** Where commands write. Injected so tests can run commands in-process and read what they printed. */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadableStream;
  /**
   * The stream behind `out`, when there is one: large outputs are written to it at the pace its
   * reader takes them (see writePieces).
   */
  outStream?: NodeJS.WritableStream;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: process.stdin,
  outStream: process.stdout,
};

/**
 * Writes a large output piece by piece, asking for the next piece only when the reader has
 * taken the last ones. Why: stdout on a pipe queues whatever the reader has not read yet, so
 * `export | slow-consumer` written at once held the whole YAML in memory. Without a stream
 * (tests), the pieces go to `out`.
 */
export async function writePieces(io: CliIo, pieces: Iterable<string>): Promise<void> {
  if (io.outStream === undefined) {
    for (const p of pieces) io.out(p);
    return;
  }
  // end: false, stdout stays open for what the command writes after.
  await pipeline(Readable.from(pieces), io.outStream, { end: false });
}

/**
 * Writes `text` to the output and, when the reader is behind, resolves once it has caught up:
 * for a command that writes as it reads (an input stream paced by its output). Without a
 * stream (tests), the text goes to `out`.
 */
export async function writePaced(io: CliIo, text: string): Promise<void> {
  if (io.outStream === undefined) return io.out(text);
  if (!io.outStream.write(text)) await once(io.outStream, 'drain');
}

/** Thrown by commands for a user-facing failure: printed without a stack, exit code as given. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
