import type { ReferenceResult } from './reference';

/** One figure of a workload; `better` says which direction is faster/better, for the ratio's reading. */
export interface Metric {
  readonly name: string;
  readonly unit: string;
  readonly ours: number;
  /** The reference's key in its JSON, if it measures the same quantity. */
  readonly referenceKey?: string;
  readonly better: 'lower' | 'higher';
}

export interface WorkloadResult {
  readonly workload: string;
  readonly backend: string;
  /** The GLIF neuron implementation that ran (fused / ops). */
  readonly neuron: string;
  readonly shape: string;
  readonly metrics: readonly Metric[];
  readonly reference: ReferenceResult;
  readonly notes?: readonly string[];
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3);

/** Prints one workload: ours, the reference's, and ours/reference for every figure both have. */
export function printResult(r: WorkloadResult): void {
  const ref = r.reference;
  const lines: string[] = [];
  lines.push(`== ${r.workload} (${r.shape})`);
  lines.push(`   ours: TF.js backend ${r.backend}, GLIF neuron ${r.neuron}`);
  lines.push(
    ref.ok
      ? `   reference: ${ref.framework}, ${ref.threads} threads`
      : `   reference: unavailable (${ref.reason})`,
  );
  const rows = r.metrics.map((m) => {
    const theirs = ref.ok && m.referenceKey ? ref.figures[m.referenceKey] : undefined;
    const ratio = theirs !== undefined && theirs !== 0 ? m.ours / theirs : undefined;
    return [
      `${m.name} [${m.unit}]`,
      fmt(m.ours),
      theirs === undefined ? '-' : fmt(theirs),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}`,
      m.better === 'lower' ? '(lower is better)' : '(higher is better)',
    ];
  });
  const header = ['figure', 'ours', 'reference', 'ours/ref', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const pad = (cells: string[]) =>
    '   ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(pad(header), ...rows.map(pad));
  for (const n of r.notes ?? []) lines.push(`   note: ${n}`);
  process.stdout.write(lines.join('\n') + '\n');
}

const key = (m: Metric) => `${m.name} [${m.unit}]`;

/** The figures as plain data (for --json and bench:all's summary). */
export function resultJson(r: WorkloadResult): object {
  const ref = r.reference;
  return {
    workload: r.workload,
    backend: r.backend,
    neuron: r.neuron,
    shape: r.shape,
    ours: Object.fromEntries(r.metrics.map((m) => [key(m), m.ours])),
    reference: ref.ok
      ? { framework: ref.framework, threads: ref.threads, ...ref.figures }
      : { unavailable: ref.reason },
    ratio: Object.fromEntries(
      r.metrics.flatMap((m) => {
        const theirs = ref.ok && m.referenceKey ? ref.figures[m.referenceKey] : undefined;
        return theirs ? [[key(m), m.ours / theirs]] : [];
      }),
    ),
    notes: r.notes ?? [],
  };
}
