/**
 * `collectors.hubble` in the service config: where hubble-relay listens, TLS, how far back to
 * start, retry and queue bounds. Checked when the collector is created (errors name the key).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CollectorConfigError, DURATION_PATTERN, parseDuration, readConfigFile } from '../config-values.ts';

const strict = { additionalProperties: false };
const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, description });

export const HubbleRelayConfig = Type.Object(
  {
    /** A section starts the collector; `false` keeps the section but turns it off. */
    enabled: Type.Optional(Type.Boolean()),
    /** host:port of hubble-relay's gRPC service (in-cluster: hubble-relay.kube-system.svc:80). */
    address: Type.String({ minLength: 1, description: 'host:port of hubble-relay' }),
    tls: Type.Optional(
      Type.Object(
        {
          /** PEM CA bundle that signed the relay's certificate; without it the system roots. */
          ca: Type.Optional(Type.String({ minLength: 1 })),
          /** PEM client certificate and key, for mutual TLS (both or neither). */
          cert: Type.Optional(Type.String({ minLength: 1 })),
          key: Type.Optional(Type.String({ minLength: 1 })),
          /** Name to check the relay's certificate against, when it differs from the address's host. */
          serverName: Type.Optional(Type.String({ minLength: 1 })),
        },
        strict,
      ),
    ),
    /** On start, ask for the flows of this last period still in the relay's buffer (e.g. 5m); default: new flows only. */
    since: Type.Optional(Duration('start this far back')),
    /** `collect hubble --once`: the period to read (default 5m). */
    onceSince: Type.Optional(Duration('period one pass reads')),
    /** Reconnect after this long anyway (resuming from the last flow), so the run sees inventory changes (default 1h). */
    refresh: Type.Optional(Duration('session length')),
    /**
     * A stream with no message for this long: `collect hubble --once` gives up, keeps what it got and
     * fails (default 30s); a followed stream is ended and resumed (default 5m).
     */
    idleTimeout: Type.Optional(Type.Object({ once: Type.Optional(Duration('longest quiet of a one-shot pass')), follow: Type.Optional(Duration('longest quiet of a followed stream')) }, strict)),
    /** Flows held between the stream and the writer; the stream is paused when full (default 10000). */
    queueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** Records per transaction (default 20000) and longest wait before a commit (default 5s). */
    batchSize: Type.Optional(Type.Integer({ minimum: 1 })),
    flushInterval: Type.Optional(Duration('commit at least this often')),
    /** Retry delays: capped exponential with full jitter (defaults 1s and 60s). */
    backoff: Type.Optional(Type.Object({ initial: Type.Optional(Duration('first retry bound')), max: Type.Optional(Duration('largest retry delay')) }, strict)),
  },
  strict,
);
export type HubbleRelayConfigT = Static<typeof HubbleRelayConfig>;

export interface HubbleTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  serverName?: string;
}

/** The config with defaults filled in and files read. */
export interface HubbleRelaySettings {
  address: string;
  tls?: HubbleTls;
  sinceMs?: number;
  onceSinceMs: number;
  refreshMs: number;
  idleTimeoutMs: { once: number; follow: number };
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  backoff: { initialMs: number; maxMs: number };
}

const KEY = 'collectors.hubble';

/** host:port, [v6]:port, or a dns:/unix: target grpc-js understands. */
function checkAddress(address: string): void {
  if (/^(dns|unix|unix-abstract|ipv4|ipv6):/.test(address)) return;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new CollectorConfigError(`${KEY}.address`, `not host:port; got ${JSON.stringify(address)}`);
}

export function resolveHubbleRelaySettings(c: HubbleRelayConfigT): HubbleRelaySettings {
  checkAddress(c.address);
  const s: HubbleRelaySettings = {
    address: c.address,
    onceSinceMs: parseDuration(`${KEY}.onceSince`, c.onceSince ?? '5m'),
    refreshMs: parseDuration(`${KEY}.refresh`, c.refresh ?? '1h'),
    idleTimeoutMs: { once: parseDuration(`${KEY}.idleTimeout.once`, c.idleTimeout?.once ?? '30s'), follow: parseDuration(`${KEY}.idleTimeout.follow`, c.idleTimeout?.follow ?? '5m') },
    queueSize: c.queueSize ?? 10_000,
    batchSize: c.batchSize ?? 20_000,
    flushIntervalMs: parseDuration(`${KEY}.flushInterval`, c.flushInterval ?? '5s'),
    backoff: { initialMs: parseDuration(`${KEY}.backoff.initial`, c.backoff?.initial ?? '1s'), maxMs: parseDuration(`${KEY}.backoff.max`, c.backoff?.max ?? '60s') },
  };
  if (s.backoff.maxMs < s.backoff.initialMs) throw new CollectorConfigError(`${KEY}.backoff.max`, 'must not be shorter than backoff.initial');
  if (c.since !== undefined) s.sinceMs = parseDuration(`${KEY}.since`, c.since);
  if (c.tls) {
    const t = c.tls;
    if ((t.cert === undefined) !== (t.key === undefined)) throw new CollectorConfigError(`${KEY}.tls`, 'cert and key go together (mutual TLS needs both)');
    const tls: HubbleTls = {};
    if (t.ca !== undefined) tls.ca = readConfigFile(`${KEY}.tls.ca`, t.ca);
    if (t.cert !== undefined) tls.cert = readConfigFile(`${KEY}.tls.cert`, t.cert);
    if (t.key !== undefined) tls.key = readConfigFile(`${KEY}.tls.key`, t.key);
    if (t.serverName !== undefined) tls.serverName = t.serverName;
    s.tls = tls;
  }
  return s;
}
