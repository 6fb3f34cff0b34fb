import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { glifInit, type InitPresetId } from '../../src-main/engine/glif/init';
import { defaultNeuronSpec } from '../../src-main/engine/glif/variants';
import { createLayerFactory, type LayerFactory } from '../../src-main/engine/models/factory';
import { ARCH_IDS, type ArchId, type InputShape, type Model } from '../../src-main/engine/models/model';
import { ARCH_INFO, buildModel } from '../../src-main/engine/models/registry';
import type { ActivityRecorder, ForwardContext } from '../../src-main/engine/nn/module';
import { Rng } from '../../src-main/engine/random';

function factory(
  T: number,
  o: { glif?: InitPresetId; weightInit?: 'kaiming' | 'torch-default'; plainNorm?: boolean } = {},
): LayerFactory {
  return createLayerFactory({
    T,
    spec: defaultNeuronSpec('glif'),
    init: glifInit(o.glif ?? 'cifar'),
    rng: new Rng(9),
    weightInit: o.weightInit ?? 'kaiming',
    plainNorm: o.plainNorm,
    // What training runs on wasm (`auto`).
    impl: 'fused',
  });
}

/** The factory the official recipe uses for this architecture. */
function officialFactory(arch: ArchId, T: number): LayerFactory {
  const info = ARCH_INFO[arch];
  return factory(T, { glif: info.glifInit, weightInit: info.weightInit, plainNorm: info.plainNorm });
}

function build(
  arch: ArchId,
  T: number,
  numClasses: number,
  inputShape: InputShape,
  mlpHidden?: number[],
): Model {
  return buildModel(arch, { factory: officialFactory(arch, T), numClasses, inputShape, mlpHidden });
}

/** Deterministic input in [0, 1), folded [T*N, H, W, C], the same frame repeated over T. */
function input(T: number, N: number, [h, w, c]: InputShape): tf.Tensor {
  return tf.tidy(() => {
    const rng = new Rng(1);
    const frame = tf.tensor(
      Float32Array.from({ length: N * h * w * c }, () => rng.next()),
      [1, N, h, w, c],
    );
    return tf.reshape(tf.tile(frame, [T, 1, 1, 1, 1]), [T * N, h, w, c]);
  });
}

/** Records the per-step spike shape [T, N, ...] of every GLIF layer by path. */
function shapeRecorder(): ActivityRecorder & { shapes: Map<string, number[]> } {
  const shapes = new Map<string, number[]>();
  return { shapes, record: (path, { spikes }) => shapes.set(path, spikes.shape) };
}

beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});

describe('parameter counts (hand-derived from reference glif.md section 7)', () => {
  it('ResNet-19, CIFAR-10 head, T=4: 12,749,824 in total, 49,280 GLIF over 17 layers', () => {
    const m = build('resnet19', 4, 10, [32, 32, 3]);
    try {
      expect(m.countParameters()).toEqual({ total: 12_749_824, glif: 49_280, glifLayers: 17 });
      const byPath = new Map(m.root.parameters().map((p) => [p.path, p.variable.shape]));
      // The head: two bare linears 512 -> 256 -> 10, no biases (official `lastave`).
      expect(byPath.get('lastave.0.weight')).toEqual([512, 256]);
      expect(byPath.get('lastave.1.weight')).toEqual([256, 10]);
      expect([...byPath.keys()].filter((p) => p.startsWith('lastave'))).toEqual([
        'lastave.0.weight',
        'lastave.1.weight',
      ]);
      expect(byPath.get('conv1.0.0.weight')).toEqual([3, 3, 3, 128]);
      expect(byPath.get('features.3.downsample.0.0.weight')).toEqual([1, 1, 128, 256]);
      expect(byPath.get('features.1.downsample.0.weight')).toEqual([128]); // identity shortcut: tdBN only
      expect(m.glifLayers().map((l) => l.path)).toEqual([
        'conv1.1',
        ...Array.from({ length: 8 }, (_, i) => [`features.${i}.body.1`, `features.${i}.lif`]).flat(),
      ]);
    } finally {
      m.dispose();
    }
  });

  it('ResNet-19 with the CIFAR-100 head (single Linear 512->100)', () => {
    const m = build('resnet19', 4, 100, [32, 32, 3]);
    try {
      expect(m.countParameters()).toEqual({
        total: 12_749_824 - (512 * 256 + 256 * 10) + 512 * 100,
        glif: 49_280,
        glifLayers: 17,
      });
    } finally {
      m.dispose();
    }
  });

  it('fmnist-cnn, T=4: 51,338 in total, 1,056 GLIF over 2 layers', () => {
    const m = build('fmnist-cnn', 4, 10, [28, 28, 1]);
    try {
      expect(m.countParameters()).toEqual({ total: 51_338, glif: 1_056, glifLayers: 2 });
      const shapes = Object.fromEntries(
        m.root
          .parameters()
          .filter((p) => p.role === 'weight')
          .map((p) => [p.path, p.variable.shape]),
      );
      expect(shapes).toEqual({
        'features.0.0.weight': [3, 3, 1, 32],
        'features.0.1.weight': [32],
        'features.0.1.bias': [32],
        'features.3.0.weight': [3, 3, 32, 64],
        'features.3.1.weight': [64],
        'features.3.1.bias': [64],
        'classifier.weight': [3136, 10],
        'classifier.bias': [10],
      });
    } finally {
      m.dispose();
    }
  });

  // Derivations (GLIF layer with C channels: (7 + T) * C; conv k*k*in*out; BN 2*C):
  // ResNet-18: stem 1728 + 128 + 704; stage 64x2 = 151,040; 64->128 stage = 531,456;
  //   128->256 stage = 2,111,488; 256->512 stage = 8,417,280; head 133,632.
  //   GLIF channels 64 + 4*(64+128+256+512) = 3,904.
  // CIFARNet: convs 10,915,200, BN 4,864, GLIF 11*2,432, linears 32768*1024 + 1024*512 + 512*10.
  // MS-ResNet-18 (T=6, 1000 classes): convs 11,171,008, BN 2*5,824, GLIF channels 3,456, Linear 512,000.
  // ResNet-34 (T=4, 1000 classes): stem 9,408 + 128 + 704; stage 64 (3 blocks, the first strided,
  //   so projected) 230,656; 64->128 (4) 1,128,448; 128->256 (6) 6,858,752; 256->512 (3) 13,150,208;
  //   Linear 512,000. GLIF channels 64 + 2*(3*64 + 4*128 + 6*256 + 3*512) = 7,616. Without GLIF,
  //   the identity shortcuts' BN and the stride-2 first stage's projection it is torchvision's
  //   resnet34 without the fc bias: 21,796,672.
  // 7B-wideNet (T=16): unit 2->64 = 128 + 128 + 23*64; SEW(64) = 2*36,864 + 256 + 2*23*64 (x4);
  //   unit 64->128 = 8,192 + 256 + 23*128; SEW(128) = 2*147,456 + 512 + 2*23*128 (x3); Linear 1152*10 + 10.
  // MLP 784-256-10 (T=4): 784*256 + 2*256 + 11*256 + 256*10 + 10.
  it.each<[ArchId, number, number, InputShape, { total: number; glif: number; glifLayers: number }]>([
    ['resnet18', 4, 10, [32, 32, 3], { total: 11_347_456, glif: 42_944, glifLayers: 17 }],
    ['cifarnet', 4, 10, [32, 32, 3], { total: 45_030_656, glif: 26_752, glifLayers: 5 }],
    ['ms-resnet18', 6, 1000, [224, 224, 3], { total: 11_739_584, glif: 44_928, glifLayers: 17 }],
    ['resnet34', 4, 1000, [224, 224, 3], { total: 21_890_304, glif: 83_776, glifLayers: 33 }],
    ['wide7b', 16, 10, [48, 48, 2], { total: 1_236_298, glif: 33_856, glifLayers: 16 }],
    ['mlp', 4, 10, [28, 28, 1], { total: 206_602, glif: 2_816, glifLayers: 1 }],
  ])('%s at T=%i, %i classes, input %j', (arch, T, classes, shape, expected) => {
    const m = build(arch, T, classes, shape, arch === 'mlp' ? [256] : undefined);
    try {
      const counts = m.countParameters();
      console.info(`${arch} T=${T} ${classes} classes: ${JSON.stringify(counts)}`);
      expect(counts).toEqual(expected);
    } finally {
      m.dispose();
    }
  });
});

describe('forward pass', () => {
  const cases: Array<[ArchId, number, number, number, InputShape]> = [
    ['fmnist-cnn', 2, 2, 10, [28, 28, 1]],
    ['mlp', 2, 2, 10, [8, 8, 1]],
    ['cifarnet', 2, 1, 10, [8, 8, 3]],
    ['resnet18', 2, 1, 10, [8, 8, 3]],
    ['resnet19', 1, 1, 10, [32, 32, 3]],
    ['ms-resnet18', 2, 1, 1000, [64, 64, 3]],
    ['resnet34', 2, 1, 10, [64, 64, 3]],
    ['wide7b', 2, 1, 10, [48, 48, 2]],
  ];

  it('covers every architecture', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual([...ARCH_IDS].sort());
  });

  it.each(cases)('%s: T=%i, N=%i gives finite [N, %i] logits', (arch, T, N, classes, shape) => {
    const m = build(arch, T, classes, shape, arch === 'mlp' ? [32, 16] : undefined);
    const x = input(T, N, shape);
    const recorder = shapeRecorder();
    try {
      const y = m.logits(x, { T, training: true, recorder });
      expect(y.shape).toEqual([N, classes]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      y.dispose();
      expect([...recorder.shapes.keys()]).toEqual(m.glifLayers().map((l) => l.path));
      const spatial = (path: string) => recorder.shapes.get(path)?.slice(2);
      if (arch === 'resnet19') {
        expect(spatial('conv1.1')).toEqual([32, 32, 128]);
        expect(spatial('features.2.lif')).toEqual([32, 32, 128]);
        expect(spatial('features.3.lif')).toEqual([16, 16, 256]);
        expect(spatial('features.7.lif')).toEqual([8, 8, 512]);
      }
      if (arch === 'resnet18') {
        // strides 1, 1, 2, 2
        expect(spatial('features.3.lif')).toEqual([8, 8, 128]);
        expect(spatial('features.5.lif')).toEqual([4, 4, 256]);
        expect(spatial('features.7.lif')).toEqual([2, 2, 512]);
      }
      if (arch === 'ms-resnet18') {
        // conv7x7 stride 2 padding 1: 64 -> 30 (224 -> 110), then stride 2 at every stage.
        expect(spatial('conv1.1')).toEqual([30, 30, 64]);
        expect(spatial('features.0.body.0')).toEqual([30, 30, 64]);
        expect(spatial('features.1.body.0')).toEqual([15, 15, 64]);
        expect(spatial('features.7.body.2')).toEqual([2, 2, 512]);
      }
      if (arch === 'resnet34') {
        // The ImageNet stem (64 -> 30), then stride 2 at every stage start, the first included.
        expect(spatial('conv1.1')).toEqual([30, 30, 64]);
        expect(spatial('features.0.lif')).toEqual([15, 15, 64]);
        expect(spatial('features.2.lif')).toEqual([15, 15, 64]);
        expect(spatial('features.3.lif')).toEqual([8, 8, 128]);
        expect(spatial('features.7.lif')).toEqual([4, 4, 256]);
        expect(spatial('features.13.lif')).toEqual([2, 2, 512]);
        expect(spatial('features.15.lif')).toEqual([2, 2, 512]);
      }
      if (arch === 'wide7b') {
        expect(spatial('conv.0.1')).toEqual([48, 48, 64]);
        expect(spatial('conv.11.conv.1.1')).toEqual([6, 6, 128]);
      }
    } finally {
      x.dispose();
      m.dispose();
    }
  });

  it('7B-wideNet: a SEW block adds its output spikes to its input spikes', () => {
    const m = build('wide7b', 2, 10, [16, 16, 2]);
    const x = input(2, 1, [16, 16, 2]);
    try {
      const ctx: ForwardContext = { T: 2, training: true };
      const unit = m.root.modules().find((mod) => mod.path === 'conv.0');
      const block = m.root.modules().find((mod) => mod.path === 'conv.1');
      const branch = m.root.modules().find((mod) => mod.path === 'conv.1.conv');
      if (!unit || !block || !branch) throw new Error('wide7b lacks conv.0 / conv.1 / conv.1.conv');
      const [spikesIn, residual] = tf.tidy(() => {
        const s = unit.forward(x, ctx);
        return [s, tf.sub(block.forward(s, ctx), branch.forward(s, ctx))];
      });
      const inValues = new Set(spikesIn.dataSync());
      expect([...inValues].every((v) => v === 0 || v === 1)).toBe(true);
      expect(Array.from(residual.dataSync())).toEqual(Array.from(spikesIn.dataSync()));
      tf.dispose([spikesIn, residual]);
    } finally {
      x.dispose();
      m.dispose();
    }
  });

  it('logits are the mean over T of the per-step classifier output', () => {
    const m = build('fmnist-cnn', 3, 10, [28, 28, 1]);
    const x = input(3, 2, [28, 28, 1]);
    try {
      const ctx: ForwardContext = { T: 3, training: false };
      const diff = tf.tidy(() => {
        const steps = tf.unstack(tf.reshape(m.root.forward(x, ctx), [3, 2, 10]));
        const manual = tf.div(tf.addN(steps), 3);
        return tf.max(tf.abs(tf.sub(m.logits(x, ctx), manual))).dataSync()[0];
      });
      expect(diff).toBeLessThan(1e-6);
    } finally {
      x.dispose();
      m.dispose();
    }
  });

  it('rejects input of the wrong shape or T', () => {
    const m = build('fmnist-cnn', 2, 10, [28, 28, 1]);
    const x = input(2, 1, [28, 28, 1]);
    try {
      expect(() => m.logits(x, { T: 3, training: false })).toThrow(/T=2/);
      const wrong = tf.zeros([2, 28, 28, 3]);
      expect(() => m.logits(wrong, { T: 2, training: false })).toThrow(/expects folded input/);
      wrong.dispose();
    } finally {
      x.dispose();
      m.dispose();
    }
  });
});

describe('training plumbing (fmnist-cnn)', () => {
  let model: Model;
  let x: tf.Tensor;
  let labels: tf.Tensor;
  const T = 2;
  const N = 4;

  beforeAll(() => {
    model = build('fmnist-cnn', T, 10, [28, 28, 1]);
    x = input(T, N, [28, 28, 1]);
    labels = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
  });

  afterAll(() => {
    model.dispose();
    x.dispose();
    labels.dispose();
  });

  it('gradients of a cross-entropy loss reach every trainable parameter', () => {
    const trainable = model.root.parameters().filter((p) => p.variable.trainable);
    expect(trainable.length).toBe(model.root.parameters().length);
    const { value, grads } = tf.variableGrads(
      () => {
        const logits = model.logits(x, { T, training: true });
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      },
      trainable.map((p) => p.variable),
    );
    try {
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const reached = trainable.map((p) => {
        const g = grads[p.variable.name];
        const norm = g ? tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]) : NaN;
        return [p.path, Number.isFinite(norm) && norm > 0] as const;
      });
      expect(reached.filter(([, ok]) => !ok).map(([path]) => path)).toEqual([]);
    } finally {
      value.dispose();
      tf.dispose(grads);
    }
  });

  it('leaves no tensors behind across repeated forward passes (train and eval)', () => {
    const run = (training: boolean) => {
      const y = model.logits(x, { T, training });
      y.dataSync();
      y.dispose();
    };
    run(true);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      run(true);
      run(false);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('building and disposing a model releases all its tensors', () => {
    const before = tf.memory().numTensors;
    for (const arch of ['fmnist-cnn', 'resnet18', 'wide7b'] as const) {
      const m = build(arch, 2, 10, arch === 'wide7b' ? [16, 16, 2] : [8, 8, arch === 'fmnist-cnn' ? 1 : 3]);
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('module paths', () => {
  const shapes: Record<ArchId, InputShape> = {
    'fmnist-cnn': [8, 8, 1],
    mlp: [4, 4, 1],
    cifarnet: [8, 8, 3],
    resnet19: [8, 8, 3],
    resnet18: [8, 8, 3],
    'ms-resnet18': [64, 64, 3],
    resnet34: [64, 64, 3],
    wide7b: [16, 16, 2],
  };

  it.each(ARCH_IDS)('%s: parameter, buffer and GLIF paths are unique and use the official names', (arch) => {
    const m = build(arch, 2, 10, shapes[arch], arch === 'mlp' ? [8, 8] : undefined);
    try {
      const paths = [...m.root.parameters().map((p) => p.path), ...m.root.buffers().map((b) => b.path)];
      expect(new Set(paths).size).toBe(paths.length);
      const glifPaths = m.glifLayers().map((l) => l.path);
      expect(new Set(glifPaths).size).toBe(glifPaths.length);
      expect(glifPaths.every((p) => p.length > 0)).toBe(true);
      const expectedFirst: Record<ArchId, string> = {
        'fmnist-cnn': 'features.1',
        mlp: 'features.0.2',
        cifarnet: 'features.1',
        resnet19: 'conv1.1',
        resnet18: 'conv1.1',
        'ms-resnet18': 'conv1.1',
        resnet34: 'conv1.1',
        wide7b: 'conv.0.1',
      };
      expect(glifPaths[0]).toBe(expectedFirst[arch]);
      // GLIF parameters carry the official attribute names.
      const firstGlif = m.root
        .parameters()
        .filter((p) => p.path.startsWith(`${glifPaths[0]}.`))
        .map((p) => p.path.slice(glifPaths[0].length + 1));
      expect(firstGlif).toEqual(['alpha', 'beta', 'gamma', 'tau', 'Vth', 'leak', 'reVth', 'conduct']);
    } finally {
      m.dispose();
    }
  });
});

describe('weight initialisation (reference 7.8)', () => {
  it('static models: Linear normal(0, 0.01) with zero bias; DVS: PyTorch default uniform', () => {
    const kaiming = factory(2).linear(1000, 200, true);
    const torch = factory(2, { weightInit: 'torch-default' }).linear(1000, 200, true);
    try {
      const std = tf.tidy(() => Math.sqrt(tf.moments(kaiming.weight).variance.dataSync()[0]));
      expect(std).toBeGreaterThan(0.0095);
      expect(std).toBeLessThan(0.0105);
      expect(Array.from(kaiming.bias!.dataSync()).every((v) => v === 0)).toBe(true);
      const bound = 1 / Math.sqrt(1000);
      for (const v of [torch.weight, torch.bias!]) {
        const values = Array.from(v.dataSync());
        expect(values.every((a) => Math.abs(a) <= bound)).toBe(true);
        expect(values.reduce((a, b) => Math.max(a, Math.abs(b)), 0)).toBeGreaterThan(0.9 * bound);
      }
    } finally {
      kaiming.dispose();
      torch.dispose();
    }
  });
});
