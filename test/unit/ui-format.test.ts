import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatHyper,
  formatPercent,
  formatEnergy,
  formatStat,
  MISSING,
} from '../../src-renderer/src/lib/components/format';

describe('table number formats', () => {
  it('writes accuracies as percentages and unknowns as a dash', () => {
    expect(formatPercent(0.8534)).toBe('85.3 %');
    expect(formatPercent(1)).toBe('100.0 %');
    expect(formatPercent(null)).toBe(MISSING);
    expect(formatPercent(Number.NaN)).toBe(MISSING);
  });

  it('writes SOP counts with SI prefixes and three significant digits', () => {
    expect(formatCount(507.1875)).toBe('507');
    expect(formatCount(195_432)).toBe('195 k');
    expect(formatCount(1_234_567)).toBe('1.23 M');
    expect(formatCount(2.5e9)).toBe('2.5 G');
    expect(formatCount(0.0391)).toBe('0.0391');
    expect(formatCount(0)).toBe('0');
  });

  it('writes hyperparameters like the CLI', () => {
    expect(formatHyper(0.1)).toBe('0.1');
    expect(formatHyper(5e-5)).toBe('5e-5');
    expect(formatHyper(64)).toBe('64');
    expect(formatHyper(null)).toBe(MISSING);
    expect(formatHyper(3.0995049003826325e-4)).toBe('3.0995e-4');
  });

  it('writes measured values (a decayed learning rate, a loss) at four significant digits', () => {
    expect(formatStat(3.0995049003826325e-4)).toBe('3.1e-4');
    expect(formatStat(3.0985049003826325e-4)).toBe('3.099e-4');
    expect(formatStat(2.302585092994046)).toBe('2.303');
    expect(formatStat(0.09995)).toBe('0.09995');
    expect(formatStat(1234.567)).toBe('1235');
    expect(formatStat(0)).toBe('0');
    expect(formatStat(Infinity)).toBe('∞');
    expect(formatStat(null)).toBe(MISSING);
  });

  it('writes durations at a useful precision without 60-second minutes', () => {
    expect(formatDuration(4_210)).toBe('4.2 s');
    expect(formatDuration(26_000)).toBe('26 s');
    expect(formatDuration(187_000)).toBe('3 min 07 s');
    expect(formatDuration(119_600)).toBe('2 min 00 s');
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(formatDuration(null)).toBe(MISSING);
  });

  it('energy in the unit that reads best, from microjoules', () => {
    expect(formatEnergy(0.0123)).toBe('12.3 nJ');
    expect(formatEnergy(45.64)).toBe('45.6 µJ');
    expect(formatEnergy(1)).toBe('1 µJ');
    expect(formatEnergy(1234)).toBe('1.23 mJ');
    expect(formatEnergy(0)).toBe('0 µJ');
    expect(formatEnergy(null)).toBe(MISSING);
  });
});
