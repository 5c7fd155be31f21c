/**
 * The built-in catalog's matrices as parsed and validated when the catalog was committed
 * (matrices/catalog.parsed.json), each with the SHA-256 of the YAML text it was parsed from.
 * Why: a CLI command runs in a fresh process, and reading the catalog there — yaml parsing its
 * documents and ajv compiling the matrix schema, both cold — cost about 0.7 s of CPU on every
 * `flowmatrix export`. A file whose text has that digest gets that matrix; any other text is
 * parsed as it always was (app/catalog.ts). test/unit/matrix-catalog.test.ts checks that the
 * committed file equals what parsing the catalog gives now.
 * Regenerate with: node --import tsx app/catalog-parsed.ts
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMatrix } from '../recommender/matrix/load.ts';
import type { MatrixT } from '../recommender/matrix/schema.ts';

export const PARSED_CATALOG_FILE = 'catalog.parsed.json';

interface ParsedFile {
  sha256: string;
  matrix: MatrixT;
}

export const textDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The catalog file `file`'s matrix when `text` is the text it was parsed from, else undefined. */
export type ParsedLookup = (file: string, text: string) => MatrixT | undefined;

/** The lookup of `dir`'s parsed catalog; one that finds nothing when the directory has none. */
export function parsedCatalog(dir: string): ParsedLookup {
  const path = join(dir, PARSED_CATALOG_FILE);
  if (!existsSync(path)) return () => undefined;
  let files: Record<string, ParsedFile>;
  try {
    files = JSON.parse(readFileSync(path, 'utf8')) as Record<string, ParsedFile>;
  } catch (e) {
    throw new Error(`${path}: unreadable (${(e as Error).message}); regenerate it: node --import tsx app/catalog-parsed.ts`);
  }
  return (file, text) => {
    const parsed = Object.hasOwn(files, file) ? files[file] : undefined;
    return parsed !== undefined && parsed.sha256 === textDigest(text) ? parsed.matrix : undefined;
  };
}

/** What matrices/catalog.parsed.json holds for the YAML files of `dir`: each parsed from its text (throws MatrixError on a broken one). */
export function parsedCatalogText(dir: string): string {
  const files: Record<string, ParsedFile> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    files[f] = { sha256: textDigest(text), matrix: parseMatrix(text, join(dir, f)).matrix };
  }
  return `${JSON.stringify(files, null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = fileURLToPath(new URL('../matrices/', import.meta.url));
  writeFileSync(join(dir, PARSED_CATALOG_FILE), parsedCatalogText(dir));
}
