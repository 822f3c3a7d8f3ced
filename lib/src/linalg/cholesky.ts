// Cholesky factorisation, triangular solves, lower-triangular products and the inverse
// iteration that estimates a factor's smallest eigenvalue: what sampling from a Gaussian
// process needs (lib/src/bias). Plain JavaScript on row-major Float64Arrays, with every inner
// loop over contiguous memory (about 1 GFLOP/s on one core here; see bench/bias.js). All
// matrices are n x n row-major unless stated; right-hand sides are row-major n x cols blocks.

/** Result of a Cholesky attempt: the factor, or the first pivot that was not positive. */
export type CholeskyResult = { ok: true; factor: Float64Array } | { ok: false; index: number; pivot: number };

/**
 * Lower Cholesky factor L of the symmetric matrix a (only the lower triangle is read), with
 * `shift` added to the diagonal: L L^T = a + shift I. Cholesky-Banachiewicz order: entry (i, j)
 * is a dot product of rows i and j of L, both contiguous.
 */
export function cholesky(a: Float64Array, n: number, shift = 0): CholeskyResult {
  const factor = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let sum = a[rowI + j];
      for (let k = 0; k < j; k++) sum -= factor[rowI + k] * factor[rowJ + k];
      if (i === j) {
        sum += shift;
        if (!(sum > 0)) return { ok: false, index: i, pivot: sum };
        factor[rowI + i] = Math.sqrt(sum);
      } else {
        factor[rowI + j] = sum / factor[rowJ + j];
      }
    }
  }
  return { ok: true, factor };
}

/** Solves L X = B in place (B is n x cols, row-major), L lower triangular. */
export function solveLowerInPlace(factor: Float64Array, n: number, b: Float64Array, cols: number): void {
  for (let i = 0; i < n; i++) {
    const rowB = i * cols;
    for (let k = 0; k < i; k++) {
      const l = factor[i * n + k];
      if (l === 0) continue;
      const rowK = k * cols;
      for (let c = 0; c < cols; c++) b[rowB + c] -= l * b[rowK + c];
    }
    const pivot = factor[i * n + i];
    for (let c = 0; c < cols; c++) b[rowB + c] /= pivot;
  }
}

/** Solves L^T X = B in place (B is n x cols, row-major), L lower triangular. */
export function solveUpperTransposedInPlace(factor: Float64Array, n: number, b: Float64Array, cols: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const rowB = i * cols;
    const pivot = factor[i * n + i];
    for (let c = 0; c < cols; c++) b[rowB + c] /= pivot;
    // Row i of X is final: remove its contribution L[i][k] X[i] from the rows k < i.
    for (let k = 0; k < i; k++) {
      const l = factor[i * n + k];
      if (l === 0) continue;
      const rowK = k * cols;
      for (let c = 0; c < cols; c++) b[rowK + c] -= l * b[rowB + c];
    }
  }
}

/** out = L Z for L lower triangular n x n and Z n x cols (row-major); out may not alias Z. */
export function lowerTimes(
  factor: Float64Array,
  n: number,
  z: Float64Array,
  cols: number,
  out = new Float64Array(n * cols),
): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const rowOut = i * cols;
    for (let k = 0; k <= i; k++) {
      const l = factor[i * n + k];
      if (l === 0) continue;
      const rowZ = k * cols;
      for (let c = 0; c < cols; c++) out[rowOut + c] += l * z[rowZ + c];
    }
  }
  return out;
}

/**
 * Smallest eigenvalue of L L^T by inverse iteration with the Cholesky factor (two triangular
 * solves per step). The start vector mixes all directions, so 30 steps reach a few digits
 * unless the two smallest eigenvalues nearly coincide, in which case the estimate is still
 * within a small factor: enough to decide whether the matrix is too ill-conditioned.
 */
export function smallestEigenvalue(factor: Float64Array, n: number, iterations = 30): number {
  let v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 0.6180339887498949) % 1); // deterministic, not orthogonal to anything special
  let estimate = Infinity;
  for (let it = 0; it < iterations; it++) {
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] /= norm;
    const w = Float64Array.from(v);
    solveLowerInPlace(factor, n, w, 1);
    solveUpperTransposedInPlace(factor, n, w, 1);
    let growth = 0;
    for (let i = 0; i < n; i++) growth += w[i] * w[i];
    growth = Math.sqrt(growth); // ~ 1 / lambda_min
    const next = 1 / growth;
    const converged = Math.abs(next - estimate) <= 1e-4 * next;
    estimate = next;
    v = w;
    if (converged) break;
  }
  return estimate;
}
