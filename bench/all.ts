/**
 * Every workload of shared/bench/README.md in turn (fmnist-accuracy last: one epoch is long),
 * each interleaved round by round with the PyTorch reference, then one summary table.
 */
import { benchFmnistAccuracy } from './fmnist-accuracy';
import { benchFmnistCnn } from './fmnist-cnn';
import { benchGlifLayer } from './glif-layer';
import { benchOptions } from './lib/options';
import { isContended, printResult, resultJson, type WorkloadResult } from './lib/report';
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
const loaded = results.filter((r) => isContended(r.loadavg));
if (loaded.length > 0)
  process.stdout.write(
    `   !!! WARNING: other work shared the CPU during ${loaded.map((r) => r.workload).join(', ')}: those figures are distorted\n`,
  );
for (const f of failures) process.stdout.write(`   ${f.replace(':', ': FAILED:')}\n`);
if (opts.json)
  process.stdout.write(JSON.stringify({ results: results.map(resultJson), failures }, null, 2) + '\n');
process.exitCode = failures.length > 0 ? 1 : 0;
