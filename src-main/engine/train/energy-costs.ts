/**
 * Energy per operation on 45 nm CMOS at 0.9 V, 32-bit floating point (M. Horowitz, "Computing's
 * energy problem (and what we can do about it)", ISSCC 2014): an add 0.9 pJ, a multiply 3.7 pJ.
 * A SOP is one accumulate (an add); a MAC is a multiply and an add. These are the figures SNN
 * papers usually quote; other hardware costs differ, so the counts are reported beside the estimate.
 *
 * Alone in this file, without imports, so that the contract can hand its literal type to the
 * renderer (contract/metrics.ts): the UI's texts about the estimate must say these figures.
 */
export const PICOJOULES_PER_OPERATION = { sop: 0.9, mac: 4.6 } as const;
