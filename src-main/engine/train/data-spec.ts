import type { RunConfig } from '../config/types';
import type { DatasetSpec } from '../data/registry';

/** The dataset a run config names, as the data layer opens it. */
export function datasetSpec(config: RunConfig, seed: number): DatasetSpec {
  const { data, model } = config;
  switch (data.dataset) {
    case 'fashion-mnist':
    case 'mnist':
      return { kind: data.dataset, dir: data.path ?? undefined };
    case 'cifar10':
    case 'cifar100':
      return { kind: data.dataset, path: data.path ?? '' };
    case 'cifar10-dvs':
      return { kind: 'cifar10-dvs', path: data.path ?? '', timeSteps: model.timeSteps };
    case 'image-folder':
      return { kind: 'image-folder', path: data.path ?? '', imageSize: data.imageSize };
    case 'synthetic':
      // 28x28 grey images so every small architecture (and fmnist-cnn) can take them.
      return { kind: 'synthetic', seed, height: 28, width: 28, channels: 1, trainSize: 2048, testSize: 512 };
  }
}
