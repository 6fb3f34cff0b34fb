import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { probeSource, ProbeSourceError } from '../../src-main/runs/probe-source';
import type { RunRecord } from '../../src-main/runs/store/types';

/** A store that holds one run with `config` and no checkpoints. */
function storeWith(config: unknown) {
  return {
    getRun: (id: string) => (id === 'r1' ? ({ id, config } as unknown as RunRecord) : null),
    getCheckpoints: () => [],
  };
}

describe('what the neuron probe can read', () => {
  it('refuses a torch engine run, whose checkpoints are PyTorch files, naming why', () => {
    const config = buildConfig({ preset: 'fmnist-cnn', overrides: ['engine.name=torch'] });
    expect(() => probeSource(storeWith(config), 'r1')).toThrow(
      /run 'r1' trained on the torch engine; the neuron probe reads the tfjs engine's checkpoints only/,
    );
    try {
      probeSource(storeWith(config), 'r1');
    } catch (err) {
      expect(err).toBeInstanceOf(ProbeSourceError);
      expect((err as ProbeSourceError).code).toBe('other_engine');
    }
  });

  it('goes on to the checkpoint for a tfjs run, and knows an unknown one', () => {
    const config = buildConfig({ preset: 'fmnist-cnn' });
    expect(() => probeSource(storeWith(config), 'r1')).toThrow(/has no checkpoint on disk yet/);
    expect(() => probeSource(storeWith(config), 'nope')).toThrow(/no run 'nope'/);
  });
});
