/**
 * `flowmatrix ingest --db DB ARGS… -` run in a child process for tests that kill it or measure it:
 * stdin is the record stream; on exit it prints one JSON line to stdout with the exit code, the
 * ingest summary, the process' peak RSS (process.resourceUsage().maxRSS, kB), its RSS before the
 * ingest started (`startRssKb`: node, tsx and the modules the ingest loads) and the largest V8 heap in use
 * seen between input chunks (`peakHeapKb`).
 */
import { main } from '../../cli/main.ts';

// The CLI loads a command's work when it runs (cli/commands/ingest.ts): load it before the start
// figure, so that `startRssKb` holds the modules (and tsx's transpiling of them, on a cold cache)
// and what the ingest adds is the ingest's own.
await Promise.all([
  import('../../cli/commands/ingest.ts'),
  import('../../app/ingest.ts'),
  import('../../collectors/flows/lines.ts'),
  import('../../store/edges.ts'),
  import('../../store/db.ts'),
  import('../../cli/progress.ts'),
]);
const [db, ...args] = process.argv.slice(2);
const startRssKb = Math.round(process.memoryUsage().rss / 1024);
let peakHeap = 0;
const sample = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
let out = '';
const code = await main(['node', 'flowmatrix', 'ingest', '--db', db as string, ...args, '-'], {
  out: (t) => void (out += t),
  err: (t) => void process.stderr.write(t),
  stdin: process.stdin,
});
clearInterval(sample);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
process.stdout.write(
  `${JSON.stringify({ code, summary: JSON.parse(out || 'null'), maxRssKb: process.resourceUsage().maxRSS, startRssKb, peakHeapKb: Math.round(peakHeap / 1024) })}\n`,
);
