/**
 * The port an Istio-reported connection has on the wire. Istio's metrics name the application's
 * port (the collector takes it from the addressed Service or the server's one declared port), but
 * between mesh workloads ambient mode carries the connection to the destination pod as HBONE on
 * 15008/TCP, and a NetworkPolicy, enforced outside the pod, sees that port (domain/istio.ts, from
 * istio.io "Ambient and Kubernetes NetworkPolicy"). The edge is stored on the port the wire shows,
 * as a flow record of the same connection would be. Where the inventory cannot tell the data
 * plane (a namespace it does not list), the reported port is kept and a warning says what to allow.
 */
import { DATAPLANE_MODE_LABEL, HBONE_PORT, type MeshView } from '../../domain/istio.ts';
import { compareStrings } from '../../domain/order.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';

export class MeshWirePorts {
  private readonly warned = new Map<string, string>();

  constructor(private readonly mesh: MeshView) {}

  /** The port to store for a connection an Istio proxy reported on `port`. */
  wirePort(client: Peer, server: Peer, port: number, metric: string): number {
    if (port === HBONE_PORT) return port;
    const blind = [client, server].filter((p) => !this.mesh.decided(p));
    if (blind.length === 0) return this.mesh.tunnelled(client, server) ? HBONE_PORT : port;
    const key = `${peerKey(client)}|${peerKey(server)}|${port}`;
    if (!this.warned.has(key)) {
      const namespaces = [...new Set(blind.map((p) => (p.kind === 'workload' ? p.workload.namespace : '')))].sort(compareStrings).join(', ');
      this.warned.set(
        key,
        `${metric}: ${peerKey(client)} → ${peerKey(server)} is stored on ${port}/TCP, the port Istio reports; the inventory lists no namespace ${namespaces} (its ${DATAPLANE_MODE_LABEL} label), so whether ambient mode tunnels it as HBONE cannot be told: if it does, the policy must also allow ${HBONE_PORT}/TCP from the client to the server (import the namespaces, then collect again)`,
      );
    }
    return port;
  }

  /** The pass's warnings, in key order. */
  warnings(): string[] {
    return [...this.warned.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, w]) => w);
  }
}
