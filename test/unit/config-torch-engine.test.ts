/**
 * What a run config may ask of the torch engine: every architecture, the IDX and CIFAR datasets
 * with their augmentation; CIFAR10-DVS (so 7B-wideNet, which only takes it) is refused with the way out.
 */
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { ConfigError } from '../../src-main/engine/config/validate';

function issuesOf(preset: string, overrides: string[]): string[] {
  try {
    buildConfig({ preset, overrides: ['engine.name=torch', ...overrides] });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.key}: ${i.message}`);
    throw err;
  }
}

describe('the torch engine in a run config', () => {
  it.each([
    ['cifar10-resnet19-t4', []],
    ['cifar100-resnet18-t4', []],
    ['cifar10-cifarnet-t4', []],
    ['cifar10-resnet18-t4', ['model.arch=ms-resnet18']],
    ['fmnist-cnn', ['model.arch=mlp', 'model.mlpHidden=128']],
    ['synthetic-mlp', []],
  ])('%s %j: accepted, augmentation included', (preset, overrides) => {
    expect(issuesOf(preset, ['data.path=/data/cifar', ...overrides])).toEqual([]);
  });

  it('refuses the datasets it does not read, naming the way out', () => {
    expect(issuesOf('cifar10dvs-7b', ['data.path=/data/dvs'])).toEqual([
      expect.stringMatching(
        /^data\.dataset: the torch engine does not read cifar10-dvs yet .*use engine\.name=tfjs/,
      ),
    ]);
  });
});
