/**
 * The neuron probe: what one GLIF layer's channels did, step by step, on a few test samples,
 * from a run's checkpoint. Plain data, so it crosses threads, IPC and the CLI's JSON unchanged.
 */
import { z } from 'zod';

/** What to probe: a GLIF layer by its dotted path, channels of it, test-split samples. */
export interface ProbeTarget {
  readonly layer: string;
  readonly channels: readonly number[];
  readonly samples: readonly number[];
}

/**
 * The effective gates and primitives of one channel (the values the neuron multiplies with:
 * sigmoid(raw), binary for binary gates). Gates are null where the variant has none (GLIF_f).
 * A layer-wise layer has one value per layer, so every channel shows the same.
 */
export interface ProbeChannelParams {
  readonly channel: number;
  readonly alpha: number | null;
  readonly beta: number | null;
  readonly gamma: number | null;
  /** tau_exp, the exponential decay factor. */
  readonly tauExp: number;
  /** tau_lin, the linear leak subtracted every step. */
  readonly tauLin: number;
  readonly vth: number;
  readonly vre: number;
  /** g^t, the conductance of each step t = 0..T-1. */
  readonly conduct: readonly number[];
}

/** One channel on one sample, every series of length T. */
export interface ProbeChannelTrace {
  readonly channel: number;
  /** Spatial neurons in the channel: H*W for a conv layer, 1 for a dense one. */
  readonly neurons: number;
  /**
   * The neuron shown: the channel's most active (most spikes over T; ties go to the first in
   * row-major order), as its row-major index and [row, col]; position is null for dense layers.
   */
  readonly neuron: number;
  readonly position: readonly [row: number, col: number] | null;
  /** Input current I[t] = the layer's input x_t (its tdBN output) at that neuron. */
  readonly current: readonly number[];
  /** Membrane u[t], charged and before the reset (what is compared with V_th). */
  readonly membrane: readonly number[];
  /** S[t], 0 or 1. */
  readonly spikes: readonly number[];
  /** Over all neurons of the channel: mean I[t], mean u[t], fraction spiking at t. */
  readonly meanCurrent: readonly number[];
  readonly meanMembrane: readonly number[];
  readonly spikeFraction: readonly number[];
}

export interface ProbeImage {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The sample as the model sees it (first frame of a frame dataset), row-major HWC. */
  readonly pixels: readonly number[];
}

export interface ProbeSample {
  /** Index in the test split. */
  readonly index: number;
  readonly label: number;
  readonly labelName: string;
  /** Arg-max of the logits in eval mode (running tdBN statistics). */
  readonly predicted: number;
  readonly predictedName: string;
  readonly image: ProbeImage;
  readonly traces: readonly ProbeChannelTrace[];
}

export interface ProbeLayerInfo {
  readonly path: string;
  /** Channels of the layer's activations (features for a dense layer). */
  readonly channels: number;
  /** Per-step activation shape of one sample, e.g. [14, 14, 32] or [64]. */
  readonly shape: readonly number[];
}

export interface NeuronProbeResult {
  readonly layer: string;
  /** Every GLIF layer of the model in forward order, so a caller can offer the others. */
  readonly layers: readonly ProbeLayerInfo[];
  readonly timeSteps: number;
  readonly variant: string;
  readonly layerwise: boolean;
  readonly params: readonly ProbeChannelParams[];
  readonly samples: readonly ProbeSample[];
}

/** The most channels and samples one probe request may ask for (each adds T-long series). */
export const PROBE_MAX_CHANNELS = 16;
export const PROBE_MAX_SAMPLES = 8;

const index = z.number().int().min(0).max(1_000_000);

export const runsProbeParams = z.strictObject({
  runId: z.string().regex(/^[a-z0-9]{6,40}$/, 'not a run id'),
  layer: z.string().min(1).max(200),
  channels: z.array(index).min(1).max(PROBE_MAX_CHANNELS),
  samples: z.array(index).min(1).max(PROBE_MAX_SAMPLES),
});

/** `runs.probe`: the probe of a run's newest checkpoint, and which checkpoint that was. */
export interface RunProbe extends NeuronProbeResult {
  readonly runId: string;
  readonly checkpoint: { readonly epoch: number; readonly sha256: string };
  /** Answered from the cache of this checkpoint's probes, without computing again. */
  readonly cached: boolean;
}
