/**
 * `flowmatrix serve` on a database, in a child process for tests that kill it: listens on a free
 * loopback port and prints its URL as one line on stdout.
 */
import { pino } from 'pino';
import { configFor } from '../../server/config/load.ts';
import { startService } from '../../server/serve.ts';

const service = await startService(configFor({ dbPath: process.argv[2] as string, port: 0, host: '127.0.0.1' }), { logger: pino({ level: 'silent' }) });
process.stdout.write(`${service.url}\n`);
