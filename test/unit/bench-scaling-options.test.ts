/**
 * bench:scaling's command line (bench/scaling.ts): the workload and the counts as given, the
 * defaults otherwise, and a misspelt flag or a bad value refused by name rather than ignored (a
 * benchmark that silently measures its defaults reports figures nobody asked for).
 */
import { describe, expect, it } from 'vitest';
import { scalingOptions } from '../../bench/scaling';

describe('bench:scaling options', () => {
  it('takes the workload and the counts from the command line', () => {
    expect(scalingOptions(['resnet19-cifar', '--rounds', '3', '--reps', '2', '--threads', '4'])).toEqual({
      workload: 'resnet19-cifar',
      rounds: 3,
      reps: 2,
      threads: 4,
      withReference: true,
    });
    const defaults = scalingOptions(['--no-reference']);
    expect(defaults).toMatchObject({
      workload: 'fmnist-cnn',
      rounds: 7,
      reps: undefined,
      withReference: false,
    });
  });

  it('refuses unknown flags, unknown workloads and bad counts by name', () => {
    expect(() => scalingOptions(['--round', '3'])).toThrow(/--round/);
    expect(() => scalingOptions(['resnet18'])).toThrow(/unknown workload 'resnet18'/);
    expect(() => scalingOptions(['fmnist-cnn', 'resnet19-cifar'])).toThrow(/one workload at a time/);
    expect(() => scalingOptions(['--rounds', '0'])).toThrow(/--rounds takes a whole number >= 1, got '0'/);
    expect(() => scalingOptions(['--reps', 'x'])).toThrow(/--reps/);
    expect(() => scalingOptions(['--threads', '1'])).toThrow(/at least 2 threads/);
  });
});
