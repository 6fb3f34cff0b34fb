import type Database from 'better-sqlite3';
import { RunStoreError } from './errors';
import { MIGRATIONS, type Migration } from './migrations';

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

export function tooNewError(found: number, known: number, file: string): RunStoreError {
  return new RunStoreError(
    'schema_too_new',
    `the runs database ${file} has schema version ${found}, but this GLIF Workbench only knows ` +
      `versions up to ${known}; it was written by a newer version. Update GLIF Workbench, or set ` +
      `GLIF_DATA_DIR to use another data folder.`,
  );
}

/**
 * Brings the schema to `target` (default: the latest), one migration per transaction, and
 * returns the versions applied. A database newer than the code is refused rather than guessed at.
 */
export function migrate(
  db: Database.Database,
  options: { migrations?: readonly Migration[]; target?: number } = {},
): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  checkSequence(migrations);
  const latest = migrations.length;
  const target = options.target ?? latest;
  if (target > latest) throw new Error(`no migration for schema version ${target}`);

  const current = schemaVersion(db);
  if (current > latest) throw tooNewError(current, latest, db.name);

  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    // IMMEDIATE takes the write lock first, so a second process starting at the same moment
    // waits and then sees the new version instead of applying the migration twice.
    const didApply = db
      .transaction(() => {
        if (schemaVersion(db) >= migration.version) return false;
        migration.up(db);
        // user_version lives in the database header, which SQLite writes as part of this transaction.
        db.pragma(`user_version = ${migration.version}`);
        return true;
      })
      .immediate();
    if (didApply) applied.push(migration.version);
  }
  return applied;
}
