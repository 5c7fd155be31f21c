/**
 * `export --out DIR` for GitOps: afterwards DIR holds exactly the current recommendation, one
 * file per policy (`<namespace>/<kind>-<name>.yaml`, cluster-scoped ones under `_cluster/`).
 * Files of policies no longer recommended are removed — only files flowmatrix wrote: a file at
 * the path flowmatrix writes one manifest to, holding that one manifest, labelled managed-by
 * flowmatrix (`ownFile`); and only within what was exported: the namespace's folder and its
 * workloads' cluster-scoped files for `-n NS` (so one directory can collect namespaces exported
 * one by one), nothing for a single `--workload`. Anything else in DIR is left alone and never
 * overwritten; a labelled file that is not ours by its path (a copy, a renamed or merged file) is
 * named in the summary as kept. Each file is replaced whole (write-file-atomic: temporary file, fsync, rename).
 */
import writeFileAtomic from 'write-file-atomic';
import { lstat, mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseYamlDocuments } from '../domain/yaml-document.ts';
import { toYaml } from '../recommender/engines/index.ts';
import { intentScope } from '../recommender/engines/metadata.ts';
import { ExportFiles, manifestPath, type ManifestName } from '../app/export-files.ts';
import type { Manifest } from '../recommender/engines/types.ts';
import { CliError } from './io.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'flowmatrix';

export interface ExportDirSummary {
  /** Paths relative to the directory, `/`-separated, sorted. */
  added: string[];
  changed: string[];
  removed: string[];
  /** Files labelled managed-by flowmatrix that it did not write at their path (copies, renamed or merged files): never removed. */
  kept: string[];
  unchanged: number;
}

/** What the export covered, hence which stale files it may remove. */
export interface ExportScope {
  namespace?: string;
  /** One workload only: other files cannot be told stale, none is removed. */
  workload?: string;
}

/**
 * Whether a file flowmatrix wrote is this export's to remove: everything for a whole export; for
 * `-n NS` the namespace's folder, and the cluster-scoped files of NS's workloads (their intent
 * annotation says so; a layer shared with other namespaces is not this export's alone).
 */
function inScope(rel: string, docs: readonly unknown[], scope: ExportScope): boolean {
  if (scope.namespace === undefined || rel.startsWith(`${scope.namespace}/`)) return true;
  return docs.every((d) => {
    const s = intentScope(d);
    return s !== undefined && !s.shared && s.namespaces[0] === scope.namespace;
  });
}

/** A parsed document's kind, namespace and name, when it has them as a manifest does. */
function manifestName(doc: unknown): ManifestName | undefined {
  const d = doc as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const namespace = d.metadata?.namespace;
  if (typeof d.kind !== 'string' || typeof d.metadata?.name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) return undefined;
  return { kind: d.kind, metadata: { namespace, name: d.metadata.name } };
}

/** The objects of a YAML text; undefined when it, or any document of it, does not parse (whose it is is then unknown). */
function objectsOf(text: string): unknown[] | undefined {
  try {
    const docs = parseYamlDocuments(text);
    if (docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
  } catch {
    return undefined;
  }
}

const managedByFlowmatrix = (objects: readonly unknown[] | undefined): objects is unknown[] =>
  objects !== undefined && objects.length > 0 && objects.every((d) => (d as { metadata?: { labels?: Record<string, unknown> } }).metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY);

/**
 * Whether the file at `rel` is one flowmatrix wrote: labelled managed-by flowmatrix, holding exactly
 * one manifest, whose kind, namespace and name are those of its file (`manifestPath`). The label
 * alone is not enough: a copy of our file beside it (`my-backup.yaml`) carries it too.
 */
function ownFile(rel: string, objects: readonly unknown[]): boolean {
  const name = objects.length === 1 ? manifestName(objects[0]) : undefined;
  return name !== undefined && manifestPath(name) === rel;
}

/** True when the text is a file flowmatrix wrote at `rel` (see `ownFile`). */
export function writtenByFlowmatrix(rel: string, text: string): boolean {
  const objects = objectsOf(text);
  return managedByFlowmatrix(objects) && ownFile(rel, objects);
}

async function yamlFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const posix = (p: string): string => p.split(sep).join('/');

/**
 * A symbolic link on the way to a file under DIR (its namespace folder, or the file) would have
 * the write land wherever it points, outside DIR: refused, before anything changes.
 */
async function refuseSymlinks(dir: string, rel: string): Promise<void> {
  let path = dir;
  for (const part of rel.split('/')) {
    path = join(path, part);
    let linked: boolean;
    try {
      linked = (await lstat(path)).isSymbolicLink();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (linked) throw new CliError(`refusing to write ${join(dir, rel)}: ${path} is a symbolic link, which could lead outside ${dir}`);
  }
}

/**
 * Writes the manifests under `dir` and removes the flowmatrix files no longer among them.
 * `manifests` gives them each time it is called (app/export.ts renders them again, a window at a
 * time): once to check every file before anything changes, once to write. Each file's text is
 * rendered when it is compared or written, never all up front.
 */
export async function syncExportDir(dir: string, manifests: () => Iterable<Manifest>, scope: ExportScope = {}, onFile: (done: number) => void = () => undefined): Promise<ExportDirSummary> {
  const summary: ExportDirSummary = { added: [], changed: [], removed: [], kept: [], unchanged: 0 };

  // Check everything before changing anything: a refusal leaves the directory as it was.
  const wanted = new Set<string>();
  const changed = new Set<string>();
  const same = new Set<string>();
  // Two manifests of one kind, namespace and name (exported with --allow-unverified) have one file: refused.
  const files = new ExportFiles();
  for (const m of manifests()) {
    const rel = manifestPath(m);
    const twice = files.add(m);
    if (twice !== undefined) throw new CliError(`refusing to write ${join(dir, rel)}: ${twice}`);
    wanted.add(rel);
    await refuseSymlinks(dir, rel);
    const before = await readIfPresent(join(dir, rel));
    if (before === undefined) continue;
    if (toYaml(m) === before) same.add(rel);
    else if (!writtenByFlowmatrix(rel, before)) throw new CliError(`refusing to overwrite ${join(dir, rel)}: it was not written by flowmatrix (not one manifest of this kind and name labelled ${MANAGED_BY_LABEL}: ${MANAGED_BY})`);
    else changed.add(rel);
  }

  let done = 0;
  for (const m of manifests()) {
    const rel = manifestPath(m);
    onFile(++done);
    if (same.has(rel)) {
      summary.unchanged++;
      continue;
    }
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFileAtomic(join(dir, rel), toYaml(m));
    (changed.has(rel) ? summary.changed : summary.added).push(rel);
  }
  summary.added.sort();
  summary.changed.sort();

  const emptied = new Set<string>();
  for (const file of await yamlFiles(dir)) {
    const rel = posix(relative(dir, file));
    // Read only what may be this export's: other namespaces' folders are never opened.
    if (wanted.has(rel) || scope.workload !== undefined || (scope.namespace !== undefined && !rel.startsWith(`${scope.namespace}/`) && !rel.startsWith('_cluster/'))) continue;
    const objects = objectsOf(await readFile(file, 'utf8'));
    if (!managedByFlowmatrix(objects) || !inScope(rel, objects, scope)) continue;
    if (!ownFile(rel, objects)) {
      summary.kept.push(rel);
      continue;
    }
    await rm(file);
    summary.removed.push(rel);
    emptied.add(dirname(file));
  }
  summary.removed.sort();
  summary.kept.sort();
  // A namespace folder that held only removed files goes too (never DIR itself).
  for (const d of emptied) {
    if (resolve(d) === resolve(dir)) continue;
    try {
      await rmdir(d);
    } catch {
      // not empty: something else lives there
    }
  }
  return summary;
}
