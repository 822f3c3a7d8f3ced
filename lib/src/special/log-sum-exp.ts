// Log-space arithmetic: probabilities far below 1e-308 (tails of the hypothesis-error
// distribution) are carried as logarithms, so sums and complements must be done in log space.
// All functions are exact up to a few ulps of the result (they only rearrange exp/log/log1p).

/** log(exp(a) + exp(b)) without overflow or underflow; -Infinity is the log of zero. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const high = Math.max(a, b);
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

/** log(sum_i exp(values[i])), shifted by the maximum so no term overflows; -Infinity when empty. */
export function logSumExp(values: ArrayLike<number>): number {
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > high) high = values[i];
  if (high === -Infinity || high === Infinity) return high;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - high);
  return high + Math.log(sum);
}

/**
 * log(1 - exp(x)) for x <= 0 (the log of a complement). Uses log(-expm1(x)) near 0 and
 * log1p(-exp(x)) below -ln 2, the split that keeps full relative accuracy on both sides
 * (Maechler, "Accurately computing log(1 - exp(-|a|))", 2012).
 */
export function log1mExp(x: number): number {
  if (x > 0) return NaN;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}
