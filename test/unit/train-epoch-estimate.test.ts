/**
 * The early warning of a long epoch (train/epoch-estimate.ts): what an ImageNet-scale run on the
 * workbench's own engine says after its first steps, and the silence of an ordinary run.
 */
import { describe, expect, it } from 'vitest';
import { longEpochWarning, roughDuration } from '../../src-main/engine/train/epoch-estimate';

describe('how long an epoch would take here', () => {
  it('warns with the epoch, the run and the way out for ImageNet on wasm', () => {
    // ImageNet: 1,281,167 images at 50 a step; 1.5 s a step.
    const message = longEpochWarning({
      stepsPerEpoch: 25_624,
      secondsPerStep: 1.5,
      epochsLeft: 150,
      backend: 'wasm',
      threads: 2,
    });
    expect(message).toBe(
      'an epoch of this run takes about 10 h 40 min here (25,624 steps of 1.50 s on wasm, 2 threads), ' +
        'the 150 epochs left about 66 d 17 h. Runs this size are meant for the torch engine on GPUs ' +
        '(engine.name=torch, engine.processes = GPUs); cancel this one to switch, or let it go on.',
    );
  });

  it('says nothing of an epoch under an hour', () => {
    expect(
      longEpochWarning({
        stepsPerEpoch: 938,
        secondsPerStep: 0.25,
        epochsLeft: 1,
        backend: 'wasm',
        threads: 2,
      }),
    ).toBeNull();
    expect(
      longEpochWarning({ stepsPerEpoch: 3600, secondsPerStep: 1, epochsLeft: 1, backend: 'cpu', threads: 1 }),
    ).toBeNull();
  });

  it('rounds durations to their two largest units', () => {
    expect(roughDuration(42)).toBe('42 s');
    expect(roughDuration(7 * 60 + 59)).toBe('7 min');
    expect(roughDuration(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(roughDuration(2 * 86_400 + 3 * 3600 + 59)).toBe('2 d 3 h');
  });
});
