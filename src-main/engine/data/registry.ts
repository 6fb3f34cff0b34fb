/**
 * One entry point from a dataset description (as stored in a run config) to
 * an open Dataset. The union is exhaustive: a new kind fails to compile until
 * it is handled here.
 */
import { type Cifar10DvsOptions, type DvsProgress, openCifar10Dvs } from './cifar10dvs';
import { openCifarDataset } from './cifar';
import type { Dataset } from './dataset';
import { openIdxDataset } from './idx';
import { openImageFolder, type ImageFolderOptions } from './image-folder/image-folder';
import { openSynthetic, type SyntheticOptions } from './synthetic';

export type DatasetSpec =
  | {
      readonly kind: 'fashion-mnist' | 'mnist';
      /** Folder with the four IDX files; Fashion-MNIST defaults to /usr/share/datasets/fashion-mnist. */
      readonly dir?: string;
      /** Also apply the reference's mean/std normalisation (default: pixels in [0, 1] only). */
      readonly normalize?: boolean;
    }
  | {
      readonly kind: 'cifar10' | 'cifar100';
      /** Folder (the extracted binary batches or their parent) or the distribution .tar.gz. */
      readonly path: string;
    }
  | ({ readonly kind: 'cifar10-dvs' } & Omit<Cifar10DvsOptions, 'onProgress'>)
  | ({ readonly kind: 'image-folder' } & Omit<ImageFolderOptions, 'onProgress'>)
  | ({ readonly kind: 'synthetic' } & SyntheticOptions);

export type DatasetKindName = DatasetSpec['kind'];

export interface OpenOptions {
  /** Progress of slow preparation (CIFAR10-DVS frame conversion, an image folder's decoding). */
  readonly onProgress?: (p: DvsProgress) => void;
}

function unreachable(x: never): never {
  throw new Error(`unknown dataset kind: ${JSON.stringify(x)}`);
}

export async function openDataset(spec: DatasetSpec, opts: OpenOptions = {}): Promise<Dataset> {
  switch (spec.kind) {
    case 'fashion-mnist':
    case 'mnist':
      return openIdxDataset({ name: spec.kind, dir: spec.dir, normalize: spec.normalize });
    case 'cifar10':
    case 'cifar100':
      return openCifarDataset({ variant: spec.kind, path: spec.path });
    case 'cifar10-dvs': {
      const { kind: _kind, ...rest } = spec;
      return openCifar10Dvs({ ...rest, onProgress: opts.onProgress });
    }
    case 'image-folder': {
      const { kind: _kind, ...rest } = spec;
      return openImageFolder({ ...rest, onProgress: opts.onProgress });
    }
    case 'synthetic': {
      const { kind: _kind, ...rest } = spec;
      return openSynthetic(rest);
    }
    default:
      return unreachable(spec);
  }
}
