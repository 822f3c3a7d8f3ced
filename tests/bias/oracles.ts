// Independent oracles the bias tests compare with: exact log-factorials from BigInt arithmetic,
// and log-space composite Simpson quadrature (no series, no incomplete gamma) for integrals
// whose integrand is smooth on the interval.

/** log of a positive BigInt to ~1 ulp: keep the top 60 bits as a double, add the shift times ln 2. */
export function logBig(value: bigint): number {
  const bits = value.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.log(Number(value >> BigInt(shift))) + shift * Math.LN2;
}

export function factorial(n: number): bigint {
  let out = 1n;
  for (let i = 2n; i <= BigInt(n); i++) out *= i;
  return out;
}

/** log sum exp, for the quadrature and the Poisson sums. */
export function logSum(values: number[]): number {
  const high = Math.max(...values);
  if (high === -Infinity) return -Infinity;
  return high + Math.log(values.reduce((sum, v) => sum + Math.exp(v - high), 0));
}

/**
 * log of the integral of exp(logIntegrand(u)) over [a, b] by composite Simpson with `intervals`
 * (even) sub-intervals, summed in log space so integrands of size 1e-300 and below are fine.
 */
export function logSimpson(logIntegrand: (u: number) => number, a: number, b: number, intervals = 4000): number {
  const h = (b - a) / intervals;
  const terms: number[] = [];
  for (let i = 0; i <= intervals; i++) {
    const weight = i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2;
    terms.push(Math.log((weight * h) / 3) + logIntegrand(a + i * h));
  }
  return logSum(terms);
}

/** Relative difference |a - b| / max(|b|, floor). */
export function relative(a: number, b: number, floor = 1e-300): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}
