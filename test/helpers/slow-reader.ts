/** A reader on the far side of a pipe that is slower than the writer (tests of writing at the reader's pace). */
import { Writable } from 'node:stream';

export interface SlowReader {
  stream: Writable;
  /** The chunks taken, in order. */
  taken: Buffer[];
  /** The most bytes that waited in the stream's buffer at once. */
  mostWaiting(): number;
  /** Everything taken, as text. */
  text(): string;
}

/** Takes one chunk per millisecond. */
export function slowReader(highWaterMark: number): SlowReader {
  const taken: Buffer[] = [];
  let waiting = 0;
  const stream: Writable = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      waiting = Math.max(waiting, stream.writableLength);
      taken.push(chunk);
      setTimeout(done, 1);
    },
  });
  return { stream, taken, mostWaiting: () => waiting, text: () => Buffer.concat(taken).toString('utf8') };
}
