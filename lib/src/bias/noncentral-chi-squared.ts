// The scaled non-central chi-squared distribution s * chi'^2(k, lambda): Boopathy et al. model
// the test error of sampled hypotheses with it (the error of a Gaussian-process sample is a
// quadratic form in Gaussians, i.e. a generalised chi-squared, which this family approximates).
//
// Log-CDF: the Poisson mixture
//   log F(x) = logsumexp_j [ log Pois(j; lambda/2) + log P(k/2 + j, x/2) ],
// summed in log space from the largest term outwards until terms are 40 nats (a factor 4e-18)
// below the running maximum. The terms are unimodal in j (log-concave Poisson weight times a
// log-concave incomplete gamma in the shape), so the walk cannot stop early. The result stays
// finite far in the tail (log F = -1e5 is fine), which is where the estimator lives.
// Sankaran's normal approximation (1963) is kept for parameters where the mixture would need
// too many terms (lambda/2 or k/2 above 1e5) and as a cross-check.

import { ArgumentError } from '../errors';
import { logGamma } from '../special/log-gamma';
import { logRegularizedGammaP } from '../special/incomplete-gamma';
import { normalLogCdf } from '../special/normal';

/** Terms smaller than the running maximum by this many nats are dropped (relative 4e-18). */
const TERM_CUTOFF = 40;

/** Above this k/2 or lambda/2 the mixture walk gets long; the Sankaran approximation takes over. */
export const MIXTURE_LIMIT = 1e5;

function checkParameters(df: number, nc: number): void {
  if (!(df > 0) || !Number.isFinite(df))
    throw new ArgumentError('degrees of freedom must be finite and > 0', {
      field: 'degreesOfFreedom',
      found: String(df),
    });
  if (!(nc >= 0) || !Number.isFinite(nc))
    throw new ArgumentError('non-centrality must be finite and >= 0', { field: 'noncentrality', found: String(nc) });
}

/** log of the Poisson(mean) probability of j. */
function logPoisson(j: number, mean: number, logMean: number): number {
  return j * logMean - mean - logGamma(j + 1);
}

/**
 * Sums term(j) = logWeight(j) + inner(j) over j >= 0 in log space, walking outwards from
 * `start` (the Poisson mode) until terms fall TERM_CUTOFF nats below the maximum.
 */
export function logMixtureSum(start: number, term: (j: number) => number): number {
  const first = term(start);
  if (first === Infinity) return Infinity;
  let high = first;
  // Accumulate sum exp(term - reference); rebase when a larger term appears.
  let reference = first;
  let sum = first === -Infinity ? 0 : 1;
  const add = (value: number): void => {
    if (value === -Infinity) return;
    if (value > reference) {
      sum = sum * Math.exp(reference - value) + 1;
      reference = value;
    } else {
      sum += Math.exp(value - reference);
    }
    if (value > high) high = value;
  };
  // Upwards: beyond the Poisson mode both factors decrease, so stop at the first small term.
  for (let j = start + 1; ; j++) {
    const value = term(j);
    add(value);
    // (-Infinity and NaN terms also end the walk: the sum cannot grow from them.)
    if (!(value >= high - TERM_CUTOFF) || value === -Infinity) break;
  }
  // Downwards: terms may first increase (left tail favours small j), so stop only once they
  // are both small and still falling.
  let previous = first;
  for (let j = start - 1; j >= 0; j--) {
    const value = term(j);
    add(value);
    if (value < high - TERM_CUTOFF && value < previous) break;
    previous = value;
  }
  return sum === 0 ? -Infinity : reference + Math.log(sum);
}

/** log CDF of the (unscaled) non-central chi-squared with df degrees of freedom and non-centrality nc. */
export function noncentralChiSquaredLogCdf(x: number, df: number, nc: number): number {
  checkParameters(df, nc);
  if (Number.isNaN(x)) throw new ArgumentError('x is NaN', { field: 'x' });
  if (x <= 0) return -Infinity;
  if (x === Infinity) return 0;
  if (nc / 2 > MIXTURE_LIMIT || df / 2 > MIXTURE_LIMIT) return sankaranLogCdf(x, df, nc);
  if (nc === 0) return logRegularizedGammaP(df / 2, x / 2);
  const mean = nc / 2;
  const logMean = Math.log(mean);
  return logMixtureSum(Math.floor(mean), (j) => logPoisson(j, mean, logMean) + logRegularizedGammaP(df / 2 + j, x / 2));
}

/** log density of the (unscaled) non-central chi-squared, as the Poisson mixture of chi-squared densities. */
export function noncentralChiSquaredLogPdf(x: number, df: number, nc: number): number {
  checkParameters(df, nc);
  if (Number.isNaN(x)) throw new ArgumentError('x is NaN', { field: 'x' });
  if (x < 0 || x === Infinity) return -Infinity;
  const logX = Math.log(x);
  // chi^2_nu log density: (nu/2 - 1) log x - x/2 - (nu/2) log 2 - log Gamma(nu/2).
  const chiSquared = (nu: number): number => {
    if (x === 0) return nu < 2 ? Infinity : nu === 2 ? -Math.LN2 : -Infinity;
    return (nu / 2 - 1) * logX - x / 2 - (nu / 2) * Math.LN2 - logGamma(nu / 2);
  };
  if (nc === 0) return chiSquared(df);
  const mean = nc / 2;
  const logMean = Math.log(mean);
  return logMixtureSum(densityMixtureMode(x, df, nc), (j) => logPoisson(j, mean, logMean) + chiSquared(df + 2 * j));
}

/**
 * The index j of the largest density-mixture term at x: consecutive terms have the ratio
 * (lambda x / 4) / ((j + 1)(k/2 + j)), so the mode solves j^2 + (k/2 + 1) j + k/2 = lambda x / 4.
 */
export function densityMixtureMode(x: number, df: number, nc: number): number {
  const b = df / 2 + 1;
  const c = df / 2 - (nc * x) / 4;
  const root = (-b + Math.sqrt(Math.max(0, b * b - 4 * c))) / 2;
  return Math.max(0, Math.floor(root));
}

/**
 * Mean log density of `values` under s * chi'^2(k, lambda), with the per-j constants of the
 * mixture computed once (the maximum-likelihood objective evaluates this hundreds of times).
 */
export function meanMixtureLogDensity(values: ArrayLike<number>, df: number, nc: number, scale: number): number {
  checkParameters(df, nc);
  const mean = nc / 2;
  const logMean = nc > 0 ? Math.log(mean) : 0;
  const constants: number[] = [];
  const constant = (j: number): number => {
    for (let i = constants.length; i <= j; i++) {
      const poisson = nc > 0 ? logPoisson(i, mean, logMean) : i === 0 ? 0 : -Infinity;
      constants.push(poisson - (df / 2 + i) * Math.LN2 - logGamma(df / 2 + i));
    }
    return constants[j];
  };
  const logScale = Math.log(scale);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i] / scale;
    if (!(y > 0) || y === Infinity) return -Infinity;
    const logY = Math.log(y);
    const term = (j: number): number => constant(j) + (df / 2 + j - 1) * logY - y / 2;
    total += (nc > 0 ? logMixtureSum(densityMixtureMode(y, df, nc), term) : term(0)) - logScale;
  }
  return total / values.length;
}

/**
 * Sankaran's (1963) normal approximation of log F(x): a power transform (x / (k + lambda))^h
 * that is nearly normal, with h, p, m matched to the first cumulants. Good to a few percent in
 * log F in the far left tail when k + lambda is large; crude when k is small.
 */
export function sankaranLogCdf(x: number, df: number, nc: number): number {
  checkParameters(df, nc);
  if (x <= 0) return -Infinity;
  const total = df + nc;
  const h = 1 - ((2 / 3) * total * (df + 3 * nc)) / (df + 2 * nc) ** 2;
  const p = (df + 2 * nc) / (total * total);
  const m = (h - 1) * (1 - 3 * h);
  const z =
    (Math.pow(x / total, h) - (1 + h * p * (h - 1 - 0.5 * (2 - h) * m * p))) /
    (h * Math.sqrt(2 * p) * (1 + 0.5 * m * p));
  return normalLogCdf(z);
}

/** A fitted error model: error ~ scale * chi'^2(degreesOfFreedom, noncentrality). */
export interface ScaledNoncentralChiSquaredParameters {
  degreesOfFreedom: number;
  noncentrality: number;
  scale: number;
}

/** The scaled non-central chi-squared: CDF, density and moments of s * chi'^2(k, lambda). */
export class ScaledNoncentralChiSquared implements ScaledNoncentralChiSquaredParameters {
  readonly degreesOfFreedom: number;
  readonly noncentrality: number;
  readonly scale: number;

  constructor({ degreesOfFreedom, noncentrality, scale }: ScaledNoncentralChiSquaredParameters) {
    checkParameters(degreesOfFreedom, noncentrality);
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new ArgumentError('scale must be finite and > 0', { field: 'scale', found: String(scale) });
    this.degreesOfFreedom = degreesOfFreedom;
    this.noncentrality = noncentrality;
    this.scale = scale;
  }

  /** log P(error <= x). */
  logCdf(x: number): number {
    return noncentralChiSquaredLogCdf(x / this.scale, this.degreesOfFreedom, this.noncentrality);
  }

  cdf(x: number): number {
    return Math.exp(this.logCdf(x));
  }

  /** Sankaran's approximation of log P(error <= x), for comparison with the mixture. */
  sankaranLogCdf(x: number): number {
    return sankaranLogCdf(x / this.scale, this.degreesOfFreedom, this.noncentrality);
  }

  logPdf(x: number): number {
    return noncentralChiSquaredLogPdf(x / this.scale, this.degreesOfFreedom, this.noncentrality) - Math.log(this.scale);
  }

  pdf(x: number): number {
    return Math.exp(this.logPdf(x));
  }

  get mean(): number {
    return this.scale * (this.degreesOfFreedom + this.noncentrality);
  }

  get variance(): number {
    return 2 * this.scale * this.scale * (this.degreesOfFreedom + 2 * this.noncentrality);
  }

  toJSON(): ScaledNoncentralChiSquaredParameters {
    return { degreesOfFreedom: this.degreesOfFreedom, noncentrality: this.noncentrality, scale: this.scale };
  }
}
