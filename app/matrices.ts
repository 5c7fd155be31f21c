/**
 * The matrices in force: the built-in catalog merged with the applied (stored) matrices and
 * checked against the matrices config, resolved against the stored inventory. Also applying and
 * checking a matrix document. The CLI, the API and the report read matrices only through here.
 */
import type { EdgeTraffic, NamesNotKept } from '../domain/edge.ts';
import type { InventorySnapshot } from '../domain/inventory.ts';
import { addressesByName } from '../recommender/compare/addresses-by-name.ts';
import { indexCluster } from '../recommender/compare/context.ts';
import { observeMatrices } from '../recommender/compare/observe.ts';
import { parseMatricesConfig, type ConfigProblem } from '../recommender/matrix/config.ts';
import { formatProblem, MatrixError, parseMatrix, type MatrixProblem, type ParsedMatrix } from '../recommender/matrix/load.ts';
import { aboutBroken, mergeAndCheck, type AppliedSource, type BrokenMatrix } from '../recommender/matrix/registry.ts';
import { resolveMatrix, type MatrixEntry } from '../recommender/matrix/resolve.ts';
import { clusterDomainParentWarnings, observedClusterDomainWarning } from '../recommender/matrix/cluster-domain.ts';
import { clusterDomainOf } from '../recommender/matrix/service-names.ts';
import type { ResolvedMatrix } from '../recommender/matrix/resolved.ts';
import type { MatricesConfigT, MatrixT } from '../recommender/matrix/schema.ts';
import type { MatrixValidation } from '../recommender/matrix/validate.ts';
import type { Db } from '../store/db.ts';
import { readInventory, readServices } from '../store/inventory.ts';
import { readEdgeTraffic, readExternalNames, readNamesNotKept, readServiceNames, readWorkloadNames } from '../store/recommend-read.ts';
import { deleteStoredMatrix, getStoredMatrix, hasStoredMatrix, listStoredMatrices, saveMatrix, storedMatricesFingerprint, storedMatricesNow, type StoredMatrix } from '../store/matrices.ts';
import { compareStrings } from '../domain/order.ts';
import { YamlTooLarge } from '../domain/yaml-document.ts';
import { matrixSummary } from '../recommender/matrix/summary.ts';
import { loadCatalog } from './catalog.ts';
import { AppError, invalidInput, notFoundError, tooLarge } from './errors.ts';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The file each config came from: the problems found once it meets the matrices in force (a
 * system or role no matrix has) name it too.
 */
const configOrigins = new WeakMap<MatricesConfigT, string>();

/** `config`, remembered as read from `origin` (a file). */
export function withConfigOrigin(config: MatricesConfigT, origin: string): MatricesConfigT {
  configOrigins.set(config, origin);
  return config;
}

/** The `matrices:` section of a config file's text; AppError `invalid-input` with every problem in the message. */
export function matricesConfigFromText(text: string, origin: string): MatricesConfigT {
  try {
    return withConfigOrigin(parseMatricesConfig(text, origin), origin);
  } catch (e) {
    if (e instanceof MatrixError) throw invalidInput(e.message);
    throw e;
  }
}

/** A stored matrix that no longer validates (a check added since it was applied): listed, its source readable, not in force. */
export interface InvalidMatrix {
  name: string;
  origin: 'applied';
  inForce: false;
  /** Where it was applied from. */
  appliedFrom: string;
  /** The built-in matrix of that name is in force in its place. */
  builtInInForce: boolean;
  problems: MatrixProblem[];
  /** What every recommendation, report and export says of it: what is in force instead, and the way out. */
  warning: string;
}

export interface InForce {
  /** Built-in + applied matrices, sorted by name. */
  entries: MatrixEntry[];
  /** Stored matrices that no longer validate, sorted by name: not in force. */
  invalid: InvalidMatrix[];
}

function notInForce(b: BrokenMatrix, waiting: readonly MatrixProblem[]): InvalidMatrix {
  const problems = b.problems.map((p) => formatProblem(p).trim()).join('; ');
  const inPlace = b.builtInInForce ? `; the built-in matrix ${b.name} is in force in its place` : '';
  const config = waiting.length > 0 ? `; the config's ${waiting.map((p) => p.path).join(', ')} wait${waiting.length === 1 ? 's' : ''} for it` : '';
  const warning =
    `stored matrix ${b.name} (applied from ${b.origin}) no longer validates and is not in force (${problems})${inPlace}${config}: ` +
    `apply a fixed one (\`flowmatrix matrix apply\`, PUT /api/v1/matrices/${b.name}; its source: \`flowmatrix matrix show ${b.name} -o source\`) or delete it (\`flowmatrix matrix delete ${b.name}\`)`;
  return { name: b.name, origin: 'applied', inForce: false, appliedFrom: b.origin, builtInInForce: b.builtInInForce, problems: b.problems, warning };
}

/**
 * The matrices in force, and the stored ones that are not. Throws AppError when the config names
 * what no matrix has — except what waits for a stored matrix that no longer validates (its warning says so).
 */
export function matricesInForce(db: Db, config: MatricesConfigT): InForce {
  const { entries, broken, problems, waiting } = mergeAndCheck(
    loadCatalog().map((c) => c.matrix),
    listStoredMatrices(db),
    config,
  );
  if (problems.length > 0) {
    const origin = configOrigins.get(config);
    throw invalidInput('the service config does not match the loaded matrices', { problems, reason: 'config-mismatch', ...(origin !== undefined ? { subject: origin } : {}) });
  }
  return { entries, invalid: broken.map((b) => notInForce(b, waiting.filter((p) => aboutBroken(p.path, [b])))) };
}

/** What in the config does not fit the built-in matrices with these applied ones (what matricesInForce would refuse from then on). */
function configProblems(config: MatricesConfigT, applied: readonly AppliedSource[]): ConfigProblem[] {
  return mergeAndCheck(
    loadCatalog().map((c) => c.matrix),
    applied,
    config,
  ).problems;
}

/** The config's problems after a change to the stored matrices: those the change causes, and those it had already. */
interface ConfigFit {
  caused: MatrixProblem[];
  already: MatrixProblem[];
}

/**
 * The config's problems with the stored matrices changed from `before` to `after`: only those it
 * did not have before are the change's doing. Told apart by path and code, not message: a message
 * lists what is known (`roles: …`), which the change itself alters.
 */
function configFitAfter(config: MatricesConfigT, before: readonly AppliedSource[], after: readonly AppliedSource[]): ConfigFit {
  const key = (p: ConfigProblem) => `${p.code} ${p.path}`;
  const had = new Set(configProblems(config, before).map(key));
  const fit: ConfigFit = { caused: [], already: [] };
  for (const p of configProblems(config, after)) {
    const { code: _code, ...problem } = p;
    (had.has(key(p)) ? fit.already : fit.caused).push(problem);
  }
  return fit;
}

/** A refusal's problems: the change's own, then those the config had already, marked so (they are not why it is refused). */
function refusalProblems(fit: ConfigFit): MatrixProblem[] {
  return [...fit.caused, ...fit.already.map((p) => ({ ...p, message: `already before this change: ${p.message}` }))];
}

/** "the service config", naming its file when it was read from one. */
function serviceConfigName(config: MatricesConfigT): string {
  const origin = configOrigins.get(config);
  return origin === undefined ? 'the service config' : `the service config (${origin})`;
}

/** AppError invalid-input refusing a change to the stored matrices that would leave the config unfit: `problems` are the config's, by path. */
function configRefuses(message: string, problems: MatrixProblem[], subject: string): AppError {
  return invalidInput(message, { problems, reason: 'config-refuses-change', subject });
}

/**
 * The observed side that completes the resolution: edges (roles bound from observation), the DNS
 * names of external IPs, and those seen answering with workloads' pods (a rule's DNS name that
 * leads into the cluster is those pods: recommender/matrix/service-names.ts).
 */
export interface Observed {
  edges: readonly EdgeTraffic[];
  externalNames: ReadonlyMap<string, readonly string[]>;
  workloadNames: ReadonlyMap<string, readonly string[]>;
  /** Service (namespace/name) → the names seen answering with its ClusterIP. */
  serviceNames: ReadonlyMap<string, readonly string[]>;
  /** The edges stored before those names were kept, if any is left: a name with no answer above may have had one in their flows. */
  namesNotKept?: NamesNotKept | undefined;
}

function observedFromStore(db: Db): Observed {
  return { edges: readEdgeTraffic(db), externalNames: readExternalNames(db), workloadNames: readWorkloadNames(db), serviceNames: readServiceNames(db), namesNotKept: readNamesNotKept(db) };
}

/** Resolution, then what observation adds (recommender/compare/observe.ts). */
function resolveObserved(entries: readonly MatrixEntry[], inventory: InventorySnapshot, config: MatricesConfigT, observed: Observed): ResolvedMatrix[] {
  const ix = indexCluster(inventory, observed.externalNames);
  // The same lookup by name as for addresses, with workload (Service) keys in their place.
  const answers = { workloads: addressesByName(observed.workloadNames), services: addressesByName(observed.serviceNames), addresses: ix.addressesOfName, ...(observed.namesNotKept !== undefined ? { notKept: observed.namesNotKept } : {}) };
  const resolved = entries.map((e) => resolveMatrix(e, inventory, config, answers, ix.podNetworkPods));
  return observeMatrices(resolved, { inventory, edges: observed.edges, ix });
}

export interface ResolvedMatrices {
  /** Every matrix in force, resolved. */
  matrices: ResolvedMatrix[];
  /** Stored matrices not in force (they no longer validate): their warnings go with whatever is made of `matrices`. */
  invalid: InvalidMatrix[];
  /**
   * What the observed names say the config has wrong (observedConfigWarnings), and the rules' wildcards
   * over a parent of the cluster domain (clusterDomainParentWarnings): they go with whatever is made of `matrices` too.
   */
  configWarnings: string[];
}

/** The names the flows saw: answered by outside addresses, by workloads' pods, by Services' ClusterIPs. */
function observedNames(observed: Pick<Observed, 'externalNames' | 'workloadNames' | 'serviceNames'>): Iterable<string> {
  return [observed.externalNames, observed.workloadNames, observed.serviceNames].flatMap((byHolder) => [...byHolder.values()].flat());
}

/**
 * What the observed DNS names say the config has wrong: Service names under another cluster domain
 * than `matrices.clusterDomain` (recommender/matrix/cluster-domain.ts). Said, never corrected.
 */
export function observedConfigWarnings(inventory: Pick<InventorySnapshot, 'services'>, config: MatricesConfigT, observed: Pick<Observed, 'externalNames' | 'workloadNames' | 'serviceNames'>): string[] {
  const domain = observedClusterDomainWarning(observedNames(observed), inventory.services, clusterDomainOf(config));
  return domain === undefined ? [] : [domain];
}

/** observedConfigWarnings with what the store holds (matrix apply, matrix show). */
export function storedConfigWarnings(db: Db, config: MatricesConfigT): string[] {
  // Only the Services: a matrix apply need not read the pods, nodes and IP history.
  return observedConfigWarnings({ services: readServices(db) }, config, { externalNames: readExternalNames(db), workloadNames: readWorkloadNames(db), serviceNames: readServiceNames(db) });
}

/**
 * Every matrix in force, resolved against the inventory and completed by the observed edges
 * (both read from the store unless given): the CLI, the API, the recommendation and the report
 * all see the same inferred bindings.
 */
export function resolveMatrices(db: Db, config: MatricesConfigT, inventory: InventorySnapshot = readInventory(db), observed: Observed = observedFromStore(db)): ResolvedMatrices {
  const { entries, invalid } = matricesInForce(db, config);
  const matrices = resolveObserved(entries, inventory, config, observed);
  const wildcards = clusterDomainParentWarnings(matrices, clusterDomainOf(config));
  return { matrices, invalid, configWarnings: [...observedConfigWarnings(inventory, config, observed), ...wildcards] };
}

export type MatrixListItem = ReturnType<typeof matrixSummary> | InvalidMatrix;

/** What `matrix list` and GET /matrices list: the matrices in force, and after a namesake the stored ones that are not, by name. */
export function matrixList({ matrices, invalid }: ResolvedMatrices): MatrixListItem[] {
  return [...matrices.map(matrixSummary), ...invalid].sort((a, b) => compareStrings(a.name, b.name) || Number(b.inForce) - Number(a.inForce));
}

/** The entry of that name; AppError `not-found` naming the known ones, or saying why a stored one is not in force. */
function entryNamed(inForce: InForce, name: string): MatrixEntry {
  const entry = inForce.entries.find((e) => e.matrix.metadata.name === name);
  if (entry) return entry;
  const invalid = inForce.invalid.find((m) => m.name === name);
  if (invalid) throw notFoundError(invalid.warning);
  throw notFoundError(`no matrix named "${name}" (known: ${inForce.entries.map((e) => e.matrix.metadata.name).join(', ')})`);
}

/** The matrix in force of that name; AppError `not-found` naming the known ones. */
export function matrixInForce(db: Db, config: MatricesConfigT, name: string): MatrixEntry {
  return entryNamed(matricesInForce(db, config), name);
}

/** One matrix in force, resolved against the stored inventory and completed by the stored edges. */
/** The config warnings of one resolved matrix (matrix show): those of the store's names (storedConfigWarnings) and its wildcards over a parent of the cluster domain, as resolveMatrices gives them for all. */
export function shownMatrixWarnings(db: Db, config: MatricesConfigT, shown: ResolvedMatrix): string[] {
  return [...storedConfigWarnings(db, config), ...clusterDomainParentWarnings([shown], clusterDomainOf(config))];
}

export function resolveMatrixNamed(db: Db, config: MatricesConfigT, name: string): ResolvedMatrix {
  const inForce = matricesInForce(db, config);
  entryNamed(inForce, name);
  // Observation looks at every matrix: an edge another matrix documents is no candidate for this one's roles.
  return resolveObserved(inForce.entries, readInventory(db), config, observedFromStore(db)).find((m) => m.name === name)!;
}

/**
 * The YAML of a matrix: the applied text — also of one that no longer validates, to be fixed and
 * applied again — else the catalog file. Read as stored: neither the other matrices nor the config
 * stand in the way. AppError `not-found` naming the known ones.
 */
export function matrixSource(db: Db, name: string): string {
  const text = getStoredMatrix(db, name)?.source ?? loadCatalog().find((c) => c.matrix.metadata.name === name)?.text;
  if (text !== undefined) return text;
  const known = new Set([...loadCatalog().map((c) => c.matrix.metadata.name), ...listStoredMatrices(db).map((m) => m.name)]);
  throw notFoundError(`no matrix named "${name}" (known: ${[...known].sort().join(', ')})`);
}

/**
 * The largest matrix document taken: the bundled ones are 10-30 kB. Parsing YAML is CPU work on
 * the caller's thread (≈ 1 s per MiB), so the API does not take megabytes of it from any caller.
 */
export const MAX_MATRIX_BYTES = 1024 * 1024;

export interface MatrixParseLimits {
  /** A document of more YAML tokens is refused (`too-large`) before it is parsed: the API sets it (domain/yaml-document.ts). */
  maxYamlTokens?: number;
}

/**
 * Parses and validates a matrix document (under the cluster config's domain, where it is known:
 * `validation`); AppError `invalid-input` with every problem (path, line, value), `too-large`
 * past MAX_MATRIX_BYTES or `maxYamlTokens`.
 */
export function parseMatrixDocument(text: string, origin: string, limits: MatrixParseLimits = {}, validation: MatrixValidation = {}): ParsedMatrix {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MATRIX_BYTES) throw tooLarge(`${origin}: a matrix document is at most ${MAX_MATRIX_BYTES} bytes (1 MiB); this one is ${bytes}`);
  try {
    return parseMatrix(text, origin, limits.maxYamlTokens, validation);
  } catch (e) {
    if (e instanceof MatrixError) throw invalidMatrix(e.origin, e.problems);
    if (e instanceof YamlTooLarge) throw tooLarge(`${origin}: a matrix document is at most ${e.maxTokens} YAML tokens here (server.maxYamlTokens; values, indicators, indentation, line breaks; the bundled matrices have up to 10,000); this one has more`);
    throw e;
  }
}

/** What a cluster config tells the matrix validation: its cluster domain, where it sets one. */
function validationUnder(config: MatricesConfigT | undefined): MatrixValidation {
  return config?.clusterDomain !== undefined ? { clusterDomain: config.clusterDomain } : {};
}

function invalidMatrix(origin: string, problems: MatrixProblem[]): AppError {
  return invalidInput(`invalid matrix (${plural(problems.length, 'problem')})`, { problems, subject: origin, reason: 'invalid-matrix' });
}

export interface MatrixCheck {
  name: string;
  components: number;
  rules: number;
}

/** What a valid matrix holds: its name, components and rules (shared rules included). */
export function matrixCheck(m: MatrixT): MatrixCheck {
  const components = Object.values(m.components);
  const rules =
    components.reduce((n, c) => n + (c.ingress?.length ?? 0) + (c.egress?.length ?? 0), 0) +
    (m.shared ?? []).reduce((n, s) => n + (s.ingress?.length ?? 0) + (s.egress?.length ?? 0), 0);
  return { name: m.metadata.name, components: components.length, rules };
}

/**
 * Checks a matrix document without storing it. Given the stored matrices and the service's config,
 * also whether the config could take it, as applyMatrix refuses it (reason `config-refuses-change`).
 */
export function validateMatrixDocument(text: string, origin: string, service?: { db: Db; config: MatricesConfigT }, limits: MatrixParseLimits = {}): MatrixCheck {
  const check = matrixCheck(parseMatrixDocument(text, origin, limits, validationUnder(service?.config)).matrix);
  if (service !== undefined) refuseUnfitConfig(listStoredMatrices(service.db), service.config, { name: check.name, source: text, origin }, origin);
  return check;
}

/**
 * AppError invalid-input when storing `matrix` (replacing its namesake) would leave the config
 * unfit where it fits now; what it does not fit already (a second matrix it names, not stored yet)
 * is not refused: those problems are returned, for the caller to say.
 */
function refuseUnfitConfig(stored: readonly StoredMatrix[], config: MatricesConfigT, matrix: AppliedSource, label: string): MatrixProblem[] {
  const fit = configFitAfter(config, stored, [...stored.filter((m) => m.name !== matrix.name), matrix]);
  if (fit.caused.length > 0) throw configRefuses(`${serviceConfigName(config)} cannot take this matrix: storing it would leave every request refused`, refusalProblems(fit), label);
  return fit.already;
}

export interface ApplyMatrixRequest extends MatrixParseLimits {
  text: string;
  /** Where the text came from (a file, `stdin`, `api:<request id>`): stored with it. */
  origin: string;
  /** How problems name the document (defaults to `origin`). */
  label?: string;
  appliedAt: number;
  /** The name the document must carry (the API's path name). */
  expectedName?: string;
  /** The service's cluster config: a matrix it cannot take is refused, not stored (matricesInForce would fail every request after). */
  config?: MatricesConfigT;
}

export interface ApplyMatrixResult {
  name: string;
  status: 'applied' | 'unchanged';
  overridesBuiltIn: boolean;
  digest: string;
  /** No matrix of that name had been applied before. */
  created: boolean;
  /**
   * Given the service's config: what it does not fit with the matrices in force after the apply,
   * every one of them there before (a problem the apply causes refuses it). Not empty, the service
   * refuses every request until the config is fixed.
   */
  configProblems?: MatrixProblem[];
  /** What the observed names say the config has wrong (observedConfigWarnings), if anything. */
  warnings?: string[];
}

/**
 * What applying a matrix checked: its name, and the stored matrices the config was checked
 * against (storedMatricesFingerprint). The API checks on a worker (parsing and merging a large
 * matrix is a second of CPU) and stores on the main thread.
 */
export interface CheckedMatrix {
  name: string;
  storedMatrices: string;
  /** Given a config: its problems the apply does not cause (ApplyMatrixResult.configProblems). */
  configProblems?: MatrixProblem[];
  /** ApplyMatrixResult.warnings. */
  warnings?: string[];
}

export type MatrixApplyCheck = Omit<ApplyMatrixRequest, 'appliedAt'>;

/** The CPU part of applyMatrix: parses and validates the document and checks the config could take it. AppError as applyMatrix. */
export function checkMatrixApply(db: Db, req: MatrixApplyCheck): CheckedMatrix {
  const label = req.label ?? req.origin;
  const name = parseMatrixDocument(req.text, label, req.maxYamlTokens !== undefined ? { maxYamlTokens: req.maxYamlTokens } : {}, validationUnder(req.config)).matrix.metadata.name;
  if (req.expectedName !== undefined && name !== req.expectedName) {
    throw invalidInput(`the document is named "${name}" but was PUT to "${req.expectedName}"`, {
      problems: [{ path: 'metadata.name', message: `must equal the path name "${req.expectedName}"`, value: name }],
      subject: label,
    });
  }
  const stored = listStoredMatrices(db);
  const configProblems = req.config !== undefined ? refuseUnfitConfig(stored, req.config, { name, source: req.text, origin: req.origin }, label) : undefined;
  const warnings = storedConfigWarnings(db, req.config ?? {});
  return { name, storedMatrices: storedMatricesFingerprint(stored), ...(configProblems !== undefined ? { configProblems } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * Stores a matrix checkMatrixApply checked; undefined, storing nothing, when the config was checked
 * against other stored matrices than those stored now (check it again).
 */
export function storeCheckedMatrix(db: Db, req: ApplyMatrixRequest, checked: CheckedMatrix): ApplyMatrixResult | undefined {
  if (req.config !== undefined && storedMatricesNow(db) !== checked.storedMatrices) return undefined;
  const { name } = checked;
  const created = !hasStoredMatrix(db, name);
  const overridesBuiltIn = loadCatalog().some((c) => c.matrix.metadata.name === name);
  const result = saveMatrix(db, { name, source: req.text, origin: req.origin, appliedAt: req.appliedAt });
  return {
    name,
    status: result.changed ? 'applied' : 'unchanged',
    overridesBuiltIn,
    digest: result.digest,
    created,
    ...(checked.configProblems !== undefined ? { configProblems: checked.configProblems } : {}),
    ...(checked.warnings !== undefined ? { warnings: checked.warnings } : {}),
  };
}

/** Validates a matrix and stores it; a matrix named like a built-in one overrides it. */
export function applyMatrix(db: Db, req: ApplyMatrixRequest): ApplyMatrixResult {
  // One thread, one connection: nothing is stored between the check and the store.
  return storeCheckedMatrix(db, req, checkMatrixApply(db, req))!;
}

export interface DeleteMatrixResult {
  name: string;
  status: 'deleted';
  /** The built-in matrix of that name is in force again. */
  builtInRestored: boolean;
}

/**
 * Removes an applied matrix. A built-in one cannot be deleted (it ships with flowmatrix): the
 * config's `matrices.systems.<name>.enabled: false` turns it off. AppError `not-found` otherwise.
 * Given the service's config, a matrix it needs (a system it names, the only declaration of a role
 * it binds) is refused, with the config's problems: deleted, the service would refuse every request.
 */
export function deleteMatrix(db: Db, name: string, config?: MatricesConfigT): DeleteMatrixResult {
  const builtIn = loadCatalog().some((c) => c.matrix.metadata.name === name);
  const stored = listStoredMatrices(db);
  if (config !== undefined && stored.some((m) => m.name === name)) {
    // Only what the delete breaks: a config that fits no better with the matrix is not its doing.
    const fit = configFitAfter(config, stored, stored.filter((m) => m.name !== name));
    if (fit.caused.length > 0) throw configRefuses(`${serviceConfigName(config)} needs this matrix: deleting it would leave every request refused; change the config first`, refusalProblems(fit), name);
  }
  if (deleteStoredMatrix(db, name)) return { name, status: 'deleted', builtInRestored: builtIn };
  if (builtIn) throw invalidInput(`"${name}" is a built-in matrix: it cannot be deleted; set matrices.systems.${name}.enabled: false in the config to turn it off`);
  throw notFoundError(`no applied matrix named "${name}" (applied: ${listStoredMatrices(db).map((m) => m.name).join(', ') || 'none'})`);
}
