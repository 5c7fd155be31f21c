/**
 * One side of an ingest ratio, run in a fresh process by bench/ingest.ts (so neither side runs
 * warmed by, or after the garbage of, the other). Prints one JSON line:
 * `{side, records, edges, wallMs, cpuMs, maxRssKb}`; times cover the work only, not start-up.
 *
 *   ingest-child.ts SIDE FILE DB
 *
 * Sides:
 *   parse     split the bytes into lines and JSON.parse each: the floor of reading NDJSON.
 *   upsert    parse, aggregate the whole input by (client, server, port, protocol) and hour
 *             straight from the record's own fields, then upsert each edge and hourly bucket once,
 *             with the store's schema, in one transaction: the floor of parse + aggregate + upsert
 *             (no window can write less).
 *   pipeline  `flowmatrix ingest` as the CLI runs it (app/ingest.ts): decode, resolve against
 *             the stored inventory, orient, aggregate, batched writes.
 *   stdin     the CLI itself (`flowmatrix ingest -`) reading stdin, for the peak-RSS comparison.
 */
import { createReadStream } from 'node:fs';
import { ingestFlows } from '../../app/ingest.ts';
import { main } from '../../cli/main.ts';
import { MAX_COUNT } from '../../domain/flow.ts';
import { openDb, type Db } from '../../store/db.ts';

const HOUR_MS = 3_600_000;
const CHUNK = 1024 * 1024;

/** Calls `line` for each line of the file (split on '\n' with indexOf, like collectors/flows/lines.ts). */
async function eachLine(file: string, line: (text: string) => void): Promise<void> {
  let pending = '';
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK, encoding: 'utf8' })) {
    const text = pending + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (nl > start) line(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  if (pending) line(pending);
}

async function parseOnly(file: string): Promise<{ records: number; edges: number }> {
  let records = 0;
  await eachLine(file, (t) => {
    if (JSON.parse(t)) records++;
  });
  return { records, edges: 0 };
}

interface Agg {
  client: string;
  server: string;
  port: number;
  protocol: string;
  first: number;
  last: number;
  flows: number;
  packets: number;
  bytes: number;
  hours: Map<number, [number, number, number]>;
}

type NetobservRecord = Record<string, string | number | undefined>;

/** A record's side as a peer key, from its own metadata (no inventory). */
function side(r: NetobservRecord, p: 'Src' | 'Dst'): string {
  const owner = r[`${p}K8S_OwnerName`];
  return owner !== undefined ? `workload:${r[`${p}K8S_Namespace`]}/${r[`${p}K8S_OwnerType`]}/${owner}` : `external:${r[`${p}Addr`]}`;
}

async function parseAggregateUpsert(file: string, db: Db): Promise<{ records: number; edges: number }> {
  const upsertEdge = db.prepare(`
    INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 1)
    ON CONFLICT (client, server, port, protocol) DO UPDATE SET
      first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
      flows = min(flows + excluded.flows, ${MAX_COUNT}), packets = min(packets + excluded.packets, ${MAX_COUNT}),
      bytes = min(bytes + excluded.bytes, ${MAX_COUNT})
    RETURNING id`);
  const upsertHour = db.prepare(`
    INSERT INTO edge_hours (edge_id, hour, flows, packets, bytes) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (edge_id, hour) DO UPDATE SET flows = flows + excluded.flows, packets = packets + excluded.packets, bytes = bytes + excluded.bytes`);
  const write = db.transaction((batch: Iterable<Agg>) => {
    for (const e of batch) {
      const { id } = upsertEdge.get(e.client, e.server, e.port, e.protocol, e.first, e.last, e.flows, e.packets, e.bytes) as { id: number };
      for (const [hour, [f, p, b]] of e.hours) upsertHour.run(id, hour, f, p, b);
    }
  });
  const window = new Map<string, Agg>();
  let records = 0;
  await eachLine(file, (t) => {
    const r = JSON.parse(t) as NetobservRecord;
    records++;
    const client = side(r, 'Src');
    const server = side(r, 'Dst');
    const port = r.DstPort as number;
    const protocol = r.Proto === 17 ? 'UDP' : 'TCP';
    const time = r.TimeFlowEndMs as number;
    const key = `${client}\t${server}\t${port}\t${protocol}`;
    let e = window.get(key);
    if (!e) window.set(key, (e = { client, server, port, protocol, first: time, last: time, flows: 0, packets: 0, bytes: 0, hours: new Map() }));
    if (time < e.first) e.first = time;
    if (time > e.last) e.last = time;
    e.flows++;
    e.packets += r.Packets as number;
    e.bytes += r.Bytes as number;
    const hour = Math.floor(time / HOUR_MS);
    const h = e.hours.get(hour);
    if (h) {
      h[0]++;
      h[1] += r.Packets as number;
      h[2] += r.Bytes as number;
    } else e.hours.set(hour, [1, r.Packets as number, r.Bytes as number]);
  });
  write(window.values());
  return { records, edges: (db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n };
}

async function pipeline(file: string, db: Db): Promise<{ records: number; edges: number }> {
  const s = await ingestFlows(db, [{ name: file, open: () => createReadStream(file, { highWaterMark: CHUNK }) }], { format: 'netobserv' });
  return { records: s.records, edges: s.edgesTotal };
}

async function cliStdin(dbPath: string): Promise<{ records: number; edges: number }> {
  let out = '';
  const code = await main(['node', 'flowmatrix', 'ingest', '--db', dbPath, '--format', 'netobserv', '-'], {
    out: (t) => void (out += t),
    err: (t) => void process.stderr.write(t),
    stdin: process.stdin,
  });
  if (code !== 0) throw new Error(`flowmatrix ingest exited ${code}`);
  const s = JSON.parse(out) as { records: number; edgesTotal: number };
  return { records: s.records, edges: s.edgesTotal };
}

const [sideName, file, dbPath] = process.argv.slice(2);
if (!sideName || !file || !dbPath) throw new Error('usage: ingest-child.ts parse|upsert|pipeline|stdin FILE DB');
const db = sideName === 'upsert' || sideName === 'pipeline' ? openDb(dbPath) : undefined;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result =
  sideName === 'parse' ? await parseOnly(file)
  : sideName === 'upsert' ? await parseAggregateUpsert(file, db as Db)
  : sideName === 'pipeline' ? await pipeline(file, db as Db)
  : sideName === 'stdin' ? await cliStdin(dbPath)
  : undefined;
if (!result) throw new Error(`unknown side "${sideName}"`);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
db?.close();
process.stdout.write(`${JSON.stringify({ side: sideName, ...result, wallMs: Math.round(wallMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssKb: process.resourceUsage().maxRSS })}\n`);
