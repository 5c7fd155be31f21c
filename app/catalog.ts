/**
 * The built-in catalog: one YAML matrix per documented system under matrices/. Reading it is the
 * use-case layer's job; the recommender only receives the parsed matrices.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatrixError, parseMatrix, type ParsedMatrix } from '../recommender/matrix/load.ts';
import { parsedCatalog } from './catalog-parsed.ts';

export const CATALOG_DIR = fileURLToPath(new URL('../matrices/', import.meta.url));

export interface CatalogEntry extends ParsedMatrix {
  file: string;
}

/** Parsed catalogs by directory, with what their files looked like when parsed. */
const parsedCatalogs = new Map<string, { signature: string; entries: readonly CatalogEntry[] }>();

/** Names, sizes and modification times: a changed, added or removed file changes it. */
function catalogSignature(dir: string, files: readonly string[]): string {
  return files
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    })
    .join('\n');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Every catalog matrix, sorted by name; a broken catalog file is a bug, so it throws. Parsing
 * and validating the catalog costs ~0.7 s of CPU in a fresh process (ajv compiling the matrix
 * schema, then yaml), and every recommendation reads it: it is parsed once per process while its
 * files stay the same, and handed out frozen (shared). A file whose text is the one the committed
 * parse was made from is not parsed at all (catalog-parsed.ts), so a CLI run pays neither.
 */
export function loadCatalog(dir: string = CATALOG_DIR): readonly CatalogEntry[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const signature = catalogSignature(dir, files);
  const cached = parsedCatalogs.get(dir);
  if (cached?.signature === signature) return cached.entries;
  const committed = parsedCatalog(dir);
  const entries = files.map((f) => {
    const file = join(dir, f);
    const text = readFileSync(file, 'utf8');
    const matrix = committed(f, text);
    const parsed = matrix !== undefined ? { matrix, text } : parseMatrix(text, file);
    const expected = f.replace(/\.yaml$/, '');
    if (parsed.matrix.metadata.name !== expected) {
      throw new MatrixError(file, [{ path: 'metadata.name', message: `must equal the file name "${expected}"`, value: parsed.matrix.metadata.name }]);
    }
    return { ...parsed, file };
  });
  parsedCatalogs.set(dir, { signature, entries: deepFreeze(entries) });
  return entries;
}
