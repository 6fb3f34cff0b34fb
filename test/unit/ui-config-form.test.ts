import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigField } from '../../src-renderer/src/lib/api/contract';
import {
  changedValues,
  groupIssues,
  groupPresets,
  initialPreset,
  presetValues,
  rangeText,
} from '../../src-renderer/src/lib/state/config-form';
import { testWorkbench } from '../helpers/workbench';

// The form is built from the host's real schema, and its values are checked by the host's real
// validation, so these tests fail when the two drift apart.
const workbench = testWorkbench();
const schema = workbench.configSchema();
const field = (key: string): ConfigField => schema.fields.find((f) => f.key === key)!;
const preset = (id: string) => schema.presets.find((p) => p.id === id)!;

afterAll(async () => {
  await workbench.close('test finished');
  fs.rmSync(workbench.dataDir, { recursive: true, force: true });
});

describe('form values from a preset', () => {
  it('prefills every field as text, checkboxes as booleans', () => {
    const values = presetValues(schema.fields, preset('synthetic-mlp'));
    expect(Object.keys(values).sort()).toEqual(schema.fields.map((f) => f.key).sort());
    expect(values['train.epochs']).toBe('2');
    expect(values['train.lr']).toBe('0.1');
    expect(values['model.mlpHidden']).toBe('64');
    expect(values['data.path']).toBe('');
    expect(values['data.augment']).toBe(false);
    expect(values['neuron.variant']).toBe('glif');
  });

  it('sends nothing when nothing changed, and ignores spacing-only edits', () => {
    const baseline = presetValues(schema.fields, preset('synthetic-mlp'));
    expect(changedValues(schema.fields, baseline, baseline)).toEqual({});
    const respaced = { ...baseline, 'train.epochs': ' 2 ', 'model.mlpHidden': '64 ' };
    expect(changedValues(schema.fields, respaced, baseline)).toEqual({});
  });

  it('sends only the edited fields, which the host turns into the intended config', () => {
    const baseline = presetValues(schema.fields, preset('synthetic-mlp'));
    const values = {
      ...baseline,
      'train.epochs': '3',
      'train.lr': ' 0.05',
      'model.mlpHidden': '32, 16',
      'neuron.variant': 'simplex-101',
      'data.augment': true,
      'data.trainLimit': '',
    };
    const changed = changedValues(schema.fields, values, baseline);
    expect(changed).toEqual({
      'train.epochs': '3',
      'train.lr': '0.05',
      'model.mlpHidden': '32, 16',
      'neuron.variant': 'simplex-101',
      'data.augment': true,
      'data.trainLimit': '',
    });
    const validation = workbench.validateConfig('synthetic-mlp', changed);
    expect(validation.issues).toEqual([]);
    expect(validation.config?.train.epochs).toBe(3);
    expect(validation.config?.train.lr).toBe(0.05);
    expect(validation.config?.model.mlpHidden).toEqual([32, 16]);
    expect(validation.config?.neuron.variant).toBe('simplex-101');
    expect(validation.config?.data.augment).toBe(true);
    expect(validation.config?.data.trainLimit).toBeNull();
  });

  it('puts the host’s messages next to their fields, as the CLI prints them', () => {
    const baseline = presetValues(schema.fields, preset('synthetic-mlp'));
    const changed = changedValues(
      schema.fields,
      { ...baseline, 'train.lr': '-1', 'model.timeSteps': 'four' },
      baseline,
    );
    const { issues } = workbench.validateConfig('synthetic-mlp', changed);
    const grouped = groupIssues(issues, schema.fields);
    expect(grouped.byKey.get('train.lr')).toEqual([
      'train.lr: -1 is not allowed; expected a number > 0 and <= 10',
    ]);
    expect(grouped.byKey.get('model.timeSteps')?.[0]).toMatch(/^model\.timeSteps: 'four' is not allowed/);
    expect(grouped.general).toEqual([]);
    const unknownPreset = workbench.validateConfig('no-such-preset', {});
    expect(groupIssues(unknownPreset.issues, schema.fields).general[0]).toMatch(/^preset: unknown preset/);
  });
});

describe('allowed ranges as the form shows them', () => {
  it('writes ranges short, with separators, bounds and emptiness', () => {
    expect(rangeText(field('model.timeSteps'))).toBe('1–64');
    expect(rangeText(field('train.lr'))).toBe('> 0 and ≤ 10');
    expect(rangeText(field('train.momentum'))).toBe('≥ 0 and ≤ 1');
    expect(rangeText(field('data.trainLimit'))).toBe('1–10,000,000, or empty');
    expect(rangeText(field('neuron.variant'))).toBe('12 options');
    expect(rangeText(field('train.scheduleStep'))).toBe('epoch | step');
    expect(rangeText(field('model.mlpHidden'))).toBe('comma-separated, each 1–65,536');
  });
});

describe('the preset picker', () => {
  it('groups every preset once: quick runs, then the paper’s CIFAR, DVS and ImageNet rows', () => {
    const groups = groupPresets(schema.presets);
    expect(groups.map((g) => g.label)).toEqual([
      'Quick runs',
      'CIFAR-10 (paper)',
      'CIFAR-100 (paper)',
      'CIFAR10-DVS (paper)',
      'ImageNet (paper; an image folder)',
    ]);
    const ids = groups.flatMap((g) => g.presets.map((p) => p.id));
    expect(ids.sort()).toEqual(schema.presets.map((p) => p.id).sort());
    expect(groups[0].presets.map((p) => p.id)).toEqual(['fmnist-cnn', 'synthetic-mlp']);
    expect(groups[3].presets.map((p) => p.id)).toEqual(['cifar10dvs-7b']);
    expect(groups[4].presets.map((p) => p.id)).toEqual([
      'imagenet-resnet34-t4',
      'imagenet-ms-resnet18-t4',
      'imagenet-ms-resnet18-t6',
    ]);
  });

  it('starts from the preset in the address, or the first one', () => {
    expect(initialPreset(schema.presets, 'synthetic-mlp')?.id).toBe('synthetic-mlp');
    expect(initialPreset(schema.presets, 'nope')?.id).toBe(schema.presets[0].id);
    expect(initialPreset(schema.presets, null)?.id).toBe(schema.presets[0].id);
    expect(initialPreset([], null)).toBeNull();
  });
});
