import { configField } from '../../engine/config/fields';

/** A plain-text table with columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fmtPct = (v: number | null) =>
  v === null || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(2)}%`;
/**
 * A best test accuracy and the 1-based epoch that first reached it: "91.20% (epoch 7)", or in a
 * narrow column "91.20% (7)"; '-' before the first epoch.
 */
export const fmtBest = (v: number | null, epoch: number | null, narrow = false) =>
  v === null || !Number.isFinite(v) ? '-' : `${fmtPct(v)} (${narrow ? '' : 'epoch '}${epoch ?? '?'})`;
export const fmtNum = (v: number | null, digits = 4) =>
  v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
export const fmtSeconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);
export const fmtValue = (v: unknown) =>
  v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v);

/**
 * A config value of `path` as `glif runs compare` prints it: a stored null in the words the New
 * run form and Compare use for it ("all" training samples, the "default" data location), not `null`.
 */
export function fmtConfigValue(path: string, v: unknown): string {
  if (v === null) return configField(path)?.emptyLabel ?? 'empty';
  return fmtValue(v);
}
