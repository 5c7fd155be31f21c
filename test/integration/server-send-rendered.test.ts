/**
 * sendRendered writes an answer's chunks with backpressure: a client that stops reading and then
 * goes away while the body waits for room must not leave the write (and the answer's bytes) waiting
 * for a 'drain' that never comes.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { sendRendered } from '../../server/http/send-rendered.ts';

test('a client gone while the body waits on backpressure settles the write, which stops', async () => {
  const chunk = new Uint8Array(1 << 16);
  const body = Array.from({ length: 512 }, () => chunk); // 32 MiB: far more than the socket buffers take
  let writing: Promise<unknown> | undefined;
  let waitingForRoom: () => void = () => undefined;
  const backpressured = new Promise<void>((r) => (waitingForRoom = r));
  const app = express();
  app.get('/big', (_req, res) => {
    const write = res.write.bind(res);
    // Tells the test once a write had to wait for room (the client reads nothing).
    res.write = ((...args: Parameters<typeof res.write>) => {
      const ok = write(...args);
      if (!ok) waitingForRoom();
      return ok;
    }) as typeof res.write;
    writing = sendRendered(res, { contentType: 'application/octet-stream', bytes: body.length * chunk.length, body });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    socket.pause(); // reads nothing: the server's writes fill the buffers
    socket.write('GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await backpressured;
    socket.destroy();
    const outcome = await Promise.race([writing!.then(() => 'settled'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000).unref())]);
    assert.equal(outcome, 'settled');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
