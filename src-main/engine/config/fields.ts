import { describeVariant, VARIANT_IDS } from '../glif/variants';

/**
 * Every settable key of a RunConfig, with its type, allowed range, group and help text.
 * The CLI's `--set key=value`, the validation messages and the UI's form are all built from
 * this one table, so they cannot disagree.
 */
export type FieldGroup = 'data' | 'model' | 'neuron' | 'optimiser' | 'schedule' | 'engine';

export interface EnumOption {
  readonly value: string;
  readonly label: string;
}

/** A value of a number field with a name: a recipe's choice the CLI and the form offer by name. */
export interface NamedNumber {
  readonly name: string;
  readonly value: number;
  readonly label: string;
}

export type FieldKind =
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | {
      readonly type: 'number';
      readonly min: number;
      readonly max: number;
      readonly minExclusive?: boolean;
      readonly named?: readonly NamedNumber[];
    }
  | { readonly type: 'enum'; readonly options: readonly EnumOption[] }
  | { readonly type: 'boolean' }
  | { readonly type: 'path' }
  | { readonly type: 'int-list'; readonly min: number; readonly max: number };

export interface ConfigField {
  /** Dotted path into RunConfig, e.g. `train.lr`. */
  readonly key: string;
  readonly label: string;
  readonly group: FieldGroup;
  readonly kind: FieldKind;
  /** null is allowed (meaning: default location / no limit / not used). */
  readonly nullable?: boolean;
  /**
   * What null means, in the words the UI shows for it (the form's placeholder, Compare's config
   * diff): one wording everywhere, instead of `null` in one view and "all" in another.
   */
  readonly emptyLabel?: string;
  readonly help: string;
}

const enumOf = (values: readonly string[], label: (v: string) => string = (v) => v): EnumOption[] =>
  values.map((value) => ({ value, label: label(value) }));

export const CONFIG_FIELDS: readonly ConfigField[] = [
  {
    key: 'data.dataset',
    label: 'Dataset',
    group: 'data',
    kind: {
      type: 'enum',
      options: enumOf([
        'fashion-mnist',
        'mnist',
        'cifar10',
        'cifar100',
        'cifar10-dvs',
        'image-folder',
        'synthetic',
      ]),
    },
    help: 'Fashion-MNIST/MNIST (IDX), CIFAR-10/100 (binary version), CIFAR10-DVS (aedat events), an image folder (ImageNet or your own: class folders of JPEG/PNG, under train/ and val/ or alone), or synthetic data for smoke runs.',
  },
  {
    key: 'data.path',
    label: 'Data location',
    group: 'data',
    kind: { type: 'path' },
    nullable: true,
    emptyLabel: 'default',
    help: 'Folder or .tar.gz of the dataset. Empty: the default (Fashion-MNIST from /usr/share/datasets/fashion-mnist).',
  },
  {
    key: 'data.trainLimit',
    label: 'Training samples',
    group: 'data',
    kind: { type: 'int', min: 1, max: 10_000_000 },
    nullable: true,
    emptyLabel: 'all',
    help: 'Train on the first N samples only (quick runs). Empty: all.',
  },
  {
    key: 'data.testLimit',
    label: 'Test samples',
    group: 'data',
    kind: { type: 'int', min: 1, max: 10_000_000 },
    nullable: true,
    emptyLabel: 'all',
    help: 'Evaluate on the first N test samples only. Empty: all.',
  },
  {
    key: 'data.augment',
    label: 'Augmentation',
    group: 'data',
    kind: { type: 'boolean' },
    help: "The reference's train augmentation: random crop with 4-pixel padding and horizontal flip (CIFAR), random crop (DVS), random resized crop and flip (image folders).",
  },
  {
    key: 'data.imageSize',
    label: 'Image size',
    group: 'data',
    kind: { type: 'int', min: 8, max: 1024 },
    help: "Side of an image folder's square crops, in pixels (224 for ImageNet; test images are resized to 8/7 of it, then centre-cropped). Other datasets keep their own size.",
  },
  {
    key: 'model.arch',
    label: 'Architecture',
    group: 'model',
    kind: {
      type: 'enum',
      options: [
        { value: 'fmnist-cnn', label: 'Fashion-MNIST CNN (2 conv)' },
        { value: 'mlp', label: 'MLP' },
        { value: 'cifarnet', label: 'CIFARNet' },
        { value: 'resnet19', label: 'ResNet-19' },
        { value: 'resnet18', label: 'ResNet-18' },
        { value: 'resnet34', label: 'ResNet-34 (ImageNet)' },
        { value: 'ms-resnet18', label: 'MS-ResNet-18 (ImageNet)' },
        { value: 'wide7b', label: '7B-wideNet (CIFAR10-DVS)' },
      ],
    },
    help: 'Network architecture (reference section 7).',
  },
  {
    key: 'model.timeSteps',
    label: 'Time steps T',
    group: 'model',
    kind: { type: 'int', min: 1, max: 64 },
    help: 'Number of simulation steps; static images are repeated T times, DVS events are split into T frames.',
  },
  {
    key: 'model.mlpHidden',
    label: 'MLP hidden sizes',
    group: 'model',
    kind: { type: 'int-list', min: 1, max: 65_536 },
    help: 'Comma-separated hidden layer sizes of the MLP architecture.',
  },
  {
    key: 'model.weightInit',
    label: 'Weight initialisation',
    group: 'model',
    kind: {
      type: 'enum',
      options: [
        { value: 'kaiming', label: 'Reference (kaiming-normal conv, N(0, 0.01) linear)' },
        { value: 'torch-default', label: 'PyTorch layer defaults' },
      ],
    },
    help: "How conv and linear weights start (reference section 7.8; the DVS model and the benchmark's CNN use PyTorch's defaults).",
  },
  {
    key: 'model.norm',
    label: 'Normalisation',
    group: 'model',
    kind: {
      type: 'enum',
      options: [
        { value: 'official', label: "The authors': tdBN, plain BatchNorm in 7B-wideNet" },
        { value: 'tdbn', label: 'tdBN everywhere' },
        {
          value: 'plain',
          label: "Plain BatchNorm everywhere (the authors' multi-GPU ImageNet runs, through SyncBN)",
        },
      ],
    },
    help: "The normalisation after each conv (reference 7.6-7.7): tdBN scales by its alpha and the threshold; the authors' multi-GPU ImageNet runs converted every tdBN to SyncBatchNorm, which drops that scaling, and the CIFAR10-DVS model uses BatchNorm2d.",
  },
  {
    key: 'model.head',
    label: 'ResNet classifier',
    group: 'model',
    kind: {
      type: 'enum',
      options: [
        {
          value: 'official',
          label:
            "The authors': by class count; one Linear for ResNet-34, and for ResNet-18 with layer-wise or GLIF_f neurons",
        },
        { value: 'by-classes', label: 'Linear 512-256-classes up to 50 classes, one Linear above' },
        { value: 'single', label: 'One Linear 512-classes' },
      ],
    },
    help: "The classifier after the global average pool of ResNet-19, ResNet-18, ResNet-34 and MS-ResNet-18 (reference 7.3-7.4); the other architectures have their own. The authors' ResNet-34 always ends in one 512-classes Linear, and their layer-wise and GLIF_f ResNet-18 on CIFAR-10 in a single 512-10 Linear.",
  },
  {
    key: 'neuron.variant',
    label: 'Neuron variant',
    group: 'neuron',
    kind: {
      type: 'enum',
      options: enumOf(VARIANT_IDS, (id) => {
        const d = describeVariant(id as (typeof VARIANT_IDS)[number]);
        return d.bits ? `${d.label} (${d.bits})` : d.label;
      }),
    },
    help: 'GLIF with learnable gates, frozen or hard gates, GLIF_f, or one of the eight simplex LIFs (bits: alpha beta gamma).',
  },
  {
    key: 'neuron.layerwise',
    label: 'Layer-wise parameters',
    group: 'neuron',
    kind: { type: 'boolean' },
    help: 'One value per layer instead of one per channel.',
  },
  {
    key: 'neuron.init',
    label: 'Initial values',
    group: 'neuron',
    kind: {
      type: 'enum',
      options: [
        { value: 'cifar', label: 'CIFAR (tau 0.25, V_th 0.5, g 0.5)' },
        { value: 'imagenet-t4', label: 'ImageNet at T=4 (as CIFAR: tau 0.25, V_th 0.5, g 0.5)' },
        { value: 'imagenet-t6', label: 'ImageNet at T=6 (tau 0.25, V_th 0.5, g 0.9)' },
        { value: 'dvs', label: 'CIFAR10-DVS (tau 0.5, V_th 0.99999, g 0.9)' },
      ],
    },
    help: 'Initial primitive values (reference section 2).',
  },
  {
    key: 'neuron.gateRange',
    label: 'Initial gate range',
    group: 'neuron',
    kind: {
      type: 'enum',
      options: [
        { value: 'code', label: 'Code: raw U(-0.1, 0.1), gates in (0.475, 0.525)' },
        { value: 'paper', label: 'Paper: gates in [0.4502, 0.5498)' },
        {
          value: 'fixed',
          label:
            'Code without --randomgate (--gate 0.6 0.8 0.6): gates 0.55, 0.65, 0.55; layer-wise 0.45, 0.35, 0.45',
        },
      ],
    },
    help: "Where the gates start: the authors' code (--randomgate), the paper's stated range, or the code's fixed constructor values. The authors' layer-wise constructor stores those with the opposite sign, so layer-wise neurons start at 1 minus the channel-wise values, as in their code. With static gates (glif-static, GLIF_s) they stay there.",
  },
  {
    key: 'neuron.reset',
    label: 'Reset form',
    group: 'neuron',
    kind: {
      type: 'enum',
      options: [
        { value: 'code', label: "Code (the authors' implementation)" },
        { value: 'paper-figure', label: 'Paper figure (hard reset also removes the linear leak)' },
      ],
    },
    help: 'Where the hard reset acts (reference section 9.1). Keep "code" for results comparable with the paper.',
  },
  {
    key: 'neuron.surrogateWidth',
    label: 'Surrogate width',
    group: 'neuron',
    kind: { type: 'number', min: 0, max: 10, minExclusive: true },
    help: 'Width of the rectangular surrogate gradient window around V_th (the authors use 1).',
  },
  {
    key: 'train.epochs',
    label: 'Epochs',
    group: 'schedule',
    kind: { type: 'int', min: 1, max: 10_000 },
    help: 'Number of passes over the training set; the model is evaluated after each.',
  },
  {
    key: 'train.batchSize',
    label: 'Batch size',
    group: 'optimiser',
    kind: { type: 'int', min: 1, max: 4096 },
    help: 'Samples per step.',
  },
  {
    key: 'train.lr',
    label: 'Learning rate',
    group: 'optimiser',
    kind: { type: 'number', min: 0, max: 10, minExclusive: true },
    help: 'SGD learning rate of the weights (gates: times the gate factor).',
  },
  {
    key: 'train.momentum',
    label: 'Momentum',
    group: 'optimiser',
    kind: { type: 'number', min: 0, max: 1, minExclusive: false },
    help: 'SGD momentum (0.9 in every recipe).',
  },
  {
    key: 'train.weightDecay',
    label: 'Weight decay',
    group: 'optimiser',
    kind: {
      type: 'number',
      min: 0,
      max: 1,
      named: [
        { name: 'paper', value: 5e-5, label: 'paper: 5e-5 (the CIFAR recipe of the paper)' },
        {
          name: 'authors',
          value: 4e-5,
          label: "authors' runs: 4e-5 (train.py's --weight-decay default, which their README commands keep)",
        },
      ],
    },
    help: "L2 weight decay on conv, linear and BN parameters (GLIF parameters never get it). The paper states 5e-5; the authors' train.py defaults to 4e-5 and their README commands do not override it.",
  },
  {
    key: 'train.gateLrScale',
    label: 'Gate learning-rate factor',
    group: 'optimiser',
    kind: { type: 'number', min: 0, max: 100 },
    help: 'The gates learn at lr times this (0.1 on CIFAR, 1 on ImageNet and DVS).',
  },
  {
    key: 'train.schedule',
    label: 'Schedule',
    group: 'schedule',
    kind: {
      type: 'enum',
      options: [
        { value: 'cosine', label: 'Cosine to 0 over the epochs' },
        { value: 'cosine-periodic', label: 'Cosine with period (DVS recipe)' },
        { value: 'constant', label: 'Constant' },
      ],
    },
    help: 'Learning-rate schedule, stepped once per epoch.',
  },
  {
    key: 'train.scheduleTMax',
    label: 'Cosine period T_max',
    group: 'schedule',
    kind: { type: 'int', min: 1, max: 10_000 },
    nullable: true,
    emptyLabel: 'not used',
    help: 'T_max of the periodic cosine schedule (64 in the DVS recipe).',
  },
  {
    key: 'train.scheduleStep',
    label: 'Advance per',
    group: 'schedule',
    kind: {
      type: 'enum',
      options: [
        { value: 'epoch', label: 'Once per epoch (paper)' },
        { value: 'step', label: 'Once per batch' },
      ],
    },
    help: 'When the schedule advances: per epoch as in the paper, or per batch (the one-epoch benchmark recipe).',
  },
  {
    key: 'train.seed',
    label: 'Seed',
    group: 'schedule',
    kind: { type: 'int', min: 0, max: 2 ** 32 - 1 },
    help: 'Seeds weight init, gate init, shuffling and augmentation; runs with the same seed on the same backend repeat exactly.',
  },
  {
    key: 'engine.name',
    label: 'Engine',
    group: 'engine',
    kind: {
      type: 'enum',
      options: [
        { value: 'tfjs', label: 'tfjs: the workbench (TensorFlow.js)' },
        { value: 'torch', label: 'torch: PyTorch, one or more processes' },
      ],
    },
    help: 'The training engine. torch runs the same experiment on PyTorch (GLIF_PYTHON, else python3 with torch), in engine.processes processes (DistributedDataParallel; gloo on CPU, nccl on GPUs); the same seed gives it the same initial weights and sample order.',
  },
  {
    key: 'engine.processes',
    label: 'Processes',
    group: 'engine',
    kind: { type: 'int', min: 1, max: 256 },
    help: 'torch engine: training processes (one GPU each where there are GPUs). The batch size is per process, so a step trains on processes x batch size samples. tfjs: 1.',
  },
];

const BY_KEY = new Map(CONFIG_FIELDS.map((f) => [f.key, f]));

export function configField(key: string): ConfigField | undefined {
  return BY_KEY.get(key);
}

/** The allowed range of a field, as the messages and the form show it. */
export function describeRange(field: ConfigField): string {
  const k = field.kind;
  const orNull = field.nullable ? ' (or empty)' : '';
  switch (k.type) {
    case 'int':
      return `an integer from ${k.min} to ${k.max}${orNull}`;
    case 'number':
      return (
        `a number ${k.minExclusive ? '>' : '>='} ${k.min} and <= ${k.max}${orNull}` +
        (k.named ? `, or by name: ${k.named.map((n) => `${n.name} (${n.value})`).join(', ')}` : '')
      );
    case 'enum':
      return `one of ${k.options.map((o) => o.value).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'path':
      return `a file or folder path${orNull}`;
    case 'int-list':
      return `comma-separated integers from ${k.min} to ${k.max}`;
  }
}
