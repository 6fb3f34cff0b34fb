/**
 * The app's routes and their place in the location hash. Pure, so that parsing is unit-tested
 * under Node; `navigation.svelte.ts` follows the page's hash with it.
 *
 *   #/runs[?search=text]   the runs table, optionally filtered (a tag clicked anywhere)
 *   #/new-run[?preset=id]  the New run form, optionally prefilled from a preset
 *   #/new-run?from=<runId> the New run form prefilled with a run's config (Edit and rerun)
 *   #/runs/<runId>         one run, live
 *   #/compare[/<id>,<id>]  runs side by side
 *   #/ablation             the ablation grid
 */

export type Route =
  | {
      readonly kind: 'runs';
      /** Filters the table as if typed into its search box (a clicked tag). */
      readonly search?: string;
    }
  | {
      readonly kind: 'new-run';
      readonly preset: string | null;
      /** The run whose config prefills the form; the new run is linked to it. */
      readonly from?: string;
    }
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'compare'; readonly runIds: readonly string[] }
  | { readonly kind: 'ablation' };

export type RouteKind = Route['kind'];

/** The sidebar's entries; a route belongs to one of them (a run belongs to Runs). */
export const VIEWS = [
  { id: 'runs', label: 'Runs', path: '#/runs' },
  { id: 'new-run', label: 'New run', path: '#/new-run' },
  { id: 'compare', label: 'Compare', path: '#/compare' },
  { id: 'ablation', label: 'Ablation grid', path: '#/ablation' },
] as const;

export type View = (typeof VIEWS)[number];
export type ViewId = View['id'];

export const DEFAULT_ROUTE: Route = { kind: 'runs' };

// Run ids are the store's short base36 strings; anything else in the hash is not one.
const RUN_ID = /^[a-z0-9]{6,40}$/;

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const queryAt = text.indexOf('?');
  const path = queryAt >= 0 ? text.slice(0, queryAt) : text;
  const query = new URLSearchParams(queryAt >= 0 ? text.slice(queryAt + 1) : '');
  const parts = path.split('/').filter((part) => part !== '');
  const [head, arg, ...rest] = parts;
  if (rest.length > 0) return DEFAULT_ROUTE;
  switch (head) {
    case 'runs': {
      if (arg === undefined) {
        const search = query.get('search')?.trim();
        return search ? { kind: 'runs', search } : { kind: 'runs' };
      }
      return RUN_ID.test(arg) ? { kind: 'run', runId: arg } : DEFAULT_ROUTE;
    }
    case 'new-run': {
      if (arg !== undefined) return DEFAULT_ROUTE;
      const route = { kind: 'new-run', preset: query.get('preset') || null } as const;
      const from = query.get('from');
      return from !== null && RUN_ID.test(from) ? { ...route, from } : route;
    }
    case 'compare': {
      if (arg === undefined) return { kind: 'compare', runIds: [] };
      const ids = decodeSafe(arg)
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      if (!ids.every((id) => RUN_ID.test(id))) return DEFAULT_ROUTE;
      return { kind: 'compare', runIds: [...new Set(ids)] };
    }
    case 'ablation':
      return arg === undefined ? { kind: 'ablation' } : DEFAULT_ROUTE;
    default:
      return DEFAULT_ROUTE;
  }
}

export function routeHref(route: Route): string {
  switch (route.kind) {
    case 'runs':
      return route.search ? `#/runs?${new URLSearchParams({ search: route.search }).toString()}` : '#/runs';
    case 'new-run': {
      const query = new URLSearchParams();
      if (route.preset) query.set('preset', route.preset);
      if (route.from) query.set('from', route.from);
      const text = query.toString();
      return text ? `#/new-run?${text}` : '#/new-run';
    }
    case 'run':
      return `#/runs/${route.runId}`;
    case 'compare':
      return route.runIds.length > 0 ? `#/compare/${route.runIds.join(',')}` : '#/compare';
    case 'ablation':
      return '#/ablation';
  }
}

/** The sidebar entry that is current while `route` is shown. */
export function viewOf(route: Route): View {
  const id: ViewId = route.kind === 'run' ? 'runs' : route.kind;
  return VIEWS.find((view) => view.id === id) ?? VIEWS[0];
}

/** The title of the page (header and window) for a route. */
export function routeTitle(route: Route): string {
  switch (route.kind) {
    case 'run':
      return 'Run';
    case 'compare':
      return route.runIds.length > 0 ? `Compare ${route.runIds.length} runs` : 'Compare';
    default:
      return viewOf(route).label;
  }
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
