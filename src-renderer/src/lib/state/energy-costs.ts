/**
 * The figures behind every energy estimate the UI shows, for its labels and tooltips: the
 * renderer may import only the contract's types, so it keeps a copy of the engine's
 * PICOJOULES_PER_OPERATION (engine/train/energy.ts) that the contract's literal type pins to it.
 */
import type { PicojoulesPerOperation } from '../api/contract';

export const PICOJOULES_PER_OPERATION: PicojoulesPerOperation = { sop: 0.9, mac: 4.6 };

/** Where the per-operation figures come from. */
export const ENERGY_SOURCE = '45 nm, Horowitz ISSCC 2014';

const { sop, mac } = PICOJOULES_PER_OPERATION;

/** A tooltip on an energy figure: what is counted where, and what each costs. */
export const ENERGY_TOOLTIP = `SOPs where a layer receives spikes (${sop} pJ each), MACs where it receives real values (${mac} pJ each): ${ENERGY_SOURCE}`;

/** The energy column's meaning in a legend or a column description. */
export const ENERGY_PER_SAMPLE = `µJ per test sample, from SOPs (${sop} pJ each) and MACs (${mac} pJ each) at ${ENERGY_SOURCE}`;
