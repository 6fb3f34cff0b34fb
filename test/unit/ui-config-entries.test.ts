import { describe, expect, it } from 'vitest';
import type { ConfigField } from '../../src-renderer/src/lib/api/contract';
import { configEntries } from '../../src-renderer/src/lib/state/config-entries';

describe('configEntries (the run page lists the whole config)', () => {
  it('flattens sections into the dotted keys the form and --set use, sorted', () => {
    const entries = configEntries({
      preset: 'fmnist-cnn',
      train: { lr: 0.1, epochs: 3, seed: 9 },
      data: { path: '/data/fmnist', trainLimit: null, augment: false },
      neuron: { variant: 'glif', channelWise: true },
    });
    expect(entries.map((e) => e.key)).toEqual([
      'data.augment',
      'data.path',
      'data.trainLimit',
      'neuron.channelWise',
      'neuron.variant',
      'preset',
      'train.epochs',
      'train.lr',
      'train.seed',
    ]);
    const value = (key: string) => entries.find((e) => e.key === key)?.value;
    expect(value('data.trainLimit')).toBe('unset');
    expect(value('data.augment')).toBe('no');
    expect(value('neuron.channelWise')).toBe('yes');
    expect(value('train.lr')).toBe('0.1');
  });

  it('words an unset value as the New run form does for that field', () => {
    const fields = [{ key: 'data.trainLimit', emptyLabel: 'all' }] as unknown as ConfigField[];
    const entries = configEntries({ data: { trainLimit: null, testLimit: null } }, fields);
    expect(entries).toEqual([
      { key: 'data.testLimit', value: 'unset' },
      { key: 'data.trainLimit', value: 'all' },
    ]);
  });

  it('prints computed numbers short and lists joined', () => {
    const entries = configEntries({
      model: { mlpHidden: [] },
      train: { lr: 3.0995049003826325e-4, milestones: [30, 60, 90] },
    });
    expect(entries).toEqual([
      { key: 'model.mlpHidden', value: 'none' },
      { key: 'train.lr', value: '3.0995e-4' },
      { key: 'train.milestones', value: '30, 60, 90' },
    ]);
  });
});
