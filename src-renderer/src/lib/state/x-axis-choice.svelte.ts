/**
 * The x axis each curve view was left on (the run page's, Compare's), kept in local storage so a
 * view opens on it again.
 */
import { parseXAxisUnit, type XAxisUnit } from '../charts/x-axis';

export type CurveView = 'run' | 'compare';

const storageKey = (view: CurveView) => `glif.xAxis.${view}`;

function load(view: CurveView): XAxisUnit | null {
  try {
    return parseXAxisUnit(localStorage.getItem(storageKey(view)));
  } catch {
    return null;
  }
}

class XAxisChoice {
  #run = $state<XAxisUnit>(load('run') ?? 'step');
  #compare = $state<XAxisUnit | null>(load('compare'));

  /** Compare's default follows its metric (per step or per epoch) until one is picked. */
  get(view: CurveView, fallback: XAxisUnit): XAxisUnit {
    return view === 'run' ? this.#run : (this.#compare ?? fallback);
  }

  set(view: CurveView, unit: XAxisUnit): void {
    if (view === 'run') this.#run = unit;
    else this.#compare = unit;
    try {
      localStorage.setItem(storageKey(view), unit);
    } catch {
      // Kept for this session only.
    }
  }
}

export const xAxisChoice = new XAxisChoice();
