import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src-main/engine/config/presets';
import { reportedAccuracyFor } from '../../src-renderer/src/lib/state/reported-accuracy';

// The run page's "authors report" line: found from the run's stored config and the host's presets.
describe("the authors' reported accuracy of a run", () => {
  const configOf = (preset: string) => ({ ...PRESETS.find((p) => p.id === preset)!.config });

  it('is the preset row’s number, as a fraction, for a run started from a paper preset', () => {
    expect(reportedAccuracyFor(PRESETS, configOf('cifar100-resnet19-t4'))).toEqual({
      presetId: 'cifar100-resnet19-t4',
      accuracy: 0.7722,
    });
  });

  it('is absent for a preset without one, an unknown preset, or a config without a preset', () => {
    expect(reportedAccuracyFor(PRESETS, configOf('fmnist-cnn'))).toBeNull();
    expect(reportedAccuracyFor(PRESETS, { ...configOf('fmnist-cnn'), preset: 'no-such-preset' })).toBeNull();
    expect(reportedAccuracyFor(PRESETS, { model: {} })).toBeNull();
    expect(reportedAccuracyFor(PRESETS, null)).toBeNull();
    // Before the schema is in, the page has no presets yet.
    expect(reportedAccuracyFor([], configOf('cifar100-resnet19-t4'))).toBeNull();
  });
});
