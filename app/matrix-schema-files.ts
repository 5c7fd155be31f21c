/**
 * Writes the committed JSON Schema files of the matrix format (matrices/schema/), generated from
 * the TypeBox definitions in recommender/matrix/schema.ts.
 * Regenerate with: node --import tsx app/matrix-schema-files.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaFiles } from '../recommender/matrix/schema-files.ts';

export const MATRIX_SCHEMA_DIR = fileURLToPath(new URL('../matrices/schema/', import.meta.url));

export function writeMatrixSchemaFiles(dir: string = MATRIX_SCHEMA_DIR): void {
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(join(dir, name), text);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeMatrixSchemaFiles();
