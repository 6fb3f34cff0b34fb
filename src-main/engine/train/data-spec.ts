import type { RunConfig } from '../config/types';
import type { DatasetSpec } from '../data/registry';
import { cacheDirFor } from '../data/cache-location';

/**
 * The dataset a run config names, as the data layer opens it; `cacheRoot` (GLIF_CACHE_DIR, read
 * where the process starts) moves the slow datasets' caches out of their data folders.
 */
export function datasetSpec(config: RunConfig, seed: number, cacheRoot?: string): DatasetSpec {
  const { data, model } = config;
  switch (data.dataset) {
    case 'fashion-mnist':
    case 'mnist':
      return { kind: data.dataset, dir: data.path ?? undefined };
    case 'cifar10':
    case 'cifar100':
      return { kind: data.dataset, path: data.path ?? '' };
    case 'cifar10-dvs':
      return {
        kind: 'cifar10-dvs',
        path: data.path ?? '',
        timeSteps: model.timeSteps,
        cacheDir: cacheDirFor(cacheRoot, data.path ?? ''),
      };
    case 'image-folder':
      return {
        kind: 'image-folder',
        path: data.path ?? '',
        imageSize: data.imageSize,
        cacheDir: cacheDirFor(cacheRoot, data.path ?? ''),
      };
    case 'synthetic':
      // 28x28 grey images so every small architecture (and fmnist-cnn) can take them.
      return { kind: 'synthetic', seed, height: 28, width: 28, channels: 1, trainSize: 2048, testSize: 512 };
  }
}
