/**
 * Importing an inventory: a `kubectl get … -o json|yaml` export (or a YAML object stream), or
 * the objects a collector listed → snapshot → store, answering the summary `flowmatrix inventory
 * import` prints and POST /api/v1/inventory returns. Nothing is stored when the input or its
 * time is wrong.
 */
import { convertInventoryText, InventoryInputError, snapshotFromObjects, type ConvertedInventory, type KnownOwners, type RawObject } from '../collectors/inventory/index.ts';
import { addressWithPort } from '../domain/ip.ts';
import { compareStrings } from '../domain/order.ts';
import { workloadKey, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from '../store/db.ts';
import { applySnapshot, clusterDnsKeys, presentWorkloadCheck, readOwnerAliases, SnapshotOrderError, type ApplyResult } from '../store/inventory.ts';
import { planIpHistory, type IpHistoryPlan } from '../store/ip-history-plan.ts';
import { YamlTooLarge } from '../domain/yaml-document.ts';
import { invalidInput, tooLarge } from './errors.ts';

interface ImportMeta {
  /** When the export was taken (ms). Snapshots must arrive in time order. */
  takenAt: number;
  /** Where it came from (a file, `stdin`, `api:<request id>`, a collector): stored with the import. */
  source: string;
  /** The importer's clock (ms), which `takenAt` may pass by MAX_FUTURE_SKEW_MS at most; default now. */
  now?: number;
}

/**
 * How far a snapshot's time may be past the importer's clock (clocks of the exporting machine
 * and of this one differ). Further is refused: snapshots must arrive in time order, so one from
 * the future would make every later import look older, and the owner aliases it prunes by age
 * would all go.
 */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;

/** A time the import can store: a real time, not past the importer's clock and its skew. */
function checkTakenAt(req: ImportMeta): void {
  if (!Number.isFinite(req.takenAt)) throw invalidInput(`takenAt: not a time (${String(req.takenAt)}); nothing was imported`, { subject: req.source });
  const now = req.now ?? Date.now();
  if (req.takenAt > now + MAX_FUTURE_SKEW_MS) {
    throw invalidInput(
      `takenAt ${new Date(req.takenAt).toISOString()} is later than now (${new Date(now).toISOString()}) plus ${MAX_FUTURE_SKEW_MS / 60_000} minutes of clock skew: a snapshot from the future would make every later import look older; nothing was imported`,
      { subject: req.source },
    );
  }
}

export interface InventoryImportRequest extends ImportMeta {
  text: string;
  /** YAML of more tokens is refused (`too-large`) before it is parsed: the API sets it; JSON is not counted. */
  maxYamlTokens?: number;
}

export interface InventoryObjectsRequest extends ImportMeta {
  objects: RawObject[];
  /**
   * Kind keys this import is authoritative for even when it holds no object of them (a watcher
   * knows the last pod of a kind is gone; a file cannot tell "none" from "not exported").
   */
  scope?: string[];
  /** Record the import by replacing the previous record of the same source (a watcher writes often). */
  coalesce?: boolean;
}

export interface InventoryImportSummary {
  source: string;
  takenAt: string;
  objects: Record<string, number>;
  ignored: Record<string, number>;
  replaced: string[];
  /** `clusterDns`: the cluster DNS workloads of the store once the import is in, whichever import brought the pods and the Service. */
  workloads: ApplyResult['workloads'] & { clusterDns: string[] };
  podAddresses: number;
  ipIntervals: ApplyResult['ipIntervals'];
  apiserver: string[];
  ownerAliases: ApplyResult['ownerAliases'];
  warnings: string[];
}

/** Runs a conversion step; an input that is not an inventory becomes AppError `invalid-input` naming the source. */
function convert(req: ImportMeta, step: () => ConvertedInventory): ConvertedInventory {
  try {
    return step();
  } catch (e) {
    if (e instanceof InventoryInputError) throw invalidInput(`${e.message}; nothing was imported`, { subject: req.source });
    if (e instanceof YamlTooLarge) throw tooLarge(`the inventory is ${e.message} (values, indicators, indentation, line breaks), more than the service parses (server.maxYamlTokens; YAML costs about 1 KB of memory per value): send it as JSON (kubectl get … -o json), which is parsed cheaply; nothing was imported`);
    throw e;
  }
}

function knownOwnersOf(db: Db): KnownOwners {
  const byKey = new Map(readOwnerAliases(db).map((a) => [`${a.namespace}/${a.kind}/${a.name}`, a.workload]));
  return { alias: (namespace, kind, name) => byKey.get(`${namespace}/${kind}/${name}`), hasCronJob: presentWorkloadCheck(db) };
}

/** Converts and stores one inventory export; AppError `invalid-input` when it is not an inventory or older than the stored one. */
export function importInventory(db: Db, req: InventoryImportRequest): InventoryImportSummary {
  return storeConvertedInventory(db, req, convertInventoryExport(db, req));
}

/** A converted export with its IP-history changes planned from the store it was read from. */
export interface PreparedInventory extends ConvertedInventory {
  plan: IpHistoryPlan;
}

/**
 * The reading half of `importInventory`: parse, convert and plan the IP history, writing nothing.
 * `db` is only read (the owner aliases, the current IP history), so the service runs this on a
 * worker's read connection and keeps the event loop for the write.
 */
export function convertInventoryExport(db: Db, req: InventoryImportRequest): PreparedInventory {
  checkTakenAt(req);
  // A pods-only refresh (`kubectl get pods | inventory import -`) resolves owners through what earlier imports stored.
  const owners = knownOwnersOf(db);
  const options = req.maxYamlTokens !== undefined ? { maxYamlTokens: req.maxYamlTokens } : {};
  const converted = convert(req, () => convertInventoryText(req.text, req.takenAt, owners, options));
  return { ...converted, plan: planIpHistory(db, converted.snapshot) };
}

/**
 * The writing half of `importInventory`: stores what `convertInventoryExport` made, applying its
 * plan when no import came in between (else the write plans again).
 */
export function storeConvertedInventory(db: Db, req: ImportMeta, prepared: PreparedInventory): InventoryImportSummary {
  // A file's kinds replace what is stored, whatever it left out: said when a kind shrinks or a workload is marked absent.
  return store(db, req, prepared, { sayReplaced: true, plan: prepared.plan });
}

/** The same for objects already read (a collector's list): one snapshot of them. */
export function importInventoryObjects(db: Db, req: InventoryObjectsRequest): InventoryImportSummary {
  checkTakenAt(req);
  // A run of a CronJob the collector may not list (its ClusterRole lacks batch) is the stored CronJob's.
  const knownOwners: KnownOwners = { hasCronJob: presentWorkloadCheck(db) };
  const converted = convert(req, () => snapshotFromObjects(req.objects, req.takenAt, { knownOwners, ...(req.scope ? { scope: req.scope } : {}) }));
  // A collector's lists are the cluster as it is: a kind that shrinks lost its objects there.
  return store(db, req, converted, { coalesce: req.coalesce === true, sayReplaced: false });
}

/** An import replaces every kind it holds: one that now holds fewer objects is said (a file of one Namespace is all the Namespaces there are). */
function shrunkWarning(s: ApplyResult['shrunk'][number]): string {
  return `${s.section}: ${s.before} stored before, ${s.after} now — an import replaces every kind it holds, so the ${s.section} it does not list are gone; import a complete export of that kind if that was not meant`;
}

/** How many of a list to name in a warning before "and N more". */
const NAMED = 5;

const namedFirst = (items: string[]): string =>
  items.length <= NAMED ? items.join(', ') : `${items.slice(0, NAMED).join(', ')} and ${items.length - NAMED} more`;

/**
 * The workloads an import marked absent, said: its workload kinds replace what is stored too, and
 * a filtered export (`-n client`, `-l app=x`) leaves every other workload of those kinds out —
 * the recommendations then leave their edges out, as to workloads no longer there.
 */
function markedAbsentWarning(absent: readonly WorkloadRef[]): string {
  const one = absent.length === 1;
  const namespaces = [...new Set(absent.map((w) => w.namespace))].sort(compareStrings);
  return (
    `workloads: ${absent.length} stored before ${one ? 'is' : 'are'} not in this import and ${one ? 'is' : 'are'} marked absent ` +
    `(${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namedFirst(namespaces)}): ${namedFirst(absent.map(workloadKey))} — ` +
    `an import replaces every kind it holds, so the recommendations leave ${one ? 'its' : 'their'} edges out; ` +
    'if this import was filtered (one namespace, a label selector), import the whole cluster'
  );
}

/** What a file's import says of what it replaced: the kinds that shrank, the workloads it marked absent. */
function replacedWarnings(result: ApplyResult): string[] {
  return [...result.shrunk.map(shrunkWarning), ...(result.markedAbsent.length > 0 ? [markedAbsentWarning(result.markedAbsent)] : [])];
}

function store(db: Db, req: ImportMeta, converted: ConvertedInventory, how: { coalesce?: boolean; sayReplaced: boolean; plan?: IpHistoryPlan }): InventoryImportSummary {
  const coalesce = how.coalesce === true;
  const { snapshot } = converted;
  let result: ApplyResult;
  try {
    result = applySnapshot(db, snapshot, { source: req.source, counts: converted.objects, ...(coalesce ? { coalesce } : {}), ...(how.plan ? { plan: how.plan } : {}) });
  } catch (e) {
    if (e instanceof SnapshotOrderError) throw invalidInput(`${e.message}; nothing was imported`, { subject: req.source });
    throw e;
  }
  return {
    source: req.source,
    takenAt: new Date(req.takenAt).toISOString(),
    objects: converted.objects,
    ignored: converted.ignored,
    replaced: result.replaced,
    workloads: { ...result.workloads, clusterDns: [...clusterDnsKeys(db)].sort(compareStrings) },
    podAddresses: snapshot.podAddresses.length,
    ipIntervals: result.ipIntervals,
    apiserver: snapshot.apiserver.map((a) => `${addressWithPort(a.ip, a.port)}/${a.protocol}`),
    ownerAliases: result.ownerAliases,
    // The links to the stored Services say again what the import's own did: each once.
    warnings: [...new Set([...converted.warnings, ...result.warnings])].sort(compareStrings).concat(how.sayReplaced ? replacedWarnings(result) : []),
  };
}
