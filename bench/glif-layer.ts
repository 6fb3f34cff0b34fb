/**
 * Workload `glif-layer` (shared/bench/README.md): one channel-wise GLIF layer, forward alone and
 * forward + backward of sum(spikes * R), x: T=4, N=32, C=64, H=W=16, CIFAR initialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { glifInit } from '../src-main/engine/glif/init';
import { GlifLayer } from '../src-main/engine/glif/layer';
import { defaultNeuronSpec } from '../src-main/engine/glif/variants';
import { Rng } from '../src-main/engine/random';
import type { BenchOptions } from './lib/options';
import { referenceUnless } from './lib/reference';
import type { WorkloadResult } from './lib/report';
import { benchBackend, isMain, runWorkloadScript } from './lib/setup';
import { medianMs } from './lib/timing';

export async function benchGlifLayer(opts: BenchOptions): Promise<WorkloadResult> {
  const { backend, neuron } = await benchBackend(opts);
  const [T, N, C, H, W] = [4, 32, 64, 16, 16];
  const rng = new Rng(0);
  const layer = new GlifLayer({
    channels: C,
    T,
    spec: defaultNeuronSpec('glif'),
    init: glifInit('cifar'),
    rng,
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
  const reps = opts.quick ? 3 : 10;
  // A scalar read forces completion on any backend and costs next to nothing.
  const forwardMs = medianMs(
    () => tf.tidy(() => void tf.sum(layer.forward(x, { T, training: true })).dataSync()),
    reps,
  );
  const bothMs = medianMs(
    () =>
      tf.tidy(() => {
        const { value } = tf.variableGrads(
          () => tf.sum(tf.mul(layer.forward(x, { T, training: true }), R)) as tf.Scalar,
          vars,
        );
        value.dataSync();
      }),
    reps,
  );
  tf.dispose([x, R]);
  layer.dispose();
  const reference = referenceUnless(opts, 'glif-layer');
  return {
    workload: 'glif-layer',
    backend,
    neuron,
    shape: `x [T=${T}, N=${N}, C=${C}, H=${H}, W=${W}], median of ${reps}`,
    metrics: [
      { name: 'forward', unit: 'ms', ours: forwardMs, referenceKey: 'forward_ms', better: 'lower' },
      {
        name: 'forward+backward',
        unit: 'ms',
        ours: bothMs,
        referenceKey: 'forward_backward_ms',
        better: 'lower',
      },
      {
        name: 'forward+backward',
        unit: 'Melem/s',
        ours: size / bothMs / 1e3,
        referenceKey: 'forward_backward_Melem_per_s',
        better: 'higher',
      },
    ],
    reference,
  };
}

if (isMain(import.meta.url))
  await runWorkloadScript('glif-layer', 'Usage: npm run bench:glif-layer -- [options]', benchGlifLayer);
