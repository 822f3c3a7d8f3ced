// Paired comparison of two conditions measured on the same units (the same seeds, the same
// models): "method A beats method B" as a test on the differences a - b, with three tests that
// make different assumptions side by side, since a handful of seeds rarely justifies normality:
// Student's paired t-test (normal differences), Wilcoxon's signed-rank test (symmetric
// differences) and the sign test (none: only the direction of each difference counts).
//
// References: paired t-test, t = mean(d) / (s_d / sqrt(n)) on n - 1 degrees of freedom (scipy.stats.
// ttest_rel). Wilcoxon (1945), Biometrics Bulletin 1:80: zero differences are dropped (Wilcoxon's
// convention, scipy's zero_method='wilcox'), the null distribution of the positive rank sum W+ is
// enumerated exactly when no |d| ties and n <= 50, else the normal approximation with the tie
// correction of Hollander & Wolfe (1999) 3.1, without continuity correction (scipy's default).
// Sign test: the number of positive differences among the non-zero ones is Binomial(m, 1/2), exact.

import { resolveOptions } from '../options/resolve';
import { normalCdf } from '../special/normal';
import { binomialTails, studentTQuantile, studentTUpperTail } from './distributions';
import { averageRanks, tieGroupSizes } from './rank';
import { checkAlternative, checkLevel, checkSameLength, checkSample, mean, sumOfSquares, symmetricPValue, type Alternative, type Sample } from './samples';

/** Options of pairedTest. */
export interface PairedTestOptions {
  /**
   * The alternative hypothesis of every p-value: 'two-sided' (a and b differ), 'greater'
   * (a - b tends to be positive) or 'less'.
   * @default 'two-sided'
   */
  alternative?: Alternative;
  /**
   * Confidence level of the interval [lower, upper] of the mean difference (always two-sided).
   * @default 0.95
   */
  level?: number;
}

export const PAIRED_TEST_DEFAULTS = { alternative: 'two-sided', level: 0.95 } as const satisfies Required<PairedTestOptions>;

/** Largest n whose signed-rank null distribution is enumerated (2^50 subsets still count exactly in float64). */
const EXACT_WILCOXON_LIMIT = 50;

/** The paired t-test, Wilcoxon signed-rank test and sign test of a - b. */
export interface PairedTest {
  /** Number of pairs. */
  n: number;
  /** Mean of the differences a - b. */
  mean_difference: number;
  /** Lower end of the Student-t interval of the mean difference. */
  lower: number;
  /** Upper end of the Student-t interval of the mean difference. */
  upper: number;
  /** Confidence level of [lower, upper]. */
  level: number;
  /** The alternative hypothesis every p-value tests. */
  alternative: Alternative;
  /** Paired t statistic mean / (s / sqrt(n)); +-Infinity when every difference is the same non-zero value, NaN when all are zero. */
  t_statistic: number;
  /** p-value of the paired t-test (n - 1 degrees of freedom). */
  t_p_value: number;
  /** Wilcoxon's W+: the sum of the ranks of |d| over the positive differences (zeros dropped). */
  wilcoxon_statistic: number;
  /** p-value of the signed-rank test (1 when every difference is zero). */
  wilcoxon_p_value: number;
  /** 'exact' (enumerated null distribution) or 'normal' (ties among |d|, or more than 50 non-zero differences). */
  wilcoxon_method: 'exact' | 'normal';
  /** Exact binomial p-value of the sign test. */
  sign_p_value: number;
  /** Pairs with a > b. */
  positive: number;
  /** Pairs with a < b. */
  negative: number;
  /** Pairs with a = b (left out of the rank and sign tests). */
  zero: number;
}

/** P(W+ <= w) and P(W+ >= w) under the null, from the counts of subsets of {1..m} by rank sum. */
function exactSignedRankTails(m: number, w: number): { lower: number; upper: number } {
  const total = (m * (m + 1)) / 2;
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (let k = 1; k <= m; k++) {
    const next = Float64Array.from(counts);
    for (let s = k; s <= total; s++) next[s] += counts[s - k];
    counts = next;
  }
  const all = 2 ** m;
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= w) lower += counts[s];
    if (s >= w) upper += counts[s];
  }
  return { lower: lower / all, upper: upper / all };
}

/** The p-value against `alternative` from the two one-sided tails of a discrete statistic. */
function pValueFromTails(tails: { lower: number; upper: number }, alternative: Alternative): number {
  if (alternative === 'greater') return tails.upper;
  if (alternative === 'less') return tails.lower;
  return Math.min(1, 2 * Math.min(tails.lower, tails.upper));
}

/**
 * Compares paired samples a and b (n >= 2 pairs, e.g. a metric of the same seeds under two
 * conditions) by the differences a - b: the paired t-test with an interval of the mean difference,
 * Wilcoxon's signed-rank test (exact for n <= 50 without ties) and the exact sign test.
 */
export function pairedTest(a: Sample, b: Sample, options?: PairedTestOptions): PairedTest {
  const verb = 'pairedTest';
  const o = resolveOptions(verb, PAIRED_TEST_DEFAULTS, options);
  checkAlternative(o.alternative, verb);
  checkLevel(o.level, verb);
  const as = checkSample(a, 'a', 2, verb);
  const bs = checkSample(b, 'b', 2, verb);
  checkSameLength(verb, { name: 'a', values: as }, { name: 'b', values: bs });
  const n = as.length;
  const differences = as.map((value, i) => value - bs[i]);

  // Student's paired t.
  const meanDifference = mean(differences);
  const standardError = Math.sqrt(sumOfSquares(differences, meanDifference) / (n - 1) / n);
  const t = meanDifference / standardError; // +-Infinity or NaN when every difference is equal
  let tPValue: number;
  if (standardError > 0) tPValue = symmetricPValue(t, (value) => studentTUpperTail(value, n - 1), o.alternative);
  // No spread: the data are certain about the sign of the mean, and say nothing when it is 0.
  else if (meanDifference === 0) tPValue = 1;
  else tPValue = o.alternative === 'two-sided' || (o.alternative === 'greater') === meanDifference > 0 ? 0 : 1;
  const halfWidth = studentTQuantile(0.5 + o.level / 2, n - 1) * standardError;

  // Wilcoxon's signed ranks and the sign test, on the non-zero differences.
  const nonZero = differences.filter((d) => d !== 0);
  const m = nonZero.length;
  const positive = nonZero.filter((d) => d > 0).length;
  const magnitudes = nonZero.map(Math.abs);
  const ranks = averageRanks(magnitudes);
  let plus = 0;
  for (let i = 0; i < m; i++) if (nonZero[i] > 0) plus += ranks[i];
  const ties = tieGroupSizes(magnitudes);
  let wilcoxonMethod: PairedTest['wilcoxon_method'] = 'exact';
  let wilcoxonPValue = 1;
  if (m > 0 && ties.length === 0 && m <= EXACT_WILCOXON_LIMIT) {
    wilcoxonPValue = pValueFromTails(exactSignedRankTails(m, plus), o.alternative);
  } else if (m > 0) {
    wilcoxonMethod = 'normal';
    const variance = (m * (m + 1) * (2 * m + 1)) / 24 - ties.reduce((sum, size) => sum + size ** 3 - size, 0) / 48;
    const z = (plus - (m * (m + 1)) / 4) / Math.sqrt(variance);
    wilcoxonPValue = symmetricPValue(z, (value) => normalCdf(-value), o.alternative);
  }
  const signPValue = m === 0 ? 1 : pValueFromTails(binomialTails(positive, m, 0.5), o.alternative);

  return {
    n,
    mean_difference: meanDifference,
    lower: meanDifference - halfWidth,
    upper: meanDifference + halfWidth,
    level: o.level,
    alternative: o.alternative,
    t_statistic: t,
    t_p_value: tPValue,
    wilcoxon_statistic: plus,
    wilcoxon_p_value: wilcoxonPValue,
    wilcoxon_method: wilcoxonMethod,
    sign_p_value: signPValue,
    positive,
    negative: m - positive,
    zero: n - m,
  };
}
