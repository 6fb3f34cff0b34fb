import path from 'node:path';
import { RunStoreError } from '../../runs/store/errors';
import { defaultDataDir, defaultDbPath } from '../../runs/store/paths';
import { openRunStoreReader } from '../../runs/store/reader';
import { RunStore } from '../../runs/store/run-store';
import type { RunStoreReader } from '../../runs/store/types';
import { CliError } from './errors';

/**
 * The database a command works on: `--db` or the desktop app's default in the user's data
 * folder. Checkpoints live beside the database, so a `--db` elsewhere keeps its runs whole.
 */
export function resolveDb(db: string | undefined): { dbPath: string; dataDir: string } {
  if (db !== undefined && db.trim() === '') throw new CliError('--db needs a file path');
  const dbPath = db ? path.resolve(db) : defaultDbPath();
  return { dbPath, dataDir: db ? path.dirname(dbPath) : defaultDataDir() };
}

/** The writer, for commands that record runs; creates the database (and its folder) if needed. */
export function openStore(db: string | undefined): { store: RunStore; dbPath: string; dataDir: string } {
  const { dbPath, dataDir } = resolveDb(db);
  try {
    return { store: RunStore.open(dbPath), dbPath, dataDir };
  } catch (err) {
    // The store's own errors already name the file and say what to do.
    if (err instanceof RunStoreError) throw new CliError(err.message, 1);
    throw new CliError(`cannot open the run database ${dbPath}: ${(err as Error).message}`, 1);
  }
}

/**
 * A read-only connection, for commands that only read: it works on a read-only file or folder,
 * and it never creates anything, so a mistyped --db is refused instead of becoming a new, empty
 * database (with its folders).
 */
export function openReader(db: string | undefined): { reader: RunStoreReader; dbPath: string } {
  const { dbPath } = resolveDb(db);
  try {
    return { reader: openRunStoreReader(dbPath), dbPath };
  } catch (err) {
    if (err instanceof RunStoreError && err.code === 'not_found') {
      const hint = db === undefined ? 'record a run with `glif train` first' : 'check --db';
      throw new CliError(`no runs database at ${dbPath} (${hint})`);
    }
    if (err instanceof RunStoreError) throw new CliError(err.message, 1);
    throw new CliError(`cannot read the run database ${dbPath}: ${(err as Error).message}`, 1);
  }
}
