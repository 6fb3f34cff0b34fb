/**
 * Bad files suite, part 2: damaged checkpoints and checkpoints of another architecture
 * (through `glif train --resume`), malformed parity fixtures (`glif parity`) and configs of
 * the wrong type or shape (`glif train --config/--set`). Each must end in one clear line, a
 * non-zero exit, no stack trace and no raw JavaScript error.
 *
 * A checkpoint's record carries its sha256, and resume refuses a file that does not match it.
 * To reach the parser, most cases record the damaged file's own sha256, as a database restored
 * together with a damaged or foreign checkpoint folder would.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../src-main/engine/train/checkpoint';
import { makeTempDir, type TempDir } from '../helpers/data-files';
import { vendoredParityFixtureDir } from '../helpers/paths';
import { glifAsync, type CliOutcome } from '../helpers/cli';

type Outcome = CliOutcome;

/** Failed (not crashed), no trace, no raw JS error, and a line matching `problem` (returned). */
function expectOneClearLine(o: Outcome, problem: RegExp): string {
  expect(o.status, o.out).not.toBe(0);
  expect(o.status, `crashed?\n${o.out}`).not.toBeNull();
  expect(o.out, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(o.out, 'no raw JavaScript error').not.toMatch(/SyntaxError|RangeError|TypeError|ReferenceError/);
  expect(o.out).not.toMatch(/is not a function|Cannot read properties|out of range/);
  // A parser's detail (where the JSON broke) is useful, but only after saying what the file is not.
  for (const l of o.out.split('\n').filter((x) => /Unexpected|JSON at position/.test(x)))
    expect(l, 'a raw parser message').toMatch(/not valid JSON: /);
  const line = o.out.split('\n').find((l) => problem.test(l));
  expect(line, `a line matching ${problem}:\n${o.out}`).toBeDefined();
  console.log(`exit ${o.status}: ${line}`);
  return line!;
}

let tmp: TempDir;
beforeAll(() => {
  tmp = makeTempDir('glif-bad-ckpt-');
});
afterAll(() => tmp.cleanup());

describe('damaged and foreign checkpoints through glif train --resume', () => {
  let db: string;
  let runId: string;
  let ckpt: { path: string; bytes: Buffer };

  beforeAll(async () => {
    db = path.join(tmp.dir, 'runs.sqlite');
    // Two epochs of two steps; the worker is killed in epoch 2, so epoch 1's checkpoint is on record.
    const r = await glifAsync(
      ['train', '--preset', 'synthetic-mlp', '--set', 'train.epochs=2', '--set', 'data.trainLimit=64'].concat(
        ['--set', 'data.testLimit=32', '--threads', '1', '--db', db],
      ),
      { GLIF_KILL_AT: 'step:3' },
    );
    expect(r.out).toMatch(/interrupted.*training process was killed \(SIGKILL\)/);
    runId = /run (\w+) \(database/.exec(r.out)![1];
    const conn = new Database(db, { readonly: true });
    const row = conn.prepare('SELECT path FROM checkpoints WHERE run_id = ?').get(runId) as { path: string };
    conn.close();
    ckpt = { path: row.path, bytes: fs.readFileSync(row.path) };
    await tf.setBackend('cpu');
  });

  /** Puts `bytes` where the run's checkpoint is, recording their sha256 unless told not to. */
  function replaceCheckpoint(bytes: Buffer, record = true): void {
    fs.writeFileSync(ckpt.path, bytes);
    if (!record) return;
    const conn = new Database(db);
    conn
      .prepare('UPDATE checkpoints SET sha256 = ?, bytes = ? WHERE run_id = ?')
      .run(createHash('sha256').update(bytes).digest('hex'), bytes.length, runId);
    conn.close();
  }

  const resume = () => glifAsync(['train', '--resume', runId, '--threads', '1', '--db', db]);
  const failedRun = (what: RegExp) => new RegExp(`^run \\w+ failed in [\\d.]+ s: .*${what.source}`);
  const header = (json: string, lengthField?: number) => {
    const body = Buffer.from(json, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(lengthField ?? body.length);
    return Buffer.concat([Buffer.from('GLIFCKPT1\n', 'latin1'), len, body]);
  };

  it('changed behind the record: the sha256 does not match', async () => {
    const damaged = Buffer.from(ckpt.bytes);
    damaged[damaged.length - 1] ^= 0xff;
    replaceCheckpoint(damaged, false);
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt.*sha256.*does not match/));
  });

  it('truncated inside the tensor data', async () => {
    replaceCheckpoint(ckpt.bytes.subarray(0, ckpt.bytes.length - 64));
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt.*truncated/));
  });

  it('truncated inside a float', async () => {
    replaceCheckpoint(ckpt.bytes.subarray(0, ckpt.bytes.length - 3));
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt.*truncated/));
  });

  it('truncated inside the header length', async () => {
    replaceCheckpoint(ckpt.bytes.subarray(0, 12));
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: truncated header: the file ends at byte 12, inside the header length/),
    );
  });

  it('truncated inside the magic line', async () => {
    replaceCheckpoint(ckpt.bytes.subarray(0, 6));
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: truncated header: the file ends at byte 6, inside the magic line/),
    );
  });

  it('a header length past the end of the file', async () => {
    replaceCheckpoint(header('{"version": 1}', 5000));
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: truncated header: it declares 5000 bytes, but the file ends at byte 28/),
    );
  });

  it('an empty file', async () => {
    replaceCheckpoint(Buffer.alloc(0));
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt: empty file \(0 bytes\)/));
  });

  it('the recorded file is missing', async () => {
    fs.rmSync(ckpt.path);
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: file not found \(moved or deleted since it was recorded\)/),
    );
  });

  it('bad magic', async () => {
    replaceCheckpoint(Buffer.concat([Buffer.from('PK\u0003\u0004'), ckpt.bytes.subarray(4)]));
    expectOneClearLine(
      await resume(),
      failedRun(
        /epoch-0001\.ckpt: not a GLIF checkpoint \(bad magic: expected "GLIFCKPT1", found bytes 50 4b 03 04 /,
      ),
    );
  });

  it('a header that is not JSON', async () => {
    replaceCheckpoint(header('{"version": 1, "epoch": 0, tensors: [}'));
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt: damaged header \(not valid JSON\)/));
  });

  it('a JSON header of the wrong shape', async () => {
    replaceCheckpoint(header('{"version": 1, "epoch": 0, "step": 2, "tensors": {"a": 1}}'));
    expectOneClearLine(await resume(), failedRun(/epoch-0001\.ckpt: damaged header: /));
  });

  /** A checkpoint holding one parameter of the given shape, saved from `arch`, as a file's bytes. */
  async function oneTensorCheckpoint(
    name: string,
    paramPath: string,
    shape: number[],
    meta: { arch: string; preset: string },
  ): Promise<Buffer> {
    const tensor = tf.zeros(shape);
    const file = path.join(tmp.dir, name);
    await writeCheckpoint(file, {
      epoch: 0,
      step: 2,
      optimizerSteps: 2,
      rng: { algorithm: 'xoshiro128**', s: [1, 2, 3, 4] },
      tensors: [{ kind: 'param', path: paramPath, tensor }],
      meta,
    });
    tensor.dispose();
    return fs.readFileSync(file);
  }

  it('a checkpoint of another architecture', async () => {
    replaceCheckpoint(
      await oneTensorCheckpoint('foreign.ckpt', 'conv1.weight', [8, 1, 3, 3], {
        arch: 'fmnist-cnn',
        preset: 'fmnist-cnn',
      }),
    );
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: saved from a fmnist-cnn model; this run trains mlp/),
    );
  });

  /** The run's real checkpoint, changed by `edit` (its tensors, then disposed), as a file's bytes. */
  async function editedCheckpoint(
    edit: (
      tensors: Array<{ kind: 'param' | 'buffer' | 'momentum'; path: string; tensor: tf.Tensor }>,
    ) => void,
  ): Promise<Buffer> {
    const original = path.join(tmp.dir, 'original.ckpt');
    fs.writeFileSync(original, ckpt.bytes);
    const c = await readCheckpoint(original);
    const tensors = [...c.tensors];
    edit(tensors);
    const file = path.join(tmp.dir, 'edited.ckpt');
    await writeCheckpoint(file, { ...c, tensors });
    for (const t of c.tensors) t.tensor.dispose();
    for (const t of tensors) t.tensor.dispose();
    return fs.readFileSync(file);
  }

  it("a checkpoint that lacks some of the model's tensors", async () => {
    let dropped = '';
    const bytes = await editedCheckpoint((tensors) => {
      const i = tensors.findIndex((t) => t.kind === 'param');
      dropped = tensors[i].path;
      tensors.splice(i, 1);
    });
    replaceCheckpoint(bytes);
    const line = expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: 1 tensor\(s\) of this model are missing, e\.g\. /),
    );
    expect(line).toContain(dropped);
  });

  it('momentum of the wrong shape', async () => {
    let changed = '';
    const bytes = await editedCheckpoint((tensors) => {
      const i = tensors.findIndex((t) => t.kind === 'momentum');
      changed = tensors[i].path;
      tensors[i] = { ...tensors[i], tensor: tf.zeros([2, 2]) };
    });
    replaceCheckpoint(bytes);
    const line = expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: momentum of \S+ has shape \[2,2\], the model \[/),
    );
    expect(line).toContain(changed);
  });

  it('a checkpoint of the same architecture with other sizes', async () => {
    replaceCheckpoint(
      await oneTensorCheckpoint('other-sizes.ckpt', 'classifier.weight', [3, 3], {
        arch: 'mlp',
        preset: 'synthetic-mlp',
      }),
    );
    expectOneClearLine(
      await resume(),
      failedRun(/epoch-0001\.ckpt: tensor classifier\.weight has shape \[3,3\]/),
    );
  });
});

describe('malformed parity fixtures through glif parity', () => {
  it('bad JSON, missing fields, wrong types, empty and absent files: one ERROR line each', async () => {
    const good = JSON.parse(
      fs.readFileSync(path.join(vendoredParityFixtureDir, 'a_cw_cifar_default_T4.json'), 'utf8'),
    ) as Record<string, unknown>;
    const files: Record<string, string> = {
      'bad-json.json': '{"schema": "glif-parity/1", ',
      'empty.json': '',
      'array.json': '[1, 2, 3]',
      'no-tensors.json': JSON.stringify({ ...good, tensors: undefined }),
      'no-schema.json': JSON.stringify({ ...good, schema: undefined }),
      'T-string.json': JSON.stringify({ ...good, T: 'four' }),
      'params-null.json': JSON.stringify({ ...good, params: null }),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(tmp.dir, name), text);
    const paths = [...Object.keys(files), 'absent.json'].map((n) => path.join(tmp.dir, n));
    const o = await glifAsync(['parity', '--backend', 'cpu', '--impl', 'ops', ...paths]);
    expect(o.status, o.out).toBe(2);
    expect(o.out, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(o.out).not.toMatch(/SyntaxError|TypeError|RangeError/);
    for (const p of paths) {
      // The CLI names each fixture by its base name (unique here).
      const lines = o.out.split('\n').filter((l) => l.startsWith(`ERROR ${path.basename(p)}:`));
      expect(lines, `one ERROR line for ${p}:\n${o.out}`).toHaveLength(1);
      console.log(lines[0]);
    }
  });
});

describe.concurrent('configs of the wrong type or shape through glif train', () => {
  const cases: Array<[string, string | null, string[], RegExp]> = [
    ['not JSON', '{"train": {"lr": 0.1,}', [], /--config: .* is not valid JSON/],
    ['a JSON array', '[{"train": {}}]', [], /config|object/i],
    [
      'a section that is a number',
      '{"train": 5}',
      [],
      /train: expected an object of train\.\* settings, got 5/,
    ],
    ['a string where a number goes', '{"train": {"lr": "fast"}}', [], /train\.lr/],
    ['a fraction where an integer goes', '{"train": {"epochs": 2.5}}', [], /train\.epochs/],
    ['a string where a list goes', '{"model": {"mlpHidden": "64"}}', [], /model\.mlpHidden/],
    ['null for a number', '{"train": {"batchSize": null}}', [], /train\.batchSize/],
    ['an unknown key', '{"trian": {"lr": 0.1}}', [], /trian/],
    ['--set a word for a number', null, ['--set', 'train.epochs=abc'], /train\.epochs/],
    ['--set a word for a boolean', null, ['--set', 'data.augment=maybe'], /data\.augment/],
    ['--set a bad list', null, ['--set', 'model.mlpHidden=[a'], /model\.mlpHidden/],
  ];
  for (const [what, json, extra, problem] of cases) {
    it(what, async () => {
      const args = [
        'train',
        '--preset',
        'synthetic-mlp',
        '--db',
        path.join(tmp.dir, 'never.sqlite'),
        ...extra,
      ];
      if (json !== null) {
        const file = path.join(tmp.dir, `config-${what.replace(/\W+/g, '-')}.json`);
        fs.writeFileSync(file, json);
        args.push('--config', file);
      }
      const o = await glifAsync(args);
      expect(o.status, o.out).toBe(2);
      expectOneClearLine(o, new RegExp(`^glif train: .*${problem.source}`, problem.flags));
      // Refused before anything is written.
      expect(fs.existsSync(path.join(tmp.dir, 'never.sqlite'))).toBe(false);
    });
  }
});
