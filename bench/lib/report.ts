import os from 'node:os';
import type { Load, OursThreads } from './interleave';
import type { ReferenceInfo } from './reference';
import { median } from './timing';

/** One figure of a workload; `better` says which direction is faster/better, for the ratio's reading. */
export interface Metric {
  readonly name: string;
  readonly unit: string;
  /** The reference's key in its JSON, if it measures the same quantity. */
  readonly referenceKey?: string;
  readonly better: 'lower' | 'higher';
}

/** The key of a figure in ours / ratio: `train step [ms]`. */
export const metricKey = (m: Pick<Metric, 'name' | 'unit'>): string => `${m.name} [${m.unit}]`;

/** One round: ours (keyed by metricKey), then the reference (keyed as torch_reference.py keys). */
export interface Round {
  readonly ours: Record<string, number>;
  readonly reference?: Record<string, number>;
}

export interface WorkloadResult {
  readonly workload: string;
  readonly backend: string;
  /** The GLIF neuron implementation that ran (fused / ops). */
  readonly neuron: string;
  readonly shape: string;
  readonly metrics: readonly Metric[];
  readonly rounds: readonly Round[];
  readonly reference: ReferenceInfo;
  /** 1-minute load average just before and just after the workload, and the other processes' CPU during it. */
  readonly loadavg: Load;
  readonly threads: { readonly ours: OursThreads; readonly reference: number | null };
  readonly notes?: readonly string[];
}

interface Summary {
  readonly metric: Metric;
  readonly ours: number;
  readonly theirs?: number;
  /** ours/reference within each round that has both. */
  readonly ratios: number[];
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

function summarize(r: WorkloadResult): Summary[] {
  return r.metrics.map((m) => {
    const k = metricKey(m);
    const ours = median(r.rounds.map((x) => x.ours[k]).filter(finite));
    if (!m.referenceKey) return { metric: m, ours, ratios: [] };
    const rk = m.referenceKey;
    const theirs = r.rounds.map((x) => x.reference?.[rk]).filter(finite);
    const ratios = r.rounds.flatMap((x) => {
      const o = x.ours[k];
      const t = x.reference?.[rk];
      return finite(o) && finite(t) && t !== 0 ? [o / t] : [];
    });
    return { metric: m, ours, theirs: theirs.length ? median(theirs) : undefined, ratios };
  });
}

/** The reference's figures over the rounds: the median of each key. */
function referenceMedians(r: WorkloadResult): Record<string, number> {
  const keys = new Set(r.rounds.flatMap((x) => Object.keys(x.reference ?? {})));
  keys.delete('threads');
  return Object.fromEntries(
    [...keys].map((k) => [k, median(r.rounds.map((x) => x.reference?.[k]).filter(finite))]),
  );
}

const fmt = (v: number) =>
  !Number.isFinite(v)
    ? String(v)
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toPrecision(3);

/** Above this many cores kept busy by other processes, a figure is not quoted. */
export const CONTENTION_CORES = 0.1;

/**
 * Whether other work shared the CPU: measured directly where /proc tells (other processes' busy
 * cores, and the cores the hypervisor ran something else on: steal), else guessed from the load
 * average (which counts our own threads too).
 */
export function isContended(load: Load): boolean {
  if (load.otherCores !== null && load.otherCores !== undefined)
    return load.otherCores + (load.stolenCores ?? 0) > CONTENTION_CORES;
  return Math.max(load.before, load.after) > os.availableParallelism();
}

/** Lines saying what could distort the figures: threads on both sides, the load, other processes' CPU. */
export function conditionLines(r: Pick<WorkloadResult, 'loadavg' | 'threads'>): string[] {
  const cores = os.availableParallelism();
  const t = r.threads.ours;
  const lines = [
    `   threads: ours ${t.availableParallelism} cores available, GLIF_THREADS ${t.GLIF_THREADS ?? 'unset'}; ${r.threads.reference === null ? 'no reference' : `reference ${r.threads.reference} torch threads`}`,
    `   load average (1 min): ${r.loadavg.before.toFixed(2)} before, ${r.loadavg.after.toFixed(2)} after; ${cores} cores` +
      ' (it counts our own threads and the previous minute)',
  ];
  const other = r.loadavg.otherCores ?? null;
  const stolen = r.loadavg.stolenCores ?? null;
  if (other !== null)
    lines.push(
      `   other processes kept ${other.toFixed(2)} cores busy on average during the run` +
        (stolen === null ? '' : `; the host took ${stolen.toFixed(2)} cores (steal)`),
    );
  if (isContended(r.loadavg))
    lines.push(
      other !== null
        ? `   !!! WARNING: other processes kept ${other.toFixed(2)} cores busy and the host took ${(stolen ?? 0).toFixed(2)} during the run: these figures are distorted (PyTorch's threads suffer more than ours, so contention flatters us)`
        : `   !!! WARNING: the load average exceeded the ${cores} cores: other work may have shared the CPU, these figures may be distorted (PyTorch's threads suffer more than ours, so contention flatters us)`,
    );
  return lines;
}

/** Prints one workload: ours, the reference's, ours/reference (median of the rounds' ratios, min-max). */
export function printResult(r: WorkloadResult): void {
  const ref = r.reference;
  const lines: string[] = [];
  const n = r.rounds.length;
  const paired = r.rounds.filter((x) => x.reference).length;
  lines.push(
    `== ${r.workload} (${r.shape}; ${n} round${n === 1 ? '' : 's'}, ${paired === n ? 'ours then the reference in each' : paired === 0 ? 'ours only' : `the reference in the first ${paired}`})`,
  );
  lines.push(`   ours: TF.js backend ${r.backend}, GLIF neuron ${r.neuron}`);
  lines.push(
    ref.ok
      ? `   reference: ${ref.framework}, ${ref.threads} threads`
      : `   reference: unavailable (${ref.reason})`,
  );
  lines.push(...conditionLines(r));
  const summaries = summarize(r);
  const rows = summaries.map((s) => [
    metricKey(s.metric),
    fmt(s.ours),
    s.theirs === undefined ? '-' : fmt(s.theirs),
    s.ratios.length ? median(s.ratios).toFixed(2) : '-',
    s.ratios.length ? `${Math.min(...s.ratios).toFixed(2)}-${Math.max(...s.ratios).toFixed(2)}` : '-',
    s.metric.better === 'lower' ? '(lower is better)' : '(higher is better)',
  ]);
  const header = ['figure (median of rounds)', 'ours', 'reference', 'ours/ref', 'min-max', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const pad = (cells: string[]) =>
    '   ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(pad(header), ...rows.map(pad));
  for (const s of summaries)
    if (s.ratios.length > 1)
      lines.push(
        `   per-round ours/ref, ${metricKey(s.metric)}: ${s.ratios.map((x) => x.toFixed(2)).join(' ')}`,
      );
  for (const n of r.notes ?? []) lines.push(`   note: ${n}`);
  process.stdout.write(lines.join('\n') + '\n');
}

/** The figures as plain data (for --json and bench:all's summary). */
export function resultJson(r: WorkloadResult): {
  ratio: Record<string, number>;
  ratioMin: Record<string, number>;
  ratioMax: Record<string, number>;
} & Record<string, unknown> {
  const ref = r.reference;
  const summaries = summarize(r);
  const withRatio = summaries.filter((s) => s.ratios.length > 0);
  const byKey = (f: (s: Summary) => number) =>
    Object.fromEntries(withRatio.map((s) => [metricKey(s.metric), f(s)]));
  return {
    workload: r.workload,
    backend: r.backend,
    neuron: r.neuron,
    shape: r.shape,
    ours: Object.fromEntries(summaries.map((s) => [metricKey(s.metric), s.ours])),
    reference: ref.ok
      ? { framework: ref.framework, threads: ref.threads, ...referenceMedians(r) }
      : { unavailable: ref.reason },
    ratio: byKey((s) => median(s.ratios)),
    ratioMin: byKey((s) => Math.min(...s.ratios)),
    ratioMax: byKey((s) => Math.max(...s.ratios)),
    rounds: r.rounds.length,
    loadavg: r.loadavg,
    threads: r.threads,
    perRound: r.rounds,
    notes: r.notes ?? [],
  };
}
