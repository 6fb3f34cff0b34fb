/**
 * The per-layer quantities whose distributions the trainer records every epoch (effective values),
 * named once: the trainer emits them, the store keeps them, requests filter by them.
 */
export const DISTRIBUTION_QUANTITIES = [
  'alpha',
  'beta',
  'gamma',
  'tau_exp',
  'tau_lin',
  'v_th',
  'v_re',
  'g_t',
  'firing_rate',
] as const;

export type DistributionQuantity = (typeof DISTRIBUTION_QUANTITIES)[number];
