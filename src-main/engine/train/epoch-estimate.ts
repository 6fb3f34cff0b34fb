/**
 * How long an epoch takes here, said early: ImageNet-scale presets are meant for the torch engine
 * on several GPUs, and on the workbench's own engine an epoch can take days. After the first few
 * steps of a run (the first one pays for compiling kernels) the trainer extrapolates its wall time
 * per step, data loading included, and warns when an epoch would take longer than an hour.
 */

/** Steps timed before the estimate. */
export const ESTIMATE_AFTER_STEPS = 3;
/** An epoch longer than this is worth a warning. */
export const LONG_EPOCH_SECONDS = 3600;

export interface EpochTiming {
  readonly stepsPerEpoch: number;
  readonly secondsPerStep: number;
  /** Epochs still to train, this one included. */
  readonly epochsLeft: number;
  readonly backend: string;
  readonly threads: number;
}

/** "3 d 4 h", "5 h 12 min", "7 min": the two largest units. */
export function roughDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** The warning for a long epoch, or null when an epoch is short enough to need none. */
export function longEpochWarning(t: EpochTiming): string | null {
  const epoch = t.stepsPerEpoch * t.secondsPerStep;
  if (!(epoch > LONG_EPOCH_SECONDS)) return null;
  return (
    `an epoch of this run takes about ${roughDuration(epoch)} here ` +
    `(${t.stepsPerEpoch.toLocaleString('en')} steps of ${t.secondsPerStep.toFixed(2)} s on ${t.backend}, ` +
    `${t.threads} thread${t.threads === 1 ? '' : 's'}), the ${t.epochsLeft} epoch${t.epochsLeft === 1 ? '' : 's'} ` +
    `left about ${roughDuration(epoch * t.epochsLeft)}. Runs this size are meant for the torch engine ` +
    `on GPUs (engine.name=torch, engine.processes = GPUs); cancel this one to switch, or let it go on.`
  );
}
