import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RunStoreError } from './errors';
import { migrate, schemaVersion, tooNewError } from './migrate';
import { LATEST_SCHEMA_VERSION } from './migrations';

/** How long a connection waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/**
 * busy_timeout for a write retried after SQLITE_BUSY. busy_timeout waits synchronously: while
 * another process holds the lock for long, each full-length attempt would freeze the event
 * loop (a host's HTTP and WebSocket clients) for BUSY_TIMEOUT_MS; retries poll briefly instead.
 */
export const RETRY_BUSY_TIMEOUT_MS = 50;

/** Whether this process may write `target` (a file or a folder); false on EACCES, EPERM or EROFS. */
function canWrite(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readOnlyError(file: string, what: string): RunStoreError {
  return new RunStoreError(
    'read_only',
    `the runs database ${file} is read-only (${what}); recording runs needs write access to the ` +
      `file and its folder. Read it with \`glif runs\`, or use another --db or GLIF_DATA_DIR.`,
  );
}

/**
 * Refuses a database this process cannot write before SQLite opens it: SQLite would fall back
 * to a read-only connection without saying so, create -wal/-shm files beside it, and fail only
 * at the first write with SQLITE_READONLY. The folder must be writable too, for those files.
 */
function assertWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (fs.existsSync(file) && !canWrite(file)) throw readOnlyError(file, 'no write permission on the file');
  if (!canWrite(dir)) throw readOnlyError(file, `its folder ${dir} is not writable`);
}

function isReadOnlySqliteError(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_READONLY');
}

/**
 * The single writer connection. WAL lets readers in other connections (the headless host, a
 * CLI `runs` command) read while training writes; synchronous=NORMAL is durable against a crash
 * of the process (only an OS crash or power loss can lose the last transactions), which is the
 * trade-off SQLite recommends for WAL.
 */
export function openWriterDatabase(
  file: string,
  options: { busyTimeoutMs?: number } = {},
): Database.Database {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    assertWritable(file);
  }
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
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    // What the access checks cannot see (say, a read-only mount seen as writable by root).
    if (isReadOnlySqliteError(err)) throw readOnlyError(file, (err as Error).message);
    throw err;
  }
}

/** Whether a -wal file with content lies beside `file`: transactions not yet in the main file. */
function hasWalContent(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * The database's file as an in-memory database. Only correct when no -wal file holds
 * transactions (then the main file has every committed one). The header's read/write version
 * bytes say WAL, which an in-memory database cannot use; the copy says rollback journal.
 */
function openSnapshot(file: string): Database.Database {
  const bytes = fs.readFileSync(file);
  if (bytes.length >= 20) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

/**
 * A read-only connection (opened with SQLITE_OPEN_READONLY, plus query_only as a second lock).
 * It never migrates: a schema older than the code means the writer has not opened the file yet.
 *
 * A WAL database needs its -wal and -shm files to be read. When there are none (no writer has
 * the file open) and this process cannot write the file or its folder, SQLite could not create
 * them (a read-only folder) or would leave them behind owned by this user (a read-only file in
 * someone else's folder, which their writer then cannot open): read a snapshot in memory instead.
 */
export function openReadonlyDatabase(file: string): Database.Database {
  if (!fs.existsSync(file)) {
    throw new RunStoreError('not_found', `no runs database at ${file}`);
  }
  const useSnapshot =
    !hasWalContent(file) && (!canWrite(file) || !canWrite(path.dirname(path.resolve(file))));
  const db = useSnapshot ? openSnapshot(file) : new Database(file, { readonly: true, fileMustExist: true });
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
