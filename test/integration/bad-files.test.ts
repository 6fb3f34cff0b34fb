/**
 * Bad files suite: corrupt and truncated dataset files (IDX, CIFAR binary, tar archives,
 * AEDAT event files), damaged checkpoints and checkpoints of another architecture, malformed
 * parity fixtures and configs of the wrong type, each given to the real `glif` CLI. Each must
 * end in one clear line naming the problem (no stack trace, no raw SyntaxError/RangeError/
 * TypeError), a non-zero exit, and nothing may crash.
 *
 * Dataset cases fail inside the training worker, so each costs a CLI and a worker start; they
 * run two at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engine/random';
import {
  aedatBytes,
  corruptGzip,
  corruptMagic,
  makeCifarFiles,
  makeTempDir,
  randomDvsEvents,
  setByte,
  tarBytes,
  truncateFile,
  writeCifarArchive,
  writeCifarDir,
  writeDvsDataset,
  writeIdxDataset,
  type TempDir,
} from '../helpers/data-files';
import { glifAsync, type CliOutcome } from '../helpers/cli';

type Outcome = CliOutcome;

/** The checks every case shares: failed, said why in one line matching `problem`, no trace. */
function expectOneClearLine(o: Outcome, problem: RegExp): void {
  expect(o.status, o.out).not.toBe(0);
  expect(o.status, `crashed?\n${o.out}`).not.toBeNull();
  expect(o.out, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(o.out, 'no raw JavaScript error').not.toMatch(/SyntaxError|RangeError|TypeError|ReferenceError/);
  expect(o.out, 'no internal error code').not.toMatch(/ERR_[A-Z_]+|Unexpected token|JSON at position/);
  const lines = o.out.split('\n').filter((l) => problem.test(l));
  expect(lines.length, `one line matching ${problem}:\n${o.out}`).toBeGreaterThanOrEqual(1);
  // What the user reads, so that a reviewer of the test output can judge it.
  console.log(`exit ${o.status}: ${lines[0]}`);
}

let tmp: TempDir;
const dir = (name: string) => {
  const d = path.join(tmp.dir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
beforeAll(() => {
  tmp = makeTempDir('glif-bad-files-');
});
afterAll(() => tmp.cleanup());

const trainOn = (preset: string, dataPath: string, name: string) =>
  glifAsync([
    'train',
    '--preset',
    preset,
    '--set',
    `data.path=${dataPath}`,
    '--set',
    'train.epochs=1',
    '--set',
    'data.trainLimit=8',
    '--set',
    'data.testLimit=8',
    '--threads',
    '1',
    '--db',
    path.join(tmp.dir, `${name}.sqlite`),
  ]);

/** A run failed with a message on one line: `run <id> failed in <s> s: <message>`. */
const failedRun = (what: RegExp) => new RegExp(`^run \\w+ failed in [\\d.]+ s: .*${what.source}`);

/**
 * Refused before any run exists: validation checks that data.path holds the dataset's files in
 * its format (engine/data/locate.ts), so damage visible from the files' first bytes or names
 * never reaches the queue. Exit 2, like every other invalid setting.
 */
const refusedData = (what: RegExp) => new RegExp(`^glif train: data\\.path: .*${what.source}`);
function expectRefused(o: Outcome, what: RegExp): void {
  expectOneClearLine(o, refusedData(what));
  expect(o.status, o.out).toBe(2);
}

describe.concurrent('bad dataset files through glif train', () => {
  describe('IDX (Fashion-MNIST)', () => {
    const idx = (name: string, damage: (files: ReturnType<typeof writeIdxDataset>['files']) => void) => {
      const d = dir(name);
      const { files } = writeIdxDataset(d, { rows: 28, cols: 28, train: 16, test: 8 });
      damage(files);
      return d;
    };
    it('bad magic', async () => {
      const d = idx('idx-magic', (f) => corruptMagic(f.trainImages, 0x12345678));
      expectRefused(await trainOn('fmnist-cnn', d, 'idx-magic'), /train-images.*magic/i);
    });
    it('truncated pixel data: refused before the run, from the header against the size', async () => {
      const d = idx('idx-trunc', (f) => truncateFile(f.trainImages, -100));
      expectRefused(await trainOn('fmnist-cnn', d, 'idx-trunc'), /train-images.*truncated or damaged/);
    });
    it('a labels file cut inside its header', async () => {
      const d = idx('idx-header', (f) => truncateFile(f.testLabels, 3));
      expectRefused(await trainOn('fmnist-cnn', d, 'idx-header'), /t10k-labels/);
    });
    it('a label out of range', async () => {
      const d = idx('idx-label', (f) => setByte(f.trainLabels, 8, 200));
      expectOneClearLine(await trainOn('fmnist-cnn', d, 'idx-label'), failedRun(/train-labels.*200/));
    });
    it('corrupt gzip', async () => {
      const d = dir('idx-gzip');
      const { files } = writeIdxDataset(d, { rows: 28, cols: 28, train: 16, test: 8, gzip: true });
      corruptGzip(files.trainImages);
      expectRefused(await trainOn('fmnist-cnn', d, 'idx-gzip'), /train-images.*not a readable gzip file/);
    });
  });

  describe('CIFAR binary and tar archives', () => {
    const cifar = makeCifarFiles('cifar10', { perTrainFile: [2, 2, 2, 2, 2], test: 2 });
    it('a batch file cut inside a record', async () => {
      const d = dir('cifar-trunc/cifar-10-batches-bin');
      writeCifarDir(d, cifar);
      truncateFile(path.join(d, 'data_batch_2.bin'), -10);
      expectOneClearLine(await trainOn('cifar10-cifarnet-t2', d, 'cifar-trunc'), failedRun(/data_batch_2/));
    });
    it('a label out of range', async () => {
      const d = dir('cifar-label/cifar-10-batches-bin');
      writeCifarDir(d, cifar);
      setByte(path.join(d, 'test_batch.bin'), 0, 77);
      expectOneClearLine(await trainOn('cifar10-cifarnet-t2', d, 'cifar-label'), failedRun(/test_batch.*77/));
    });
    it('a folder without batches', async () => {
      const d = dir('cifar-empty');
      fs.writeFileSync(path.join(d, 'readme.txt'), 'nothing here');
      expectRefused(await trainOn('cifar10-cifarnet-t2', d, 'cifar-empty'), /cifar-empty/);
    });
    it('a truncated .tar.gz', async () => {
      const file = path.join(dir('tar-trunc'), 'cifar-10-binary.tar.gz');
      writeCifarArchive(file, cifar);
      truncateFile(file, Math.floor(fs.statSync(file).size / 2));
      expectOneClearLine(
        await trainOn('cifar10-cifarnet-t2', file, 'tar-trunc'),
        failedRun(/cifar-10-binary/),
      );
    });
    it('a .tar.gz with a damaged deflate stream', async () => {
      const file = path.join(dir('tar-gzip'), 'cifar-10-binary.tar.gz');
      writeCifarArchive(file, cifar);
      corruptGzip(file);
      expectOneClearLine(
        await trainOn('cifar10-cifarnet-t2', file, 'tar-gzip'),
        failedRun(/cifar-10-binary/),
      );
    });
    it('a tar whose header checksum is wrong', async () => {
      const file = path.join(dir('tar-sum'), 'cifar-10-binary.tar');
      writeCifarArchive(file, cifar, { gzip: false });
      setByte(file, 512 + 10, 0x41); // inside the second header's name: its checksum no longer matches
      expectOneClearLine(await trainOn('cifar10-cifarnet-t2', file, 'tar-sum'), failedRun(/cifar-10-binary/));
    });
    it('a tar member cut short', async () => {
      const file = path.join(dir('tar-member'), 'cifar-10-binary.tar');
      const data = Buffer.alloc(3073 * 2);
      const tar = tarBytes([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data }]);
      fs.writeFileSync(file, tar.subarray(0, 512 + 1000));
      expectOneClearLine(
        await trainOn('cifar10-cifarnet-t2', file, 'tar-member'),
        failedRun(/cifar-10-binary/),
      );
    });
  });

  describe('CIFAR10-DVS (AEDAT)', () => {
    const dvs = (name: string, damage: (root: string) => void) => {
      const d = dir(name);
      writeDvsDataset(d, { perClass: 2, eventsPerFile: 40 });
      damage(d);
      return d;
    };
    it('a file that is not AEDAT 2.0', async () => {
      const d = dvs('dvs-header', (root) =>
        fs.writeFileSync(path.join(root, 'bird/cifar10_bird_0.aedat'), 'hello, not events\n'),
      );
      expectOneClearLine(await trainOn('cifar10dvs-7b', d, 'dvs-header'), failedRun(/cifar10_bird_0/));
    });
    it('a file cut inside an event', async () => {
      const d = dvs('dvs-trunc', (root) => truncateFile(path.join(root, 'cat/cifar10_cat_1.aedat'), -3));
      expectOneClearLine(await trainOn('cifar10dvs-7b', d, 'dvs-trunc'), failedRun(/cifar10_cat_1/));
    });
    it('a class folder missing', async () => {
      const d = dvs('dvs-class', (root) => fs.rmSync(path.join(root, 'truck'), { recursive: true }));
      expectRefused(await trainOn('cifar10dvs-7b', d, 'dvs-class'), /truck/);
    });
    it('a header without its data-format line and garbage after it', async () => {
      const d = dvs('dvs-garbage', (root) => {
        const events = aedatBytes(randomDvsEvents(new Rng(5), 3), '#!AER-DAT2.0\r\n');
        fs.writeFileSync(
          path.join(root, 'dog/cifar10_dog_0.aedat'),
          Buffer.concat([events, Buffer.from([1, 2, 3])]),
        );
      });
      expectOneClearLine(await trainOn('cifar10dvs-7b', d, 'dvs-garbage'), failedRun(/cifar10_dog_0/));
    });
  });
});
