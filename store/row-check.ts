/**
 * Reads never fail on one bad row already stored (a row written before validation at the door,
 * or by hand): each edge row is checked by the same rules ingest applies, and a row that breaks
 * them is skipped, counted and reported (`SkippedRows`) instead of failing the read for everyone.
 */
import { isIcmp, MAX_COUNT, MAX_TIME_MS, PROTOCOLS } from '../domain/flow.ts';
import { isIpOrCidr } from '../domain/ip.ts';
import { dns1123LabelError, dns1123SubdomainError } from '../domain/k8s-names.ts';
import { isWorkloadKind, parsePeerKey, type Peer } from '../domain/peer.ts';

/** What a read left out: how many rows, and the first few with their id and why. */
export interface SkippedRows {
  count: number;
  examples: { table: string; id: number | string; problem: string }[];
}

export const newSkippedRows = (): SkippedRows => ({ count: 0, examples: [] });

const MAX_EXAMPLES = 10;

export function skipRow(into: SkippedRows | undefined, table: string, id: number | string, problem: string): void {
  if (!into) return;
  into.count++;
  if (into.examples.length < MAX_EXAMPLES) into.examples.push({ table, id, problem });
}

/** The peer a stored key names, or why it cannot be read. */
export function checkedPeer(key: unknown): Peer | string {
  if (typeof key !== 'string') return 'peer key is not text';
  let p: Peer;
  try {
    p = parsePeerKey(key);
  } catch (e) {
    return (e as Error).message;
  }
  switch (p.kind) {
    case 'workload':
    case 'dns': {
      const w = p.workload;
      if (!isWorkloadKind(w.kind)) return `peer "${key}": unknown workload kind`;
      const problem = dns1123LabelError(w.namespace) ?? dns1123SubdomainError(w.name);
      return problem ? `peer "${key}": namespace or name ${problem}` : p;
    }
    case 'node':
    case 'kubelet': {
      const problem = dns1123SubdomainError(p.node);
      return problem ? `peer "${key}": node name ${problem}` : p;
    }
    case 'external':
    case 'unknown':
      return isIpOrCidr(p.ip) ? p : `peer "${key}": not an IP address or CIDR`;
    case 'apiserver':
    case 'cilium-ingress':
      return p;
  }
}

/**
 * The store's door: a peer key the reads would skip as unreadable (`checkedPeer`) is refused when
 * written, naming the column, so a decoder bug fails its batch loudly instead of storing flows no
 * read ever returns (an `unknown:` peer of no address once did, from the Prometheus collector).
 */
export function assertStorablePeer(key: unknown, column: string): void {
  const p = checkedPeer(key);
  if (typeof p === 'string') throw new Error(`refused to store ${column} ${JSON.stringify(key)}: ${p}`);
}

export const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_COUNT;
export const isTime = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_TIME_MS;

/** An edge row's time columns (isTime) and count columns (isCount), as edgeValuesProblem takes them. */
export const EDGE_TIME_COLUMNS = ['first_seen', 'last_seen'] as const;
export const EDGE_COUNT_COLUMNS = ['flows', 'packets', 'bytes', 'forwarded', 'dropped', 'sources'] as const;
export type EdgeValueColumn = (typeof EDGE_TIME_COLUMNS)[number] | (typeof EDGE_COUNT_COLUMNS)[number];

/**
 * A SQL condition true for every edge row whose `columns` isTime / isCount would refuse: lets a
 * read that does not select those columns find the rows to check by edgeValuesProblem, which stays
 * the rule. A range is enough: the edges table is STRICT (migration 0001), its INTEGER NOT NULL
 * columns hold integers only, and better-sqlite3 reads one past 2^53 as a number past MAX_COUNT
 * (a typeof() test would double the scan's cost for nothing).
 */
export function edgeValuesFaultSql(columns: readonly EdgeValueColumn[]): string {
  const max = (c: EdgeValueColumn): number => ((EDGE_TIME_COLUMNS as readonly string[]).includes(c) ? MAX_TIME_MS : MAX_COUNT);
  return columns.map((c) => `${c} NOT BETWEEN 0 AND ${String(max(c))}`).join(' OR ');
}

/** Why the scalar columns of an edge row cannot be read, or undefined. */
/**
 * An edge's port: a TCP, UDP or SCTP edge on 0 would fail every recommendation that reads it
 * (ambiguous pairs use 0 for "no port": not checked there).
 */
export function edgePortProblem(port: unknown, protocol: string): string | undefined {
  return port === 0 && !isIcmp(protocol) ? `port 0 is no ${protocol} port` : undefined;
}

export function edgeValuesProblem(port: unknown, protocol: unknown, times: unknown[], counts: unknown[]): string | undefined {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) return `port ${String(port)} is not 0-65535`;
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) return `protocol ${String(protocol)} is not one of ${PROTOCOLS.join(', ')}`;
  if (!times.every(isTime)) return `a time (${times.map(String).join(', ')}) is outside the Date range`;
  if (!counts.every(isCount)) return `a count (${counts.map(String).join(', ')}) is not a non-negative safe integer`;
  return undefined;
}
