/**
 * Stored configs are read back through readStoredConfig for resume and rerun: a config stored
 * before a field existed gets the field from its preset, and a corrupt one is refused naming the
 * bad field, instead of reaching the trainer through an unchecked cast.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfigFromValues } from '../../src-main/engine/config/build';
import { findPreset } from '../../src-main/engine/config/presets';
import { readStoredConfig } from '../../src-main/engine/config/stored';
import { ConfigError } from '../../src-main/engine/config/validate';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore } from '../../src-main/runs/store/run-store';
import type { ToWorker } from '../../src-main/runs/worker/protocol';
import { Workbench } from '../../src-main/service/workbench';
import { fakeWorkerLauncher } from '../helpers/fake-worker';

/**
 * A synthetic-mlp run's config_json as the store holds it, with a few values changed in the form,
 * from before `train.scheduleStep` existed (the step schedule of the one-epoch benchmark). Runs of
 * that time stepped their schedule per epoch: the preset's value.
 */
const STORED_BEFORE_SCHEDULE_STEP = {
  preset: 'synthetic-mlp',
  data: { dataset: 'synthetic', path: null, trainLimit: 64, testLimit: 32, augment: false },
  model: { arch: 'mlp', timeSteps: 2, mlpHidden: [16], weightInit: 'kaiming' },
  neuron: {
    variant: 'simplex-101',
    layerwise: false,
    init: 'cifar',
    gateRange: 'code',
    reset: 'code',
    surrogateWidth: 1,
  },
  train: {
    epochs: 2,
    batchSize: 16,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 5e-5,
    gateLrScale: 0.1,
    schedule: 'cosine',
    scheduleTMax: null,
    seed: 7,
  },
};

const ISSUE = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.key}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
};

describe('readStoredConfig', () => {
  it('fills a field added since the config was stored from the run preset, keeping the rest', () => {
    const config = readStoredConfig(JSON.parse(JSON.stringify(STORED_BEFORE_SCHEDULE_STEP)));
    expect(config.train.scheduleStep).toBe(findPreset('synthetic-mlp')!.config.train.scheduleStep);
    expect(config).toEqual({
      ...STORED_BEFORE_SCHEDULE_STEP,
      train: { ...STORED_BEFORE_SCHEDULE_STEP.train, scheduleStep: 'epoch' },
      // Stored before the ResNet head was a choice: chosen by the class count, as then.
      // and before the norm was a choice: the authors' (tdBN here).
      model: { ...STORED_BEFORE_SCHEDULE_STEP.model, head: 'by-classes', norm: 'official' },
      // Before image folders: their crop size, read by no other dataset.
      data: { ...STORED_BEFORE_SCHEDULE_STEP.data, imageSize: 224 },
      // Stored before there were engines: it ran on the workbench's own.
      engine: { name: 'tfjs', processes: 1 },
    });
  });

  it('reads a run stored before engines existed as a tfjs run, even when its preset is gone', () => {
    const old = {
      ...STORED_BEFORE_SCHEDULE_STEP,
      preset: 'an-old-preset',
      train: { ...STORED_BEFORE_SCHEDULE_STEP.train, scheduleStep: 'epoch' },
    };
    expect(readStoredConfig(JSON.parse(JSON.stringify(old))).engine).toEqual({ name: 'tfjs', processes: 1 });
  });

  it('reads back exactly what a run of today stores', () => {
    const today = buildConfigFromValues('synthetic-mlp', { 'neuron.variant': 'glif-f', 'train.lr': '0.02' });
    expect(readStoredConfig(JSON.parse(JSON.stringify(today)))).toEqual(today);
  });

  it('refuses a corrupt config, naming each bad field', () => {
    const corrupt = {
      ...STORED_BEFORE_SCHEDULE_STEP,
      neuron: { ...STORED_BEFORE_SCHEDULE_STEP.neuron, variant: 'glif-9000' },
      train: { ...STORED_BEFORE_SCHEDULE_STEP.train, epochs: '2' },
    };
    expect(ISSUE(() => readStoredConfig(corrupt))).toEqual([
      expect.stringMatching(/^neuron\.variant: 'glif-9000' is not allowed; expected one of /),
      "train.epochs: '2' is not allowed; expected an integer from 1 to 10000",
    ]);
    expect(ISSUE(() => readStoredConfig('{"preset":'))).toEqual([
      '(stored config): must be a JSON object, got "{\\"preset\\":"',
    ]);
    expect(ISSUE(() => readStoredConfig({ train: { epochs: 1 } }))).toEqual([
      'preset: must be a preset id, got nothing',
    ]);
    expect(ISSUE(() => readStoredConfig({ ...STORED_BEFORE_SCHEDULE_STEP, extra: { knob: 1 } }))).toEqual([
      'extra.knob: not a config key of this version',
    ]);
  });

  it('needs every field when the run preset is gone, and names the missing ones', () => {
    const renamed = { ...STORED_BEFORE_SCHEDULE_STEP, preset: 'an-old-preset' };
    expect(ISSUE(() => readStoredConfig(renamed))).toEqual([
      "train.scheduleStep: missing, and preset 'an-old-preset' is unknown, so there is no default to fill it with",
    ]);
    const complete = { ...renamed, train: { ...renamed.train, scheduleStep: 'epoch' } };
    expect(readStoredConfig(complete).preset).toBe('an-old-preset');
  });
});

describe('a run stored before a field existed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-stored-config-'));
  const dbFile = path.join(dir, 'runs.sqlite');
  const store = RunStore.open(dbFile);
  const sent: ToWorker[] = [];
  const fake = fakeWorkerLauncher({ epochs: 2, stepsPerEpoch: 2 });
  const launch = () => {
    const handle = fake();
    return { ...handle, send: (m: ToWorker) => (sent.push(m), handle.send(m)) };
  };
  const manager = new RunManager({ store, dataDir: dir, launch });
  const workbench = new Workbench(store, dir, () => {}, { launch });
  // Every run here has ended by then. (stopRuns would wait for the fake workers' exits, which
  // the fake reports to the last onExit listener only.)
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A cancelled run whose config_json is `json`, as an older version would have left it. */
  function storedRun(json: unknown): string {
    const run = manager.createRun(buildConfigFromValues('synthetic-mlp', {}), { name: 'old run' });
    store.finishRun(run.id, { status: 'cancelled' });
    const db = new Database(dbFile);
    db.prepare('UPDATE runs SET config_json = ? WHERE id = ?').run(JSON.stringify(json), run.id);
    db.close();
    return run.id;
  }

  const startedWith = (runId: string) =>
    sent.find((m): m is Extract<ToWorker, { type: 'start' }> => m.type === 'start' && m.runId === runId)
      ?.config;

  it('resumes with the field filled from its preset', async () => {
    const runId = storedRun(STORED_BEFORE_SCHEDULE_STEP);
    const done = await manager.resume(runId);
    expect(done.status).toBe('completed');
    expect(startedWith(runId)).toMatchObject({
      neuron: { variant: 'simplex-101' },
      train: { scheduleStep: 'epoch', seed: 7, lr: 0.05 },
    });
  });

  it('reruns as a fresh run with the filled config', async () => {
    const runId = storedRun(STORED_BEFORE_SCHEDULE_STEP);
    const fresh = workbench.rerun(runId);
    expect(fresh.id).not.toBe(runId);
    expect(fresh.config).toMatchObject({ train: { scheduleStep: 'epoch', seed: 7 } });
    await expect.poll(() => store.getRun(fresh.id)?.status).toBe('completed');
    expect(startedWith(fresh.id)).toMatchObject({ neuron: { variant: 'simplex-101' } });
  });

  it('refuses to resume or rerun a corrupt one, with the run and the field in the message', () => {
    const runId = storedRun({ ...STORED_BEFORE_SCHEDULE_STEP, neuron: { variant: 42 } });
    expect(() => manager.resume(runId)).toThrow(
      new RegExp(`^run ${runId}'s stored config cannot be used: neuron\\.variant: 42 is not allowed`),
    );
    expect(() => workbench.rerun(runId)).toThrow(/neuron\.variant: 42 is not allowed/);
    expect(store.getRun(runId)!.status).toBe('cancelled');
  });
});
