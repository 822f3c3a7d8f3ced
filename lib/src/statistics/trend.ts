// Does a quantity drift with another (a metric with training steps, accuracy with width)? The
// ordinary-least-squares slope with its standard error, confidence interval and t-test, plus the
// rank correlation as a check that does not assume a straight line.
//
// References: simple linear regression, slope = S_xy / S_xx, standard error sqrt(RSS / (n - 2) /
// S_xx), t = slope / se on n - 2 degrees of freedom (any regression text, e.g. Draper & Smith 1998,
// ch. 1); the same numbers as scipy.stats.linregress.

import { ArgumentError } from '../errors';
import { resolveOptions } from '../options/resolve';
import { studentTQuantile, studentTUpperTail } from './distributions';
import { spearman } from './correlation';
import { checkAlternative, checkLevel, checkSameLength, checkSample, mean, sumOfSquares, symmetricPValue, type Alternative, type Sample } from './samples';

/** Options of trendTest. */
export interface TrendTestOptions {
  /**
   * The alternative hypothesis of `p_value` (and of `spearman_p_value`): 'two-sided' (any
   * slope), 'greater' (y rises with x) or 'less' (y falls with x).
   * @default 'two-sided'
   */
  alternative?: Alternative;
  /**
   * Confidence level of the slope's interval [lower, upper] (always two-sided).
   * @default 0.95
   */
  level?: number;
}

export const TREND_TEST_DEFAULTS = { alternative: 'two-sided', level: 0.95 } as const satisfies Required<TrendTestOptions>;

/** A least-squares line with the test of its slope. */
export interface TrendTest {
  /** Least-squares slope of y on x. */
  slope: number;
  /** Least-squares intercept. */
  intercept: number;
  /** Standard error of the slope. */
  standard_error: number;
  /** Lower end of the slope's Student-t interval. */
  lower: number;
  /** Upper end of the slope's Student-t interval. */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** t statistic of the slope (n - 2 degrees of freedom); +-Infinity for a perfect fit. */
  t_statistic: number;
  /** p-value of the null hypothesis slope = 0 against `alternative`. */
  p_value: number;
  /** The alternative hypothesis of the p-values. */
  alternative: Alternative;
  /** Fraction of the variance of y the line explains. */
  r_squared: number;
  /** Spearman's rho of x and y: the trend's direction without assuming a line. */
  spearman: number;
  /** p-value of Spearman's rho against `alternative`. */
  spearman_p_value: number;
  /** Number of points. */
  n: number;
}

/**
 * The trend of y with x (n >= 3 points): OLS slope with standard error, Student-t interval and
 * t-test (as scipy.stats.linregress), and Spearman's rho as a line-free check of its direction.
 */
export function trendTest(x: Sample, y: Sample, options?: TrendTestOptions): TrendTest {
  const verb = 'trendTest';
  const o = resolveOptions(verb, TREND_TEST_DEFAULTS, options);
  checkAlternative(o.alternative, verb);
  checkLevel(o.level, verb);
  const xs = checkSample(x, 'x', 3, verb);
  const ys = checkSample(y, 'y', 3, verb);
  checkSameLength(verb, { name: 'x', values: xs }, { name: 'y', values: ys });
  const n = xs.length;
  const meanX = mean(xs);
  const meanY = mean(ys);
  const xx = sumOfSquares(xs, meanX);
  const yy = sumOfSquares(ys, meanY);
  if (xx === 0) throw new ArgumentError(`${verb}: 'x' is constant, so no slope can be fitted`, { field: 'x', expected: 'at least two distinct values', found: 'all values equal' });
  let xy = 0;
  for (let i = 0; i < n; i++) xy += (xs[i] - meanX) * (ys[i] - meanY);
  const slope = xy / xx;
  const intercept = meanY - slope * meanX;
  let residual = 0;
  for (let i = 0; i < n; i++) residual += (ys[i] - intercept - slope * xs[i]) ** 2;
  const degreesOfFreedom = n - 2;
  const standardError = Math.sqrt(residual / degreesOfFreedom / xx);
  const t = slope / standardError;
  let p: number;
  if (standardError > 0) p = symmetricPValue(t, (value) => studentTUpperTail(value, degreesOfFreedom), o.alternative);
  else if (slope === 0) p = 1;
  else p = o.alternative === 'two-sided' || (o.alternative === 'greater') === slope > 0 ? 0 : 1;
  const halfWidth = studentTQuantile(0.5 + o.level / 2, degreesOfFreedom) * standardError;
  // A constant y has no rank correlation: report 0 and p = 1 rather than fail the whole trend.
  const ranked = yy === 0 ? undefined : spearman(xs, ys, { alternative: o.alternative });
  return {
    slope,
    intercept,
    standard_error: standardError,
    lower: slope - halfWidth,
    upper: slope + halfWidth,
    level: o.level,
    t_statistic: t,
    p_value: p,
    alternative: o.alternative,
    r_squared: yy === 0 ? 0 : Math.min(1, (xy * xy) / (xx * yy)),
    spearman: ranked?.coefficient ?? 0,
    spearman_p_value: ranked?.p_value ?? 1,
    n,
  };
}
