/** Observed edges in a reviewer's words, as annotations and warnings name them. */
import type { Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';

/** The peer on the far side of `edge`, seen from the workload's `direction`. */
export const farEnd = (edge: EdgeTraffic, direction: Direction): Peer => (direction === 'ingress' ? edge.client : edge.server);

/** `from <far peer>` (ingress) or `to <far peer>` (egress). */
export const farEndWords = (edge: EdgeTraffic, direction: Direction): string => `${direction === 'ingress' ? 'from' : 'to'} ${peerWords(farEnd(edge, direction))}`;

/** One edge of a workload's side: `5432/TCP from shop/Deployment/api`, `443/TCP to 203.0.113.7`. */
export const sideEdgeWords = (edge: EdgeTraffic, direction: Direction): string => `${edge.port}/${edge.protocol} ${farEndWords(edge, direction)}`;

export function peerWords(p: Peer): string {
  switch (p.kind) {
    case 'workload':
    case 'dns':
      return workloadKey(p.workload);
    case 'apiserver':
      return 'the apiserver';
    case 'cilium-ingress':
      return "Cilium's Ingress proxy";
    case 'node':
    case 'kubelet':
      return `node ${p.node}`;
    case 'external':
    case 'unknown':
      return p.ip;
  }
}
