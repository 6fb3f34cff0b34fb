/**
 * The page's theme: the choice kept in local storage, applied as data-theme on the root element
 * (app.css holds the dark values), and followed live when the OS switches while "System" is
 * chosen. Charts read `theme.resolved` to rebuild with the new axis colours.
 */
import {
  parseThemeChoice,
  resolveTheme,
  THEME_STORAGE_KEY,
  type Theme,
  type ThemeChoice,
} from './theme-choice';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function storedChoice(): ThemeChoice {
  try {
    return parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    // Storage can be unavailable (a locked-down browser profile): the OS decides then.
    return 'system';
  }
}

class ThemeState {
  #choice = $state<ThemeChoice>('system');
  #osDark = $state(false);

  get choice(): ThemeChoice {
    return this.#choice;
  }

  get resolved(): Theme {
    return resolveTheme(this.#choice, this.#osDark);
  }

  /** Reads the stored choice and the OS preference, applies them, and follows the OS. */
  start(): () => void {
    const query = matchMedia(DARK_QUERY);
    this.#choice = storedChoice();
    this.#osDark = query.matches;
    this.#apply();
    const onChange = (event: MediaQueryListEvent) => {
      this.#osDark = event.matches;
      this.#apply();
    };
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }

  set(choice: ThemeChoice): void {
    this.#choice = choice;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // Not kept across restarts, but applied now.
    }
    this.#apply();
  }

  #apply(): void {
    document.documentElement.dataset['theme'] = this.resolved;
  }
}

export const theme = new ThemeState();
