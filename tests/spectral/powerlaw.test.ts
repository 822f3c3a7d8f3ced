// The power-law fit: the xmin search against a naive re-implementation from WWFit's formulas,
// alpha recovered from samples of a known Pareto tail (within a few of its own sigma), the
// closed-form Hill MLE at a fixed xmin, clip_xmax on planted "fingers", and the failure paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitPowerLaw,
  fitClippedPowerLaw,
  fittableEigenvalues,
  trainingWarning,
  rng,
  analyze,
  matrix,
  PowerLawFitError,
} from 'weightlab/internal';
import { naiveWwFit } from './reference';

/** Sorted samples: a uniform bulk on [0.05, 1) plus a Pareto tail above 1 with pdf ∝ x^-alpha. */
function bulkPlusTail(alpha: number, tail: number, bulk: number, seed: number): Float64Array {
  const random = rng(seed);
  const u = random.uniform(tail + bulk);
  const out = new Float64Array(tail + bulk);
  for (let i = 0; i < tail; i++) out[i] = (1 - u[i]) ** (-1 / (alpha - 1));
  for (let i = 0; i < bulk; i++) out[tail + i] = 0.05 + 0.95 * u[tail + i];
  return out.sort();
}

test('every candidate alpha and D, and the chosen xmin, equal a naive WWFit re-implementation', () => {
  for (const seed of [1, 2, 3]) {
    const data = bulkPlusTail(2.5 + seed / 2, 150, 200, seed);
    const fit = fitPowerLaw(data);
    const naive = naiveWwFit(data);
    assert.equal(fit.xmin, data[naive.best], 'same first argmin of D');
    naive.alphas.forEach((alpha, i) =>
      assert.ok(Math.abs(fit.candidates.alpha[i] - alpha) <= 1e-11 * alpha, `alpha[${i}]`),
    );
    // D is a max of |1 - power - j/n|: absolute agreement to rounding of the powers.
    naive.Ds.forEach((D, i) => assert.ok(Math.abs(fit.candidates.D[i] - D) <= 1e-13, `D[${i}]`));
    assert.ok(Math.abs(fit.alpha - naive.alphas[naive.best]) <= 1e-12 * fit.alpha);
    assert.equal(fit.sigma, (fit.alpha - 1) / Math.sqrt(data.length - naive.best));
    assert.equal(fit.xmax, data[data.length - 1]);
  }
});

test('alpha of a known Pareto tail is recovered within 3 sigma', () => {
  for (const [alpha, seed] of [
    [2.0, 10],
    [2.5, 11],
    [3.0, 12],
    [4.0, 13],
  ] as const) {
    const fit = fitPowerLaw(bulkPlusTail(alpha, 2000, 1000, seed));
    assert.ok(Math.abs(fit.alpha - alpha) <= 3 * fit.sigma, `alpha ${alpha}: fitted ${fit.alpha} ± ${fit.sigma}`);
    assert.ok(fit.xmin > 0.8 && fit.xmin < 2, `xmin near the tail start: ${fit.xmin}`);
  }
});

test('pure Pareto data: Hill MLE at the smallest point is the closed form 1 + n / Σ ln(x/xmin)', () => {
  const data = bulkPlusTail(3, 500, 0, 7);
  const fit = fitPowerLaw(data);
  let sum = 0;
  for (const x of data) sum += Math.log(x / data[0]);
  assert.ok(Math.abs(fit.candidates.alpha[0] - (1 + data.length / sum)) < 1e-12);
});

test('clip_xmax: two planted fingers are dropped and counted the way WeightWatcher counts them', () => {
  const data = bulkPlusTail(3, 300, 300, 21);
  const withFingers = Float64Array.from([...data, 1e4, 2e4]).sort();
  const plain = fitPowerLaw(withFingers);
  const clipped = fitClippedPowerLaw(withFingers);
  assert.equal(clipped.rawAlpha, plain.alpha);
  if (clipped.numFingers > 0) {
    assert.ok(clipped.fit.alpha + 1 < plain.alpha);
    assert.equal(clipped.fit.xmax, withFingers[withFingers.length - 1 - (clipped.numFingers + 1)]);
  } else {
    assert.equal(clipped.fit.alpha, plain.alpha);
  }
  // Reference: the first clip depth whose alpha drops by more than 1 (WeightWatcher reports depth - 1).
  let expected = 0;
  for (let depth = 2; depth < 10; depth++) {
    const alpha = fitPowerLaw(withFingers.subarray(0, withFingers.length - depth)).alpha;
    if (alpha + 1 < plain.alpha) {
      expected = depth - 1;
      break;
    }
    if (alpha <= 2) break;
  }
  assert.equal(clipped.numFingers, expected);
});

test('failures: fewer than 2 eigenvalues above 1e-5 fail like WeightWatcher (alpha -1, over-trained)', async () => {
  assert.throws(() => fitPowerLaw(Float64Array.of(3)), PowerLawFitError);
  assert.deepEqual([...fittableEigenvalues(Float64Array.of(0, 1e-6, 1e-5, 2e-5, 1))], [2e-5, 1]);
  // A 12 x 12 matrix with one non-zero entry: one eigenvalue above the threshold.
  const values = new Float64Array(144);
  values[0] = 3;
  const result = await analyze(matrix(12, 12, values), { progress: false });
  const row = result.toJSON()[0];
  assert.deepEqual(
    [row.alpha, row.D, row.sigma, row.xmin, row.num_pl_spikes, row.xmax, row.status, row.warning],
    [-1, -1, -1, -1, -1, null, 'failed', 'over-trained'],
  );
  assert.equal(row.alpha_weighted, -(row.log_spectral_norm as number));
  assert.equal(trainingWarning(2), '');
  assert.equal(trainingWarning(6.5), 'under-trained');
});

test('the wasm KS pass equals the plain-JS one: every D within 4e-16 (its vector exp is within 2 ulp), same first argmin', async () => {
  // fitPowerLaw runs the D pass in wasm from 128 points on. D is a maximum of terms in [0, 1], so
  // an exp off by 2 ulp moves it by at most ~4.4e-16 absolute. Odd and even tails, candidates with
  // alpha <= 1 (D stays 1), and a long tail that drives exp's argument towards -700.
  const { ksDistancesJs, ksDistancesWasm } = await import('weightlab/dist/spectral/powerlaw');
  const cases: Float64Array[] = [
    bulkPlusTail(2.5, 300, 400, 11),
    bulkPlusTail(4, 151, 200, 12),
    bulkPlusTail(1.6, 2000, 10, 13),
  ];
  const flat = new Float64Array(257);
  for (let i = 0; i < flat.length; i++) flat[i] = 1 + i * 1e-3; // nearly uniform: most alphas huge, some D near 1
  cases.push(flat);
  for (const data of cases) {
    const count = data.length;
    const logs = Float64Array.from(data, Math.log);
    const suffix = new Float64Array(count + 1);
    for (let i = count - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + logs[i];
    const alphas = new Float64Array(count - 1);
    for (let i = 0; i < count - 1; i++) alphas[i] = 1 + (count - i) / (suffix[i] - (count - i) * logs[i]);
    alphas[3] = 0.5; // a candidate WWFit skips
    const js = ksDistancesJs(logs, alphas),
      wasm = ksDistancesWasm(logs, alphas);
    assert.equal(wasm[3], 1);
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(js[i] - wasm[i]));
    assert.ok(worst <= 4e-16, `count ${count}: ${worst}`);
    const first = (d: Float64Array) => {
      let best = 0;
      for (let i = 1; i < d.length; i++) if (d[i] < d[best]) best = i;
      return best;
    };
    assert.equal(first(wasm), first(js), `count ${count}`);
  }
});

test('fitPowerLaw takes eigenvalues in any order, drops those at or below the threshold, and checks its options', () => {
  const data = bulkPlusTail(3, 300, 200, 21);
  // The same eigenvalues shuffled (reversed) with zeros and sub-threshold values mixed in.
  const messy = Float64Array.from([0, ...[...data].reverse(), 1e-7, 1e-5]);
  const clean = fitPowerLaw(data);
  assert.deepEqual(fitPowerLaw(messy), clean);
  assert.deepEqual(fitPowerLaw(messy, { threshold: undefined }), clean);
  // A threshold above the bulk leaves only the tail: the first candidate xmin is the smallest value kept.
  const tailOnly = fitPowerLaw(messy, { threshold: 1 });
  assert.equal(
    tailOnly.candidates.xmin[0],
    data.find((value) => value > 1),
  );
  assert.throws(
    () => fitPowerLaw(data, { treshold: 1 } as never),
    /fitPowerLaw has no option 'treshold' \(did you mean 'threshold'\?\)/,
  );
  assert.throws(() => fitPowerLaw(Float64Array.of(1, NaN, 2)), /eigenvalues\[1\]/);
});
