/**
 * Workload `fmnist-cnn` (shared/bench/README.md): one training step (forward, backward, SGD
 * update) and one inference pass of the fmnist-cnn preset's model, T=4, batch 64, 28x28x1.
 * Interleaved with the reference round by round (lib/interleave.ts).
 */
import { interleave, runConditions, watchLoad } from './lib/interleave';
import { roundsOf, type BenchOptions } from './lib/options';
import type { WorkloadResult } from './lib/report';
import { benchBackend, isMain, runWorkloadScript } from './lib/setup';
import { medianMsAsync } from './lib/timing';
import { parallelTrainBench, trainStepFigures, trainStepMetrics } from './lib/train-step';

export async function benchFmnistCnn(opts: BenchOptions): Promise<WorkloadResult> {
  const load = watchLoad();
  const { backend, neuron } = await benchBackend(opts);
  const B = 64;
  const bench = await parallelTrainBench('fmnist-cnn', B, [28, 28, 1], 10, backend);
  const rounds = roundsOf(opts);
  const reps = opts.quick ? 2 : 3;
  try {
    const run = await interleave(
      opts,
      'fmnist-cnn',
      {
        async warmup() {
          await bench.step();
          await bench.infer();
        },
        async round(n) {
          const trainMs = await medianMsAsync(() => bench.step(), n, 0);
          const inferMs = await medianMsAsync(() => bench.infer(), n, 0);
          return {
            ...trainStepFigures(B, trainMs),
            'inference [ms]': inferMs,
            'inference [samples/s]': (B / inferMs) * 1e3,
          };
        },
      },
      rounds,
      reps,
    );
    return {
      workload: 'fmnist-cnn',
      backend,
      neuron,
      shape: `T=${bench.model.T}, batch ${B}, 28x28x1, ${bench.threads} thread(s), median of ${reps} reps per side per round`,
      metrics: [
        ...trainStepMetrics(),
        // eval_ms is the reference server's inference time (B / eval_samples_per_s).
        { name: 'inference', unit: 'ms', referenceKey: 'eval_ms', better: 'lower' },
        { name: 'inference', unit: 'samples/s', referenceKey: 'eval_samples_per_s', better: 'higher' },
      ],
      ...runConditions(run, load),
    };
  } finally {
    await bench.close();
  }
}

if (isMain(import.meta.url))
  await runWorkloadScript('fmnist-cnn', 'Usage: npm run bench:fmnist-cnn -- [options]', benchFmnistCnn);
