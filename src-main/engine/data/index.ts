/** Public surface of the data layer. */
export type { Batch, BatchOptions, Dataset, DatasetInfo, DatasetKind, Split } from './dataset';
export { sampleLength, splitSize } from './dataset';
export { DatasetError } from './errors';
export { openDataset, type DatasetSpec, type DatasetKindName, type OpenOptions } from './registry';
export type { DvsProgress } from './cifar10dvs';
