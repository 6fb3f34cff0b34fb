/**
 * The neuron probe's data as the panel shows and exports it: index lists typed by the user, chart
 * columns over the time steps, and the tidy CSV. Pure functions, unit-tested under Node.
 */
import type { ProbeChannelParams, ProbeChannelTrace, RunProbe } from '../api/contract';
import type { AlignedColumns } from '../charts/series';

/** "0, 3,5" -> [0, 3, 5]; a message when it is not a list of indices from 0 to `max`. */
export function parseIndexList(text: string, max: number): number[] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'enter at least one index';
  const values = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || values[i]! > 1_000_000);
  if (bad !== undefined) return `'${bad}' is not an index (0, 1, 2, …)`;
  if (values.length > max) return `at most ${max} at a time`;
  return values;
}

/** One probed neuron of one run, as one set of curves. */
export interface ProbeCurves {
  readonly trace: ProbeChannelTrace;
  readonly params: ProbeChannelParams;
}

const steps = (T: number) => Array.from({ length: T }, (_, t) => t);

/**
 * Membrane chart: u[t], V_th and V_re of each run in turn (the compared run's after the first).
 * Each run contributes three columns.
 */
export function membraneColumns(runs: readonly ProbeCurves[]): AlignedColumns {
  const T = runs[0]?.trace.membrane.length ?? 0;
  const cols: (number | null)[][] = [];
  for (const r of runs) {
    cols.push([...r.trace.membrane]);
    cols.push(steps(T).map(() => r.params.vth));
    cols.push(steps(T).map(() => r.params.vre));
  }
  return [steps(T), ...cols];
}

/** Input chart: the neuron's I[t] and the channel's mean I[t], per run. */
export function currentColumns(runs: readonly ProbeCurves[]): AlignedColumns {
  const T = runs[0]?.trace.current.length ?? 0;
  return [steps(T), ...runs.flatMap((r) => [[...r.trace.current], [...r.trace.meanCurrent]])];
}

/** Spike chart: the neuron's S[t] and the fraction of the channel spiking, per run. */
export function spikeColumns(runs: readonly ProbeCurves[]): AlignedColumns {
  const T = runs[0]?.trace.spikes.length ?? 0;
  return [steps(T), ...runs.flatMap((r) => [[...r.trace.spikes], [...r.trace.spikeFraction]])];
}

const CSV_HEADER = [
  'run_id',
  'checkpoint_epoch',
  'layer',
  'sample',
  'label',
  'predicted',
  'channel',
  'neuron_row',
  'neuron_col',
  't',
  'input_current',
  'membrane',
  'spike',
  'channel_mean_current',
  'channel_mean_membrane',
  'channel_spike_fraction',
  'v_th',
  'v_re',
  'alpha',
  'beta',
  'gamma',
  'tau_exp',
  'tau_lin',
  'g_t',
];

const cell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Tidy CSV: one row per run, sample, channel and time step, with the channel's parameters. */
export function probeCsv(probes: readonly RunProbe[]): string {
  const rows = [CSV_HEADER.join(',')];
  for (const probe of probes)
    for (const s of probe.samples)
      s.traces.forEach((tr, k) => {
        const p = probe.params[k]!;
        tr.membrane.forEach((u, t) => {
          rows.push(
            [
              probe.runId,
              probe.checkpoint.epoch + 1,
              probe.layer,
              s.index,
              s.labelName,
              s.predictedName,
              tr.channel,
              tr.position?.[0] ?? null,
              tr.position?.[1] ?? null,
              t,
              tr.current[t]!,
              u,
              tr.spikes[t]!,
              tr.meanCurrent[t]!,
              tr.meanMembrane[t]!,
              tr.spikeFraction[t]!,
              p.vth,
              p.vre,
              p.alpha,
              p.beta,
              p.gamma,
              p.tauExp,
              p.tauLin,
              p.conduct[t]!,
            ]
              .map(cell)
              .join(','),
          );
        });
      });
  return rows.join('\n') + '\n';
}
