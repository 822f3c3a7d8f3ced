// Symmetric eigenvalues in plain JavaScript: the fallback of the WebAssembly kernel
// (lib/assembly/eigen.ts implements the same algorithm with f64x2 SIMD) and the reference
// the tests compare it with. Householder tridiagonalisation of the upper triangle, stored
// row-major so every inner loop walks contiguous memory, with the rank-2 update of step k
// fused into the matrix-vector product of step k+1 (one pass over the matrix per step),
// then implicit QL on the tridiagonal matrix. Eigenvalues only: no vectors are formed.

import { tridiagonalQl } from '../linalg/tridiagonal';

/**
 * Reduces the symmetric n x n matrix `a` (row-major; only the upper triangle j >= i is read)
 * to tridiagonal form in place. Returns the diagonal and the off-diagonal (offDiagonal[k]
 * couples k and k+1; the last entry is 0). `a` is overwritten.
 */
export function tridiagonalize(a: Float64Array, n: number): { diagonal: Float64Array; offDiagonal: Float64Array } {
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  if (n === 0) return { diagonal, offDiagonal };
  // v, w: the Householder vector and the update vector of the current step; nextV, nextP
  // accumulate the next step's vector and its product with the trailing matrix.
  let v = new Float64Array(n);
  let w = new Float64Array(n);
  let nextV = new Float64Array(n);
  let nextP = new Float64Array(n);
  // Step 0's reflector comes from the untouched row 0, and its product needs a plain pass.
  let tau = householder(a, n, 0, v, offDiagonal);
  diagonal[0] = a[0];
  if (n > 1) {
    w.fill(0);
    for (let i = 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      let sum = a[row + i] * vi;
      for (let j = i + 1; j < n; j++) {
        sum += a[row + j] * v[j];
        w[j] += a[row + j] * vi;
      }
      w[i] += sum;
    }
    finishUpdateVector(w, v, tau, 1, n);
  }
  for (let k = 0; k < n - 1; k++) {
    // Row k+1 gets step k's update first: it holds the next reflector.
    const first = k + 1;
    updateRow(a, n, first, v, w);
    diagonal[first] = a[first * n + first];
    let nextTau = 0;
    if (first < n - 1) nextTau = householder(a, n, first, nextV, offDiagonal);
    nextP.fill(0, first + 1, n);
    for (let i = first + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i],
        wi = w[i],
        ui = nextV[i];
      let x = a[row + i] - 2 * vi * wi;
      a[row + i] = x;
      let sum = x * ui;
      for (let j = i + 1; j < n; j++) {
        x = a[row + j] - vi * w[j] - wi * v[j];
        a[row + j] = x;
        sum += x * nextV[j];
        nextP[j] += x * ui;
      }
      nextP[i] += sum;
    }
    if (first < n - 1) finishUpdateVector(nextP, nextV, nextTau, first + 1, n);
    tau = nextTau;
    [v, nextV] = [nextV, v];
    [w, nextP] = [nextP, w];
  }
  void tau;
  return { diagonal, offDiagonal };
}

/**
 * Builds the reflector that zeroes row `k` beyond column k+1 (LAPACK dlarfg conventions):
 * v[k+1] = 1, v[k+2..] = x/(alpha - beta), and records beta as offDiagonal[k]. Returns tau.
 */
function householder(a: Float64Array, n: number, k: number, v: Float64Array, offDiagonal: Float64Array): number {
  const row = k * n;
  const alpha = a[row + k + 1];
  let scale = 0;
  for (let j = k + 2; j < n; j++) scale = Math.max(scale, Math.abs(a[row + j]));
  v.fill(0, 0, k + 1);
  v[k + 1] = 1;
  if (scale === 0) {
    for (let j = k + 2; j < n; j++) v[j] = 0;
    offDiagonal[k] = alpha;
    return 0;
  }
  // Scaled sum of squares: immune to overflow of squared entries.
  let sum = 0;
  const reference = Math.max(scale, Math.abs(alpha));
  for (let j = k + 2; j < n; j++) {
    const t = a[row + j] / reference;
    sum += t * t;
  }
  const t0 = alpha / reference;
  const norm = reference * Math.sqrt(t0 * t0 + sum);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const inverse = 1 / (alpha - beta);
  for (let j = k + 2; j < n; j++) v[j] = a[row + j] * inverse;
  offDiagonal[k] = beta;
  return tau;
}

/** p = tau*p; w = p - (tau/2)(p.v) v over indices [from, n). */
function finishUpdateVector(p: Float64Array, v: Float64Array, tau: number, from: number, n: number): void {
  let dot = 0;
  for (let i = from; i < n; i++) {
    p[i] *= tau;
    dot += p[i] * v[i];
  }
  const half = 0.5 * tau * dot;
  for (let i = from; i < n; i++) p[i] -= half * v[i];
  p.fill(0, 0, from);
}

function updateRow(a: Float64Array, n: number, i: number, v: Float64Array, w: Float64Array): void {
  const row = i * n;
  const vi = v[i],
    wi = w[i];
  for (let j = i; j < n; j++) a[row + j] -= vi * w[j] + wi * v[j];
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (diagonal, offDiagonal) by implicit QL with
 * Wilkinson shifts (lib/src/linalg/tridiagonal.ts). Sorted ascending on return. Both arrays are overwritten.
 */
export function tridiagonalEigenvalues(diagonal: Float64Array, offDiagonal: Float64Array): Float64Array {
  tridiagonalQl(diagonal, offDiagonal);
  return diagonal.sort();
}

/** Eigenvalues (ascending) of the symmetric matrix `a` (n x n, row-major, upper triangle read; overwritten). */
export function symmetricEigenvaluesJs(a: Float64Array, n: number): Float64Array {
  const { diagonal, offDiagonal } = tridiagonalize(a, n);
  return tridiagonalEigenvalues(diagonal, offDiagonal);
}
