import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNeuronImpl } from '../glif/impl';
import type { GlifInit, UniformSource } from '../glif/init';
import { GlifLayer } from '../glif/layer';
import type { Surrogate } from '../glif/surrogate';
import { TdBatchNorm } from '../glif/tdbn';
import type { NeuronSpec } from '../glif/variants';
import { Conv2d } from '../nn/conv2d';
import { Linear } from '../nn/linear';
import type { SynapticInput } from '../nn/module';

/** Anything that yields standard normal and uniform draws (the engine's seeded Rng does). */
export interface NormalSource extends UniformSource {
  normal(): number;
}

/**
 * Builds the layers every model is made of, with the run's neuron variant, GLIF init and
 * weight initialisation (reference glif.md section 7.8), so model files only describe topology.
 */
export interface LayerFactory {
  readonly T: number;
  /** `input`: what the conv receives (energy estimate), spikes unless said. */
  conv(
    inC: number,
    outC: number,
    kernel: number,
    stride: number,
    padding: number,
    bias?: boolean,
    input?: SynapticInput,
  ): Conv2d;
  norm(channels: number, alpha: number): TdBatchNorm;
  glif(channels: number): GlifLayer;
  /** Weight [in, out]; bias only where the official model has one; `input` as for conv. */
  linear(inFeatures: number, outFeatures: number, bias?: boolean, input?: SynapticInput): Linear;
}

export interface LayerFactoryOptions {
  readonly T: number;
  readonly spec: NeuronSpec;
  readonly init: GlifInit;
  readonly rng: NormalSource;
  /** 'kaiming' (static datasets: kaiming-normal fan_out ReLU gain) or 'torch-default' (DVS). */
  readonly weightInit: 'kaiming' | 'torch-default';
  /** Plain BatchNorm2d instead of tdBN (the DVS model). */
  readonly plainNorm?: boolean;
  readonly surrogate?: Surrogate;
  /** Neuron implementation of every GLIF layer and tdBN (impl.ts), resolved by the caller. */
  readonly impl: ResolvedNeuronImpl;
}

export function normalTensor(shape: number[], std: number, rng: NormalSource): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return tf.tensor(data, shape);
}

export function uniformTensor(shape: number[], bound: number, rng: UniformSource): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * bound;
  return tf.tensor(data, shape);
}

export function createLayerFactory(o: LayerFactoryOptions): LayerFactory {
  return {
    T: o.T,
    conv(inC, outC, kernel, stride, padding, bias = false, input = 'spikes') {
      return new Conv2d({
        inChannels: inC,
        outChannels: outC,
        kernel,
        stride,
        padding,
        bias,
        input,
        init: (shape) => {
          if (o.weightInit === 'kaiming') {
            // kaiming_normal_(mode='fan_out', nonlinearity='relu'): std = sqrt(2 / (out * k * k)).
            return normalTensor(shape, Math.sqrt(2 / (outC * kernel * kernel)), o.rng);
          }
          // PyTorch's default conv init: kaiming_uniform(a=sqrt(5)) -> U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
          return uniformTensor(shape, 1 / Math.sqrt(inC * kernel * kernel), o.rng);
        },
      });
    },
    norm(channels, alpha) {
      return new TdBatchNorm({ channels, alpha, plain: o.plainNorm, impl: o.impl });
    },
    glif(channels) {
      return new GlifLayer({
        channels,
        T: o.T,
        spec: o.spec,
        init: o.init,
        rng: o.rng,
        surrogate: o.surrogate,
        impl: o.impl,
      });
    },
    linear(inF, outF, bias = false, input = 'spikes') {
      // Static models: normal(0, 0.01) weights and zero bias (`_initialize_weights`). DVS: PyTorch's
      // nn.Linear default, weight and bias both U(-1/sqrt(in), 1/sqrt(in)).
      const bound = 1 / Math.sqrt(inF);
      return new Linear({
        inFeatures: inF,
        outFeatures: outF,
        bias,
        input,
        init: (shape) =>
          o.weightInit === 'kaiming' ? normalTensor(shape, 0.01, o.rng) : uniformTensor(shape, bound, o.rng),
        biasInit: (shape) =>
          o.weightInit === 'kaiming' ? tf.zeros(shape) : uniformTensor(shape, bound, o.rng),
      });
    },
  };
}
