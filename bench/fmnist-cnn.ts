/**
 * Workload `fmnist-cnn` (shared/bench/README.md): one training step (forward, backward, SGD
 * update) and one inference pass of the fmnist-cnn preset's model, T=4, batch 64, 28x28x1.
 */
import type { BenchOptions } from './lib/options';
import { referenceUnless } from './lib/reference';
import type { WorkloadResult } from './lib/report';
import { benchBackend, isMain, runWorkloadScript } from './lib/setup';
import { medianMs } from './lib/timing';
import { trainBench, trainStepMetrics } from './lib/train-step';

export async function benchFmnistCnn(opts: BenchOptions): Promise<WorkloadResult> {
  const { backend, neuron } = await benchBackend(opts);
  const B = 64;
  const bench = trainBench('fmnist-cnn', B, [28, 28, 1], 10);
  const reps = opts.quick ? 3 : 10;
  const trainMs = medianMs(() => bench.step(), reps);
  const inferMs = medianMs(() => bench.infer(), reps);
  const T = bench.model.T;
  bench.dispose();
  const reference = referenceUnless(opts, 'fmnist-cnn');
  return {
    workload: 'fmnist-cnn',
    backend,
    neuron,
    shape: `T=${T}, batch ${B}, 28x28x1, median of ${reps}`,
    metrics: [
      ...trainStepMetrics(B, trainMs),
      { name: 'inference', unit: 'ms', ours: inferMs, better: 'lower' },
      {
        name: 'inference',
        unit: 'samples/s',
        ours: (B / inferMs) * 1e3,
        referenceKey: 'eval_samples_per_s',
        better: 'higher',
      },
    ],
    reference,
  };
}

if (isMain(import.meta.url))
  await runWorkloadScript('fmnist-cnn', 'Usage: npm run bench:fmnist-cnn -- [options]', benchFmnistCnn);
