/**
 * Which route is shown. Routes live in the location hash (`#/runs`), which works the same from
 * file:// inside Electron and over http from the headless host, and survives a reload.
 */
import { DEFAULT_ROUTE, parseRoute, routeHref, routeTitle, viewOf, type Route, type View } from './routes';

export { VIEWS, type Route, type View, type ViewId } from './routes';

export class Navigation {
  #route = $state<Route>(DEFAULT_ROUTE);
  readonly #view = $derived(viewOf(this.#route));
  readonly #title = $derived(routeTitle(this.#route));

  get route(): Route {
    return this.#route;
  }

  /** The sidebar entry of the current route. */
  get view(): View {
    return this.#view;
  }

  get title(): string {
    return this.#title;
  }

  /** Follows the page's hash until the returned function is called. */
  follow(page: Window): () => void {
    const sync = (): void => {
      this.#route = parseRoute(page.location.hash);
    };
    sync();
    page.addEventListener('hashchange', sync);
    return () => page.removeEventListener('hashchange', sync);
  }
}

/** Shows `route` (through the hash, so history and reloads keep working). */
export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
