/**
 * Every workload of shared/bench/README.md in turn (fmnist-accuracy last: one epoch is long),
 * each beside the PyTorch reference measured in the same run, then one summary table.
 */
import { benchFmnistAccuracy } from './fmnist-accuracy';
import { benchFmnistCnn } from './fmnist-cnn';
import { benchGlifLayer } from './glif-layer';
import { benchOptions } from './lib/options';
import { printResult, resultJson, type WorkloadResult } from './lib/report';
import { benchResnet19 } from './resnet19';
import { firstLine } from './lib/setup';

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

process.stdout.write(
  '\n== summary (ours/reference: time ratios above 1 and throughput ratios below 1 mean slower than PyTorch)\n',
);
for (const r of results) {
  const j = resultJson(r) as { ratio: Record<string, number> };
  const ratios = Object.entries(j.ratio).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  process.stdout.write(
    `   ${r.workload} [${r.backend}/${r.neuron}]: ${ratios.length ? ratios.join(', ') : 'reference unavailable'}\n`,
  );
}
for (const f of failures) process.stdout.write(`   ${f.replace(':', ': FAILED:')}\n`);
if (opts.json)
  process.stdout.write(JSON.stringify({ results: results.map(resultJson), failures }, null, 2) + '\n');
process.exitCode = failures.length > 0 ? 1 : 0;
