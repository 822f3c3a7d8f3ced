// Correlation with its uncertainty: Pearson's r, Spearman's rho and the partial Spearman
// correlation (rho controlling for a covariate such as the training step), each returned with a
// p-value and a confidence interval, so that a notebook claim like "alpha falls as accuracy rises"
// is a statement about an interval over the zoo's models rather than a bar one seed happens to clear.
//
// References: p-values from Student's t with n - 2 - k degrees of freedom (k controls), t =
// r sqrt(df / (1 - r^2)) — exact for Pearson's r under bivariate normality, the usual large-sample
// approximation for rank correlations (scipy.stats.pearsonr/spearmanr, R cor.test(exact = FALSE);
// Kendall & Stuart vol. 2, 27.22). Intervals from Fisher's z = atanh(r) with standard error
// 1 / sqrt(n - 3 - k) for Pearson's r and sqrt(1.06 / (n - 3 - k)) for Spearman's rho (Fieller,
// Hartley & Pearson 1957, Biometrika 44:470). Partial correlation by the recursion formula
// r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)) on ranks (Conover 1999, 5.4).

import { ArgumentError } from '../errors';
import { resolveOptions } from '../options/resolve';
import { normalQuantile } from '../special/normal';
import { studentTUpperTail } from './distributions';
import { averageRanks } from './rank';
import { checkAlternative, checkLevel, checkSameLength, checkSample, mean, sumOfSquares, symmetricPValue, type Alternative, type Sample } from './samples';

/** Options of pearson, spearman and partialSpearman. */
export interface CorrelationOptions {
  /**
   * The alternative hypothesis of `p_value`: 'two-sided' (any correlation), 'greater' (positive)
   * or 'less' (negative).
   * @default 'two-sided'
   */
  alternative?: Alternative;
  /**
   * Confidence level of the interval [lower, upper] (always two-sided).
   * @default 0.95
   */
  level?: number;
}

export const CORRELATION_DEFAULTS = { alternative: 'two-sided', level: 0.95 } as const satisfies Required<CorrelationOptions>;

/** A correlation coefficient with its test and interval. */
export interface Correlation {
  /** 'pearson', 'spearman' or 'partial_spearman'. */
  method: 'pearson' | 'spearman' | 'partial_spearman';
  /** The coefficient, in [-1, 1]. */
  coefficient: number;
  /** p-value of the null hypothesis of no correlation against `alternative`. */
  p_value: number;
  /** The alternative hypothesis `p_value` tests. */
  alternative: Alternative;
  /** Lower end of the Fisher-z confidence interval (-1 when n is too small to say more). */
  lower: number;
  /** Upper end of the Fisher-z confidence interval (1 when n is too small to say more). */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** Number of pairs. */
  n: number;
}

/** Pearson's r of two checked samples of equal length; ArgumentError when either is constant. */
function pearsonCoefficient(x: Float64Array, y: Float64Array, names: [string, string], verb: string): number {
  const meanX = mean(x);
  const meanY = mean(y);
  const xx = sumOfSquares(x, meanX);
  const yy = sumOfSquares(y, meanY);
  for (const [spread, name] of [[xx, names[0]], [yy, names[1]]] as const) {
    if (spread === 0) throw new ArgumentError(`${verb}: '${name}' is constant, so its correlation is undefined`, { field: name, expected: 'at least two distinct values', found: 'all values equal' });
  }
  let xy = 0;
  for (let i = 0; i < x.length; i++) xy += (x[i] - meanX) * (y[i] - meanY);
  return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
}

/** The test and interval of a coefficient r from n pairs with `controls` covariates partialled out. */
function correlationResult(method: Correlation['method'], r: number, n: number, controls: number, options: Required<CorrelationOptions>): Correlation {
  const degreesOfFreedom = n - 2 - controls;
  const t = r * Math.sqrt(degreesOfFreedom / ((1 - r) * (1 + r)));
  const p = symmetricPValue(t, (value) => studentTUpperTail(value, degreesOfFreedom), options.alternative);
  const spread = n - 3 - controls;
  let lower = -1;
  let upper = 1;
  if (Math.abs(r) === 1) {
    lower = r;
    upper = r;
  } else if (spread > 0) {
    const standardError = Math.sqrt((method === 'pearson' ? 1 : 1.06) / spread);
    const z = Math.atanh(r);
    const quantile = normalQuantile(0.5 + options.level / 2);
    lower = Math.tanh(z - quantile * standardError);
    upper = Math.tanh(z + quantile * standardError);
  }
  return { method, coefficient: r, p_value: p, alternative: options.alternative, lower, upper, level: options.level, n };
}

function resolveCorrelationOptions(verb: string, options: CorrelationOptions | undefined): Required<CorrelationOptions> {
  const o = resolveOptions(verb, CORRELATION_DEFAULTS, options);
  checkAlternative(o.alternative, verb);
  checkLevel(o.level, verb);
  return o;
}

/**
 * Pearson's product-moment correlation of x and y (n >= 3 pairs), with a t-test p-value (exact
 * under bivariate normality) and a Fisher-z interval. Matches scipy.stats.pearsonr.
 */
export function pearson(x: Sample, y: Sample, options?: CorrelationOptions): Correlation {
  const o = resolveCorrelationOptions('pearson', options);
  const xs = checkSample(x, 'x', 3, 'pearson');
  const ys = checkSample(y, 'y', 3, 'pearson');
  checkSameLength('pearson', { name: 'x', values: xs }, { name: 'y', values: ys });
  return correlationResult('pearson', pearsonCoefficient(xs, ys, ['x', 'y'], 'pearson'), xs.length, 0, o);
}

/**
 * Spearman's rank correlation rho of x and y (n >= 3 pairs): Pearson's r of their ranks, ties
 * sharing average ranks. p-value from the t approximation (as scipy.stats.spearmanr); interval
 * from Fisher's z with the Fieller-Hartley-Pearson variance 1.06 / (n - 3).
 */
export function spearman(x: Sample, y: Sample, options?: CorrelationOptions): Correlation {
  const o = resolveCorrelationOptions('spearman', options);
  const xs = checkSample(x, 'x', 3, 'spearman');
  const ys = checkSample(y, 'y', 3, 'spearman');
  checkSameLength('spearman', { name: 'x', values: xs }, { name: 'y', values: ys });
  return correlationResult('spearman', pearsonCoefficient(averageRanks(xs), averageRanks(ys), ['x', 'y'], 'spearman'), xs.length, 0, o);
}

/**
 * Spearman's correlation of x and y controlling for `control` (n >= 4 triples): the partial
 * correlation of the three rank vectors, i.e. how x and y co-vary beyond what both share with the
 * control (e.g. HTSR alpha against accuracy beyond their common drift with the training step).
 * p-value from t with n - 3 degrees of freedom; interval from Fisher's z with 1.06 / (n - 4).
 */
export function partialSpearman(x: Sample, y: Sample, control: Sample, options?: CorrelationOptions): Correlation {
  const verb = 'partialSpearman';
  const o = resolveCorrelationOptions(verb, options);
  const xs = checkSample(x, 'x', 4, verb);
  const ys = checkSample(y, 'y', 4, verb);
  const zs = checkSample(control, 'control', 4, verb);
  checkSameLength(verb, { name: 'x', values: xs }, { name: 'y', values: ys }, { name: 'control', values: zs });
  const [rx, ry, rz] = [averageRanks(xs), averageRanks(ys), averageRanks(zs)];
  const xy = pearsonCoefficient(rx, ry, ['x', 'y'], verb);
  const xz = pearsonCoefficient(rx, rz, ['x', 'control'], verb);
  const yz = pearsonCoefficient(ry, rz, ['y', 'control'], verb);
  for (const [r, name] of [[xz, 'x'], [yz, 'y']] as const) {
    if (Math.abs(r) === 1) throw new ArgumentError(`${verb}: the ranks of '${name}' are determined by the control, so nothing is left to correlate`, { field: name, expected: 'ranks not a function of the control', found: `Spearman correlation with the control ${r}` });
  }
  const partial = (xy - xz * yz) / Math.sqrt((1 - xz * xz) * (1 - yz * yz));
  return correlationResult('partial_spearman', Math.max(-1, Math.min(1, partial)), xs.length, 1, o);
}
