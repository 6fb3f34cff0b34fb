/**
 * Removal of a deleted run's checkpoint files. The paths come from the database, which a user,
 * a copy from another machine or an older version may have filled with anything; deleting
 * whatever a row names would let one row delete any file the user can. So only entries directly
 * inside the run's own folder, `<dataDir>/checkpoints/<runId>/`, are ever removed.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkpointDir } from './paths';

/** The names the trainer writes: `epoch-0001.ckpt`, and `epoch-0001.ckpt.tmp-<pid>` while writing one. */
export const CHECKPOINT_FILE_NAME = /^epoch-\d+\.ckpt(\.tmp-\d+)?$/;
const TEMP_FILE_NAME = /^epoch-\d+\.ckpt\.tmp-(\d+)$/;

export interface RemovedCheckpoints {
  /** Files removed (recorded ones and the trainer's leftovers in the run's folder). */
  removed: string[];
  /** Recorded paths left alone, with why. */
  kept: Array<{ path: string; reason: string }>;
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Where the entry `file` names really lives: its folder with every link resolved, plus its own
 * name (not followed: removing a link inside the folder must not remove the link's target).
 * Null when its folder does not exist.
 */
async function entryLocation(file: string): Promise<string | null> {
  const absolute = path.resolve(file);
  try {
    return path.join(await fs.realpath(path.dirname(absolute)), path.basename(absolute));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

async function unlinkIfPresent(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Removes the files `recordedPaths` name that lie directly in the run's checkpoint folder, then
 * the trainer's own files still there (pruned or half-written checkpoints), then the folder if
 * that left it empty. Anything else stays, and is reported in `kept`.
 */
export async function removeRunCheckpoints(
  dataDir: string,
  runId: string,
  recordedPaths: readonly string[],
): Promise<RemovedCheckpoints> {
  const dir = checkpointDir(runId, dataDir);
  const result: RemovedCheckpoints = { removed: [], kept: [] };
  let realDir: string;
  try {
    realDir = await fs.realpath(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    // No folder: whatever the rows name lies elsewhere, or is gone.
    for (const p of recordedPaths) result.kept.push({ path: p, reason: `outside ${dir}` });
    return result;
  }

  for (const recorded of recordedPaths) {
    const location = await entryLocation(recorded);
    if (location === null) continue; // its folder is gone, so is the file
    if (path.dirname(location) !== realDir || path.basename(location) !== path.basename(recorded)) {
      result.kept.push({ path: recorded, reason: `outside ${dir}` });
      continue;
    }
    try {
      if (await unlinkIfPresent(location)) result.removed.push(location);
    } catch (err) {
      result.kept.push({ path: recorded, reason: (err as Error).message });
    }
  }

  for (const name of await fs.readdir(realDir)) {
    if (!CHECKPOINT_FILE_NAME.test(name)) continue;
    const file = path.join(realDir, name);
    try {
      if (await unlinkIfPresent(file)) result.removed.push(file);
    } catch {
      // A directory with a checkpoint's name, or no permission: it stays, and so does the folder.
    }
  }

  try {
    await fs.rmdir(dir);
  } catch (err) {
    // Something else is in the folder (kept on purpose), or it is a link to a folder elsewhere.
    if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'ENOENT'].includes(errnoCode(err) ?? '')) throw err;
  }
  return result;
}

/**
 * Removes the half-written checkpoints (`epoch-NNNN.ckpt.tmp-<pid>`) that a trainer killed
 * before its rename left behind, in one run's checkpoint folder or, without `runId`, in every
 * run's. Only those whose process is gone: a live one may be writing it right now (a reused pid
 * keeps its file, which errs on the safe side). Returns the removed files; never throws, since a
 * cleanup must not stop the app or a run from starting.
 */
export function removeStaleCheckpointTemps(
  dataDir: string,
  isAlive: (pid: number) => boolean,
  runId?: string,
): string[] {
  const root = path.join(dataDir, 'checkpoints');
  const removed: string[] = [];
  const list = (dir: string): string[] => {
    try {
      return fsSync.readdirSync(dir);
    } catch {
      return [];
    }
  };
  const runDirs =
    runId === undefined ? list(root).map((name) => path.join(root, name)) : [checkpointDir(runId, dataDir)];
  for (const dir of runDirs) {
    for (const name of list(dir)) {
      const match = TEMP_FILE_NAME.exec(name);
      if (match === null || isAlive(Number(match[1]))) continue;
      const file = path.join(dir, name);
      try {
        fsSync.unlinkSync(file);
        removed.push(file);
      } catch {
        // Gone already, or not ours to remove: it is only a leftover.
      }
    }
  }
  return removed;
}
