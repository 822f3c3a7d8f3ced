// The powerlaw-package fits (lib/src/spectral/powerlaw-package.ts, powerlaw-gamma.ts) against oracles
// that share no code with them: Γ(s, x) by quadrature, a TPL maximum-likelihood fit on samples drawn from
// a known truncated power law (error bars from the Fisher information, itself from the samples'
// covariance), scipy's own fmin result for the 'scipy' Nelder-Mead rules, and the option rules.
// WeightWatcher's own TPL / E_TPL / xmin_peak / powerlaw columns are checked in weightwatcher-parity.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  ArgumentError,
  esdPlot,
  fitPowerlawPackage,
  fitTruncatedPowerLaw,
  mimeBundle,
  rng,
  upperIncompleteGammaNegative,
  Tensor,
} from 'weightlab/internal';
import { truncatedPowerLawDensity } from 'weightlab/dist/spectral/powerlaw-package';
import { nelderMead } from 'weightlab/dist/optimize/nelder-mead';

/** Γ(s, x) = ∫_0^∞ (x e^v)^s exp(-x e^v) dv (t = x e^v), composite Simpson on v in [0, V]. */
function gammaByQuadrature(s: number, x: number): number {
  // The integrand falls like exp(-x e^v): stop once x e^V > 750 (below 1e-300 of the peak).
  const end = Math.log(750 / x) + 1;
  const steps = 200_000;
  const h = end / steps;
  const f = (v: number) => Math.exp(s * (Math.log(x) + v) - x * Math.exp(v));
  let sum = f(0) + f(end);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return (sum * h) / 3;
}

test('Γ(s, x) for negative s matches quadrature across both of its methods and near negative integers', () => {
  // Simpson's error with 2e5 steps on this smooth integrand is ~1e-14 relative; 1e-11 leaves room for
  // the sum of 2e5 rounded terms.
  for (const s of [-1e-9, -0.3, -0.5, -0.9999999, -1, -1.0000001, -1.7, -2.0000001, -4.5, -7.99, -8.01, -30]) {
    for (const x of [1e-4, 0.02, 0.5, 0.999, 1, 1.001, 3, 25]) {
      const expected = gammaByQuadrature(s, x);
      const got = upperIncompleteGammaNegative(s, x);
      assert.ok(Math.abs(got - expected) <= 1e-11 * expected, `Γ(${s}, ${x}) = ${got}, quadrature ${expected}`);
    }
  }
});

test('Γ(s, x) obeys Γ(s+1, x) = s Γ(s, x) + x^s e^-x, also across the method switch at s = -8', () => {
  // (The switch at x = 1 is covered by the quadrature test's x = 0.999 / 1.001.)
  for (const [s, x] of [
    [-1.6, 0.9999],
    [-1.6, 1.0001],
    [-7.6, 0.3],
    [-8.4, 0.3],
    [-8.4, 0.01],
    [-2.2, 1],
    [-4.5, 2],
  ]) {
    const left = upperIncompleteGammaNegative(s + 1, x);
    const scaled = s * upperIncompleteGammaNegative(s, x);
    const power = x ** s * Math.exp(-x);
    const right = scaled + power;
    // The right-hand side cancels (by ~100x at x = 0.01), so the bound is 1e-13 of its terms' size:
    // each side's Γ is good to ~5e-14 relative (quadrature test and mpmath spot checks).
    assert.ok(Math.abs(left - right) <= 1e-13 * (Math.abs(scaled) + power), `s ${s}, x ${x}: ${left} vs ${right}`);
  }
});

/** Rejection sampler for p(x) ∝ x^-alpha e^(-lambda x) on [xmin, ∞): exponential proposal, accept with (x/xmin)^-alpha. */
function truncatedPowerLawSamples(
  seed: number,
  count: number,
  alpha: number,
  lambda: number,
  xmin: number,
): Float64Array {
  const random = rng(seed);
  const out: number[] = [];
  while (out.length < count) {
    const u = random.uniform(4096);
    for (let i = 0; i + 1 < u.length && out.length < count; i += 2) {
      const x = xmin - Math.log(1 - u[i]) / lambda;
      if (u[i + 1] < (x / xmin) ** -alpha) out.push(x);
    }
  }
  return Float64Array.from(out).sort();
}

test('the TPL MLE recovers alpha and Lambda of seeded truncated-power-law samples within 4 standard errors', () => {
  for (const [seed, alpha, lambda] of [
    [1, 1.8, 0.1],
    [2, 2.5, 0.5],
    [3, 1.3, 0.02],
  ]) {
    const n = 3000;
    const xmin = 1;
    const samples = truncatedPowerLawSamples(seed, n, alpha, lambda, xmin);
    const fit = fitTruncatedPowerLaw(samples, xmin);
    // (-ln x, -x) are the sufficient statistics of this exponential family with natural parameters
    // (alpha, Lambda): the Fisher information is n·Cov(ln x, x), estimated from the samples.
    let ml = 0,
      mx = 0;
    for (const x of samples) {
      ml += Math.log(x) / n;
      mx += x / n;
    }
    let vll = 0,
      vxx = 0,
      vlx = 0;
    for (const x of samples) {
      const a = Math.log(x) - ml,
        b = x - mx;
      vll += (a * a) / n;
      vxx += (b * b) / n;
      vlx += (a * b) / n;
    }
    const det = n * n * (vll * vxx - vlx * vlx);
    const seAlpha = Math.sqrt((n * vxx) / det),
      seLambda = Math.sqrt((n * vll) / det);
    assert.ok(Math.abs(fit.alpha - alpha) < 4 * seAlpha, `seed ${seed}: alpha ${fit.alpha} vs ${alpha} ± ${seAlpha}`);
    assert.ok(
      Math.abs(fit.lambda - lambda) < 4 * seLambda,
      `seed ${seed}: Lambda ${fit.lambda} vs ${lambda} ± ${seLambda}`,
    );
  }
});

test('the powerlaw-package search picks a unique-valued xmin and a D no worse than any candidate', () => {
  // Ties: powerlaw deduplicates candidates (WWFit does not), and D compares with the empirical CDF at unique values.
  const samples = truncatedPowerLawSamples(7, 200, 2.2, 0.05, 1).map((x) => Math.round(x * 4) / 4);
  samples.sort();
  const fit = fitPowerlawPackage(samples, 'truncated_power_law');
  const xs = fit.candidates.xmin;
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], 'candidates strictly increasing');
  assert.ok(
    fit.D <=
      Math.min(...fit.candidates.D.filter((_, i) => fit.candidates.alpha[i] > 1 && fit.candidates.lambda[i] > 0)),
  );
  assert.equal(fit.tailLength, samples.filter((x) => x >= fit.xmin).length);
  assert.ok(Number.isNaN(fit.sigma));
});

test("the 'scipy' Nelder-Mead rules reproduce scipy.optimize.fmin on Rosenbrock's function", () => {
  // Oracle: scipy 1.10 (Debian), fmin(rosen, [-1.2, 1], full_output=1) -> x = [1.0000220217835696,
  // 1.0000422197517715], f = 8.177661197416674e-10, 85 iterations, 159 calls. Same arithmetic, same path:
  // equal to the last bit is expected; 1e-15 allows for Math.pow differences that this function has none of.
  const rosen = ([x, y]: number[]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
  const result = nelderMead(rosen, [-1.2, 1], { rules: 'scipy' });
  assert.equal(result.evaluations, 159);
  assert.ok(Math.abs(result.point[0] - 1.0000220217835696) <= 1e-15);
  assert.ok(Math.abs(result.point[1] - 1.0000422197517715) <= 1e-15);
  assert.ok(Math.abs(result.value - 8.177661197416674e-10) <= 1e-24);
});

test("WeightWatcher's invalid fit combinations are ArgumentErrors naming the field", async () => {
  const weight = new Tensor('float32', Float32Array.from(rng(3).normal(40 * 20)), [40, 20]);
  const cases: [object, string][] = [
    [{ fit: 'TPL', plPackage: 'ww' }, 'plPackage'],
    [{ fixFingers: 'xmin_peak', plPackage: 'ww' }, 'plPackage'],
    [{ fit: 'E_TPL', fixFingers: 'clip_xmax' }, 'fixFingers'],
    [{ fit: 'LOGNORMAL' }, 'fit'],
    [{ plPackage: 'scipy' }, 'plPackage'],
    // clip_xmax with the powerlaw package is ported for fit 'PL' (weightwatcher-options-a.test.ts), not for TPL.
    [{ fit: 'TPL', fixFingers: 'clip_xmax' }, 'fixFingers'],
  ];
  for (const [options, field] of cases) {
    await assert.rejects(
      analyze(weight, { ...options, progress: false }),
      (error: unknown) => error instanceof ArgumentError && error.details.field === field,
      JSON.stringify(options),
    );
  }
  // Left out, plPackage follows the fit: TPL through powerlaw, with the Lambda column and sigma null.
  const [row] = (await analyze(weight, { fit: 'TPL', progress: false })).toJSON();
  assert.equal(typeof row.Lambda, 'number');
  assert.equal(row.sigma, null);
  assert.equal(row.xmax, null);
});

test('esdPlot draws a TPL fit with its normalised density (integrates to 1 over [xmin, ∞) by quadrature)', async () => {
  // The density the plot draws, checked against Simpson quadrature in log x (the integrand spans
  // decades); 1e-8 is far above Simpson's error with 20,000 steps on this smooth integrand.
  for (const [alpha, lambda, xmin] of [
    [1.8, 0.1, 1],
    [2.5, 0.5, 0.3],
    [3.2, 2e-3, 5],
  ]) {
    const end = Math.log(xmin) + Math.log(800 / (lambda * xmin) + 1);
    const steps = 20_000;
    const h = (end - Math.log(xmin)) / steps;
    const f = (v: number) => {
      const x = Math.exp(v);
      return truncatedPowerLawDensity(x, alpha, lambda, xmin) * x;
    };
    let sum = f(Math.log(xmin)) + f(end);
    for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(Math.log(xmin) + i * h);
    const total = (sum * h) / 3;
    assert.ok(Math.abs(total - 1) < 1e-8, `∫ density = ${total} for alpha ${alpha}, Lambda ${lambda}`);
  }
  const weight = new Tensor('float32', Float32Array.from(rng(5).normal(120 * 60)), [120, 60]);
  const result = await analyze(weight, { fit: 'TPL', progress: false });
  const layer = result.layers[0];
  assert.ok(layer.fit && layer.fit.lambda !== undefined, 'the TPL fit is kept for the plot');
  const plot = esdPlot(layer);
  assert.match(plot.spec.title as string, /TPL alpha/);
  const bundle = await plot[mimeBundle]();
  const payload = bundle.data['application/vnd.weightlab.esd.v1+json'] as { fit: { Lambda: number } };
  assert.equal(payload.fit.Lambda, result.toJSON()[0].Lambda);
});
