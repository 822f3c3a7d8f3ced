// Confidence intervals for the two summaries a seed-robust notebook reports: the mean of a
// quantity over seeds or models (Student's t interval) and the fraction of seeds for which a claim
// holds (Wilson's score interval), so a claim reads "0.62 [0.41, 0.80] over 12 models" instead of
// a single number.
//
// References: Student (1908) / any text, mean +- t_{(1+level)/2, n-1} s / sqrt(n); Wilson (1927),
// JASA 22:209, the interval of p whose score test accepts the observed proportion, recommended over
// the Wald interval for small n by Brown, Cai & DasGupta (2001), Statistical Science 16:101.

import { ArgumentError } from '../errors';
import { resolveOptions } from '../options/resolve';
import { normalQuantile } from '../special/normal';
import { studentTQuantile } from './distributions';
import { checkLevel, checkSample, mean, sumOfSquares, type Sample } from './samples';

/** Options of meanInterval and binomialInterval. */
export interface IntervalOptions {
  /**
   * Confidence level of the two-sided interval.
   * @default 0.95
   */
  level?: number;
}

export const INTERVAL_DEFAULTS = { level: 0.95 } as const satisfies Required<IntervalOptions>;

/** A mean with its Student-t confidence interval. */
export interface MeanInterval {
  /** The sample mean. */
  mean: number;
  /** Lower end of the interval. */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** Standard error of the mean, s / sqrt(n) with the n - 1 standard deviation s. */
  standard_error: number;
  /** Number of values. */
  n: number;
}

/**
 * The mean of `values` (n >= 2) with its Student-t interval: mean +- t_{(1+level)/2, n-1} s/sqrt(n).
 * Matches scipy.stats.t.interval(level, n - 1, mean, sem).
 */
export function meanInterval(values: Sample, options?: IntervalOptions): MeanInterval {
  const o = resolveOptions('meanInterval', INTERVAL_DEFAULTS, options);
  checkLevel(o.level, 'meanInterval');
  const xs = checkSample(values, 'values', 2, 'meanInterval');
  const n = xs.length;
  const centre = mean(xs);
  const standardError = Math.sqrt(sumOfSquares(xs, centre) / (n - 1) / n);
  const halfWidth = studentTQuantile(0.5 + o.level / 2, n - 1) * standardError;
  return { mean: centre, lower: centre - halfWidth, upper: centre + halfWidth, level: o.level, standard_error: standardError, n };
}

/** A proportion with its Wilson score interval. */
export interface BinomialInterval {
  /** successes / n. */
  proportion: number;
  /** Lower end of the interval. */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** Number of successes. */
  successes: number;
  /** Number of trials. */
  n: number;
}

/**
 * Wilson's score interval for a proportion of `successes` out of `n` trials (e.g. the fraction of
 * seeds on which a claim holds): the p whose score statistic |p_hat - p| / sqrt(p(1-p)/n) is at
 * most the normal quantile. Unlike the Wald interval it stays inside [0, 1] and is not empty at
 * 0 or n successes. Matches statsmodels' proportion_confint(method='wilson').
 */
export function binomialInterval(successes: number, n: number, options?: IntervalOptions): BinomialInterval {
  const o = resolveOptions('binomialInterval', INTERVAL_DEFAULTS, options);
  checkLevel(o.level, 'binomialInterval');
  if (!(Number.isInteger(n) && n >= 1)) throw new ArgumentError('binomialInterval needs a whole number of trials n >= 1', { field: 'n', expected: 'an integer >= 1', found: String(n) });
  if (!(Number.isInteger(successes) && successes >= 0 && successes <= n)) {
    throw new ArgumentError('binomialInterval needs a whole number of successes between 0 and n', { field: 'successes', expected: `an integer in 0..${n}`, found: String(successes) });
  }
  const z = normalQuantile(0.5 + o.level / 2);
  const proportion = successes / n;
  const zz = z * z;
  const centre = (proportion + zz / (2 * n)) / (1 + zz / n);
  const halfWidth = (z / (1 + zz / n)) * Math.sqrt((proportion * (1 - proportion)) / n + zz / (4 * n * n));
  // At 0 or n successes the exact end is 0 or 1; the formula gives it up to rounding.
  const lower = successes === 0 ? 0 : Math.max(0, centre - halfWidth);
  const upper = successes === n ? 1 : Math.min(1, centre + halfWidth);
  return { proportion, lower, upper, level: o.level, successes, n };
}
