import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { appliedVersion, loadMigrations, migrate } from '../../store/migrate.ts';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

test('all migrations apply to an empty database and are recorded', () => {
  const db = new Database(':memory:');
  const migrations = loadMigrations();
  const applied = migrate(db, migrations);
  assert.deepEqual(applied, migrations.map((m) => m.version));
  assert.equal(appliedVersion(db), migrations.length);
  for (const t of ['edges', 'edge_hours', 'workloads', 'ip_history', 'ingest_runs', 'collector_state', 'network_policies']) {
    assert.ok(tables(db).includes(t), `table ${t} exists`);
  }
  assert.deepEqual(migrate(db, migrations), [], 'a second run applies nothing');
});

test('a database created at each earlier version upgrades to the latest schema', () => {
  const migrations = loadMigrations();
  const fresh = new Database(':memory:');
  migrate(fresh, migrations);
  const expected = fresh.prepare("SELECT type, name, sql FROM sqlite_master WHERE name != 'schema_migrations' ORDER BY type, name").all();
  for (let v = 0; v < migrations.length; v++) {
    const db = new Database(':memory:');
    migrate(db, migrations, v);
    assert.equal(appliedVersion(db), v);
    migrate(db, migrations);
    assert.equal(appliedVersion(db), migrations.length);
    assert.deepEqual(db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name != 'schema_migrations' ORDER BY type, name").all(), expected, `upgrade from v${v}`);
  }
});

test('a failing migration rolls back alone and leaves earlier ones applied', () => {
  const dir = tmpDir();
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', '0001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
  writeFileSync(join(dir, 'm', '0002_bad.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);');
  const db = new Database(':memory:');
  assert.throws(() => migrate(db, loadMigrations(join(dir, 'm'))), /no such table: nope/);
  assert.equal(appliedVersion(db), 1);
  assert.deepEqual(tables(db).filter((t) => t !== 'schema_migrations'), ['a']);
});

test('gaps and malformed migration names are refused', () => {
  const dir = tmpDir();
  mkdirSync(join(dir, 'gap'));
  writeFileSync(join(dir, 'gap', '0001_a.sql'), '');
  writeFileSync(join(dir, 'gap', '0003_c.sql'), '');
  assert.throws(() => loadMigrations(join(dir, 'gap')), /without gaps/);
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', '1_a.sql'), '');
  assert.throws(() => loadMigrations(join(dir, 'bad')), /does not match/);
});

test('openDb creates the data directory, uses WAL and foreign keys', () => {
  const dir = tmpDir();
  const db = openDb(join(dir, 'nested', 'data', 'f.db'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  db.close();
});

test('a database newer than this build is refused', () => {
  const db = new Database(':memory:');
  migrate(db);
  db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
  assert.throws(() => migrate(db), /newer than this flowmatrix knows/);
});

test('a store that cannot be opened is named in the error: not a database, newer than this build', () => {
  const dir = tmpDir();
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'hello, not SQLite');
  assert.throws(() => openDb(junk), (e: unknown) => e instanceof Error && e.message === `${junk}: cannot open the store: file is not a database`);
  const newer = join(dir, 'newer.db');
  const setup = openDb(newer);
  setup.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
  setup.close();
  assert.throws(() => openDb(newer), (e: unknown) => e instanceof Error && e.message.startsWith(`${newer}: cannot open the store: database schema is at version 999`));
});

