/**
 * The text of the committed JSON Schema files (matrices/schema/), generated from the TypeBox
 * definitions in schema.ts; app/matrix-schema-files.ts writes them.
 */
import { MatricesConfig, matrixJsonSchema, plain } from './schema.ts';

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
