// Randomised PCA against a dense SVD oracle (one-sided Jacobi on the centred data), on a
// seeded matrix with a known, decaying spectrum plus noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  denseMatrix,
  randomizedPca,
  rng,
  ArgumentError,
  matrix,
  PCA_DEFAULTS,
  wasmKernelUnavailable,
  onnxUnavailable,
} from 'weightlab/internal';
import { denseSvd } from './dense-svd-oracle';

/** n x d data = Σ_r s_r u_r v_rᵀ + noise, rows offset by a common mean (which PCA must remove). */
function syntheticZoo(n: number, d: number, spectrum: number[], noise: number, seed: number): Float64Array {
  const random = rng(seed);
  const values = new Float64Array(n * d);
  const offset = random.normal(d, 3, 1);
  for (const s of spectrum) {
    const u = random.normal(n);
    const v = random.normal(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] += (s * u[i] * v[j]) / Math.sqrt(n * d);
  }
  const e = random.normal(n * d, 0, noise);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] += offset[j] + e[i * d + j];
  return values;
}

function centred(values: Float64Array, n: number, d: number): Float64Array {
  const out = Float64Array.from(values);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) out[i * d + j] -= mean;
  }
  return out;
}

test('randomised PCA matches a dense SVD: singular values, directions, scores, explained variance', async () => {
  const n = 70,
    d = 45,
    k = 5;
  const values = syntheticZoo(n, d, [40, 25, 15, 9, 6, 3], 0.05, 11);
  const oracle = denseSvd(centred(values, n, d), n, d);
  const pca = await randomizedPca(denseMatrix(n, d, values), { components: k, seed: 3, engine: 'js' });
  const total = oracle.singularValues.reduce((sum, s) => sum + s * s, 0);
  for (let c = 0; c < k; c++) {
    assert.ok(
      Math.abs(pca.singularValues[c] - oracle.singularValues[c]) <= 1e-9 * oracle.singularValues[0],
      `σ${c}: ${pca.singularValues[c]} vs ${oracle.singularValues[c]}`,
    );
    const direction = pca.components.values.subarray(c * d, (c + 1) * d);
    const cosine = direction.reduce((sum, x, j) => sum + x * oracle.vectors[c][j], 0);
    assert.ok(Math.abs(Math.abs(cosine) - 1) < 1e-9, `component ${c}: |cos| = ${Math.abs(cosine)}`);
    assert.ok(Math.abs(pca.explainedVarianceRatio[c] - oracle.singularValues[c] ** 2 / total) < 1e-12);
    assert.ok(
      Math.abs(pca.explainedVariance[c] - oracle.singularValues[c] ** 2 / (n - 1)) < 1e-9 * pca.explainedVariance[0],
    );
    // Scores are the centred rows on the oracle's direction (up to the direction's sign).
    const x = centred(values, n, d);
    for (let i = 0; i < n; i += 7) {
      let expected = 0;
      for (let j = 0; j < d; j++) expected += x[i * d + j] * oracle.vectors[c][j];
      assert.ok(Math.abs(Math.abs(pca.scores.values[i * k + c]) - Math.abs(expected)) < 1e-8, `score ${i},${c}`);
    }
  }
});

test('the seed fixes the result bit for bit; signs do not depend on the seed', async () => {
  const n = 40,
    d = 30;
  const values = syntheticZoo(n, d, [20, 10, 5], 0.1, 5);
  const a = await randomizedPca(denseMatrix(n, d, values), { components: 3, seed: 1 });
  const b = await randomizedPca(denseMatrix(n, d, values), { components: 3, seed: 1 });
  const c = await randomizedPca(denseMatrix(n, d, values), { components: 3, seed: 2 });
  assert.deepEqual(a.scores.values, b.scores.values);
  for (let i = 0; i < a.scores.values.length; i++) assert.ok(Math.abs(a.scores.values[i] - c.scores.values[i]) < 1e-8);
});

test('rank-deficient data: extra components have zero variance; bad arguments are typed errors', async () => {
  const n = 20,
    d = 15;
  const values = syntheticZoo(n, d, [10, 4], 0, 8);
  const pca = await randomizedPca(denseMatrix(n, d, values), { components: 3 });
  const oracle = denseSvd(centred(values, n, d), n, d);
  assert.ok(Math.abs(pca.singularValues[0] - oracle.singularValues[0]) < 1e-9);
  assert.ok(Math.abs(pca.singularValues[1] - oracle.singularValues[1]) < 1e-9);
  assert.ok(pca.singularValues[2] < 1e-9);
  await assert.rejects(randomizedPca(denseMatrix(n, d, values), { components: 16 }), ArgumentError);
  await assert.rejects(randomizedPca(denseMatrix(1, d, values.subarray(0, d))), ArgumentError);
});

for (const [engine, unavailable] of [
  ['js', () => undefined],
  ['wasm', () => wasmKernelUnavailable('gram')],
  ['onnx', onnxUnavailable],
] as const) {
  test(`randomizedPca on engine '${engine}' matches the same oracle`, { skip: unavailable() }, async () => {
    const n = 70,
      d = 45,
      k = 4;
    const values = syntheticZoo(n, d, [40, 25, 15, 9, 6, 3], 0.05, 11);
    const oracle = denseSvd(centred(values, n, d), n, d);
    const pca = await randomizedPca(denseMatrix(n, d, values), { components: k, seed: 3, engine });
    for (let c = 0; c < k; c++) {
      assert.ok(Math.abs(pca.singularValues[c] - oracle.singularValues[c]) <= 1e-9 * oracle.singularValues[0]);
      const direction = pca.components.values.subarray(c * d, (c + 1) * d);
      assert.ok(Math.abs(Math.abs(direction.reduce((sum, x, j) => sum + x * oracle.vectors[c][j], 0)) - 1) < 1e-9);
    }
  });
}

test('options: unknown keys are ArgumentErrors listing the valid ones; undefined keeps the default; a Tensor is read as a matrix', async () => {
  const n = 12,
    d = 9;
  const values = syntheticZoo(n, d, [10, 5, 2], 0.1, 4);
  await assert.rejects(
    randomizedPca(denseMatrix(n, d, values), { component: 3 } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /did you mean 'components'/.test(error.message) &&
      error.details.expected === `one of ${Object.keys(PCA_DEFAULTS).join(', ')}`,
  );
  await assert.rejects(
    randomizedPca(denseMatrix(n, d, values), { engine: 'gpu' as never }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'engine',
  );
  const defaults = await randomizedPca(denseMatrix(n, d, values), { engine: 'js' });
  const explicit = await randomizedPca(denseMatrix(n, d, values), {
    engine: 'js',
    components: undefined,
    seed: undefined,
    powerIterations: undefined,
  });
  assert.equal(defaults.scores.cols, PCA_DEFAULTS.components);
  assert.deepEqual(explicit.scores.values, defaults.scores.values);
  const fromTensor = await randomizedPca(matrix(n, d, Float64Array.from(values)), { engine: 'js' });
  assert.deepEqual(fromTensor.scores.values, defaults.scores.values);
});
