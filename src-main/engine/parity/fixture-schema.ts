import { z } from 'zod';

/** The `glif-parity/1` fixture schema (shared/fixtures/glif-parity/README.md), as far as we rely on it. */

const shape = z.array(z.number().int().nonnegative());

export const tensorSchema = z
  .object({ shape, dtype: z.string(), data: z.array(z.number()) })
  .refine((t) => t.data.length === t.shape.reduce((a, b) => a * b, 1), {
    message: 'data length does not match the product of shape',
  });

const paramSchema = z.looseObject({
  shape,
  dtype: z.string(),
  transform: z.enum(['sigmoid', 'none']),
  raw: z.array(z.number()),
  learnable: z.boolean().optional(),
});

const neuronKwargs = z.looseObject({
  gate: z.array(z.number()).optional(),
  t: z.number().int().positive().optional(),
  static_gate: z.boolean().default(false),
  static_param: z.boolean().default(false),
  time_wise: z.boolean().default(false),
  soft_mode: z.boolean().default(false),
});

const bufferSchema = z.looseObject({
  alpha: z.number(),
  Vth: z.number(),
  eps: z.number(),
  momentum: z.number(),
  running_mean_before: tensorSchema,
  running_var_before: tensorSchema,
  running_mean_after: tensorSchema.optional(),
  running_var_after: tensorSchema.optional(),
});

export const fixtureSchema = z.looseObject({
  schema: z.literal('glif-parity/1'),
  case: z.string(),
  title: z.string().optional(),
  T: z.number().int().positive(),
  layout: z.looseObject({ input: z.string() }),
  official: z.looseObject({
    file: z.string().optional(),
    class: z.string(),
    constructor: z.looseObject({
      planes: z.number().int().positive().optional(),
      kwargs: neuronKwargs.optional(),
      lif_param: neuronKwargs.optional(),
      inplanes: z.number().int().positive().optional(),
      ksize: z.number().int().positive().optional(),
      stride: z.number().int().positive().optional(),
    }),
  }),
  params: z.record(z.string(), paramSchema),
  tensors: z
    .looseObject({ input: tensorSchema, R: tensorSchema, spikes: tensorSchema })
    .catchall(tensorSchema),
  grads: z.record(z.string(), tensorSchema.nullable()),
  buffers: z.record(z.string(), bufferSchema).optional(),
});

export type ParityFixture = z.infer<typeof fixtureSchema>;
export type FixtureTensor = z.infer<typeof tensorSchema>;
export type NeuronKwargs = z.infer<typeof neuronKwargs>;

/** A fixture that cannot be read or is not a case we implement: reported, never a stack trace. */
export class FixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

export function parseFixture(json: unknown): ParityFixture {
  const result = fixtureSchema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first.path.length ? first.path.join('.') : '(top level)';
    const more =
      result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new FixtureError(`not a glif-parity/1 fixture: ${where}: ${first.message}${more}`);
  }
  return result.data;
}
