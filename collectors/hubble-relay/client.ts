/**
 * The gRPC client of hubble-relay's Observer service, from the .proto subset in ./proto
 * (wire-compatible with cilium/cilium api/v1). Messages are decoded as protojson-like objects:
 * field names as in the .proto, enums by name, 64-bit integers as strings, no default values.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { HubbleTls } from './config.ts';

export const PROTO_DIR = fileURLToPath(new URL('./proto', import.meta.url));

/** How proto-loader maps messages to objects: the choices protobuf's JSON mapping makes, except Timestamps and wrappers (protojson.ts). */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, enums: String, longs: String, defaults: false, oneofs: false, includeDirs: [PROTO_DIR] };

let definition: protoLoader.PackageDefinition | undefined;

/** The Observer service definition (loaded once): for the client here and the in-process test server. */
export function observerDefinition(): protoLoader.PackageDefinition {
  return (definition ??= protoLoader.loadSync('observer/observer.proto', LOADER_OPTIONS));
}

export interface GetFlowsRequest {
  number?: string;
  first?: boolean;
  follow?: boolean;
  since?: { seconds: string; nanos: number };
  until?: { seconds: string; nanos: number };
}

export interface ObserverClient extends grpc.Client {
  GetFlows(request: GetFlowsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<Record<string, unknown>>;
}

export function observerService(): grpc.ServiceDefinition {
  const pkg = grpc.loadPackageDefinition(observerDefinition()) as unknown as { observer: { Observer: grpc.ServiceClientConstructor } };
  return pkg.observer.Observer.service;
}

export function observerClient(address: string, tls: HubbleTls | undefined): ObserverClient {
  const pkg = grpc.loadPackageDefinition(observerDefinition()) as unknown as { observer: { Observer: grpc.ServiceClientConstructor } };
  const credentials = tls ? grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
  const options: grpc.ChannelOptions = {
    // grpc-go servers refuse pings more often than every 5 minutes (keepalive EnforcementPolicy
    // MinTime default); this still finds a dead connection on a quiet stream.
    'grpc.keepalive_time_ms': 300_000,
    'grpc.keepalive_timeout_ms': 20_000,
    // Flows are small; a relay message is far below this, a bigger one is a broken stream.
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  };
  if (tls?.serverName) {
    options['grpc.ssl_target_name_override'] = tls.serverName;
    options['grpc.default_authority'] = tls.serverName;
  }
  return new pkg.observer.Observer(address, credentials, options) as unknown as ObserverClient;
}

/** Thrown by waitForReady when `signal` aborts first. */
export class ConnectStopped extends Error {
  override name = 'ConnectStopped';
}

/**
 * Resolves when the channel is connected, rejects after `timeoutMs` (unreachable, TLS refused), or
 * at once with ConnectStopped when `signal` aborts: a stop never waits for the connect timeout.
 */
export function waitForReady(client: grpc.Client, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = (): void => reject(new ConnectStopped('stopped while connecting'));
    if (signal?.aborted) return stopped();
    signal?.addEventListener('abort', stopped, { once: true });
    client.waitForReady(Date.now() + timeoutMs, (e) => {
      signal?.removeEventListener('abort', stopped);
      if (e) reject(e);
      else resolve();
    });
  });
}
