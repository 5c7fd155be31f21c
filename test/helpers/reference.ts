import { fileURLToPath } from 'node:url';

/**
 * Upstream samples and schemas the tests read, copied into the repo so a clone alone passes;
 * each file's origin and licence are in test/fixtures/reference/SOURCES.md.
 */
export const REFERENCE = fileURLToPath(new URL('../fixtures/reference/', import.meta.url));
