/**
 * What a run config may ask of the torch engine: what it may ask of the tfjs engine (every
 * architecture and dataset, with their augmentation), in one process or several.
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
    ['cifar10dvs-7b', []],
  ])('%s %j: accepted, augmentation included', (preset, overrides) => {
    expect(issuesOf(preset, ['data.path=/data/set', 'engine.processes=4', ...overrides])).toEqual([]);
  });
});
