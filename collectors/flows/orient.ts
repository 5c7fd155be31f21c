/**
 * Stage 4 (orient): which side is the client. In order: the handshake the record carries (unless
 * the ports contradict it, `contradictsPorts`); a side
 * addressed through a Service; a side whose port is one it declares; a well-known port (< 1024)
 * against an ephemeral one (≥ 32768). A registered port such as 8080 against 443 proves nothing. Anything else is ambiguous and never becomes an edge, so an
 * ephemeral client port can never turn into an allowed server port.
 */
import type { HandshakeHint } from '../../domain/flow.ts';
import type { Peer } from '../../domain/peer.ts';
import type { ResolvedSide } from './resolve.ts';

export const WELL_KNOWN_MAX = 1023;
/** Start of Linux's default ephemeral range (net.ipv4.ip_local_port_range 32768–60999); IANA's starts higher, at 49152. */
export const EPHEMERAL_MIN = 32768;

export type OrientedBy = 'handshake' | 'service' | 'declared-port' | 'well-known-port';

export type Orientation =
  | { kind: 'oriented'; client: ResolvedSide; server: ResolvedSide; by: OrientedBy }
  | { kind: 'ambiguous' };

function declares(s: ResolvedSide): boolean {
  return s.port !== undefined && s.declaredPorts.has(s.port);
}

/**
 * A handshake that makes a server of an ephemeral port its side does not declare, against a client
 * on a port the client declares or a well-known port (an HTTPS server's 443), contradicts the
 * ports: an agent without NetObserv's SYN_ACK flag reports a server's SYN+ACK as a plain SYN
 * (Flags 18). Trusting it would make a rule to an ephemeral port, so the flow is ambiguous. When
 * the hint is only OR'd flags (`oredFlags`), a client port below the ephemeral range (a server's
 * undeclared 8443) contradicts it too: clients send from the ephemeral range.
 */
function contradictsPorts(client: ResolvedSide, server: ResolvedSide, oredFlags: boolean): boolean {
  if (server.port === undefined || server.port < EPHEMERAL_MIN || server.declaredPorts.has(server.port)) return false;
  if (client.port === undefined) return false;
  return declares(client) || client.port <= WELL_KNOWN_MAX || (oredFlags && client.port < EPHEMERAL_MIN);
}

export function orient(src: ResolvedSide, dst: ResolvedSide, hint: HandshakeHint, oredFlags = false): Orientation {
  if (hint === 'src-is-client') return contradictsPorts(src, dst, oredFlags) ? { kind: 'ambiguous' } : { kind: 'oriented', client: src, server: dst, by: 'handshake' };
  if (hint === 'dst-is-client') return contradictsPorts(dst, src, oredFlags) ? { kind: 'ambiguous' } : { kind: 'oriented', client: dst, server: src, by: 'handshake' };
  if (src.viaService !== dst.viaService) {
    return dst.viaService ? { kind: 'oriented', client: src, server: dst, by: 'service' } : { kind: 'oriented', client: dst, server: src, by: 'service' };
  }
  const sd = declares(src);
  const dd = declares(dst);
  if (sd !== dd) return dd ? { kind: 'oriented', client: src, server: dst, by: 'declared-port' } : { kind: 'oriented', client: dst, server: src, by: 'declared-port' };
  const sp = src.port;
  const dp = dst.port;
  if (sp !== undefined && dp !== undefined) {
    if (dp <= WELL_KNOWN_MAX && sp >= EPHEMERAL_MIN) return { kind: 'oriented', client: src, server: dst, by: 'well-known-port' };
    if (sp <= WELL_KNOWN_MAX && dp >= EPHEMERAL_MIN) return { kind: 'oriented', client: dst, server: src, by: 'well-known-port' };
  }
  return { kind: 'ambiguous' };
}

/**
 * Traffic from the server pod's own node (kubelet probes, node-local agents) is recorded under a
 * `kubelet` peer: visible, but never mistaken for a peer a policy should allow.
 */
export function clientPeer(client: ResolvedSide, server: ResolvedSide): { peer: Peer; key: string } {
  const c = client.peer;
  const s = server.peer;
  if (c.kind === 'node' && (s.kind === 'workload' || s.kind === 'dns') && (client.localHost || (server.node !== undefined && server.node === c.node))) {
    return { peer: { kind: 'kubelet', node: c.node }, key: `kubelet:${c.node}` };
  }
  // The side itself, not a copy of its peer and key: one object less per connection.
  return client;
}

/** The server side as the connection makes it (`ResolvedSide.whenServer`). */
export const serverSide = (server: ResolvedSide): ResolvedSide => server.whenServer ?? server;
