import type { DatasetInfo } from '../../src-main/engine/data/dataset';
import type { InputShape } from '../../src-main/engine/models/model';

/** What a model needs of a dataset to be built: its input shape and class count, nothing to read. */
export function shapeOnlyInfo(inputShape: InputShape, numClasses: number): DatasetInfo {
  return {
    name: 'shape only',
    kind: 'static',
    inputShape,
    numClasses,
    trainSize: 1,
    testSize: 1,
    augmentation: 'none',
    source: 'test',
  };
}
