// The shared dense linear algebra against closed forms: matrices built as Q diag(λ) Qᵀ from a
// seeded random orthogonal Q (a product of Householder reflections) have known eigenvalues and
// eigenvectors; a Cholesky factor is checked by multiplying it back; triangular solves by
// substituting the solution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from 'weightlab/internal';
import {
  symmetricEigen,
  largestEigenvalue,
  cholesky,
  solveLowerInPlace,
  solveUpperTransposedInPlace,
  smallestEigenvalue,
  times,
  transposeTimes,
} from 'weightlab/dist/linalg';

/** A seeded n x n orthogonal matrix: the product of n Householder reflections of Gaussian vectors. */
function orthogonal(n: number, seed: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const normal = rng(seed).normal(n * n);
  for (let r = 0; r < n; r++) {
    const v = normal.subarray(r * n, (r + 1) * n);
    const norm2 = v.reduce((s, x) => s + x * x, 0);
    // Q <- Q (I - 2 v vᵀ / vᵀv)
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += q[i * n + k] * v[k];
      for (let k = 0; k < n; k++) q[i * n + k] -= ((2 * dot) / norm2) * v[k];
    }
  }
  return q;
}

function withSpectrum(values: number[], seed: number): { a: Float64Array; q: Float64Array } {
  const n = values.length;
  const q = orthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += q[i * n + k] * values[k] * q[j * n + k];
      a[i * n + j] = sum;
    }
  return { a, q };
}

test('symmetricEigen recovers a planted spectrum (descending) and eigenvectors as rows', () => {
  const planted = [5, -3, 2.5, 2.5, 1e-3, 0, -0.5, 7];
  const { a, q } = withSpectrum(planted, 11);
  const n = planted.length;
  const { values, vectors } = symmetricEigen(a, n);
  const sorted = [...planted].sort((x, y) => y - x);
  // Jacobi is backward stable: errors ~ n ε ‖A‖ = 8 · 2.2e-16 · 7 ≈ 1e-14; allow 1e-12.
  sorted.forEach((v, k) => assert.ok(Math.abs(values[k] - v) <= 1e-12, `eigenvalue ${k}: ${values[k]} vs ${v}`));
  for (let k = 0; k < n; k++) {
    const v = vectors.subarray(k * n, (k + 1) * n);
    assert.ok(Math.abs(v.reduce((s, x) => s + x * x, 0) - 1) < 1e-12, 'unit eigenvector');
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * v[j];
      assert.ok(Math.abs(av - values[k] * v[i]) < 1e-12, `A v = λ v for row ${k}`);
    }
  }
  // A simple eigenvalue's eigenvector is the matching column of Q up to sign.
  const top = planted.indexOf(7);
  const overlap = Array.from({ length: n }, (_, i) => vectors[i] * q[i * n + top]).reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(Math.abs(overlap) - 1) < 1e-12, `|<v, q>| = ${overlap}`);
});

test('largestEigenvalue (power iteration) agrees with the planted top eigenvalue to its stated 1e-3', () => {
  const { a } = withSpectrum([4, 1, 0.5, 0.25, 0.1, 0], 3);
  const estimate = largestEigenvalue(a, 6, 200);
  assert.ok(Math.abs(estimate - 4) <= 4e-3, `estimate ${estimate}`);
});

test('cholesky: L Lᵀ = A + shift I, the solves invert it, smallestEigenvalue finds the planted minimum', () => {
  const planted = [3, 2, 1, 0.5, 0.2];
  const n = planted.length;
  const { a } = withSpectrum(planted, 5);
  const result = cholesky(a, n, 0.1);
  assert.ok(result.ok);
  if (!result.ok) return;
  const l = result.factor;
  const llt = transposeTimes(transposeTimesInput(l, n), transposeTimesInput(l, n), n, n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const expected = a[i * n + j] + (i === j ? 0.1 : 0);
      assert.ok(Math.abs(llt[i * n + j] - expected) < 1e-13, `(L Lᵀ)[${i},${j}]`);
    }
  const b = Float64Array.from([1, -2, 0.5, 3, 0]);
  const x = Float64Array.from(b);
  solveLowerInPlace(l, n, x, 1);
  solveUpperTransposedInPlace(l, n, x, 1);
  const shifted = Float64Array.from(a, (v, k) => v + (k % (n + 1) === 0 ? 0.1 : 0));
  const back = times(shifted, x, n, n, 1);
  back.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-12, `(A + 0.1 I) x = b at ${i}`));
  // Inverse iteration reaches a few digits unless the two smallest eigenvalues nearly coincide (0.3 vs 0.6 here).
  const smallest = smallestEigenvalue(l, n, 100);
  assert.ok(Math.abs(smallest - 0.3) < 1e-3, `smallest ${smallest}`);
  // A negative pivot is reported, not hidden.
  const indefinite = withSpectrum([1, -1, 2], 9).a;
  const failed = cholesky(indefinite, 3);
  assert.equal(failed.ok, false);
});

/** Lᵀ laid out row-major, so that transposeTimes(Lᵀ, Lᵀ) = L Lᵀ. */
function transposeTimesInput(l: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = l[i * n + j];
  return t;
}
