import { Readable } from 'node:stream';
import { main } from '../../cli/main.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `flowmatrix ARGV…` in-process, capturing what it prints. */
export async function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...argv], { out: (t) => void (out += t), err: (t) => void (err += t), stdin: Readable.from([stdin]) });
  return { code, out, err };
}

/** Runs a command that must succeed and parses its JSON output. */
export async function runCliJson<T>(argv: string[], stdin = ''): Promise<T> {
  const r = await runCli(argv, stdin);
  if (r.code !== 0) throw new Error(`flowmatrix ${argv.join(' ')} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as T;
}
