/**
 * Our optimiser setup against PyTorch's: the trainer's Sgd with recipeGroups over a real run
 * model's parameters, two steps with fixed gradients, checked against torch.optim.SGD with
 * the reference recipe's parameter groups (glif.md section 2): momentum, weight decay only
 * outside the GLIF layers, GLIF gates at a tenth of the learning rate. The torch side sorts
 * the parameters into groups by their PyTorch names, not by our roles, so a parameter put in
 * the wrong group here shows up as a mismatch.
 *
 * Needs /usr/bin/python3 with torch (scripts/setup.sh installs python3-torch); without it the
 * test fails and says so.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { DatasetInfo } from '../../src-main/engine/data/dataset';
import type { Model } from '../../src-main/engine/models/model';
import { Rng } from '../../src-main/engine/random';
import { buildRunModel } from '../../src-main/engine/train/build';
import { recipeGroups, Sgd } from '../../src-main/engine/train/optimizer';

const PYTHON = '/usr/bin/python3';

/** The reference recipe in PyTorch, from the parameter names alone. */
const TORCH_SGD = String.raw`
import json, sys
try:
    import torch
except ImportError:
    print("MISSING_TORCH", file=sys.stderr)
    sys.exit(3)
inp = json.load(sys.stdin)
GATES = {"alpha", "beta", "gamma"}
PRIMITIVES = {"tau", "Vth", "leak", "reVth", "conduct"}
params, groups = {}, {"decay": [], "glif": [], "gates": []}
for name, p in inp["params"].items():
    t = torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"]).requires_grad_(True)
    params[name] = t
    leaf = name.split(".")[-1]
    groups["gates" if leaf in GATES else "glif" if leaf in PRIMITIVES else "decay"].append(t)
lr0 = inp["lrs"][0]
opt = torch.optim.SGD(
    [
        {"params": groups["decay"], "weight_decay": inp["weightDecay"]},
        {"params": groups["glif"], "weight_decay": 0.0},
        {"params": groups["gates"], "weight_decay": 0.0, "scale": 0.1},
    ],
    lr=lr0, momentum=inp["momentum"], dampening=0, nesterov=False,
)
after = []
for k, lr in enumerate(inp["lrs"]):
    for g in opt.param_groups:
        g["lr"] = lr * g.get("scale", 1.0)
    for name, t in params.items():
        t.grad = torch.tensor(inp["grads"][k][name], dtype=torch.float32).reshape(t.shape)
    opt.step()
    after.append({n: t.detach().reshape(-1).tolist() for n, t in params.items()})
print(json.dumps({"after": after, "sizes": {g: len(v) for g, v in groups.items()}}))
`;

interface TorchAnswer {
  after: Array<Record<string, number[]>>;
  sizes: { decay: number; glif: number; gates: number };
}

function torchSgd(input: unknown): TorchAnswer {
  const r = spawnSync(PYTHON, ['-c', TORCH_SGD], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.stderr?.includes('MISSING_TORCH')
      ? `${PYTHON} has no torch: run scripts/setup.sh (or apt-get install -y python3-torch)`
      : `${PYTHON} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`;
    throw new Error(why);
  }
  return JSON.parse(r.stdout) as TorchAnswer;
}

/** Deterministic gradient values of every size and sign, different for each step and parameter. */
function gradientValues(size: number, seed: number): number[] {
  return Array.from({ length: size }, (_, i) => Math.fround(0.7 * Math.sin(1.7 * i + 0.37 * seed + 0.1)));
}

const INFO: DatasetInfo = {
  name: 'synthetic',
  kind: 'static',
  inputShape: [2, 2, 1],
  numClasses: 3,
  trainSize: 8,
  testSize: 8,
  augmentation: 'none',
  source: 'test',
};

let model: Model;
beforeAll(async () => {
  await initBackend({ only: 'cpu' });
});
afterAll(() => model?.dispose());

describe('one SGD step of the training recipe, against torch.optim.SGD', () => {
  it('matches PyTorch for every parameter group over two steps (momentum included)', () => {
    // The synthetic preset's recipe (CIFAR's: momentum 0.9, gates at lr/10), with a weight
    // decay large enough that applying it to the wrong parameters is far above float noise.
    const config = buildConfig({
      preset: 'synthetic-mlp',
      overrides: ['model.mlpHidden=3,2', 'model.timeSteps=2', 'train.weightDecay=0.05'],
    });
    expect(config.train.gateLrScale, 'the recipe trains gates at lr/10').toBe(0.1);
    model = buildRunModel(config, INFO, new Rng(config.train.seed), 'fused');
    const params = model.root.parameters();
    expect(params.every((p) => p.variable.trainable)).toBe(true);
    const sgd = new Sgd(params, {
      momentum: config.train.momentum,
      groups: recipeGroups(config.train.weightDecay, config.train.gateLrScale),
    });

    const lrs = [0.1, 0.05];
    const initial: Record<string, { shape: number[]; values: number[] }> = {};
    for (const p of params)
      initial[p.path] = { shape: p.variable.shape, values: Array.from(p.variable.dataSync()) };
    const grads = lrs.map((_, k) =>
      Object.fromEntries(params.map((p, j) => [p.path, gradientValues(p.variable.size, 10 * j + k)])),
    );

    const ours: Array<Record<string, Float32Array>> = [];
    lrs.forEach((lr, k) => {
      const named: tf.NamedTensorMap = {};
      for (const p of params) named[p.variable.name] = tf.tensor(grads[k][p.path], p.variable.shape);
      sgd.step(named, lr);
      tf.dispose(named);
      ours.push(Object.fromEntries(params.map((p) => [p.path, p.variable.dataSync() as Float32Array])));
    });
    sgd.dispose();

    const torch = torchSgd({
      params: initial,
      grads,
      lrs,
      momentum: config.train.momentum,
      weightDecay: config.train.weightDecay,
    });
    // Every group is there: linear and tdBN weights, GLIF primitives, GLIF gates.
    expect(torch.sizes.decay).toBeGreaterThanOrEqual(4);
    expect(torch.sizes.glif).toBe(2 * 5);
    expect(torch.sizes.gates).toBe(2 * 3);

    for (let k = 0; k < lrs.length; k++) {
      for (const p of params) {
        const expected = torch.after[k][p.path];
        const got = ours[k][p.path];
        expect(got.length, p.path).toBe(expected.length);
        for (let i = 0; i < got.length; i++) {
          const tol = 2e-7 + 2e-6 * Math.abs(expected[i]);
          const where = `${p.path}[${i}] after step ${k + 1}: ours ${got[i]}, torch ${expected[i]}`;
          expect(Math.abs(got[i] - expected[i]), where).toBeLessThanOrEqual(tol);
        }
        // The update is far larger than the tolerance, so the comparison means something.
        const moved = Math.max(...got.map((v, i) => Math.abs(v - initial[p.path].values[i])));
        expect(moved, `${p.path} moved`).toBeGreaterThan(1e-4);
      }
    }
  });
});
