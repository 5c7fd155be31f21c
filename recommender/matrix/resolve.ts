/**
 * Resolution: a matrix + the cluster inventory + the cluster config → the concrete expected
 * rules per component, with the workloads each component selects. Pure: no I/O, no clock.
 * What cannot be pinned down (absent components, unbound roles, unset parameters) becomes a
 * finding; it never fails the resolution.
 */
import { workloadKey } from '../../domain/peer.ts';
import { hasSelectablePods, workloadsWithPodNetworkPods } from '../../domain/pod-networks.ts';
import { DNS_CONVENTIONS, DNS_SERVICE_PORT, type DnsPort } from '../../domain/cluster-dns.ts';
import type { InventorySnapshot, LabelSelector } from '../../domain/inventory.ts';
import { ruleId, type Direction } from './ids.ts';
import { clusterFacts, comparePorts, namespacesMatching, resolveRole, rolePeers, selectWorkloads, sortRefs, uniquePorts } from './bindings.ts';
import { conjoin, evaluate, render, resolveParameters, type ParameterValues } from './parameters.ts';
import { canonicalSelector, selectorString } from './selector.ts';
import { componentPeers, leftOutWarning, podsLeftOut } from './component-pods.ts';
import { clusterDomainOf, NO_ANSWERS, resolveNamedPeers, type NameAnswers } from './service-names.ts';
import { wholeRef } from './syntax.ts';
import type { ComponentT, ConditionT, LabelSelectorT, MatricesConfigT, MatrixT, PeerT, PortSpecT, RuleT, SourceT, StanceT } from './schema.ts';
import type {
  Citation,
  ClusterFacts,
  ExpectedRule,
  Finding,
  ResolvedComponent,
  ResolvedMatrix,
  ResolvedPeer,
  ResolvedPort,
  RoleResolution,
  Stance,
} from './resolved.ts';
import { compareStrings } from '../../domain/order.ts';
import { own } from '../../domain/own.ts';

export interface MatrixEntry {
  matrix: MatrixT;
  origin: 'built-in' | 'applied';
  overridesBuiltIn: boolean;
}

interface Ctx {
  matrix: MatrixT;
  inv: InventorySnapshot;
  values: ParameterValues;
  facts: ClusterFacts;
  roles: Map<string, RoleResolution>;
  components: Map<string, ResolvedComponent>;
  declaredPorts: Map<string, ResolvedPort[]>;
  /** The workloads with a pod on the pod network (domain/pod-networks.ts). */
  podNetworkPods: ReadonlySet<string>;
  answers: NameAnswers;
  /** The cluster's DNS domain (config `clusterDomain`, service-names.ts DnsAsker). */
  clusterDomain: string;
}

function cite(matrix: MatrixT, s: SourceT): Citation {
  const d = own(matrix.documents, s.document);
  const c: Citation = { document: s.document, title: d?.title ?? s.document };
  if (d?.file) c.file = d.file;
  if (d?.url) c.url = d.url;
  if (s.line !== undefined) c.line = s.line;
  if (s.also) c.also = [...s.also];
  if (s.row !== undefined) c.row = s.row;
  return c;
}

function renderSelector(sel: LabelSelectorT, values: ParameterValues, missing: string[]): LabelSelector {
  const out: LabelSelector = {};
  if (sel.matchLabels) {
    out.matchLabels = {};
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      const r = render(v, values);
      if (r === undefined) missing.push(`label ${k}=${v} uses a parameter without a value`);
      out.matchLabels[k] = r ?? v;
    }
  }
  if (sel.matchExpressions) out.matchExpressions = sel.matchExpressions.map((e) => ({ ...e, values: e.values ? [...e.values] : undefined })).map(dropUndefined);
  return canonicalSelector(out);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function portNumber(v: number | string, values: ParameterValues, unresolved: string[]): { port?: number; name?: string } {
  if (typeof v === 'number') return { port: v };
  const ref = wholeRef(v);
  if (ref === undefined) return { name: v };
  const value = values.get(ref);
  if (typeof value === 'number') return { port: value };
  unresolved.push(`port parameter "${ref}" has no value`);
  return {};
}

function resolvePorts(ports: readonly PortSpecT[], values: ParameterValues, named: ResolvedPort[], unresolved: string[]): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const p of ports) {
    const start = portNumber(p.port, values, unresolved);
    if (start.port === undefined && start.name === undefined) continue;
    const rp: ResolvedPort = { protocol: p.protocol ?? 'TCP', ...start };
    if (rp.name !== undefined) {
      const known = named.find((n) => n.name === rp.name && n.protocol === rp.protocol);
      if (known?.port !== undefined) rp.port = known.port;
    }
    if (p.endPort !== undefined) {
      const end = portNumber(p.endPort, values, unresolved);
      if (end.port !== undefined) rp.endPort = end.port;
    }
    out.push(rp);
  }
  return out.sort(comparePorts);
}

function describePeer(peer: PeerT): string {
  if (typeof peer === 'string') return peer;
  if ('component' in peer) return `component ${peer.component}`;
  if ('role' in peer) return `role ${peer.role}`;
  if ('namespace' in peer) return peer.selector ? `pods in namespace ${peer.namespace}` : `namespace ${peer.namespace}`;
  if ('namespaceSelector' in peer) return 'pods of selected namespaces';
  if ('cidrs' in peer) return `cidrs ${peer.cidrs.join(', ')}`;
  return `fqdns ${peer.fqdns.join(', ')}`;
}

function resolvePeer(ctx: Ctx, self: ResolvedComponent, peer: PeerT, unresolved: string[]): ResolvedPeer[] {
  const { inv, facts, values } = ctx;
  if (peer === 'apiserver') return [{ kind: 'apiserver', endpoints: facts.apiserver.endpoints }];
  if (peer === 'dns') return [{ kind: 'dns', namespace: facts.dns.namespace, selector: facts.dns.selector, workloads: facts.dns.workloads }];
  if (peer === 'world') return [{ kind: 'world' }];
  if (peer === 'nodes') {
    const nodes = inv.nodes
      .map((n) => ({ name: n.name, addresses: n.addresses.filter((a) => a.type !== 'Hostname').map((a) => a.address).sort() }))
      .sort((a, b) => compareStrings(a.name, b.name));
    return [{ kind: 'nodes', nodes }];
  }
  if (peer === 'same-namespace') {
    if (self.namespace === undefined) {
      unresolved.push('the component namespace has no value');
      return [];
    }
    return [{ kind: 'same-namespace', namespace: self.namespace }];
  }
  if ('component' in peer) {
    const c = ctx.components.get(peer.component)!;
    if (c.namespace === undefined) {
      unresolved.push(`component ${c.name} has no namespace value`);
      return [];
    }
    return componentPeers(c);
  }
  if ('role' in peer) {
    const r = ctx.roles.get(peer.role)!;
    if (r.origin === 'unbound') unresolved.push(`role ${peer.role} is unbound`);
    return r.peers;
  }
  if ('cidrs' in peer) return [{ kind: 'cidr', cidrs: [...peer.cidrs].sort(), except: [...(peer.except ?? [])].sort() }];
  if ('fqdns' in peer) return [{ kind: 'fqdn', fqdns: [...peer.fqdns].sort() }];
  const missing: string[] = [];
  let namespaces: string[];
  let namespace: string | undefined;
  let namespaceSelector: LabelSelector | undefined;
  if ('namespace' in peer) {
    namespace = render(peer.namespace, values);
    if (namespace === undefined) {
      unresolved.push(`namespace ${peer.namespace} uses a parameter without a value`);
      return [];
    }
    namespaces = [namespace];
  } else {
    namespaceSelector = renderSelector(peer.namespaceSelector, values, missing);
    namespaces = namespacesMatching(inv, namespaceSelector);
  }
  if (!peer.selector) {
    return [namespace !== undefined ? { kind: 'namespace', namespace, namespaces } : { kind: 'namespace', namespaceSelector: namespaceSelector!, namespaces }];
  }
  const selector = renderSelector(peer.selector, values, missing);
  unresolved.push(...missing);
  const out: ResolvedPeer = { kind: 'pods', selector, namespaces, workloads: selectWorkloads(inv, new Set(namespaces), selector) };
  if (namespace !== undefined) out.namespace = namespace;
  else out.namespaceSelector = namespaceSelector!;
  return [out];
}

function expectedRule(ctx: Ctx, self: ResolvedComponent, owner: string, direction: Direction, rule: RuleT, shared: boolean): ExpectedRule {
  const unresolved: string[] = [];
  const { when, contradicts } = conjoin(self.condition?.when, rule.when);
  const cond = evaluate(when, ctx.values);
  for (const p of cond.unset) unresolved.push(`condition parameter "${p}" has no value`);
  for (const p of contradicts) unresolved.push(`condition parameter "${p}" allows no value its component's condition allows`);
  let peers = resolvePeer(ctx, self, rule.peer, unresolved);
  const namedPorts =
    direction === 'ingress' ? self.ports : typeof rule.peer === 'object' && 'component' in rule.peer ? (ctx.declaredPorts.get(rule.peer.component) ?? []) : [];
  let ports = resolvePorts(rule.ports ?? [], ctx.values, namedPorts, unresolved);
  const role = typeof rule.peer === 'object' && 'role' in rule.peer ? rule.peer.role : undefined;
  if ((rule.ports ?? []).length === 0 && role) {
    // "port depends on your setup" (seed 002): the binding's ports (taken as they are), else, to
    // pods the rule reaches, the ports they serve — of the rule's protocols only, when it names them.
    const r = ctx.roles.get(role);
    const served = (r?.servicePorts ?? []).filter((p) => rule.protocols === undefined || rule.protocols.includes(p.protocol));
    ports = r?.ports.length ? r.ports : direction === 'egress' ? served : [];
    if (r?.ports.length) peers = rolePeers(r);
  }
  if (role) peers = withoutOwnComponents(peers, ctx.components);
  if (rule.peer === 'dns') ports = dnsPodPorts(ports, ctx.facts.dns.ports);
  // A DNS name that leads into the cluster — a Service's, or one seen answering with pods — is
  // those pods, written in the rule or bound to its role alike (service-names.ts).
  // An egress rule's names are asked by the component's pods, whose search path starts with their namespace.
  const asker = { clusterDomain: ctx.clusterDomain, ...(direction === 'egress' && self.namespace !== undefined ? { namespace: self.namespace } : {}) };
  ({ peers, ports } = resolveNamedPeers(peers, ports, ctx.inv, ctx.answers, unresolved, asker));
  // "TCP, port depends on your setup" and nothing names the port: every port of that protocol only.
  if (ports.length === 0 && rule.protocols) ports = rule.protocols.map((protocol) => ({ protocol, port: 1, endPort: 65535 }));
  return {
    id: ruleId(ctx.matrix.metadata.name, owner, direction, rule),
    direction,
    level: rule.level,
    purpose: rule.purpose,
    source: cite(ctx.matrix, rule.source),
    ...(shared ? { shared: owner } : {}),
    peerRef: describePeer(rule.peer),
    ...(role ? { role } : {}),
    ...(role && ctx.roles.get(role)?.origin === 'unbound' ? { roleScope: ctx.roles.get(role)!.scope } : {}),
    peers,
    ports,
    ...(cond.result ? { condition: cond.result } : {}),
    active: self.enabled && self.present && cond.holds && unresolved.length === 0,
    unresolved,
  };
}

/**
 * A role's pods without the workloads its own matrix's components select: "a role never stands for
 * a component of its own matrix" (docs/matrices.md, Roles). Kyma's `otlp-clients` and
 * `scrape-targets`, "customer workloads" (seed 001 lines 18, 23) bound to every pod, otherwise
 * documented the metric agent's OTLP push to the metric gateway at both ends, a flow the ADR's
 * authoritative analysis does not list. The selector rendered stays the binding's.
 */
function withoutOwnComponents(peers: ResolvedPeer[], components: ReadonlyMap<string, ResolvedComponent>): ResolvedPeer[] {
  const own = new Set([...components.values()].flatMap((c) => c.workloads.map(workloadKey)));
  return peers.map((p) => (p.kind === 'pods' && p.component === undefined && p.workloads.some((w) => own.has(workloadKey(w))) ? { ...p, workloads: p.workloads.filter((w) => !own.has(workloadKey(w))) } : p));
}

/**
 * A matrix documents the DNS as clients ask it, on port 53; a policy sees the pods' own port
 * after the Service's DNAT (5353 on OpenShift): port 53 becomes the DNS pods' ports of its
 * protocol — each number, where the pods give the target port's name two (a rollout).
 */
function dnsPodPorts(ports: readonly ResolvedPort[], dns: readonly DnsPort[]): ResolvedPort[] {
  return uniquePorts(
    ports.flatMap((p) => {
      const pods = p.port === DNS_SERVICE_PORT && p.endPort === undefined ? dns.filter((d) => d.protocol === p.protocol) : [];
      return pods.length === 0 ? [p] : pods.map((d) => (d.port === p.port ? p : { protocol: p.protocol, port: d.port }));
    }),
  );
}

/** A direction's stance; the component's own condition is part of it (a disabled component is no authority). */
function stance(ctx: Ctx, s: StanceT | undefined, component: ConditionT | undefined): Stance {
  if (s === undefined || s === false) return { authoritative: false };
  const { when, contradicts } = conjoin(component, s === true ? undefined : s.when);
  const cond = evaluate(when, ctx.values);
  const out: Stance = { authoritative: cond.holds && contradicts.length === 0 };
  if (s === true) return cond.result ? { ...out, condition: cond.result } : out;
  if (s.purpose) out.purpose = s.purpose;
  if (s.source) out.source = cite(ctx.matrix, s.source);
  if (cond.result) out.condition = cond.result;
  return out;
}

function componentShell(ctx: Ctx, name: string, c: ComponentT): ResolvedComponent {
  const missing: string[] = [];
  const cond = evaluate(c.when, ctx.values);
  const namespace = render(c.namespace, ctx.values);
  const selector = renderSelector(c.selector, ctx.values, missing);
  const declared = typeof c.hostNetwork === 'object' ? evaluate(c.hostNetwork, ctx.values).holds : c.hostNetwork === true;
  const workloads = namespace !== undefined && missing.length === 0 ? selectWorkloads(ctx.inv, new Set([namespace]), selector) : [];
  // What the inventory shows wins over a matrix that does not say it: a host-network pod is reached
  // at its node's address, which no pod selector matches (ClusterNetworkPolicy: "host-networked
  // pods are not included in this type of peer"; NetworkPolicy podSelector likewise).
  const keys = new Set(workloads.map(workloadKey));
  const selected = ctx.inv.workloads.filter((w) => keys.has(workloadKey(w)));
  // A workload with pods on both networks is not: its pod-network pods are selected as any pods.
  const hostNetwork = declared || (selected.length > 0 && selected.every((w) => !hasSelectablePods(w, ctx.podNetworkPods)));
  const leavesOut = podsLeftOut(selector, selected.filter((w) => hasSelectablePods(w, ctx.podNetworkPods)), ctx.inv.podLabels);
  const ports = (c.ports ?? []).flatMap((decl) => {
    const [rp] = resolvePorts([{ port: decl.port, protocol: decl.protocol }], ctx.values, [], []);
    return rp ? [decl.name ? { ...rp, name: decl.name } : rp] : [];
  });
  const auth = c.authoritative;
  const out: ResolvedComponent = {
    name,
    ...(c.description ? { description: c.description } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    selector,
    hostNetwork,
    isolatable: !hostNetwork,
    enabled: cond.holds,
    ...(cond.result ? { condition: cond.result } : {}),
    present: workloads.length > 0,
    workloads: sortRefs(workloads),
    ...(leavesOut.length > 0 ? { leavesOut } : {}),
    ports: ports.sort(comparePorts),
    authoritative: {
      ingress: stance(ctx, typeof auth === 'object' ? auth.ingress : auth, c.when),
      egress: stance(ctx, typeof auth === 'object' ? auth.egress : auth, c.when),
    },
    exceptions: (c.exceptions ?? [])
      .map((e) => dropUndefined({ type: e.type, direction: e.direction, reason: e.reason, source: cite(ctx.matrix, e.source) }))
      .sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.direction ?? '', b.direction ?? '')),
    rules: [],
  };
  return out;
}

function compareRules(a: ExpectedRule, b: ExpectedRule): number {
  return compareStrings(b.direction, a.direction) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * `answers`: what the flows showed DNS names answering with (service-names.ts); none by default.
 * `podNetworkPods`: the inventory's workloadsWithPodNetworkPods, for a caller that has it already.
 */
export function resolveMatrix(
  entry: MatrixEntry,
  inv: InventorySnapshot,
  config: MatricesConfigT = {},
  answers: NameAnswers = NO_ANSWERS,
  podNetworkPods: ReadonlySet<string> = workloadsWithPodNetworkPods(inv.podAddresses),
): ResolvedMatrix {
  const { matrix } = entry;
  const sys = own(config.systems, matrix.metadata.name) ?? {};
  const params = resolveParameters(matrix, sys.parameters ?? {});
  const facts = clusterFacts(inv);
  const roles = new Map<string, RoleResolution>();
  for (const name of Object.keys(matrix.roles ?? {}).sort()) {
    roles.set(name, resolveRole(name, matrix.roles![name]!, own(config.bindings?.roles, name), inv));
  }
  const ctx: Ctx = { matrix, inv, values: params.values, facts, roles, components: new Map(), declaredPorts: new Map(), podNetworkPods, answers, clusterDomain: clusterDomainOf(config) };
  const names = Object.keys(matrix.components).sort();
  for (const name of names) {
    const shell = componentShell(ctx, name, matrix.components[name]!);
    ctx.components.set(name, shell);
    ctx.declaredPorts.set(name, shell.ports);
  }
  for (const name of names) {
    const c = matrix.components[name]!;
    const self = ctx.components.get(name)!;
    const rules: ExpectedRule[] = [];
    for (const direction of ['ingress', 'egress'] as const) {
      for (const r of c[direction] ?? []) rules.push(expectedRule(ctx, self, name, direction, r, false));
      for (const group of matrix.shared ?? []) {
        if (group.components !== '*' && !group.components.includes(name)) continue;
        for (const r of group[direction] ?? []) rules.push(expectedRule(ctx, self, group.name, direction, r, true));
      }
    }
    self.rules = rules.sort(compareRules);
  }
  const components = names.map((n) => ctx.components.get(n)!);
  return {
    name: matrix.metadata.name,
    title: matrix.metadata.title,
    ...(matrix.metadata.description ? { description: matrix.metadata.description } : {}),
    origin: entry.origin,
    overridesBuiltIn: entry.overridesBuiltIn,
    enabled: sys.enabled ?? true,
    detected: components.some((c) => c.present),
    parameters: params.list,
    roles: [...roles.values()],
    cluster: facts,
    components,
    findings: findings(matrix.metadata.name, components, [...roles.values()], params.list, facts),
  };
}

function findings(
  matrix: string,
  components: ResolvedComponent[],
  roles: RoleResolution[],
  parameters: ResolvedMatrix['parameters'],
  facts: ClusterFacts,
): Finding[] {
  const out: Finding[] = [];
  for (const c of components) {
    if (c.enabled && !c.present) {
      const where = c.namespace ?? '(namespace unset)';
      const sel = selectorString(c.selector);
      out.push({ kind: 'component-absent', subject: c.name, message: `no workload in namespace ${where} matches ${sel || 'the selector'}` });
    }
    if (c.enabled) for (const left of c.leavesOut ?? []) out.push({ kind: 'component-leaves-out-pods', subject: c.name, message: leftOutWarning(matrix, c, left) });
  }
  const liveRules = components.filter((c) => c.enabled && c.present).flatMap((c) => c.rules.filter((r) => r.condition?.holds !== false));
  for (const r of roles) {
    const usedBy = [...new Set(liveRules.filter((x) => x.role === r.role).map((x) => x.id))].sort();
    if (usedBy.length === 0) continue;
    if (r.origin === 'unbound') {
      out.push({ kind: 'role-unbound', subject: r.role, message: unboundMessage(r, usedBy) });
    } else if (r.peers.length > 0 && r.peers.every((p) => p.kind === 'pods' && p.workloads.length === 0)) {
      out.push({ kind: 'role-selects-nothing', subject: r.role, message: `role ${r.role} is bound (${r.origin}) but selects no workload of the inventory` });
    }
  }
  for (const p of parameters) {
    if (p.origin === 'unset') out.push({ kind: 'parameter-unset', subject: p.name, message: `parameter ${p.name} has no default and is not set: ${p.description}` });
  }
  const uses = (kind: ResolvedPeer['kind']) => liveRules.some((r) => r.peers.some((p) => p.kind === kind));
  if (facts.apiserver.endpoints.length === 0 && uses('apiserver')) {
    out.push({ kind: 'apiserver-unknown', subject: 'apiserver', message: 'the inventory has no default/kubernetes endpoints: rules to the apiserver have no address' });
  }
  if (facts.dns.origin === 'default' && uses('dns')) {
    out.push({ kind: 'dns-unknown', subject: 'dns', message: `no cluster DNS pods in the inventory (${DNS_CONVENTIONS.map((c) => `${c.namespace}/${c.service}`).join(' or ')}): rules to the DNS name ${facts.dns.via}` });
  }
  return out.sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.subject, b.subject));
}

/** `bind `log-backends` …`: what to set, and what it is for. */
export function unboundMessage(r: RoleResolution, usedBy: readonly string[]): string {
  return `bind \`${r.role}\` (${r.description}) in matrices.bindings.roles.${r.role}; until then these rules are inactive (a recommendation allows a must one from or to any peer on its ports, every port when it names none): ${usedBy.join(', ')}`;
}
