/**
 * `flowmatrix ingest --db DB ARGS… -` run in a child process for tests that kill it or measure it:
 * stdin is the record stream; on exit it prints one JSON line to stdout with the exit code, the
 * ingest summary and the process' peak RSS (process.resourceUsage().maxRSS, kB).
 */
import { main } from '../../cli/main.ts';

const [db, ...args] = process.argv.slice(2);
let out = '';
const code = await main(['node', 'flowmatrix', 'ingest', '--db', db as string, ...args, '-'], {
  out: (t) => void (out += t),
  err: (t) => void process.stderr.write(t),
  stdin: process.stdin,
});
process.stdout.write(`${JSON.stringify({ code, summary: JSON.parse(out || 'null'), maxRssKb: process.resourceUsage().maxRSS })}\n`);
