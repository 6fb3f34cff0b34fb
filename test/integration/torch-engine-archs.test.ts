/**
 * Every architecture on the torch engine is the workbench's network: for the same run config and
 * seed, `python -m glif_torch.describe` (engine-torch) and the TF.js model have the same parameter
 * names in the same order, the same shapes, the same GLIF layers and counts, and the same initial
 * values (each tensor's sum and sum of squares: the seeded stream drawn in the same order), and the
 * same energy accounting: the weighted layers that receive real values (the issue's list: ResNet's
 * second head Linear, CIFARNet's second and third Linears, MS-ResNet-18's shortcut convs after the
 * first block and its head) and every layer's multiply-accumulates.
 * Where no Python with PyTorch is found these are reported as skipped with the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { InputShape } from '../../src-main/engine/models/model';
import type { SynapticInput, WeightedCall } from '../../src-main/engine/nn/module';
import { Rng } from '../../src-main/engine/random';
import { findTorch, torchEngineDir, torchEnv } from '../../src-main/engine/torch/python';
import { buildRunModel } from '../../src-main/engine/train/build';
import { shapeOnlyInfo } from '../helpers/shape-info';

const probe = await findTorch();
const WHERE = probe.ok
  ? `(torch ${probe.runtime.torch})`
  : `(needs a Python with PyTorch; not run here: ${probe.reason})`;

beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});

interface Described {
  parameters: Array<{ name: string; shape: number[]; sum: number; sumSquares: number }>;
  layers: string[];
  total: number;
  glif: number;
  logits: number[];
  firingRates: Record<string, number>;
  operations: Operation[];
}

interface Operation {
  path: string;
  input: SynapticInput;
  macs: number;
}

interface Case {
  readonly what: string;
  readonly preset: string;
  readonly set: readonly string[];
  readonly shape: InputShape;
  readonly classes: number;
  /** The weighted layers whose input is real-valued by the model's structure (not the first layer's image). */
  readonly real: readonly string[];
}

/** Samples in the forward pass compared between the engines. */
const BATCH = 2;

/** Firing rates of the two engines' passes (rates here are 0.08-0.17; flips move them < 6e-4). */
const RATE_TOLERANCE = 0.005;

/** Only the network is built: the dataset's folder is never opened. */
const DATA = 'data.path=/not/opened';

const CASES: readonly Case[] = [
  { what: 'fmnist-cnn', preset: 'fmnist-cnn', set: [], shape: [28, 28, 1], classes: 10, real: [] },
  {
    what: 'mlp, layer-wise, paper gate range',
    preset: 'synthetic-mlp',
    set: ['model.mlpHidden=64,32', 'neuron.layerwise=true', 'neuron.gateRange=paper'],
    shape: [28, 28, 1],
    classes: 10,
    real: [],
  },
  {
    // The layer-wise constructor's sign flip: gates start at 0.45/0.35/0.45 in both engines.
    what: "mlp, layer-wise, the code's fixed gates",
    preset: 'synthetic-mlp',
    set: ['model.mlpHidden=32', 'neuron.layerwise=true', 'neuron.gateRange=fixed'],
    shape: [28, 28, 1],
    classes: 10,
    real: [],
  },
  {
    what: 'CIFARNet (16x16 input)',
    preset: 'cifar10-cifarnet-t4',
    set: [DATA],
    shape: [16, 16, 3],
    classes: 10,
    real: ['classifier.1', 'classifier.2'],
  },
  {
    what: 'ResNet-19',
    preset: 'cifar10-resnet19-t4',
    set: [DATA],
    shape: [32, 32, 3],
    classes: 10,
    real: ['lastave.1'],
  },
  {
    what: "ResNet-18 on 100 classes (single head), static gates from the code's fixed values",
    preset: 'cifar100-resnet18-t4',
    set: [DATA, 'neuron.variant=glif-static', 'neuron.gateRange=fixed'],
    shape: [32, 32, 3],
    classes: 100,
    real: [],
  },
  {
    what: "ResNet-18, layer-wise: the authors' single head on CIFAR-10",
    preset: 'cifar10-resnet18-t4',
    set: [DATA, 'neuron.layerwise=true'],
    shape: [32, 32, 3],
    classes: 10,
    real: [],
  },
  {
    what: 'MS-ResNet-18',
    preset: 'cifar10-resnet18-t4',
    set: [DATA, 'model.arch=ms-resnet18'],
    shape: [64, 64, 3],
    classes: 10,
    // The first block's shortcut gets the stem's spikes; the later ones the previous block's sum.
    real: [
      'features.2.downsample.0.0',
      'features.4.downsample.0.0',
      'features.6.downsample.0.0',
      'lastave.0',
      'lastave.1',
    ],
  },
  {
    what: 'ResNet-34 (ImageNet preset: plain BN, g^t from 0.5, one Linear head)',
    preset: 'imagenet-resnet34-t4',
    set: [DATA, 'data.imageSize=64'],
    shape: [64, 64, 3],
    classes: 10,
    // Spike shortcuts: every conv gets spikes (the stem the image); the head pooled spikes.
    real: [],
  },
  {
    what: '7B-wideNet (plain BN, DVS init, PyTorch default weights)',
    preset: 'cifar10dvs-7b',
    set: [DATA],
    shape: [48, 48, 2],
    classes: 10,
    real: [],
  },
];

function describeOnTorch(config: unknown, shape: InputShape, classes: number, input: number[]): Described {
  const r = spawnSync(probe.ok ? probe.runtime.python : 'python3', ['-m', 'glif_torch.describe'], {
    cwd: torchEngineDir(),
    env: torchEnv(),
    input: JSON.stringify({ config, inputShape: shape, classes, input }) + '\n',
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`glif_torch.describe: ${r.stderr}`);
  return JSON.parse(r.stdout) as Described;
}

describe(`the torch engine builds the workbench's networks ${WHERE}`, () => {
  for (const c of CASES) {
    it.runIf(probe.ok)(
      `${c.what}: same names, shapes, counts, initial values and energy accounting`,
      () => {
        const config = buildConfig({ preset: c.preset, overrides: [...c.set] });
        const model = buildRunModel(
          config,
          shapeOnlyInfo(c.shape, c.classes),
          new Rng(config.train.seed),
          'ops',
        );
        try {
          const [h, w, ch] = c.shape;
          const draws = new Rng(5);
          const input = Array.from({ length: BATCH * h * w * ch }, () => draws.next());
          const torch = describeOnTorch(config, c.shape, c.classes, input);
          const ours = model.root.parameters().map((p) => {
            const values = p.variable.dataSync();
            let sum = 0;
            let sumSquares = 0;
            for (const v of values) {
              sum += v;
              sumSquares += v * v;
            }
            return { name: p.path, shape: p.variable.shape, sum, sumSquares };
          });
          expect(torch.parameters.map((p) => p.name)).toEqual(ours.map((p) => p.name));
          // A layer-wise gate is a scalar on torch, a [1] vector here: the same one value.
          const shape = (s: readonly number[]) => (s.length === 0 ? [1] : [...s]);
          expect(torch.parameters.map((p) => shape(p.shape))).toEqual(ours.map((p) => shape(p.shape)));
          const counts = model.countParameters();
          expect({ total: torch.total, glif: torch.glif, glifLayers: torch.layers.length }).toEqual(counts);
          expect(torch.layers).toEqual(model.glifLayers().map((l) => l.path));
          torch.parameters.forEach((p, i) => {
            const o = ours[i];
            // float32 values summed in float64 on both sides, in different orders.
            const scale = Math.max(1, o.sumSquares);
            expect(Math.abs(p.sumSquares - o.sumSquares) / scale, p.name).toBeLessThan(1e-6);
            expect(Math.abs(p.sum - o.sum), p.name).toBeLessThan(1e-6 * Math.sqrt(scale) + 1e-6);
          });
          // The same training-mode forward pass: the blocks compute what the workbench's compute.
          // A spike is a threshold test, so float rounding may flip one, and through the batch
          // statistics that moves the rest a little (this backend and the cpu one differ as much):
          // firing rates agree closely; where no spike flipped, the logits agree to rounding.
          const rates: Record<string, number> = {};
          const operations: Operation[] = [];
          const logits = tf.tidy(() => {
            const x = tf.tensor4d(input, [BATCH, h, w, ch]);
            const T = config.model.timeSteps;
            const folded = tf.reshape(tf.tile(tf.expandDims(x, 0), [T, 1, 1, 1, 1]), [T * BATCH, h, w, ch]);
            const recorder = {
              record: (path: string, a: { spikes: tf.Tensor }) => {
                rates[path] = tf.mean(a.spikes).dataSync()[0];
              },
              synapticInput: (path: string, _x: tf.Tensor, call: WeightedCall) => {
                operations.push({ path, input: call.input, macs: call.macs });
              },
            };
            return Array.from(model.logits(folded, { T, training: true, recorder }).dataSync());
          });
          expect(Object.keys(torch.firingRates)).toEqual(Object.keys(rates));
          // Energy accounting: the same layers multiply on both engines, the list of them,
          // and the same dense MAC count per layer (ours from the layer's shapes, torch's from its
          // output's size).
          expect(operations.filter((o) => o.input === 'real').map((o) => o.path)).toEqual(c.real);
          expect(torch.operations).toEqual(operations);
          const rateGap = Math.max(
            ...Object.entries(rates).map(([p, r]) => Math.abs(torch.firingRates[p] - r)),
          );
          expect(rateGap, JSON.stringify({ torch: torch.firingRates, ours: rates })).toBeLessThan(
            RATE_TOLERANCE,
          );
          expect(torch.logits).toHaveLength(logits.length);
          if (rateGap === 0) {
            const largest = Math.max(...logits.map(Math.abs));
            const worst = Math.max(...logits.map((v, i) => Math.abs(v - torch.logits[i])));
            expect(
              worst / largest,
              `logits ${logits.slice(0, 4)} vs ${torch.logits.slice(0, 4)}`,
            ).toBeLessThan(1e-3);
          }
        } finally {
          model.dispose();
        }
      },
      180_000,
    );
  }
});
