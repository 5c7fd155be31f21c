/**
 * Progress of long work on a terminal (ingest, inventory import, export to a directory), drawn
 * on stderr by cli-progress. Quiet when stdout or stderr is not a terminal — piped or redirected
 * output, CI logs, the tests' in-process runs — so what scripts read never changes.
 */
import { SingleBar } from 'cli-progress';
import { processIo, type CliIo } from './io.ts';

/** What a bar shows besides its value: counts named in its format. */
export type ProgressFields = Record<string, string | number>;

export interface Progress {
  /** False for the quiet no-op: callers skip the counting that only feeds the bar. */
  readonly active: boolean;
  update(value: number, fields?: ProgressFields): void;
  stop(): void;
}

const QUIET: Progress = { active: false, update: () => undefined, stop: () => undefined };

export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/**
 * A progress bar, or a no-op. `format` uses cli-progress tokens ({bar}, {percentage}, {value},
 * {total}, {eta_formatted}) and the names of `fields`; without `total` it shows the counts alone.
 */
export function progressBar(
  io: CliIo,
  spec: { format: string; total?: number; fields?: ProgressFields },
  terminal: { stdout: ProgressStream; stderr: ProgressStream } = { stdout: process.stdout, stderr: process.stderr },
): Progress {
  // Only the real process output is a terminal worth drawing on.
  if (io !== processIo || !terminal.stdout.isTTY || !terminal.stderr.isTTY) return QUIET;
  const bar = new SingleBar({ format: spec.format, stream: terminal.stderr, hideCursor: true, clearOnComplete: true, fps: 5, etaBuffer: 50 });
  bar.start(spec.total ?? 0, 0, spec.fields ?? {});
  return {
    active: true,
    update: (value, fields) => bar.update(value, fields ?? {}),
    stop: () => bar.stop(),
  };
}

/** Records per second since `startedMs`, rounded for display. */
export function perSecond(count: number, startedMs: number, nowMs: number = Date.now()): number {
  const s = (nowMs - startedMs) / 1000;
  return s > 0 ? Math.round(count / s) : 0;
}
