import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RunStoreError } from './errors';
import { migrate, schemaVersion, tooNewError } from './migrate';
import { LATEST_SCHEMA_VERSION } from './migrations';

/** How long a connection waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * The single writer connection. WAL lets readers in other connections (the headless host, a
 * CLI `runs` command) read while training writes; synchronous=NORMAL is durable against a crash
 * of the process (only an OS crash or power loss can lose the last transactions), which is the
 * trade-off SQLite recommends for WAL.
 */
export function openWriterDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    // Refuse a newer schema before anything below writes to the file: switching to WAL rewrites
    // the header and creates the -wal file, which a newer version may not expect of its file.
    const found = schemaVersion(db);
    if (found > LATEST_SCHEMA_VERSION) throw tooNewError(found, LATEST_SCHEMA_VERSION, file);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (file !== ':memory:' && mode !== 'wal') {
      throw new RunStoreError(
        'not_wal',
        `could not switch ${file} to WAL journal mode (got ${String(mode)})`,
      );
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * A read-only connection (opened with SQLITE_OPEN_READONLY, plus query_only as a second lock).
 * It never migrates: a schema older than the code means the writer has not opened the file yet.
 */
export function openReadonlyDatabase(file: string): Database.Database {
  if (!fs.existsSync(file)) {
    throw new RunStoreError('not_found', `no runs database at ${file}`);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('query_only = ON');
    const version = schemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION) throw tooNewError(version, LATEST_SCHEMA_VERSION, file);
    if (version < LATEST_SCHEMA_VERSION) {
      throw new RunStoreError(
        'schema_too_old',
        `the runs database ${file} has schema version ${version} (this code needs ${LATEST_SCHEMA_VERSION}); ` +
          `open it once with the writer (the app or a \`glif train\`) to migrate it`,
      );
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
