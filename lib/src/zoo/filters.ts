// Checkpoint filters from the ModelZoos loader (checkpoints_to_datasets/dataset_base.py):
// drop checkpoints that contain NaN (diverged runs) and checkpoints with any |w| above a
// threshold (the loading notebook uses 5), before they poison a weight-space dataset.

import type { WeightSet } from '../weights/weight-set';
import type { OptionDefaults } from '../options/resolve';

export interface CheckpointFilter {
  /**
   * Drop checkpoints with any NaN (or infinite) weight.
   * @default false
   */
  dropNaN?: boolean;
  /**
   * Drop checkpoints with any |w| above this.
   * @default undefined (no limit)
   */
  maxAbsWeight?: number;
}

/** `zoo.weights()` options: the filter, the epochs to read and the report to count into. */
export interface WeightsOptions extends CheckpointFilter {
  /**
   * Only checkpoints of these epochs.
   * @default undefined (every epoch)
   */
  epochs?: number[];
  /**
   * Counts kept and dropped checkpoints (make one with filterReport()).
   * @default undefined
   */
  report?: FilterReport;
}

export const WEIGHTS_DEFAULTS = {
  dropNaN: false,
  maxAbsWeight: undefined,
  epochs: undefined,
  report: undefined,
} as const satisfies OptionDefaults<WeightsOptions>;

export interface FilterReport {
  kept: number;
  dropped: { model: string; epoch: number; reason: string }[];
}

/** A fresh report to pass as `filter.report`. */
export function filterReport(): FilterReport {
  return { kept: 0, dropped: [] };
}

/** Whether a checkpoint passes, and why not. Reads every floating tensor once (lazy sets are read here). */
export function checkpointPasses(weights: WeightSet, filter: CheckpointFilter): { keep: boolean; reason?: string } {
  if (!filter.dropNaN && filter.maxAbsWeight === undefined) return { keep: true };
  const limit = filter.maxAbsWeight ?? Infinity;
  for (const name of weights.names) {
    const values = weights.get(name).toFloat64();
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (filter.dropNaN && !Number.isFinite(value)) return { keep: false, reason: `non-finite value in '${name}'` };
      if (Math.abs(value) > limit) return { keep: false, reason: `|w| = ${Math.abs(value)} > ${limit} in '${name}'` };
    }
  }
  return { keep: true };
}
