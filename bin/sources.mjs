// What `npm run build` compiles and copies, and how the launcher tells whether dist/ is current.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders of TypeScript sources compiled into dist/ (as in tsconfig.build.json). */
export const SOURCE_DIRS = ['app', 'cli', 'collectors', 'domain', 'recommender', 'reports', 'server', 'store', 'demo'];
/** Folders read at run time relative to the code (new URL('../matrices/', import.meta.url)…): copied into dist/. */
export const DATA_DIRS = ['matrices', 'migrations', 'demo/data', 'collectors/hubble-relay/proto'];
/** Written last by the build: its presence says the build finished; it holds the newest source time the build saw before compiling. */
export const STAMP = 'dist/.build-stamp';

/** The newest modification time (ms) of any source or data file under `root`, with package.json and the tsconfigs. */
export function newestSource(root) {
  let newest = 0;
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) newest = Math.max(newest, mtime(join(root, f)));
  for (const dir of [...SOURCE_DIRS, ...DATA_DIRS]) {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true, recursive: true });
    } catch {
      continue;
    }
    for (const e of entries) if (e.isFile()) newest = Math.max(newest, mtime(join(e.parentPath, e.name)));
  }
  return newest;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when dist/ holds a finished build of sources no older than the ones here now (an edit during the build makes it stale). */
export function distIsCurrent(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return false;
  }
  return typeof stamp?.newestSource === 'number' && stamp.newestSource >= newestSource(root);
}
