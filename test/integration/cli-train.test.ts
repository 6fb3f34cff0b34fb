import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { glif, glifSpawn } from '../helpers/cli';
import { writeImageFolder } from '../helpers/image-folder';
import { descendantPids, processGone, waitUntilGone } from '../helpers/processes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function countRuns(db: string): number {
  if (!fs.existsSync(db)) return 0;
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

/** `glif train --preset fmnist-cnn --db <db> [extra flags] --set k=v ...` */
function fmnistTrainArgs(db: string, sets: readonly string[], flags: readonly string[] = []): string[] {
  return ['train', '--preset', 'fmnist-cnn', '--db', db, ...flags, ...sets.flatMap((kv) => ['--set', kv])];
}

describe('glif train: bad input is refused before anything is written', () => {
  const db = path.join(tmp, 'bad.sqlite');
  // A file that exists but is no dataset, and a folder without the IDX files.
  const notAnArchive = path.join(tmp, 'cifar-10-binary.tar.gz');
  fs.writeFileSync(notAnArchive, 'not an archive\n'.repeat(40));
  const emptyFolder = fs.mkdtempSync(path.join(tmp, 'no-idx-'));
  const cases: Array<[string, string[], RegExp]> = [
    [
      'unknown preset',
      ['--preset', 'cifar11-resnet'],
      /preset: unknown preset 'cifar11-resnet'; one of fmnist-cnn/,
    ],
    [
      'unknown key',
      ['--preset', 'fmnist-cnn', '--set', 'train.learningRate=0.1'],
      /train\.learningRate: unknown config key/,
    ],
    [
      'T=0',
      ['--preset', 'fmnist-cnn', '--set', 'model.timeSteps=0'],
      /model\.timeSteps: 0 is not allowed; expected an integer from 1 to 64/,
    ],
    [
      'negative lr',
      ['--preset', 'fmnist-cnn', '--set', 'train.lr=-0.1'],
      /train\.lr: -0\.1 is not allowed; expected a number > 0 and <= 10/,
    ],
    [
      'out of range',
      ['--preset', 'fmnist-cnn', '--set', 'train.momentum=1.5'],
      /train\.momentum: 1\.5 is not allowed; expected a number >= 0 and <= 1/,
    ],
    [
      'bad enum',
      ['--preset', 'fmnist-cnn', '--set', 'neuron.variant=simplex-2'],
      /neuron\.variant: 'simplex-2' is not allowed; expected one of glif, glif-static/,
    ],
    [
      'not a number',
      ['--preset', 'fmnist-cnn', '--set', 'train.epochs=two'],
      /train\.epochs: 'two' is not allowed; expected an integer/,
    ],
    ['missing dataset path', ['--preset', 'cifar10-resnet19-t4'], /data\.path: required for dataset cifar10/],
    [
      'dataset path does not exist',
      ['--preset', 'cifar10-resnet19-t4', '--set', 'data.path=/nonexistent/cifar'],
      /data\.path: \/nonexistent\/cifar does not exist/,
    ],
    [
      'dataset path is a file but no archive',
      ['--preset', 'cifar10-resnet19-t4', '--set', `data.path=${notAnArchive}`],
      /data\.path: \S+cifar-10-binary\.tar\.gz is not a \.tar\.gz or \.tar archive/,
    ],
    [
      'dataset folder without the IDX files',
      ['--preset', 'fmnist-cnn', '--set', `data.path=${emptyFolder}`],
      /data\.path: \S+no-idx-\S+ has no train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/,
    ],
    [
      'bad thread count',
      ['--preset', 'fmnist-cnn', '--threads', 'many'],
      /--threads: 'many' is not a thread count; expected 0 \(all cores\) to 32/,
    ],
    [
      'arch/dataset mismatch',
      ['--preset', 'fmnist-cnn', '--set', 'model.arch=wide7b'],
      /model\.arch: wide7b cannot take dataset fashion-mnist/,
    ],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = glif(['train', ...args, '--db', db]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(countRuns(db)).toBe(0);
  });
});

describe('glif train on the real Fashion-MNIST', () => {
  const db = path.join(tmp, 'fmnist.sqlite');
  let summary: {
    runId: string;
    status: string;
    backend: string;
    seconds: number;
    final: Record<string, number>;
  };

  it('trains a small fmnist-cnn run and prints the JSON summary', () => {
    const r = glif(
      fmnistTrainArgs(
        db,
        ['train.epochs=2', 'train.batchSize=32', 'data.trainLimit=384', 'data.testLimit=256'],
        ['--json', '--threads', '2'],
      ),
    );
    expect(r.status, r.stderr).toBe(0);
    summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(summary.seconds).toBeGreaterThan(0);
    for (const k of ['testAccuracy', 'testLoss', 'trainAccuracy', 'trainLoss'])
      expect(Number.isFinite(summary.final[k]), k).toBe(true);
    // 384 samples for 2 epochs: far above the 10% of chance on real data.
    expect(summary.final.testAccuracy).toBeGreaterThan(0.4);
    expect(r.stderr).toMatch(/epoch 2\/2 done/);
  });

  it('stores metrics, distributions and checkpoints, with a flat tensor count across epochs', () => {
    const d = new Database(db, { readonly: true });
    try {
      const run = d.prepare('SELECT * FROM runs WHERE id = ?').get(summary.runId) as Record<string, unknown>;
      expect(run.status).toBe('completed');
      expect(run.final_test_accuracy).toBeCloseTo(summary.final.testAccuracy, 10);
      expect(run.energy_sops as number).toBeGreaterThan(0);
      // The first conv gets the image at each of T=4 steps: 28 x 28 x 32 outputs of 9 MACs each.
      expect(run.energy_macs).toBe(4 * 28 * 28 * 32 * 9);
      expect(run.energy_uj as number).toBeCloseTo(
        ((run.energy_sops as number) * 0.9 + (run.energy_macs as number) * 4.6) * 1e-6,
        12,
      );
      const tensors = d
        .prepare("SELECT value FROM metrics WHERE run_id = ? AND name = 'epoch/num_tensors' ORDER BY epoch")
        .all(summary.runId) as Array<{ value: number }>;
      expect(tensors).toHaveLength(2);
      expect(tensors[1].value).toBe(tensors[0].value);
      const steps = d
        .prepare("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND name = 'train/loss'")
        .get(summary.runId) as { n: number };
      expect(steps.n).toBe(24);
      const quantities = d
        .prepare('SELECT DISTINCT quantity FROM distributions WHERE run_id = ? ORDER BY quantity')
        .all(summary.runId) as Array<{ quantity: string }>;
      expect(quantities.map((q) => q.quantity)).toEqual([
        'alpha',
        'beta',
        'g_t',
        'gamma',
        'tau_exp',
        'tau_lin',
        'v_re',
        'v_th',
      ]);
      const rates = d
        .prepare(
          "SELECT name, value FROM metrics WHERE run_id = ? AND name LIKE 'firing_rate/%' AND epoch = 1",
        )
        .all(summary.runId) as Array<{ value: number }>;
      expect(rates).toHaveLength(2);
      for (const r of rates) expect(r.value).toBeGreaterThan(0);
      const ckpts = d
        .prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch')
        .all(summary.runId) as Array<{ path: string; bytes: number }>;
      expect(ckpts).toHaveLength(2);
      for (const c of ckpts) expect(fs.statSync(c.path).size).toBe(c.bytes);
    } finally {
      d.close();
    }
  });

  it('lists, shows, compares and exports runs', () => {
    const second = glif(
      fmnistTrainArgs(
        db,
        ['train.epochs=1', 'data.trainLimit=64', 'data.testLimit=64', 'neuron.variant=simplex-011'],
        ['--json', '--threads', '1'],
      ),
      // The override the training worker reads once: it must reach the model and the record.
      { env: { GLIF_NEURON_IMPL: 'ops' } },
    );
    expect(second.status, second.stderr).toBe(0);
    const other = JSON.parse(second.stdout).runId as string;
    const list = glif(['runs', 'list', '--db', db]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${summary.runId} .*completed .*fmnist-cnn .*GLIF`));
    expect(list.stdout).toMatch(/Lin · Flex · Hard/);
    const listJson = JSON.parse(glif(['runs', 'list', '--db', db, '--json']).stdout) as Array<{
      id: string;
      threads: number;
      neuronImpl: string;
    }>;
    expect(listJson).toHaveLength(2);
    // The thread count each run trained on is kept with it: 2 data-parallel replicas, then 1.
    expect(Object.fromEntries(listJson.map((r) => [r.id, r.threads]))).toEqual({
      [summary.runId]: 2,
      [other]: 1,
    });
    // So is the GLIF implementation: auto's choice on this backend, then the env var's.
    const auto = ['wasm', 'cpu'].includes(summary.backend) ? 'fused' : 'ops';
    expect(Object.fromEntries(listJson.map((r) => [r.id, r.neuronImpl]))).toEqual({
      [summary.runId]: auto,
      [other]: 'ops',
    });
    expect(glif(['runs', 'show', summary.runId, '--db', db]).stdout).toMatch(
      new RegExp(`threads: 2   neuron: ${auto}`),
    );
    const show = glif(['runs', 'show', summary.runId, '--db', db]);
    expect(show.stdout).toMatch(/checkpoints:[\s\S]*epoch 2/);
    const cmp = glif(['runs', 'compare', summary.runId, other, '--db', db, '--json']);
    const diffKeys = (JSON.parse(cmp.stdout).configDiff as Array<{ path: string }>).map((d) => d.path).sort();
    expect(diffKeys).toEqual([
      'data.testLimit',
      'data.trainLimit',
      'neuron.variant',
      'train.batchSize',
      'train.epochs',
    ]);
    const cmpText = glif(['runs', 'compare', summary.runId, other, '--db', db]).stdout;
    expect(cmpText).toMatch(/neuron\.variant\s+glif\s+simplex-011/);
    expect(cmpText).not.toMatch(/model\.arch/);
    const csv = glif(['runs', 'export', summary.runId, '--format', 'csv', '--db', db])
      .stdout.trim()
      .split('\n');
    expect(csv[0]).toBe('run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value');
    const accuracy = csv.filter((l) => l.includes(',metric,epoch/test_accuracy,'));
    expect(accuracy).toHaveLength(2);
    // Every point the trainer records carries its wall time: an ISO time and seconds since the start.
    for (const line of accuracy) expect(line).toMatch(/,\d{4}-\d\d-\d\dT[\d:.]+Z,\d+(\.\d+)?,/);
    expect(csv.some((l) => l.includes('epoch/num_tensors'))).toBe(false);
    expect(csv.some((l) => l.includes(',distribution,alpha,'))).toBe(true);
    const json = JSON.parse(glif(['runs', 'export', summary.runId, '--format', 'json', '--db', db]).stdout);
    expect(json.run.id ?? json.id).toBe(summary.runId);
    expect(glif(['runs', 'show', 'r-nope', '--db', db]).status).toBe(2);
  });
});

describe('a run killed with SIGKILL mid-epoch', () => {
  const db = path.join(tmp, 'killed.sqlite');

  it('leaves a sound database, is marked interrupted, and --resume finishes it', async () => {
    const child = glifSpawn(
      fmnistTrainArgs(db, [
        'train.epochs=3',
        'train.batchSize=16',
        'data.trainLimit=256',
        'data.testLimit=64',
      ]),
    );
    let out = '';
    child.stdout!.on('data', (b) => (out += String(b)));
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.once('exit', (_code, signal) => r(signal)),
    );
    const pid = child.pid!;
    // The training worker glif started (a child process), to check it does not outlive glif.
    let worker: number[] = [];
    // Kill once the first epoch is done and the second has taken a few steps.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress: ${out}`)), 90_000);
      child.stdout!.on('data', () => {
        if (/epoch 1\/3 done[\s\S]*epoch 2\/3 step ([3-9]|1\d)\//.test(out)) {
          clearTimeout(timer);
          worker = descendantPids(pid);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    expect(worker.length, 'glif trains in a worker process of its own').toBeGreaterThan(0);
    // The killed process is gone: kill(pid, 0) says ESRCH (no such process).
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    // Its worker notices the lost parent and ends on its own; nothing is left behind.
    const leftBehind = await waitUntilGone(worker, 20_000);
    for (const p of leftBehind) process.kill(p, 'SIGKILL');
    expect(leftBehind, 'processes left running after glif was killed').toEqual([]);
    expect(worker.every(processGone)).toBe(true);
    const d = new Database(db);
    const runId = (d.prepare('SELECT id FROM runs').get() as { id: string }).id;
    expect((d.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe(
      'ok',
    );
    expect((d.prepare('SELECT status FROM runs').get() as { status: string }).status).toBe('running');
    d.close();

    const list = glif(['runs', 'list', '--db', db, '--json']);
    expect((JSON.parse(list.stdout) as Array<{ status: string }>)[0].status).toBe('interrupted');

    const resumed = glif(['train', '--resume', runId, '--db', db, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const s = JSON.parse(resumed.stdout);
    expect(s.runId).toBe(runId);
    expect(s.status).toBe('completed');
    expect(resumed.stderr).toMatch(/resuming at epoch 2/);
    const d2 = new Database(db, { readonly: true });
    const epochs = d2
      .prepare("SELECT epoch FROM metrics WHERE run_id = ? AND name = 'epoch/test_accuracy' ORDER BY epoch")
      .all(runId);
    expect(epochs).toEqual([{ epoch: 0 }, { epoch: 1 }, { epoch: 2 }]);
    const dupes = d2
      .prepare(
        "SELECT step, count(*) AS n FROM metrics WHERE run_id = ? AND name = 'train/loss' GROUP BY step HAVING n > 1",
      )
      .all(runId);
    expect(dupes).toEqual([]);
    const steps = d2
      .prepare("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND name = 'train/loss'")
      .get(runId) as { n: number };
    expect(steps.n).toBe(48);
    d2.close();
  });

  it('refuses to resume a completed run', () => {
    const d = new Database(db, { readonly: true });
    const runId = (d.prepare('SELECT id FROM runs').get() as { id: string }).id;
    d.close();
    const r = glif(['train', '--resume', runId, '--db', db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is completed; only a failed, cancelled or interrupted run can be resumed/);
  });
});

describe('Ctrl-C', () => {
  it('cancels cleanly and marks the run cancelled', async () => {
    const db = path.join(tmp, 'cancel.sqlite');
    const child = glifSpawn(
      fmnistTrainArgs(db, ['train.epochs=5', 'data.trainLimit=640', 'train.batchSize=16']),
    );
    let out = '';
    child.stdout!.on('data', (b) => {
      out += String(b);
      if (/epoch 1\/5 step \d+\/40/.test(out) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(out).toMatch(/cancelling after the current step/);
    expect(out).toMatch(/cancelled/);
    const list = JSON.parse(glif(['runs', 'list', '--db', db, '--json']).stdout) as Array<{ status: string }>;
    expect(list[0].status).toBe('cancelled');
  });
});

describe('glif train on an image folder (JPEG and PNG class folders)', () => {
  it('decodes, caches, crops and trains on them, and a second run reuses the cache', async () => {
    const root = path.join(tmp, 'pictures');
    await writeImageFolder(root, { classes: ['cats', 'dogs', 'owls'], perClass: 10, layout: 'flat' });
    const db = path.join(tmp, 'pictures.sqlite');
    const args = [
      'train',
      '--preset',
      'synthetic-mlp',
      '--set',
      'data.dataset=image-folder',
      '--set',
      `data.path=${root}`,
      '--set',
      'data.imageSize=16',
      '--set',
      'data.augment=true',
      '--set',
      'train.epochs=1',
      '--set',
      'train.batchSize=9',
      '--db',
      db,
      '--json',
    ];
    const first = glif(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/preparing data: train split, \d+ of 27 converted \(the cache is rebuilt: /);
    expect(first.stderr).toMatch(/preparing data: test split ready, 3 converted into the cache/);
    const summary = JSON.parse(first.stdout) as { status: string; final: { testAccuracy: number } };
    expect(summary.status).toBe('completed');
    expect(Number.isFinite(summary.final.testAccuracy)).toBe(true);
    // 27 training images (every 10th of a class held out): 3 steps of 9.
    expect(first.stderr).toMatch(/epoch 1\/1 done/);
    // Timed before the run existed; a short epoch of the user's own folder needs no yes.
    expect(first.stderr).toMatch(
      /An epoch of this run would take about .* here, 1 epoch about .*: 27 training samples in 3 steps of 9, at [0-9.]+ s per sample, measured on \w+ over steps of 2/,
    );
    expect(first.stderr.indexOf('An epoch of this run')).toBeLessThan(
      first.stderr.search(/^run \w+ \(database/m),
    );
    expect(first.stderr.search(/^run \w+ \(database/m)).toBeGreaterThan(0);
    expect(first.stderr).not.toMatch(/GPU|--yes/);
    const second = glif(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/preparing data: train split, 27 found in the cache/);
    expect(second.stderr).not.toMatch(/converted/);
  });

  it('keeps the cache under GLIF_CACHE_DIR, one folder per data folder, when set', async () => {
    const root = path.join(tmp, 'mounted', 'pictures');
    await writeImageFolder(root, { classes: ['a', 'b'], perClass: 10, layout: 'flat' });
    const caches = path.join(tmp, 'caches');
    const sets = [`data.path=${root}`, 'data.dataset=image-folder', 'data.imageSize=16', 'train.epochs=1'];
    const r = glif(
      [
        'train',
        '--preset',
        'synthetic-mlp',
        ...sets.flatMap((kv) => ['--set', kv]),
        '--db',
        path.join(tmp, 'cache-dir.sqlite'),
        '--json',
      ],
      { env: { GLIF_CACHE_DIR: caches } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, 'glif-image-cache'))).toBe(false);
    const [folder, ...others] = fs.readdirSync(caches);
    expect(others).toEqual([]);
    expect(folder).toMatch(/^pictures-[0-9a-f]{12}$/);
    const files = fs.readdirSync(path.join(caches, folder)).sort();
    expect(files).toEqual([
      expect.stringMatching(/^images-18px-test-[0-9a-f]{12}\.bin$/),
      expect.stringMatching(/^images-18px-train-[0-9a-f]{12}\.bin$/),
    ]);
  });

  it('times an ImageNet preset on the tfjs engine and starts it only after a yes', async () => {
    const root = path.join(tmp, 'imagenet');
    await writeImageFolder(root, { classes: ['n01', 'n02'], perClass: 4, layout: 'split' });
    const db = path.join(tmp, 'imagenet.sqlite');
    const args = [
      'train',
      '--preset',
      'imagenet-ms-resnet18-t4',
      '--engine',
      'tfjs',
      ...['data.path=' + root, 'data.imageSize=32', 'train.batchSize=2', 'train.epochs=1'].flatMap((kv) => [
        '--set',
        kv,
      ]),
      '--db',
      db,
      '--json',
    ];
    const refused = glif(args);
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(
      /the tfjs engine trains in one process: engine\.processes=1 \(the preset's 4 processes of 50/,
    );
    expect(refused.stderr).toMatch(
      /An epoch of this run would take about .*: 8 training samples in 4 steps of 2, at [0-9.]+ s per sample, measured on \w+/,
    );
    expect(refused.stderr).toMatch(/This preset is the paper's multi-GPU row/);
    expect(refused.stderr).toMatch(/not started: pass --yes to start it anyway \(the run was not created\)/);
    expect(refused.stdout).toBe('');
    expect(countRuns(db)).toBe(0);

    const started = glif([...args, '--yes']);
    expect(started.status, started.stderr).toBe(0);
    expect(started.stderr).toMatch(/An epoch of this run would take about/);
    expect((JSON.parse(started.stdout) as { status: string }).status).toBe('completed');
    expect(countRuns(db)).toBe(1);
  });
});
