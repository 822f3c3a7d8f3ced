// Regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x), in log space.
// P(k/2, x/2) is the chi-squared CDF; the inductive-bias estimator needs log P far into the
// left tail (P ~ 1e-1000 is an ordinary answer there), so everything is computed as logs.
//
// Method (the classical pair, e.g. Numerical Recipes 6.2, written from the formulas):
//   x < a + 1: the power series P = x^a e^-x / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n)),
//              whose terms fall monotonically once n > x - a;
//   otherwise: Legendre's continued fraction for Q, evaluated by the modified Lentz method.
// The prefactor a log x - x - log Gamma(a) is formed in log space, so neither branch can
// underflow; the complement uses log1mExp. Accuracy (tests/bias/special.test.ts, against exact
// finite Poisson sums for integer a and quadrature far in the tail): relative error of log P and
// log Q below 1e-13 for a <= 1e5. Work grows like sqrt(a) near x = a; the iteration cap below
// is reached only for a well above 1e8, where a NumericalError names a and x.

import { ArgumentError, NumericalError } from '../errors';
import { logGamma } from './log-gamma';
import { log1mExp } from './log-sum-exp';

const MAX_ITERATIONS = 1_000_000;
const RELATIVE_TOLERANCE = 1e-16;
const TINY = 1e-300;

function checkArguments(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a))
    throw new ArgumentError('incomplete gamma needs a finite shape a > 0', { field: 'a', found: String(a) });
  if (!(x >= 0)) throw new ArgumentError('incomplete gamma needs x >= 0', { field: 'x', found: String(x) });
}

/** log of x^a e^-x / Gamma(a): the common prefactor of both expansions. */
function logPrefactor(a: number, x: number): number {
  return a * Math.log(x) - x - logGamma(a);
}

/** log P(a, x) by the power series (valid for all x, fast for x < a + 1). */
function logLowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * RELATIVE_TOLERANCE) return logPrefactor(a, x) + Math.log(sum);
  }
  throw new NumericalError('incomplete gamma series did not converge', { field: 'a, x', found: `${a}, ${x}` });
}

/**
 * Legendre's continued fraction 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(...))) by the modified Lentz
 * method: Γ(a, x) = x^a e^-x times it. Valid for any real a when x > max(a - 1, 0); also used for the
 * negative shapes of the truncated power law (spectral/powerlaw-gamma.ts).
 */
export function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < RELATIVE_TOLERANCE) return h;
  }
  throw new NumericalError('incomplete gamma continued fraction did not converge', {
    field: 'a, x',
    found: `${a}, ${x}`,
  });
}

/** log Q(a, x) by the continued fraction (valid for x > a - 1, used for x >= a + 1). */
function logUpperFraction(a: number, x: number): number {
  return logPrefactor(a, x) + Math.log(upperGammaContinuedFraction(a, x));
}

/** log P(a, x), the log of the regularised lower incomplete gamma function (a > 0, x >= 0). */
export function logRegularizedGammaP(a: number, x: number): number {
  checkArguments(a, x);
  if (x === 0) return -Infinity;
  if (x === Infinity) return 0;
  if (x < a + 1) return logLowerSeries(a, x);
  return log1mExp(logUpperFraction(a, x));
}

/** log Q(a, x) = log(1 - P(a, x)), the log of the regularised upper incomplete gamma function. */
export function logRegularizedGammaQ(a: number, x: number): number {
  checkArguments(a, x);
  if (x === 0) return 0;
  if (x === Infinity) return -Infinity;
  if (x < a + 1) return log1mExp(logLowerSeries(a, x));
  return logUpperFraction(a, x);
}

/** P(a, x): the regularised lower incomplete gamma function, the CDF of Gamma(a, 1) at x. */
export function regularizedGammaP(a: number, x: number): number {
  return Math.exp(logRegularizedGammaP(a, x));
}

/** Q(a, x) = 1 - P(a, x), computed directly (no cancellation in the upper tail). */
export function regularizedGammaQ(a: number, x: number): number {
  return Math.exp(logRegularizedGammaQ(a, x));
}
