/**
 * A folded edge's block (`external:0.0.0.0/0`, docs/ingest.md "Bounded by design") stands for
 * outside addresses the workload talked to, never for the cluster's own inside it: ingest
 * resolved a node, apiserver or pod address to its owner (or to `unknown:`). The recommendation
 * holds those out of the block's rule (synthesize/peers.ts), so a simulator that reads the block
 * as "all of it" denies the edge. Judged here as what it stands for: when the block is denied,
 * it is split into the pieces outside the cluster's own addresses (domain/cluster-own-blocks.ts,
 * the same addresses synthesis holds out) and allowed when every piece is.
 *
 * Allowing the whole block means allowing every piece (a rule that holds a block holds its parts,
 * a deny rule that touches a part touches the block), so a block allowed whole is not split.
 */
import { clusterOwnBlocks, ownBlocksInside } from '../../domain/cluster-own-blocks.ts';
import { subtractCidrs } from '../../domain/ip.ts';
import { combine, decideSide, sideAllows, type SideVerdict, type SimCluster, type SimEndpoint, type SimFlow, type Simulator, type SimulatorFactory } from './types.ts';
import type { Direction } from '../../domain/direction.ts';

/** The factory's simulators (and those of its other ipBlock reading) judging folded blocks as what they stand for. */
export function judgingFoldedBlocks(factory: SimulatorFactory): SimulatorFactory {
  const wrapped: SimulatorFactory = (policies, cluster) => foldedBlocksOutsideCluster(factory(policies, cluster), cluster);
  const other = factory.ipBlocksMatchingPods;
  if (other !== undefined) wrapped.ipBlocksMatchingPods = (policies, cluster) => foldedBlocksOutsideCluster(other(policies, cluster), cluster);
  return wrapped;
}

function foldedBlocksOutsideCluster(sim: Simulator, cluster: SimCluster): Simulator {
  const own = clusterOwnBlocks([...cluster.nodes.flatMap((n) => n.ips), ...cluster.apiserver.map((a) => a.ip)], cluster.podCIDRs);
  const ownAll = [...own.hosts, ...own.pods];
  // One endpoint object per piece: simulators cache per endpoint.
  const pieces = new Map<string, readonly SimEndpoint[]>();
  const piecesOf = (block: string): readonly SimEndpoint[] => {
    let p = pieces.get(block);
    if (p === undefined) {
      const holes = ownBlocksInside(block, ownAll);
      p = holes.length === 0 ? [] : subtractCidrs(block, holes).map((ip): SimEndpoint => ({ kind: 'external', ip }));
      pieces.set(block, p);
    }
    return p;
  };
  /** The flow once per piece of its folded end; empty when no end is a block holding the cluster's own. */
  const split = (flow: SimFlow): { block: string; flows: SimFlow[] } | undefined => {
    for (const end of ['server', 'client'] as const) {
      const e = flow[end];
      if (e.kind !== 'external' || !e.ip.includes('/')) continue;
      const p = piecesOf(e.ip);
      if (p.length > 0) return { block: e.ip, flows: p.map((piece) => ({ ...flow, [end]: piece }) as SimFlow) };
    }
    return undefined;
  };

  const side = (flow: SimFlow, direction: Direction): SideVerdict => {
    const whole = decideSide(sim, flow, direction);
    if (whole.allowed) return whole;
    const s = split(flow);
    if (s === undefined) return whole;
    let first: SideVerdict | undefined;
    for (const f of s.flows) {
      const v = decideSide(sim, f, direction);
      const piece = (direction === 'egress' ? f.server : f.client) as SimEndpoint & { ip: string };
      if (!v.allowed) return { ...v, reason: `${piece.ip} of ${s.block} (the block less the cluster's own addresses in it): ${v.reason}` };
      first ??= v;
    }
    return { ...first!, reason: `every address of ${s.block} but the cluster's own (nodes, apiserver, pod CIDRs) is allowed: ${first!.reason}` };
  };

  // The simulator's own members (Calico's `ignored`) stay readable through the wrapper.
  const wrapper: Simulator = Object.create(sim);
  return Object.assign(wrapper, {
    evaluate: (flow: SimFlow) => combine(side(flow, 'egress'), side(flow, 'ingress')),
    side,
    allows: (flow: SimFlow, direction: Direction) => {
      if (sideAllows(sim, flow, direction)) return true;
      const s = split(flow);
      return s !== undefined && s.flows.every((f) => sideAllows(sim, f, direction));
    },
  });
}
