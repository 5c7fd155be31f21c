/**
 * Run as a child process by files-collector.test.ts: follows one file with one record per
 * transaction and prints "ready" once N lines went through, so the test can kill -9 it mid-way.
 * argv: DB_PATH FILE_PATH FORMAT N
 */
import { pino } from 'pino';
import { FilesCollector } from '../../collectors/files/collector.ts';
import { resolveFilesSettings } from '../../collectors/files/config.ts';
import type { FlowFormat } from '../../collectors/flows/decode.ts';
import { openDb } from '../../store/db.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const [dbPath, path, format, n] = process.argv.slice(2) as [string, string, FlowFormat, string];
const db = openDb(dbPath);
const c = new FilesCollector(resolveFilesSettings({ files: [{ path, format }], batchSize: 1, pollInterval: '10ms' }), { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: DEFAULT_INGEST_LIMITS });
await c.start();
const timer = setInterval(() => {
  if ((c.status().counters.lines ?? 0) >= Number(n)) {
    clearInterval(timer);
    process.stdout.write('ready\n');
  }
}, 1);
