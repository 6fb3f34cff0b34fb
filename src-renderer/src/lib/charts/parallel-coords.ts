/**
 * Geometry of a parallel-coordinates chart: one vertical axis per column (a hyperparameter that
 * differs between the compared runs, then the metric), each run one polyline across them. Which
 * scale an axis takes (linear, log, categories), its ticks, where each run sits on it, where the
 * axes stand in a given width, and which runs pass the brushed ranges. Plain functions, so the
 * drawing component and the SVG export share one geometry that is unit-tested under Node.
 */
import type { JsonValue } from '../api/contract';
import { formatHyper } from '../components/format';
import { estimateTextWidth } from './legend-layout';
import { formatLogTick, formatPercentTick, formatTick } from './ticks';

export interface AxisColumn {
  readonly key: string;
  readonly label: string;
  /** One value per run, in the runs' order; undefined where a run has none. */
  readonly values: readonly (JsonValue | undefined)[];
  /** The values are fractions shown as percentages (accuracies). */
  readonly percent?: boolean;
  /** A value in words for the tooltip and the table (a variant with its name). */
  readonly describe?: (value: JsonValue | undefined) => string;
  /** A category's label on the axis, kept short; `describe` or plain text when absent. */
  readonly short?: (value: JsonValue | undefined) => string;
}

export type AxisKind = 'linear' | 'log' | 'category';

export interface AxisTick {
  /** 0 at the bottom of the axis, 1 at its top. */
  readonly position: number;
  readonly label: string;
}

export interface ParallelAxis {
  readonly key: string;
  readonly label: string;
  readonly kind: AxisKind;
  readonly ticks: readonly AxisTick[];
  /** Each run's place on the axis (0 bottom … 1 top); null: the run has no value for it. */
  readonly positions: readonly (number | null)[];
  /** Each run's value in words. */
  readonly texts: readonly string[];
}

/** A brushed range of one axis, in axis positions (0 bottom … 1 top), lo ≤ hi. */
export interface Brush {
  readonly lo: number;
  readonly hi: number;
}

const finite = (v: JsonValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Plain text of a value, for a column that gives none of its own. */
export function valueText(value: JsonValue | undefined): string {
  if (value === undefined) return '(not set)';
  if (value === null) return 'none';
  if (typeof value === 'number') return formatHyper(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * A log axis when the values are all positive and span more than a decade (learning rates
 * 1e-3 … 1e-1): on a linear one every run but the largest would crowd at the bottom.
 */
export function shouldUseLog(values: readonly number[]): boolean {
  if (values.length < 2 || values.some((v) => !(v > 0) || !Number.isFinite(v))) return false;
  return Math.max(...values) / Math.min(...values) > 10;
}

function niceStep(span: number, count: number, integer: boolean): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  // Whole-number axes (seeds, time steps) never tick at 2.5.
  const mantissa = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 && !integer ? 2.5 : m <= 5 ? 5 : 10;
  const step = mantissa * power;
  return integer ? Math.max(1, step) : step;
}

/** Rounds away float noise (0.30000000000000004) from computed tick values. */
const clean = (v: number) => Number(v.toPrecision(12));

export interface NumericScale {
  readonly lo: number;
  readonly hi: number;
  readonly ticks: readonly number[];
  readonly step: number;
}

/**
 * A linear axis over [min, max], widened to whole ticks (about five); accuracies stay within
 * [0, 100 %]. A single value gets a small range around it, so it sits mid-axis.
 */
export function linearScale(min: number, max: number, percent = false, integer = false): NumericScale {
  let a = min;
  let b = max;
  if (a === b) {
    const pad = percent ? 0.01 : integer ? 1 : Math.abs(a) * 0.1 || 1;
    a -= pad;
    b += pad;
  }
  const step = niceStep(b - a, 5, integer);
  let lo = clean(Math.floor(a / step) * step);
  let hi = clean(Math.ceil(b / step) * step);
  if (percent) {
    lo = Math.max(0, lo);
    hi = Math.min(1, hi);
  }
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-9; v = clean(v + step)) ticks.push(v);
  return { lo, hi, ticks, step };
}

/** A log axis from the decade below the smallest value to the one above the largest. */
export function logScale(min: number, max: number): NumericScale {
  const loExp = Math.floor(Math.log10(min));
  const hiExp = Math.ceil(Math.log10(max));
  const ticks: number[] = [];
  // Two decades or fewer leave room for 2× and 5× ticks between the powers of ten.
  const between = hiExp - loExp <= 2 ? [2, 5] : [];
  for (let e = loExp; e <= hiExp; e++) {
    ticks.push(clean(10 ** e));
    if (e < hiExp) for (const m of between) ticks.push(clean(m * 10 ** e));
  }
  ticks.sort((x, y) => x - y);
  return { lo: 10 ** loExp, hi: 10 ** hiExp, ticks, step: 0 };
}

/** Where a value sits on a numeric scale, 0 at `lo` … 1 at `hi`. */
export function scalePosition(scale: NumericScale, log: boolean, value: number): number {
  if (log) return (Math.log10(value) - Math.log10(scale.lo)) / (Math.log10(scale.hi) - Math.log10(scale.lo));
  return (value - scale.lo) / (scale.hi - scale.lo);
}

/** Order of categories down an axis: numbers ascending, false, true, texts A–Z, none, not set. */
function categoryRank(value: JsonValue | undefined): number {
  if (typeof value === 'number') return 0;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'string') return 2;
  if (value === null) return 4;
  if (value === undefined) return 5;
  return 3;
}

function compareCategories(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const rank = categoryRank(a) - categoryRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return JSON.stringify(a ?? null).localeCompare(JSON.stringify(b ?? null), undefined, { numeric: true });
}

/** Evenly spaced, first category at the top, none on the axis's ends (their labels stay clear of its title). */
export function categoryPosition(index: number, count: number): number {
  return 1 - (index + 0.5) / count;
}

const keyOf = (v: JsonValue | undefined) => (v === undefined ? 'undefined' : JSON.stringify(v));

export function buildAxis(column: AxisColumn): ParallelAxis {
  const { key, label, values } = column;
  const describe = column.describe ?? valueText;
  const texts = values.map(describe);
  const present = values.filter((v) => v !== undefined && v !== null);
  const numbers = present.filter(finite);
  // Numbers with some runs lacking one stay a numeric axis: the others are drawn below it.
  if (present.length > 0 && numbers.length === present.length) {
    const log = !column.percent && shouldUseLog(numbers);
    const integer = numbers.every(Number.isInteger);
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    const scale = log ? logScale(min, max) : linearScale(min, max, column.percent, integer);
    const tickLabel = (v: number) =>
      column.percent ? formatPercentTick(v, scale.step) : log ? formatLogTick(v) : formatTick(v, scale.step);
    return {
      key,
      label,
      kind: log ? 'log' : 'linear',
      ticks: scale.ticks.map((v) => ({ position: scalePosition(scale, log, v), label: tickLabel(v) })),
      positions: values.map((v) => (finite(v) ? scalePosition(scale, log, v) : null)),
      texts,
    };
  }
  const categories: (JsonValue | undefined)[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(keyOf(v))) continue;
    seen.add(keyOf(v));
    categories.push(v);
  }
  categories.sort(compareCategories);
  const index = new Map(categories.map((v, i) => [keyOf(v), i]));
  const short = column.short ?? column.describe ?? valueText;
  return {
    key,
    label,
    kind: 'category',
    ticks: categories.map((v, i) => ({ position: categoryPosition(i, categories.length), label: short(v) })),
    positions: values.map((v) => categoryPosition(index.get(keyOf(v)) ?? 0, categories.length)),
    texts,
  };
}

/** Font sizes of the drawing, shared by the screen and the export. */
export const TITLE_FONT = 12;
export const TICK_FONT = 11;
/** Axes never stand closer than this: more of them than fit scroll sideways. */
export const MIN_SPACING = 96;
const TITLE_ROW = 16;

export interface PlacedText {
  readonly x: number;
  readonly y: number;
  /** Cut to the room it has, with an ellipsis. */
  readonly text: string;
  /** The whole text, for a hover title where `text` was cut. */
  readonly full: string;
}

export interface ParallelLayout {
  readonly width: number;
  readonly height: number;
  /** y of the axes' top (position 1) and bottom (position 0). */
  readonly top: number;
  readonly bottom: number;
  /** Where runs without a value for an axis are drawn (below the axes); null when none lacks one. */
  readonly missingY: number | null;
  readonly xs: readonly number[];
  readonly titles: readonly PlacedText[];
  /** Tick labels per axis, right-aligned to the left of their axis. */
  readonly ticks: ReadonlyArray<ReadonlyArray<PlacedText>>;
}

/** `text` cut with an ellipsis to at most `width` px at `fontSize`. */
export function fitText(text: string, width: number, fontSize: number): string {
  if (estimateTextWidth(text, fontSize) <= width) return text;
  let cut = text.length;
  while (cut > 1 && estimateTextWidth(`${text.slice(0, cut)}…`, fontSize) > width) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * Where the axes stand in `width` × `height`. Titles that do not fit between their neighbours are
 * staggered over two rows (and cut only if even that is too little); tick labels are cut to the
 * room left of their axis. The first axis gets a left margin wide enough for its labels.
 */
export function layoutParallel(axes: readonly ParallelAxis[], width: number, height: number): ParallelLayout {
  const n = axes.length;
  const titleWidths = axes.map((a) => estimateTextWidth(a.label, TITLE_FONT));
  const tickWidth = (a: ParallelAxis | undefined) =>
    Math.max(0, ...(a?.ticks ?? []).map((t) => estimateTextWidth(t.label, TICK_FONT)));
  const maxTick = MIN_SPACING - 14;
  const left = Math.ceil(
    Math.max(Math.min(tickWidth(axes[0]), maxTick) + 16, (titleWidths[0] ?? 0) / 2 + 6, 40),
  );
  const right = Math.ceil(Math.max((titleWidths[n - 1] ?? 0) / 2 + 8, 24));
  const inner = Math.max(width - left - right, n > 1 ? (n - 1) * MIN_SPACING : 0);
  const spacing = n > 1 ? inner / (n - 1) : inner;
  const fullWidth = left + inner + right;
  const xs = axes.map((_, i) => (n > 1 ? left + i * spacing : left + inner / 2));
  const stagger = n > 1 && titleWidths.some((w) => w > spacing - 10);
  const titleRoom = n > 1 ? (stagger ? 2 * spacing : spacing) - 12 : fullWidth;
  const titles = axes.map((a, i) => ({
    x: xs[i] ?? 0,
    y: 14 + (stagger && i % 2 === 1 ? TITLE_ROW : 0),
    text: fitText(a.label, titleRoom, TITLE_FONT),
    full: a.label,
  }));
  const top = 14 + (stagger ? 2 : 1) * TITLE_ROW + 8;
  const anyMissing = axes.some((a) => a.positions.some((p) => p === null));
  const bottom = height - (anyMissing ? 34 : 12);
  const y = (position: number) => bottom - position * (bottom - top);
  const tickRoom = Math.max(36, Math.min(spacing, left + 60) - 18);
  const ticks = axes.map((a, i) =>
    a.ticks.map((t) => ({
      // Clear of a brush's box (14 px wide) drawn over the axis.
      x: (xs[i] ?? 0) - 10,
      y: y(t.position) + 4,
      text: fitText(t.label, i === 0 ? left - 14 : tickRoom, TICK_FONT),
      full: t.label,
    })),
  );
  return {
    width: Math.ceil(fullWidth),
    height,
    top,
    bottom,
    missingY: anyMissing ? bottom + 22 : null,
    xs,
    titles,
    ticks,
  };
}

/** The y of an axis position (null: the row of runs without a value). */
export function positionY(layout: ParallelLayout, position: number | null): number {
  if (position === null) return layout.missingY ?? layout.bottom;
  return layout.bottom - position * (layout.bottom - layout.top);
}

/** Each run's polyline as SVG `points`, in the runs' order. */
export function runPolylines(axes: readonly ParallelAxis[], layout: ParallelLayout): string[] {
  const runs = axes[0]?.positions.length ?? 0;
  const r = (v: number) => Math.round(v * 10) / 10;
  return Array.from({ length: runs }, (_, run) =>
    axes.map((a, i) => `${r(layout.xs[i] ?? 0)},${r(positionY(layout, a.positions[run] ?? null))}`).join(' '),
  );
}

/** A brush from a drag between two y's on an axis, clamped to the axis. */
export function brushFromDrag(layout: ParallelLayout, y0: number, y1: number): Brush {
  const span = layout.bottom - layout.top;
  const at = (y: number) => Math.min(1, Math.max(0, (layout.bottom - y) / span));
  const a = at(y0);
  const b = at(y1);
  return { lo: Math.min(a, b), hi: Math.max(a, b) };
}

const EPSILON = 1e-9;

/**
 * Which runs lie within every brushed range (brushes of axes not drawn are ignored); a run
 * without a value on a brushed axis is outside it. No brush: every run.
 */
export function withinBrushes(
  axes: readonly ParallelAxis[],
  brushes: Readonly<Record<string, Brush>>,
): boolean[] {
  const runs = axes[0]?.positions.length ?? 0;
  const active = axes.filter((a) => brushes[a.key] !== undefined);
  return Array.from({ length: runs }, (_, run) =>
    active.every((a) => {
      const brush = brushes[a.key]!;
      const p = a.positions[run];
      return p !== null && p !== undefined && p >= brush.lo - EPSILON && p <= brush.hi + EPSILON;
    }),
  );
}

/** `order` with `key` moved `by` places (−1 left, +1 right), kept within the ends. */
export function moveKey(order: readonly string[], key: string, by: number): string[] {
  const from = order.indexOf(key);
  if (from < 0) return [...order];
  const to = Math.min(order.length - 1, Math.max(0, from + by));
  const next = order.filter((k) => k !== key);
  next.splice(to, 0, key);
  return next;
}

/**
 * Keys in the order the user arranged, then keys new to the comparison in theirs; keys it no
 * longer has are dropped.
 */
export function reconcileOrder(order: readonly string[], keys: readonly string[]): string[] {
  return [...order.filter((k) => keys.includes(k)), ...keys.filter((k) => !order.includes(k))];
}

/** Viridis, stopped short of its pale yellow (unreadable on white). */
const RAMP = ['#440154', '#3b528b', '#21918c', '#3fae5f', '#8fc62c'] as const;

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A colour for `t` in 0 … 1 (low dark violet … high green), for colouring lines by the metric. */
export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hexRgb(RAMP[i]!);
  const b = hexRgb(RAMP[i + 1]!);
  const f = x - i;
  const mix = a.map((c, k) => Math.round(c + (b[k]! - c) * f));
  return `#${mix.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The CSS gradient of the ramp, for its legend. */
export const RAMP_GRADIENT = `linear-gradient(to right, ${RAMP.join(', ')})`;

/** Each value's place between the smallest and the largest (0 … 1), for the colour ramp. */
export function rampFractions(values: readonly (number | null)[]): (number | null)[] {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = Math.min(...present);
  const max = Math.max(...present);
  return values.map((v) =>
    v === null || !Number.isFinite(v) ? null : max > min ? (v - min) / (max - min) : 0.5,
  );
}
