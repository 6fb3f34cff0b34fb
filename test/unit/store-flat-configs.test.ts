import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, requests } from '../../src-main/contract';
import { openRunStoreReader, RunStore } from '../../src-main/runs/store';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { Workbench } from '../../src-main/service/workbench';
import { syntheticRunInput } from '../helpers/run-input';

let dir: string;
let dbFile: string;
let store: RunStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-flat-configs-'));
  dbFile = path.join(dir, 'runs.sqlite');
  store = RunStore.open(dbFile);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const configOf = (lr: number, variant: string) => ({
  data: { dataset: 'synthetic', trainLimit: null, augment: false },
  model: { arch: 'mlp', mlpHidden: [64, 32], layers: [{ channels: 8 }] },
  neuron: { variant },
  train: { lr },
});

describe('getFlatConfigs', () => {
  it('gives each asked run its config as dotted paths, in the order asked, skipping unknown ids', () => {
    const a = store.createRun(syntheticRunInput({ config: configOf(0.1, 'glif') }));
    const b = store.createRun(syntheticRunInput({ config: configOf(0.05, 'simplex-101') }));
    const flat = store.getFlatConfigs([b.id, 'r000000000gone', a.id]);
    expect(flat.map((c) => c.runId)).toEqual([b.id, a.id]);
    expect(flat[0]!.values).toEqual({
      'data.dataset': 'synthetic',
      'data.trainLimit': null,
      'data.augment': false,
      'model.arch': 'mlp',
      // A list of numbers is one value; a list of objects is walked into.
      'model.mlpHidden': [64, 32],
      'model.layers.0.channels': 8,
      'neuron.variant': 'simplex-101',
      'train.lr': 0.05,
    });
    expect(flat[1]!.values['train.lr']).toBe(0.1);
    expect(store.getFlatConfigs([])).toEqual([]);
  });

  it('answers thousands of ids in one query, through a read-only reader too', () => {
    const ids: string[] = [];
    for (let i = 0; i < 1200; i++) {
      ids.push(store.createRun(syntheticRunInput({ config: configOf(i / 1000, 'glif') })).id);
    }
    const reader = openRunStoreReader(dbFile);
    try {
      const flat = reader.getFlatConfigs(ids);
      expect(flat).toHaveLength(1200);
      expect(flat[1199]!.values['train.lr']).toBe(1.199);
    } finally {
      reader.close();
    }
  });
});

describe('runs.configs', () => {
  let workbench: Workbench | null = null;
  afterEach(async () => {
    await workbench?.close('test finished');
    workbench = null;
  });

  function dispatcher() {
    workbench = new Workbench(store, dir, () => {});
    const host = { appName: 'GLIF Workbench', appVersion: '0', host: 'electron' } as const;
    return createDispatcher(requests, createRequestHandlers(host, workbench));
  }

  it('answers the flattened configs and validates its params at the edge', async () => {
    const a = store.createRun(syntheticRunInput({ config: configOf(0.2, 'glif') }));
    const dispatch = dispatcher();
    expect(await dispatch('runs.configs', { runIds: [a.id] })).toEqual({
      ok: true,
      data: [{ runId: a.id, values: expect.objectContaining({ 'train.lr': 0.2, 'neuron.variant': 'glif' }) }],
    });
    for (const bad of [{ runIds: [] }, { runIds: ['../etc'] }, { runIds: [a.id], extra: 1 }, {}]) {
      expect(await dispatch('runs.configs', bad as never)).toMatchObject({
        ok: false,
        error: { code: 'invalid_params' },
      });
    }
    const tooMany = Array.from({ length: 5001 }, (_, i) => `r${String(i).padStart(8, '0')}`);
    expect(await dispatch('runs.configs', { runIds: tooMany })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
  });
});
