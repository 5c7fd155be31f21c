/**
 * `simulate`: what one engine would decide for given flows under given policies, with the
 * policy and rule that decided each side. Policies come as manifests (a List, multi-document
 * YAML or JSON); flows as flow records in any ingest format (resolved and oriented through the
 * stored inventory, as ingest does) or as the edges JSON of `flowmatrix edges -o json`. Pods,
 * namespaces, nodes and the apiserver come from the stored inventory. One decision per input
 * flow, in input order: a record that resolves to several connections (a Service with several
 * backends) is decided on each, and denied when any of them is.
 */
import { decoderFor } from '../collectors/flows/auto.ts';
import { resolveFlow } from '../collectors/flows/connections.ts';
import type { FlowFormat } from '../collectors/flows/decode.ts';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import { parseInventoryText } from '../collectors/inventory/parse.ts';
import { InventoryInputError } from '../collectors/inventory/fields.ts';
import { PROTOCOLS, type Protocol } from '../domain/flow.ts';
import { parsePeerKey, type Peer } from '../domain/peer.ts';
import { ENGINE_NAMES, type EngineName } from '../recommender/engines/types.ts';
import { clusterModel } from '../recommender/simulate/cluster.ts';
import { decide, inferEngine, type Decision, type PeerConnection } from '../recommender/simulate/decide.ts';
import { SIMULATORS } from '../recommender/simulate/index.ts';
import type { Db } from '../store/db.ts';
import { readInventory, readResolutionData } from '../store/inventory.ts';
import { readExternalNames } from '../store/recommend-read.ts';
import { invalidInput } from './errors.ts';
import type { SimulateFlowFormat } from './simulate-formats.ts';

export { SIMULATE_FLOW_FORMATS, type SimulateFlowFormat } from './simulate-formats.ts';

export interface SimulateRequest {
  /** Inferred from the manifests' kinds when absent. */
  engine?: EngineName;
  /** Manifest text: a List, multi-document YAML, or JSON. */
  policies: string;
  /** NDJSON flow records, or the JSON array `edges -o json` prints. */
  flows: string;
  format?: SimulateFlowFormat;
}

/** One input flow's outcome. `index` is its place in the input (0-based), `line` its line when the input is NDJSON. */
export interface FlowDecision extends Partial<Decision> {
  index: number;
  line?: number;
  verdict: Decision['verdict'];
  reason?: string;
  /** Set when the record resolved to several connections: each of them. */
  connections?: Decision[];
}

export interface SimulateResult {
  engine: EngineName;
  policies: number;
  decisions: FlowDecision[];
}

function parsePolicies(text: string): unknown[] {
  try {
    return parseInventoryText(text).map((o) => o.obj);
  } catch (e) {
    if (e instanceof InventoryInputError) throw invalidInput(`policies: ${e.message}`, { subject: 'policies' });
    throw e;
  }
}

function isEdgesJson(text: string): boolean {
  return /^\s*\[/.test(text);
}

/** The peers of one element of `edges -o json` (clientPeer/serverPeer objects, or client/server keys). */
function edgeConnection(x: unknown, index: number): PeerConnection {
  const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const peer = (obj: unknown, key: unknown, field: string): Peer => {
    if (typeof obj === 'object' && obj !== null) return obj as Peer;
    if (typeof key === 'string') {
      try {
        return parsePeerKey(key);
      } catch (e) {
        throw invalidInput(`flows[${index}].${field}: ${(e as Error).message}`);
      }
    }
    throw invalidInput(`flows[${index}]: no ${field} (expected the edges JSON of \`flowmatrix edges -o json\`)`);
  };
  const port = o.port;
  const protocol = o.protocol;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw invalidInput(`flows[${index}].port: expected 1–65535, got ${JSON.stringify(port)}`);
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) throw invalidInput(`flows[${index}].protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  return { client: peer(o.clientPeer, o.client, 'client'), server: peer(o.serverPeer, o.server, 'server'), port, protocol: protocol as Protocol };
}

function worst(decisions: Decision[]): Decision['verdict'] {
  if (decisions.some((d) => d.verdict === 'deny')) return 'deny';
  if (decisions.some((d) => d.verdict === 'unknown')) return 'unknown';
  return 'allow';
}

export function simulateFlows(db: Db, req: SimulateRequest): SimulateResult {
  const policies = parsePolicies(req.policies);
  let engine: EngineName;
  try {
    engine = req.engine ?? inferEngine(policies);
  } catch (e) {
    throw invalidInput(`policies: ${(e as Error).message}`, { subject: 'policies' });
  }
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) throw invalidInput(`unknown engine "${engine}": one of ${ENGINE_NAMES.join(', ')}`);
  const model = clusterModel(readInventory(db), readExternalNames(db));
  const sim = SIMULATORS[engine](policies, model.cluster);
  const format = req.format ?? 'auto';
  const decisions: FlowDecision[] = [];

  if (format === 'edges' || (format === 'auto' && isEdgesJson(req.flows))) {
    let edges: unknown;
    try {
      edges = JSON.parse(req.flows);
    } catch (e) {
      throw invalidInput(`flows: not valid JSON: ${(e as Error).message}`, { subject: 'flows' });
    }
    if (!Array.isArray(edges)) throw invalidInput('flows: expected a JSON array of edges (flowmatrix edges -o json)', { subject: 'flows' });
    edges.forEach((x, index) => decisions.push({ index, ...decide(sim, model, edgeConnection(x, index)) }));
    return { engine, policies: policies.length, decisions };
  }

  const decoder = decoderFor(format as FlowFormat);
  const index = new ResolutionIndex(readResolutionData(db));
  const lines = req.flows.split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const head = { index: decisions.length, line: i + 1 };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      decisions.push({ ...head, verdict: 'unknown', reason: 'invalid-json' });
      return;
    }
    const d = decoder.decode(parsed);
    if (d.kind !== 'flow') {
      decisions.push({ ...head, verdict: 'unknown', reason: d.kind === 'skip' ? `skipped: ${d.reason}` : `rejected: ${d.reason}${d.field ? ` (${d.field})` : ''}` });
      return;
    }
    const connections: Decision[] = [];
    let ambiguous = false;
    for (const c of resolveFlow(d.flow, index).connections) {
      if (c.kind === 'ambiguous') ambiguous = true;
      else connections.push(decide(sim, model, { client: c.client.peer, server: c.server.peer, port: c.server.port ?? 0, protocol: d.flow.protocol }));
    }
    if (connections.length === 0) {
      decisions.push({ ...head, verdict: 'unknown', reason: ambiguous ? 'ambiguous: nothing tells which side is the client' : 'no connection resolved' });
      return;
    }
    if (connections.length === 1) decisions.push({ ...head, ...connections[0]! });
    else decisions.push({ ...head, verdict: worst(connections), connections });
  });
  return { engine, policies: policies.length, decisions };
}
