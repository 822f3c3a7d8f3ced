// How well a property predictor does on held-out models: the coefficient of determination R²
// (what Unterthiner et al. 2020 report for accuracy prediction) and Kendall's tau-b (whether the
// predictor ranks models right, the measure that matters when a zoo is used to pick models), each
// with a bootstrap interval. Checkpoints of one model are not independent draws, so the bootstrap
// resamples whole models (a cluster bootstrap) and takes every checkpoint of a drawn model.

import { ArgumentError } from '../errors';
import { quantile } from '../generate/linear-algebra';
import { rng } from '../random/rng';

/**
 * R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², ȳ the mean of `truth` (sklearn's r2_score): 1 for a perfect
 * predictor, 0 for predicting the mean of the evaluated rows, negative for worse. NaN when the
 * truth is constant.
 */
export function rSquared(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPaired(truth, predicted, 'rSquared');
  const n = truth.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    residual += (truth[i] - predicted[i]) ** 2;
    total += (truth[i] - mean) ** 2;
  }
  return total === 0 ? NaN : 1 - residual / total;
}

/** Root mean squared error, in the target's unit. */
export function rootMeanSquaredError(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPaired(truth, predicted, 'rootMeanSquaredError');
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (truth[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / truth.length);
}

/**
 * Kendall's tau-b of x and y (scipy.stats.kendalltau's default): (concordant - discordant) /
 * sqrt((n0 - ties in x)(n0 - ties in y)), n0 = n(n-1)/2, pairs tied in both counted in neither.
 * O(n²), which is fine for the hundreds of test checkpoints a zoo split holds. NaN when x or y is constant.
 */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y, 'kendallTau');
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiedX++;
      else if (dy === 0) tiedY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  // Pairs tied in x only count against the x-side denominator; tied in both against neither.
  const pairsX = concordant + discordant + tiedY;
  const pairsY = concordant + discordant + tiedX;
  if (pairsX === 0 || pairsY === 0) return NaN;
  return (concordant - discordant) / Math.sqrt(pairsX * pairsY);
}

function checkPaired(a: ArrayLike<number>, b: ArrayLike<number>, verb: string): void {
  if (a.length !== b.length)
    throw new ArgumentError(`${verb} takes two samples of the same length`, {
      field: 'predicted',
      expected: `${a.length} values`,
      found: `${b.length} values`,
    });
  if (a.length < 2)
    throw new ArgumentError(`${verb} needs at least two values`, {
      field: 'truth',
      expected: 'n >= 2',
      found: `n = ${a.length}`,
    });
}

/** A statistic on the evaluated rows with its percentile bootstrap interval over resampled models. */
export interface BootstrapEstimate {
  /** The statistic on the evaluated rows as they are. */
  value: number;
  /** Lower end of the percentile interval. */
  lower: number;
  /** Upper end of the percentile interval. */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** Resamples whose statistic was defined (a resample of one constant model has no R²). */
  resamples: number;
}

/**
 * The resamples of a cluster bootstrap: for each of `resamples` draws, the row indices of
 * `clusters.length` clusters drawn with replacement (every row of a drawn cluster, repeated as
 * often as the cluster is drawn). `groups[i]` is row i's cluster; the draws depend only on `seed`.
 */
export function clusterResamples(groups: readonly string[], resamples: number, seed: number): Int32Array[] {
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new ArgumentError('the bootstrap needs a whole number of resamples', {
      field: 'resamples',
      expected: 'an integer >= 1',
      found: String(resamples),
    });
  const members = new Map<string, number[]>();
  groups.forEach((group, row) => {
    if (!members.has(group)) members.set(group, []);
    members.get(group)!.push(row);
  });
  const clusters = [...members.values()];
  const random = rng(seed).fold('bootstrap');
  const draws: Int32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const picks = random.fold(b).integers(clusters.length, 0, clusters.length);
    const rows: number[] = [];
    for (let k = 0; k < picks.length; k++) rows.push(...clusters[picks[k]]);
    draws.push(Int32Array.from(rows));
  }
  return draws;
}

/**
 * `statistic(truth, predicted)` on all rows and its percentile interval over `draws` (from
 * clusterResamples). The same draws for two predictors give paired intervals.
 */
export function bootstrapEstimate(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  statistic: (truth: Float64Array, predicted: Float64Array) => number,
  draws: readonly Int32Array[],
  level: number,
): BootstrapEstimate {
  const value = statistic(Float64Array.from(truth), Float64Array.from(predicted));
  const values = draws
    .map((rows) => {
      const t = new Float64Array(rows.length);
      const p = new Float64Array(rows.length);
      rows.forEach((row, k) => {
        t[k] = truth[row];
        p[k] = predicted[row];
      });
      return rows.length < 2 ? NaN : statistic(t, p);
    })
    .filter((v) => Number.isFinite(v));
  const [lower, upper] = percentileInterval(values, level);
  return { value, lower, upper, level, resamples: values.length };
}

/** The (1 - level)/2 and (1 + level)/2 quantiles of `values` (linear interpolation, numpy's default). */
export function percentileInterval(values: readonly number[], level: number): [number, number] {
  if (!(level > 0 && level < 1))
    throw new ArgumentError('the confidence level must lie strictly between 0 and 1', {
      field: 'level',
      expected: 'a number in (0, 1)',
      found: String(level),
    });
  if (values.length === 0) return [NaN, NaN];
  return [quantile(values, (1 - level) / 2), quantile(values, (1 + level) / 2)];
}
