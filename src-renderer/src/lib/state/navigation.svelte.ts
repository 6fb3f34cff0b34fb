/**
 * Which view is shown. Routes live in the location hash (`#/runs`), which works the same from
 * file:// inside Electron and over http from the headless host, and survives a reload.
 */

export const VIEWS = [
  { id: 'runs', label: 'Runs', path: '#/runs' },
  { id: 'new-run', label: 'New run', path: '#/new-run' },
  { id: 'compare', label: 'Compare', path: '#/compare' },
  { id: 'ablation', label: 'Ablation grid', path: '#/ablation' },
] as const;

export type View = (typeof VIEWS)[number];
export type ViewId = View['id'];

const DEFAULT_VIEW: View = VIEWS[0];

export function viewFromHash(hash: string): View {
  return VIEWS.find((view) => view.path === hash) ?? DEFAULT_VIEW;
}

export class Navigation {
  #view = $state<View>(DEFAULT_VIEW);

  get view(): View {
    return this.#view;
  }

  /** Follows the page's hash until the returned function is called. */
  follow(page: Window): () => void {
    const sync = (): void => {
      this.#view = viewFromHash(page.location.hash);
    };
    sync();
    page.addEventListener('hashchange', sync);
    return () => page.removeEventListener('hashchange', sync);
  }
}
