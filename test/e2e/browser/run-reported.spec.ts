import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainCliRun } from '../cli-runs';
import { expect, openApp, test } from '../fixtures';

/**
 * A run started from a paper preset shows, beside its own test accuracy, what the authors report
 * for that row; a run from any other preset shows nothing of the kind. The paper run trains
 * ResNet-18 at T=2 for one step on a tiny CIFAR-10 written here in the distribution's format.
 */

/** cifar-10-batches-bin with `perFile` random records in each of the six files. */
function writeTinyCifar10(dir: string, perFile: number): void {
  fs.mkdirSync(dir, { recursive: true });
  let seed = 1;
  const records = () => {
    const b = Buffer.alloc(perFile * 3073);
    for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let r = 0; r < perFile; r++) b[r * 3073] %= 10;
    return b;
  };
  for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(dir, `data_batch_${i}.bin`), records());
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), records());
  const classes = 'airplane automobile bird cat deer dog frog horse ship truck'.split(' ');
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), `${classes.join('\n')}\n\n`);
}

test("a paper preset's run shows the authors' reported accuracy beside its own", async ({ page, host }) => {
  test.setTimeout(180_000);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-e2e-cifar-'));
  try {
    writeTinyCifar10(path.join(data, 'cifar-10-batches-bin'), 2);
    const paperRun = trainCliRun(host.dbPath, {
      name: 'paper row',
      preset: 'cifar10-resnet18-t2',
      sets: [
        `data.path=${path.join(data, 'cifar-10-batches-bin')}`,
        'data.trainLimit=2',
        'data.testLimit=2',
        'train.batchSize=2',
      ],
    });
    const otherRun = trainCliRun(host.dbPath, { name: 'synthetic' });

    await openApp(page, host, `#/runs/${paperRun}`);
    const reported = page.getByTestId('run-reported');
    await expect(reported).toHaveText('authors report 94.19 %');
    await expect(reported).toHaveAttribute('title', /preset cifar10-resnet18-t2/);

    await openApp(page, host, `#/runs/${otherRun}`);
    await expect(page.getByTestId('run-best')).toBeVisible();
    await expect(page.getByTestId('run-reported')).toHaveCount(0);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});
