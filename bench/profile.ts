/**
 * Where the time of one step goes, per kernel: `npm run bench:profile -- <workload> [--infer]`.
 *
 * After a warm-up step and N unprofiled steps (the step's plain wall time), runs N steps under
 * tf.profile and aggregates each kernel's own time by kernel name and by category (conv, conv
 * gradients, GLIF, tdBN, pooling, matmul, optimiser, elementwise/other), plus "outside kernels":
 * the profiled step's wall time minus the sum of kernel times (JS between kernels, tensor
 * bookkeeping, data reads, and custom-gradient bodies that run no kernel of their own).
 *
 * A custom op (tf.customGrad) shows as one kernel named after its tf.tidy scope (GlifFused,
 * TdBnFused...); kernels it runs inside are nested: they are counted once, as their own time,
 * under the custom op's category, and listed as `Outer/Inner`. The optimiser is every kernel
 * run inside Sgd.step (bench/lib/train-step.ts's aroundOptimizer hook), listed as `Sgd.step/...`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { parseBackendName } from '../src-main/engine/backend';
import { NEURON_IMPL_ENV_VAR, parseNeuronImpl } from '../src-main/engine/glif/impl';
import { glifLayerBench } from './glif-layer';
import { oursThreads, watchLoad } from './lib/interleave';
import { wholeNumberFlag } from './lib/options';
import { conditionLines } from './lib/report';
import { benchBackend, firstLine } from './lib/setup';
import { median } from './lib/timing';
import { trainBench } from './lib/train-step';

const WORKLOADS = ['glif-layer', 'fmnist-cnn', 'resnet19-cifar'] as const;
type Workload = (typeof WORKLOADS)[number];

const USAGE = `Usage: npm run bench:profile -- <${WORKLOADS.join('|')}> [options]
Options:
  --infer            profile the inference pass instead of a training step
                     (glif-layer: forward with training: false instead of forward+backward)
  --steps <n>        profiled steps, averaged (default 1; as many unprofiled steps time the plain step)
  --backend <name>   force a TensorFlow.js backend (tensorflow-gpu, tensorflow, wasm, cpu; not webgpu)
  --impl <name>      GLIF neuron implementation: auto (default), ops, fused (sets ${NEURON_IMPL_ENV_VAR})
  --json             also print the profile as JSON`;

interface ProfileOptions {
  readonly workload: Workload;
  readonly infer: boolean;
  readonly steps: number;
  readonly backend?: ReturnType<typeof parseBackendName>;
  readonly json: boolean;
}

function parseOptions(argv: string[]): ProfileOptions {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        infer: { type: 'boolean' },
        steps: { type: 'string' },
        backend: { type: 'string' },
        impl: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (positionals.length !== 1) throw new Error('name exactly one workload');
    const workload = positionals[0] as Workload;
    if (!WORKLOADS.includes(workload)) throw new Error(`unknown workload '${positionals[0]}'`);
    const steps = wholeNumberFlag('steps', values.steps) ?? 1;
    if (values.impl !== undefined) process.env[NEURON_IMPL_ENV_VAR] = parseNeuronImpl(values.impl, '--impl');
    return {
      workload,
      infer: values.infer === true,
      steps,
      backend: values.backend === undefined ? undefined : parseBackendName(values.backend, '--backend'),
      json: values.json === true,
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

/** The parts of tfjs-core's engine the profile reads (not in its public types). */
interface EngineInternals {
  profiler: { profileKernel: (...args: unknown[]) => unknown };
  state: { kernelDepth: number; activeProfile: { kernels: unknown[] } };
}

/** One step of the workload; `aroundOptimizer` wraps the SGD update where there is one. */
interface Stepper {
  readonly label: string;
  step(): void;
  dispose(): void;
}

function stepper(o: ProfileOptions, aroundOptimizer: (run: () => void) => void): Stepper {
  if (o.workload === 'glif-layer') {
    const b = glifLayerBench();
    // Synchronous off webgpu (settle), which run() refuses: tf.profile sees the whole call.
    return o.infer
      ? { label: 'forward (no grad)', step: () => void b.forwardNoGrad(), dispose: b.dispose }
      : { label: 'forward+backward', step: () => void b.forwardBackward(), dispose: b.dispose };
  }
  const b =
    o.workload === 'fmnist-cnn'
      ? trainBench('fmnist-cnn', 64, [28, 28, 1], 10, { aroundOptimizer })
      : trainBench('cifar10-resnet19-t4', 8, [32, 32, 3], 10, { aroundOptimizer });
  return o.infer
    ? { label: 'inference pass', step: () => void b.infer(), dispose: () => b.dispose() }
    : { label: 'train step', step: () => void b.step(), dispose: () => b.dispose() };
}

export const CATEGORIES = [
  'conv',
  'conv gradients',
  'GLIF',
  'tdBN',
  'pooling',
  'matmul',
  'optimiser',
  'elementwise/other',
] as const;
type Category = (typeof CATEGORIES)[number] | 'outside kernels';

export function kernelCategory(name: string): Category {
  if (name === 'Conv2D' || name === 'FusedConv2D') return 'conv';
  if (name === 'Conv2DBackpropFilter' || name === 'Conv2DBackpropInput') return 'conv gradients';
  if (name.startsWith('Glif')) return 'GLIF';
  if (name.startsWith('TdBn')) return 'tdBN';
  if (name === 'AvgPool' || name === 'AvgPoolGrad' || name.startsWith('MaxPool')) return 'pooling';
  if (name === 'BatchMatMul' || name === '_FusedMatMul') return 'matmul';
  return 'elementwise/other';
}

interface KernelTime {
  /** Display name: the kernel, under its enclosing custom op or Sgd.step if any. */
  readonly name: string;
  readonly category: Category;
  /** Own time: the kernel's time minus the kernels nested in it. */
  readonly selfMs: number;
}

interface StepProfile {
  readonly wallMs: number;
  readonly optimizerWallMs: number;
  readonly kernels: KernelTime[];
}

/**
 * Kernel records come in completion order (nested ones before the op that ran them), each with
 * its depth (1 = top level). Rebuilds the nesting to take own times and the outer op's category.
 */
function attribute(
  records: readonly { name: string; ms: number }[],
  depths: readonly number[] | undefined,
  inOptimizer: (i: number) => boolean,
): KernelTime[] {
  const n = records.length;
  const children: number[][] = Array.from({ length: n }, () => []);
  const pending = new Map<number, number[]>();
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = depths?.[i] ?? 1;
    children[i] = pending.get(d + 1) ?? [];
    pending.set(d + 1, []);
    if (d <= 1) roots.push(i);
    else pending.set(d, [...(pending.get(d) ?? []), i]);
  }
  const out: KernelTime[] = [];
  const visit = (i: number, outer: { prefix: string; category: Category } | undefined) => {
    const raw = records[i].name || '(unnamed custom op)';
    const own = inOptimizer(i)
      ? { prefix: 'Sgd.step/', category: 'optimiser' as Category }
      : { prefix: '', category: kernelCategory(raw) };
    const ctx = outer ?? own;
    const nestedMs = children[i].reduce((s, c) => s + records[c].ms, 0);
    out.push({
      name: `${outer ? outer.prefix : own.prefix}${raw}`,
      category: ctx.category,
      selfMs: Math.max(0, records[i].ms - nestedMs),
    });
    const inner = { prefix: `${outer ? outer.prefix : own.prefix}${raw}/`, category: ctx.category };
    for (const c of children[i]) visit(c, inner);
  };
  for (const r of roots) visit(r, undefined);
  return out;
}

async function profileStep(
  step: () => void,
  opt: { ranges: [number, number][]; ms: number },
): Promise<StepProfile> {
  const engine = tf.engine() as unknown as EngineInternals;
  const profiler = engine.profiler;
  const original = profiler.profileKernel;
  const depths: number[] = [];
  // The engine pushes a kernel's record right after profileKernel returns, so depths line up with records.
  profiler.profileKernel = function (this: unknown, ...args: unknown[]) {
    const depth = engine.state.kernelDepth;
    const result = original.apply(this, args);
    depths.push(depth);
    return result;
  };
  opt.ranges.length = 0;
  opt.ms = 0;
  let wallMs = 0;
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(() => {
      const t0 = performance.now();
      step();
      wallMs = performance.now() - t0;
    });
  } finally {
    profiler.profileKernel = original;
  }
  const records = info.kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs) }));
  const inOptimizer = (i: number) => opt.ranges.some(([a, b]) => i >= a && i < b);
  const aligned = depths.length === records.length ? depths : undefined;
  return { wallMs, optimizerWallMs: opt.ms, kernels: attribute(records, aligned, inOptimizer) };
}

function aggregate(profiles: StepProfile[]) {
  const steps = profiles.length;
  const wallMs = profiles.reduce((s, p) => s + p.wallMs, 0) / steps;
  const byName = new Map<string, { category: Category; calls: number; ms: number }>();
  const byCategory = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  let kernelMs = 0;
  for (const p of profiles)
    for (const k of p.kernels) {
      const e = byName.get(k.name) ?? { category: k.category, calls: 0, ms: 0 };
      e.calls += 1 / steps;
      e.ms += k.selfMs / steps;
      byName.set(k.name, e);
      byCategory.set(k.category, (byCategory.get(k.category) ?? 0) + k.selfMs / steps);
      kernelMs += k.selfMs / steps;
    }
  byCategory.set('outside kernels', wallMs - kernelMs);
  const pct = (ms: number) => (100 * ms) / wallMs;
  return {
    wallMs,
    kernelMs,
    optimizerWallMs: profiles.reduce((s, p) => s + p.optimizerWallMs, 0) / steps,
    categories: [...byCategory]
      .map(([category, ms]) => ({ category, ms, pct: pct(ms) }))
      .sort((a, b) => b.ms - a.ms),
    kernels: [...byName]
      .map(([name, e]) => ({ name, category: e.category, calls: e.calls, ms: e.ms, pct: pct(e.ms) }))
      .sort((a, b) => b.ms - a.ms),
  };
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (cells: string[]) =>
    '   ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [pad(header), ...rows.map(pad)];
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load = watchLoad();
  const { backend, neuron } = await benchBackend({
    quick: false,
    noReference: true,
    json: false,
    backend: o.backend,
  });
  if (backend === 'webgpu') {
    // The per-kernel times come from timing synchronous calls; webgpu in Node only reads back
    // asynchronously, so they would measure command submission, not the GPU.
    throw new Error(
      'bench:profile runs on wasm, cpu and the tensorflow backends; on webgpu, time whole steps with bench:glif-layer or bench:resnet19',
    );
  }
  const opt = { ranges: [] as [number, number][], ms: 0 };
  const s = stepper(o, (run) => {
    const kernels = (tf.engine() as unknown as EngineInternals).state.activeProfile.kernels;
    const start = kernels.length;
    const t0 = performance.now();
    run();
    opt.ms += performance.now() - t0;
    opt.ranges.push([start, kernels.length]);
  });
  try {
    s.step(); // warm-up: kernel setup, first-call allocations
    const plain: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      s.step();
      plain.push(performance.now() - t0);
    }
    const profiles: StepProfile[] = [];
    for (let i = 0; i < o.steps; i++) profiles.push(await profileStep(() => s.step(), opt));
    const agg = aggregate(profiles);
    const plainMs = median(plain);
    const loadavg = load.finish();
    const f = (ms: number) => ms.toFixed(1);
    const p = (pct: number) => `${pct.toFixed(1)}%`;
    const lines = [
      `== profile ${o.workload}: ${s.label} (TF.js backend ${backend}, GLIF neuron ${neuron}; ${o.steps} profiled step${o.steps > 1 ? 's, averaged' : ''}, after a warm-up)`,
      ...conditionLines({ loadavg, threads: { ours: oursThreads(), reference: null } }),
      `   step wall time: ${f(agg.wallMs)} ms profiled, ${f(plainMs)} ms unprofiled (median of ${o.steps}); kernels ${f(agg.kernelMs)} ms`,
      ...(o.infer || o.workload === 'glif-layer'
        ? []
        : [`   Sgd.step wall time: ${f(agg.optimizerWallMs)} ms (its kernels are the 'optimiser' category)`]),
      '',
      ...table(
        ['category', 'ms', '% of step'],
        [
          ...agg.categories.map((c) => [c.category, f(c.ms), p(c.pct)]),
          ['total (profiled step wall time)', f(agg.wallMs), '100.0%'],
        ],
      ),
      '',
      ...table(
        ['kernel', 'category', 'calls', 'ms', '% of step'],
        agg.kernels.map((k) => [
          k.name,
          k.category,
          Number.isInteger(k.calls) ? String(k.calls) : k.calls.toFixed(1),
          f(k.ms),
          p(k.pct),
        ]),
      ),
      '',
      "   note: 'outside kernels' is JS between kernels: tensor bookkeeping, data reads, and custom-gradient",
      '   bodies that run no kernel of their own (e.g. a fused op computing its backward in JS).',
      ...(agg.kernels.some((k) => k.name.split('/')[0] === 'unnamed scope')
        ? [
            "   note: 'unnamed scope' is a custom op (tf.customGrad) run outside a named tf.tidy scope; name its",
            '   scope (GlifFused, TdBnFused, ...) to give it a category.',
          ]
        : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (o.json)
      process.stdout.write(
        JSON.stringify(
          {
            workload: o.workload,
            pass: s.label,
            backend,
            neuron,
            steps: o.steps,
            wallMs: agg.wallMs,
            unprofiledWallMs: plainMs,
            kernelMs: agg.kernelMs,
            optimizerWallMs: o.infer || o.workload === 'glif-layer' ? null : agg.optimizerWallMs,
            loadavg,
            threads: { ours: oursThreads() },
            categories: agg.categories,
            kernels: agg.kernels,
          },
          null,
          2,
        ) + '\n',
      );
  } finally {
    s.dispose();
  }
}

try {
  await main();
} catch (err) {
  process.stdout.write(`== profile failed: ${firstLine(err)}\n`);
  process.exitCode = 1;
}
