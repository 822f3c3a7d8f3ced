// Goodness-of-fit checks for the fitted error model, so a result says when its number should
// not be trusted (§10.6 of the reference notes measured MLE fits with KS = 0.35-0.45 that were
// off by more than 5 bits in the tail):
//   - the Kolmogorov-Smirnov distance between the sampled errors and the fitted CDF, with the
//     asymptotic Kolmogorov p-value (parameters are fitted on the same sample, so the p-value is
//     too large, i.e. lenient; the threshold below is what decides);
//   - a tail-quantile check: at the empirical q-quantiles (q = 0.1, 0.01, 0.001 while n q >= 20)
//     the fitted -log2 F is compared with -log2 q, the quantity the estimator extrapolates.
// And the empirical frequency of errors <= eps with a Wilson score interval, the direct Monte
// Carlo estimate when enough samples reach eps.

import { normalQuantile } from '../special/normal';
import type { ScaledNoncentralChiSquared } from './noncentral-chi-squared';

export interface TailCheck {
  /** Nominal lower-tail probability q. */
  quantile: number;
  /** The empirical q-quantile of the sampled errors. */
  error: number;
  /** -log2 of the fitted CDF there. */
  fittedBits: number;
  /** -log2 q. */
  sampledBits: number;
  /** fittedBits - sampledBits. */
  difference: number;
  /** Allowed |difference|: 1 bit plus three sampling standard errors of -log2 of the empirical frequency. */
  tolerance: number;
  passed: boolean;
}

export interface GoodnessOfFit {
  ks: number;
  ksPValue: number;
  /** KS distances above this are flagged: max(0.05, 1.63 / sqrt(n)) (1.63 / sqrt(n) is the 1 % critical value). */
  ksThreshold: number;
  tail: TailCheck[];
  trustworthy: boolean;
}

/** P(K > t) for the Kolmogorov distribution: 2 sum_k (-1)^(k-1) exp(-2 k^2 t^2). */
export function kolmogorovSurvival(t: number): number {
  if (t <= 0) return 1;
  if (t < 0.2) return 1; // the series needs many terms here and the value is 1 to 1e-20
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * t * t);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

export function goodnessOfFit(model: ScaledNoncentralChiSquared, sorted: Float64Array): GoodnessOfFit {
  const n = sorted.length;
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const f = model.cdf(sorted[i]);
    ks = Math.max(ks, (i + 1) / n - f, f - i / n);
  }
  const root = Math.sqrt(n);
  // Stephens' finite-n correction of the asymptotic distribution.
  const ksPValue = kolmogorovSurvival((root + 0.12 + 0.11 / root) * ks);
  const ksThreshold = Math.max(0.05, 1.63 / root);
  const tail: TailCheck[] = [];
  for (const q of [0.1, 0.01, 0.001]) {
    if (n * q < 20) break;
    const error = sorted[Math.ceil(n * q) - 1];
    const fittedBits = -model.logCdf(error) / Math.LN2;
    const sampledBits = -Math.log2(q);
    const standardError = Math.sqrt((1 - q) / (n * q)) / Math.LN2;
    const tolerance = 1 + 3 * standardError;
    const difference = fittedBits - sampledBits;
    tail.push({
      quantile: q,
      error,
      fittedBits,
      sampledBits,
      difference,
      tolerance,
      passed: Math.abs(difference) <= tolerance,
    });
  }
  return { ks, ksPValue, ksThreshold, tail, trustworthy: ks <= ksThreshold && tail.every((t) => t.passed) };
}

export interface EmpiricalFrequency {
  /** Sampled errors <= eps. */
  count: number;
  samples: number;
  probability: number;
  /** -log2 of the empirical probability (Infinity when count = 0). */
  bits: number;
  /** Wilson score interval of the probability, as bits [low, high] (high = Infinity when count = 0). */
  interval: [number, number];
}

export function empiricalFrequency(sorted: Float64Array, eps: number, level: number): EmpiricalFrequency {
  const n = sorted.length;
  // Binary search for the number of errors <= eps.
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] <= eps) low = middle + 1;
    else high = middle;
  }
  const count = low;
  const p = count / n;
  const z = normalQuantile(0.5 + level / 2);
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const lowerP = Math.max(0, centre - half);
  const upperP = Math.min(1, centre + half);
  return {
    count,
    samples: n,
    probability: p,
    bits: count === 0 ? Infinity : -Math.log2(p),
    interval: [Math.max(0, -Math.log2(upperP)), lowerP > 0 ? -Math.log2(lowerP) : Infinity],
  };
}
