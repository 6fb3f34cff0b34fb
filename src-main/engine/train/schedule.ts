import type { TrainConfig } from '../config/types';

/**
 * Learning rate of an epoch (0-based), stepped once per epoch as the reference does.
 * - cosine: lr * (1 + cos(pi * e / E)) / 2, reaching 0 after the last epoch.
 * - cosine-periodic: PyTorch CosineAnnealingLR with T_max < epochs, whose closed form keeps
 *   oscillating (DVS recipe: 0 at epochs 64 and 192, back to lr at 128).
 */
export function learningRate(train: TrainConfig, epoch: number): number {
  return learningRateAt(train, epoch, train.epochs);
}

/**
 * The same schedules at a fractional position: `t` of `span` (epochs, or steps when the
 * schedule is stepped per batch; then span is the run's total number of steps).
 */
export function learningRateAt(train: TrainConfig, t: number, span: number): number {
  switch (train.schedule) {
    case 'constant':
      return train.lr;
    case 'cosine':
      return (train.lr * (1 + Math.cos((Math.PI * t) / span))) / 2;
    case 'cosine-periodic': {
      const tMax = (train.scheduleTMax ?? train.epochs) * (span / train.epochs);
      return (train.lr * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
    }
  }
}
