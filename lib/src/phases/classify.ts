// classifyPhases(table): labels every cell with a loss-landscape phase by the decision tree of
// the reference notes §2.3 (Yang et al. 2021's taxonomy; neither Yang nor PTMZ publishes numeric
// thresholds, so these are weightlab's documented, configurable defaults):
//
//   underfit  := train error > maxTrainError (5 %)  or  train loss > lossFactor (10) x the grid's
//                smallest cell train loss (or > absoluteLoss when given, replacing the factor rule);
//                a PINN zoo has no accuracy: its error is the relative L2 error against the exact
//                solution (mc is measured on it too, in %, so the barrier rule reads the same)
//   barrier   := curve_mc_train_error < -mcEpsilon (1 percentage point; Yang/PTMZ sign, mc < 0 = barrier)
//   underfit:  barrier -> I,   else -> II
//   fit:       barrier -> III, else CKA >= ckaThreshold -> IV-B, else IV-A
//   ckaThreshold defaults to the median CKA over the fit, connected cells: CKA separates IV-A
//   from IV-B by a smooth crossover, not a jump, so a grid-relative split is the honest default.
//
// The Hessian does not decide (the local transition follows the training loss); whether a cell
// is sharp (log top eigenvalue above the midpoint of the underfit and fit cells' medians) is
// reported in the reason text as a consistency check.

import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { PhaseTable, type PhaseRow } from './table';

/** The numbers of the phase rules (see the notes at the top of this file); every field optional. */
export interface PhaseThresholds {
  /**
   * Train error (1 - accuracy; a PINN: relative L2 error) above which a cell is underfit.
   * @default 0.05
   */
  maxTrainError?: number;
  /**
   * A cell is underfit when its train loss exceeds this factor times the grid's smallest.
   * @default 10
   */
  lossFactor?: number;
  /**
   * A train loss above which a cell is underfit, replacing the lossFactor rule when given.
   * @default undefined (the lossFactor rule)
   */
  absoluteLoss?: number;
  /**
   * mc (percentage points of train error) below -mcEpsilon is a barrier.
   * @default 1
   */
  mcEpsilon?: number;
  /**
   * CKA at or above which a fit, connected cell is IV-B (else IV-A).
   * @default undefined (the median CKA of the fit, connected cells; 0.5 when there are none)
   */
  ckaThreshold?: number;
}

/** Every threshold with its default (undefined: computed from the grid, see PhaseThresholds). */
export const DEFAULT_PHASE_THRESHOLDS = {
  maxTrainError: 0.05, lossFactor: 10, absoluteLoss: undefined, mcEpsilon: 1, ckaThreshold: undefined,
} as const satisfies OptionDefaults<PhaseThresholds>;

export const PHASE_DESCRIPTIONS: Record<string, string> = {
  I: 'underfit, poorly connected (mc < 0)',
  II: 'underfit, well connected (mc >= 0)',
  III: 'fit, poorly connected (barrier)',
  'IV-A': 'fit, connected, dissimilar (low CKA)',
  'IV-B': 'fit, connected, similar (high CKA): generalizing',
};

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** A copy of `table` with `phase` and `phase_reason` set on every row, and the resolved thresholds. */
export function classifyPhases(table: PhaseTable, options: PhaseThresholds = {}): PhaseTable {
  const thresholds = resolveOptions('classifyPhases', DEFAULT_PHASE_THRESHOLDS, options);
  const maxTrainError = thresholds.maxTrainError;
  const lossFactor = thresholds.lossFactor;
  const eps = thresholds.mcEpsilon;
  const cells = table.rows();
  const losses = cells.map((r) => r.train_loss).filter((v): v is number => v !== null);
  const minLoss = losses.length ? Math.min(...losses) : 0;
  const lossLimit = thresholds.absoluteLoss ?? lossFactor * minLoss;
  // Accuracy is required for classifiers; a PINN row (relative_l2_error present) has none by nature.
  const accuracyKnown = (r: PhaseRow) => r.train_acc !== null || r.relative_l2_error !== undefined;
  const trainError = (r: PhaseRow) => (r.train_acc !== null ? 1 - r.train_acc : r.relative_l2_error ?? NaN);
  const underfit = (r: PhaseRow) => r.train_loss !== null && accuracyKnown(r) && (trainError(r) > maxTrainError || r.train_loss > lossLimit);
  const barrier = (r: PhaseRow) => r.curve_mc_train_error !== null && r.curve_mc_train_error < -eps;
  const complete = (r: PhaseRow) => r.train_loss !== null && accuracyKnown(r) && r.curve_mc_train_error !== null;
  const connectedFit = cells.filter((r) => complete(r) && !underfit(r) && !barrier(r) && r.representation_similarity !== null);
  const ckaThreshold = thresholds.ckaThreshold ?? median(connectedFit.map((r) => r.representation_similarity!)) ?? 0.5;
  const tops = (rows: PhaseRow[]) => rows.map((r) => r.log_hessian_top_ev).filter((v): v is number => v !== null);
  const fitMedian = median(tops(cells.filter((r) => complete(r) && !underfit(r))));
  const underMedian = median(tops(cells.filter((r) => complete(r) && underfit(r))));
  const sharpSplit = fitMedian !== undefined && underMedian !== undefined ? 0.5 * (fitMedian + underMedian) : undefined;

  const rows = cells.map((row): PhaseRow => {
    if (!complete(row)) return { ...row, phase: null, phase_reason: row.models.length < 2 ? 'fewer than 2 usable models: no seed pairs' : 'metrics missing' };
    const u = underfit(row);
    const b = barrier(row);
    const mc = row.curve_mc_train_error!;
    const sharp = sharpSplit !== undefined && row.log_hessian_top_ev !== null ? (row.log_hessian_top_ev > sharpSplit ? 'sharp' : 'flat') : 'sharpness unknown';
    const error = row.train_acc !== null ? `error ${(100 * (1 - row.train_acc)).toFixed(1)} %` : `relative L2 error ${(100 * (row.relative_l2_error ?? NaN)).toFixed(1)} %`;
    const why = `${u ? 'underfit' : 'fit'} (train loss ${row.train_loss!.toFixed(3)}, ${error}), mc ${mc.toFixed(2)} pp, ${sharp}`;
    if (u) return { ...row, phase: b ? 'I' : 'II', phase_reason: why };
    if (b) return { ...row, phase: 'III', phase_reason: why };
    const c = row.representation_similarity;
    if (c === null) return { ...row, phase: null, phase_reason: `${why}; CKA unavailable (constant logits)` };
    return { ...row, phase: c >= ckaThreshold ? 'IV-B' : 'IV-A', phase_reason: `${why}, CKA ${c.toFixed(3)} ${c >= ckaThreshold ? '>=' : '<'} ${ckaThreshold.toFixed(3)}` };
  });
  return new PhaseTable(rows, table.axes, table.problems, table.settings, { maxTrainError, lossLimit, mcEpsilon: eps, ckaThreshold, ...(sharpSplit !== undefined ? { sharpLogTopEv: sharpSplit } : {}) });
}
