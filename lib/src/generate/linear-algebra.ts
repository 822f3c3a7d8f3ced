// Small dense float64 linear algebra the generators need on the host: a symmetric eigensolver
// (cyclic Jacobi; exact to rounding for the N <= a few hundred Gram matrices of a zoo) and
// matrix-vector helpers. Float64 because PCA of nearly collinear zoos loses digits fast.

import { NumericalError } from '../errors';

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** Eigenvectors as rows (vectors[k*n .. k*n+n) belongs to values[k]). */
  vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric n×n row-major matrix by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale += a[k] * a[k];
  const tolerance = 1e-30 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tolerance) {
      const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
      const values = Float64Array.from(order, (i) => a[i * n + i]);
      const vectors = new Float64Array(n * n);
      order.forEach((i, k) => { for (let r = 0; r < n; r++) vectors[k * n + r] = v[r * n + i]; });
      return { values, vectors };
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  throw new NumericalError('Jacobi eigensolver did not converge in 100 sweeps', { expected: 'a symmetric matrix' });
}

/** Σ a_i b_i. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖a − b‖₂. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; s += d * d; }
  return Math.sqrt(s);
}

/** Mean vector of equal-length vectors. */
export function meanVector(vectors: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let k = 0; k < out.length; k++) out[k] += v[k];
  for (let k = 0; k < out.length; k++) out[k] /= vectors.length;
  return out;
}

/** Per-coordinate standard deviation (population, divisor n) around `mean`. */
export function coordinateStd(vectors: readonly Float64Array[], mean: Float64Array): Float64Array {
  const out = new Float64Array(mean.length);
  for (const v of vectors) for (let k = 0; k < out.length; k++) { const d = v[k] - mean[k]; out[k] += d * d; }
  for (let k = 0; k < out.length; k++) out[k] = Math.sqrt(out[k] / vectors.length);
  return out;
}

/** Quantile q in [0, 1] of values (linear interpolation, numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
