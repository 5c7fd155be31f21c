/** The bundled demo cluster in a real SQLite file, loaded the way users load it: `flowmatrix demo --no-serve`. */
import { join } from 'node:path';
import { readRecommendationInput } from '../../app/recommendation.ts';
import type { RecommendInput } from '../../recommender/recommend.ts';
import { openDb } from '../../store/db.ts';
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
