// The sampling distributions behind weightlab's tests and intervals: Student's t (CDF, tail and
// quantile, for t-tests, mean intervals, correlation and slope p-values) and the binomial tail (for
// the sign test). Student's t reduces to the regularized incomplete beta function, computed here
// in float64 from its continued fraction; the quantile inverts the CDF by safeguarded Newton steps.
//
// References: DLMF 8.17.22 (the continued fraction of I_x(a, b)) and 8.17.4 (its symmetry);
// DLMF 8.17(ii) for the t distribution, P(|T| > t) = I_{v/(v+t^2)}(v/2, 1/2); Lentz's method as
// modified by Thompson & Barnett (1986) for evaluating the fraction. Accuracy against scipy 1.17
// (tests/statistics/distributions.test.ts): relative error below 1e-12 for tails down to 1e-300.

import { ArgumentError, NumericalError } from '../errors';
import { logGamma } from '../special/log-gamma';

/** log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b). */
function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

// The continued fraction's terms fall below one rounding unit long before this many; more means
// the arguments are far outside what a t or binomial tail asks for.
const MAX_FRACTION_TERMS = 10_000;
const TINY = 1e-300;

/**
 * The continued fraction of I_x(a, b) (DLMF 8.17.22) without its prefactor, by the modified Lentz
 * method. Converges fast for x < (a + 1) / (a + b + 2), which the caller ensures by symmetry.
 */
function betaFraction(a: number, b: number, x: number): number {
  // f = 1 / (1 + d1 / (1 + d2 / (1 + ...))), with d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1))
  // and d_{2m} = m (b-m) x / ((a+2m-1)(a+2m)). Evaluated as b0 + a1/(b1 + a2/(b2 + ...)) with
  // b0 = 0, a1 = 1 and b_k = 1, a_{k+1} = d_k.
  // Lentz's ratios after the first (exact) step: f_1 = a_1 / b_1 = 1, D_1 = 1 / b_1 = 1, and
  // C_1 = b_1 + a_1 / C_0 with C_0 = b_0 = 0, i.e. infinite, so the next C is exactly 1.
  let value = 1;
  let denominatorRatio = 1;
  let numeratorRatio = Infinity;
  for (let k = 1; k <= MAX_FRACTION_TERMS; k++) {
    const m = Math.floor(k / 2);
    const d = k % 2 === 1
      ? (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
      : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    denominatorRatio = 1 + d * denominatorRatio;
    if (Math.abs(denominatorRatio) < TINY) denominatorRatio = TINY;
    denominatorRatio = 1 / denominatorRatio;
    numeratorRatio = 1 + d / numeratorRatio;
    if (Math.abs(numeratorRatio) < TINY) numeratorRatio = TINY;
    const factor = numeratorRatio * denominatorRatio;
    value *= factor;
    if (Math.abs(factor - 1) <= 2 * Number.EPSILON) return value;
  }
  throw new NumericalError('the incomplete beta continued fraction did not converge', { field: 'x', found: `a = ${a}, b = ${b}, x = ${x}` });
}

/**
 * The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1. Pass the
 * complement `1 - x` when it is known more precisely than x (near x = 1), as the t tail does.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, complement: number = 1 - x): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new ArgumentError('the incomplete beta function needs finite a > 0 and b > 0', { field: 'a, b', found: `${a}, ${b}` });
  }
  if (!(x >= 0 && x <= 1)) throw new ArgumentError('the incomplete beta function needs 0 <= x <= 1', { field: 'x', found: String(x) });
  if (x === 0) return 0;
  if (complement === 0) return 1;
  // Prefactor x^a (1-x)^b / (a B(a, b)), in logs so that tiny tails do not underflow early.
  if (x < (a + 1) / (a + b + 2)) {
    const logPrefactor = a * Math.log(x) + b * Math.log(complement) - logBeta(a, b) - Math.log(a);
    return Math.exp(logPrefactor) * betaFraction(a, b, x);
  }
  // I_x(a, b) = 1 - I_{1-x}(b, a): the fraction converges fast on the other side.
  const logPrefactor = b * Math.log(complement) + a * Math.log(x) - logBeta(a, b) - Math.log(b);
  return 1 - Math.exp(logPrefactor) * betaFraction(b, a, complement);
}

function checkDegreesOfFreedom(degreesOfFreedom: number): void {
  if (!(degreesOfFreedom > 0) || !Number.isFinite(degreesOfFreedom)) {
    throw new ArgumentError("Student's t needs finite degrees of freedom > 0", { field: 'degreesOfFreedom', expected: 'a number > 0', found: String(degreesOfFreedom) });
  }
}

/** P(T > t) for Student's t with `degreesOfFreedom` (v): I_{v/(v+t^2)}(v/2, 1/2) / 2 for t >= 0. */
export function studentTUpperTail(t: number, degreesOfFreedom: number): number {
  checkDegreesOfFreedom(degreesOfFreedom);
  if (Number.isNaN(t)) throw new ArgumentError("Student's t tail got NaN", { field: 't', found: 'NaN' });
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  if (t === 0) return 0.5;
  const v = degreesOfFreedom;
  // x = v / (v + t^2) and 1 - x = t^2 / (v + t^2), each formed without cancellation; for |t| >= 1
  // through r = v / t^2 (divided twice by t, so that t^2 cannot overflow for t up to 1e308).
  let x: number;
  let complement: number;
  if (Math.abs(t) < 1) {
    const squared = t * t;
    x = v / (v + squared);
    complement = squared / (v + squared);
  } else {
    const ratio = v / t / t;
    x = ratio / (1 + ratio);
    complement = 1 / (1 + ratio);
  }
  const half = 0.5 * regularizedIncompleteBeta(x, v / 2, 0.5, complement);
  return t >= 0 ? half : 1 - half;
}

/** P(T <= t) for Student's t with `degreesOfFreedom`. */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  return studentTUpperTail(-t, degreesOfFreedom);
}

/** The density of Student's t with `degreesOfFreedom` at t. */
export function studentTDensity(t: number, degreesOfFreedom: number): number {
  checkDegreesOfFreedom(degreesOfFreedom);
  const v = degreesOfFreedom;
  return Math.exp(logGamma((v + 1) / 2) - logGamma(v / 2) - 0.5 * Math.log(v * Math.PI) - ((v + 1) / 2) * Math.log1p((t * t) / v));
}

/**
 * t with P(T <= t) = p for Student's t with `degreesOfFreedom`, for 0 < p < 1. Newton steps on the
 * upper tail, kept inside a bracket that bisection shrinks when a step would leave it (the density
 * is tiny far out, where a plain Newton step overshoots).
 */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  checkDegreesOfFreedom(degreesOfFreedom);
  if (!(p > 0 && p < 1)) throw new ArgumentError("Student's t quantile needs 0 < p < 1", { field: 'p', expected: '0 < p < 1', found: String(p) });
  if (p === 0.5) return 0;
  // Solve P(T > t) = tail for t > 0 and mirror: the tail is the smaller of p and 1 - p, taken
  // from p as given (1 - p is exact for p >= 1/2, while 1 - (1 - p) would round a tiny p away).
  const sign = p < 0.5 ? -1 : 1;
  const tail = p < 0.5 ? p : 1 - p;
  let low = 0;
  let high = 1;
  while (studentTUpperTail(high, degreesOfFreedom) > tail) {
    low = high;
    high *= 2;
    if (!Number.isFinite(high)) throw new NumericalError("Student's t quantile is beyond float64", { field: 'p', found: String(p) });
  }
  // Near the centre (tail > 1/4) P(T > t) = 1/2 - s with s small, and rounding 1/2 - s costs s
  // its relative precision: there solve for the central mass P(|T| < t) = 1 - 2 tail instead,
  // which is I_{t^2/(v+t^2)}(1/2, v/2) (DLMF 8.17.4 applied to the tail's formula) and exact in p.
  const central = tail > 0.25;
  const target = central ? 1 - 2 * tail : tail;
  const v = degreesOfFreedom;
  const objective = (value: number): number => {
    if (!central) return studentTUpperTail(value, v) - target; // decreasing in t
    const squared = value * value;
    return target - regularizedIncompleteBeta(squared / (v + squared), 0.5, v / 2, v / (v + squared)); // also decreasing
  };
  const slope = (value: number): number => (central ? 2 : 1) * studentTDensity(value, v);
  let t = 0.5 * (low + high);
  for (let iteration = 0; iteration < 200; iteration++) {
    const excess = objective(t);
    if (excess === 0) return sign * t;
    if (excess > 0) low = t;
    else high = t;
    let next = t + excess / slope(t);
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    if (Math.abs(next - t) <= 1e-15 * Math.abs(next) || high - low <= 1e-15 * high) return sign * next;
    t = next;
  }
  return sign * t;
}

/**
 * P(X <= k) and P(X >= k) for X ~ Binomial(n, p), summed exactly term by term (the sign test's n is
 * a number of seeds or models, small enough that n terms cost nothing).
 */
export function binomialTails(k: number, n: number, p: number): { lower: number; upper: number } {
  if (!(Number.isInteger(n) && n >= 0)) throw new ArgumentError('the binomial tail needs an integer n >= 0', { field: 'n', found: String(n) });
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new ArgumentError('the binomial tail needs an integer 0 <= k <= n', { field: 'k', expected: `0..${n}`, found: String(k) });
  if (!(p >= 0 && p <= 1)) throw new ArgumentError('the binomial tail needs 0 <= p <= 1', { field: 'p', found: String(p) });
  if (p === 0 || p === 1) {
    const certain = p === 0 ? 0 : n; // all the mass sits on one count
    return { lower: k >= certain ? 1 : 0, upper: k <= certain ? 1 : 0 };
  }
  // Terms in logs by the ratio recurrence P(j+1) / P(j) = (n - j) / (j + 1) * p / (1 - p), from
  // P(0) = (1 - p)^n, so that neither the coefficients nor the powers overflow or underflow early.
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logTerm = n * Math.log1p(-p);
  let lower = 0;
  let upper = 0;
  for (let j = 0; j <= n; j++) {
    const term = Math.exp(logTerm);
    if (j <= k) lower += term;
    if (j >= k) upper += term;
    logTerm += Math.log((n - j) / (j + 1)) + logOdds;
  }
  return { lower: Math.min(1, lower), upper: Math.min(1, upper) };
}
