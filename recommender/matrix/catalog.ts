/** The built-in catalog: one YAML matrix per documented system under matrices/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatrixError, parseMatrix, type ParsedMatrix } from './load.ts';

export const CATALOG_DIR = fileURLToPath(new URL('../../matrices/', import.meta.url));

export interface CatalogEntry extends ParsedMatrix {
  file: string;
}

/** Every catalog matrix, sorted by name; a broken catalog file is a bug, so it throws. */
export function loadCatalog(dir: string = CATALOG_DIR): CatalogEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const parsed = parseMatrix(readFileSync(file, 'utf8'), file);
      const expected = f.replace(/\.yaml$/, '');
      if (parsed.matrix.metadata.name !== expected) {
        throw new MatrixError(file, [{ path: 'metadata.name', message: `must equal the file name "${expected}"`, value: parsed.matrix.metadata.name }]);
      }
      return { ...parsed, file };
    });
}
