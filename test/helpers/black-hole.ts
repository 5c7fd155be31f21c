/**
 * A server that takes TCP connections and never answers (a black-holed endpoint): what a
 * collector meets when a relay or API server hangs. Closed, with the connections it holds,
 * after the test file.
 */
import net from 'node:net';
import { after } from 'node:test';

export interface BlackHole {
  port: number;
  /** The connections taken so far. */
  sockets: readonly net.Socket[];
}

export async function blackHole(): Promise<BlackHole> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, sockets };
}
