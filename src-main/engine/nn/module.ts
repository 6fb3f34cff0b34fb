import '../gradients';
import * as tf from '@tensorflow/tfjs-core';

/**
 * How a parameter is treated by the optimiser (reference glif.md section 2): GLIF primitives
 * and gates get no weight decay, gates may get a reduced learning rate; everything else
 * (conv, linear, BN affine) is an ordinary weight.
 */
export type ParamRole = 'weight' | 'glif-primitive' | 'glif-gate';

export interface NamedParameter {
  /** Dotted path, mirroring the official PyTorch module names (e.g. `layer1.0.body.1.alpha`). */
  readonly path: string;
  readonly variable: tf.Variable;
  readonly role: ParamRole;
}

export interface NamedBuffer {
  readonly path: string;
  readonly variable: tf.Variable;
}

/**
 * What a weighted layer receives, for the energy estimate (train/energy.ts): spikes (or what
 * pooling and SEW additions make of them, still event counts) cost one accumulate per synapse
 * reached, real values (a Linear after a Linear, a membrane shortcut) a multiply-accumulate per
 * weight whatever their value.
 */
export type SynapticInput = 'spikes' | 'real';

/** One weighted layer's call: its input kind, synapses per input value, multiply-accumulates done. */
export interface WeightedCall {
  readonly input: SynapticInput;
  /** Synapses one input value drives (Cout * k^2 / stride^2 for a conv, the output width for a linear). */
  readonly fanOut: number;
  /** Multiply-accumulates of the dense computation of this call, the whole (folded) batch. */
  readonly macs: number;
}

/** Per-layer spikes (and optionally membranes) seen during a forward pass. */
export interface ActivityRecorder {
  readonly wantsMembrane?: boolean;
  /** Also pass each GLIF layer's input current x_t (its tdBN output), unfolded [T, N, ...]. */
  readonly wantsInput?: boolean;
  /** A GLIF layer's output (tensors are disposed after the call: keep or reduce them inside). */
  record(path: string, activity: { spikes: tf.Tensor; membrane?: tf.Tensor; input?: tf.Tensor }): void;
  /** The input of a weighted layer and what one call of it costs (energy estimate). */
  synapticInput?(path: string, input: tf.Tensor, call: WeightedCall): void;
}

export interface ForwardContext {
  /** Time steps; activations travel folded as [T*N, ...] (time-major) between stateless layers. */
  readonly T: number;
  readonly training: boolean;
  readonly recorder?: ActivityRecorder;
}

/**
 * A layer or a container of layers. Weights are created in the constructor with their final
 * names; `forward` is pure tensor math on folded [T*N, ...] activations.
 */
export abstract class Module {
  private readonly childModules: Array<[string, Module]> = [];
  private readonly ownParams: Array<[string, tf.Variable, ParamRole]> = [];
  private readonly ownBuffers: Array<[string, tf.Variable]> = [];
  private prefix = '';

  abstract forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;

  /** This module's dotted path inside the model (set when it is registered). */
  get path(): string {
    return this.prefix;
  }

  protected child<M extends Module>(name: string, module: M): M {
    this.childModules.push([name, module]);
    module.setPrefix(this.join(name));
    return module;
  }

  protected param(
    name: string,
    initial: tf.Tensor,
    role: ParamRole = 'weight',
    trainable = true,
  ): tf.Variable {
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.ownParams.push([name, variable, role]);
    return variable;
  }

  protected buffer(name: string, initial: tf.Tensor): tf.Variable {
    const variable = tf.variable(initial, false);
    initial.dispose();
    this.ownBuffers.push([name, variable]);
    return variable;
  }

  parameters(): NamedParameter[] {
    const out: NamedParameter[] = this.ownParams.map(([name, variable, role]) => ({
      path: this.join(name),
      variable,
      role,
    }));
    for (const [, m] of this.childModules) out.push(...m.parameters());
    return out;
  }

  buffers(): NamedBuffer[] {
    const out: NamedBuffer[] = this.ownBuffers.map(([name, variable]) => ({
      path: this.join(name),
      variable,
    }));
    for (const [, m] of this.childModules) out.push(...m.buffers());
    return out;
  }

  /** Every module in the tree, depth first, this one included. */
  modules(): Module[] {
    const out: Module[] = [this];
    for (const [, m] of this.childModules) out.push(...m.modules());
    return out;
  }

  dispose(): void {
    for (const [, v] of this.ownParams) v.dispose();
    for (const [, v] of this.ownBuffers) v.dispose();
    for (const [, m] of this.childModules) m.dispose();
  }

  private setPrefix(prefix: string): void {
    this.prefix = prefix;
    for (const [name, m] of this.childModules) m.setPrefix(this.join(name));
  }

  private join(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }
}

/** Runs children in order, named 0, 1, 2... like torch.nn.Sequential. */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(layers: Module[]) {
    super();
    this.layers = layers.map((m, i) => this.child(String(i), m));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y, ctx);
    return y;
  }
}

/** [T*N, ...] -> [T, N, ...] */
export function unfoldTime(x: tf.Tensor, T: number): tf.Tensor {
  const [tn, ...rest] = x.shape;
  if (tn % T !== 0) throw new Error(`cannot unfold ${tn} rows into T=${T} steps`);
  return tf.reshape(x, [T, tn / T, ...rest]);
}

/** [T, N, ...] -> [T*N, ...] */
export function foldTime(x: tf.Tensor): tf.Tensor {
  const [t, n, ...rest] = x.shape;
  return tf.reshape(x, [t * n, ...rest]);
}
