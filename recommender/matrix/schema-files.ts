/**
 * The committed JSON Schema files, generated from the TypeBox definitions in schema.ts.
 * Regenerate with: node --import tsx recommender/matrix/schema-files.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatricesConfig, matrixJsonSchema, plain } from './schema.ts';

export const SCHEMA_DIR = fileURLToPath(new URL('../../matrices/schema/', import.meta.url));

export function schemaFiles(): Record<string, string> {
  const config = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://flowmatrix.io/schemas/matrices-config.schema.json',
    title: 'flowmatrix cluster config: the matrices section',
    ...plain(MatricesConfig),
  };
  return {
    'matrix.schema.json': `${JSON.stringify(matrixJsonSchema(), null, 2)}\n`,
    'matrices-config.schema.json': `${JSON.stringify(config, null, 2)}\n`,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(join(SCHEMA_DIR, name), text);
}
