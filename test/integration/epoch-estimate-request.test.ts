/**
 * `runs.estimate` and `runs.create` through the request handlers, on a real store and a real
 * training worker: a run on an image folder with the tfjs engine is timed before it exists, a
 * preset made for GPUs asks for the user's word, and `runs.create` refuses such a run until the
 * caller says the estimate was shown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, requests, type Dispatch, type EpochEstimateAnswer } from '../../src-main/contract';
import { RunStore } from '../../src-main/runs/store/run-store';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { Workbench } from '../../src-main/service/workbench';
import { writeImageFolder } from '../helpers/image-folder';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-estimate-req-'));
const root = path.join(tmp, 'imagenet');
let workbench: Workbench | undefined;
let dispatch: Dispatch;

beforeAll(async () => {
  await writeImageFolder(root, { classes: ['n01', 'n02', 'n03'], perClass: 4, layout: 'split' });
  workbench = new Workbench(RunStore.open(path.join(tmp, 'runs.sqlite')), tmp, () => {});
  const host = { appName: 'GLIF Workbench', appVersion: '0', host: 'browser' } as const;
  dispatch = createDispatcher(requests, createRequestHandlers(host, workbench));
});

afterAll(async () => {
  await workbench?.close('test finished');
  fs.rmSync(tmp, { recursive: true, force: true });
});

const imagenetOnTfjs = () => ({
  preset: 'imagenet-ms-resnet18-t4',
  values: {
    'engine.name': 'tfjs',
    'engine.processes': 1,
    'data.path': root,
    'data.imageSize': 32,
    'train.batchSize': 3,
  },
});

describe('runs.estimate', () => {
  it('times an ImageNet preset on the tfjs engine before it exists, and asks for a yes', async () => {
    const r = await dispatch('runs.estimate', imagenetOnTfjs());
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const answer = (r as { data: EpochEstimateAnswer }).data;
    expect(answer.needed).toBe(true);
    expect(answer.mustConfirm).toBe(true);
    const e = answer.estimate!;
    // 3 classes of 4 training images, batches of 3 (steps of 2 samples timed).
    expect(e).toMatchObject({ trainSamples: 12, batchSize: 3, stepsPerEpoch: 4, epochs: 150, probeBatch: 2 });
    expect(e.secondsPerSample).toBeGreaterThan(0);
    expect(e.epochSeconds).toBeCloseTo(e.secondsPerSample * 12, 9);
    expect(answer.message).toMatch(
      /^An epoch of this run would take about .* 12 training samples in 4 steps of 3/,
    );
    expect(answer.message).toMatch(/multi-GPU row/);
    expect(workbench!.store.listRuns({})).toHaveLength(0);
  }, 120_000);

  it('is not needed off an image folder or on the torch engine', async () => {
    for (const params of [
      { preset: 'fmnist-cnn', values: { 'data.dataset': 'synthetic' } },
      { preset: 'imagenet-ms-resnet18-t4', values: { 'data.path': root } },
    ]) {
      const r = await dispatch('runs.estimate', params);
      expect(r).toEqual({
        ok: true,
        data: { needed: false, estimate: null, message: null, mustConfirm: false },
      });
    }
  });

  it('answers bad values as runs.create would', async () => {
    const r = await dispatch('runs.estimate', {
      ...imagenetOnTfjs(),
      values: { ...imagenetOnTfjs().values, 'data.path': path.join(tmp, 'nowhere') },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('invalid_params');
  });
});

describe('runs.create of a run that is estimated first', () => {
  it('refuses it until the caller says the estimate was shown', async () => {
    const refused = await dispatch('runs.create', { ...imagenetOnTfjs(), start: false });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/starts after its epoch estimate: ask runs\.estimate/),
    });
    expect(workbench!.store.listRuns({})).toHaveLength(0);

    const created = await dispatch('runs.create', {
      ...imagenetOnTfjs(),
      start: false,
      acceptEpochEstimate: true,
    });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    expect(workbench!.store.listRuns({})).toHaveLength(1);
  });

  it('refuses an ablation grid of such runs the same way', async () => {
    const before = workbench!.store.listRuns({}).length;
    const refused = await dispatch('ablation.create', { ...imagenetOnTfjs(), seeds: [1] });
    expect(!refused.ok && refused.error.message).toMatch(/starts after its epoch estimate/);
    expect(workbench!.store.listRuns({})).toHaveLength(before);
  });
});
