/**
 * The ablation grid as a paper-style table: one row per neuron variant, its test accuracy as
 * mean ± std over seeds, its firing rate and its energy. Pure (no Svelte) for unit tests; the
 * live state is in `ablation-grid.svelte.ts`.
 */
import type { ConfigField, MetricSeries, RunStatus, RunSummary, VariantDescription } from '../api/contract';
import { formatInteger } from '../components/format';

/** A statistic over the seeds of one variant; `std` is null with fewer than two values. */
export interface SeedStat {
  readonly mean: number;
  readonly std: number | null;
  readonly n: number;
}

/** What is known of one run beyond its summary: live numbers while it trains, its firing rate. */
export interface RunExtras {
  /** Mean firing rate over the GLIF layers in the last epoch (recorded or live). */
  readonly firingRate: number | null;
  /** Test accuracy and estimated energy (µJ per sample) of the last finished epoch while the run still trains. */
  readonly liveAccuracy: number | null;
  readonly liveEnergy: number | null;
}

export interface AblationCell {
  readonly run: RunSummary;
  readonly seed: number | null;
  /** Earlier runs of the same variant and seed (a failed run before its rerun). */
  readonly superseded: number;
}

/** The epoch (1-based) at which one completed cell reached its best test accuracy. */
export interface BestEpoch {
  readonly seed: number | null;
  readonly epoch: number;
}

export interface AblationRow {
  readonly variantId: string;
  readonly label: string;
  readonly bits: string | null;
  readonly features: string;
  /** One cell per seed: the newest run of this variant with that seed. */
  readonly cells: readonly AblationCell[];
  /** Over completed cells only; null when none has completed. */
  readonly accuracy: SeedStat | null;
  readonly firingRate: SeedStat | null;
  /** Estimated energy per sample, µJ (SOPs and MACs at the 45 nm figures). */
  readonly energy: SeedStat | null;
  /**
   * In 'best' mode, the epoch (1-based) each completed cell reached its best test accuracy at, by
   * seed; empty in 'last' mode.
   */
  readonly bestEpochs: readonly BestEpoch[];
  /** Live accuracy of the cells still training, when nothing has completed yet. */
  readonly liveAccuracy: number | null;
  readonly statusCounts: Readonly<Partial<Record<RunStatus, number>>>;
}

/** Rows in the paper's order: simplex LIFs by bit code (000 to 111), then GLIF, GLIF_f, static gates. */
export function variantRank(variantId: string): number {
  const bits = /^simplex-([01]{3})$/.exec(variantId)?.[1];
  if (bits !== undefined) return Number.parseInt(bits, 2);
  const rest = ['glif', 'glif-f', 'glif-static', 'glif-hard'];
  const at = rest.indexOf(variantId);
  return at >= 0 ? 8 + at : 100;
}

/** Mean and sample standard deviation (n - 1), as papers report over seeds. */
export function seedStat(values: readonly number[]): SeedStat | null {
  const finite = values.filter((value) => Number.isFinite(value));
  const n = finite.length;
  if (n === 0) return null;
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const variance = finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}

export const FIRING_RATE_PREFIX = 'firing_rate/';

/** Mean over layers of each `firing_rate/<layer>` series' value in the last recorded epoch. */
export function lastEpochFiringRate(series: readonly MetricSeries[]): number | null {
  const layers = series.filter(
    (entry) => entry.name.startsWith(FIRING_RATE_PREFIX) && entry.points.length > 0,
  );
  if (layers.length === 0) return null;
  const lastEpoch = Math.max(...layers.flatMap((entry) => entry.points.map((point) => point.epoch)));
  const values: number[] = [];
  for (const entry of layers) {
    const point = entry.points.findLast((candidate) => candidate.epoch === lastEpoch);
    if (point && Number.isFinite(point.value)) values.push(point.value);
  }
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

/** Mean over layers of one epoch event's firing rates. */
export function meanOfRates(rates: Readonly<Record<string, number>>): number | null {
  const values = Object.values(rates).filter((value) => Number.isFinite(value));
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

const NO_EXTRAS: RunExtras = { firingRate: null, liveAccuracy: null, liveEnergy: null };

/**
 * Which epoch's test accuracy a finished cell reports: the last, or the best over the epochs, as
 * the authors' code (and so the paper's tables) report a run.
 */
export type AblationReport = 'last' | 'best';

/** Where the ablation view keeps the user's last/best choice (local storage, as other view settings). */
export const ABLATION_REPORT_STORAGE_KEY = 'glif.ablation.report';

/** A stored choice read back; null for anything else (nothing stored, an old or edited value). */
export function parseAblationReport(value: string | null | undefined): AblationReport | null {
  return value === 'last' || value === 'best' ? value : null;
}

export function buildAblationRows(
  runs: readonly RunSummary[],
  extras: (runId: string) => RunExtras | undefined,
  variants: readonly VariantDescription[],
  report: AblationReport = 'last',
): AblationRow[] {
  const accuracyOf = (run: RunSummary) =>
    report === 'best' ? run.progress.bestTestAccuracy : run.finals.finalTestAccuracy;
  const described = new Map(variants.map((variant) => [variant.id as string, variant]));
  // Newest run per (variant, seed): a rerun replaces the failed cell it was made for.
  const byVariant = new Map<string, Map<string, RunSummary[]>>();
  for (const run of runs) {
    const variantId = run.columns.variant ?? 'unknown';
    const seeds = byVariant.get(variantId) ?? new Map<string, RunSummary[]>();
    const key = String(run.columns.seed);
    seeds.set(key, [...(seeds.get(key) ?? []), run]);
    byVariant.set(variantId, seeds);
  }

  const rows: AblationRow[] = [];
  for (const [variantId, seeds] of byVariant) {
    const cells: AblationCell[] = [...seeds.values()]
      .flatMap((attempts) => {
        const newest = [...attempts].sort((a, b) => b.createdAt - a.createdAt)[0];
        return newest ? [{ run: newest, seed: newest.columns.seed, superseded: attempts.length - 1 }] : [];
      })
      .sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
    const completed = cells.filter((cell) => cell.run.status === 'completed');
    const extrasOf = (cell: AblationCell): RunExtras => extras(cell.run.id) ?? NO_EXTRAS;
    const statusCounts: Partial<Record<RunStatus, number>> = {};
    for (const cell of cells) statusCounts[cell.run.status] = (statusCounts[cell.run.status] ?? 0) + 1;
    const running = cells.filter((cell) => cell.run.status === 'running');
    const description = described.get(variantId);
    rows.push({
      variantId,
      label: description?.label ?? variantId,
      bits: description?.bits ?? null,
      features: description?.features ?? '',
      cells,
      accuracy: seedStat(completed.flatMap((cell) => numberOrEmpty(accuracyOf(cell.run)))),
      bestEpochs:
        report === 'best'
          ? completed.flatMap((cell) => {
              const { bestTestAccuracy, bestEpoch } = cell.run.progress;
              return bestEpoch === null || numberOrEmpty(bestTestAccuracy).length === 0
                ? []
                : [{ seed: cell.seed, epoch: bestEpoch }];
            })
          : [],
      firingRate: seedStat(
        (completed.length > 0 ? completed : running).flatMap((cell) =>
          numberOrEmpty(extrasOf(cell).firingRate),
        ),
      ),
      energy: seedStat(
        completed.length > 0
          ? completed.flatMap((cell) => numberOrEmpty(cell.run.finals.energyMicrojoules))
          : running.flatMap((cell) => numberOrEmpty(extrasOf(cell).liveEnergy)),
      ),
      liveAccuracy:
        completed.length === 0
          ? (seedStat(running.flatMap((cell) => numberOrEmpty(extrasOf(cell).liveAccuracy)))?.mean ?? null)
          : null,
      statusCounts,
    });
  }
  return rows.sort(
    (a, b) => variantRank(a.variantId) - variantRank(b.variantId) || a.variantId.localeCompare(b.variantId),
  );
}

function numberOrEmpty(value: number | null): number[] {
  return value === null || !Number.isFinite(value) ? [] : [value];
}

/**
 * What a best-mode cell shows beside its accuracy: "ep 7" (one seed) or "ep 7, 9, 8" (one per seed,
 * in seed order), and a tooltip that names the seeds; null where no best epoch is known.
 */
export function bestEpochNote(
  bestEpochs: readonly BestEpoch[],
  severalSeeds: boolean,
): { text: string; title: string } | null {
  if (bestEpochs.length === 0) return null;
  const text = `ep ${bestEpochs.map((b) => b.epoch).join(', ')}`;
  if (!severalSeeds) return { text, title: `Best test accuracy at epoch ${bestEpochs[0]!.epoch}` };
  const perSeed = bestEpochs.map((b) => `seed ${b.seed ?? '?'}: epoch ${b.epoch}`).join(', ');
  return { text, title: `Best test accuracy per seed at ${perSeed}` };
}

/** The variant with the best mean accuracy (bold in the table, as in the paper). */
export function bestAccuracyVariant(rows: readonly AblationRow[]): string | null {
  let best: AblationRow | null = null;
  for (const row of rows) {
    if (row.accuracy && (!best?.accuracy || row.accuracy.mean > best.accuracy.mean)) best = row;
  }
  return best?.variantId ?? null;
}

export type SeedsParse =
  { readonly ok: true; readonly seeds: number[] } | { readonly ok: false; readonly message: string };

/** The whole numbers a seed may be, inclusive. */
export interface SeedRange {
  readonly min: number;
  readonly max: number;
}

/** The engine's seed range (uint32), for a schema without a `train.seed` field. */
const FALLBACK_SEED_RANGE: SeedRange = { min: 0, max: 2 ** 32 - 1 };
const MAX_SEEDS = 10;

/**
 * The range of the schema's `train.seed` field: the host checks each run's seed against it, so
 * the form refuses what the host would refuse before anything is queued.
 */
export function seedRange(fields: readonly ConfigField[]): SeedRange {
  const kind = fields.find((field) => field.key === 'train.seed')?.kind;
  return kind?.type === 'int' ? { min: kind.min, max: kind.max } : FALLBACK_SEED_RANGE;
}

/** "1, 2 3" -> [1, 2, 3]: whole numbers within `range`, at most ten, without duplicates. */
export function parseSeeds(text: string, range: SeedRange): SeedsParse {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return { ok: false, message: 'Give at least one seed, e.g. 9 or 1, 2, 3.' };
  const isSeed = (part: string): boolean =>
    /^\d+$/.test(part) && Number(part) >= range.min && Number(part) <= range.max;
  // Every bad entry is named, so that one pass fixes the list.
  const bad = [...new Set(parts.filter((part) => !isSeed(part)))];
  if (bad.length > 0) {
    const names = bad.map((part) => `“${part}”`).join(', ');
    return {
      ok: false,
      message: `${names} ${bad.length === 1 ? 'is not a seed' : 'are not seeds'}; seeds are whole numbers from ${formatInteger(range.min)} to ${formatInteger(range.max)}.`,
    };
  }
  const seeds = [...new Set(parts.map(Number))];
  if (seeds.length > MAX_SEEDS)
    return { ok: false, message: `At most ${MAX_SEEDS} seeds per grid (got ${seeds.length}).` };
  return { ok: true, seeds };
}

/** Ablation group ids are `ablation-<base36 ms>`; the time they were queued, when readable. */
export function groupCreatedAt(groupId: string): number | null {
  const code = /^ablation-([0-9a-z]+)$/.exec(groupId)?.[1];
  if (code === undefined) return null;
  const ms = Number.parseInt(code, 36);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
