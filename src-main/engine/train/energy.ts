import type { WeightedCall } from '../nn/module';
import { PICOJOULES_PER_OPERATION } from './energy-costs';

/**
 * The operations of one forward pass, per sample, split by what they cost:
 *
 *   SOPs = sum over weighted layers l (conv, linear) that receive spikes of
 *          sum(input activity of l) * fanOut(l)
 *   MACs = sum over weighted layers l that receive real values of
 *          the multiply-accumulates of l's dense computation
 *
 * The input activity is the sum of the layer's input values over all time steps: the spike count
 * for binary spikes; average pooling and SEW additions give the corresponding fractional or
 * multiple counts, still events (a pooled spike reaches its synapses with a scaled weight, one
 * accumulate each). fanOut is the number of synapses one input drives: Cout * k^2 / stride^2 for
 * a k x k conv (exact away from the borders), the output width for a linear.
 *
 * A layer receives real values where no neuron stands before it (ResNet's second head Linear,
 * CIFARNet's second and third Linears, MS-ResNet-18's shortcut convs after the first block and its
 * head), and as the first layer of a static-image model (direct encoding: the image itself, at
 * every time step, as the model computes it). Those cost a multiply-accumulate per weight and
 * output position whatever the value, zeros included, as dense hardware does.
 */
export interface OperationsPerSample {
  readonly sops: number;
  readonly macs: number;
}

/** The 45 nm energy per SOP and per MAC, pJ (energy-costs.ts: M. Horowitz, ISSCC 2014). */
export { PICOJOULES_PER_OPERATION };

/** The estimated energy of one sample's forward pass, in microjoules. */
export function energyMicrojoules(ops: OperationsPerSample): number {
  return (ops.sops * PICOJOULES_PER_OPERATION.sop + ops.macs * PICOJOULES_PER_OPERATION.mac) * 1e-6;
}

/** One weighted layer's summed input activity (spiking layers only: real ones need no read-back). */
export interface LayerOperations {
  readonly input: WeightedCall['input'];
  readonly activity: number;
  readonly fanOut: number;
  readonly macs: number;
}

/** Sums the operations of an evaluation, layer by layer, over its batches. */
export class OperationCounter {
  private perLayer = new Map<string, { input: WeightedCall['input']; sops: number; macs: number }>();
  private samples = 0;

  /** `firstLayerReal`: the model's first weighted layer gets the analog image (static datasets). */
  constructor(private readonly firstLayerReal: boolean) {}

  add(layerPath: string, call: LayerOperations): void {
    let layer = this.perLayer.get(layerPath);
    if (!layer) {
      // Layers are met in forward order, so the first one added is the model's first layer.
      const input = this.perLayer.size === 0 && this.firstLayerReal ? 'real' : call.input;
      layer = { input, sops: 0, macs: 0 };
      this.perLayer.set(layerPath, layer);
    }
    if (layer.input === 'real') layer.macs += call.macs;
    else layer.sops += call.activity * call.fanOut;
  }

  addSamples(n: number): void {
    this.samples += n;
  }

  perSample(): OperationsPerSample {
    if (this.samples === 0) return { sops: 0, macs: 0 };
    let sops = 0;
    let macs = 0;
    for (const layer of this.perLayer.values()) {
      sops += layer.sops;
      macs += layer.macs;
    }
    return { sops: sops / this.samples, macs: macs / this.samples };
  }
}
