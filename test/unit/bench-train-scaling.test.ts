/**
 * bench:train-scaling reads each `glif train` process's throughput from its run database. Asserted:
 * the steps before the warm-up are left out, steps weigh as the time they took, and bad options
 * are refused with the option's name. Never a speed.
 */
import { describe, expect, it } from 'vitest';
import { trainingThroughput, trainScalingOptions } from '../../bench/train-scaling';

describe('bench train-scaling', () => {
  it('combines the steps from the warm-up on as samples over seconds', () => {
    const points = [
      { step: 0, value: 1 }, // a slow first step, left out
      { step: 1, value: 100 }, // 64 samples in 0.64 s
      { step: 2, value: 400 }, // 64 samples in 0.16 s
    ];
    const t = trainingThroughput(points, 1, 64);
    expect(t.steps).toBe(2);
    // 128 samples in 0.8 s, not the mean of the rates (250).
    expect(t.samplesPerSecond).toBeCloseTo(160, 9);
  });

  it('says so when no step is left after the warm-up', () => {
    expect(() => trainingThroughput([{ step: 3, value: 10 }], 4, 64)).toThrow(/no step from step 4/);
  });

  it('takes its options from the command line and refuses bad ones by name', () => {
    const o = trainScalingOptions(['--rounds', '3', '--threads', '4', '--train-limit', '2048']);
    expect(o).toMatchObject({ preset: 'fmnist-cnn', rounds: 3, threads: 4, trainLimit: 2048 });
    expect(() => trainScalingOptions(['--threads', '1'])).toThrow(/--threads/);
    expect(() => trainScalingOptions(['--rounds', 'x'])).toThrow(/--rounds/);
    expect(() => trainScalingOptions(['--rounds', '2.5'])).toThrow(/--rounds/);
    expect(() => trainScalingOptions(['--preset'])).toThrow(/--preset/);
    // A misspelt flag is refused rather than silently measuring the defaults.
    expect(() => trainScalingOptions(['--round', '3'])).toThrow(/--round/);
    expect(trainScalingOptions(['--json', '--warmup-steps', '0'])).toMatchObject({
      json: true,
      warmupSteps: 0,
    });
  });
});
