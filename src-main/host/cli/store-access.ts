import path from 'node:path';
import { defaultDataDir, defaultDbPath } from '../../runs/store/paths';
import { RunStore } from '../../runs/store/run-store';
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

export function openStore(db: string | undefined): { store: RunStore; dbPath: string; dataDir: string } {
  const { dbPath, dataDir } = resolveDb(db);
  try {
    return { store: RunStore.open(dbPath), dbPath, dataDir };
  } catch (err) {
    throw new CliError(`cannot open the run database ${dbPath}: ${(err as Error).message}`, 1);
  }
}
