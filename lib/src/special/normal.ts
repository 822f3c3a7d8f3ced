// The standard normal distribution in log space: the Sankaran approximation of the far tail
// of a non-central chi-squared needs log Phi(z) for z as low as -1e4, and confidence levels need
// the quantile. Phi is reduced to the incomplete gamma, Phi(-z) = Q(1/2, z^2/2) / 2 for z >= 0,
// so it inherits that function's accuracy (relative error below 1e-13 for log Phi, also in the
// tail where Phi underflows). The quantile starts from a 3-term rational guess (|error| < 5e-4,
// Abramowitz & Stegun 26.2.23) and polishes it by Newton steps on log Phi, which converge to a
// few ulps (tests/bias/special.test.ts checks Phi(quantile(p)) = p).

import { ArgumentError, NumericalError } from '../errors';
import { logRegularizedGammaQ } from './incomplete-gamma';
import { log1mExp } from './log-sum-exp';

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log of the standard normal density at z. */
export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_TWO_PI;
}

/** log Phi(z), finite for every finite z (log Phi(-40) = -804.6...). */
export function normalLogCdf(z: number): number {
  if (Number.isNaN(z)) throw new ArgumentError('normalLogCdf got NaN', { field: 'z', found: 'NaN' });
  if (z === -Infinity) return -Infinity;
  if (z === Infinity) return 0;
  const lowerTail = logRegularizedGammaQ(0.5, 0.5 * z * z) - Math.LN2; // log Phi(-|z|)
  return z <= 0 ? lowerTail : log1mExp(lowerTail);
}

/** Phi(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  return Math.exp(normalLogCdf(z));
}

/** z with Phi(z) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new ArgumentError('normalQuantile needs 0 < p < 1', { field: 'p', found: String(p) });
  if (p > 0.5) return -normalQuantile(1 - p);
  // Initial guess for the lower half (A&S 26.2.23).
  const t = Math.sqrt(-2 * Math.log(p));
  let z = -(
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
  );
  const target = Math.log(p);
  // Newton on g(z) = log Phi(z) - log p, g'(z) = phi(z) / Phi(z): g is concave and increasing,
  // so from a guess within 5e-4 the iteration converges quadratically.
  // Rounding can make the last steps alternate at the ulp level, so stop at 1e-14 relative
  // and accept anything below 1e-10 after the iteration budget.
  let step = Infinity;
  for (let iteration = 0; iteration < 30; iteration++) {
    const logPhi = normalLogCdf(z);
    step = (logPhi - target) / Math.exp(normalLogPdf(z) - logPhi);
    z -= step;
    if (Math.abs(step) <= 1e-14 * Math.max(1, Math.abs(z))) return z;
  }
  if (Math.abs(step) <= 1e-10 * Math.max(1, Math.abs(z))) return z;
  throw new NumericalError('normalQuantile did not converge', { field: 'p', found: String(p) });
}
