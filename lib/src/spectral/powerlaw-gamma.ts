// The upper incomplete gamma function Γ(s, x) = ∫_x^∞ t^(s-1) e^(-t) dt for a negative shape s,
// which the truncated power law x^-alpha e^(-Lambda x) needs as its normaliser (s = 1 - alpha < 0,
// x = Lambda·xmin). lib/src/special covers only s > 0 (chi-squared, Poisson), so this file exists.
//
// Method (written from the formulas, checked against mpmath's gammainc in the TPL test):
//   x >= 1, or s far below zero: Legendre's continued fraction (special/incomplete-gamma's Lentz loop);
//   small x: shift s up to a = s + m in [-1/2, 1/2], evaluate Γ(a, x) = Γ(a) - γ(a, x) in the form
//     ((Γ(1+a) - 1) - expm1(a ln x)) / a  -  x^a Σ_{k>=1} (-x)^k / (k! (a+k)),
//   which stays accurate as a -> 0 (s near a negative integer, i.e. alpha near 2, 3, ...: the
//   common case; a = 0 is E1), then recur down with Γ(b-1, x) = (Γ(b, x) - x^(b-1) e^(-x)) / (b-1),
//   whose divisor is at least 1/2 in size, so no step divides a cancellation by a small number.
// (Γ(1+a) - 1)/a comes from the Taylor series of log Γ(1+a) with the coefficients ζ(k) - 1,
// which converges for |a| < 2; |a| <= 1/2 needs ~30 terms.

import { upperGammaContinuedFraction } from '../special/incomplete-gamma';

const EULER_GAMMA = 0.5772156649015329;
const SERIES_TERMS = 64;
const TOLERANCE = 1e-16;

/** ζ(k) - 1 for k = 0..SERIES_TERMS (entries 0, 1 unused): a direct sum plus an Euler–Maclaurin tail. */
const ZETA_MINUS_ONE: Float64Array = (() => {
  const out = new Float64Array(SERIES_TERMS + 1);
  const cut = 64;
  for (let k = 2; k <= SERIES_TERMS; k++) {
    // Tail Σ_{n>=cut} n^-k: integral, half the first term, and the B2, B4, B6 corrections.
    const p = (e: number) => Math.pow(cut, -e);
    let sum =
      p(k - 1) / (k - 1) +
      p(k) / 2 +
      (k * p(k + 1)) / 12 -
      (k * (k + 1) * (k + 2) * p(k + 3)) / 720 +
      (k * (k + 1) * (k + 2) * (k + 3) * (k + 4) * p(k + 5)) / 30240;
    for (let n = cut - 1; n >= 2; n--) sum += Math.pow(n, -k); // smallest terms first
    out[k] = sum;
  }
  return out;
})();

/** (Γ(1+a) - 1)/a for |a| <= 1/2, accurate to a few ulps also as a -> 0 (limit -γ). */
function gammaOnePlusMinusOneOver(a: number): number {
  if (a === 0) return -EULER_GAMMA;
  // log Γ(1+a) = -log1p(a) + a(1 - γ) + Σ_{k>=2} (-1)^k (ζ(k) - 1) a^k / k; the -log1p(a) + a pair
  // is kept together so its leading terms cancel exactly rather than in rounding.
  let series = 0;
  for (let k = SERIES_TERMS; k >= 2; k--) series = series * a + ((k % 2 === 0 ? 1 : -1) * ZETA_MINUS_ONE[k]) / k;
  const logGammaOnePlus = a - Math.log1p(a) - EULER_GAMMA * a + series * a * a;
  return Math.expm1(logGammaOnePlus) / a;
}

/** Γ(a, x) for |a| <= 1/2 and 0 < x < 1 by the a -> 0-stable series. */
function upperGammaSmallShape(a: number, x: number): number {
  const logX = Math.log(x);
  let sum = 0;
  let power = 1; // (-x)^k / k!
  for (let k = 1; k < 200; k++) {
    power *= -x / k;
    const term = power / (a + k);
    sum += term;
    if (Math.abs(term) <= TOLERANCE * Math.abs(sum)) break;
  }
  const powerTerm = a === 0 ? logX : Math.expm1(a * logX) / a; // (x^a - 1)/a, -> ln x
  return gammaOnePlusMinusOneOver(a) - powerTerm - Math.exp(a * logX) * sum;
}

/** Shapes below this go to the continued fraction even for small x (it converges fast there; the recurrence would take -s steps). */
const FRACTION_SHAPE = -8;

/**
 * Γ(s, x) for s < 0 and x > 0 (double precision; overflows to Infinity and underflows to 0 as
 * mpmath's value converted to a float would).
 */
export function upperIncompleteGammaNegative(s: number, x: number): number {
  if (!(x > 0) || !(s < 0) || !Number.isFinite(s)) return NaN;
  if (x === Infinity) return 0;
  if (x >= 1 || s < FRACTION_SHAPE) return Math.exp(s * Math.log(x) - x) * upperGammaContinuedFraction(s, x);
  const steps = Math.round(-s);
  let b = s + steps; // in [-1/2, 1/2]
  let value = upperGammaSmallShape(b, x);
  const logX = Math.log(x);
  for (let i = 0; i < steps; i++) {
    value = (value - Math.exp((b - 1) * logX - x)) / (b - 1);
    b -= 1;
  }
  return value;
}
