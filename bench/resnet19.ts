/**
 * Workload `resnet19-cifar` (shared/bench/README.md): one training step of the CIFAR ResNet-19
 * (reference section 7.3, CIFAR-10 head), T=4, batch 8, 32x32x3. Interleaved with the reference
 * round by round (lib/interleave.ts); one step per side per round (a step takes seconds).
 */
import { interleave, runConditions, watchLoad } from './lib/interleave';
import { roundsOf, type BenchOptions } from './lib/options';
import type { WorkloadResult } from './lib/report';
import { benchBackend, isMain, runWorkloadScript } from './lib/setup';
import { medianMsAsync } from './lib/timing';
import { parallelTrainBench, trainStepFigures, trainStepMetrics } from './lib/train-step';

export async function benchResnet19(opts: BenchOptions): Promise<WorkloadResult> {
  const load = watchLoad();
  const { backend, neuron } = await benchBackend(opts);
  const B = 8;
  const bench = await parallelTrainBench('cifar10-resnet19-t4', B, [32, 32, 3], 10, backend);
  const rounds = roundsOf(opts);
  const reps = 1;
  try {
    const run = await interleave(
      opts,
      'resnet19-cifar',
      {
        warmup: () => bench.step(),
        round: async (n) => trainStepFigures(B, await medianMsAsync(() => bench.step(), n, 0)),
      },
      rounds,
      reps,
    );
    return {
      workload: 'resnet19-cifar',
      backend,
      neuron,
      shape: `T=${bench.model.T}, batch ${B}, 32x32x3, ${bench.threads} thread(s), ${reps} step per side per round`,
      metrics: trainStepMetrics(),
      ...runConditions(run, load),
    };
  } finally {
    await bench.close();
  }
}

if (isMain(import.meta.url))
  await runWorkloadScript('resnet19-cifar', 'Usage: npm run bench:resnet19 -- [options]', benchResnet19);
