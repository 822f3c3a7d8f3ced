// The inductive-bias estimator on a vector of sampled test errors:
//   I(eps) = -log P[error <= eps]  under the fitted scaled non-central chi-squared,
// in nats (what the published code returns) and bits (what the paper reports: nats / ln 2),
// with an interval: the bootstrap percentile interval (errors resampled, model refitted: the
// sampling noise of the fit) widened by the model's measured misfit at the sample quantiles it
// can be checked at (without that, the 1 % quantile of GP errors fell outside the bootstrap
// interval in tests/bias: the ncx2 family only approximates the errors' law), and warnings for every input that makes the number
// doubtful: too few samples, eps outside the sampled range, a poor fit.

import { ArgumentError, NumericalError } from '../errors';
import { rng as makeRng } from '../random/rng';
import { fitErrorModel, type ErrorModelFit, type FitMethod } from './fit';
import { MIXTURE_LIMIT, type ScaledNoncentralChiSquared } from './noncentral-chi-squared';
import { empiricalFrequency, goodnessOfFit, type EmpiricalFrequency, type GoodnessOfFit } from './diagnostics';
import { WarningLog } from './hypothesis-space';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** Fewer samples than this cannot support a three-moment fit: an ArgumentError. */
export const MINIMUM_SAMPLES = 30;
/** Below this many samples the third moment is noisy: a warning. */
export const ADVISED_SAMPLES = 200;

export interface EstimatorOptions {
  /**
   * How the error model is fitted: 'moments' (three moments) or 'maximum-likelihood' (the moment
   * fit refined by Nelder-Mead on the likelihood).
   * @default 'moments'
   */
  fit?: FitMethod;
  /**
   * Bootstrap resamples for the interval (0 disables it). Unset, it is 300 with fit 'moments' and
   * 40 with 'maximum-likelihood' (each resample refits the model).
   * @default undefined (300 or 40 by fit method)
   */
  bootstrap?: number;
  /**
   * Confidence level of the interval.
   * @default 0.95
   */
  level?: number;
  /**
   * Seed of the bootstrap resampling.
   * @default 0
   */
  seed?: number;
  /**
   * Also emit warnings as Node process warnings; they are always in `warnings`.
   * @default true
   */
  warn?: boolean;
}

/** The estimator's defaults (see EstimatorOptions). */
export const ESTIMATOR_DEFAULTS = {
  fit: 'moments',
  bootstrap: undefined,
  level: 0.95,
  seed: 0,
  warn: true,
} as const satisfies OptionDefaults<EstimatorOptions>;

/** Bootstrap resamples when `bootstrap` is unset: a moment fit is cheap, a likelihood fit is not. */
export function defaultResamples(method: FitMethod): number {
  return method === 'moments' ? 300 : 40;
}

export interface InductiveBiasEstimate {
  eps: number;
  /** Required inductive bias in nats: -ln P[error <= eps]. */
  nats: number;
  /** The same in bits: nats / ln 2. */
  bits: number;
  /**
   * Interval at `level`, in bits and nats: the bootstrap percentile interval (`bootstrapBits`,
   * sampling noise; [bits, bits] when bootstrap = 0) widened on both sides by `misfitBits`, the
   * largest tail-check discrepancy of the fitted model (its measured approximation error).
   */
  interval: {
    level: number;
    bits: [number, number];
    nats: [number, number];
    resamples: number;
    bootstrapBits: [number, number];
    misfitBits: number;
  };
  model: {
    degreesOfFreedom: number;
    noncentrality: number;
    scale: number;
    method: FitMethod;
    clipped: boolean;
    meanLogLikelihood: number;
  };
  /** How log F(eps) was computed. */
  tailMethod: 'poisson-mixture' | 'sankaran';
  /** Sankaran's normal approximation at eps, in bits, for comparison. */
  sankaranBits: number;
  /** Direct frequency of sampled errors <= eps. */
  empirical: EmpiricalFrequency;
  diagnostics: GoodnessOfFit;
  warnings: string[];
}

function checkErrors(errors: ArrayLike<number>): Float64Array {
  const n = errors.length;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(errors[i]) || errors[i] < 0) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new NumericalError(`${bad} of ${n} sampled errors are not finite non-negative numbers`, {
      field: 'errors',
      found: `${errors[first]} at index ${first}`,
    });
  }
  if (n < MINIMUM_SAMPLES)
    throw new ArgumentError(`at least ${MINIMUM_SAMPLES} sampled errors are needed to fit the error model`, {
      field: 'samples',
      found: String(n),
    });
  return Float64Array.from(errors).sort();
}

function percentile(sorted: number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

function biasNats(model: ScaledNoncentralChiSquared, eps: number): number {
  return -model.logCdf(eps);
}

/** A fitted error model with its bootstrap replicates: evaluate the bias at any eps with `at(eps)`. */
export class ErrorModelEstimator {
  readonly fit: ErrorModelFit;
  readonly replicates: ScaledNoncentralChiSquared[];
  readonly diagnostics: GoodnessOfFit;
  /** The sampled errors, sorted ascending. */
  readonly sorted: Float64Array;
  readonly level: number;
  private readonly baseWarnings: string[];
  private readonly emit: boolean;

  constructor(errors: ArrayLike<number>, options: EstimatorOptions = {}) {
    const o = resolveOptions('estimateInductiveBias', ESTIMATOR_DEFAULTS, options);
    const log = new WarningLog(o.warn);
    this.emit = o.warn;
    this.sorted = checkErrors(errors);
    const n = this.sorted.length;
    this.level = o.level;
    if (!(this.level > 0 && this.level < 1))
      throw new ArgumentError('level must lie in (0, 1)', { field: 'level', found: String(this.level) });
    const method = o.fit;
    if (method !== 'moments' && method !== 'maximum-likelihood')
      throw new ArgumentError('unknown fit method', {
        field: 'fit',
        expected: "'moments' or 'maximum-likelihood'",
        found: String(method),
      });
    if (n < ADVISED_SAMPLES)
      log.add(
        `only ${n} sampled errors: the third moment (which sets the tail of the fit) is noisy below ${ADVISED_SAMPLES}; the interval will be wide`,
      );
    this.fit = fitErrorModel(this.sorted, method);
    // A clipped moment fit (lambda = 0) is common and harmless when the diagnostics pass:
    // generalised chi-squared errors are often more skewed than any non-central chi-squared
    // with their mean and variance. It is reported in `model.clipped`, not warned about.
    const resamples = o.bootstrap ?? defaultResamples(method);
    if (!Number.isInteger(resamples) || resamples < 0)
      throw new ArgumentError('bootstrap must be a non-negative integer', {
        field: 'bootstrap',
        found: String(resamples),
      });
    this.replicates = [];
    const random = makeRng(o.seed).fold('bootstrap');
    const resample = new Float64Array(n);
    for (let b = 0; b < resamples; b++) {
      const picks = random.fold(b).integers(n, 0, n);
      for (let i = 0; i < n; i++) resample[i] = this.sorted[picks[i]];
      try {
        this.replicates.push(fitErrorModel(resample, method, { likelihood: false }).model);
      } catch {
        // A degenerate resample (all picks equal) cannot be fitted; it is skipped, and counted below.
      }
    }
    if (this.replicates.length < resamples)
      log.add(
        `${resamples - this.replicates.length} of ${resamples} bootstrap resamples could not be fitted and were skipped`,
      );
    this.diagnostics = goodnessOfFit(this.fit.model, this.sorted);
    if (this.diagnostics.ks > this.diagnostics.ksThreshold) {
      log.add(
        `poor fit: Kolmogorov-Smirnov distance ${this.diagnostics.ks.toFixed(3)} between the sampled errors and the fitted model exceeds ${this.diagnostics.ksThreshold.toFixed(3)}; the tail extrapolation is not trustworthy`,
      );
    }
    for (const check of this.diagnostics.tail) {
      if (!check.passed)
        log.add(
          `poor tail fit: at the sampled ${check.quantile} quantile (error ${check.error.toPrecision(4)}) the model gives ${check.fittedBits.toFixed(2)} bits instead of ${check.sampledBits.toFixed(2)} (off by ${check.difference.toFixed(2)}, tolerance ${check.tolerance.toFixed(2)})`,
        );
    }
    this.baseWarnings = log.messages;
  }

  /** The estimate at eps. */
  at(eps: number): InductiveBiasEstimate {
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps))
      throw new ArgumentError('eps must be a finite positive test error', { field: 'eps', found: String(eps) });
    const log = new WarningLog(this.emit);
    const n = this.sorted.length;
    const model = this.fit.model;
    const nats = biasNats(model, eps);
    if (!Number.isFinite(nats))
      throw new NumericalError('the log-CDF of the fitted model is not finite at eps', {
        field: 'eps',
        found: `${eps} (log F = ${-nats})`,
      });
    const smallest = this.sorted[0];
    const largest = this.sorted[n - 1];
    if (eps < smallest) {
      const checked = this.diagnostics.tail.length
        ? this.diagnostics.tail[this.diagnostics.tail.length - 1].sampledBits
        : Math.log2(n);
      log.add(
        `eps = ${eps} is below the smallest of ${n} sampled errors (${smallest.toPrecision(4)}): ${(nats / Math.LN2).toFixed(2)} bits is an extrapolation of the fitted model, whose tail was checked against the samples only to ${checked.toFixed(1)} bits`,
      );
    } else if (eps >= largest) {
      log.add(
        `eps = ${eps} is at or above the largest of ${n} sampled errors (${largest.toPrecision(4)}): every sampled hypothesis reaches it, so the required inductive bias is about 0 bits`,
      );
    }
    const replicateNats = this.replicates
      .map((r) => biasNats(r, eps))
      .filter(Number.isFinite)
      .sort((p, q) => p - q);
    const alpha = (1 - this.level) / 2;
    const bootstrapNats: [number, number] = replicateNats.length
      ? [Math.min(nats, percentile(replicateNats, alpha)), Math.max(nats, percentile(replicateNats, 1 - alpha))]
      : [nats, nats];
    // The bootstrap covers sampling noise only. The error model is an approximation (test errors
    // of GP samples are generalised, not non-central, chi-squared), and its misfit where the samples
    // can check it, the largest tail-check discrepancy, is added on both sides.
    const misfitNats = Math.max(0, ...this.diagnostics.tail.map((t) => Math.abs(t.difference))) * Math.LN2;
    const natsInterval: [number, number] = [Math.max(0, bootstrapNats[0] - misfitNats), bootstrapNats[1] + misfitNats];
    const tailMethod =
      model.noncentrality / 2 > MIXTURE_LIMIT || model.degreesOfFreedom / 2 > MIXTURE_LIMIT
        ? 'sankaran'
        : 'poisson-mixture';
    const empirical = empiricalFrequency(this.sorted, eps, this.level);
    // When enough samples reach eps, the direct frequency is the better number; say if the fit disagrees.
    if (
      empirical.count >= 20 &&
      (nats / Math.LN2 < empirical.interval[0] - 1 || nats / Math.LN2 > empirical.interval[1] + 1)
    ) {
      log.add(
        `the fitted model gives ${(nats / Math.LN2).toFixed(2)} bits at eps = ${eps}, but ${empirical.count} of ${n} samples reach eps (${empirical.bits.toFixed(2)} bits, interval ${empirical.interval[0].toFixed(2)}-${empirical.interval[1].toFixed(2)}): prefer the empirical value`,
      );
    }
    return {
      eps,
      nats,
      bits: nats / Math.LN2,
      interval: {
        level: this.level,
        nats: natsInterval,
        bits: [natsInterval[0] / Math.LN2, natsInterval[1] / Math.LN2],
        resamples: replicateNats.length,
        bootstrapBits: [bootstrapNats[0] / Math.LN2, bootstrapNats[1] / Math.LN2],
        misfitBits: misfitNats / Math.LN2,
      },
      model: {
        ...model.toJSON(),
        method: this.fit.method,
        clipped: this.fit.clipped,
        meanLogLikelihood: this.fit.meanLogLikelihood,
      },
      tailMethod,
      sankaranBits: -model.sankaranLogCdf(eps) / Math.LN2,
      empirical,
      diagnostics: this.diagnostics,
      warnings: [...this.baseWarnings, ...log.messages],
    };
  }
}

/**
 * Fits the error model to sampled test errors and returns I(eps) with its interval and
 * diagnostics: `estimateInductiveBias(errors, 0.1)`.
 */
export function estimateInductiveBias(
  errors: ArrayLike<number>,
  eps: number,
  options: EstimatorOptions = {},
): InductiveBiasEstimate {
  return new ErrorModelEstimator(errors, options).at(eps);
}
