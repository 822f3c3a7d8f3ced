// classifyPhases(table): labels every cell with a loss-landscape phase by the decision tree of
// Yang et al. (2021) and the PTMZ README (reference notes §1.5, §2.2). Neither publishes numeric
// thresholds, so weightlab supplies documented, configurable ones (DEFAULT_PHASE_THRESHOLDS), each
// fixed in advance from the task or the papers and never from the grid being labelled (issue #21:
// a label that depends on the grid's own median or minimum changes when the grid does):
//
//   underfit  := train error > maxRelativeError (0.1) x the trivial predictor's train error:
//                the majority class's error for a classifier (0.9 on balanced 10 classes: a 9 %
//                line), the zero predictor's relative L2 error (1) for a regression or a PINN, so a
//                PINN at relative L2 error 0.088 is trained and one stuck near 1 is not
//                (+ optionally train loss > absoluteLoss, or > lossFactor x the grid's smallest)
//   barrier   := mc on the train error (percentage points; Yang/PTMZ sign, mc < 0 = barrier),
//                aggregated over ALL seed pairs of the cell: the mean is below -mcEpsilon (1 pp)
//                AND, with two or more pairs, the level (95 %) Student-t interval of the mean lies
//                below 0. A cell whose interval contains 0 is connected ("mc ≈ 0"), so one pair's
//                shallow barrier cannot relabel a cell on its own. (The pairs of a cell share
//                models, so they are not independent draws: the interval is a scale of the
//                pair-to-pair noise rather than an exact 95 % confidence statement.)
//   underfit:  barrier -> I,   else -> II
//   fit:       barrier -> III, else mean CKA >= ckaThreshold (0.55) -> IV-B, else IV-A
//
// The Hessian does not decide (the local transition follows the training loss); whether a cell
// is sharp (log top eigenvalue above the midpoint of the underfit and fit cells' medians) is
// reported in the reason text as a consistency check.

import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { PhaseTable, type PhaseRow } from './table';

/** The numbers of the phase rules (see the notes at the top of this file); every field optional. */
export interface PhaseThresholds {
  /**
   * A cell is underfit when its train error exceeds this fraction of the trivial predictor's
   * train error (`trivial_error`: the majority class's error for a classifier, 1 for the relative
   * L2 error of a regression or PINN, whose trivial predictor is 0). One order of magnitude below
   * the trivial error: the task-relative form of the reference notes' 5 % line (9 % on 10 balanced
   * classes), and the one that also reads a regression's error, which has no chance level.
   * @default 0.1
   */
  maxRelativeError?: number;
  /**
   * A train loss above which a cell is also underfit (an extra rule; off by default).
   * @default undefined (no loss rule)
   */
  absoluteLoss?: number;
  /**
   * A cell is also underfit when its train loss exceeds this factor times the grid's smallest
   * cell train loss (the reference notes' grid-relative proposal; off by default because it makes
   * a label depend on the other cells of the grid).
   * @default undefined (no loss rule)
   */
  lossFactor?: number;
  /**
   * Tolerance of "mc ≈ 0" in percentage points of train error: a cell with a mean mc below
   * -mcEpsilon is a barrier (when the interval also excludes 0). The reference notes' ε (§2.3);
   * Yang et al. plot mc over -30..30 pp.
   * @default 1
   */
  mcEpsilon?: number;
  /**
   * Confidence level of the Student-t interval of a cell's mean mc over its seed pairs.
   * @default 0.95
   */
  level?: number;
  /**
   * Mean CKA over seed pairs at or above which a fit, connected cell is IV-B (else IV-A). An
   * absolute value, not the grid's median: the middle of the range Yang et al. plot CKA over
   * (0.3 to 0.8, reference notes §2.1), where their IV-A/IV-B crossover is drawn.
   * @default 0.55
   */
  ckaThreshold?: number;
}

/** Every threshold with its default (undefined: the rule is off, see PhaseThresholds). */
export const DEFAULT_PHASE_THRESHOLDS = {
  maxRelativeError: 0.1,
  absoluteLoss: undefined,
  lossFactor: undefined,
  mcEpsilon: 1,
  level: 0.95,
  ckaThreshold: 0.55,
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

/**
 * The trivial predictor's train error of a row: its `trivial_error` column (phaseMetrics records
 * it), else 1 for a PINN row (relative L2 error of the zero prediction), else 1 as the largest
 * error (a table built by hand without the column: the line is then maxRelativeError itself).
 */
function trivialError(row: PhaseRow): number {
  return typeof row.trivial_error === 'number' && row.trivial_error > 0 ? row.trivial_error : 1;
}

/** A copy of `table` with `phase` and `phase_reason` set on every row, and the resolved thresholds. */
export function classifyPhases(table: PhaseTable, options: PhaseThresholds = {}): PhaseTable {
  const thresholds = resolveOptions('classifyPhases', DEFAULT_PHASE_THRESHOLDS, options);
  const { maxRelativeError, mcEpsilon: eps, ckaThreshold, level } = thresholds;
  const cells = table.rows();
  const losses = cells.map((r) => r.train_loss).filter((v): v is number => v !== null);
  const lossLimit = Math.min(
    thresholds.absoluteLoss ?? Infinity,
    thresholds.lossFactor !== undefined && losses.length ? thresholds.lossFactor * Math.min(...losses) : Infinity,
  );
  // Accuracy is required for classifiers; a PINN row (relative_l2_error present) has none by nature.
  const accuracyKnown = (r: PhaseRow) =>
    r.train_acc !== null || (r.relative_l2_error !== undefined && r.relative_l2_error !== null);
  const trainError = (r: PhaseRow) => (r.train_acc !== null ? 1 - r.train_acc : (r.relative_l2_error ?? NaN));
  const underfit = (r: PhaseRow) =>
    r.train_loss !== null &&
    accuracyKnown(r) &&
    (trainError(r) > maxRelativeError * trivialError(r) || r.train_loss > lossLimit);
  // The interval of the mean mc over pairs, when the cell has two or more pairs (else the mean alone decides).
  const interval = (r: PhaseRow) =>
    typeof r.curve_mc_train_error_lower === 'number' && typeof r.curve_mc_train_error_upper === 'number'
      ? ([r.curve_mc_train_error_lower, r.curve_mc_train_error_upper] as const)
      : undefined;
  const barrier = (r: PhaseRow) =>
    r.curve_mc_train_error !== null && r.curve_mc_train_error < -eps && (interval(r)?.[1] ?? -Infinity) < 0;
  const complete = (r: PhaseRow) => r.train_loss !== null && accuracyKnown(r) && r.curve_mc_train_error !== null;
  const tops = (rows: PhaseRow[]) => rows.map((r) => r.log_hessian_top_ev).filter((v): v is number => v !== null);
  const fitMedian = median(tops(cells.filter((r) => complete(r) && !underfit(r))));
  const underMedian = median(tops(cells.filter((r) => complete(r) && underfit(r))));
  const sharpSplit = fitMedian !== undefined && underMedian !== undefined ? 0.5 * (fitMedian + underMedian) : undefined;

  const rows = cells.map((row): PhaseRow => {
    if (!complete(row))
      return {
        ...row,
        phase: null,
        phase_reason: row.models.length < 2 ? 'fewer than 2 usable models: no seed pairs' : 'metrics missing',
      };
    const u = underfit(row);
    const b = barrier(row);
    const mc = row.curve_mc_train_error!;
    const range = interval(row);
    const mcText = range
      ? `mc ${mc.toFixed(2)} pp [${range[0].toFixed(2)}, ${range[1].toFixed(2)}] over ${(row.models.length * (row.models.length - 1)) / 2} pairs`
      : `mc ${mc.toFixed(2)} pp (one pair)`;
    const sharp =
      sharpSplit !== undefined && row.log_hessian_top_ev !== null
        ? row.log_hessian_top_ev > sharpSplit
          ? 'sharp'
          : 'flat'
        : 'sharpness unknown';
    const line = maxRelativeError * trivialError(row);
    const error =
      row.train_acc !== null
        ? `train error ${(100 * (1 - row.train_acc)).toFixed(1)} %`
        : `relative L2 error ${(100 * (row.relative_l2_error ?? NaN)).toFixed(1)} %`;
    const why = `${u ? 'underfit' : 'fit'} (${error} ${u ? '>' : '<='} ${(100 * line).toFixed(1)} %, train loss ${row.train_loss!.toFixed(3)}), ${mcText}: ${b ? 'barrier' : 'connected'}, ${sharp}`;
    if (u) return { ...row, phase: b ? 'I' : 'II', phase_reason: why };
    if (b) return { ...row, phase: 'III', phase_reason: why };
    const c = row.representation_similarity;
    if (c === null) return { ...row, phase: null, phase_reason: `${why}; CKA unavailable (constant logits)` };
    return {
      ...row,
      phase: c >= ckaThreshold ? 'IV-B' : 'IV-A',
      phase_reason: `${why}, CKA ${c.toFixed(3)} ${c >= ckaThreshold ? '>=' : '<'} ${ckaThreshold}`,
    };
  });
  const resolved: Record<string, number> = { maxRelativeError, mcEpsilon: eps, level, ckaThreshold };
  if (Number.isFinite(lossLimit)) resolved.lossLimit = lossLimit;
  if (sharpSplit !== undefined) resolved.sharpLogTopEv = sharpSplit;
  return new PhaseTable(rows, table.axes, table.problems, table.settings, resolved);
}
