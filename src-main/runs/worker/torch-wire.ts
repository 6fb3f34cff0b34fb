/**
 * What the torch engine's rank 0 reports (engine-torch/glif_torch/train.py), one JSON line per
 * message, validated here before anything reaches the run manager, and turned into the TF.js
 * worker's messages (runs/worker/protocol.ts), so the store records both engines alike.
 */
import { z } from 'zod';
import { DISTRIBUTION_QUANTITIES } from '../../contract/distributions';
import type { FromWorker } from './protocol';
import type { TrainEvent, TrainOutcome } from '../../engine/train/events';
import { histogram, summarize } from '../../engine/train/stats';

/**
 * A number; NaN and the infinities arrive as the strings "NaN", "Infinity", "-Infinity" (JSON has
 * no such numbers: see train.py's finite_json), and are numbers again from here on.
 */
const num = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const count = z.number().int().nonnegative();

const layoutSchema = z.object({
  torch: z.string(),
  processes: z.number().int().positive(),
  distributed: z.enum(['gloo', 'nccl']).nullable(),
  device: z.enum(['cpu', 'cuda']),
  threadsPerProcess: z.number().int().positive().nullable(),
});

export type TorchLayout = z.infer<typeof layoutSchema>;

/** An events file's record of the run it reports: the config, unvalidated (buildConfig checks it). */
export interface TorchJobLine {
  readonly type: 'job';
  readonly config: Record<string, unknown>;
  /** This part of the file continues the run from a checkpoint. */
  readonly resumed: boolean;
}

const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    startEpoch: count,
    epochs: count,
    stepsPerEpoch: count,
    trainSize: count,
    testSize: count,
    parameters: z.object({ total: count, glif: count, glifLayers: count }),
    layers: z.array(z.string()),
  }),
  z.object({
    type: z.literal('step'),
    epoch: count,
    step: count,
    stepInEpoch: count,
    stepsPerEpoch: count,
    loss: num,
    accuracy: num,
    lr: num,
    samplesPerSecond: num,
    etaSeconds: num,
  }),
  z.object({
    type: z.literal('epoch'),
    epoch: count,
    step: count,
    lr: num,
    trainLoss: num,
    trainAccuracy: num,
    testLoss: num,
    testAccuracy: num,
    firingRates: z.record(z.string(), num),
    sopsPerSample: num,
    macsPerSample: num,
    /** Effective per-channel values; their statistics and histograms are computed here (stats.ts). */
    parameters: z.array(
      z.object({ layer: z.string(), quantity: z.enum(DISTRIBUTION_QUANTITIES), values: z.array(num) }),
    ),
    seconds: num,
  }),
  z.object({
    type: z.literal('checkpoint'),
    epoch: count,
    step: count,
    path: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: count,
  }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
]);

const outcomeSchema = z.object({
  status: z.enum(['completed', 'cancelled', 'failed']),
  final: z
    .object({ testAccuracy: num, testLoss: num, trainAccuracy: num, trainLoss: num })
    .nullable()
    .optional(),
  error: z.string().optional(),
  epochsDone: count,
  seconds: num,
});

const messageSchema = z.discriminatedUnion('type', [
  /** What an events file starts with (and a resumed run's part of it): the run's config. */
  z.object({ type: z.literal('job'), config: z.record(z.string(), z.unknown()), resumed: z.boolean() }),
  z.object({ type: z.literal('layout'), layout: layoutSchema }),
  z.object({ type: z.literal('event'), event: eventSchema }),
  z.object({ type: z.literal('done'), outcome: outcomeSchema }),
]);

/** `pytorch 1.13.0 · ddp · 2 processes · gloo · cpu`, stored as the run's backend and shown. */
export function describeLayout(l: TorchLayout): string {
  const processes = `${l.processes} process${l.processes === 1 ? '' : 'es'}`;
  return [
    `pytorch ${l.torch}`,
    ...(l.distributed ? ['ddp'] : []),
    processes,
    ...(l.distributed ? [l.distributed] : []),
    l.device,
  ].join(' · ');
}

function toTrainEvent(e: z.infer<typeof eventSchema>, layout: TorchLayout | undefined): TrainEvent {
  switch (e.type) {
    case 'started':
      return {
        ...e,
        backend: layout ? describeLayout(layout) : 'torch',
        threads: layout?.processes ?? 1,
        neuronImpl: 'torch',
      };
    case 'epoch': {
      const { parameters, ...rest } = e;
      return {
        ...rest,
        distributions: parameters.map((p) => ({
          layer: p.layer,
          quantity: p.quantity,
          stats: summarize(p.values),
          histogram: histogram(p.values),
        })),
      };
    }
    default:
      return e;
  }
}

/**
 * Reads one line of rank 0's report: the worker message it stands for, or an error naming what
 * was wrong with it (the run fails with it: a report we cannot read is a broken engine).
 */
export function readWireLine(
  line: string,
  layout: TorchLayout | undefined,
): { message: FromWorker | { type: 'layout'; layout: TorchLayout } | TorchJobLine } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: `the torch engine wrote a line that is not JSON: ${line.slice(0, 120)}` };
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      error: `the torch engine sent a malformed message (${issue?.path.join('.')}: ${issue?.message})`,
    };
  }
  const m = parsed.data;
  switch (m.type) {
    case 'job':
    case 'layout':
      return { message: m };
    case 'event':
      return { message: { type: 'event', event: toTrainEvent(m.event, layout) } };
    case 'done': {
      const { final, ...rest } = m.outcome;
      const outcome: TrainOutcome = final ? { ...rest, final } : rest;
      return { message: { type: 'done', outcome } };
    }
  }
}
