import { z } from 'zod';
import type { ConfigField, FieldGroup } from '../engine/config/fields';
import type { Preset } from '../engine/config/presets';
import type { RunConfig } from '../engine/config/types';
import type { ConfigIssue } from '../engine/config/validate';
import type { VariantDescription, VariantId } from '../engine/glif/variants';

/**
 * What the New run form is built from: every config field with its range and group, the
 * presets (the paper's rows), and the neuron variants with their bio-feature names. The
 * form is generated from this, so it cannot disagree with the CLI.
 */
export interface ConfigSchema {
  readonly fields: readonly ConfigField[];
  readonly groups: ReadonlyArray<{ readonly id: FieldGroup; readonly label: string }>;
  readonly presets: readonly Preset[];
  readonly variants: readonly VariantDescription[];
  /** The variants an ablation grid queues: the form counts its runs from this. */
  readonly ablation: AblationGridVariants;
}

/** An ablation grid: `base` always (the eight simplex LIFs and GLIF), the other two on request. */
export interface AblationGridVariants {
  readonly base: readonly VariantId[];
  readonly glifF: VariantId;
  readonly staticGates: VariantId;
}

/** A form's values: by dotted key; text is parsed like `--set key=value`. */
export const configValuesSchema = z.record(
  z.string().max(100),
  z.union([z.string().max(4096), z.number(), z.boolean(), z.null(), z.array(z.number())]),
);

/** A form's values as a handler receives them (checked by configValuesSchema). */
export type ConfigValues = z.output<typeof configValuesSchema>;

export const configSchemaParams = z.strictObject({});

export const configValidateParams = z.strictObject({
  preset: z.string().min(1).max(100),
  values: configValuesSchema.default({}),
});

export interface ConfigValidation {
  /** The full config when valid, else null. */
  readonly config: RunConfig | null;
  /** Every problem, each naming its key and the allowed range (the CLI's messages). */
  readonly issues: readonly ConfigIssue[];
}

export type { ConfigField, ConfigIssue, FieldGroup, Preset, RunConfig, VariantDescription };
