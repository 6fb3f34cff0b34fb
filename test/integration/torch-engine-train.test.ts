/**
 * Training on the torch engine as a user runs it: `glif train --engine torch`, on one and on two
 * processes (gloo on CPU), on the real Fashion-MNIST, recorded in the same store as the tfjs
 * engine's runs; a rank killed with SIGKILL stops every process and the run resumes from its
 * checkpoint. Where no Python with PyTorch is found (scripts/setup.sh installs python3-torch),
 * these are reported as skipped with the reason in their name.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { findTorch, torchEnv } from '../../src-main/engine/torch/python';
import { glifAsync } from '../helpers/cli';
import { writeDvsDataset } from '../helpers/data-files';
import { fakeCifar10 } from '../helpers/fake-cifar';
import { writeImageFolder } from '../helpers/image-folder';
import { glifBin } from '../helpers/paths';

const probe = await findTorch();
const fmnist = fs.existsSync('/usr/share/datasets/fashion-mnist');
const ready = probe.ok && fmnist;
const WHERE = !probe.ok
  ? `(needs a Python with PyTorch; not run here: ${probe.reason})`
  : !fmnist
    ? '(needs dataset-fashion-mnist; not run here)'
    : `(torch ${probe.runtime.torch}, gloo on CPU)`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-torch-train-'));
const db = path.join(dir, 'runs.sqlite');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SMALL = ['--set', 'data.trainLimit=2048', '--set', 'data.testLimit=1024'];

function summary(out: string): Record<string, unknown> {
  return JSON.parse(out.slice(out.lastIndexOf('\n{') + 1)) as Record<string, unknown>;
}

/** The training ranks of the torch engine still alive (this file is the only one that starts them). */
function torchRanks(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'glif_torch.train'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function rankOf(pid: number): string | undefined {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.find((e) => e.startsWith('RANK='))?.slice(5);
  } catch {
    return undefined;
  }
}

describe(`glif train --engine torch ${WHERE}`, () => {
  it.runIf(ready)(
    'trains the same fmnist-cnn as tfjs on 1 and 2 processes: same parameters, accuracies within 2 points',
    async () => {
      const tfjs = await glifAsync(['train', '--preset', 'fmnist-cnn', ...SMALL, '--db', db, '--json']);
      expect(tfjs.status, tfjs.out).toBe(0);
      const one = await glifAsync([
        'train',
        '--preset',
        'fmnist-cnn',
        '--engine',
        'torch',
        ...SMALL,
        '--db',
        db,
        '--json',
      ]);
      expect(one.status, one.out).toBe(0);
      // The batch size is per process: two processes of 32 train on the same 64 samples a step.
      const two = await glifAsync([
        'train',
        '--preset',
        'fmnist-cnn',
        '--engine',
        'torch',
        '--set',
        'engine.processes=2',
        '--set',
        'train.batchSize=32',
        ...SMALL,
        '--db',
        db,
        '--json',
      ]);
      expect(two.status, two.out).toBe(0);
      for (const r of [tfjs, one, two])
        expect(r.out).toMatch(/training 51,338 parameters \(1,056 GLIF in 2 layers\)/);
      expect(one.out).toContain('on the torch engine (1 process)');
      expect(two.out).toContain('on the torch engine (2 processes)');
      const [a, b, c] = [tfjs, one, two].map((r) => summary(r.out));
      expect(b.backend).toBe(`pytorch ${probe.ok ? probe.runtime.torch : ''} · 1 process · cpu`);
      expect(c.backend).toMatch(/^pytorch .* · ddp · 2 processes · gloo · cpu$/);
      const acc = [a, b, c].map((s) => (s.final as { testAccuracy: number }).testAccuracy);
      expect(acc[0]).toBeGreaterThan(0.6); // it learned (chance is 0.1)
      expect(Math.abs(acc[1] - acc[0])).toBeLessThan(0.02);
      expect(Math.abs(acc[2] - acc[0])).toBeLessThan(0.02);

      // Recorded as the tfjs engine's runs are: per-step losses, epoch metrics, distributions, checkpoint.
      const store = new Database(db, { readonly: true });
      try {
        for (const s of [b, c]) {
          const id = s.runId as string;
          const count = (sql: string) => (store.prepare(sql).get(id) as { n: number }).n;
          expect(count("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND name = 'train/loss'")).toBe(
            32,
          );
          expect(
            count("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND name LIKE 'firing_rate/%'"),
          ).toBe(2);
          expect(count('SELECT count(*) AS n FROM distributions WHERE run_id = ?')).toBeGreaterThanOrEqual(
            16,
          );
          expect(count('SELECT count(*) AS n FROM checkpoints WHERE run_id = ?')).toBe(1);
        }
      } finally {
        store.close();
      }
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );

  it.runIf(ready)(
    'a rank killed with SIGKILL stops every process, the run is interrupted and resumes from its last checkpoint',
    async () => {
      const args = [
        glifBin,
        'train',
        '--preset',
        'fmnist-cnn',
        '--engine',
        'torch',
        '--set',
        'engine.processes=2',
        '--set',
        'train.epochs=2',
        '--set',
        'data.trainLimit=1024',
        '--set',
        'data.testLimit=256',
        '--db',
        db,
      ];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Into the second epoch: the first one's checkpoint is written.
      const deadline = Date.now() + 100_000;
      while (!/epoch 2\/2 step [2-9]/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(out).toMatch(/epoch 1\/2 done/);
      const victim = torchRanks().find((pid) => rankOf(pid) === '1');
      expect(victim, out).toBeDefined();
      process.kill(victim!, 'SIGKILL');
      const status = await exited;
      expect(status, out).toBe(1);
      expect(out).toMatch(/training process was killed \(SIGKILL\)/);
      expect(torchRanks()).toEqual([]);
      const runId = /run (r[0-9a-z]+) \(database/.exec(out)![1];
      const stored = new Database(db, { readonly: true });
      try {
        const run = stored.prepare('SELECT status FROM runs WHERE id = ?').get(runId);
        expect(run).toEqual({ status: 'interrupted' });
      } finally {
        stored.close();
      }

      const resumed = await glifAsync(['train', '--resume', runId, '--db', db, '--json']);
      expect(resumed.status, resumed.out).toBe(0);
      expect(resumed.out).toContain('resuming at epoch 2');
      const s = summary(resumed.out);
      expect(s).toMatchObject({ status: 'completed', epochs: 2 });
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );

  it.runIf(ready)(
    'Ctrl-C cancels after the current step on every process',
    async () => {
      const child = spawn(
        process.execPath,
        [
          glifBin,
          'train',
          '--preset',
          'fmnist-cnn',
          '--engine',
          'torch',
          '--set',
          'engine.processes=2',
          ...SMALL,
          '--db',
          db,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const deadline = Date.now() + 60_000;
      while (!/step [3-9]\/16/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGINT');
      expect(await exited, out).toBe(130);
      expect(out).toMatch(/run r[0-9a-z]+ cancelled/);
      expect(torchRanks()).toEqual([]);
    },
    120_000,
  );

  it.runIf(ready)(
    'a run trained outside the workbench (2 ranks, torchrun environment) is followed live by glif runs import',
    async () => {
      const cluster = path.join(dir, 'cluster');
      fs.mkdirSync(cluster);
      const events = path.join(cluster, 'events.jsonl');
      const config = buildConfig({
        preset: 'fmnist-cnn',
        overrides: ['engine.name=torch', 'train.epochs=2', 'data.trainLimit=512', 'data.testLimit=256'],
      });
      const jobFile = path.join(cluster, 'job.json');
      fs.writeFileSync(
        jobFile,
        JSON.stringify({
          config,
          checkpointDir: path.join(cluster, 'ckpt'),
          dataDir: '/usr/share/datasets/fashion-mnist',
        }),
      );
      const importDb = path.join(cluster, 'runs.sqlite');
      // Started before the run: it waits for the file to appear, then reads it as it grows.
      const following = glifAsync(['runs', 'import', events, '--follow', '--db', importDb, '--json']);
      await new Promise((r) => setTimeout(r, 1500));
      const ranks = [0, 1].map((rank) =>
        spawn(probe.ok ? probe.runtime.python : 'python3', ['-m', 'glif_torch.train'], {
          env: {
            ...torchEnv(),
            GLIF_JOB: jobFile,
            GLIF_EVENTS_FILE: events,
            RANK: String(rank),
            WORLD_SIZE: '2',
            LOCAL_RANK: String(rank),
            MASTER_ADDR: '127.0.0.1',
            MASTER_PORT: String(29_500 + (process.pid % 1000)),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
      const codes = await Promise.all(ranks.map((r) => new Promise((res) => r.on('exit', res))));
      expect(codes).toEqual([0, 0]);
      const imported = await following;
      expect(imported.status, imported.out).toBe(0);
      expect(imported.out).toMatch(/waiting for .*events\.jsonl/);
      const s = summary(imported.out);
      expect(s).toMatchObject({
        status: 'completed',
        backend: expect.stringMatching(/ddp · 2 processes · gloo/),
      });
      const stored = new Database(importDb, { readonly: true });
      try {
        const one = (sql: string) => stored.prepare(sql).get() as Record<string, unknown>;
        expect(one('SELECT count(*) AS n FROM runs')).toEqual({ n: 1 });
        expect(one("SELECT count(DISTINCT step) AS n FROM metrics WHERE name = 'train/loss'")).toEqual({
          n: 8,
        });
        expect(one("SELECT count(*) AS n FROM metrics WHERE name = 'epoch/test_accuracy'")).toEqual({ n: 2 });
        expect((one('SELECT count(*) AS n FROM distributions') as { n: number }).n).toBeGreaterThan(0);
        expect(one('SELECT count(*) AS n FROM checkpoints')).toEqual({ n: 2 });
      } finally {
        stored.close();
      }

      // Read once, a file cut before the outcome is a failed import that says why.
      const cut = path.join(cluster, 'cut.jsonl');
      const lines = fs.readFileSync(events, 'utf8').split('\n');
      fs.writeFileSync(cut, lines.slice(0, 8).join('\n') + '\n');
      const partial = await glifAsync(['runs', 'import', cut, '--db', importDb]);
      expect(partial.status, partial.out).toBe(1);
      expect(partial.out).toMatch(/ends before the run's outcome/);

      // Not an events file: the user's to fix, exit 2, nothing recorded.
      const notEvents = await glifAsync(['runs', 'import', jobFile, '--db', importDb]);
      expect(notEvents.status, notEvents.out).toBe(2);
      expect(notEvents.out).toMatch(/not a torch engine events file/);
      const after = new Database(importDb, { readonly: true });
      try {
        expect(after.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 2 });
      } finally {
        after.close();
      }
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );

  it.runIf(probe.ok)(
    'trains a paper architecture on CIFAR-10 with its augmentation (ResNet-18, T=2, a few samples)',
    async () => {
      fakeCifar10(path.join(dir, 'cifar'), 40);
      const r = await glifAsync([
        'train',
        '--preset',
        'cifar10-resnet18-t4',
        '--engine',
        'torch',
        '--set',
        `data.path=${path.join(dir, 'cifar')}`,
        '--set',
        'data.trainLimit=32',
        '--set',
        'data.testLimit=16',
        '--set',
        'train.batchSize=16',
        '--set',
        'train.epochs=1',
        '--set',
        'model.timeSteps=2',
        '--db',
        db,
        '--json',
      ]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(
        /training 11,339,648 parameters \(35,136 GLIF in 17 layers\) on the torch engine/,
      );
      expect(summary(r.out)).toMatchObject({
        status: 'completed',
        backend: expect.stringMatching(/^pytorch /),
      });
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );

  it.runIf(probe.ok)(
    "runs the paper's ImageNet preset on an image folder (MS-ResNet-18, plain BN, 2 processes, 32 px)",
    async () => {
      const root = path.join(dir, 'imagenet');
      await writeImageFolder(root, { classes: ['n01', 'n02', 'n03'], perClass: 6, layout: 'split' });
      const r = await glifAsync([
        'train',
        '--preset',
        'imagenet-ms-resnet18-t4',
        '--set',
        `data.path=${root}`,
        '--set',
        'data.imageSize=32',
        '--set',
        'engine.processes=2',
        '--set',
        'train.batchSize=3',
        '--set',
        'train.epochs=1',
        '--db',
        db,
        '--json',
      ]);
      expect(r.status, r.out).toBe(0);
      // The caches are made once, before the ranks start; the ranks train on them.
      expect(r.out).toMatch(/preparing data: train split ready, \d+ converted into the cache/);
      expect(r.out).toMatch(/ddp · 2 processes · gloo/);
      const run = summary(r.out);
      expect(run).toMatchObject({ status: 'completed', backend: expect.stringMatching(/^pytorch /) });
      const d = new Database(db, { readonly: true });
      try {
        const row = d
          .prepare('SELECT config_json, energy_macs FROM runs WHERE id = ?')
          .get(String(run.runId)) as {
          config_json: string;
          energy_macs: number;
        };
        const config = JSON.parse(row.config_json) as {
          model: { norm: string; arch: string };
          neuron: { init: string };
          train: { gateLrScale: number };
        };
        expect(config.model).toMatchObject({ arch: 'ms-resnet18', norm: 'plain' });
        expect(config.neuron.init).toBe('imagenet-t4');
        expect(config.train.gateLrScale).toBe(1);
        // The stem takes the image and the later shortcuts and the head real values: MACs counted.
        expect(row.energy_macs).toBeGreaterThan(0);
      } finally {
        d.close();
      }
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );

  it.runIf(probe.ok)(
    'trains 7B-wideNet on CIFAR10-DVS frames the workbench converts (2 processes, T=4)',
    async () => {
      const root = path.join(dir, 'dvs');
      writeDvsDataset(root, { perClass: 11, eventsPerFile: 300 });
      const r = await glifAsync([
        'train',
        '--preset',
        'cifar10dvs-7b',
        '--engine',
        'torch',
        '--set',
        'engine.processes=2',
        '--set',
        `data.path=${root}`,
        '--set',
        'data.trainLimit=16',
        '--set',
        'model.timeSteps=4',
        '--set',
        'train.batchSize=8',
        '--set',
        'train.epochs=1',
        '--db',
        db,
        '--json',
      ]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/preparing data: train split ready, 100 converted into the cache/);
      expect(r.out).toMatch(/16 train \/ 10 test samples, 1 steps per epoch/);
      const s = summary(r.out) as { status: string; backend: string; final: { testAccuracy: number } };
      expect(s).toMatchObject({
        status: 'completed',
        backend: expect.stringMatching(/ddp · 2 processes · gloo/),
      });
      expect(s.final.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(torchRanks()).toEqual([]);
    },
    300_000,
  );
});
