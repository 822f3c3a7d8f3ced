// WeightWatcher's power-law fit of an ESD tail (WW_powerlaw.WWFit, the default since 0.7):
// every data point but the last is a candidate xmin, alpha is the continuous Hill MLE of the
// tail above it, D the one-sided KS distance to that power law, and the first candidate with
// the smallest D wins. Plus fix_fingers='clip_xmax' (RMT_Util.fit_clipped_powerlaw). Every
// quirk here is WeightWatcher 0.7.5.5's, kept on purpose so columns compare one to one.

import { ArgumentError, NumericalError, type ErrorDetails } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { wasmKernel, wasmKernelAvailable } from '../backend/wasm';

/** WeightWatcher's EVALS_THRESH: eigenvalues at or below it never enter the fit (absolute, not scale-free). */
export const EVALS_THRESHOLD = 1e-5;
/** alpha below this is flagged 'over-trained' (OVER_TRAINED_THRESH). */
export const OVER_TRAINED_THRESHOLD = 2.0;
/** alpha above this is flagged 'under-trained' (UNDER_TRAINED_THRESH). */
export const UNDER_TRAINED_THRESHOLD = 6.0;

export interface PowerLawFit {
  alpha: number;
  /** KS distance of the chosen fit. */
  D: number;
  /** Asymptotic standard error of alpha: (alpha - 1)/sqrt(n). */
  sigma: number;
  xmin: number;
  xmax: number;
  /** Number of points in the fitted tail (data >= xmin). */
  tailLength: number;
  /** The exponential cut-off rate when the fit is a truncated power law (fit 'TPL' / 'E_TPL'). */
  lambda?: number;
  /** Per candidate xmin (data[0..n-2]): alpha and D, for diagnostics plots. */
  candidates: { xmin: Float64Array; alpha: Float64Array; D: Float64Array };
}

/**
 * A power-law fit that cannot be made (fewer than 2 points above the threshold, a NaN alpha); a
 * NumericalError (code 'E_NUMERICAL'). analyze() turns it into a failed layer (alpha -1), as
 * WeightWatcher does.
 */
export class PowerLawFitError extends NumericalError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
  }
}

/** How fitPowerLaw prepares the eigenvalues it is given. */
export interface FitPowerLawOptions {
  /**
   * Eigenvalues at or below this never enter the fit (WeightWatcher's EVALS_THRESH: absolute, not
   * scale-free, so rescale tiny spectra first or lower it).
   * @default 1e-5
   */
  threshold?: number;
}

/** fitPowerLaw()'s defaults. */
export const FIT_POWER_LAW_DEFAULTS = {
  threshold: EVALS_THRESHOLD,
} as const satisfies OptionDefaults<FitPowerLawOptions>;

/**
 * WeightWatcher's power-law fit (WWFit) of the tail of `eigenvalues` (any order; those at or below
 * `threshold` are dropped, as analyze() does): xmin, alpha, D, sigma and every candidate's alpha and
 * D. A PowerLawFitError (a NumericalError) when fewer than 2 eigenvalues are left; NaN is an
 * ArgumentError.
 */
export function fitPowerLaw(eigenvalues: ArrayLike<number>, options: FitPowerLawOptions = {}): PowerLawFit {
  const { threshold } = resolveOptions('fitPowerLaw', FIT_POWER_LAW_DEFAULTS, options);
  if (!(threshold >= 0))
    throw new ArgumentError('the threshold must be a number >= 0', { field: 'threshold', found: String(threshold) });
  const kept: number[] = [];
  for (let i = 0; i < eigenvalues.length; i++) {
    const value = eigenvalues[i];
    if (Number.isNaN(value))
      throw new ArgumentError('eigenvalues must not be NaN', { field: `eigenvalues[${i}]`, found: 'NaN' });
    if (value > threshold) kept.push(value);
  }
  return fitSortedPowerLaw(Float64Array.from(kept).sort());
}

/**
 * The WWFit search on `sorted` (ascending, all > 0). O(n²): D needs a pass over the tail per
 * candidate. Uses logs computed once, so (x_j/x_i)^(1-alpha) = exp((1-alpha)(ln x_j - ln x_i));
 * that differs from numpy's power of the ratio by ~1e-16 relative, far below the 1e-9 target.
 * From KS_KERNEL_MIN_COUNT points on, the D pass runs in the wasm kernel (lib/assembly/powerlaw.ts,
 * its own vector exp, within 2 ulp), else in plain JS with Math.exp.
 */
export function fitSortedPowerLaw(sorted: Float64Array): PowerLawFit {
  const count = sorted.length;
  if (count < 2)
    throw new PowerLawFitError('power-law fit needs at least 2 eigenvalues', {
      field: 'eigenvalues',
      expected: '2 or more above the threshold',
      found: String(count),
    });
  const logs = new Float64Array(count);
  for (let i = 0; i < count; i++) logs[i] = Math.log(sorted[i]);
  // Suffix sums of the logs: alpha for every candidate in O(1).
  const suffix = new Float64Array(count + 1);
  for (let i = count - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + logs[i];
  const candidates = count - 1;
  const alphas = new Float64Array(candidates);
  for (let i = 0; i < candidates; i++) {
    const n = count - i;
    alphas[i] = 1 + n / (suffix[i] - n * logs[i]);
  }
  const distances =
    count >= KS_KERNEL_MIN_COUNT && wasmKernelAvailable('powerlaw')
      ? ksDistancesWasm(logs, alphas)
      : ksDistancesJs(logs, alphas);
  // First minimum (np.argmin): a later candidate must be strictly smaller. A NaN D (from a NaN
  // alpha) never wins, as in numpy only when no NaN exists; NaN eigenvalues are rejected upstream.
  let best = 0;
  for (let i = 1; i < candidates; i++) if (distances[i] < distances[best]) best = i;
  const alpha = alphas[best];
  return {
    alpha,
    D: distances[best],
    sigma: (alpha - 1) / Math.sqrt(count - best),
    xmin: sorted[best],
    xmax: sorted[count - 1],
    tailLength: count - best,
    candidates: { xmin: sorted.slice(0, candidates), alpha: alphas, D: distances },
  };
}

/**
 * Points from which the wasm D pass is used: below, the JS loop takes well under a millisecond.
 * Measured on a GPT-2 block (four fits of 768 points): 17 ms in JS per analyze() call.
 */
const KS_KERNEL_MIN_COUNT = 128;

interface PowerLawExports {
  ksDistances(logs: number, count: number, alphas: number, distances: number): void;
}

/** D per candidate xmin (1 where alpha <= 1 or NaN): the plain-JS pass. */
export function ksDistancesJs(logs: Float64Array, alphas: Float64Array): Float64Array {
  const count = logs.length;
  const distances = new Float64Array(alphas.length).fill(1);
  for (let i = 0; i < alphas.length; i++) {
    const alpha = alphas[i];
    if (!(alpha > 1)) continue;
    const n = count - i;
    const exponent = 1 - alpha;
    const base = logs[i];
    let d = 0;
    for (let j = 0; j < n; j++) {
      const gap = Math.abs(1 - Math.exp(exponent * (logs[i + j] - base)) - j / n);
      if (gap > d) d = gap;
    }
    distances[i] = d;
  }
  return distances;
}

/** The same D per candidate from the wasm kernel. */
export function ksDistancesWasm(logs: Float64Array, alphas: Float64Array): Float64Array {
  const kernel = wasmKernel<PowerLawExports>('powerlaw');
  return kernel.withArena(() => {
    const logsAt = kernel.writeFloat64(logs),
      alphasAt = kernel.writeFloat64(alphas);
    const out = kernel.allocateFloat64(alphas.length);
    kernel.exports.ksDistances(logsAt, logs.length, alphasAt, out);
    return kernel.readFloat64(out, alphas.length);
  });
}

export interface ClippedFit {
  fit: PowerLawFit;
  /** WeightWatcher's count: dropping the top idx eigenvalues reports idx - 1. */
  numFingers: number;
  /** alpha of the unclipped fit. */
  rawAlpha: number;
}

/**
 * fix_fingers='clip_xmax': refit with the top 2, 3, ... maxFingers-1 eigenvalues dropped and keep
 * the first fit whose alpha falls more than `fingerThreshold` below the unclipped alpha; stop early
 * once alpha <= minAlpha. Then WeightWatcher runs up to three "check" fits that only log, but a
 * check fit on fewer than 2 points raises and fails the layer, so they are run here too. `fitter` is
 * WWFit by default; WeightWatcher's pl_package='powerlaw' runs the same loop with powerlaw's Fit, whose
 * NaN alphas compare false like any NaN.
 */
export function fitClippedPowerLaw(
  sorted: Float64Array,
  maxFingers = 10,
  fingerThreshold = 1.0,
  minAlpha = 2.0,
  fitter: (sorted: Float64Array) => PowerLawFit = fitSortedPowerLaw,
): ClippedFit {
  const first = fitter(sorted);
  let best = first;
  let numFingers = 0;
  // Python's `for idx in range(2, max_fingers)` leaves idx unbound when the range is empty.
  if (maxFingers <= 2) throw new PowerLawFitError('clip_xmax needs max_fingers > 2');
  let idx = 2;
  let last = first;
  for (idx = 2; idx < maxFingers; idx++) {
    const fit = fitter(sorted.subarray(0, Math.max(0, sorted.length - idx)));
    last = fit;
    if (fit.alpha + fingerThreshold < first.alpha) {
      best = fit;
      numFingers = idx - 1;
      break;
    }
    if (fit.alpha <= minAlpha) break;
  }
  if (idx === maxFingers) idx = maxFingers - 1; // the loop variable's last value in Python
  for (let check = idx + 1; check < idx + 4; check++) {
    const fit = fitter(sorted.subarray(0, Math.max(0, sorted.length - check)));
    if (Math.abs(fit.alpha - last.alpha) > fingerThreshold) break;
  }
  return { fit: best, numFingers, rawAlpha: first.alpha };
}

/** WeightWatcher's warning column: 'over-trained' below alpha 2 (including a failed fit's -1), 'under-trained' above 6. */
export function trainingWarning(alpha: number): '' | 'over-trained' | 'under-trained' {
  if (alpha < OVER_TRAINED_THRESHOLD) return 'over-trained';
  if (alpha > UNDER_TRAINED_THRESHOLD) return 'under-trained';
  return '';
}

/** The eigenvalues a fit sees: those above EVALS_THRESHOLD, ascending. */
export function fittableEigenvalues(sortedEigenvalues: Float64Array): Float64Array {
  let start = 0;
  while (start < sortedEigenvalues.length && !(sortedEigenvalues[start] > EVALS_THRESHOLD)) start++;
  return sortedEigenvalues.slice(start);
}
