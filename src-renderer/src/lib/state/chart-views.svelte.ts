/**
 * Each keyed chart's own view (log y, clipped outliers, typed y range), kept in local storage so
 * a chart opens as it was left; shared by the chart and its enlarged copy. Charts without a key
 * (one layer's distribution, a probe) keep theirs for as long as they are shown.
 */
import { SvelteMap } from 'svelte/reactivity';
import {
  CHART_VIEWS_STORAGE_KEY,
  DEFAULT_VIEW,
  parseChartViews,
  serializeChartViews,
  type ChartView,
} from '../charts/view-options';

function load(): Map<string, ChartView> {
  try {
    return parseChartViews(localStorage.getItem(CHART_VIEWS_STORAGE_KEY));
  } catch {
    return new Map();
  }
}

class ChartViews {
  readonly #views = new SvelteMap<string, ChartView>(load());

  get(key: string): ChartView {
    return this.#views.get(key) ?? DEFAULT_VIEW;
  }

  set(key: string, view: ChartView): void {
    this.#views.set(key, view);
    try {
      localStorage.setItem(CHART_VIEWS_STORAGE_KEY, serializeChartViews(this.#views));
    } catch {
      // Kept for this session only.
    }
  }
}

export const chartViews = new ChartViews();
