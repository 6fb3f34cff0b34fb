/**
 * The torch engine reads the workbench's datasets as the workbench does: the first training batch
 * of a shuffled pass, made by `python -m glif_torch.batch_probe` (engine-torch), has the same
 * samples, labels and pixel values, to the bit, as the TF.js data layer's for the same seed:
 * Fashion-MNIST (IDX), CIFAR-10 from its folder with the reference's crop-and-flip augmentation,
 * CIFAR-100 from its .tar.gz, the synthetic set, CIFAR10-DVS's frames, and an image folder's crops. Where no Python with PyTorch is found these are skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareCifar10DvsFrames } from '../../src-main/engine/data/cifar10dvs';
import { prepareImageFolderCaches } from '../../src-main/engine/data/image-folder/image-folder';
import { openDataset, type DatasetSpec } from '../../src-main/engine/data/registry';
import { Rng } from '../../src-main/engine/random';
import { findTorch, torchEngineDir, torchEnv } from '../../src-main/engine/torch/python';
import { writeDvsDataset } from '../helpers/data-files';
import { fakeCifar10, fakeCifar100Archive } from '../helpers/fake-cifar';
import { writeImageFolder } from '../helpers/image-folder';

const probe = await findTorch();
const FMNIST = '/usr/share/datasets/fashion-mnist';
const WHERE = probe.ok
  ? `(torch ${probe.runtime.torch})`
  : `(needs a Python with PyTorch; not run here: ${probe.reason})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-torch-data-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Probed {
  indices: number[];
  labels: number[];
  shape: number[];
  pixels: number[];
  classes: number;
}

function probeOnTorch(job: object): Probed {
  const r = spawnSync(probe.ok ? probe.runtime.python : 'python3', ['-m', 'glif_torch.batch_probe'], {
    cwd: torchEngineDir(),
    env: torchEnv(),
    input: JSON.stringify(job) + '\n',
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 100_000,
  });
  if (r.status !== 0) throw new Error(`glif_torch.batch_probe: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probed;
}

async function firstBatchHere(
  spec: DatasetSpec,
  o: { seed: number; batchSize: number; limit: number; augment: boolean },
) {
  const data = await openDataset(spec);
  try {
    const batches = data.batches('train', {
      batchSize: o.batchSize,
      shuffle: true,
      augment: o.augment,
      rng: new Rng(o.seed),
      limit: o.limit,
    });
    for await (const first of batches) return { first, classes: data.info.numClasses };
    throw new Error('no batch');
  } finally {
    await data.close();
  }
}

const cases = [
  {
    what: 'Fashion-MNIST (IDX), 300 samples',
    ready: fs.existsSync(FMNIST),
    dataset: 'fashion-mnist',
    source: () => FMNIST,
    spec: (p: string): DatasetSpec => ({ kind: 'fashion-mnist', dir: p }),
    augment: false,
  },
  {
    what: 'CIFAR-10 from its folder, crop and flip, across batch files',
    ready: true,
    dataset: 'cifar10',
    source: () => path.dirname(fakeCifar10(path.join(dir, 'c10'), 40)),
    spec: (p: string): DatasetSpec => ({ kind: 'cifar10', path: p }),
    augment: true,
  },
  {
    what: 'CIFAR-100 from its .tar.gz, crop and flip',
    ready: true,
    dataset: 'cifar100',
    source: () => fakeCifar100Archive(path.join(dir, 'c100'), 60),
    spec: (p: string): DatasetSpec => ({ kind: 'cifar100', path: p }),
    augment: true,
  },
  {
    what: 'the synthetic set (every sample from its own generator)',
    ready: true,
    dataset: 'synthetic',
    source: () => '',
    spec: (): DatasetSpec => ({
      kind: 'synthetic',
      seed: 7,
      height: 28,
      width: 28,
      channels: 1,
      trainSize: 2048,
      testSize: 512,
    }),
    augment: false,
  },
] as const;

describe(`the torch engine's batches are the workbench's ${WHERE}`, () => {
  for (const c of cases) {
    it.runIf(probe.ok && c.ready)(`${c.what}: same samples, labels and pixels`, async () => {
      fs.mkdirSync(path.join(dir, 'c10'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'c100'), { recursive: true });
      const source = c.source();
      const o = {
        seed: 7,
        batchSize: 16,
        limit: c.dataset === 'fashion-mnist' || c.dataset === 'synthetic' ? 300 : 150,
        augment: c.augment,
      };
      const { first, classes } = await firstBatchHere(c.spec(source), o);
      const torch = probeOnTorch({ dataset: c.dataset, dir: source, ...o });
      expect(torch.classes).toBe(classes);
      expect(torch.indices).toEqual(Array.from(first.indices ?? []));
      expect(torch.labels).toEqual(Array.from(first.y));
      const [n, h, w, ch] = first.shape;
      expect(torch.shape).toEqual([n, ch, h, w]);
      const pixels = Array.from(first.x);
      const differing = torch.pixels.filter((v, i) => v !== pixels[i]).length;
      expect(differing, `of ${pixels.length} pixel values`).toBe(0);
      if (c.augment) {
        // The augmentation ran: a flipped or shifted image differs from the plain one.
        const plain = await firstBatchHere(c.spec(source), { ...o, augment: false });
        expect(Array.from(plain.first.x)).not.toEqual(pixels);
      }
    });
  }

  it.runIf(probe.ok)(
    "CIFAR10-DVS from the workbench's frame cache, crop without flip: same frames",
    async () => {
      const root = path.join(dir, 'dvs');
      writeDvsDataset(root, { perClass: 3, eventsPerFile: 400 });
      const o = { seed: 5, batchSize: 6, limit: 20, augment: true };
      const frames = await prepareCifar10DvsFrames({ path: root, timeSteps: 4 });
      const { first } = await firstBatchHere({ kind: 'cifar10-dvs', path: root, timeSteps: 4 }, o);
      const torch = probeOnTorch({ dataset: 'cifar10-dvs', dir: root, frames, ...o });
      expect(torch.indices).toEqual(Array.from(first.indices ?? []));
      expect(torch.labels).toEqual(Array.from(first.y));
      const [n, T, h, w, ch] = first.shape;
      expect(torch.shape).toEqual([n, T, ch, h, w]);
      const values = Array.from(first.x);
      expect(values.some((v) => v > 0)).toBe(true);
      expect(torch.pixels.filter((v, i) => v !== values[i]).length, `of ${values.length} values`).toBe(0);
    },
  );

  it.runIf(probe.ok)(
    "an image folder from the workbench's decoded cache, random resized crops and flips: same values",
    async () => {
      const root = path.join(dir, 'images');
      await writeImageFolder(root, { classes: ['b', 'a', 'c'], perClass: 8, layout: 'split' });
      const o = { seed: 11, batchSize: 12, limit: 24, augment: true };
      const images = await prepareImageFolderCaches({ path: root, imageSize: 20 });
      const { first, classes } = await firstBatchHere({ kind: 'image-folder', path: root, imageSize: 20 }, o);
      const torch = probeOnTorch({ dataset: 'image-folder', dir: root, images, ...o });
      expect(torch.classes).toBe(classes);
      expect(torch.indices).toEqual(Array.from(first.indices ?? []));
      expect(torch.labels).toEqual(Array.from(first.y));
      expect(torch.shape).toEqual([12, 3, 20, 20]);
      const values = Array.from(first.x);
      expect(torch.pixels.filter((v, i) => v !== values[i]).length, `of ${values.length} values`).toBe(0);
      const plain = await firstBatchHere(
        { kind: 'image-folder', path: root, imageSize: 20 },
        { ...o, augment: false },
      );
      expect(Array.from(plain.first.x)).not.toEqual(values);
    },
  );

  it.runIf(probe.ok)('a truncated CIFAR batch file is refused with its name', () => {
    const bad = path.join(dir, 'bad', 'cifar-10-batches-bin');
    fakeCifar10(path.join(dir, 'bad'), 4);
    fs.truncateSync(path.join(bad, 'data_batch_3.bin'), 3000);
    const r = spawnSync(probe.ok ? probe.runtime.python : 'python3', ['-m', 'glif_torch.batch_probe'], {
      cwd: torchEngineDir(),
      env: torchEnv(),
      input:
        JSON.stringify({ dataset: 'cifar10', dir: bad, limit: null, seed: 1, batchSize: 4, augment: false }) +
        '\n',
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/data_batch_3\.bin: truncated file/);
  });
});
