/**
 * Where the slow datasets' caches go (an image folder's decoded images, CIFAR10-DVS's frames). By
 * default inside the data folder; a read-only mount (ImageNet on a shared volume is often one)
 * needs them elsewhere: GLIF_CACHE_DIR names a folder that holds one cache folder per data folder.
 * An environment variable, not a run setting: where this machine keeps caches is the host's
 * business, and a run's config must not let the UI write at a path of its choosing.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const CACHE_DIR_ENV = 'GLIF_CACHE_DIR';

/** GLIF_CACHE_DIR as set (absolute), or undefined when unset or empty. */
export function cacheRootFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env[CACHE_DIR_ENV]?.trim();
  return value ? path.resolve(value) : undefined;
}

/**
 * The cache folder of the data at `dataPath` under `cacheRoot`: the data folder's name and a hash
 * of its absolute path, so two datasets of the same name keep apart; undefined (the loader's
 * default, inside the data folder) without a root.
 */
export function cacheDirFor(cacheRoot: string | undefined, dataPath: string): string | undefined {
  if (cacheRoot === undefined) return undefined;
  const data = path.resolve(dataPath);
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 12);
  return path.join(cacheRoot, `${path.basename(data) || 'data'}-${hash}`);
}
