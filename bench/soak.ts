/**
 * Soak benchmark (not a timed test): trains the fmnist-cnn preset for many epochs on a small
 * subset in this process, exactly as a worker would (trainer.train, a checkpoint every epoch),
 * and records after each epoch the process's RSS and TF.js's live tensor count. A leak of
 * tensors or of native/wasm memory shows as a slope; both must stay flat.
 *
 *   npm run bench:soak -- [--epochs 200] [--train-limit 256] [--test-limit 128] [--threads 1]
 *                         [--backend wasm] [--window 150] [--json out/bench/soak.json]
 *
 * With --threads N > 1 the run trains on N replica threads (as the app does by default); their
 * tensors live in their own backends, so a leak there shows in the process's RSS, not in the
 * tensor count, which is this thread's.
 *
 * The real Fashion-MNIST (/usr/share/datasets/fashion-mnist) is used when present, else the
 * synthetic 28x28 dataset. The verdict compares the least-squares slope over the last
 * `window` epochs (default 150, at most three quarters of the run, so that warm-up growth
 * is left out) with the thresholds below, and the exit status says it (0 flat, 1 not flat).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendName } from '../src-main/engine/backend';
import { buildConfig } from '../src-main/engine/config/build';
import { train } from '../src-main/engine/train/trainer';

/** RSS may drift this much per epoch (allocator noise, JIT); a leak of one batch is far more. */
const RSS_SLOPE_LIMIT_MIB = 0.05;
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

interface EpochSample {
  readonly epoch: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly numTensors: number;
  readonly seconds: number;
  readonly testAccuracy: number;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mib = (bytes: number) => bytes / 2 ** 20;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      epochs: { type: 'string', default: '200' },
      'train-limit': { type: 'string', default: '256' },
      'test-limit': { type: 'string', default: '128' },
      backend: { type: 'string' },
      window: { type: 'string', default: '150' },
      threads: { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  });
  const epochs = Number(values.epochs);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads takes a whole number >= 1');
  const realData = fs.existsSync(FASHION_MNIST);
  const config = buildConfig({
    preset: 'fmnist-cnn',
    overrides: [
      `train.epochs=${epochs}`,
      `data.trainLimit=${values['train-limit']}`,
      `data.testLimit=${values['test-limit']}`,
      ...(realData ? [] : ['data.dataset=synthetic']),
    ],
  });
  const report = await initBackend(
    values.backend ? { only: parseBackendName(values.backend, '--backend') } : {},
  );
  const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-soak-'));
  const samples: EpochSample[] = [];
  console.log(
    `soak: fmnist-cnn, ${epochs} epochs, ${values['train-limit']} train / ${values['test-limit']} test samples ` +
      `of ${realData ? 'Fashion-MNIST' : 'synthetic data'}, backend ${report.active}, ${threads} thread${threads === 1 ? '' : 's'}`,
  );
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await train({
      config,
      checkpointDir,
      backend: report.active,
      threads,
      sink: (event) => {
        if (event.type !== 'epoch') return;
        // With --expose-gc (the npm script passes it), sample after a full collection, so that
        // the figures show what is still referenced, not how late V8 collects.
        (globalThis as { gc?: () => void }).gc?.();
        const mem = process.memoryUsage();
        const s: EpochSample = {
          epoch: event.epoch + 1,
          rssMiB: mib(mem.rss),
          heapMiB: mib(mem.heapUsed),
          numTensors: event.numTensors ?? NaN,
          seconds: event.seconds,
          testAccuracy: event.testAccuracy,
        };
        samples.push(s);
        if (s.epoch === 1 || s.epoch % 10 === 0 || s.epoch === epochs)
          console.log(
            `epoch ${s.epoch}: rss ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapMiB.toFixed(1)} MiB, ` +
              `${s.numTensors} tensors, ${s.seconds.toFixed(2)} s, test acc ${(s.testAccuracy * 100).toFixed(1)}%`,
          );
      },
    });
  } finally {
    fs.rmSync(checkpointDir, { recursive: true, force: true });
  }
  if (outcome.status !== 'completed') {
    console.error(`soak: training ${outcome.status}: ${outcome.error ?? ''}`);
    return 2;
  }
  const window = Math.max(2, Math.min(Number(values.window), Math.floor((samples.length * 3) / 4)));
  const tail = samples.slice(-window);
  const xs = tail.map((s) => s.epoch);
  const rssSlope = slope(
    xs,
    tail.map((s) => s.rssMiB),
  );
  const tensorSlope = slope(
    xs,
    tail.map((s) => s.numTensors),
  );
  // Reported, not judged: without --expose-gc the heap saws up and down with V8's collections.
  const heapSlope = slope(
    xs,
    tail.map((s) => s.heapMiB),
  );
  const tensorsMin = Math.min(...tail.map((s) => s.numTensors));
  const tensorsMax = Math.max(...tail.map((s) => s.numTensors));
  const rssFlat = rssSlope <= RSS_SLOPE_LIMIT_MIB;
  const tensorsFlat = tensorsMax === tensorsMin;
  const minutes = (performance.now() - t0) / 60_000;
  console.log(
    `over the last ${window} epochs: RSS slope ${rssSlope.toFixed(4)} MiB/epoch ` +
      `(limit ${RSS_SLOPE_LIMIT_MIB}) -> ${rssFlat ? 'flat' : 'GROWING'}; ` +
      `tensors ${tensorsMin}..${tensorsMax}, slope ${tensorSlope.toFixed(4)}/epoch -> ${tensorsFlat ? 'flat' : 'GROWING'}; ` +
      `JS heap slope ${heapSlope.toFixed(4)} MiB/epoch; ` +
      `${minutes.toFixed(1)} min`,
  );
  if (values.json) {
    fs.mkdirSync(path.dirname(values.json), { recursive: true });
    fs.writeFileSync(
      values.json,
      JSON.stringify(
        { config, backend: report.active, window, rssSlope, tensorSlope, heapSlope, samples },
        null,
        2,
      ),
    );
  }
  return rssFlat && tensorsFlat ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${(error as Error).message}`);
    process.exit(2);
  },
);
