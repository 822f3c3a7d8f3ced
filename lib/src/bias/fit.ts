// Fitting the scaled non-central chi-squared error model to sampled hypothesis errors.
//
// Method of moments (the default; §10.6 of the reference notes measured it as good as MLE where
// MLE works and much better where MLE fails): with mean m, variance v and third central moment
// mu3 of s * chi'^2(k, lambda),
//   m = s (k + lambda),  v = 2 s^2 (k + 2 lambda),  mu3 = 8 s^3 (k + 3 lambda),
// eliminating k and lambda gives m s^2 - v s + mu3 / 8 = 0. Its roots are s and
// s (k + 3 lambda) / (k + lambda); the larger one always implies lambda < 0, so the smaller root
// is the estimate. When the sample is less skewed than any member of the family allows (negative
// discriminant) or the root implies lambda < 0 or k <= 0, lambda is clipped to 0 and the central
// two-moment fit s = v / (2 m), k = 2 m^2 / v is used (recorded in `clipped`). The family spans
// 1.5 v^2/m <= mu3 <= 2 v^2/m (lambda -> infinity to lambda = 0); errors of GP samples are
// quadratic forms with unequal weights and often more skewed than that, so clipping is common.
//
// Maximum likelihood (optional): Nelder-Mead on (log k, log s, log(lambda + 1e-8 k)) started at
// the moment fit; the log-likelihood uses the Poisson-mixture density.

import { ArgumentError, NumericalError } from '../errors';
import { meanMixtureLogDensity, ScaledNoncentralChiSquared } from './noncentral-chi-squared';
import { nelderMead } from '../optimize/nelder-mead';

export type FitMethod = 'moments' | 'maximum-likelihood';

export interface ErrorModelFit {
  model: ScaledNoncentralChiSquared;
  method: FitMethod;
  /** True when the moment equations had no admissible solution with lambda > 0 (lambda set to 0). */
  clipped: boolean;
  /** Mean log-likelihood per sample of the fitted model (-Infinity when skipped with `likelihood: false`). */
  meanLogLikelihood: number;
}

export interface SampleMoments {
  mean: number;
  variance: number;
  thirdCentral: number;
}

/** Mean, variance and third central moment (population form, two passes for accuracy). */
export function sampleMoments(values: ArrayLike<number>): SampleMoments {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let second = 0;
  let third = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    second += d * d;
    third += d * d * d;
  }
  return { mean, variance: second / n, thirdCentral: third / n };
}

/** Solves the three moment equations for (k, lambda, s); see the file comment. */
export function momentParameters({ mean, variance, thirdCentral }: SampleMoments): {
  degreesOfFreedom: number;
  noncentrality: number;
  scale: number;
  clipped: boolean;
} {
  // A relative spread below 1e-8 is rounding noise on identical errors, not a distribution.
  if (!(mean > 0) || !(variance > (1e-8 * mean) ** 2)) {
    throw new NumericalError(
      'errors must have a positive mean and a positive variance to fit the error model (identical errors cannot be fitted)',
      { field: 'errors', found: `mean ${mean}, variance ${variance}` },
    );
  }
  const central = () => ({
    scale: variance / (2 * mean),
    degreesOfFreedom: (2 * mean * mean) / variance,
    noncentrality: 0,
    clipped: true,
  });
  const discriminant = variance * variance - (mean * thirdCentral) / 2;
  if (discriminant < 0) return central();
  const scale = (variance - Math.sqrt(discriminant)) / (2 * mean);
  if (!(scale > 0)) return central();
  const noncentrality = variance / (2 * scale * scale) - mean / scale;
  const degreesOfFreedom = mean / scale - noncentrality;
  if (!(noncentrality >= 0) || !(degreesOfFreedom > 0)) return central();
  return { scale, degreesOfFreedom, noncentrality, clipped: false };
}

/** Mean log-likelihood of `errors` under the model (the MLE objective, also reported by every fit). */
export function meanLogLikelihood(model: ScaledNoncentralChiSquared, errors: ArrayLike<number>): number {
  return meanMixtureLogDensity(errors, model.degreesOfFreedom, model.noncentrality, model.scale);
}

/** Fits s * chi'^2(k, lambda) to positive errors by moments, optionally refined by maximum likelihood. */
export function fitErrorModel(
  errors: ArrayLike<number>,
  method: FitMethod = 'moments',
  options: { likelihood?: boolean } = {},
): ErrorModelFit {
  if (method !== 'moments' && method !== 'maximum-likelihood') {
    throw new ArgumentError('unknown fit method', {
      field: 'fit',
      expected: "'moments' or 'maximum-likelihood'",
      found: String(method),
    });
  }
  const moments = momentParameters(sampleMoments(errors));
  const start = new ScaledNoncentralChiSquared(moments);
  if (method === 'moments') {
    // The likelihood costs a mixture per sample; bootstrap replicates skip it (NaN-free: -Infinity marks "not computed").
    return {
      model: start,
      method,
      clipped: moments.clipped,
      meanLogLikelihood: options.likelihood === false ? -Infinity : meanLogLikelihood(start, errors),
    };
  }
  // Unconstrained coordinates; lambda's offset keeps log finite when the moment fit clipped it.
  const floor = 1e-8 * moments.degreesOfFreedom;
  const toModel = ([logK, logS, logL]: number[]): ScaledNoncentralChiSquared | undefined => {
    const degreesOfFreedom = Math.exp(logK);
    const scale = Math.exp(logS);
    const noncentrality = Math.max(0, Math.exp(logL) - floor);
    if (
      !Number.isFinite(degreesOfFreedom) ||
      !Number.isFinite(scale) ||
      !Number.isFinite(noncentrality) ||
      degreesOfFreedom <= 0 ||
      scale <= 0
    )
      return undefined;
    return new ScaledNoncentralChiSquared({ degreesOfFreedom, noncentrality, scale });
  };
  const objective = (point: number[]): number => {
    const model = toModel(point);
    return model ? -meanLogLikelihood(model, errors) : Infinity;
  };
  const result = nelderMead(
    objective,
    [Math.log(moments.degreesOfFreedom), Math.log(moments.scale), Math.log(moments.noncentrality + floor)],
    { step: 0.2, tolerance: 1e-10, maxEvaluations: 400 },
  );
  const model = toModel(result.point) ?? start;
  const startLikelihood = meanLogLikelihood(start, errors);
  const refinedLikelihood = -result.value;
  // Never return something worse than the starting point.
  if (!(refinedLikelihood >= startLikelihood))
    return { model: start, method, clipped: moments.clipped, meanLogLikelihood: startLikelihood };
  return { model, method, clipped: false, meanLogLikelihood: refinedLikelihood };
}
