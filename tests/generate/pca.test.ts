// PCA against a planted closed form: vectors mean + Σ a_ik·s_k·e_k along known orthonormal
// directions e_k recover the directions (up to sign), the scales and exact reconstruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPca, pcaEncode, pcaDecode, symmetricEigen, rng } from 'weightlab/internal';

test('symmetric eigen: A v = λ v and orthonormal vectors (1e-12 relative)', () => {
  const n = 9;
  const x = rng(1).normal(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[i * n + j] + x[j * n + i];
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      assert.ok(Math.abs(s - values[k] * vectors[k * n + i]) < 1e-12 * Math.abs(values[0]));
    }
    for (let l = 0; l < n; l++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += vectors[k * n + i] * vectors[l * n + i];
      assert.ok(Math.abs(d - (k === l ? 1 : 0)) < 1e-12);
    }
  }
  for (let k = 1; k < n; k++) assert.ok(values[k] <= values[k - 1]);
});

test('PCA recovers planted directions, scales and reconstructs in-span vectors exactly', () => {
  const p = 30,
    count = 12,
    rank = 3;
  // Orthonormal directions: disjoint supports, so they are exactly orthogonal.
  const directions = [0, 1, 2].map((k) =>
    Float64Array.from({ length: p }, (_, i) => (Math.floor(i / 10) === k ? (1 / Math.sqrt(10)) * (i % 2 ? -1 : 1) : 0)),
  );
  const scales = [5, 2, 0.5];
  const mean = rng(2).normal(p);
  // Coefficients with exactly zero mean and orthogonal columns of norm sqrt(count - 1): a Hadamard-like design.
  const design = Array.from({ length: count }, (_, i) => [
    i % 2 ? 1 : -1,
    Math.floor(i / 2) % 2 ? 1 : -1,
    Math.floor(i / 4) % 3 === 0 ? 1 : Math.floor(i / 4) % 3 === 1 ? -1 : 0,
  ]);
  const colNorm = [0, 1, 2].map((k) => Math.sqrt(design.reduce((s, row) => s + row[k] ** 2, 0) / (count - 1)));
  const vectors = design.map((row) =>
    Float64Array.from(
      mean,
      (m, i) => m + row.reduce((s, a, k) => s + (a / colNorm[k]) * scales[k] * directions[k][i], 0),
    ),
  );
  const pca = fitPca(vectors, rank);
  for (let k = 0; k < rank; k++) {
    assert.ok(Math.abs(pca.scales[k] - scales[k]) < 1e-10 * scales[0], `scale ${k}`);
    let d = 0;
    for (let i = 0; i < p; i++) d += pca.components[k * p + i] * directions[k][i];
    assert.ok(Math.abs(Math.abs(d) - 1) < 1e-10, `direction ${k}`);
  }
  assert.ok(Math.abs(pca.explainedVariance - 1) < 1e-12);
  for (const v of vectors) {
    const back = pcaDecode(pca, pcaEncode(pca, v));
    for (let i = 0; i < p; i++) assert.ok(Math.abs(back[i] - v[i]) < 1e-12 * 10);
  }
});
