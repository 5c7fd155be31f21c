/**
 * The inventory in SQLite: snapshots in (one transaction each, with the IP history kept as
 * intervals), and the read models resolution, matrices and the recommender use.
 */
import type {
  ApiserverEndpoint,
  AppliedPolicy,
  ContainerPort,
  EndpointSlice,
  ExternalTrafficPolicy,
  Ingress,
  InventorySnapshot,
  Labels,
  LabelSelector,
  Namespace,
  Node,
  PodAddress,
  Service,
  Workload,
} from '../domain/inventory.ts';
import { formerControlPlaneNodes, type ApiserverAddressPeriod } from '../domain/apiserver.ts';
import { clusterDnsOf, DNS_CONVENTIONS, markClusterDns } from '../domain/cluster-dns.ts';
import { compareStrings } from '../domain/order.ts';
import { selectorMatches } from '../domain/label-selector.ts';
import { exposureOf, servicesByNamespace, storedServicesSelecting, withStoredIngressExposure } from '../domain/service-links.ts';
import { kindKey, SERVICE_CIDR_KEY, WORKLOAD_SCOPE_KIND } from '../domain/inventory.ts';
import type { IpInterval } from '../domain/ip-history.ts';
import { calicoCrdKey, calicoV3Key } from '../domain/calico-crd.ts';
import { bumpInventoryGeneration, inventoryGeneration, planIpHistory, writeIpHistoryPlan, type IpHistoryPlan } from './ip-history-plan.ts';
import { parseWorkloadKey, WORKLOAD_KINDS, workloadKey, type WorkloadKind, type WorkloadRef } from '../domain/peer.ts';
import type { AllowLocalhost, CiliumPolicySettings, EnablePolicy, CurrentApiserverEndpoint, FormerApiserverEndpoint, OwnerAlias, ServiceCidr } from '../domain/inventory.ts';
import type { ResolutionData } from '../domain/resolution.ts';
import type { Db } from './db.ts';
import { INTERVAL_COLUMNS, intervalOf, StoredIpHistory, type IntervalRow } from './ip-history-lookup.ts';
import { StoredGoneWorkloads } from './gone-workloads.ts';
import { readFormerClusterIps, recordFormerClusterIps } from './former-cluster-ips.ts';
import { backendInputsListedAt, readServiceBackendHistory, recordServiceBackends } from './service-backends.ts';
import type { NameSample } from './edge-names.ts';
import { toWorkload, WORKLOAD_ORDER, type WorkloadRow } from './workload-rows.ts';

/** Owner aliases not seen for this long are pruned: flows that old are not ingested any more. */
export const ALIAS_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface ApplyOptions {
  /** Where the snapshot came from: a file name, `-`, or a collector name. */
  source: string;
  /** Object counts to record with the import. */
  counts?: Record<string, number>;
  /**
   * Replace the last `inventory_imports` row when it has the same source, instead of adding one:
   * a watcher writes a snapshot per change, and the table would grow with events, not objects.
   */
  coalesce?: boolean;
  /**
   * The snapshot's IP-history changes as a reader planned them (store/ip-history-plan.ts): applied
   * when the store is still at the plan's generation, else planned again in this transaction.
   */
  plan?: IpHistoryPlan;
}

export interface ApplyResult {
  /**
   * The recorded import; absent when the snapshot held nothing to store (only kinds the import
   * ignores, or an empty list): none is recorded, so it cannot make a later backfill "older than
   * the last import".
   */
  importId?: number;
  /** Sections replaced by this snapshot (the others were left as they were). */
  replaced: string[];
  /** Replaced sections that now hold fewer objects than before: what was stored, what is now. */
  shrunk: { section: string; before: number; after: number }[];
  workloads: { inSnapshot: number; added: number; markedAbsent: number };
  /** The workloads this snapshot marked absent, in key order: stored as present, not in it though it holds their kind. */
  markedAbsent: WorkloadRef[];
  ipIntervals: { opened: number; closed: number };
  ownerAliases: { upserted: number; pruned: number };
  /** Stored owners' selectors that miss the import's pods (selectorToStore), and what linking the present workloads to the stored Services and Ingresses could not resolve; sorted. */
  warnings: string[];
}

export class SnapshotOrderError extends Error {
  override name = 'SnapshotOrderError';
}

export interface StoredWorkload extends Workload {
  present: boolean;
  firstSeen: number;
  lastSeen: number;
}

const json = (v: unknown): string => JSON.stringify(v);

/**
 * Writes a snapshot in one transaction: a failure leaves the database as it was.
 * Sections whose kinds are in `snapshot.scope` (all when absent) are replaced; others are untouched.
 */
export function applySnapshot(db: Db, snapshot: InventorySnapshot, options: ApplyOptions): ApplyResult {
  const t = snapshot.takenAt;
  const inScope = (key: string) => !snapshot.scope || snapshot.scope.includes(key);
  if (holdsNothing(snapshot)) {
    return { replaced: [], shrunk: [], workloads: { inSnapshot: 0, added: 0, markedAbsent: 0 }, markedAbsent: [], ipIntervals: { opened: 0, closed: 0 }, ownerAliases: { upserted: 0, pruned: 0 }, warnings: [] };
  }
  return db.transaction((): ApplyResult => {
    const last = (db.prepare('SELECT max(taken_at) AS t FROM inventory_imports').get() as { t: number | null }).t;
    if (last !== null && t < last) {
      throw new SnapshotOrderError(
        `snapshot taken at ${new Date(t).toISOString()} is older than the last import (${new Date(last).toISOString()}): import snapshots in the order they were taken`,
      );
    }
    // Read before any section is replaced: the previous pods and nodes decide claims' starts, and
    // when the Services' backends were last listed dates a change this import sees.
    const plan = options.plan !== undefined && options.plan.generation === inventoryGeneration(db) ? options.plan : planIpHistory(db, snapshot);
    const backendsListedAt = backendInputsListedAt(db, plan.podsListedAt);
    const replaced: string[] = [];
    const shrunk: ApplyResult['shrunk'] = [];
    /** Empties a section's table, noting it when the snapshot holds fewer objects than it did. */
    const replace = (section: string, table: string, after: number): void => {
      replaced.push(section);
      const before = db.prepare(`DELETE FROM ${table}`).run().changes;
      if (after < before) shrunk.push({ section, before, after });
    };
    if (inScope('Namespace')) {
      replace('namespaces', 'namespaces', snapshot.namespaces.length);
      const ins = db.prepare('INSERT INTO namespaces (name, labels, updated_at) VALUES (?, ?, ?)');
      for (const n of snapshot.namespaces) ins.run(n.name, json(n.labels), t);
    }
    if (inScope('Node')) {
      replace('nodes', 'nodes', snapshot.nodes.length);
      const ins = db.prepare('INSERT INTO nodes (name, labels, addresses, pod_cidrs, updated_at) VALUES (?, ?, ?, ?, ?)');
      for (const n of snapshot.nodes) ins.run(n.name, json(n.labels), json(n.addresses), json(n.podCIDRs), t);
    }
    if (inScope('Service')) {
      recordFormerClusterIps(db, readServices(db), snapshot.services, t);
      replace('services', 'services', snapshot.services.length);
      const ins = db.prepare('INSERT INTO services (namespace, name, type, cluster_ips, ports, selector, external_name, external_ips, load_balancer_ips, external_traffic_policy, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const s of snapshot.services) {
        ins.run(s.namespace, s.name, s.type, json(s.clusterIPs), json(s.ports), s.selector ? json(s.selector) : null, s.externalName ?? null, json(s.externalIPs ?? []), json(s.loadBalancerIPs ?? []), s.externalTrafficPolicy ?? null, s.createdAt ?? null, t);
      }
    }
    if (inScope(SERVICE_CIDR_KEY)) {
      const serviceCidrs = snapshot.serviceCidrs ?? [];
      replace('serviceCidrs', 'service_cidrs', serviceCidrs.length);
      const ins = db.prepare('INSERT INTO service_cidrs (name, cidrs, updated_at) VALUES (?, ?, ?)');
      for (const c of serviceCidrs) ins.run(c.name, json(c.cidrs), t);
    }
    if (inScope('EndpointSlice.discovery.k8s.io')) {
      replace('endpointSlices', 'endpoint_slices', snapshot.endpointSlices.length);
      const ins = db.prepare('INSERT INTO endpoint_slices (namespace, name, service, address_type, endpoints, ports, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const s of snapshot.endpointSlices) ins.run(s.namespace, s.name, s.service ?? null, s.addressType, json(s.endpoints), json(s.ports), t);
    }
    // An export filtered to some namespaces has no default/kubernetes: keep what is known then.
    if (snapshot.apiserver.length > 0) {
      replaced.push('apiserver');
      replaceApiserver(db, snapshot.apiserver, t);
    }
    if (inScope('Ingress.networking.k8s.io')) {
      const ingresses = snapshot.ingresses ?? [];
      replace('ingresses', 'ingresses', ingresses.length);
      const ins = db.prepare('INSERT INTO ingresses (namespace, name, backends, updated_at) VALUES (?, ?, ?, ?)');
      for (const i of ingresses) ins.run(i.namespace, i.name, json(i.backends), t);
      db.prepare('INSERT OR IGNORE INTO ingresses_known (id) VALUES (1)').run();
    }
    replacePolicies(db, snapshot, inScope, replaced);
    replaceCalicoCrdObjects(db, snapshot, inScope);
    const { warnings: selectorWarnings, absent: markedAbsent, ...workloads } = writeWorkloads(db, snapshot, inScope);
    const warnings = [...selectorWarnings, ...linkStoredWorkloads(db)].sort(compareStrings);
    const ownerAliases = writeAliases(db, snapshot);
    // The links, slices and aliases are this import's now: which workloads each Service sends to from `t`.
    recordServiceBackends(db, t, last, backendsListedAt);
    if (inScope('Pod')) {
      replaced.push('podAddresses');
      // Pods are replaced like the other kinds: a one-namespace export ends every other pod's address.
      const pods = new Set(snapshot.podAddresses.filter((a) => !a.hostNetwork).map((a) => `${a.namespace}/${a.pod}`)).size;
      if (pods < plan.previousPods) shrunk.push({ section: 'pods', before: plan.previousPods, after: pods });
      writePodAddresses(db, snapshot);
    }
    const ipIntervals = writeIpHistoryPlan(db, plan);
    bumpInventoryGeneration(db);
    const previous = options.coalesce
      ? (db.prepare('SELECT id, source FROM inventory_imports ORDER BY id DESC LIMIT 1').get() as { id: number; source: string } | undefined)
      : undefined;
    let importId: number;
    if (previous && previous.source === options.source) {
      db.prepare('UPDATE inventory_imports SET taken_at = ?, counts = ? WHERE id = ?').run(t, json(options.counts ?? {}), previous.id);
      // A write that did not list the cilium-config (its watch down) leaves what the record says of it.
      if (saysCiliumConfig(snapshot)) {
        db.prepare('UPDATE inventory_imports SET cilium_cluster_name = ?, cilium_policy_cidr_match_mode = ?, cilium_enable_sctp = ?, cilium_allow_localhost = ?, cilium_enable_host_firewall = ?, cilium_enable_policy = ?, cilium_policy_audit_mode = ?, cilium_enable_icmp_rules = ?, cilium_enable_k8s_cluster_network_policy = ?, cilium_config_listed = ? WHERE id = ?').run(
          ...ciliumConfigColumns(snapshot),
          previous.id,
        );
      }
      // Likewise a write that does not show the agent (a pods-only refresh of another namespace) leaves its image.
      if (snapshot.ciliumAgentImage !== undefined) db.prepare('UPDATE inventory_imports SET cilium_agent_image = ? WHERE id = ?').run(snapshot.ciliumAgentImage, previous.id);
      importId = previous.id;
    } else {
      importId = Number(
        db
          .prepare('INSERT INTO inventory_imports (taken_at, source, counts, cilium_cluster_name, cilium_policy_cidr_match_mode, cilium_enable_sctp, cilium_allow_localhost, cilium_enable_host_firewall, cilium_enable_policy, cilium_policy_audit_mode, cilium_enable_icmp_rules, cilium_enable_k8s_cluster_network_policy, cilium_config_listed, cilium_agent_image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(t, options.source, json(options.counts ?? {}), ...ciliumConfigColumns(snapshot), snapshot.ciliumAgentImage ?? null).lastInsertRowid,
      );
    }
    return { importId, replaced: replaced.sort(), shrunk, workloads, markedAbsent, ipIntervals, ownerAliases, warnings };
  }).immediate();
}

/**
 * The Calico objects the snapshot carried from their CRDs and did not import, per kind: a kind's
 * count is replaced when the snapshot is authoritative for the kind under either group (it carried
 * it from the CRD, or read it through the v3 API: the objects it names are then imported).
 */
function replaceCalicoCrdObjects(db: Db, snapshot: InventorySnapshot, inScope: (k: string) => boolean): void {
  const del = db.prepare('DELETE FROM calico_crd_objects WHERE kind = ?');
  for (const kind of db.prepare('SELECT kind FROM calico_crd_objects').pluck().all() as string[]) {
    if (inScope(calicoCrdKey(kind)) || inScope(calicoV3Key(kind))) del.run(kind);
  }
  const ins = db.prepare('INSERT OR REPLACE INTO calico_crd_objects (kind, count, updated_at) VALUES (?, ?, ?)');
  for (const [kind, n] of Object.entries(snapshot.calicoCrdObjects ?? {})) ins.run(kind, n, snapshot.takenAt);
}

/** The stored Calico objects no import evaluated (replaceCalicoCrdObjects). */
function readCalicoCrdObjects(db: Db): Pick<InventorySnapshot, 'calicoCrdObjects'> {
  const rows = db.prepare('SELECT kind, count FROM calico_crd_objects ORDER BY kind').all() as { kind: string; count: number }[];
  return rows.length > 0 ? { calicoCrdObjects: Object.fromEntries(rows.map((r) => [r.kind, r.count])) } : {};
}

/** A snapshot authoritative for no kind, with no apiserver endpoint and no Cilium cluster name (an empty list, only ignored kinds). */
function holdsNothing(snapshot: InventorySnapshot): boolean {
  return snapshot.scope !== undefined && snapshot.scope.length === 0 && snapshot.apiserver.length === 0 && snapshot.ciliumClusterName === undefined;
}

function replacePolicies(db: Db, snapshot: InventorySnapshot, inScope: (k: string) => boolean, replaced: string[]): void {
  const rows = db.prepare('SELECT api_version, kind, namespace, name FROM network_policies').all() as { api_version: string; kind: string; namespace: string; name: string }[];
  const del = db.prepare('DELETE FROM network_policies WHERE api_version = ? AND kind = ? AND namespace = ? AND name = ?');
  const kinds = new Set<string>();
  for (const r of rows) {
    if (inScope(kindKey(r.api_version, r.kind))) {
      del.run(r.api_version, r.kind, r.namespace, r.name);
      kinds.add(kindKey(r.api_version, r.kind));
    }
  }
  const ins = db.prepare('INSERT INTO network_policies (api_version, kind, namespace, name, manifest, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (const p of snapshot.policies) {
    ins.run(p.apiVersion, p.kind, p.namespace ?? '', p.name, json(p.manifest), snapshot.takenAt);
    kinds.add(kindKey(p.apiVersion, p.kind));
  }
  if (kinds.size > 0 || snapshot.policies.length > 0) replaced.push('policies');
}

function writeWorkloads(db: Db, snapshot: InventorySnapshot, inScope: (k: string) => boolean): ApplyResult['workloads'] & { warnings: string[]; absent: WorkloadRef[] } {
  const t = snapshot.takenAt;
  const find = db.prepare('SELECT selector, selector_derived FROM workloads WHERE namespace = ? AND kind = ? AND name = ?');
  const upsert = db.prepare(`
    INSERT INTO workloads (namespace, kind, name, labels, selector, selector_derived, host_network, ports, services, exposure, service_account, cluster_dns, istio_proxy, pod_labels, pod_ports, first_seen, last_seen, present)
    VALUES (@namespace, @kind, @name, @labels, @selector, @selectorDerived, @hostNetwork, @ports, @services, @exposure, @serviceAccount, @clusterDns, @istioProxy, @podLabels, @podPorts, @t, @t, 1)
    ON CONFLICT (namespace, kind, name) DO UPDATE SET
      labels = excluded.labels, selector = excluded.selector, selector_derived = excluded.selector_derived,
      host_network = excluded.host_network, ports = excluded.ports,
      service_account = excluded.service_account, cluster_dns = excluded.cluster_dns, istio_proxy = excluded.istio_proxy,
      pod_labels = CASE WHEN @podsInScope = 1 THEN excluded.pod_labels ELSE workloads.pod_labels END,
      pod_ports = CASE WHEN @podsInScope = 1 THEN excluded.pod_ports ELSE workloads.pod_ports END,
      last_seen = excluded.last_seen, present = 1, absent_since = NULL`);
  // An import without Pods (controllers only) keeps the pods' label sets an earlier one stored, and
  // adds a workload with them not known (NULL). Its services and exposure are left for
  // linkStoredWorkloads, which keeps the stored ones it cannot decide.
  // Which selector a workload keeps when the import lacks its owner: selectorToStore.
  const podsInScope = inScope('Pod') ? 1 : 0;
  const derivedSelectors = new Set(snapshot.derivedSelectors ?? []);
  let added = 0;
  const keys = new Set<string>();
  const warnings: string[] = [];
  for (const w of snapshot.workloads) {
    const key = workloadKey(w);
    keys.add(key);
    const stored = find.get(w.namespace, w.kind, w.name) as StoredSelector | undefined;
    if (!stored) added++;
    const pods = podsInScope ? (snapshot.podLabels?.[key] ?? []) : undefined;
    const selector = selectorToStore(w, derivedSelectors.has(key), stored, pods);
    if (selector.warning !== undefined) warnings.push(selector.warning);
    upsert.run({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      labels: json(w.labels),
      selector: selector.selector,
      selectorDerived: selector.derived ? 1 : 0,
      hostNetwork: w.hostNetwork ? 1 : 0,
      ports: json(w.ports),
      services: json(w.services),
      exposure: json(w.exposure),
      serviceAccount: w.serviceAccount ?? null,
      clusterDns: w.clusterDns ? 1 : 0,
      istioProxy: w.istioProxy ? 1 : 0,
      podLabels: podsInScope ? json(snapshot.podLabels?.[workloadKey(w)] ?? []) : null,
      podPorts: podsInScope ? json(snapshot.podPorts?.[workloadKey(w)] ?? []) : null,
      podsInScope,
      t,
    });
  }
  const absent: WorkloadRef[] = [];
  const present = db.prepare('SELECT id, namespace, kind, name FROM workloads WHERE present = 1 AND kind = ?');
  const markAbsent = db.prepare('UPDATE workloads SET present = 0, absent_since = ? WHERE id = ?');
  for (const kind of WORKLOAD_KINDS) {
    if (!inScope(WORKLOAD_SCOPE_KIND[kind])) continue;
    for (const r of present.all(kind) as { id: number; namespace: string; kind: WorkloadKind; name: string }[]) {
      if (!keys.has(workloadKey(r))) {
        markAbsent.run(t, r.id);
        absent.push({ namespace: r.namespace, kind: r.kind, name: r.name });
      }
    }
  }
  return { inSnapshot: snapshot.workloads.length, added, markedAbsent: absent.length, warnings, absent: absent.sort((a, b) => compareStrings(workloadKey(a), workloadKey(b))) };
}

/** A workload's stored selector (JSON) and whether it was made from labels (1) or is the owner's (0). */
interface StoredSelector {
  selector: string;
  selector_derived: number;
}

/** The selector a workload's row takes (JSON), whether it was made from labels, and what to say about it. */
interface SelectorToStore {
  selector: string;
  derived: boolean;
  warning?: string;
}

/**
 * The selector to store for `w`. The snapshot's own when it is the owner's (`madeFromLabels`
 * false) or no owner's selector is stored. Otherwise (the import lacks the owner object: a
 * pods-only refresh, the live collector holding pods before their Deployment) the stored owner's
 * selector is kept: it is immutable (apps/v1, kubernetes/kubernetes#50808), the labels change
 * with each rollout. Unless it matches none of the workload's pods in this import (`pods`, their
 * distinct label sets; undefined when the import holds no Pods): every pod a Deployment's
 * ReplicaSet controls matches the Deployment's selector (the ReplicaSet's is it plus
 * pod-template-hash; apps/v1 validation refuses a template its selector does not match; the
 * ReplicaSet controller releases a pod whose labels stop matching: kubernetes/kubernetes
 * pkg/controller/controller_ref_manager.go ClaimPods/ReleasePod), so those pods are another
 * owner's of that name: the owner deleted and created again with another selector. Its selector
 * then gives way to the pods' labels until an import holds the owner. One that matches some of
 * the pods is kept (the rest: the old pods terminating, or the new ones of a recreated owner, which
 * only the owner object tells), and said.
 */
function selectorToStore(w: Workload, madeFromLabels: boolean, stored: StoredSelector | undefined, pods: readonly Labels[] | undefined): SelectorToStore {
  const fromSnapshot = { selector: json(w.selector), derived: madeFromLabels };
  if (!madeFromLabels || stored === undefined || stored.selector_derived === 1) return fromSnapshot;
  const owners = { selector: stored.selector, derived: false };
  if (pods === undefined || pods.length === 0) return owners;
  const ownerSelector = JSON.parse(stored.selector) as LabelSelector;
  const matched = pods.filter((labels) => selectorMatches(ownerSelector, labels)).length;
  if (matched === pods.length) return owners;
  const which = `${workloadKey(w)}: the selector ${stored.selector} an earlier import stored from the ${w.kind}`;
  const sets = (n: number) => `${n} label set${n === 1 ? '' : 's'}`;
  if (matched === 0) {
    return {
      ...fromSnapshot,
      warning: `${which} matches none of its pods' ${sets(pods.length)} in this import (the ${w.kind} deleted and created again with another selector?): replaced by the pods' labels ${fromSnapshot.selector} until an import holds the ${w.kind}`,
    };
  }
  return {
    ...owners,
    warning: `${which} matches ${matched} of its pods' ${sets(pods.length)} in this import: kept; the pods it does not match are another ${w.kind}'s of that name (deleted and created again with another selector, its old pods terminating?) — import the ${w.kind} to take its selector`,
  };
}

/**
 * Links every present workload to the Services and Ingresses the store now holds, from its labels
 * and its pods' (domain/service-links.ts): run after an import's sections are written, so that
 * the links depend on what the store holds, not on which kinds this import carried (Services
 * alone link the stored workloads; pods alone the stored Services). What the store does not know
 * (a workload's pods' label sets, the Ingresses: migrations/0026) cannot decide a link away: the
 * stored links it would decide are kept. Only changed rows are written; returns what could not be
 * resolved.
 */
function linkStoredWorkloads(db: Db): string[] {
  const services = readServices(db);
  const byNamespace = servicesByNamespace(services);
  const rows = readWorkloadRows(db, 'WHERE present = 1');
  const workloads = rows.map((r) => {
    const w = toWorkload(r);
    const podLabels = r.pod_labels === null ? undefined : (JSON.parse(r.pod_labels) as Labels[]);
    return { ...w, services: storedServicesSelecting(w.labels, podLabels, w.services, byNamespace.get(w.namespace)) };
  });
  const warnings = new Set<string>();
  const ingressesKnown = db.prepare('SELECT 1 FROM ingresses_known').get() !== undefined;
  const exposure = exposureOf(workloads, services, readIngresses(db), (w) => warnings.add(w)).map((e, i) => (ingressesKnown ? e : withStoredIngressExposure(e, workloads[i]!.exposure)));
  const dns = new Set(clusterDnsOf(workloads, services)?.workloads ?? []);
  const update = db.prepare('UPDATE workloads SET services = ?, exposure = ?, cluster_dns = ? WHERE id = ?');
  rows.forEach((r, i) => {
    const linked = { services: json(workloads[i]!.services), exposure: json(exposure[i]), clusterDns: dns.has(workloads[i]!) ? 1 : 0 };
    if (linked.services !== r.services || linked.exposure !== r.exposure || linked.clusterDns !== r.cluster_dns) update.run(linked.services, linked.exposure, linked.clusterDns, r.id);
  });
  return [...warnings].sort();
}

function writeAliases(db: Db, snapshot: InventorySnapshot): ApplyResult['ownerAliases'] {
  const t = snapshot.takenAt;
  const upsert = db.prepare(`
    INSERT INTO owner_aliases (namespace, kind, name, workload, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (namespace, kind, name) DO UPDATE SET workload = excluded.workload, last_seen = excluded.last_seen`);
  const aliases = snapshot.ownerAliases ?? [];
  for (const a of aliases) upsert.run(a.namespace, a.kind, a.name, workloadKey(a.workload), t, t);
  const pruned = db.prepare('DELETE FROM owner_aliases WHERE last_seen < ?').run(t - ALIAS_RETENTION_MS).changes;
  return { upserted: aliases.length, pruned };
}

/**
 * The pods of the snapshot, with their addresses and those without any (migration 0037): the next
 * import's "previous pods"; each with its own label set and port list, by position in its
 * workload's pod_labels and pod_ports (migration 0048).
 */
function writePodAddresses(db: Db, snapshot: InventorySnapshot): void {
  db.prepare('DELETE FROM pod_addresses').run();
  db.prepare('DELETE FROM pods_without_ip').run();
  const ins = db.prepare(
    'INSERT INTO pod_addresses (namespace, pod, ip, workload, node, host_network, since, uid, label_set, port_set, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const labelSet = positionIn(snapshot.podLabels);
  const portSet = positionIn(snapshot.podPorts);
  for (const a of snapshot.podAddresses) {
    const key = workloadKey(a.workload);
    ins.run(a.namespace, a.pod, a.ip, key, a.node ?? null, a.hostNetwork ? 1 : 0, a.since ?? null, a.uid ?? null, labelSet(key, a.labels), portSet(key, a.ports), snapshot.takenAt);
  }
  const insWithoutIp = db.prepare('INSERT INTO pods_without_ip (namespace, pod, uid, since, updated_at) VALUES (?, ?, ?, ?, ?)');
  for (const p of snapshot.podsWithoutIp ?? []) insWithoutIp.run(p.namespace, p.pod, p.uid ?? null, p.since ?? null, snapshot.takenAt);
}

/**
 * Where a pod's own set is in its workload's list (snapshot.podLabels, .podPorts), by JSON: null
 * when the pod's is not known or not in the list (a snapshot made elsewhere than snapshot.ts).
 */
function positionIn<T>(lists: Record<string, T[]> | undefined): (workload: string, own: T | undefined) => number | null {
  const byWorkload = new Map<string, Map<string, number>>();
  return (workload, own) => {
    if (own === undefined) return null;
    let positions = byWorkload.get(workload);
    if (positions === undefined) byWorkload.set(workload, (positions = new Map((lists?.[workload] ?? []).map((x, i) => [JSON.stringify(x), i]))));
    return positions.get(JSON.stringify(own)) ?? null;
  };
}

// ---------------------------------------------------------------------------------------------
// Readers

function toStoredWorkload(r: WorkloadRow): StoredWorkload {
  return { ...toWorkload(r), present: r.present === 1, firstSeen: r.first_seen, lastSeen: r.last_seen };
}

function readWorkloadRows(db: Db, where = '', ...params: unknown[]): WorkloadRow[] {
  return db.prepare(`SELECT * FROM workloads ${where} ${WORKLOAD_ORDER}`).all(...params) as WorkloadRow[];
}

export function listWorkloads(db: Db, filter: { namespace?: string; name?: string; includeAbsent?: boolean } = {}): StoredWorkload[] {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (!filter.includeAbsent) conds.push('present = 1');
  if (filter.namespace !== undefined) {
    conds.push('namespace = ?');
    params.push(filter.namespace);
  }
  if (filter.name !== undefined) {
    conds.push('name = ?');
    params.push(filter.name);
  }
  return readWorkloadRows(db, conds.length ? `WHERE ${conds.join(' AND ')}` : '', ...params).map(toStoredWorkload);
}

/** Whether the store lists a workload as present: one prepared query for every call. */
export function presentWorkloadCheck(db: Db): (ref: WorkloadRef) => boolean {
  const find = db.prepare('SELECT 1 FROM workloads WHERE namespace = ? AND kind = ? AND name = ? AND present = 1');
  return (ref) => find.get(ref.namespace, ref.kind, ref.name) !== undefined;
}

/**
 * Of the workloads `refs`, those an import marked absent (deleted), by key in key order: the time of
 * that import (InventorySnapshot.deletedWorkloads). Present ones and ones no import listed are left out.
 */
export function deletedWorkloads(db: Db, refs: Iterable<WorkloadRef>): Record<string, number> {
  const find = db.prepare('SELECT absent_since FROM workloads WHERE namespace = ? AND kind = ? AND name = ? AND present = 0');
  const found: [string, number][] = [];
  for (const ref of refs) {
    const row = find.get(ref.namespace, ref.kind, ref.name) as { absent_since: number | null } | undefined;
    if (row?.absent_since != null) found.push([workloadKey(ref), row.absent_since]);
  }
  return Object.fromEntries(found.sort(([a], [b]) => compareStrings(a, b)));
}

export function getWorkload(db: Db, ref: WorkloadRef): StoredWorkload | undefined {
  const r = db.prepare('SELECT * FROM workloads WHERE namespace = ? AND kind = ? AND name = ?').get(ref.namespace, ref.kind, ref.name) as WorkloadRow | undefined;
  return r ? toStoredWorkload(r) : undefined;
}

/**
 * Namespaces any import listed a workload in (those whose workloads are gone since included), each
 * with the time it was known to be gone: the first import after the last one that listed a
 * workload of it (that last one's time while none followed).
 */
export function inventoriedNamespaces(db: Db): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT namespace, coalesce((SELECT min(taken_at) FROM inventory_imports WHERE taken_at > w.t), w.t) AS gone
       FROM (SELECT namespace, max(last_seen) AS t FROM workloads GROUP BY namespace) AS w ORDER BY namespace`,
    )
    .all() as { namespace: string; gone: number }[];
  return new Map(rows.map((r) => [r.namespace, r.gone]));
}

/**
 * Up to `limit` names the inventory knows, sorted, for a not-found answer: its Namespace objects
 * and the namespaces of its workloads (gone ones included), read in index order.
 */
export function inventoryNamespaceNames(db: Db, limit: number): NameSample {
  const read = (sql: string) => (db.prepare(sql).all(limit + 1) as { n: string }[]).map((r) => r.n);
  const objects = read('SELECT name AS n FROM namespaces ORDER BY name LIMIT ?');
  const ofWorkloads = read('SELECT DISTINCT namespace AS n FROM workloads ORDER BY namespace LIMIT ?');
  const complete = objects.length <= limit && ofWorkloads.length <= limit;
  return { names: [...new Set([...objects.slice(0, limit), ...ofWorkloads.slice(0, limit)])].sort(), complete };
}

/** Whether the inventory knows `namespace`: a Namespace object, or a workload (gone ones included). */
export function inventoryKnowsNamespace(db: Db, namespace: string): boolean {
  return (
    db.prepare('SELECT 1 FROM namespaces WHERE name = ?').get(namespace) !== undefined ||
    db.prepare('SELECT 1 FROM workloads WHERE namespace = ? LIMIT 1').get(namespace) !== undefined
  );
}

/** Up to `limit` workloads of the inventory (gone ones included), in `namespace` or anywhere, by key. */
export function inventoryWorkloadNames(db: Db, namespace: string | undefined, limit: number): NameSample<WorkloadRef> {
  const rows = (
    namespace === undefined
      ? db.prepare('SELECT namespace, kind, name FROM workloads ORDER BY namespace, kind, name LIMIT ?').all(limit + 1)
      : db.prepare('SELECT namespace, kind, name FROM workloads WHERE namespace = ? ORDER BY kind, name LIMIT ?').all(namespace, limit + 1)
  ) as WorkloadRef[];
  return { names: rows.slice(0, limit), complete: rows.length <= limit };
}

/** The WHERE clause and parameters of the workloads named `name` or `Kind/name`, in `namespace` or anywhere. */
function workloadNamed(namespace: string | undefined, workload: string): { where: string; params: string[] } {
  const slash = workload.indexOf('/');
  const conds = ['name = ?'];
  const params = [workload.slice(slash + 1)];
  if (slash >= 0) {
    conds.push('kind = ?');
    params.push(workload.slice(0, slash));
  }
  if (namespace !== undefined) {
    conds.push('namespace = ?');
    params.push(namespace);
  }
  return { where: conds.join(' AND '), params };
}

/** Whether the inventory (gone workloads included) holds the workload `name` or `Kind/name`, in `namespace` or anywhere. */
export function inventoryHoldsWorkload(db: Db, namespace: string | undefined, workload: string): boolean {
  const { where, params } = workloadNamed(namespace, workload);
  return db.prepare(`SELECT 1 FROM workloads WHERE ${where} LIMIT 1`).get(...params) !== undefined;
}

/** Up to `limit` workloads (gone ones included) the inventory holds under the name `name` or `Kind/name`, in `namespace` or anywhere, sorted. */
export function inventoryWorkloadsNamed(db: Db, namespace: string | undefined, workload: string, limit: number): WorkloadRef[] {
  const { where, params } = workloadNamed(namespace, workload);
  return db.prepare(`SELECT namespace, kind, name FROM workloads WHERE ${where} ORDER BY namespace, kind, name LIMIT ?`).all(...params, limit) as WorkloadRef[];
}

/** Whether the inventory lists a present workload. */
export function inventoryHasWorkloads(db: Db): boolean {
  return db.prepare('SELECT 1 FROM workloads WHERE present = 1 LIMIT 1').get() !== undefined;
}

/** Whether any inventory was imported (a snapshot that held something). */
export function inventoryImported(db: Db): boolean {
  return db.prepare('SELECT 1 FROM inventory_imports LIMIT 1').get() !== undefined;
}

export function readNamespaces(db: Db): Namespace[] {
  return (db.prepare('SELECT name, labels FROM namespaces ORDER BY name').all() as { name: string; labels: string }[]).map((r) => ({ name: r.name, labels: JSON.parse(r.labels) }));
}

const withServiceCidrs = (serviceCidrs: ServiceCidr[]): { serviceCidrs?: ServiceCidr[] } => (serviceCidrs.length > 0 ? { serviceCidrs } : {});

/** The cluster's Service IP ranges (ServiceCIDR objects), by name; none when no import carried them. */
function readServiceCidrs(db: Db): ServiceCidr[] {
  return (db.prepare('SELECT name, cidrs FROM service_cidrs ORDER BY name').all() as { name: string; cidrs: string }[]).map((r) => ({ name: r.name, cidrs: JSON.parse(r.cidrs) }));
}

function readNodes(db: Db): Node[] {
  return (db.prepare('SELECT name, labels, addresses, pod_cidrs FROM nodes ORDER BY name').all() as { name: string; labels: string; addresses: string; pod_cidrs: string }[]).map(
    (r) => ({ name: r.name, labels: JSON.parse(r.labels), addresses: JSON.parse(r.addresses), podCIDRs: JSON.parse(r.pod_cidrs) }),
  );
}

/** The stored Services, by namespace and name (also alone: what a check of DNS names needs of the inventory). */
export function readServices(db: Db): Service[] {
  type Row = { namespace: string; name: string; type: Service['type']; cluster_ips: string; ports: string; selector: string | null; external_name: string | null; external_ips: string; load_balancer_ips: string; external_traffic_policy: ExternalTrafficPolicy | null; created_at: number | null };
  const rows = db.prepare('SELECT * FROM services ORDER BY namespace, name').all() as Row[];
  return rows.map((r) => ({
    namespace: r.namespace,
    name: r.name,
    type: r.type,
    clusterIPs: JSON.parse(r.cluster_ips),
    ports: JSON.parse(r.ports),
    ...(r.selector ? { selector: JSON.parse(r.selector) } : {}),
    ...(r.external_name !== null ? { externalName: r.external_name } : {}),
    ...(r.external_ips !== '[]' ? { externalIPs: JSON.parse(r.external_ips) } : {}),
    ...(r.load_balancer_ips !== '[]' ? { loadBalancerIPs: JSON.parse(r.load_balancer_ips) } : {}),
    ...(r.external_traffic_policy !== null ? { externalTrafficPolicy: r.external_traffic_policy } : {}),
    ...(r.created_at !== null ? { createdAt: r.created_at } : {}),
  }));
}

function readIngresses(db: Db): Ingress[] {
  const rows = db.prepare('SELECT namespace, name, backends FROM ingresses ORDER BY namespace, name').all() as { namespace: string; name: string; backends: string }[];
  return rows.map((r) => ({ namespace: r.namespace, name: r.name, backends: JSON.parse(r.backends) }));
}

function readEndpointSlices(db: Db): EndpointSlice[] {
  const rows = db.prepare('SELECT * FROM endpoint_slices ORDER BY namespace, name').all() as {
    namespace: string;
    name: string;
    service: string | null;
    address_type: EndpointSlice['addressType'];
    endpoints: string;
    ports: string;
  }[];
  return rows.map((r) => ({
    namespace: r.namespace,
    name: r.name,
    ...(r.service ? { service: r.service } : {}),
    addressType: r.address_type,
    endpoints: JSON.parse(r.endpoints),
    ports: JSON.parse(r.ports),
  }));
}

/**
 * The apiserver's endpoints as of `t`: those no longer listed become former endpoints until `t`
 * (flows of their time still resolve to the apiserver); new ones are listed from `t` on, or since
 * ever at the first import that lists any.
 */
function replaceApiserver(db: Db, endpoints: readonly ApiserverEndpoint[], t: number): void {
  const key = (e: ApiserverEndpoint) => `${e.ip}|${e.port}|${e.protocol}`;
  const previous = new Map((db.prepare('SELECT ip, port, protocol, since FROM apiserver_endpoints').all() as (ApiserverEndpoint & { since: number | null })[]).map((e) => [key(e), e]));
  const listed = new Set(endpoints.map(key));
  const former = db.prepare('INSERT OR REPLACE INTO apiserver_history (ip, port, protocol, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)');
  for (const [k, e] of previous) if (!listed.has(k)) former.run(e.ip, e.port, e.protocol, e.since, t);
  db.prepare('DELETE FROM apiserver_endpoints').run();
  const ins = db.prepare('INSERT INTO apiserver_endpoints (ip, port, protocol, updated_at, since) VALUES (?, ?, ?, ?, ?)');
  for (const a of endpoints) {
    const since = previous.size === 0 ? null : previous.has(key(a)) ? previous.get(key(a))!.since : t;
    ins.run(a.ip, a.port, a.protocol, t, since);
  }
}

function readApiserverHistory(db: Db): FormerApiserverEndpoint[] {
  const rows = db.prepare('SELECT ip, port, protocol, valid_from, valid_to FROM apiserver_history ORDER BY ip, port, protocol, valid_to').all() as (ApiserverEndpoint & { valid_from: number | null; valid_to: number })[];
  return rows.map((r) => ({ ip: r.ip, port: r.port, protocol: r.protocol, ...(r.valid_from !== null ? { validFrom: r.valid_from } : {}), validTo: r.valid_to }));
}

/** The current endpoints with the time each is listed from (flow resolution: an address's owner before that is the IP history's). */
function readCurrentApiserver(db: Db): CurrentApiserverEndpoint[] {
  const rows = db.prepare('SELECT ip, port, protocol, since FROM apiserver_endpoints ORDER BY ip, port, protocol').all() as (ApiserverEndpoint & { since: number | null })[];
  return rows.map((r) => ({ ip: r.ip, port: r.port, protocol: r.protocol, ...(r.since !== null ? { since: r.since } : {}) }));
}

function readApiserver(db: Db): ApiserverEndpoint[] {
  return readCurrentApiserver(db).map(({ since: _since, ...e }) => e);
}

function readPolicies(db: Db): AppliedPolicy[] {
  const rows = db.prepare('SELECT * FROM network_policies ORDER BY api_version, kind, namespace, name').all() as { api_version: string; kind: string; namespace: string; name: string; manifest: string }[];
  return rows.map((r) => ({ apiVersion: r.api_version, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name, manifest: JSON.parse(r.manifest) }));
}

export function readOwnerAliases(db: Db): OwnerAlias[] {
  const rows = db.prepare('SELECT namespace, kind, name, workload FROM owner_aliases ORDER BY namespace, kind, name').all() as { namespace: string; kind: string; name: string; workload: string }[];
  return rows.map((r) => ({ namespace: r.namespace, kind: r.kind, name: r.name, workload: parseWorkloadKey(r.workload) }));
}

export function readIntervals(db: Db): IpInterval[] {
  return intervalRows(db, '', []);
}

/** The nodes' intervals on `ips`, through the (ip, valid_from) index rather than a scan of every pod's history. */
function readNodeIntervals(db: Db, ips: readonly string[]): IpInterval[] {
  return intervalRows(db, `WHERE ip IN (${ips.map(() => '?').join(', ')}) AND peer LIKE 'node:%'`, ips);
}

function intervalRows(db: Db, where: string, params: readonly string[]): IpInterval[] {
  const rows = db.prepare(`SELECT ${INTERVAL_COLUMNS} FROM ip_history ${where} ORDER BY ip, valid_from, host_network, peer`).all(...params) as IntervalRow[];
  return rows.map(intervalOf);
}

/**
 * What flow resolution indexes: the present workloads and the gone ones it needs whole
 * (`readResolvedWorkloads`), the cluster objects, the DNS workloads and the owner aliases; the IP
 * history and the other gone workloads are read when a flow names them (flows from before a
 * workload was removed still resolve to it). `everyWorkload`: every workload the inventory holds
 * is read whole instead, gone ones included, for a reader that looks workloads up by more than
 * their key (the Prometheus pass: a workload a series names without its kind, and the mesh);
 * once per pass, not per upload.
 */
export function readResolutionData(db: Db, options: { everyWorkload?: boolean } = {}): ResolutionData {
  return db.transaction(
    (): ResolutionData => {
      const services = readServices(db);
      const endpointSlices = readEndpointSlices(db);
      const ownerAliases = readOwnerAliases(db);
      const gone = options.everyWorkload ? undefined : new StoredGoneWorkloads(db);
      const read = gone === undefined ? readWorkloadRows(db).map(toWorkload) : readResolvedWorkloads(db, gone, endpointSlices, ownerAliases);
      const workloads = markClusterDns(read, services);
      return {
        ipHistory: new StoredIpHistory(db),
        workloads,
        ...(gone !== undefined ? { gone } : {}),
        services,
        formerClusterIps: readFormerClusterIps(db),
        serviceBackendHistory: readServiceBackendHistory(db),
        serviceCidrs: readServiceCidrs(db).flatMap((c) => c.cidrs),
        endpointSlices,
        nodes: readNodes(db),
        apiserver: readCurrentApiserver(db),
        apiserverHistory: readApiserverHistory(db),
        dnsWorkloads: workloads.filter((w) => w.clusterDns === true).map((w) => workloadKey(w)),
        ownerAliases,
        ...ciliumClusterName(db),
      };
    },
  )();
}

/**
 * The workloads the resolution index holds whole, in key order: the present ones, and the gone
 * ones it needs before any flow names them — those of the cluster DNS's namespaces (which workloads
 * are the DNS is decided over the gone ones too), those that list a Service of today among theirs
 * and those an EndpointSlice of today names through a pod's alias (a Service's backends, with the
 * ports it gives them). A CI Job's or a bare pod's is none of these.
 */
function readResolvedWorkloads(db: Db, gone: StoredGoneWorkloads, slices: readonly EndpointSlice[], aliases: readonly OwnerAlias[]): Workload[] {
  const dnsNamespaces = [...new Set(DNS_CONVENTIONS.map((c) => c.namespace))];
  const rows = readWorkloadRows(
    db,
    `WHERE present = 1 OR namespace IN (${dnsNamespaces.map(() => '?').join(', ')})
       OR (services <> '[]' AND EXISTS (SELECT 1 FROM json_each(workloads.services) AS j JOIN services AS s ON j.value = s.namespace || '/' || s.name))`,
    ...dnsNamespaces,
  );
  const held = new Set(rows.map((r) => workloadKey(r)));
  const byAlias = new Map(aliases.map((a) => [`${a.namespace}/${a.kind}/${a.name}`, a.workload]));
  const named = new Map<string, WorkloadRef>();
  for (const slice of slices) {
    for (const ep of slice.endpoints) {
      if (ep.targetRef?.kind !== 'Pod') continue;
      const ref = byAlias.get(`${ep.targetRef.namespace ?? slice.namespace}/Pod/${ep.targetRef.name}`);
      if (ref !== undefined && !held.has(workloadKey(ref))) named.set(workloadKey(ref), ref);
    }
  }
  const workloads = rows.map(toWorkload);
  if (named.size === 0) return workloads;
  for (const ref of named.values()) {
    const w = gone.workload(ref);
    if (w !== undefined) workloads.push(w);
  }
  return workloads.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name));
}

/**
 * Keys of the present workloads that are the cluster DNS by today's rule (domain/cluster-dns.ts),
 * whatever flag an import by an older release stored: what the workload listings show.
 */
export function clusterDnsKeys(db: Db): Set<string> {
  const dns = clusterDnsOf(readWorkloadRows(db, 'WHERE present = 1').map(toWorkload), readServices(db));
  return new Set((dns?.workloads ?? []).map((w) => workloadKey(w)));
}

/** The cluster as last imported: present workloads only, the pods of the last snapshot that held IPs. */
export function readInventory(db: Db): InventorySnapshot {
  return db.transaction((): InventorySnapshot => {
    const takenAt = (db.prepare('SELECT max(taken_at) AS t FROM inventory_imports').get() as { t: number | null }).t ?? 0;
    const pods = db.prepare('SELECT * FROM pod_addresses ORDER BY ip, namespace, pod').all() as {
      namespace: string;
      pod: string;
      ip: string;
      workload: string;
      node: string | null;
      host_network: number;
      since: number | null;
      uid: string | null;
      label_set: number | null;
      port_set: number | null;
    }[];
    const services = readServices(db);
    const nodes = readNodes(db);
    const rows = readWorkloadRows(db, 'WHERE present = 1');
    const podLabels = storedPodSets<Labels>(rows, 'pod_labels');
    const podPorts = storedPodSets<ContainerPort[]>(rows, 'pod_ports');
    // A pod's own set is its workload's entry itself: one object per workload and set, whatever the pod count.
    const own = <T>(sets: Record<string, T[]>, workload: string, at: number | null): T | undefined => (at === null ? undefined : sets[workload]?.[at]);
    return {
      takenAt,
      namespaces: readNamespaces(db),
      nodes,
      workloads: markClusterDns(rows.map(toWorkload), services),
      podLabels,
      podPorts,
      services,
      endpointSlices: readEndpointSlices(db),
      policies: readPolicies(db),
      podAddresses: pods.map((r) => ({
        ip: r.ip,
        namespace: r.namespace,
        pod: r.pod,
        ...(r.uid !== null ? { uid: r.uid } : {}),
        workload: parseWorkloadKey(r.workload),
        ...(r.node ? { node: r.node } : {}),
        hostNetwork: r.host_network === 1,
        ...(r.since !== null ? { since: r.since } : {}),
        ...ownSets(own(podLabels, r.workload, r.label_set), own(podPorts, r.workload, r.port_set)),
      })),
      apiserver: readApiserver(db),
      ...withServiceCidrs(readServiceCidrs(db)),
      ownerAliases: readOwnerAliases(db),
      ...ciliumConfig(db),
      ...ciliumAgentImage(db),
      ...readCalicoCrdObjects(db),
      ...readFormerControlPlaneNodes(db, nodes),
    };
  })();
}

/** A pod address's own label set and port list, where known. */
function ownSets(labels: Labels | undefined, ports: ContainerPort[] | undefined): Pick<PodAddress, 'labels' | 'ports'> {
  return { ...(labels !== undefined ? { labels } : {}), ...(ports !== undefined ? { ports } : {}) };
}

/**
 * The workloads' pods' label sets (`pod_labels`) or container-port lists (`pod_ports`) as the last
 * import that carried Pods stored them: a workload with no label set there has no pod in the inventory.
 */
function storedPodSets<T>(rows: readonly WorkloadRow[], column: 'pod_labels' | 'pod_ports'): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const r of rows) {
    const text = r[column];
    const sets = text === null ? [] : (JSON.parse(text) as T[]);
    if (sets.length > 0) out[workloadKey(r)] = sets;
  }
  return out;
}

/** The nodes gone from the inventory that ran the apiserver (domain/apiserver.ts formerControlPlaneNodes). */
function readFormerControlPlaneNodes(db: Db, nodes: readonly Node[]): { formerControlPlaneNodes?: string[] } {
  const periods: ApiserverAddressPeriod[] = [
    ...(db.prepare('SELECT ip, since FROM apiserver_endpoints').all() as { ip: string; since: number | null }[]).map((r) => ({ ip: r.ip, ...(r.since !== null ? { validFrom: r.since } : {}) })),
    ...readApiserverHistory(db),
  ];
  if (periods.length === 0) return {};
  const intervals = readNodeIntervals(db, [...new Set(periods.map((p) => p.ip))]);
  const former = formerControlPlaneNodes(intervals, periods, new Set(nodes.map((n) => n.name)));
  return former.length > 0 ? { formerControlPlaneNodes: former } : {};
}

/**
 * Whether the snapshot listed kube-system/cilium-config from the API server (a live collector's,
 * `collect kubernetes --once`: its scope holds ConfigMap, WatchedResource.only): one it does not
 * carry is then absent from the cluster. A file import's scope never holds ConfigMap
 * (collectors/inventory/snapshot.ts): it cannot tell "none" from "not exported".
 */
const listsCiliumConfig = (snapshot: InventorySnapshot): boolean => snapshot.scope?.includes(kindKey('v1', 'ConfigMap')) === true;

/** Whether the snapshot says anything of the cilium-config: carries it, or listed it and found none. */
const saysCiliumConfig = (snapshot: InventorySnapshot): boolean => snapshot.ciliumClusterName !== undefined || listsCiliumConfig(snapshot);

/** The import columns of what the snapshot says of the cilium-config: its cluster name, its policy settings, whether it was listed (migration 0043). */
function ciliumConfigColumns(snapshot: InventorySnapshot): [string | null, ...ReturnType<typeof ciliumPolicyColumns>, number] {
  return [snapshot.ciliumClusterName ?? null, ...ciliumPolicyColumns(snapshot.ciliumPolicy), listsCiliumConfig(snapshot) ? 1 : 0];
}

/** The imports read for the cilium-config: the latest that carried one (its cluster name is set) or listed it and found none. */
const LATEST_CILIUM_CONFIG = 'FROM inventory_imports WHERE cilium_cluster_name IS NOT NULL OR cilium_config_listed = 1 ORDER BY taken_at DESC, id DESC LIMIT 1';

/** The Cilium cluster name of the latest import that said anything of the cilium-config (none when it listed none). */
function ciliumClusterName(db: Db): { ciliumClusterName?: string } {
  const row = db.prepare(`SELECT cilium_cluster_name AS name ${LATEST_CILIUM_CONFIG}`).get() as { name: string | null } | undefined;
  return row !== undefined && row.name !== null ? { ciliumClusterName: row.name } : {};
}

/** A snapshot's cilium-config policy settings as the columns of migrations/0018, 0035, 0041, 0042, 0044 and 0050 (NULLs without a cilium-config; a setting NULL where not known). */
function ciliumPolicyColumns(p: CiliumPolicySettings | undefined): [string | null, number | null, string | null, number | null, string | null, number | null, number | null, number | null] {
  if (p === undefined) return [null, null, null, null, null, null, null, null];
  return [p.policyCidrMatchMode.join(' '), p.enableSctp ? 1 : 0, p.allowLocalhost, bit(p.enableHostFirewall), p.enablePolicy ?? null, bit(p.policyAuditMode), bit(p.enableIcmpRules), bit(p.enableK8sClusterNetworkPolicy)];
}

const bit = (b: boolean | undefined): number | null => (b === undefined ? null : b ? 1 : 0);

/**
 * The cilium-config and its policy settings, from the latest import that carried the ConfigMap
 * (the one whose cluster name is set) or listed it and found none (then there are none): one made
 * by a release that did not read the settings has them NULL, and they are then not known.
 */
function ciliumConfig(db: Db): Pick<InventorySnapshot, 'ciliumClusterName' | 'ciliumPolicy'> {
  const row = db
    .prepare(`SELECT cilium_cluster_name AS name, cilium_policy_cidr_match_mode AS mode, cilium_enable_sctp AS sctp, cilium_allow_localhost AS localhost, cilium_enable_host_firewall AS hostFirewall, cilium_enable_policy AS enablePolicy, cilium_policy_audit_mode AS auditMode, cilium_enable_icmp_rules AS icmpRules, cilium_enable_k8s_cluster_network_policy AS clusterNetworkPolicy ${LATEST_CILIUM_CONFIG}`)
    .get() as { name: string | null; mode: string | null; sctp: number | null; localhost: AllowLocalhost | null; hostFirewall: number | null; enablePolicy: EnablePolicy | null; auditMode: number | null; icmpRules: number | null; clusterNetworkPolicy: number | null } | undefined;
  if (row === undefined || row.name === null) return {};
  if (row.mode === null || row.sctp === null) return { ciliumClusterName: row.name };
  const policy: CiliumPolicySettings = { policyCidrMatchMode: row.mode.split(' ').filter((m) => m !== ''), enableSctp: row.sctp === 1, allowLocalhost: row.localhost ?? 'auto' };
  if (row.hostFirewall !== null) policy.enableHostFirewall = row.hostFirewall === 1;
  if (row.enablePolicy !== null) policy.enablePolicy = row.enablePolicy;
  if (row.auditMode !== null) policy.policyAuditMode = row.auditMode === 1;
  if (row.icmpRules !== null) policy.enableIcmpRules = row.icmpRules === 1;
  if (row.clusterNetworkPolicy !== null) policy.enableK8sClusterNetworkPolicy = row.clusterNetworkPolicy === 1;
  return { ciliumClusterName: row.name, ciliumPolicy: policy };
}

/** The Cilium agent image of the latest import that showed one (migration 0050). */
function ciliumAgentImage(db: Db): Pick<InventorySnapshot, 'ciliumAgentImage'> {
  const row = db.prepare('SELECT cilium_agent_image AS image FROM inventory_imports WHERE cilium_agent_image IS NOT NULL ORDER BY taken_at DESC, id DESC LIMIT 1').get() as { image: string } | undefined;
  return row !== undefined ? { ciliumAgentImage: row.image } : {};
}
