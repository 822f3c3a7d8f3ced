// The scaled non-central chi-squared: log-CDF against quadrature (independent of the Poisson
// mixture), far into the tail; Sankaran against the mixture where both are valid; and the
// moment fit recovering known parameters from exact samples (sums of squared shifted normals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  noncentralChiSquaredLogCdf,
  noncentralChiSquaredLogPdf,
  sankaranLogCdf,
  fitErrorModel,
  ScaledNoncentralChiSquared,
  estimateInductiveBias,
  logRegularizedGammaP,
  rng,
} from 'weightlab/internal';
import { logSimpson, logSum, relative } from './oracles';

const logPhi = (t: number): number => -0.5 * t * t - 0.5 * Math.log(2 * Math.PI);

test('df = 1: log-CDF equals the normal integral over [-sqrt x, sqrt x], down to log F = -1e4', () => {
  // X = (Z + sqrt(lambda))^2, so F(x) = integral_{-sqrt x}^{sqrt x} phi(t - sqrt(lambda)) dt.
  for (const lambda of [0.5, 4, 50, 400]) {
    for (const x of [1e-10, 1e-4, 0.01, 1, 10]) {
      const r = Math.sqrt(x);
      const oracle = logSimpson((t) => logPhi(t - Math.sqrt(lambda)), -r, r, 20000);
      const ours = noncentralChiSquaredLogCdf(x, 1, lambda);
      assert.ok(Number.isFinite(ours));
      // Simpson with 20000 panels; the integrand's log-slope is up to 23 (lambda = 400), so h * slope < 0.008 and the relative error is below 1e-11.
      assert.ok(
        Math.abs(ours - oracle) <= 1e-10 * Math.max(1, Math.abs(oracle)),
        `F(${x}; 1, ${lambda}): ${ours} vs ${oracle}`,
      );
    }
  }
});

test('df = 3, 10, 100: log-CDF equals a convolution integral, also far in the tail', () => {
  // X = (Z + sqrt(lambda))^2 + chi^2_{k-1}; with t = u^2 the density of the first part times
  // dt becomes [phi(u - sqrt(lambda)) + phi(u + sqrt(lambda))] du on u in [0, sqrt x]:
  // F(x) = integral_0^sqrt(x) [phi(u - m) + phi(u + m)] P((k-1)/2, (x - u^2)/2) du.
  for (const [k, lambda] of [
    [3, 5],
    [10, 30],
    [100, 300],
  ]) {
    const mean = k + lambda;
    for (const x of [1e-6, 0.01 * mean, 0.3 * mean, mean]) {
      const m = Math.sqrt(lambda);
      const oracle = logSimpson(
        (u) => {
          const rest = x - u * u;
          if (rest <= 0) return -Infinity;
          return logSum([logPhi(u - m), logPhi(u + m)]) + logRegularizedGammaP((k - 1) / 2, rest / 2);
        },
        0,
        Math.sqrt(x),
        4000,
      );
      const ours = noncentralChiSquaredLogCdf(x, k, lambda);
      assert.ok(Number.isFinite(ours), `finite at x = ${x}`);
      // The integrand vanishes like (x - u^2)^((k-1)/2) at the upper end, which limits Simpson to ~1e-7 relative for k = 3.
      assert.ok(
        Math.abs(ours - oracle) <= 1e-6 * Math.max(1, Math.abs(oracle)),
        `F(${x}; ${k}, ${lambda}): ${ours} vs ${oracle}`,
      );
    }
  }
  assert.ok(noncentralChiSquaredLogCdf(1e-3, 100, 300) < -600); // scipy's ncx2.logcdf returns -inf here
});

test('density integrates to the CDF', () => {
  const [k, lambda, x] = [6, 12, 9];
  const integral = logSimpson((t) => (t === 0 ? -Infinity : noncentralChiSquaredLogPdf(t, k, lambda)), 0, x, 4000);
  assert.ok(Math.abs(integral - noncentralChiSquaredLogCdf(x, k, lambda)) <= 1e-9);
});

test('Sankaran agrees with the mixture where both are valid (large k + lambda)', () => {
  // Measured: within 3 % of log F from the mean down to log F = -100 for k + lambda >= 300.
  for (const [k, lambda] of [
    [200, 100],
    [1000, 500],
  ]) {
    for (const fraction of [0.9, 0.7, 0.5]) {
      const x = fraction * (k + lambda);
      const exact = noncentralChiSquaredLogCdf(x, k, lambda);
      assert.ok(
        relative(sankaranLogCdf(x, k, lambda), exact) <= 0.03,
        `Sankaran at ${x}; ${k}, ${lambda}: ${sankaranLogCdf(x, k, lambda)} vs ${exact}`,
      );
    }
  }
});

function sampleScaled(k: number, lambda: number, scale: number, n: number, seed: number): Float64Array {
  const shift = Math.sqrt(lambda / k);
  const z = rng(seed).normal(n * k);
  return Float64Array.from({ length: n }, (_, i) => {
    let total = 0;
    for (let j = 0; j < k; j++) total += (z[i * k + j] + shift) ** 2;
    return scale * total;
  });
}

test('moment fit recovers known parameters and the tail log-CDF from exact samples', () => {
  const [k, lambda, scale] = [20, 10, 0.01];
  const errors = sampleScaled(k, lambda, scale, 20000, 7);
  const fit = fitErrorModel(errors).model;
  // Tolerances are 4 standard deviations of the estimator, measured over 30 seeds at n = 20000:
  // sd(k) = 1.9, sd(lambda) = 5.0, sd(scale) = 0.0012, sd(bits at 0.05) = 0.55.
  assert.ok(Math.abs(fit.degreesOfFreedom - k) <= 7.6, `k = ${fit.degreesOfFreedom}`);
  assert.ok(Math.abs(fit.noncentrality - lambda) <= 20, `lambda = ${fit.noncentrality}`);
  assert.ok(Math.abs(fit.scale - scale) <= 0.0048, `scale = ${fit.scale}`);
  const truth = new ScaledNoncentralChiSquared({ degreesOfFreedom: k, noncentrality: lambda, scale });
  const eps = 0.05; // 17.5 bits: far below the smallest of the 20000 samples
  const trueBits = -truth.logCdf(eps) / Math.LN2;
  const estimate = estimateInductiveBias(errors, eps, { warn: false, seed: 1 });
  assert.ok(Math.abs(estimate.bits - trueBits) <= 2.2, `bits ${estimate.bits} vs ${trueBits}`);
  assert.ok(
    estimate.interval.bits[0] <= trueBits && trueBits <= estimate.interval.bits[1],
    `interval ${estimate.interval.bits} misses ${trueBits}`,
  );
  assert.ok(estimate.diagnostics.trustworthy);
  assert.ok(Math.abs(estimate.nats / Math.LN2 - estimate.bits) < 1e-12);
});

test('maximum-likelihood refinement does not lose likelihood and stays near the moment fit', () => {
  const errors = sampleScaled(8, 3, 1, 3000, 11);
  const moments = fitErrorModel(errors, 'moments');
  const likelihood = fitErrorModel(errors, 'maximum-likelihood');
  assert.ok(likelihood.meanLogLikelihood >= moments.meanLogLikelihood);
  assert.ok(Math.abs(likelihood.model.mean - moments.model.mean) <= 0.02 * moments.model.mean);
});
