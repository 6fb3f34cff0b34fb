import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter, ParamRole } from '../nn/module';

/** How one role of parameters is trained (reference glif.md section 2 / section 8). */
export interface GroupSettings {
  readonly lrScale: number;
  readonly weightDecay: number;
}

export interface SgdOptions {
  readonly momentum: number;
  readonly groups: Readonly<Record<ParamRole, GroupSettings>>;
}

/** Parameter groups of the recipe: GLIF primitives and gates without weight decay, gates at a scaled lr. */
export function recipeGroups(weightDecay: number, gateLrScale: number): Record<ParamRole, GroupSettings> {
  return {
    weight: { lrScale: 1, weightDecay },
    'glif-primitive': { lrScale: 1, weightDecay: 0 },
    'glif-gate': { lrScale: gateLrScale, weightDecay: 0 },
  };
}

export interface SgdState {
  readonly step: number;
  /** Momentum buffers by parameter path (absent until a parameter's first update). */
  readonly buffers: ReadonlyMap<string, tf.Tensor>;
}

/**
 * SGD with momentum exactly as torch.optim.SGD (dampening 0, no Nesterov):
 *   d = g + wd * p;  buf = d on the first step, else momentum * buf + d;  p -= lr * buf
 * Only trainable parameters are updated; frozen gates keep their values.
 */
export class Sgd {
  private readonly params: NamedParameter[];
  private readonly buffers = new Map<string, tf.Variable>();
  private steps = 0;

  constructor(
    params: readonly NamedParameter[],
    private readonly options: SgdOptions,
  ) {
    this.params = params.filter((p) => p.variable.trainable);
  }

  get trainable(): readonly NamedParameter[] {
    return this.params;
  }

  get stepCount(): number {
    return this.steps;
  }

  get momentum(): number {
    return this.options.momentum;
  }

  /** How parameters of `role` are trained (the sharded update of parallel/sharded-sgd.ts reads it). */
  settings(role: ParamRole): GroupSettings {
    return this.options.groups[role];
  }

  /** Applies one update with gradients keyed by variable name (tf.variableGrads' output). */
  step(grads: tf.NamedTensorMap, lr: number): void {
    // The loop is a method rather than the body of the arrow: V8 optimises a closure made per
    // step afresh every few steps, a method once.
    tf.tidy(() => this.update(grads, lr));
    this.steps++;
  }

  private update(grads: tf.NamedTensorMap, lr: number): void {
    const m = this.options.momentum;
    for (const p of this.params) {
      const g = grads[p.variable.name];
      if (!g) continue;
      const group = this.options.groups[p.role];
      const d = group.weightDecay > 0 ? tf.add(g, tf.mul(p.variable, group.weightDecay)) : g;
      let buf = this.buffers.get(p.path);
      if (m > 0) {
        if (!buf) {
          buf = tf.variable(d, false);
          this.buffers.set(p.path, buf);
        } else {
          buf.assign(tf.add(tf.mul(buf, m), d));
        }
      }
      const direction = m > 0 ? buf! : d;
      p.variable.assign(tf.sub(p.variable, tf.mul(direction, lr * group.lrScale)));
    }
  }

  /** Momentum buffers and the step count, for checkpoints. */
  state(): SgdState {
    return { step: this.steps, buffers: this.buffers };
  }

  restore(step: number, buffers: ReadonlyMap<string, tf.Tensor>): void {
    this.dispose();
    for (const [path, t] of buffers) this.buffers.set(path, tf.variable(t, false));
    this.steps = step;
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
