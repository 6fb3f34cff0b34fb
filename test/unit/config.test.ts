import { describe, expect, it } from 'vitest';
import { buildConfig, buildConfigFromValues } from '../../src-main/engine/config/build';
import { CONFIG_FIELDS, describeRange } from '../../src-main/engine/config/fields';
import { PRESETS, REPORTED_TOP1 } from '../../src-main/engine/config/presets';
import { ConfigError, validateConfig } from '../../src-main/engine/config/validate';
import { learningRate, learningRateAt } from '../../src-main/engine/train/schedule';

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.key}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('run config', () => {
  it('has the paper presets and every preset is valid apart from a dataset path to give', () => {
    const ids = PRESETS.map((p) => p.id);
    for (const id of [
      'fmnist-cnn',
      'cifar10dvs-7b',
      'cifar10-resnet19-t2',
      'cifar100-resnet19-t6',
      'cifar10-resnet18-t4',
      'cifar100-cifarnet-t4',
    ]) {
      expect(ids).toContain(id);
    }
    for (const p of PRESETS) {
      const problems = validateConfig(p.config).filter((i) => i.key !== 'data.path');
      expect(problems, p.id).toEqual([]);
    }
  });

  it("states the authors' reported accuracy on exactly the rows they publish one for", () => {
    // A mistyped id would silently drop its number: every entry must name a preset.
    const ids = new Set(PRESETS.map((p) => p.id));
    for (const id of Object.keys(REPORTED_TOP1)) expect(ids, id).toContain(id);
    for (const p of PRESETS) {
      const top1 = REPORTED_TOP1[p.id];
      expect(p.reportedTop1, p.id).toBe(top1);
      if (top1 === undefined) expect(p.description, p.id).not.toMatch(/report/);
      else
        expect(p.description, p.id).toMatch(new RegExp(`The authors report ${top1.toFixed(2)}% top-1\\.$`));
    }
    // Reference section 8 (the authors' README) and the paper's CIFARNet row.
    expect(PRESETS.find((p) => p.id === 'cifar100-resnet19-t4')!.reportedTop1).toBe(77.22);
    expect(PRESETS.find((p) => p.id === 'cifar10-cifarnet-t5')!.reportedTop1).toBe(93.28);
    expect(PRESETS.find((p) => p.id === 'imagenet-ms-resnet18-t4')!.reportedTop1).toBeUndefined();
  });

  it("calls a CIFAR preset the paper's row only where the paper has one", () => {
    const described = (id: string) => PRESETS.find((p) => p.id === id)!.description;
    // The paper's single CIFARNet row is CIFAR-10 at T=5; the other CIFARNet presets are its recipe.
    expect(described('cifar10-cifarnet-t5')).toMatch(/^The paper's CIFAR-10 row: CIFARNet, T=5,/);
    for (const dataset of ['cifar10', 'cifar100']) {
      for (const T of [2, 4, 6]) {
        const text = described(`${dataset}-cifarnet-t${T}`);
        expect(text, `${dataset} T=${T}`).not.toMatch(/paper's CIFAR-1\d+ row/);
        expect(text).toContain(`with the paper's CIFAR recipe at T=${T}`);
        expect(text).toContain('The paper has a CIFARNet row only at T=5 on CIFAR-10.');
      }
    }
    expect(described('cifar100-resnet19-t4')).toMatch(/^The paper's CIFAR-100 row: ResNet-19, T=4,/);
    expect(described('cifar10-resnet18-t2')).toMatch(/^The paper's CIFAR-10 row: ResNet-18, T=2,/);
  });

  it('follows the recipe of each preset (reference section 8)', () => {
    const dvs = PRESETS.find((p) => p.id === 'cifar10dvs-7b')!.config;
    expect(dvs.train).toMatchObject({
      lr: 0.01,
      weightDecay: 0,
      gateLrScale: 1,
      schedule: 'cosine-periodic',
      scheduleTMax: 64,
      batchSize: 32,
    });
    expect(dvs.model.timeSteps).toBe(16);
    expect(dvs.neuron.init).toBe('dvs');
    const r19 = PRESETS.find((p) => p.id === 'cifar100-resnet19-t6')!.config;
    expect(r19.train).toMatchObject({
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 5e-5,
      gateLrScale: 0.1,
      epochs: 200,
      batchSize: 64,
      seed: 9,
    });
    expect(r19.data).toMatchObject({ dataset: 'cifar100', augment: true });
  });

  it('applies --set overrides with their types and refuses bad ones naming the key and the range', () => {
    const c = buildConfig({
      preset: 'fmnist-cnn',
      overrides: ['train.epochs=3', 'neuron.layerwise=true', 'data.trainLimit=none', 'model.mlpHidden=64,32'],
    });
    expect(c.train.epochs).toBe(3);
    expect(c.neuron.layerwise).toBe(true);
    expect(c.data.trainLimit).toBeNull();
    expect(c.model.mlpHidden).toEqual([64, 32]);
    expect(issues(() => buildConfig({ preset: 'fmnist-cnn', overrides: ['model.timeSteps=0'] }))).toEqual([
      'model.timeSteps: 0 is not allowed; expected an integer from 1 to 64',
    ]);
    expect(
      issues(() =>
        buildConfig({ preset: 'fmnist-cnn', overrides: ['train.lr=-0.5', 'train.batchSize=1.5'] }),
      ),
    ).toEqual([
      'train.batchSize: 1.5 is not allowed; expected an integer from 1 to 4096',
      'train.lr: -0.5 is not allowed; expected a number > 0 and <= 10',
    ]);
    expect(issues(() => buildConfig({ preset: 'nope' }))[0]).toMatch(
      /^preset: unknown preset 'nope'; one of /,
    );
    expect(issues(() => buildConfig({ preset: 'cifar10-resnet19-t4' }))).toEqual([
      'data.path: required for dataset cifar10: the folder or .tar.gz holding it',
    ]);
    expect(
      issues(() => buildConfig({ preset: 'fmnist-cnn', overlay: { train: { lr: 0.05, bogus: 1 } } }))[0],
    ).toMatch(/^train\.bogus: unknown config key/);
  });

  it("builds from a form's values: typed ones as they are, text as --set reads it, one validation", () => {
    const typed = buildConfigFromValues('fmnist-cnn', {
      'train.epochs': 3,
      'neuron.variant': 'glif-f',
      'neuron.layerwise': true,
      'data.trainLimit': null,
      'model.mlpHidden': [64, 32],
    });
    const text = buildConfigFromValues('fmnist-cnn', {
      'train.epochs': '3',
      'neuron.variant': 'glif-f',
      'neuron.layerwise': true,
      'data.trainLimit': '',
      'model.mlpHidden': '64, 32',
    });
    const cli = buildConfig({
      preset: 'fmnist-cnn',
      overrides: [
        'train.epochs=3',
        'neuron.variant=glif-f',
        'neuron.layerwise=true',
        'data.trainLimit=none',
        'model.mlpHidden=64,32',
      ],
    });
    expect(typed).toEqual(cli);
    expect(text).toEqual(cli);
    expect(
      issues(() => buildConfigFromValues('fmnist-cnn', { 'train.epochs': 0, 'train.bogus': 1 })),
    ).toEqual([expect.stringMatching(/^train\.bogus: unknown config key/)]);
    expect(issues(() => buildConfigFromValues('fmnist-cnn', { 'neuron.variant': 'glif-9000' }))[0]).toMatch(
      /^neuron\.variant: 'glif-9000' is not allowed; expected one of glif, /,
    );
  });

  it('describes every field range in words', () => {
    for (const f of CONFIG_FIELDS) expect(describeRange(f).length, f.key).toBeGreaterThan(3);
  });

  it('schedules cosine to 0 over the epochs, per step when asked, and periodically for DVS', () => {
    const base = PRESETS.find((p) => p.id === 'cifar10-resnet19-t4')!.config.train;
    expect(learningRate(base, 0)).toBeCloseTo(0.1, 12);
    expect(learningRate(base, 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(base, 937, 937 * 2)).toBeCloseTo(0.05, 12);
    const dvs = PRESETS.find((p) => p.id === 'cifar10dvs-7b')!.config.train;
    expect(learningRate(dvs, 64)).toBeCloseTo(0, 12);
    expect(learningRate(dvs, 128)).toBeCloseTo(0.01, 12);
    expect(learningRate(dvs, 192)).toBeCloseTo(0, 12);
  });
});
