/**
 * Workload `glif-layer` (shared/bench/README.md): one channel-wise GLIF layer, forward alone and
 * forward + backward of sum(spikes * R), x: T=4, N=32, C=64, H=W=16, CIFAR initialisation.
 * Interleaved with the reference round by round (lib/interleave.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { glifInit } from '../src-main/engine/glif/init';
import { GlifLayer } from '../src-main/engine/glif/layer';
import { defaultNeuronSpec } from '../src-main/engine/glif/variants';
import { Rng } from '../src-main/engine/random';
import { interleave, runConditions, watchLoad } from './lib/interleave';
import { roundsOf, type BenchOptions } from './lib/options';
import type { Metric, WorkloadResult } from './lib/report';
import { benchBackend, benchNeuronImpl, isMain, runWorkloadScript, settle } from './lib/setup';
import { medianMsAsync } from './lib/timing';

export const GLIF_LAYER_SHAPE = { T: 4, N: 32, C: 64, H: 16, W: 16 } as const;

export interface GlifLayerBench {
  /** Elements of x. */
  readonly size: number;
  /** Inference: forward with training: false and no gradient tape (the reference's torch.no_grad). */
  forwardNoGrad(): Promise<void>;
  /** Forward in training mode, outside any gradient tape (not comparable with the reference). */
  forwardTraining(): Promise<void>;
  /** Forward and backward of sum(spikes * R) with respect to x and the layer's parameters. */
  forwardBackward(): Promise<void>;
  dispose(): void;
}

/** The layer, x and R of the workload, with one function per timed quantity. */
export function glifLayerBench(): GlifLayerBench {
  const { T, N, C, H, W } = GLIF_LAYER_SHAPE;
  const rng = new Rng(0);
  const layer = new GlifLayer({
    channels: C,
    T,
    spec: defaultNeuronSpec('glif'),
    init: glifInit('cifar'),
    rng,
    impl: benchNeuronImpl(tf.getBackend()),
  });
  const size = T * N * C * H * W;
  // Folded [T*N, H, W, C], as layers pass activations; the same values as the reference's randn * 0.6 + 0.4.
  const x = tf.variable(
    tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal() * 0.6 + 0.4),
      [T * N, H, W, C],
    ),
  );
  const R = tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    [T * N, H, W, C],
  );
  const vars = [x, ...layer.parameters().map((p) => p.variable)];
  // A scalar read forces completion on any backend and costs next to nothing.
  const complete = async (scalar: tf.Tensor) => {
    try {
      await settle(scalar);
    } finally {
      scalar.dispose();
    }
  };
  const forward = (training: boolean) => complete(tf.tidy(() => tf.sum(layer.forward(x, { T, training }))));
  return {
    size,
    forwardNoGrad: () => forward(false),
    forwardTraining: () => forward(true),
    forwardBackward: () =>
      complete(
        tf.tidy(
          () =>
            tf.variableGrads(
              () => tf.sum(tf.mul(layer.forward(x, { T, training: true }), R)) as tf.Scalar,
              vars,
            ).value,
        ),
      ),
    dispose() {
      tf.dispose([x, R]);
      layer.dispose();
    },
  };
}

const METRICS: Metric[] = [
  // The reference's forward runs under torch.no_grad: only the inference forward compares with it.
  { name: 'forward (no grad)', unit: 'ms', referenceKey: 'forward_ms', better: 'lower' },
  { name: 'forward', unit: 'ms', better: 'lower' },
  { name: 'forward+backward', unit: 'ms', referenceKey: 'forward_backward_ms', better: 'lower' },
  {
    name: 'forward+backward',
    unit: 'Melem/s',
    referenceKey: 'forward_backward_Melem_per_s',
    better: 'higher',
  },
];

export async function benchGlifLayer(opts: BenchOptions): Promise<WorkloadResult> {
  const load = watchLoad();
  const { backend, neuron } = await benchBackend(opts);
  const { T, N, C, H, W } = GLIF_LAYER_SHAPE;
  const bench = glifLayerBench();
  const rounds = roundsOf(opts);
  const reps = opts.quick ? 3 : 5;
  try {
    const run = await interleave(
      opts,
      'glif-layer',
      {
        async warmup() {
          await bench.forwardNoGrad();
          await bench.forwardTraining();
          await bench.forwardBackward();
        },
        async round(n) {
          const noGradMs = await medianMsAsync(bench.forwardNoGrad, n, 0);
          const forwardMs = await medianMsAsync(bench.forwardTraining, n, 0);
          const bothMs = await medianMsAsync(bench.forwardBackward, n, 0);
          return {
            'forward (no grad) [ms]': noGradMs,
            'forward [ms]': forwardMs,
            'forward+backward [ms]': bothMs,
            'forward+backward [Melem/s]': bench.size / bothMs / 1e3,
          };
        },
      },
      rounds,
      reps,
    );
    return {
      workload: 'glif-layer',
      backend,
      neuron,
      shape: `x [T=${T}, N=${N}, C=${C}, H=${H}, W=${W}], median of ${reps} reps per side per round`,
      metrics: METRICS,
      ...runConditions(run, load),
      notes: [
        "'forward' runs in training mode and has no reference figure: the reference's forward runs under torch.no_grad, which 'forward (no grad)' matches",
        ...run.notes,
      ],
    };
  } finally {
    bench.dispose();
  }
}

if (isMain(import.meta.url))
  await runWorkloadScript('glif-layer', 'Usage: npm run bench:glif-layer -- [options]', benchGlifLayer);
