/**
 * The service of the serve bench, in its own process as in production (bench/serve.ts forks
 * it): the bench's HTTP clients, which read two whole-cluster export bodies, then do not share
 * the service's event loop and cannot delay its /healthz answers themselves.
 *   serve-child.ts DB   starts the service on 127.0.0.1 (on BENCH_SERVE_PORT, by default a port
 *                       chosen by the system) and sends `{ url }` to the parent; it stops when
 *                       the parent disconnects.
 */
import { pino } from 'pino';
import { configFor } from '../../server/config/load.ts';
import { startService } from '../../server/serve.ts';

const [dbPath] = process.argv.slice(2);
if (!dbPath || !process.send) throw new Error('usage: fork serve-child.ts DB (with an IPC channel)');

const config = configFor({ dbPath, port: Number(process.env.BENCH_SERVE_PORT ?? 0), logLevel: 'silent', rateLimit: { requests: 0, windowSeconds: 60 } });
const service = await startService(config, { logger: pino({ level: 'silent' }) });
process.send({ url: service.url });
process.on('disconnect', () => void service.close('bench done').then(() => process.exit(0)));
