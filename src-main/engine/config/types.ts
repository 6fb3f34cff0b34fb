import type { GateRangeId, InitPresetId } from '../glif/init';
import type { ResetForm, VariantId } from '../glif/variants';
import type { EngineName } from '../engines';

/**
 * The full, serialisable description of a training run. Everything a run depends on is here,
 * so a stored config reproduces the run (on the same backend). Pure data: no Node or TF.js
 * imports, so the UI can share it.
 */
export type DatasetId =
  'fashion-mnist' | 'mnist' | 'cifar10' | 'cifar100' | 'cifar10-dvs' | 'image-folder' | 'synthetic';
export type ArchId =
  'fmnist-cnn' | 'mlp' | 'cifarnet' | 'resnet19' | 'resnet18' | 'resnet34' | 'ms-resnet18' | 'wide7b';
/** `cosine`: to 0 over the epochs. `cosine-periodic`: PyTorch CosineAnnealingLR with T_max < epochs (the DVS recipe). */
export type WeightInitId = 'kaiming' | 'torch-default';
/**
 * The ResNets' classifier (reference glif.md 7.3-7.4): `by-classes` is two bare linears
 * 512 -> 256 -> classes up to 50 classes and one 512 -> classes above; `single` is always one;
 * `official` is what the authors' code builds: by classes, except a single head for ResNet-34
 * and for ResNet-18 with the layer-wise or GLIF_f neuron (their `_softsimple` twins).
 */
export type HeadId = 'official' | 'by-classes' | 'single';
export type NormId = 'official' | 'tdbn' | 'plain';
export type ScheduleId = 'cosine' | 'cosine-periodic' | 'constant';

export interface DataConfig {
  readonly dataset: DatasetId;
  /** Folder or archive of the dataset; null = the default location (Fashion-MNIST's Debian package). */
  readonly path: string | null;
  /** Train on the first N training samples only (quick runs); null = all. */
  readonly trainLimit: number | null;
  /** Evaluate on the first N test samples only; null = all. */
  readonly testLimit: number | null;
  /** The reference's train augmentation (CIFAR: crop 32 pad 4 + flip; DVS: crop 48 pad 4). */
  readonly augment: boolean;
  /** Side of the square crops of an image folder (224 for ImageNet); other datasets have their own. */
  readonly imageSize: number;
}

export interface ModelConfig {
  readonly arch: ArchId;
  /** T, the number of time steps (DVS: frames per sample). */
  readonly timeSteps: number;
  /** Hidden layer sizes of the `mlp` architecture. */
  readonly mlpHidden: readonly number[];
  /** `kaiming`: the reference's static-dataset init (section 7.8); `torch-default`: PyTorch's layer defaults. */
  readonly weightInit: WeightInitId;
  /** The ResNets' classifier (HeadId); the other architectures have their own. */
  readonly head: HeadId;
  /** After each conv: `official` is tdBN, except 7B-wideNet's plain BatchNorm2d (reference 7.6-7.7). */
  readonly norm: NormId;
}

export interface NeuronConfig {
  readonly variant: VariantId;
  readonly layerwise: boolean;
  readonly init: InitPresetId;
  readonly gateRange: GateRangeId;
  readonly reset: ResetForm;
  /** Width of the rectangular surrogate window (the authors use 1). */
  readonly surrogateWidth: number;
}

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  /** On conv, linear and BN parameters; GLIF parameters never get weight decay. */
  readonly weightDecay: number;
  /** Learning-rate factor of the gates (0.1 on the CIFAR recipe). */
  readonly gateLrScale: number;
  readonly schedule: ScheduleId;
  /** Period of `cosine-periodic` in epochs (64 in the DVS recipe). */
  readonly scheduleTMax: number | null;
  /** Step the schedule once per epoch (the paper's recipe) or once per batch (the one-epoch benchmark). */
  readonly scheduleStep: 'epoch' | 'step';
  readonly seed: number;
}

/** The training engine (engines.ts) and, for torch, its processes (torchrun's world size). */
export interface EngineConfig {
  readonly name: EngineName;
  readonly processes: number;
}

export interface RunConfig {
  readonly preset: string;
  readonly data: DataConfig;
  readonly model: ModelConfig;
  readonly neuron: NeuronConfig;
  readonly train: TrainConfig;
  readonly engine: EngineConfig;
}

declare const validRunConfig: unique symbol;

/**
 * A RunConfig that has passed validateConfig. Only the config's edges make one: building it from
 * a preset with values or `--set` text (build.ts) and reading a stored one back (stored.ts), so
 * code that takes a ValidRunConfig (the run manager) need not check it again. The mark exists
 * for the compiler only; the JSON is the plain RunConfig.
 */
export type ValidRunConfig = RunConfig & { readonly [validRunConfig]: true };
