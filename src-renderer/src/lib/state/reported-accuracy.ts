/**
 * What the authors report for the paper row a run was started from, so the run page can show it
 * beside the run's own accuracy (the presets carry it: engine/config/presets.ts REPORTED_TOP1).
 */
import type { Preset } from '../api/contract';
import { configValueAt } from './config-form';

export interface ReportedAccuracy {
  /** The preset the run was started from. */
  readonly presetId: string;
  /** The authors' top-1 test accuracy, as a fraction (0.9495 for 94.95%). */
  readonly accuracy: number;
}

/** The authors' reported accuracy for the run's preset; null for a preset without one, or none. */
export function reportedAccuracyFor(presets: readonly Preset[], config: unknown): ReportedAccuracy | null {
  const presetId = configValueAt(config, 'preset');
  if (typeof presetId !== 'string') return null;
  const top1 = presets.find((p) => p.id === presetId)?.reportedTop1;
  return top1 === undefined ? null : { presetId, accuracy: top1 / 100 };
}
