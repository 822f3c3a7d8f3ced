// The kernel (GP) hypothesis space: the posterior against a dense closed form on a tiny case,
// the sampled errors' mean against its exact expectation, jitter escalation on a singular Gram
// matrix, and the estimator against direct Monte Carlo where P[error <= eps] is measurable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gaussianProcessPosterior,
  kernelHypothesisSpace,
  taskData,
  teacherTask,
  inductiveBias,
  matrix,
  WarningLog,
  rng,
  NumericalError,
} from 'weightlab/internal';

/** Inverse of a 3 x 3 matrix by the adjugate (cofactors / determinant): a closed form. */
function inverse3(a: number[][]): number[][] {
  const [[p, q, r], [s, t, u], [v, w, x]] = a;
  const det = p * (t * x - u * w) - q * (s * x - u * v) + r * (s * w - t * v);
  const cofactor = [
    [t * x - u * w, -(s * x - u * v), s * w - t * v],
    [-(q * x - r * w), p * x - r * v, -(p * w - q * v)],
    [q * u - r * t, -(p * u - r * s), p * t - q * s],
  ];
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => cofactor[j][i] / det));
}

test('GP posterior equals K*X K^-1 Y and K** - K*X K^-1 KX* on a 3-point case', () => {
  const trainX = [
    [0, 0],
    [1, 0.5],
    [-0.5, 1.2],
  ];
  const trainY = [[1], [-0.5], [0.25]];
  const testX = [
    [0.3, 0.3],
    [2, -1],
  ];
  const task = taskData({ trainX, trainY, testX, testY: [[0], [0]] });
  const sigma = 0.9;
  const k = (a: number[], b: number[]): number =>
    Math.exp(-((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / (2 * sigma * sigma));
  const inverse = inverse3(trainX.map((a) => trainX.map((b) => k(a, b))));
  const posterior = gaussianProcessPosterior(task, { kernel: 'rbf', bandwidth: sigma, jitter: 0 });
  assert.equal(posterior.jitter, 0);
  for (let i = 0; i < 2; i++) {
    const cross = trainX.map((a) => k(testX[i], a));
    const weights = [0, 1, 2].map((r) => [0, 1, 2].reduce((sum, c) => sum + inverse[r][c] * trainY[c][0], 0));
    const mean = cross.reduce((sum, c, j) => sum + c * weights[j], 0);
    assert.ok(Math.abs(posterior.mean[i] - mean) <= 1e-13, `mean ${i}`);
    for (let j = 0; j < 2; j++) {
      const crossJ = trainX.map((a) => k(testX[j], a));
      let explained = 0;
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) explained += cross[r] * inverse[r][c] * crossJ[c];
      assert.ok(
        Math.abs(posterior.covariance[i * 2 + j] - (k(testX[i], testX[j]) - explained)) <= 1e-13,
        `covariance ${i},${j}`,
      );
    }
  }
});

test('sampled GP errors have the exact expected mean; same seed gives the same bytes', async () => {
  const task = teacherTask({ dimension: 8, trainSize: 40, testSize: 30, seed: 3 });
  const data = taskData(task);
  const posterior = gaussianProcessPosterior(data, {});
  // E[error] = (1/(m k)) sum_c ||mu_c - y_c||^2 + trace(S + j I) / m.
  const m = 30;
  let expected = 0;
  for (let i = 0; i < m * 2; i++) expected += (posterior.mean[i] - data.testY.values[i]) ** 2 / (m * 2);
  for (let i = 0; i < m; i++) expected += posterior.covariance[i * m + i] / m;
  const space = kernelHypothesisSpace();
  const count = 4000;
  const sample = await space.sample(data, count, { rng: rng(5), warnings: new WarningLog(false) });
  const mean = sample.errors.reduce((s, e) => s + e, 0) / count;
  const sd = Math.sqrt(sample.errors.reduce((s, e) => s + (e - mean) ** 2, 0) / (count - 1));
  // 4 standard errors of the sample mean (plus the tiny posterior jitter, below 1e-8 here).
  assert.ok(Math.abs(mean - expected) <= (4 * sd) / Math.sqrt(count) + 1e-8, `mean ${mean} vs ${expected}`);
  const again = await space.sample(data, count, { rng: rng(5), warnings: new WarningLog(false) });
  assert.deepEqual(Buffer.from(again.errors.buffer), Buffer.from(sample.errors.buffer));
  const other = await space.sample(data, 10, { rng: rng(6), warnings: new WarningLog(false) });
  assert.notEqual(other.errors[0], sample.errors[0]);
});

test('a singular Gram matrix raises the jitter with a warning naming it, or fails with the numbers', () => {
  // Duplicate training inputs with different targets: K is exactly singular.
  const task = taskData({
    trainX: [
      [0, 0],
      [0, 0],
      [1, 1],
    ],
    trainY: [[1], [0], [1]],
    testX: [[0.5, 0.5]],
    testY: [[1]],
  });
  const warnings = new WarningLog(false);
  const posterior = gaussianProcessPosterior(task, { jitter: 0 }, warnings);
  assert.ok(posterior.jitter > 0);
  assert.equal(warnings.messages.length, 1);
  assert.match(warnings.messages[0], /used jitter \d\.\de-\d+/);
  assert.throws(
    () => gaussianProcessPosterior(task, { jitter: 0, maxJitter: 1e-12 }),
    (error: unknown) =>
      error instanceof NumericalError && /numerically singular/.test(error.message) && /jitter/.test(error.message),
  );
});

test('the estimate agrees with direct Monte Carlo where P[error <= eps] is measurable', async () => {
  const task = teacherTask({ dimension: 16, trainSize: 48, testSize: 48, seed: 9 });
  const space = kernelHypothesisSpace();
  // Monte Carlo truth from 60000 independent hypotheses; eps at their 1 % quantile (6.6 bits).
  const truth = await space.sample(taskData(task), 60000, { rng: rng(1234), warnings: new WarningLog(false) });
  const sorted = Float64Array.from(truth.errors).sort();
  const eps = sorted[599];
  const trueBits = -Math.log2(600 / 60000);
  // Standard error of -log2 p from 600 hits: sqrt((1 - p) / (n p)) / ln 2 = 0.058 bits.
  const monteCarloError = Math.sqrt(0.99 / 600) / Math.LN2;
  const result = await inductiveBias(task, space, { eps, samples: 2000, seed: 2, progress: false, warn: false });
  const [low, high] = result.interval;
  // The interval includes the fit's measured misfit; without it this check fails by ~0.2 bits.
  assert.ok(
    low - 2 * monteCarloError <= trueBits && trueBits <= high + 2 * monteCarloError,
    `true ${trueBits} bits outside ${low}-${high}`,
  );
  assert.ok(result.trustworthy);
  for (const value of [result.bits, result.nats, low, high, result.estimate.diagnostics.ks])
    assert.ok(Number.isFinite(value));
});

test('matrix tasks and number[][] tasks give the same data; bad tasks fail with the field', () => {
  const a = taskData({
    trainX: matrix(2, 1, [0, 1]),
    trainY: matrix(2, 1, [1, 2]),
    testX: matrix(1, 1, [3]),
    testY: matrix(1, 1, [4]),
  });
  const b = taskData({ trainX: [[0], [1]], trainY: [[1], [2]], testX: [[3]], testY: [[4]] });
  assert.deepEqual(a.trainX.values, b.trainX.values);
  assert.throws(
    () => taskData({ trainX: [[0], [Number.NaN]], trainY: [[1], [2]], testX: [[3]], testY: [[4]] }),
    /'trainX'.*NaN at row 1, column 0/,
  );
  assert.throws(() => taskData({ trainX: [[0], [1]], trainY: [[1]], testX: [[3]], testY: [[4]] }), /'trainY'/);
});
