/**
 * Light or dark: the user's choice ("system" follows the OS) and what it resolves to. Pure, for
 * unit tests; theme.svelte.ts applies it to the page and keeps it.
 */
export const THEME_CHOICES = [
  { id: 'system', label: 'System' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
] as const;

export type ThemeChoice = (typeof THEME_CHOICES)[number]['id'];
export type Theme = 'light' | 'dark';

/** Where the choice is kept in the renderer's local storage. */
export const THEME_STORAGE_KEY = 'glif.theme';

export function parseThemeChoice(text: string | null | undefined): ThemeChoice {
  return THEME_CHOICES.some((choice) => choice.id === text) ? (text as ThemeChoice) : 'system';
}

export function resolveTheme(choice: ThemeChoice, osPrefersDark: boolean): Theme {
  if (choice === 'system') return osPrefersDark ? 'dark' : 'light';
  return choice;
}
