// Eigen-decomposition of small symmetric float64 matrices (up to a few hundred rows): the
// Gram matrices of a zoo (generator PCA), the l x l problem a randomised SVD leaves (manifold
// PCA), and a power iteration for the top eigenvalue of a kernel matrix. Cyclic Jacobi is
// slow for big n but accurate to rounding, with eigenvectors orthogonal to rounding even for
// clustered eigenvalues. Large spectra go to lib/src/eigen's Householder + QL kernels.

import { NumericalError } from '../errors';
import { times } from './dense';

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
      order.forEach((i, k) => {
        for (let r = 0; r < n; r++) vectors[k * n + r] = v[r * n + i];
      });
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
          const akp = a[k * n + p],
            akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k],
            aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p],
            vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  throw new NumericalError('Jacobi eigensolver did not converge in 100 sweeps', { expected: 'a symmetric matrix' });
}

/** Σ a_i b_i. */

/** Largest eigenvalue of the symmetric positive semi-definite a by power iteration (relative accuracy ~1e-3). */
export function largestEigenvalue(a: Float64Array, n: number, iterations = 60): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let estimate = 0;
  for (let it = 0; it < iterations; it++) {
    const w = times(a, v, n, n, 1);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += w[i] * w[i];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let i = 0; i < n; i++) w[i] /= norm;
    const converged = Math.abs(norm - estimate) <= 1e-4 * norm;
    estimate = norm;
    v = w;
    if (converged) break;
  }
  return estimate;
}
