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
import { parseInventoryText, type RawObject } from '../collectors/inventory/parse.ts';
import { InventoryInputError } from '../collectors/inventory/fields.ts';
import { isIcmp, PROTOCOLS, type Protocol } from '../domain/flow.ts';
import { ipFamily, isIpAddress, isIpOrCidr, storedAddress } from '../domain/ip.ts';
import type { CiliumPolicySettings } from '../domain/inventory.ts';
import { parsePeerKey, peerKey, type Peer } from '../domain/peer.ts';
import { ENGINE_NAMES, type EngineName } from '../recommender/engines/types.ts';
import { clusterModel, type ClusterModel } from '../recommender/simulate/cluster.ts';
import { ciliumClusterNetworkPolicyNote, ciliumClusterNetworkPolicyReadingWarning, ciliumEgressNamedPortReadingWarning, isCiliumClusterNetworkPolicy, decide, engineOfKind, evaluatesKind, inferEngine, UNEVALUATED_EFFECT, verifyingEngine, type Decision, type PeerConnection } from '../recommender/simulate/decide.ts';
import { SIMULATORS } from '../recommender/simulate/index.ts';
import { judgesOwnHostOnIngress, judgesPeerByNode, PodsApart } from '../recommender/simulate/pods-apart.ts';
import { priorityTies } from '../recommender/simulate/clusternetworkpolicy/priority-ties.ts';
import type { SimCluster } from '../recommender/simulate/types.ts';
import type { CalicoSimulator } from '../recommender/simulate/calico.ts';
import { serviceAccountLabelWarnings } from '../recommender/simulate/calico/service-accounts.ts';
import { httpMatchWarnings } from '../recommender/simulate/calico/http-match.ts';
import { notIcmpWarnings } from '../recommender/simulate/calico/not-icmp.ts';
import { identitySelectorsTakenAsLacking } from '../recommender/simulate/pod-identity-selectors.ts';
import { shownNames } from '../recommender/verify/plugin-warnings.ts';
import { refusedSelectorMessage, refusedSelectors } from '../recommender/simulate/refused-selectors.ts';
import { hostPoliciesNotJudged, hostPolicyIds } from '../recommender/simulate/cilium/host-firewall.ts';
import { namesEgressPortOnCilium } from '../recommender/simulate/cilium/egress-port-names.ts';
import { alwaysNotSimulated, enforcementModeWarnings } from '../recommender/simulate/cilium/enforcement-mode.ts';
import { localHostNotSimulated } from '../recommender/simulate/cilium/local-host.ts';
import { engineAdmissionErrors } from '../recommender/verify/admission/index.ts';
import { manifestErrors, manifestId, namedErrors, SCHEMA_FILES, type CrdChannel, type ManifestError } from '../recommender/verify/index.ts';
import { networkPlugin } from '../recommender/simulate/network-plugin.ts';
import { manifestIdentity } from '../recommender/verify/recommendation.ts';
import { kindName } from '../recommender/engines/manifest-id.ts';
import type { Db } from '../store/db.ts';
import { readInventory, readResolutionData } from '../store/inventory.ts';
import { readExternalNames } from '../store/recommend-read.ts';
import { YamlTooLarge } from '../domain/yaml-document.ts';
import { asStoredPolicy } from '../domain/plain-object.ts';
import { networkSetKind } from '../domain/calico-network-sets.ts';
import { invalidInput, tooLarge } from './errors.ts';
import { namespaceAssumedWarnings } from './simulate-namespace.ts';
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
  /** Policies given as YAML of more tokens are refused (`too-large`) before they are parsed: the API sets it. */
  maxYamlTokens?: number;
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
  /** See Simulation.warnings. */
  warnings: string[];
  decisions: FlowDecision[];
}

/** A policy given, and where it sits in the input (`document 3`, `[2]`, `items[0]`): what names one that has no name. */
interface GivenPolicy {
  obj: unknown;
  where: string;
}

function parsePolicies(text: string, maxYamlTokens: number | undefined): GivenPolicy[] {
  let objects: RawObject[];
  try {
    objects = parseInventoryText(text, maxYamlTokens !== undefined ? { maxYamlTokens } : {});
  } catch (e) {
    if (e instanceof InventoryInputError) throw invalidInput(`policies: ${e.message}`);
    if (e instanceof YamlTooLarge) throw tooLarge(`policies: ${e.message} (values, indicators, indentation, line breaks), more than the service parses (server.maxYamlTokens; YAML costs about 1 KB of memory per value): send the manifests as a JSON array, which is parsed cheaply`);
    throw e;
  }
  refuseDuplicates(objects);
  // Read as the API server stores them: a field written as null is absent, a NetworkPolicy's null list item decoded (asStoredPolicy).
  return objects.map((o) => ({ obj: asStoredPolicy(o.obj), where: o.where }));
}

const hasName = (m: unknown): boolean => typeof (m as { metadata?: { name?: unknown } } | null)?.metadata?.name === 'string';

/** How a policy is named in a problem: `Kind/namespace/name`, or, without a name, where it sits (`NetworkPolicy/shop/(no name, document 3)`). */
function policyName(p: GivenPolicy): string {
  if (hasName(p.obj)) return manifestId(p.obj);
  const o = p.obj as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown } };
  const ns = o.metadata?.namespace;
  return `${kindName(o.apiVersion, o.kind)}/${typeof ns === 'string' ? `${ns}/` : ''}(no name, ${p.where})`;
}

/**
 * Two policies of one kind, namespace and name: a cluster holds one object per name (applying the
 * file leaves the last), so simulating both at once would answer for no cluster. Refused, naming
 * where each is.
 */
function refuseDuplicates(objects: readonly RawObject[]): void {
  const first = new Map<string, RawObject>();
  const problems: { path: string; message: string }[] = [];
  for (const o of objects) {
    // Nameless manifests are no one object: each is refused for its missing name (refuseInadmissible).
    if (!hasName(o.obj)) continue;
    const id = manifestIdentity(o.obj as Parameters<typeof manifestIdentity>[0]);
    const seen = first.get(id);
    if (seen === undefined) first.set(id, o);
    else problems.push({ path: o.where || 'input', message: `${manifestId(o.obj)} again (first at ${seen.where || 'input'}): a cluster holds one object per kind, namespace and name` });
  }
  if (problems.length > 0) throw invalidInput(`policies: ${problems.length} duplicate policy name(s): keep one of each`, { problems });
}

function isEdgesJson(text: string): boolean {
  return /^\s*\[/.test(text);
}

/** The peers of one element of `edges -o json` (clientPeer/serverPeer objects, or client/server keys). */
function edgeConnection(x: unknown, index: number): PeerConnection {
  const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const peer = (obj: unknown, key: unknown, field: string): Peer => {
    // A peer object is read through its key: one check for both forms.
    const text = typeof obj === 'object' && obj !== null ? peerKey(obj as Peer) : key;
    const where = typeof obj === 'object' && obj !== null ? `${field}Peer` : field;
    if (typeof text !== 'string') throw invalidInput(`flows[${index}]: no ${field} (expected the edges JSON of \`flowmatrix edges -o json\`)`);
    let p: Peer;
    try {
      p = parsePeerKey(text);
    } catch (e) {
      throw invalidInput(`flows[${index}].${where}: ${(e as Error).message}`);
    }
    // A folded edge's peer is a block (docs/ingest.md "Bounded by design"): judged as one.
    if ((p.kind === 'external' || p.kind === 'unknown') && !isIpOrCidr(p.ip)) throw invalidInput(`flows[${index}].${where}: "${p.ip}" is not an IP address or a CIDR block`);
    // In the one spelling ingest stores an address by (storedAddress): `::ffff:203.0.113.5` is the
    // IPv4 host, which every simulator must read as IPv4 (Calico took it for an IPv6 end).
    if ((p.kind === 'external' || p.kind === 'unknown') && isIpAddress(p.ip)) return { ...p, ip: storedAddress(p.ip) };
    return p;
  };
  const port = o.port;
  const protocol = o.protocol;
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) throw invalidInput(`flows[${index}].protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  // ICMP has no port: its edges carry 0 (domain/flow.ts).
  if (isIcmp(protocol)) {
    if (port !== 0) throw invalidInput(`flows[${index}].port: ${protocol} has no port, expected 0, got ${JSON.stringify(port)}`);
  } else if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw invalidInput(`flows[${index}].port: expected 1–65535, got ${JSON.stringify(port)}`);
  return { client: peer(o.clientPeer, o.client, 'client'), server: peer(o.serverPeer, o.server, 'server'), port: port as number, protocol: protocol as Protocol };
}

function worst(decisions: Decision[]): Decision['verdict'] {
  if (decisions.some((d) => d.verdict === 'deny')) return 'deny';
  if (decisions.some((d) => d.verdict === 'unknown')) return 'unknown';
  return 'allow';
}

/** The policies, parsed and compiled by their engine's simulator over the stored cluster, ready to decide flows. */
export interface Simulation {
  engine: EngineName;
  /** How many policies were given. */
  policies: number;
  /** What the API server would warn about in the policies (each names the manifest and the field). */
  warnings: string[];
  /** What cannot be decided when the flows are edges (each side a workload, judged at its own label sets): said beside `warnings` for edges input only. */
  edgeWarnings: string[];
  /** Every element of an `edges -o json` array, decided in order. */
  decideEdges(json: string): FlowDecision[];
  /**
   * One NDJSON line in the given format: its flow record decided, or why it could not be
   * (`unknown` with a reason). `index` is the decision's place in the output, `line` the line's
   * number in the input.
   */
  decideLine(text: string, line: number, index: number): FlowDecision;
}

/**
 * Kinds read by a simulator that have no schema here, checked by their admission rules only:
 * Calico's Tier (the Tier CRD's CEL rules pin the built-in tiers' order and default action) and
 * network sets (a net that is no CIDR would match nothing).
 */
const ADMISSION_ONLY_KINDS = new Set(['projectcalico.org/v3 Tier', 'projectcalico.org/v3 GlobalNetworkSet', 'projectcalico.org/v3 NetworkSet']);

/**
 * Policies of a kind flowmatrix verifies that the engine's API server or agent would refuse
 * (recommender/verify: the schema, the name, the admission rules) are refused here too, every
 * problem named: a refused policy is never in force, so simulating with it (or silently without
 * it) would answer for a cluster that cannot exist; what the Cilium agent refuses as the stored
 * cilium-config configures it (`enable-icmp-rules`). Other objects pass (the simulators skip them).
 * A value only API servers with a feature gate on refuse (off by default) is taken as the gate's
 * default takes it, and one only a network-policy-api CRD channel refuses as the other channel
 * takes it (a field of the experimental channel, a CEL rule of its CRD), and warned about: the
 * warnings are returned. What both channels refuse is refused.
 */
function refuseInadmissible(policies: readonly GivenPolicy[], cilium: CiliumPolicySettings | undefined): string[] {
  const kindOf = (m: unknown): string => {
    const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown };
    return `${String(o.apiVersion)} ${String(o.kind)}`;
  };
  const named = (p: GivenPolicy, errors: ManifestError[]): ManifestError[] => (hasName(p.obj) ? errors : errors.map((e) => ({ ...e, manifest: policyName(p) })));
  const verified = policies.filter((p) => SCHEMA_FILES[kindOf(p.obj)] !== undefined);
  // No schema is kept for these, but their admission rules are: a refused Tier would order the policies of a cluster that cannot exist.
  const admissionOnly = policies.filter((p) => ADMISSION_ONLY_KINDS.has(kindOf(p.obj)));
  const all: ManifestError[] = [
    ...verified.flatMap((p) => named(p, manifestErrors([p.obj], cilium))),
    ...admissionOnly.flatMap((p) => named(p, namedErrors(p.obj, engineAdmissionErrors(p.obj, cilium)))),
  ];
  // A manifest one CRD channel refuses is taken as the other takes it; one both refuse is refused.
  const refusingChannels = new Map<string, Set<CrdChannel>>();
  for (const e of all) if (e.crdChannel !== undefined) refusingChannels.set(e.manifest, (refusingChannels.get(e.manifest) ?? new Set()).add(e.crdChannel));
  const everyChannelRefuses = (e: ManifestError): boolean => refusingChannels.get(e.manifest)?.size === 2;
  const errors = all.filter((e) => e.featureGate === undefined && (e.crdChannel === undefined || everyChannelRefuses(e)));
  const warnings = all.flatMap((e) =>
    e.featureGate !== undefined
      ? [`${e.manifest}${e.path}: ${e.message} (accepted with a warning by API servers without the ${e.featureGate} feature gate, refused with it)`]
      : e.crdChannel !== undefined && !everyChannelRefuses(e)
        ? [`${e.manifest}${e.path}: ${e.message} (refused where the network-policy-api ${e.crdChannel}-channel CRD is installed; the ${e.crdChannel === 'standard' ? 'experimental' : 'standard'} channel accepts it)`]
        : [],
  );
  if (errors.length === 0) return warnings;
  const manifests = [...new Set(errors.map((e) => e.manifest))];
  throw invalidInput(`${manifests.join(', ')}: the engine would refuse ${manifests.length === 1 ? 'it' : 'them'} (${errors.length} problem(s)), and a refused policy is never in force: fix or leave out`, {
    // The CLI names the input before the message; the API's body holds the problems.
    subject: 'policies',
    problems: errors.map((e) => ({ path: `${e.manifest}${e.path}`, message: e.crdChannel !== undefined ? `${e.message} (the ${e.crdChannel}-channel CRD)` : e.message })),
  });
}

/** The ClusterNetworkPolicies given, judged under both of Cilium's readings where its build is not known (decide.ts ciliumClusterNetworkPolicyReadingWarning). */
function clusterNetworkPolicyReadings(policies: readonly unknown[], cluster: SimCluster): string[] {
  const ids = policies.filter(isCiliumClusterNetworkPolicy).map(manifestId);
  const warning = ids.length === 0 ? undefined : ciliumClusterNetworkPolicyReadingWarning(ids.join(', '), cluster);
  return warning === undefined ? [] : [warning];
}

/** The policies given that name egress ports by name, judged under both of Cilium's readings where its release is not known (decide.ts ciliumEgressNamedPortReadingWarning). */
function egressNamedPortReadings(policies: readonly unknown[], cluster: SimCluster): string[] {
  const ids = policies.filter(namesEgressPortOnCilium).map(manifestId);
  const warning = ids.length === 0 ? undefined : ciliumEgressNamedPortReadingWarning(ids.join(', '), cluster);
  return warning === undefined ? [] : [warning];
}

/**
 * Policies of another engine's kinds, given with an engine named (`--engine`): that engine's
 * simulation leaves them out, yet where they are enforced they decide traffic too. `cilium`: the
 * stored cilium-config's settings, which say whether Cilium enforces ClusterNetworkPolicies.
 */
function notEvaluated(engine: EngineName, policies: readonly unknown[], cilium: CiliumPolicySettings | undefined): string[] {
  const out: string[] = [];
  const byEngine = new Map<EngineName, string[]>();
  for (const m of policies) {
    const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown };
    const of = engineOfKind(String(o.apiVersion), String(o.kind));
    // A network set decides nothing itself: the Calico policies selecting it are named.
    if (of === undefined || evaluatesKind(engine, String(o.apiVersion), String(o.kind), cilium) || networkSetKind(o.apiVersion, o.kind) !== undefined) continue;
    byEngine.set(of, [...(byEngine.get(of) ?? []), manifestId(m)]);
  }
  for (const [of, ids] of byEngine) {
    const effect = of === 'clusternetworkpolicy' && engine === 'cilium' ? `${UNEVALUATED_EFFECT[of]}; ${ciliumClusterNetworkPolicyNote(cilium)}` : UNEVALUATED_EFFECT[of];
    out.push(`${ids.join(', ')}: the ${engine} simulation does not evaluate ${ids.length === 1 ? 'this kind' : 'these kinds'}, left out; where the cluster enforces ${ids.length === 1 ? 'it' : 'them'} (${effect}) simulate with engine ${of}`);
  }
  return out;
}

/**
 * ClusterNetworkPolicies (and AdminNetworkPolicies) of one tier and priority that can match one
 * connection (priority-ties.ts): "the implementation can apply any of the matching policies"
 * (network-policy-api, `priority`), so the verdict the simulation gives (by name) is one of
 * several a cluster may give.
 */
function samePriority(policies: readonly unknown[], cluster: SimCluster): string[] {
  return priorityTies(policies, cluster).map(
    (t) => `${t.policies.join(', ')}: the same ${t.tier} tier, priority ${t.priority}; where more than one matches a connection the implementation may apply any of them (network-policy-api, "priority"): the verdicts here take them by name, a cluster may not`,
  );
}

/**
 * A selector on a pod's own StatefulSet labels picks pods of a workload, not the workload: an
 * edge's side is judged at each pod's own labels where the inventory lists them (pods-apart.ts);
 * at a StatefulSet none of whose pods it lists so, the verdicts take its pods as lacking the label,
 * said naming those StatefulSets, and only then. A flow record names the pod by its address, and
 * the pod holding it carries them (simulate/cluster.ts).
 */
function perPodSelectorWarnings(engine: EngineName, policies: readonly unknown[], model: ClusterModel): string[] {
  const { selectors, statefulSets } = identitySelectorsTakenAsLacking(engine, policies, model);
  return selectors.map(
    (s) =>
      `${s.policy}${s.path}: selects pods by ${s.labels.join(', ')}, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of ${shownNames(statefulSets)} with its own labels, so an edge's side there takes their pods as lacking the label: import their Pods, or simulate flow records to decide per pod`,
  );
}

/** Selectors apimachinery cannot build, which the API server stored (a network-policy-api CRD): how the engine reads each. */
function refusedSelectorWarnings(engine: EngineName, policies: readonly unknown[]): string[] {
  return refusedSelectors(engine, policies).map(refusedSelectorMessage);
}

/** Cilium host policies left out because the inventory does not say whether the host firewall is on (simulate/cilium/host-firewall.ts). */
function hostPolicyWarnings(policies: readonly unknown[], cluster: SimCluster): string[] {
  const ids = hostPolicyIds(policies);
  const warning = ids.length === 0 ? undefined : hostPoliciesNotJudged(ids.join(', '), cluster);
  return warning === undefined ? [] : [warning];
}

/** Whether flow text in `format` is the edges JSON of `edges -o json` rather than NDJSON records (`auto`: it starts with `[`). */
export function isEdgesInput(format: SimulateFlowFormat, text: string): boolean {
  return format === 'edges' || (format === 'auto' && isEdgesJson(text));
}

/**
 * Parses the policies, infers the engine when not given, and compiles the simulator over the
 * stored inventory: the part of `simulate` that does not depend on the flows (streamed by the CLI).
 */
export function prepareSimulation(db: Db, req: Omit<SimulateRequest, 'flows'>): Simulation {
  const given = parsePolicies(req.policies, req.maxYamlTokens);
  const policies = given.map((p) => p.obj);
  const inventory = readInventory(db);
  const model = clusterModel(inventory, readExternalNames(db));
  const plugin = networkPlugin(model, inventory.policies);
  let engine: EngineName;
  try {
    // The plugin the inventory shows decides who enforces the network-policy-api's kinds (decide.ts enforcingEngine).
    engine = req.engine ?? inferEngine(policies, plugin);
  } catch (e) {
    throw invalidInput(`policies: ${(e as Error).message}`);
  }
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) throw invalidInput(`unknown engine "${engine}": one of ${ENGINE_NAMES.join(', ')}`);
  const warnings = refuseInadmissible(given, inventory.ciliumPolicy);
  warnings.push(...namespaceAssumedWarnings(given));
  warnings.push(...notEvaluated(engine, policies, inventory.ciliumPolicy));
  warnings.push(...refusedSelectorWarnings(engine, policies));
  // Cilium enforces these policies — NetworkPolicies too on a cluster running it, as its own rules, and ClusterNetworkPolicies where its cilium-config says so (decide.ts verifyingEngine) —: its enforcement settings are said, as the recommendation's verification says them (engine-warnings.ts enforcementWarnings).
  const enforcedByCilium = verifyingEngine(engine, plugin, model.cluster.ciliumPolicy) === 'cilium';
  if (enforcedByCilium) warnings.push(...enforcementModeWarnings(model.cluster));
  if (engine === 'cilium') warnings.push(...hostPolicyWarnings(policies, model.cluster), ...clusterNetworkPolicyReadings(policies, model.cluster), ...egressNamedPortReadings(policies, model.cluster));
  else if (enforcedByCilium) warnings.push(...alwaysNotSimulated(model.cluster, engine), ...localHostNotSimulated(model.cluster, engine));
  if (engine === 'clusternetworkpolicy') warnings.push(...samePriority(policies, model.cluster));
  if (engine === 'calico') warnings.push(...serviceAccountLabelWarnings(policies), ...httpMatchWarnings(policies), ...notIcmpWarnings(policies));
  const sim = SIMULATORS[engine](policies, model.cluster);
  // What Calico would not enforce as written (a policy of a tier that does not exist, a
  // ClusterNetworkPolicy rule its conversion replaces or drops): the verdicts are Calico's, said why.
  if (engine === 'calico') warnings.push(...(sim as CalicoSimulator).ignored.map((i) => `${i.policy}: ${i.reason}`));
  // Whether an ipBlock matches pod addresses is the plugin's choice (kubernetes): the other reading's verdict is said where it differs.
  const otherReading = SIMULATORS[engine].ipBlocksMatchingPods?.(policies, model.cluster);
  // A connection to a workload may reach any of its pods: judged at each that the policies tell apart.
  const apart = new PodsApart(model, policies, { peerByNode: judgesPeerByNode(engine), ownHostOnIngress: judgesOwnHostOnIngress(engine) });
  const format = req.format ?? 'auto';
  let lines: { decoder: ReturnType<typeof decoderFor>; index: ResolutionIndex } | undefined;

  const decideEdges = (json: string): FlowDecision[] => {
    let edges: unknown;
    try {
      edges = JSON.parse(json);
    } catch (e) {
      throw invalidInput(`flows: not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(edges)) throw invalidInput('flows: expected a JSON array of edges (flowmatrix edges -o json)');
    return edges.map((x, index) => ({ index, ...decide(sim, model, edgeConnection(x, index), otherReading, apart) }));
  };

  const decideLine = (text: string, line: number, index: number): FlowDecision => {
    // Read once, on the first line: edges input never needs the flow resolution data.
    lines ??= { decoder: decoderFor(format as FlowFormat), index: new ResolutionIndex(readResolutionData(db)) };
    const head = { index, line };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ...head, verdict: 'unknown', reason: 'invalid-json' };
    }
    const d = lines.decoder.decode(parsed);
    if (d.kind !== 'flow') return { ...head, verdict: 'unknown', reason: d.kind === 'skip' ? `skipped: ${d.reason}` : `rejected: ${d.reason}${d.field ? ` (${d.field})` : ''}` };
    const resolved = resolveFlow(d.flow, lines.index);
    if (lines.index.beforeHistory(d.flow.time)) {
      return { ...head, verdict: 'unknown', reason: `skipped: before-history (the IP history before ${new Date(lines.index.historyFrom!).toISOString()} was deleted by retention)` };
    }
    const connections: Decision[] = [];
    let ambiguous = false;
    for (const c of resolved.connections) {
      if (c.kind === 'ambiguous') ambiguous = true;
      else {
        const family = ipFamily(c.server.ip);
        const seen = { clientIp: c.clientIp, serverIp: c.server.ip, ...(family !== undefined ? { family } : {}), ...(c.clientPort !== undefined ? { clientPort: c.clientPort } : {}) };
        connections.push(decide(sim, model, { client: c.client.peer, server: c.server.peer, port: c.server.port ?? 0, protocol: d.flow.protocol, seen }, otherReading, apart));
      }
    }
    if (connections.length === 0) return { ...head, verdict: 'unknown', reason: ambiguous ? 'ambiguous: nothing tells which side is the client' : 'no connection resolved' };
    if (connections.length === 1) return { ...head, ...connections[0]! };
    return { ...head, verdict: worst(connections), connections };
  };

  return { engine, policies: policies.length, warnings, edgeWarnings: perPodSelectorWarnings(engine, policies, model), decideEdges, decideLine };
}

/** `simulate` on flows given as one text (the API's request body). */
export function simulateFlows(db: Db, req: SimulateRequest): SimulateResult {
  const s = prepareSimulation(db, req);
  if (isEdgesInput(req.format ?? 'auto', req.flows)) return { engine: s.engine, policies: s.policies, warnings: [...s.warnings, ...s.edgeWarnings], decisions: s.decideEdges(req.flows) };
  const decisions: FlowDecision[] = [];
  req.flows.split('\n').forEach((text, i) => {
    if (text.trim() !== '') decisions.push(s.decideLine(text, i + 1, decisions.length));
  });
  return { engine: s.engine, policies: s.policies, warnings: s.warnings, decisions };
}
