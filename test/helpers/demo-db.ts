/** The bundled demo cluster in a real SQLite file, loaded the way users load it: `flowmatrix demo --no-serve`. */
import { join } from 'node:path';
import { loadCatalog } from '../../app/catalog.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput } from '../../app/recommendation.ts';
import type { RecommendInput } from '../../recommender/recommend.ts';
import { openDb, type Db } from '../../store/db.ts';
import { runCli } from './cli.ts';
import { tmpDir } from './tmp.ts';

/** Call at module level of a test file (tmpDir's cleanup runs when the file's tests end). */
export async function demoDb(): Promise<string> {
  const db = join(tmpDir('flowmatrix-demo-'), 'demo.db');
  const r = await runCli(['demo', '--no-serve', '--db', db]);
  if (r.code !== 0) throw new Error(`flowmatrix demo --no-serve failed: ${r.err}`);
  return db;
}

/** What recommend() gets from a demo database, read as the CLI reads it (no cluster config). */
export function demoRecommendInput(dbPath: string): RecommendInput {
  const db = openDb(dbPath);
  try {
    return readRecommendationInput(db, {});
  } finally {
    db.close();
  }
}

/**
 * Applies the Kyma Telemetry matrix with its model=current "any IP" written as the CIDRs
 * 0.0.0.0/0 and ::/0 (as the catalog wrote it before it said `world`) over the built-in one: a
 * documented CIDR rule, in both address families, that in-cluster traffic (kubelet scrapes,
 * control-plane calls) reaches.
 */
export function applyKymaAnyIpAsCidrs(db: Db): void {
  const kyma = loadCatalog().find((c) => c.matrix.metadata.name === 'kyma-telemetry')!;
  const text = kyma.text.replaceAll('peer: world', 'peer: { cidrs: ["0.0.0.0/0", "::/0"] }');
  if (text === kyma.text) throw new Error('the Kyma matrix has no `peer: world` any more: this helper needs another way to write its CIDRs');
  applyMatrix(db, { text, origin: 'test', appliedAt: 0 });
}
