/**
 * The training engines: `tfjs`, the workbench's own (TensorFlow.js, src-main/engine), and
 * `torch`, the same experiments on PyTorch in one or many processes (engine-torch/).
 */
export const ENGINE_NAMES = ['tfjs', 'torch'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export function parseEngineName(value: string, source = 'engine'): EngineName {
  const v = value.trim().toLowerCase();
  if ((ENGINE_NAMES as readonly string[]).includes(v)) return v as EngineName;
  throw new Error(`${source}: unknown engine '${value}'; expected one of ${ENGINE_NAMES.join(', ')}`);
}
