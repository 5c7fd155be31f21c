/**
 * A real gRPC server speaking the Observer service from the collector's own .proto (the same
 * wire format as hubble-relay), streaming recorded Hubble lines (`-o jsonpb` shape). It honours
 * GetFlowsRequest.since as Hubble does (flows at or after it; the boundary is included, the worst
 * case for double counting) and keeps a `follow` stream open until the client cancels.
 * Also: a TCP proxy that cuts a connection after a given number of bytes (a stream broken in the
 * middle of a message), and a throwaway CA and certificates made with openssl.
 */
import * as grpc from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { observerService } from '../../collectors/hubble-relay/client.ts';
import { timestampNanos, type WireTimestamp } from '../../collectors/hubble-relay/protojson.ts';

/** RFC 3339 (protojson) → a Timestamp message, exact to the nanosecond. */
export function parseTimestamp(text: string): { seconds: string; nanos: number } {
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 UTC time: ${text}`);
  return { seconds: String(Date.parse(`${m[1]}Z`) / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** A `-o jsonpb` line → the object proto-loader serializes (the inverse of responseToJson). */
export function toWire(line: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...line };
  const flow = line.flow as Record<string, unknown> | undefined;
  if (flow) {
    const f: Record<string, unknown> = { ...flow };
    if (typeof f.time === 'string') f.time = parseTimestamp(f.time);
    if (typeof f.is_reply === 'boolean') f.is_reply = { value: f.is_reply };
    out.flow = f;
  }
  if (typeof line.time === 'string') out.time = parseTimestamp(line.time);
  return out;
}

export function flowTime(wire: Record<string, unknown>): bigint {
  const f = wire.flow as { time?: WireTimestamp } | undefined;
  return timestampNanos((f?.time ?? wire.time ?? {}) as WireTimestamp);
}

export interface RelayOptions {
  /** Recorded lines (jsonpb objects), streamed in time order. */
  lines: Record<string, unknown>[];
  port?: number;
  tls?: { ca: Buffer; cert: Buffer; key: Buffer; requireClientCert: boolean };
  /** After sending this many messages on a call, stop sending (the test then kills the server). */
  stallAfter?: number;
  /** Fail the first this many calls at once with UNAVAILABLE, as hubble-relay does with no peer to read from. */
  failCalls?: number;
  /** After sending the flows from `since` on, fail the call with UNAVAILABLE (a peer went away): each resume resends the flows at `since`, then fails again. */
  failAfterSend?: boolean;
}

export interface Relay {
  port: number;
  /** GetFlows calls received, with their requests. */
  requests: Record<string, unknown>[];
  /** Messages written to clients (all calls). */
  sent: number;
  /** Calls not ended yet: neither cancelled by the client nor ended by the relay. */
  open: number;
  kill(): void;
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const wires = options.lines.map(toWire).sort((a, b) => (flowTime(a) < flowTime(b) ? -1 : flowTime(a) > flowTime(b) ? 1 : 0));
  const server = new grpc.Server();
  const relay: Relay = {
    port: 0,
    requests: [],
    sent: 0,
    open: 0,
    kill: () => server.forceShutdown(),
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(observerService(), {
    GetFlows: (call: grpc.ServerWritableStream<Record<string, unknown>, Record<string, unknown>>) => {
      const req = call.request;
      relay.requests.push(req);
      relay.open++;
      let ended = false;
      const end = (): void => {
        if (!ended) relay.open--;
        ended = true;
      };
      call.on('cancelled', end);
      call.on('finish', end);
      call.on('error', end);
      if (relay.requests.length <= (options.failCalls ?? 0)) {
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'no peers' });
        return;
      }
      const since = req.since ? timestampNanos(req.since as WireTimestamp) : undefined;
      let n = 0;
      const send = async (): Promise<void> => {
        for (const w of wires) {
          if (call.cancelled) return;
          if (since !== undefined && flowTime(w) < since) continue;
          if (options.stallAfter !== undefined && n >= options.stallAfter) return;
          n++;
          relay.sent++;
          // Respect the client's flow control like a real server: wait when the buffer is full.
          if (!call.write(w)) await new Promise((r) => call.once('drain', r));
        }
        if (options.failAfterSend) setTimeout(() => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'peer went away' }), 10);
        else if (!req.follow) call.end();
      };
      void send();
    },
  });
  const creds = options.tls
    ? grpc.ServerCredentials.createSsl(options.tls.ca, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], options.tls.requireClientCert)
    : grpc.ServerCredentials.createInsecure();
  relay.port = await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${options.port ?? 0}`, creds, (e, port) => (e ? reject(e) : resolve(port))));
  return relay;
}

/** Forwards 127.0.0.1:port → target; the first connection is cut after `cutAfter` bytes from the server, later ones pass. */
export async function startCuttingProxy(targetPort: number, cutAfter: number): Promise<{ port: number; cuts: number; close(): void }> {
  let cuts = 0;
  let first = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const cutting = first;
    first = false;
    let bytes = 0;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (!cutting) return client.write(d);
      if (bytes + d.length < cutAfter) {
        bytes += d.length;
        return client.write(d);
      }
      client.write(d.subarray(0, cutAfter - bytes));
      cuts++;
      client.destroy();
      upstream.destroy();
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    port,
    get cuts() {
      return cuts;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

export interface TestPki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  cleanup(): void;
}

/** The committed test-only set, for machines without openssl (test/fixtures/tls-test-only/README.md). */
const FALLBACK_PKI = fileURLToPath(new URL('../fixtures/tls-test-only/', import.meta.url));

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway CA, a server certificate for `localhost`/`relay.test`/127.0.0.1 and a client certificate, made with openssl (else the committed test-only set). */
export function makeTestPki(): TestPki {
  if (!hasOpenssl()) {
    const p = (f: string) => join(FALLBACK_PKI, f);
    return { dir: FALLBACK_PKI, ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key'), cleanup: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-pki-'));
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=flowmatrix test CA');
  writeFileSync(p('server.ext'), 'subjectAltName=DNS:localhost,DNS:relay.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${who}.key`), '-out', p(`${who}.csr`), '-subj', `/CN=${who === 'server' ? 'localhost' : 'flowmatrix'}`);
    ssl('x509', '-req', '-in', p(`${who}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${who}.pem`), '-days', '1', '-extfile', p(`${who}.ext`));
  }
  return { dir, ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const read = (path: string): Buffer => readFileSync(path);
