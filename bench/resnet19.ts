/**
 * Workload `resnet19-cifar` (shared/bench/README.md): one training step of the CIFAR ResNet-19
 * (reference section 7.3, CIFAR-10 head), T=4, batch 8, 32x32x3.
 */
import type { BenchOptions } from './lib/options';
import { referenceUnless } from './lib/reference';
import type { WorkloadResult } from './lib/report';
import { benchBackend, isMain, runWorkloadScript } from './lib/setup';
import { medianMs } from './lib/timing';
import { trainBench, trainStepMetrics } from './lib/train-step';

export async function benchResnet19(opts: BenchOptions): Promise<WorkloadResult> {
  const { backend, neuron } = await benchBackend(opts);
  const B = 8;
  const bench = trainBench('cifar10-resnet19-t4', B, [32, 32, 3], 10);
  const reps = opts.quick ? 1 : 3;
  const trainMs = medianMs(() => bench.step(), reps);
  const T = bench.model.T;
  bench.dispose();
  const reference = referenceUnless(opts, 'resnet19-cifar');
  return {
    workload: 'resnet19-cifar',
    backend,
    neuron,
    shape: `T=${T}, batch ${B}, 32x32x3, median of ${reps}`,
    metrics: [...trainStepMetrics(B, trainMs)],
    reference,
  };
}

if (isMain(import.meta.url))
  await runWorkloadScript('resnet19-cifar', 'Usage: npm run bench:resnet19 -- [options]', benchResnet19);
