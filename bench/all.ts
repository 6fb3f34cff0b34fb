/**
 * Every workload of shared/bench/README.md in turn (fmnist-accuracy last: one epoch is long),
 * each interleaved round by round with the PyTorch reference, then the scaling target as a user
 * meets it (train-scaling.ts: whole `glif train` processes on one thread and on every core), then
 * one summary table.
 */
import os from 'node:os';
import { benchFmnistAccuracy } from './fmnist-accuracy';
import { benchFmnistCnn } from './fmnist-cnn';
import { benchGlifLayer } from './glif-layer';
import { benchOptions, roundsOf } from './lib/options';
import { isContended, printResult, resultJson, type WorkloadResult } from './lib/report';
import { benchResnet19 } from './resnet19';
import { firstLine } from './lib/setup';
import { median } from './lib/timing';
import {
  DEFAULT_TRAIN_LIMIT,
  DEFAULT_WARMUP_STEPS,
  printTrainScaling,
  runTrainScaling,
  trainScalingJson,
  type TrainScalingResult,
} from './train-scaling';

const opts = benchOptions(process.argv.slice(2), 'Usage: npm run bench:all -- [options]');
const workloads = [
  ['glif-layer', benchGlifLayer],
  ['fmnist-cnn', benchFmnistCnn],
  ['resnet19-cifar', benchResnet19],
  ['fmnist-accuracy', benchFmnistAccuracy],
] as const;
const results: WorkloadResult[] = [];
const failures: string[] = [];
for (const [name, bench] of workloads) {
  try {
    const r = await bench(opts);
    printResult(r);
    results.push(r);
  } catch (err) {
    failures.push(`${name}: ${firstLine(err)}`);
    process.stdout.write(`== ${name} failed: ${firstLine(err)}\n`);
  }
}

// The scaling target compares our own two configurations; it needs at least two cores.
let scaling: TrainScalingResult | undefined;
const cores = os.availableParallelism();
if (cores < 2) failures.push('train-scaling: not run: this machine has one core');
else
  try {
    scaling = await runTrainScaling({
      preset: 'fmnist-cnn',
      rounds: roundsOf(opts, { quick: 5, full: 5 }),
      threads: cores,
      trainLimit: opts.quick ? DEFAULT_TRAIN_LIMIT / 2 : DEFAULT_TRAIN_LIMIT,
      warmupSteps: opts.quick ? DEFAULT_WARMUP_STEPS / 2 : DEFAULT_WARMUP_STEPS,
      backend: opts.backend,
    });
    printTrainScaling(scaling);
  } catch (err) {
    failures.push(`train-scaling: ${firstLine(err)}`);
    process.stdout.write(`== train-scaling failed: ${firstLine(err)}\n`);
  }

process.stdout.write(
  '\n== summary (ours/reference, median of the per-round ratios [min-max]: time ratios above 1 and throughput ratios below 1 mean slower than PyTorch)\n',
);
for (const r of results) {
  const j = resultJson(r);
  const ratios = Object.entries(j.ratio).map(
    ([k, v]) => `${k} ${v.toFixed(2)} [${j.ratioMin[k].toFixed(2)}-${j.ratioMax[k].toFixed(2)}]`,
  );
  process.stdout.write(
    `   ${r.workload} [${r.backend}/${r.neuron}, ${r.rounds.length} rounds, load ${r.loadavg.before.toFixed(2)} -> ${r.loadavg.after.toFixed(2)}, other processes ${r.loadavg.otherCores === null ? '?' : r.loadavg.otherCores.toFixed(2)} cores, steal ${r.loadavg.stolenCores == null ? '?' : r.loadavg.stolenCores.toFixed(2)}]: ${ratios.length ? ratios.join(', ') : 'reference unavailable'}\n`,
  );
}
if (scaling) {
  const r = scaling.ratios;
  process.stdout.write(
    `   train-scaling/fmnist-cnn [${scaling.backend}, ${r.length} rounds, load ${scaling.loadavg.before.toFixed(2)} -> ${scaling.loadavg.after.toFixed(2)}, other processes ${scaling.loadavg.otherCores === null ? '?' : scaling.loadavg.otherCores.toFixed(2)} cores, steal ${scaling.loadavg.stolenCores == null ? '?' : scaling.loadavg.stolenCores.toFixed(2)}]: ${scaling.options.threads} threads / 1 thread ${median(r).toFixed(2)}x [${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}] (ours alone; a speed-up, higher is better)\n`,
  );
}
const loaded = [
  ...results,
  ...(scaling ? [{ workload: 'train-scaling', loadavg: scaling.loadavg }] : []),
].filter((r) => isContended(r.loadavg));
if (loaded.length > 0)
  process.stdout.write(
    `   !!! WARNING: other work shared the CPU during ${loaded.map((r) => r.workload).join(', ')}: those figures are distorted\n`,
  );
for (const f of failures) process.stdout.write(`   ${f.replace(':', ': FAILED:')}\n`);
if (opts.json)
  process.stdout.write(
    JSON.stringify(
      { results: results.map(resultJson), scaling: scaling ? trainScalingJson(scaling) : null, failures },
      null,
      2,
    ) + '\n',
  );
process.exitCode = failures.length > 0 ? 1 : 0;
