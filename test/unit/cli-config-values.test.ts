import { describe, expect, it } from 'vitest';
import { fmtConfigValue } from '../../src-main/host/cli/table';

/** `glif runs compare` prints a config diff: unset values in the form's words, never `null`. */
describe('fmtConfigValue', () => {
  it('prints a stored null in the words the form uses for the key', () => {
    expect(fmtConfigValue('data.trainLimit', null)).toBe('all');
    expect(fmtConfigValue('data.testLimit', null)).toBe('all');
    expect(fmtConfigValue('data.path', null)).toBe('default');
  });

  it('says "empty" for a null key the form does not describe, "(absent)" for a missing key', () => {
    expect(fmtConfigValue('some.future.key', null)).toBe('empty');
    expect(fmtConfigValue('data.trainLimit', undefined)).toBe('(absent)');
  });

  it('prints values as they are', () => {
    expect(fmtConfigValue('data.trainLimit', 512)).toBe('512');
    expect(fmtConfigValue('neuron.variant', 'simplex-011')).toBe('simplex-011');
    expect(fmtConfigValue('model.mlpHidden', [64, 32])).toBe('[64,32]');
  });
});
