/** Child process for the memory benchmark: runs `flowmatrix ingest -` on stdin and reports its peak RSS. */
import { main } from '../../cli/main.ts';

const db = process.argv[2];
if (!db) throw new Error('usage: ingest-child.ts DB');
let out = '';
const code = await main(['node', 'flowmatrix', 'ingest', '--db', db, '--format', 'netobserv', '-'], {
  out: (t) => void (out += t),
  err: (t) => process.stderr.write(t),
  stdin: process.stdin,
});
const summary = JSON.parse(out) as { records: number; edges: number };
process.stdout.write(`${JSON.stringify({ code, records: summary.records, edges: summary.edges, maxRssKb: process.resourceUsage().maxRSS })}\n`);
