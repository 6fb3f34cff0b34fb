import { describe, expect, it } from 'vitest';
import { parseThemeChoice, resolveTheme } from '../../src-renderer/src/lib/state/theme-choice';

describe('the theme choice', () => {
  it('follows the OS when set to system, and holds an explicit choice whatever the OS says', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads a stored choice, and anything else as system', () => {
    expect(parseThemeChoice('dark')).toBe('dark');
    expect(parseThemeChoice('light')).toBe('light');
    for (const junk of [null, undefined, '', 'DARK', 'blue']) expect(parseThemeChoice(junk)).toBe('system');
  });
});
