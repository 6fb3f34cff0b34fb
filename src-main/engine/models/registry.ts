import type { InitPresetId } from '../glif/init';
import type { Module } from '../nn/module';
import { CifarNet } from './cifarnet';
import type { LayerFactory } from './factory';
import { FmnistCnn } from './fmnist-cnn';
import { Mlp } from './mlp';
import { SpikingModel, type ArchId, type InputShape, type Model } from './model';
import { MsResNet18 } from './ms-resnet18';
import { ResNet18 } from './resnet18';
import { ResNet19 } from './resnet19';
import { ResNet34 } from './resnet34';
import { Wide7B } from './wide7b';

export interface BuildModelOptions {
  /** Carries T, the neuron variant, GLIF init and weight init (see `ARCH_INFO` for the official ones). */
  readonly factory: LayerFactory;
  readonly numClasses: number;
  /** [height, width, channels] of one frame. */
  readonly inputShape: InputShape;
  /** Hidden widths of the `mlp` architecture. */
  readonly mlpHidden?: readonly number[];
  /** The ResNets: one Linear head whatever the class count (units.ts resnetHead). */
  readonly singleHead?: boolean;
}

export interface ArchInfo {
  readonly label: string;
  /** Where the architecture is defined (reference glif.md section, or the bench README). */
  readonly source: string;
  /** The input the official recipe feeds it. */
  readonly defaultInputShape: InputShape;
  /** How the official code initialises it; pass these to createLayerFactory. */
  readonly weightInit: 'kaiming' | 'torch-default';
  readonly plainNorm: boolean;
  readonly glifInit: InitPresetId;
}

export const ARCH_INFO: Readonly<Record<ArchId, ArchInfo>> = {
  'fmnist-cnn': {
    label: 'Fashion-MNIST CNN (2 GLIF layers)',
    source: 'bench/README.md fmnist-cnn',
    defaultInputShape: [28, 28, 1],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  mlp: {
    label: 'Spiking MLP',
    source: 'workbench (not in the paper)',
    defaultInputShape: [28, 28, 1],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  cifarnet: {
    label: 'CIFARNet',
    source: 'glif.md 7.5',
    defaultInputShape: [32, 32, 3],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  resnet19: {
    label: 'ResNet-19 (CIFAR)',
    source: 'glif.md 7.3',
    defaultInputShape: [32, 32, 3],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  resnet18: {
    label: 'ResNet-18 (CIFAR, strides 1,1,2,2)',
    source: 'glif.md 7.4',
    defaultInputShape: [32, 32, 3],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  resnet34: {
    label: 'ResNet-34 (ImageNet)',
    source: "the authors' networks_for_ImageNet.py ResNet_34_stand_CW",
    defaultInputShape: [224, 224, 3],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  'ms-resnet18': {
    label: 'MS-ResNet-18 (ImageNet)',
    source: 'glif.md 7.6',
    defaultInputShape: [224, 224, 3],
    weightInit: 'kaiming',
    plainNorm: false,
    glifInit: 'cifar',
  },
  wide7b: {
    label: '7B-wideNet (CIFAR10-DVS)',
    source: 'glif.md 7.7',
    defaultInputShape: [48, 48, 2],
    weightInit: 'torch-default',
    plainNorm: true,
    glifInit: 'dvs',
  },
};

export const DEFAULT_MLP_HIDDEN: readonly number[] = [256];

function buildRoot(arch: ArchId, o: BuildModelOptions): Module {
  const f = o.factory;
  switch (arch) {
    case 'fmnist-cnn':
      return new FmnistCnn(f, o.inputShape, o.numClasses);
    case 'mlp':
      return new Mlp(f, {
        inputShape: o.inputShape,
        numClasses: o.numClasses,
        hidden: o.mlpHidden ?? DEFAULT_MLP_HIDDEN,
      });
    case 'cifarnet':
      return new CifarNet(f, o.inputShape, o.numClasses);
    case 'resnet19':
      return new ResNet19(f, o.inputShape, o.numClasses, o.singleHead);
    case 'resnet18':
      return new ResNet18(f, o.inputShape, o.numClasses, o.singleHead);
    case 'resnet34':
      return new ResNet34(f, o.inputShape, o.numClasses, o.singleHead);
    case 'ms-resnet18':
      return new MsResNet18(f, o.inputShape, o.numClasses, o.singleHead);
    case 'wide7b':
      return new Wide7B(f, o.inputShape, o.numClasses);
  }
}

export function buildModel(arch: ArchId, o: BuildModelOptions): Model {
  if (!Number.isInteger(o.numClasses) || o.numClasses < 1)
    throw new Error(`numClasses must be a positive integer, got ${o.numClasses}`);
  return new SpikingModel(arch, buildRoot(arch, o), o.factory.T, o.numClasses, o.inputShape);
}
